import CKernels

/// Elementwise functions, run by the vectorised C kernels (VectorKernels.c).
/// Each backward is one fused loop: dx (+)= g · f'(x), f' taken from x or from y = f(x).
public enum UnaryFunction: Int32, Sendable {
    case exp = 0, log, tanh, sigmoid, softplus, relu, elu, square
    /// a·x + b
    case affine
    /// max(x, a)
    case clampMin
    /// −½(log 2π + x²)
    case standardNormalLogDensity
}

extension Tape {
    func unary(_ x: Var, _ f: UnaryFunction, a: Float = 0, b: Float = 0) -> Var {
        let n = x.value.count
        var out = Tensor(uninitialized: x.rows, x.cols)
        x.value.withPointer { xp in out.withMutablePointer { yp in
            Parallel.split(n) { i, c in vk_unary_forward(f.rawValue, xp + i, yp + i, c, a, b) }
        } }
        let y = out
        return record(out, inputs: [x]) { tape, g in
            tape.accumulate(x) { dx, fresh in
                x.value.withPointer { xp in y.withPointer { yp in g.withPointer { gp in
                    Parallel.split(n) { i, c in
                        vk_unary_backward(f.rawValue, xp + i, yp + i, gp + i, dx + i, c, fresh ? 0 : 1, a, b)
                    }
                } } }
            }
        }
    }

    public func exp(_ x: Var) -> Var { unary(x, .exp) }
    public func log(_ x: Var) -> Var { unary(x, .log) }
    public func tanh(_ x: Var) -> Var { unary(x, .tanh) }
    public func sigmoid(_ x: Var) -> Var { unary(x, .sigmoid) }
    public func softplus(_ x: Var) -> Var { unary(x, .softplus) }
    public func relu(_ x: Var) -> Var { unary(x, .relu) }
    /// elu(x) = x for x > 0, e^x − 1 otherwise.
    public func elu(_ x: Var) -> Var { unary(x, .elu) }
    public func square(_ x: Var) -> Var { unary(x, .square) }
    public func negate(_ x: Var) -> Var { unary(x, .affine, a: -1) }
    public func scale(_ x: Var, by s: Float) -> Var { unary(x, .affine, a: s) }
    public func addScalar(_ x: Var, _ s: Float) -> Var { unary(x, .affine, a: 1, b: s) }
    /// max(x, floor): the free-bits clamp. No gradient flows where the floor holds.
    public func clampMin(_ x: Var, _ floor: Float) -> Var { unary(x, .clampMin, a: floor) }
    /// log N(z; 0, 1) per element.
    public func standardNormalLogDensity(_ z: Var) -> Var { unary(z, .standardNormalLogDensity) }
}

/// The nonlinearities a layer may use, by name (for configuration and checkpoints).
public enum Activation: String, CaseIterable, Codable, Sendable {
    case tanh, relu, elu, softplus, sigmoid

    public func apply(_ x: Var, on tape: Tape) -> Var {
        switch self {
        case .tanh: tape.tanh(x)
        case .relu: tape.relu(x)
        case .elu: tape.elu(x)
        case .softplus: tape.softplus(x)
        case .sigmoid: tape.sigmoid(x)
        }
    }
}

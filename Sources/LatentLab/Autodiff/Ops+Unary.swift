/// Elementwise functions. Each backward is one fused loop: g · f'(x), with f' taken from the input
/// x or the output y, whichever is cheaper.
extension Tape {
    @inline(__always)
    func unary(_ x: Var, _ f: (Float) -> Float, derivative: @escaping (_ x: Float, _ y: Float) -> Float) -> Var {
        let n = x.value.count
        var out = Tensor(uninitialized: x.rows, x.cols)
        x.value.withPointer { xp in out.withMutablePointer { yp in for i in 0..<n { yp[i] = f(xp[i]) } } }
        let y = out
        return record(out, inputs: [x]) { tape, g in
            tape.accumulate(x) { dx, fresh in
                x.value.withPointer { xp in y.withPointer { yp in g.withPointer { gp in
                    if fresh {
                        for i in 0..<n { dx[i] = gp[i] * derivative(xp[i], yp[i]) }
                    } else {
                        for i in 0..<n { dx[i] += gp[i] * derivative(xp[i], yp[i]) }
                    }
                } } }
            }
        }
    }

    public func exp(_ x: Var) -> Var { unary(x, FastMath.exp) { _, y in y } }
    public func log(_ x: Var) -> Var { unary(x, FastMath.log) { x, _ in 1 / x } }
    public func tanh(_ x: Var) -> Var { unary(x, FastMath.tanh) { _, y in 1 - y * y } }
    public func sigmoid(_ x: Var) -> Var { unary(x, FastMath.sigmoid) { _, y in y * (1 - y) } }
    public func softplus(_ x: Var) -> Var { unary(x, FastMath.softplus) { x, _ in FastMath.sigmoid(x) } }
    public func relu(_ x: Var) -> Var { unary(x, { max($0, 0) }) { x, _ in x > 0 ? 1 : 0 } }
    /// elu(x) = x for x > 0, e^x − 1 otherwise.
    public func elu(_ x: Var) -> Var { unary(x, { $0 > 0 ? $0 : FastMath.exp($0) - 1 }) { x, y in x > 0 ? 1 : y + 1 } }
    public func square(_ x: Var) -> Var { unary(x, { $0 * $0 }) { x, _ in 2 * x } }
    public func negate(_ x: Var) -> Var { unary(x, { -$0 }) { _, _ in -1 } }
    public func scale(_ x: Var, by s: Float) -> Var { unary(x, { s * $0 }) { _, _ in s } }
    public func addScalar(_ x: Var, _ s: Float) -> Var { unary(x, { $0 + s }) { _, _ in 1 } }
    /// max(x, floor): the free-bits clamp. No gradient flows where the floor holds.
    public func clampMin(_ x: Var, _ floor: Float) -> Var { unary(x, { max($0, floor) }) { x, _ in x > floor ? 1 : 0 } }
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

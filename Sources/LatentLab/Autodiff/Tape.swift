/// A differentiable value on a `Tape`: its tensor and, when it needs a gradient, its slot on the tape.
public struct Var {
    public let value: Tensor
    /// Index of the gradient slot on the tape, or nil for a constant.
    let id: Int?

    public var rows: Int { value.rows }
    public var cols: Int { value.cols }
    public var needsGrad: Bool { id != nil }

    /// A constant: no gradient flows into it.
    public init(constant value: Tensor) {
        self.value = value
        id = nil
    }

    init(_ value: Tensor, id: Int?) {
        self.value = value
        self.id = id
    }
}

/// Reverse-mode automatic differentiation over whole tensors.
///
/// Ops are recorded in the order they run, so walking the record backwards visits every node after
/// all of its consumers: no topological sort is needed. Each op stores one closure, its
/// vector-Jacobian product, which reads the output's gradient and accumulates into its inputs'.
/// A tape with `recording: false` runs the same model code for evaluation with no bookkeeping.
public final class Tape {
    public let recording: Bool
    private var grads: [Tensor?] = []
    private var backwards: [(Tape) -> Void] = []
    /// Slots bound to a parameter's own gradient buffer: accumulation lands there directly.
    private var isParameterSlot: [Bool] = []

    /// Where parameter gradients go instead of each `parameter.grad` (a part of a split batch).
    private let gradientBuffers: GradientBuffers?

    /// Parameters brought on as constants: gradients still flow through them to what they act on, but none
    /// is computed for them (the decoder during aggressive training's encoder-only steps).
    private let frozen: Set<ObjectIdentifier>

    public init(recording: Bool = true, gradientBuffers: GradientBuffers? = nil, frozen: [Parameter] = []) {
        self.recording = recording
        self.gradientBuffers = gradientBuffers
        self.frozen = Set(frozen.map(ObjectIdentifier.init))
    }

    /// Brings a parameter onto the tape; its gradient accumulates into `parameter.grad`, or into its
    /// buffer in the tape's `gradientBuffers`.
    public func param(_ parameter: Parameter) -> Var {
        guard recording && !frozen.contains(ObjectIdentifier(parameter)) else { return Var(constant: parameter.value) }
        let id = grads.count
        grads.append(gradientBuffers?.buffer(for: parameter) ?? parameter.grad)
        isParameterSlot.append(true)
        backwards.append { _ in }
        return Var(parameter.value, id: id)
    }

    /// Records an op's output. `backward` is called with the output gradient during `backward(from:)`.
    /// When no input needs a gradient the output is a constant and nothing is recorded.
    func record(_ value: Tensor, inputs: [Var], backward: @escaping (Tape, Tensor) -> Void) -> Var {
        guard recording, inputs.contains(where: { $0.needsGrad }) else { return Var(constant: value) }
        let id = grads.count
        grads.append(nil)
        isParameterSlot.append(false)
        backwards.append { tape in
            if let g = tape.grads[id] { backward(tape, g) }
        }
        return Var(value, id: id)
    }

    /// Runs the backward pass from a 1×1 output, seeding its gradient with `seed`.
    public func backward(from output: Var, seed: Float = 1) {
        precondition(output.value.count == 1, "backward needs a scalar output, got \(output.value.shape)")
        guard let id = output.id else { return }
        grads[id] = Tensor(scalar: seed)
        for i in stride(from: id, through: 0, by: -1) {
            backwards[i](self)
            if !isParameterSlot[i] { grads[i] = nil }  // free intermediate gradients as soon as they are used
        }
    }

    /// Accumulates into `v`'s gradient through a pointer to a buffer of `v`'s shape, zeroed if new.
    /// `fresh` tells the writer whether the buffer is new (so it may overwrite instead of add).
    func accumulate(_ v: Var, _ body: (_ grad: UnsafeMutablePointer<Float>, _ fresh: Bool) -> Void) {
        guard let id = v.id else { return }
        if let g = grads[id] {
            g.withSharedMutablePointer { body($0, false) }
        } else {
            var g = Tensor(uninitialized: v.rows, v.cols)
            g.withMutablePointer { body($0, true) }
            grads[id] = g
        }
    }

    /// Accumulates a whole tensor into `v`'s gradient.
    func accumulate(_ v: Var, adding delta: Tensor) {
        guard let id = v.id else { return }
        if let g = grads[id] {
            let n = g.count
            g.withSharedMutablePointer { dst in delta.withPointer { src in for i in 0..<n { dst[i] += src[i] } } }
        } else {
            grads[id] = delta
        }
    }
}

/// A trainable tensor with its gradient buffer, shared by every tape the parameter is used on.
public final class Parameter {
    public let name: String
    /// Updated in place by the optimiser.
    public private(set) var value: Tensor
    /// Accumulated by `Tape.backward`; cleared by `zeroGrad()`.
    public let grad: Tensor

    public init(_ name: String, _ value: Tensor) {
        self.name = name
        self.value = value
        grad = Tensor(zeros: value.rows, value.cols)
    }

    public var rows: Int { value.rows }
    public var cols: Int { value.cols }

    public func zeroGrad() {
        grad.withSharedMutablePointer { $0.update(repeating: 0, count: grad.count) }
    }

    /// Replaces the value (a checkpoint load or a reset); shapes must agree.
    public func assign(_ newValue: Tensor) {
        precondition(newValue.rows == value.rows && newValue.cols == value.cols,
                     "parameter \(name): \(newValue.shape) does not fit \(value.shape)")
        value = newValue
    }

    /// In-place update of the value, for optimisers.
    func update(_ body: (_ value: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>, _ count: Int) -> Void) {
        let n = value.count
        value.withMutablePointer { v in grad.withPointer { g in body(v, g, n) } }
    }
}

/// A second set of gradient buffers for some parameters: the parts of a batch split across threads
/// each accumulate into their own, then `addInto` sums them into the parameters' gradients.
public final class GradientBuffers {
    private var buffers: [ObjectIdentifier: Tensor] = [:]

    public init(_ parameters: [Parameter]) {
        for p in parameters { buffers[ObjectIdentifier(p)] = Tensor(zeros: p.rows, p.cols) }
    }

    func buffer(for parameter: Parameter) -> Tensor? { buffers[ObjectIdentifier(parameter)] }

    public func zero() {
        for t in buffers.values { t.withSharedMutablePointer { $0.update(repeating: 0, count: t.count) } }
    }

    /// parameter.grad += this set's buffer, for every parameter it holds.
    public func addInto(_ parameters: [Parameter]) {
        for p in parameters {
            guard let b = buffers[ObjectIdentifier(p)] else { continue }
            let n = b.count
            p.grad.withSharedMutablePointer { g in b.withPointer { src in for i in 0..<n { g[i] += src[i] } } }
        }
    }
}

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

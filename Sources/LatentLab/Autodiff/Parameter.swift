import CKernels

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

    /// Makes the value's buffer this parameter's own, copying it if a tape or a snapshot still shares it, so that
    /// the parts of an update split across threads (`update(_:_:)`) may write it at once.
    func ownValue() { value.withMutablePointer { _ in } }

    /// In-place update of the elements `range` of the value, for an optimiser's part of a step split across
    /// threads; `ownValue()` first. The body gets the range's first value and gradient and its length.
    func update(_ range: Range<Int>,
                _ body: (_ value: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>, _ count: Int) -> Void) {
        value.withSharedMutablePointer { v in grad.withPointer { g in
            body(v + range.lowerBound, g + range.lowerBound, range.count)
        } }
    }
}

/// A second set of gradient buffers for some parameters: the parts of a batch split across threads
/// each accumulate into their own, then `reduce` sums them into the parameters' gradients.
public final class GradientBuffers {
    private var buffers: [ObjectIdentifier: Tensor] = [:]

    public init(_ parameters: [Parameter]) {
        for p in parameters { buffers[ObjectIdentifier(p)] = Tensor(zeros: p.rows, p.cols) }
    }

    func buffer(for parameter: Parameter) -> Tensor? { buffers[ObjectIdentifier(parameter)] }

    /// Sums the parts' gradients into the parameters' over the slice `part` of `parts` of each parameter, and
    /// clears the parts' buffers for the next step: every thread takes a slice, so the reduction runs on all of
    /// them. Returns Σ g² over the slice, for the global norm. The order of the sum is the serial one's (the
    /// first part's gradient, then each other part's in turn), so the gradients are the same to the bit.
    public static func reduce(_ sets: [GradientBuffers], into parameters: [Parameter], part: Int, of parts: Int)
        -> Double {
        var squares = 0.0
        for p in parameters {
            let range = Parallel.slice(p.grad.count, part: part, of: parts)
            p.grad.withSharedMutablePointer { g in
                let at = g + range.lowerBound
                for (i, set) in sets.enumerated() {
                    guard let b = set.buffer(for: p) else { continue }
                    let sum = b.withSharedMutablePointer {
                        vk_add_clear_sum_squares(at, $0 + range.lowerBound, range.count)
                    }
                    if i == sets.count - 1 { squares += sum }
                }
                if sets.isEmpty || sets.last?.buffer(for: p) == nil { squares += vk_sum_squares(at, range.count) }
            }
        }
        return squares
    }
}

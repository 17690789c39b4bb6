/// What a training loop does about a step whose loss or gradient is NaN or Inf: the step changes
/// nothing and is counted; the third in a row puts back the last weights remembered as good (the
/// caller then restarts its optimisers' moments). The trainer and the bin-packing demo share it.
struct NonFiniteGuard {
    /// Bad steps in a row that restore the good weights.
    static let restoreAfter = 3

    private(set) var skippedSteps = 0
    private(set) var restores = 0
    private var inARow = 0
    private var good: [Tensor]

    init(_ parameters: [Parameter]) { good = parameters.map { $0.value.copied() } }

    /// These weights are good: the next restore goes back to them.
    mutating func remember(_ parameters: [Parameter]) { good = parameters.map { $0.value.copied() } }

    /// A finite step ends a run of bad ones.
    mutating func passed() { inARow = 0 }

    /// A bad step, skipped. Returns true when it restored the good weights.
    mutating func failed(_ parameters: [Parameter]) -> Bool {
        skippedSteps += 1
        inARow += 1
        guard inARow >= Self.restoreAfter else { return false }
        for (p, w) in zip(parameters, good) { p.assign(w.copied()) }
        inARow = 0
        restores += 1
        return true
    }
}

/// What a training loop does about a step whose loss or gradient is NaN or Inf: the step changes
/// nothing and is counted; the third in a row (or the first with a weight that is not finite) puts back
/// the last weights remembered as good (the caller then restarts its optimisers' moments). The trainer and the
/// bin-packing demo share it.
struct NonFiniteGuard {
    /// Bad steps in a row that restore the good weights.
    static let restoreAfter = 3

    /// Restores in a row, with no finite step between them, after which training cannot recover.
    static let givesUpAfter = 3

    private(set) var skippedSteps = 0
    private(set) var restores = 0
    private var inARow = 0
    private var restoresInARow = 0
    private var good: [Tensor]

    init(_ parameters: [Parameter]) { good = parameters.map { $0.value.copied() } }

    /// These weights are good: the next restore goes back to them. Weights that are not all finite are
    /// never remembered.
    mutating func remember(_ parameters: [Parameter]) {
        guard parameters.allSatisfy(\.value.isFinite) else { return }
        guard good.count == parameters.count, zip(good, parameters).allSatisfy({ $0.shape == $1.value.shape }) else {
            good = parameters.map { $0.value.copied() }
            return
        }
        // Into the buffers already held: fresh copies would hold every weight twice at each snapshot.
        for i in good.indices {
            let count = good[i].count
            parameters[i].value.withPointer { from in good[i].withMutablePointer { $0.update(from: from, count: count) } }
        }
    }

    /// A finite step ends a run of bad ones.
    mutating func passed() {
        inARow = 0
        restoresInARow = 0
    }

    /// True when even the good weights keep giving NaN or Inf: restored `givesUpAfter` times with no finite
    /// step between. The caller stops training with a message instead of looping.
    var cannotRecover: Bool { restoresInARow >= Self.givesUpAfter }

    /// A bad step, skipped. Returns true when it restored the good weights: the third bad step in a row, or
    /// at once when a weight itself is no longer finite (every later step would fail, and the weights must
    /// never be evaluated or saved so).
    mutating func failed(_ parameters: [Parameter]) -> Bool {
        skippedSteps += 1
        inARow += 1
        guard inARow >= Self.restoreAfter || !parameters.allSatisfy(\.value.isFinite) else { return false }
        for (p, w) in zip(parameters, good) { p.assign(w.copied()) }
        inARow = 0
        restores += 1
        restoresInARow += 1
        return true
    }
}

import Foundation

/// The gap panel's engine side: while the panel is open, the probe images' inference gap is taken apart
/// (`GapAnalysis.decompose`) at a held-out evaluation, on a dashboard's budget. Local inference stops at its
/// plateau, its step budget or its time budget, whichever comes first, and the panel says which; the run then
/// waits until it has cost at most `share` of the engine's time, so training slows by about that much.
struct GapMonitor {
    /// Most local steps, and most seconds of local inference, per refresh.
    static let local = LocalOptimisationSettings(steps: 500, timeBudget: 0.3)
    /// Draws of each ELBO, and k of the L_k that stands in for log p(x) (eval --gaps: 1000 and 5000).
    static let samples = 100
    static let importanceSamples = 500
    /// Decoder rows scored at once (evaluation's are 5000): the panel's transient memory stays small.
    static let maxRows = 1000
    /// Most of the engine's time the refreshes may take.
    static let share = 0.05
    /// The same noise at every refresh, so the bars move with the model only.
    static let seed: UInt64 = 13

    /// Whether the panel is open: closed, nothing is computed.
    var isOpen = false
    private let clock = ContinuousClock()
    private var lastRun: ContinuousClock.Instant?
    private var lastCost = 0.0

    /// Opening asks for a refresh at the next evaluation.
    mutating func open(_ open: Bool) {
        isOpen = open
        if open { refreshSoon() }
    }

    /// The next evaluation takes the gap (if the panel is open) whatever the last one cost: after opening, and
    /// for a new model, whose gap is not the old one's.
    mutating func refreshSoon() { lastRun = nil }

    /// The decomposition of `probe` under `model`, and the panel's figures from it, when the panel is open and
    /// a refresh is due; nil otherwise.
    mutating func refresh(model: VAE, probe: Tensor, step: Int) -> (GapDecomposition, Snapshot.Gaps)? {
        guard isOpen else { return nil }
        let now = clock.now
        if let lastRun, now - lastRun < .seconds(lastCost / Self.share) { return nil }
        let d = GapAnalysis.decompose(model: model, x: probe, local: Self.local, samples: Self.samples,
                                      importanceSamples: Self.importanceSamples, seed: Self.seed,
                                      maxRows: Self.maxRows)
        lastRun = now
        lastCost = (clock.now - now).seconds
        return (d, Snapshot.Gaps(d, step: step))
    }
}

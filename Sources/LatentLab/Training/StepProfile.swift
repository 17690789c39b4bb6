/// Where a training step's wall time goes, phase by phase, for `vae-tui bench --step-profile`: what caps a
/// second thread is the part of a step that runs on one (issue 24 measured two threads at 1.35 times one at k = 1).
/// The trainer adds to it only when it has one, so an unprofiled step reads no clock.
public struct StepProfile: Sendable {
    public enum Phase: Int, CaseIterable, Sendable {
        /// The minibatch drawn and binarised, the gradients cleared, the noise drawn.
        case batch
        /// Forward and backward passes: the parts of a split batch side by side.
        case passes
        /// The parts' gradients summed into the parameters'.
        case reduction
        /// The gradients' global norm (the non-finite check, and clipping when asked for); in a split step its
        /// sum of squares is taken with the reduction.
        case norm
        /// The optimisers' update of every parameter.
        case update
        /// The rest: the step's bookkeeping (the NaN guard's good copy every 100 steps, counters).
        case bookkeeping

        /// Whether a step split over threads runs this phase on all of them (the reduction and the update
        /// since issue 24; the norm's sum of squares is taken with the reduction, what is left is a square root).
        public var splitsAcrossThreads: Bool { self == .passes || self == .reduction || self == .update }

        /// The phase's name in JSON.
        public var key: String {
            switch self {
            case .batch: "batch"
            case .passes: "passes"
            case .reduction: "reduction"
            case .norm: "norm"
            case .update: "update"
            case .bookkeeping: "bookkeeping"
            }
        }

        public var name: String {
            switch self {
            case .batch: "batch, noise, gradients cleared"
            case .passes: "forward and backward"
            case .reduction: "gradient reduction"
            case .norm: "gradient norm"
            case .update: "optimiser update"
            case .bookkeeping: "bookkeeping"
            }
        }
    }

    public private(set) var seconds = [Double](repeating: 0, count: Phase.allCases.count)
    public private(set) var steps = 0
    private var last: ContinuousClock.Instant?

    public init() {}

    /// Seconds per step spent in `phase`.
    public func perStep(_ phase: Phase) -> Double { steps == 0 ? 0 : seconds[phase.rawValue] / Double(steps) }

    /// Seconds per step in all.
    public var stepSeconds: Double { steps == 0 ? 0 : seconds.reduce(0, +) / Double(steps) }

    /// A step starts now.
    mutating func start() {
        last = ContinuousClock.now
        steps += 1
    }

    /// The time since the last mark went to `phase`.
    mutating func mark(_ phase: Phase) {
        let now = ContinuousClock.now
        if let last { seconds[phase.rawValue] += (now - last).seconds }
        last = now
    }
}

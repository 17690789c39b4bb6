/// Aggressive inference training (He et al. 2019, "Lagging inference networks"): while the phase lasts, every
/// decoder step is preceded by encoder-only steps on fresh minibatches until the encoder's loss stops
/// improving, so q catches up with the true posterior before p moves; the phase ends by itself at the first
/// epoch whose held-out I_q(x;z) does not rise above the previous epoch's.
public struct AggressiveTraining: Sendable, Equatable, Codable {
    public static let defaultInnerSteps = 100
    /// The most inner steps a phase may take (`--aggressive-inner`'s limit).
    public static let maximumInnerSteps = 10_000
    /// Inner steps over which the encoder's loss is averaged before it is compared with the last average.
    static let checkEvery = 15
    /// Validation images I_q is taken on at the end of each epoch.
    static let informationExamples = 500

    /// Asked for: turning it on starts a phase, off ends it.
    public var isOn = false { didSet { if isOn != oldValue { restart() } } }
    public var maxInnerSteps = defaultInnerSteps
    /// The epoch whose I_q did not rise, ending the phase; nil while it lasts (or was never on).
    public private(set) var endedAtEpoch: Int?
    /// Encoder steps taken before the last decoder step.
    public internal(set) var lastInnerSteps = 0
    /// Held-out I_q at the end of each epoch of the phase, in order: the rule's evidence.
    public private(set) var informationHistory: [Float] = []

    public init() {}

    /// In the phase: on, and not yet ended by its rule.
    public var inPhase: Bool { isOn && endedAtEpoch == nil }

    /// A new model or a new request: the phase starts over.
    mutating func restart() {
        endedAtEpoch = nil
        informationHistory = []
        lastInnerSteps = 0
    }

    /// The rule: the phase ends at the first epoch whose I_q does not rise.
    mutating func epochEnded(_ epoch: Int, information: Float) {
        if let last = informationHistory.last, information <= last { endedAtEpoch = epoch }
        informationHistory.append(information)
    }
}

/// The snapshot as the knobs' table reads it: the knobs it shows, and what the model can take.
extension Snapshot: KnobContext {
    public var knobs: KnobSettings {
        get {
            KnobSettings(objective: settings, learningRate: learningRate, aggressive: aggressive.isOn,
                         freeRunning: images.reconstructionsAreDraws)
        }
        set {
            settings = newValue.objective
            learningRate = newValue.learningRate
            aggressive.isOn = newValue.aggressive
            images.reconstructionsAreDraws = newValue.freeRunning
        }
    }

    /// "off", "12 enc steps" while the phase lasts, "ended ep 3" after its rule ended it.
    public var aggressivePhase: String {
        guard aggressive.isOn else { return "off" }
        return aggressive.endedAtEpoch.map { "ended ep \($0)" } ?? "\(aggressive.lastInnerSteps) enc steps"
    }
}

extension KnobValue {
    /// The value of the run log's `command` record.
    public var json: JSONValue {
        switch self {
        case .number(let v): .float(v)
        case .count(let n): .int(n)
        case .flag(let b): .bool(b)
        case .choice(let c): .string(c)
        }
    }
}

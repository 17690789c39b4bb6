/// What the UI asks of the engine. Commands are applied between two training steps.
public enum Command: Sendable, Equatable {
    case setBeta(Float)
    case setFreeBits(Float)
    case setFreeBitsPerUnit(Bool)
    case setWarmup(steps: Int)
    case setK(Int)
    case setObjective(ObjectiveKind)
    case setLearningRate(Float)
    /// The collapse remedies: conditioning dropout p, the minimum rate δ, aggressive training on or off.
    case setConditioningDropout(Float)
    case setMinimumRate(Float)
    case setAggressive(Bool)
    /// An autoregressive decoder's reconstructions as free-running draws given z instead of teacher-forced.
    case setFreeRunning(Bool)
    case pause
    case resume
    /// One optimisation step while paused.
    case step
    /// New weights from this seed; the knobs are kept.
    case reset(seed: UInt64)
    /// Restart with another model family from this seed; the knobs are kept.
    case setModel(ModelFamily, seed: UInt64)
    /// Save a checkpoint to this path.
    case save(path: String)
    /// The screen's costs over the last minute, for the run log (not a knob: logged as a `ui` record).
    case screenCosts(frames: Int, meanMilliseconds: Double, maxMilliseconds: Double)
    case quit

    /// The name written to the run log.
    public var name: String {
        switch self {
        case .setBeta: "beta"
        case .setFreeBits: "free_bits"
        case .setFreeBitsPerUnit: "free_bits_per_unit"
        case .setWarmup: "warmup"
        case .setK: "k"
        case .setObjective: "objective"
        case .setLearningRate: "lr"
        case .setConditioningDropout: "ar_dropout"
        case .setMinimumRate: "min_rate"
        case .setAggressive: "aggressive"
        case .setFreeRunning: "free_running"
        case .pause: "pause"
        case .resume: "resume"
        case .step: "step"
        case .reset: "reset"
        case .setModel: "model"
        case .save: "save"
        case .screenCosts: "ui"
        case .quit: "quit"
        }
    }

    /// The new value, for the run log.
    public var value: JSONValue {
        switch self {
        case .setBeta(let v), .setFreeBits(let v), .setLearningRate(let v), .setConditioningDropout(let v), .setMinimumRate(let v): .float(v)
        case .setFreeBitsPerUnit(let b), .setAggressive(let b), .setFreeRunning(let b): .bool(b)
        case .setWarmup(let n), .setK(let n): .int(n)
        case .setObjective(let o): .string(o.rawValue)
        case .reset(let seed): .int(Int(truncatingIfNeeded: seed))
        case .save(let path): .string(path)
        case .setModel(let family, _): .string(family.rawValue)
        case .pause, .resume, .step, .quit, .screenCosts: .null
        }
    }
}

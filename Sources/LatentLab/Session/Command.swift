/// What the UI asks of the engine. Commands are applied between two training steps.
public enum Command: Sendable, Equatable {
    /// A knob set to a value: which knobs there are, and what each takes, is in `Knobs.swift`.
    case set(Knob, KnobValue)
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
    /// The gap panel opened (true) or closed: while it is open the engine takes the probe images' gap apart.
    case showGaps(Bool)
    /// Decode at the latent cursor and along a traversal (the latent map's and the image pane's keys); nil when
    /// the pages that show them close, so nothing is decoded (or drawn pixel by pixel) for nobody.
    case latentWalk(LatentWalkRequest?)
    /// The screen's costs over the last minute, for the run log (not a knob: logged as a `ui` record).
    case screenCosts(frames: Int, meanMilliseconds: Double, maxMilliseconds: Double)
    case quit

    /// The name written to the run log.
    public var name: String {
        switch self {
        case .set(let knob, _): knob.rawValue
        case .pause: "pause"
        case .resume: "resume"
        case .step: "step"
        case .reset: "reset"
        case .setModel: "model"
        case .save: "save"
        case .showGaps: "gaps"
        case .latentWalk: "latent_walk"
        case .screenCosts: "ui"
        case .quit: "quit"
        }
    }

    /// The new value, for the run log.
    public var value: JSONValue {
        switch self {
        case .set(_, let value): value.json
        case .reset(let seed): .int(Int(truncatingIfNeeded: seed))
        case .save(let path): .string(path)
        case .setModel(let family, _): .string(family.rawValue)
        case .showGaps(let open): .bool(open)
        case .latentWalk(nil): .null
        case .latentWalk(let r?):
            .object([("reference", .int(r.reference)), ("units", .array([.int(r.first), .int(r.second)])),
                     ("cursor", .array([.float(r.cursorFirst), .float(r.cursorSecond)])),
                     ("traversed", .int(r.traversed))])
        case .pause, .resume, .step, .quit, .screenCosts: .null
        }
    }
}

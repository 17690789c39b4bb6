import Foundation

/// Every knob: a setting that can change between two steps, from the command line, a dashboard key or a preset.
/// A new knob is one case here and its entry in `definition` (plus its stored setting, in `ObjectiveSettings`
/// or `KnobSettings`). Its command (`Command.set`), keys, help line, knobs-panel row, range check, run-log
/// name, curve marker and what the snapshot will read before the engine applies it all come from that entry.
public enum Knob: String, CaseIterable, Sendable {
    // The order is the knobs panel's and the help overlay's. The raw value is the run log's name
    // ("command":"free_bits") and, with dashes, the command-line option (--free-bits): both are a contract
    // with users' scripts.
    case beta
    case freeBits = "free_bits"
    case freeBitsPerUnit = "free_bits_per_unit"
    case warmup
    case objective
    case k
    case learningRate = "lr"
    case conditioningDropout = "ar_dropout"
    case minimumRate = "min_rate"
    case aggressive
    case freeRunning = "free_running"

    /// The most samples per example: k·B×d tensors are allocated, so a saved run's k is bounded too.
    public static let maximumK = 100_000
    /// The learning rate stays below this: anything larger only diverges.
    public static let learningRateLimit: Float = 10
    /// The most nats per unit the minimum rate may hold.
    public static let maximumMinimumRate: Float = 10

    /// The table: each knob's entry. `.ladder`, `.toggle` and `.cycle` (KnobDefinition.swift) say how keys change
    /// it; the trailing closure is its value on the knobs panel (a knob without one has no row of its own).
    public var definition: Definition {
        switch self {
        case .beta:
            .ladder(\.objective.beta, label: "beta", keys: ("b", "B"), help: "beta down / up",
                    rungs: [0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 10], range: .atLeast(0),
                    marker: "β=") { beta, _ in Knob.short(beta) }
        case .freeBits:
            .ladder(\.objective.freeBits.lambda, label: "free bits λ", keys: ("f", "F"),
                    help: "free bits λ down / up", rungs: [0, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8], range: .atLeast(0),
                    marker: "λ=") { lambda, s in
                lambda > 0 ? Knob.short(lambda) + (s.knobs.objective.freeBits.perUnit ? "/unit" : "/group") : "off"
            }
        case .freeBitsPerUnit:   // no row of its own: the free bits row says /unit or /group
            .toggle(\.objective.freeBits.perUnit, label: "free bits per unit", key: "u",
                    help: "free bits per group / per unit", marker: (on: "λ per unit", off: "λ per group"))
        case .warmup:
            .ladder(\.objective.warmup.steps, label: "KL warm-up", keys: ("w", "W"),
                    help: "KL warm-up length down / up", rungs: [0, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000],
                    range: .atLeast(0), marker: "warm-up ") { steps, _ in steps == 0 ? "off" : "\(steps) st" }
        case .objective:
            .cycle(\.objective.kind, label: "objective", key: "o", help: "objective: ELBO / IWAE") { kind, _ in
                kind.rawValue.uppercased()
            }
        case .k:
            .ladder(\.objective.k, label: "samples k", keys: ("k", "K"), help: "samples k down / up",
                    rungs: [1, 2, 5, 10, 20, 50], range: .between(1, Knob.maximumK), marker: "k=") { k, _ in "\(k)" }
        case .learningRate:
            .ladder(\.learningRate, label: "learn. rate", keys: ("l", "L"), help: "learning rate down / up",
                    rungs: [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2], range: .above(0, below: Knob.learningRateLimit),
                    marker: "lr=") { rate, _ in Knob.short(rate) }
        case .conditioningDropout:
            .ladder(\.objective.conditioningDropout, label: "AR dropout", keys: ("c", "C"),
                    help: "AR conditioning dropout down / up (autoregressive decoder)",
                    rungs: [0, 0.1, 0.25, 0.5, 0.75],
                    range: .from(0, below: 1, highest: ObjectiveSettings.maximumConditioningDropout), marker: "drop=",
                    needs: (\.autoregressiveDecoder,
                            "AR dropout acts on an autoregressive decoder (m: model menu)")) { p, _ in
                p > 0 ? Knob.short(p) : "off"
            }
        case .minimumRate:
            .ladder(\.objective.minimumRate, label: "min rate δ", keys: ("n", "N"),
                    help: "minimum rate δ per unit down / up (δ-VAE)", rungs: [0, 0.05, 0.1, 0.2, 0.5, 1],
                    range: .between(0, Knob.maximumMinimumRate, unit: "nats"), marker: "δ=",
                    needs: (\.minimumRateApplies,
                            "the minimum rate holds a diagonal Gaussian q against N(0,I): not this model")) { d, _ in
                d > 0 ? Knob.short(d) + "/unit" : "off"
            }
        case .aggressive:
            .toggle(\.aggressive, label: "aggressive", key: "A", help: "aggressive inference training on / off",
                    marker: (on: "aggressive", off: "aggressive off")) { _, s in s.aggressivePhase }
        case .freeRunning:   // no row: the images pane's title says which
            .toggle(\.freeRunning, label: "free-running", key: "x",
                    help: "images: AR reconstructions teacher-forced / free-running", marker: nil)
        }
    }
}

extension Knob {
    /// The command-line option: the log name with dashes.
    public var option: String { "--" + rawValue.replacingOccurrences(of: "_", with: "-") }

    /// The knob whose key `c` is, if any.
    public static func forKey(_ c: Character) -> Knob? { allCases.first { $0.definition.keys.characters.contains(c) } }

    public func value(in settings: KnobSettings) -> KnobValue { definition.read(settings) }

    /// The value after pressing `key`, one of this knob's keys, from `settings`.
    public func value(afterKey key: Character, from settings: KnobSettings) -> KnobValue {
        let up: Bool = if case .ladder(_, let upKey) = definition.keys { key == upKey } else { true }
        return definition.next(value(in: settings), up)
    }

    /// Nil when `value` is in the knob's range, else the range in words ("between 1 and 100000").
    public func outOfRange(_ value: KnobValue) -> String? { definition.outOfRange(value) }

    /// Why `value` cannot be set, as a saved run's settings and the engine say it: "k 0 is not between 1 and 100000".
    public func problem(_ value: KnobValue) -> String? { outOfRange(value).map { "\(rawValue) \(value) is not \($0)" } }

    /// Why `value` cannot be set, as the command line says it: "--k must be between 1 and 100000, got 0".
    public func commandLineProblem(_ value: KnobValue) -> String? {
        outOfRange(value).map { "\(option) must be \($0), got \(value)" }
    }

    /// The first knob in `settings` out of its range, said as `problem` says it.
    public static func problem(in settings: KnobSettings) -> String? {
        allCases.lazy.compactMap { $0.problem($0.value(in: settings)) }.first
    }

    /// `settings` with this knob set to `value`, brought into its range, and a note saying so when it had to be.
    /// The engine applies commands with it, and the anticipation predicts them with it.
    public func setting(_ value: KnobValue, in settings: KnobSettings) -> (settings: KnobSettings, note: String?) {
        var result = settings
        let written = definition.write(value, &result)
        guard let problem = problem(value) else { return (result, nil) }
        return (result, "\(problem): \(written ? "set to" : "kept at") \(self.value(in: result))")
    }

    /// The label marked on the curves when the knob is set to `value`.
    public func marker(_ value: KnobValue) -> String? { definition.marker(value) }

    /// Whether the model in `context` can take this knob.
    public func applies(in context: any KnobContext) -> Bool {
        definition.needs.map { context[keyPath: $0.applies] } ?? true
    }

    /// What the message line says when the model cannot take it.
    public var notApplicableMessage: String? { definition.needs?.message }

    /// The knob's value on the knobs panel; nil when it has no row of its own.
    public func shown(in context: any KnobContext) -> String? { definition.shown?(context) }

    /// A number as the knobs panel shows it: "0", "5e-03", "0.25".
    static func short(_ v: Float) -> String {
        if v == 0 { return "0" }
        if abs(v) < smallNumber { return String(format: "%.0e", v) }
        return String(format: "%g", v)
    }

    /// Below this a number is shown in scientific notation.
    static let smallNumber: Float = 0.01
}

import Foundation

/// A knob's value as a command carries it and the run log writes it.
public enum KnobValue: Sendable, Equatable, CustomStringConvertible {
    case number(Float)
    case count(Int)
    case flag(Bool)
    /// One of a knob's named choices (an `ObjectiveKind`), by its raw value.
    case choice(String)

    /// As Swift prints it ("-1.0", "0"): how the command line's messages have always quoted a value.
    public var description: String {
        switch self {
        case .number(let v): "\(v)"
        case .count(let n): "\(n)"
        case .flag(let b): "\(b)"
        case .choice(let c): c
        }
    }
}

/// What the knobs set: the objective's settings, and the trainer's and the screen's switches. The engine reads
/// and writes its trainer through one, the anticipation its snapshot (`Snapshot.knobs`), the command line builds one.
public struct KnobSettings: Sendable, Equatable {
    public var objective: ObjectiveSettings
    public var learningRate: Float
    public var aggressive: Bool
    /// An autoregressive decoder's reconstructions drawn free-running given z, not teacher-forced.
    public var freeRunning: Bool

    /// The knobs outside `objective` default to values inside their ranges, so checking a saved objective
    /// with every knob's range finds only the objective's own faults.
    public init(objective: ObjectiveSettings = ObjectiveSettings(), learningRate: Float = AdamSettings().learningRate,
                aggressive: Bool = false, freeRunning: Bool = false) {
        self.objective = objective
        self.learningRate = learningRate
        self.aggressive = aggressive
        self.freeRunning = freeRunning
    }
}

/// What the knobs' table reads of a running session: the values its rows show and whether the model can take a
/// knob. The dashboard's snapshot is one (Session/Snapshot+Knobs.swift); the table need not know it.
public protocol KnobContext {
    var knobs: KnobSettings { get }
    /// Whether the decoder reads previous pixels (conditioning dropout acts on it).
    var autoregressiveDecoder: Bool { get }
    /// Whether δ-VAE's floor holds for the model (a diagonal Gaussian q against N(0, I)).
    var minimumRateApplies: Bool { get }
    /// Aggressive training's phase in words: "off", "12 enc steps", "ended ep 3".
    var aggressivePhase: String { get }
}

/// A Swift type a knob holds, and how it travels as a `KnobValue`.
protocol KnobValueType: Equatable {
    init?(knobValue: KnobValue)
    var knobValue: KnobValue { get }
}

/// A number a range bounds: how a bound reads in a message.
protocol KnobNumber: KnobValueType, Comparable {
    /// What the range says before ">= 0": "a finite number " for a Float, nothing for an Int (always finite).
    static var noun: String { get }
    var isFinite: Bool { get }
    /// A bound in a message or a marker: "10", "0.95", "0.003".
    var words: String { get }
}

extension Float: KnobNumber {
    init?(knobValue: KnobValue) { guard case .number(let v) = knobValue else { return nil }; self = v }
    var knobValue: KnobValue { .number(self) }
    static var noun: String { "a finite number " }
    var words: String { String(format: "%g", Double(self)) }
}

extension Int: KnobNumber {
    init?(knobValue: KnobValue) { guard case .count(let n) = knobValue else { return nil }; self = n }
    var knobValue: KnobValue { .count(self) }
    static var noun: String { "" }
    var isFinite: Bool { true }
    var words: String { "\(self)" }
}

extension Bool: KnobValueType {
    init?(knobValue: KnobValue) { guard case .flag(let b) = knobValue else { return nil }; self = b }
    var knobValue: KnobValue { .flag(self) }
}

/// A choice knob's type: one key cycles through its cases in their order.
protocol KnobChoice: KnobValueType, CaseIterable, RawRepresentable where RawValue == String {}

extension KnobChoice {
    init?(knobValue: KnobValue) {
        guard case .choice(let c) = knobValue else { return nil }
        self.init(rawValue: c)
    }
    var knobValue: KnobValue { .choice(rawValue) }
}

extension ObjectiveKind: KnobChoice {}

/// The values a numeric knob takes. This is the one range check: the command line, a saved run's settings and
/// the engine all ask it, and only phrase its answer differently.
struct KnobRange<T: KnobNumber> {
    let lower: T
    let lowerIncluded: Bool
    let upper: T?
    let upperIncluded: Bool
    /// Said after a closed range's bounds ("between 0 and 10 nats").
    var unit = ""
    /// What the engine sets for a value at or past an open upper bound; nil leaves the knob as it was.
    var highest: T?

    static func atLeast(_ a: T) -> Self { Self(lower: a, lowerIncluded: true, upper: nil, upperIncluded: false) }
    static func between(_ a: T, _ b: T, unit: String = "") -> Self {
        Self(lower: a, lowerIncluded: true, upper: b, upperIncluded: true, unit: unit)
    }
    /// [a, b): the engine sets `highest` for anything from b up.
    static func from(_ a: T, below b: T, highest: T) -> Self {
        Self(lower: a, lowerIncluded: true, upper: b, upperIncluded: false, highest: highest)
    }
    /// (a, b): the engine leaves the knob as it was for anything outside.
    static func above(_ a: T, below b: T) -> Self {
        Self(lower: a, lowerIncluded: false, upper: b, upperIncluded: false)
    }

    func contains(_ x: T) -> Bool {
        guard x.isFinite, lowerIncluded ? x >= lower : x > lower else { return false }
        guard let upper else { return true }
        return upperIncluded ? x <= upper : x < upper
    }

    /// The range as messages say it: "a finite number >= 0", "between 1 and 100000", "> 0 and < 10", "in [0, 1)".
    var words: String {
        guard let upper else { return "\(T.noun)\(lowerIncluded ? ">=" : ">") \(lower.words)" }
        return switch (lowerIncluded, upperIncluded) {
        case (true, true): "between \(lower.words) and \(upper.words)" + (unit.isEmpty ? "" : " " + unit)
        case (true, false): "in [\(lower.words), \(upper.words))"
        case (false, false): "> \(lower.words) and < \(upper.words)"
        case (false, true): "in (\(lower.words), \(upper.words)]"
        }
    }

    /// What the engine sets for `x`: x itself when in range, else the nearest value allowed (a closed bound, or
    /// `highest`), or nil when there is none to pick.
    func nearest(_ x: T) -> T? {
        if contains(x) { return x }
        if let upper, x >= upper { return upperIncluded ? upper : highest }
        if x > lower { return nil }          // infinity, with no upper bound
        return lowerIncluded ? lower : nil   // below the range, or NaN
    }
}

extension Knob {
    /// How a knob is changed from the keyboard.
    public enum Keys: Sendable {
        /// Two keys step it down and up a ladder of values.
        case ladder(down: Character, up: Character)
        /// One key toggles it or moves it to its next choice.
        case press(Character)

        public var characters: [Character] {
            switch self {
            case .ladder(let down, let up): [down, up]
            case .press(let c): [c]
            }
        }
    }

    /// One knob's entry in the table. The typed constructors below fill in the rest from the key path of the
    /// setting, so an entry says only what differs between knobs.
    public struct Definition {
        /// Its name on the knobs panel.
        public let label: String
        public let keys: Keys
        /// Its line in the help overlay, after its keys.
        public let help: String
        /// When a model cannot take it: the context's flag that says whether it can, and the message if not.
        let needs: (applies: KeyPath<any KnobContext, Bool>, message: String)?
        let read: (KnobSettings) -> KnobValue
        /// Nil when the value is in range, else the range in words.
        let outOfRange: (KnobValue) -> String?
        /// Sets the value, brought into range; false when there is no value in range to set.
        let write: (KnobValue, inout KnobSettings) -> Bool
        /// The value after one key press: down or up the ladder, or the other state.
        let next: (KnobValue, _ up: Bool) -> KnobValue
        /// The label marked on the curves when it changes; nil marks nothing.
        let marker: (KnobValue) -> String?
        /// Its value on the knobs panel; nil when it has no row of its own.
        let shown: ((any KnobContext) -> String)?

        /// A number or count stepped along `rungs` by two keys, kept in `range`; its marker is `marker` and the value.
        static func ladder<T: KnobNumber>(
            _ path: WritableKeyPath<KnobSettings, T>, label: String, keys: (down: Character, up: Character),
            help: String, rungs: [T], range: KnobRange<T>, marker: String,
            needs: (applies: KeyPath<any KnobContext, Bool>, message: String)? = nil,
            shown: @escaping (T, any KnobContext) -> String
        ) -> Definition {
            Definition(
                label: label, keys: .ladder(down: keys.down, up: keys.up), help: help, needs: needs,
                read: { $0[keyPath: path].knobValue },
                outOfRange: { value in T(knobValue: value).map(range.contains) == true ? nil : range.words },
                write: { value, settings in
                    guard let x = T(knobValue: value).flatMap(range.nearest) else { return false }
                    settings[keyPath: path] = x
                    return true
                },
                next: { value, up in
                    T(knobValue: value).map { Ladder.step(rungs, from: $0, up: up).knobValue } ?? value
                },
                marker: { value in T(knobValue: value).map { marker + $0.words } },
                shown: { shown($0.knobs[keyPath: path], $0) })
        }

        /// A switch one key flips; its markers say it on and off.
        static func toggle(
            _ path: WritableKeyPath<KnobSettings, Bool>, label: String, key: Character, help: String,
            marker: (on: String, off: String)?, shown: ((Bool, any KnobContext) -> String)? = nil
        ) -> Definition {
            Definition(
                label: label, keys: .press(key), help: help, needs: nil, read: { $0[keyPath: path].knobValue },
                outOfRange: { Bool(knobValue: $0) == nil ? "true or false" : nil },
                write: { value, settings in
                    guard let on = Bool(knobValue: value) else { return false }
                    settings[keyPath: path] = on
                    return true
                },
                next: { value, _ in Bool(knobValue: value).map { (!$0).knobValue } ?? value },
                marker: { value in Bool(knobValue: value).flatMap { on in marker.map { on ? $0.on : $0.off } } },
                shown: shown.map { shown in { shown($0.knobs[keyPath: path], $0) } })
        }

        /// One of a set of choices, which one key cycles through; its marker is the choice's name.
        static func cycle<T: KnobChoice>(
            _ path: WritableKeyPath<KnobSettings, T>, label: String, key: Character, help: String,
            shown: @escaping (T, any KnobContext) -> String
        ) -> Definition {
            let all = Array(T.allCases)
            return Definition(
                label: label, keys: .press(key), help: help, needs: nil, read: { $0[keyPath: path].knobValue },
                outOfRange: { T(knobValue: $0) == nil ? "one of " + all.map(\.rawValue).joined(separator: ", ") : nil },
                write: { value, settings in
                    guard let choice = T(knobValue: value) else { return false }
                    settings[keyPath: path] = choice
                    return true
                },
                next: { value, _ in
                    guard let choice = T(knobValue: value), let i = all.firstIndex(of: choice) else { return value }
                    return all[(i + 1) % all.count].knobValue
                },
                marker: { T(knobValue: $0)?.rawValue },
                shown: { shown($0.knobs[keyPath: path], $0) })
        }
    }
}

/// Stepping along a ladder of values: the dashboard's knobs, the demos' speeds and settings.
public enum Ladder {
    /// The next value along a ladder, up or down from the current value (which may lie between rungs).
    public static func step<T: Comparable>(_ ladder: [T], from value: T, up: Bool) -> T {
        if up { return ladder.first { $0 > value } ?? ladder.last! }
        return ladder.last { $0 < value } ?? ladder.first!
    }
}

/// Where `--inject-nan` puts a NaN: a debug option for the fault suite, to show that a NaN in training is
/// caught, counted and recovered from wherever it appears.
public enum NaNTarget: String, CaseIterable, Sendable, Codable {
    /// The step's loss: nothing is back-propagated.
    case loss
    /// One gradient element, after back-propagation: the loss is finite, the update would not be.
    case gradient
    /// One weight, before the step: the forward pass itself turns NaN, and stays so until the good
    /// weights come back.
    case weight
}

/// The steps at which a NaN is injected, and where; `everyStep` injects at every step (a run that cannot
/// recover, which must stop with a message instead of looping).
public struct FaultInjection: Sendable, Equatable {
    public var steps: Set<Int>
    public var target: NaNTarget
    public var everyStep: Bool

    public init(steps: Set<Int> = [], target: NaNTarget = .loss, everyStep: Bool = false) {
        self.steps = steps
        self.target = target
        self.everyStep = everyStep
    }

    /// Parses `STEP,STEP,...[:loss|gradient|weight]` or `every[:TARGET]`; nil for anything else.
    public init?(_ spec: String) {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count) else { return nil }
        let target = parts.count == 2 ? NaNTarget(rawValue: parts[1]) : .loss
        guard let target else { return nil }
        if parts[0] == "every" {
            self.init(target: target, everyStep: true)
            return
        }
        let steps = parts[0].split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
        guard !steps.isEmpty, steps.allSatisfy({ $0 != nil && $0! >= 1 }) else { return nil }
        self.init(steps: Set(steps.map { $0! }), target: target)
    }

    /// Whether step `n` (counted from 1, as the log counts them) gets a NaN.
    func hits(_ n: Int) -> Bool { everyStep || steps.contains(n) }
}

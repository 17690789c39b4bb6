import LatentLab

/// The enumeration demo's keys: the run state changes at once, the model's changes come back as work for the
/// demo's worker; pure, so tests drive it directly.
public enum EnumerationKeys {
    public static let keys: [DemoKey] = [
        DemoKey("n/N", "1/10 steps", footer: true), DemoKey("space", "run/stop", footer: true),
        DemoKey("m", "train p", footer: true), DemoKey("c", "K=4/100", footer: true),
        DemoKey("r", "new seed", footer: true), DemoKey("q", "back", footer: true),
    ]

    public static func action(for key: Key, running: inout Bool) -> DemoKeyAction<EnumerationDemo> {
        guard case .character(let ch) = key else { return DemoKeyAction(key == .escape ? .quit : .ignored) }
        switch ch {
        case "n": return DemoKeyAction(.handled) { $0.advance() }
        case "N": return DemoKeyAction(.handled) { $0.advance(10) }
        case " ": running.toggle()
        case "m": return DemoKeyAction(.handled) { $0.trainModel.toggle() }
        case "c": return DemoKeyAction(.handled) { $0.restart(states: $0.states == 4 ? 100 : 4) }
        case "r": return DemoKeyAction(.handled) { $0.restart(seed: $0.seed &+ 1) }
        case "q": return DemoKeyAction(.quit)
        default: return DemoKeyAction(.ignored)
        }
        return DemoKeyAction(.handled)
    }

    /// The key applied at once to a demo in hand.
    public static func handle(_ key: Key, demo: inout EnumerationDemo, running: inout Bool) -> DemoKeyOutcome {
        let action = action(for: key, running: &running)
        action.work?(&demo)
        return action.outcome
    }
}

import LatentLab

/// What a demo did with a key: the screen loop quits to its caller on `.quit`.
public enum DemoKeyOutcome: Equatable, Sendable { case handled, ignored, quit }

/// The enumeration demo's keys, applied to the demo and its run state; pure, so tests drive it directly.
public enum EnumerationKeys {
    public static func handle(_ key: Key, demo: inout EnumerationDemo, running: inout Bool) -> DemoKeyOutcome {
        guard case .character(let ch) = key else { return key == .escape ? .quit : .ignored }
        switch ch {
        case "n": demo.advance()
        case "N": demo.advance(10)
        case " ": running.toggle()
        case "m": demo.trainModel.toggle()
        case "c": demo.restart(states: demo.states == 4 ? 100 : 4)
        case "r": demo.restart(seed: demo.seed &+ 1)
        case "q": return .quit
        default: return .ignored
        }
        return .handled
    }
}

import LatentLab

/// The bin-packing demo's keys, applied to the demo and the view options; pure, so tests drive it directly.
public enum BinPackKeys {
    static let kLadder = [1, 2, 5, 10, 50]
    static let betaLadder: [Float] = [0, 0.1, 0.25, 0.5, 1, 1.5, 2, 4]
    static let freeBitsLadder: [Float] = [0, 0.25, 0.5, 1, 2]
    static let learningRateLadder: [Float] = [3e-4, 1e-3, 3e-3, 1e-2, 3e-2]
    static let speedLadder = [1, 2, 5, 10, 20, 50, 100]

    public static func handle(_ key: Key, demo: BinPackDemo, options: inout BinPackViewOptions) -> DemoKeyOutcome {
        guard case .character(let ch) = key else {
            return key == .escape ? .quit : .ignored
        }
        switch ch {
        case "n": demo.advance(1)
        case "N": demo.advance(10)
        case "M": demo.advance(100)
        case " ": options.running.toggle()
        case "+", "=": options.speed = KeyMap.step(speedLadder, from: options.speed, up: true)
        case "-": options.speed = KeyMap.step(speedLadder, from: options.speed, up: false)
        case "p":
            let all = PosteriorFamily.allCases
            demo.family = all[(all.firstIndex(of: demo.family)! + 1) % all.count]
        case "P": demo.prior = demo.prior == .standard ? .flow : .standard
        case "o": demo.settings.objective.kind = demo.settings.objective.kind == .elbo ? .iwae : .elbo
        case "k", "K": demo.settings.objective.k = KeyMap.step(kLadder, from: demo.settings.objective.k, up: ch == "K")
        case "b", "B": demo.settings.objective.beta = KeyMap.step(betaLadder, from: demo.settings.objective.beta, up: ch == "B")
        case "f", "F":
            demo.settings.objective.freeBits.lambda = KeyMap.step(freeBitsLadder, from: demo.settings.objective.freeBits.lambda, up: ch == "F")
        case "l", "L": demo.settings.learningRate = KeyMap.step(learningRateLadder, from: demo.settings.learningRate, up: ch == "L")
        case "m": demo.settings.trainModel.toggle()
        case "s": options.showSamples.toggle()
        case "e": options.showExact.toggle()
        case "r": demo.restart(seed: demo.seed &+ 1)
        case "q": return .quit
        default: return .ignored
        }
        return .handled
    }
}

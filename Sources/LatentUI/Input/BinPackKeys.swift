import LatentLab

/// The bin-packing demo's keys: view options change at once, the model's changes come back as work for the
/// demo's worker; pure, so tests drive it directly.
public enum BinPackKeys {
    static let kLadder = [1, 2, 5, 10, 50]
    static let betaLadder: [Float] = [0, 0.1, 0.25, 0.5, 1, 1.5, 2, 4]
    static let freeBitsLadder: [Float] = [0, 0.25, 0.5, 1, 2]
    static let learningRateLadder: [Float] = [3e-4, 1e-3, 3e-3, 1e-2, 3e-2]
    static let speedLadder = [1, 2, 5, 10, 20, 50, 100]

    public static let keys: [DemoKey] = [
        DemoKey("n/N/M", "1/10/100 steps", footer: true), DemoKey("space", "run/pause", footer: true),
        DemoKey("+ / -", "steps per frame while running up / down"),
        DemoKey("p", "posterior family: diagonal, full covariance, IAF"), DemoKey("P", "prior: N(0,I) / learned AF"),
        DemoKey("o", "objective: ELBO / IWAE"), DemoKey("k / K", "samples k down / up"),
        DemoKey("b / B", "beta down / up"),
        DemoKey("f / F", "free bits λ down / up"), DemoKey("l / L", "learning rate down / up"),
        DemoKey("m", "train p(x, z) too / q only"), DemoKey("s", "samples of q on / off"),
        DemoKey("e", "exact posteriors on / off"), DemoKey("r", "new seed", footer: true),
        DemoKey("q/Esc", "back", footer: true),
    ]

    public static func action(for key: Key, options: inout BinPackViewOptions) -> DemoKeyAction<BinPackDemo> {
        guard case .character(let ch) = key else { return DemoKeyAction(key == .escape ? .quit : .ignored) }
        func work(_ w: @escaping DemoWork<BinPackDemo>) -> DemoKeyAction<BinPackDemo> {
            DemoKeyAction(.handled, work: w)
        }
        if let stepping = steppingAction(ch, running: &options.running, speed: &options.speed, speeds: speedLadder,
                                         advance: { (demo: inout BinPackDemo, n: Int) in demo.advance(n) }) {
            return stepping
        }
        switch ch {
        case "p":
            return work { demo in
                let all = LatentPosterior.allCases
                demo.family = all[(all.firstIndex(of: demo.family)! + 1) % all.count]
            }
        case "P":
            return work { demo in
                let all = LatentPrior.allCases
                demo.prior = all[(all.firstIndex(of: demo.prior)! + 1) % all.count]
            }
        case "o": return work { $0.settings.objective.kind = $0.settings.objective.kind == .elbo ? .iwae : .elbo }
        case "k", "K":
            return work { $0.settings.objective.k = KeyMap.step(kLadder, from: $0.settings.objective.k, up: ch == "K") }
        case "b", "B":
            return work {
                $0.settings.objective.beta = KeyMap.step(betaLadder, from: $0.settings.objective.beta, up: ch == "B")
            }
        case "f", "F":
            return work {
                $0.settings.objective.freeBits.lambda = KeyMap.step(freeBitsLadder,
                                                                    from: $0.settings.objective.freeBits.lambda,
                                                                    up: ch == "F")
            }
        case "l", "L":
            return work {
                $0.settings.learningRate = KeyMap.step(learningRateLadder, from: $0.settings.learningRate,
                                                       up: ch == "L")
            }
        case "m": return work { $0.settings.trainModel.toggle() }
        case "s": options.showSamples.toggle()
        case "e": options.showExact.toggle()
        case "r": return work { $0.restart(seed: $0.seed &+ 1) }
        case "q": return DemoKeyAction(.quit)
        default: return DemoKeyAction(.ignored)
        }
        return DemoKeyAction(.handled)
    }

    /// The key applied at once to a demo in hand.
    public static func handle(_ key: Key, demo: BinPackDemo, options: inout BinPackViewOptions) -> DemoKeyOutcome {
        let action = action(for: key, options: &options)
        var model = demo
        action.work?(&model)
        return action.outcome
    }
}

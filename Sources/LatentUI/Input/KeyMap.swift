import LatentLab

/// What a key does: changes to the view, commands for the engine, a demo to open, or quitting.
public struct KeyResult: Equatable, Sendable {
    public var view: ViewState
    public var commands: [Command] = []
    public var quit = false
    /// The key of the demo menu's entry chosen.
    public var demo: Character?
}

/// The dashboard's keys. Knobs step along ladders of sensible values, so a few presses cover the range.
public enum KeyMap {
    public static let betaLadder: [Float] = [0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 10]
    public static let freeBitsLadder: [Float] = [0, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8]
    public static let warmupLadder: [Int] = [0, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000]
    public static let kLadder: [Int] = [1, 2, 5, 10, 20, 50]
    public static let learningRateLadder: [Float] = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2]
    public static let dropoutLadder: [Float] = [0, 0.1, 0.25, 0.5, 0.75]
    public static let minimumRateLadder: [Float] = [0, 0.05, 0.1, 0.2, 0.5, 1]

    /// Every key with what it does, for the help overlay and docs/dashboard.md.
    public static let help: [(keys: String, action: String)] = [
        ("b / B", "beta down / up"),
        ("f / F", "free bits λ down / up"),
        ("u", "free bits per group / per unit"),
        ("w / W", "KL warm-up length down / up"),
        ("k / K", "samples k down / up"),
        ("o", "objective: ELBO / IWAE"),
        ("l / L", "learning rate down / up"),
        ("c / C", "AR conditioning dropout down / up (autoregressive decoder)"),
        ("n / N", "minimum rate δ per unit down / up (δ-VAE)"),
        ("A", "aggressive inference training on / off"),
        ("x", "images: AR reconstructions teacher-forced / free-running"),
        ("space", "pause / resume"),
        (".", "one step (while paused)"),
        ("r", "reset the model (asks y/n)"),
        ("s", "save a checkpoint"),
        ("S", "save the screen as SVG and text (in the run directory)"),
        ("d", "demo menu (q or Esc in a demo comes back)"),
        ("m", "model menu: posterior, prior, layers, decoder (asks y/n)"),
        ("Tab", "next pane: overview, latent map, images"),
        ("← / →", "latent map: first unit"),
        ("↑ / ↓", "latent map: second unit"),
        ("e", "latent map: ellipses / means only"),
        ("g", "latent map: aggregate posterior density"),
        ("h", "curves: full history / recent window"),
        ("a", "curves: smoothing on / off"),
        ("i", "unit bars: index order / sorted by KL"),
        ("? / F1", "this help (Esc closes)"),
        ("q / Ctrl-C", "quit"),
    ]

    /// `demos` are the demo menu's entries; d opens the menu only when there is one.
    public static func handle(_ key: Key, view: ViewState, snapshot: Snapshot, checkpointPath: String,
                              demos: [DemoMenu.Item] = [], resetSeed: () -> UInt64) -> KeyResult {
        var r = KeyResult(view: view)
        let s = snapshot.settings
        if key == .controlC { r.quit = true; return r }
        if let overlay = view.overlay {
            r.view.overlay = next(after: overlay, on: key, demos: demos)
            let yes = key == .character("y") || key == .character("Y")
            switch overlay {
            case .confirmingReset where yes: r.commands = [.reset(seed: resetSeed())]
            case .confirmingModel(let family) where yes: r.commands = [.setModel(family, seed: resetSeed())]
            case .demoMenu: if case .character(let c) = key, demos.contains(where: { $0.key == c }) { r.demo = c }
            default: break
            }
            return r
        }
        let latent = max(1, snapshot.latentSize)
        var dims = view.dims(for: snapshot)
        switch key {
        case .character("q"): r.quit = true
        case .character("?"), .f1: r.view.overlay = .help
        case .escape: r.view.page = .overview
        case .tab: r.view.page = ViewState.Page(rawValue: (view.page.rawValue + 1) % ViewState.Page.allCases.count)!
        case .character("b"): r.commands = [.setBeta(step(betaLadder, from: s.beta, up: false))]
        case .character("B"): r.commands = [.setBeta(step(betaLadder, from: s.beta, up: true))]
        case .character("f"): r.commands = [.setFreeBits(step(freeBitsLadder, from: s.freeBits.lambda, up: false))]
        case .character("F"): r.commands = [.setFreeBits(step(freeBitsLadder, from: s.freeBits.lambda, up: true))]
        case .character("u"): r.commands = [.setFreeBitsPerUnit(!s.freeBits.perUnit)]
        case .character("w"): r.commands = [.setWarmup(steps: step(warmupLadder, from: s.warmup.steps, up: false))]
        case .character("W"): r.commands = [.setWarmup(steps: step(warmupLadder, from: s.warmup.steps, up: true))]
        case .character("k"): r.commands = [.setK(step(kLadder, from: s.k, up: false))]
        case .character("K"): r.commands = [.setK(step(kLadder, from: s.k, up: true))]
        case .character("o"): r.commands = [.setObjective(s.kind == .elbo ? .iwae : .elbo)]
        case .character("l"): r.commands = [.setLearningRate(step(learningRateLadder, from: snapshot.learningRate, up: false))]
        case .character("L"): r.commands = [.setLearningRate(step(learningRateLadder, from: snapshot.learningRate, up: true))]
        case .character("c"): r.commands = [.setConditioningDropout(step(dropoutLadder, from: s.conditioningDropout, up: false))]
        case .character("C"): r.commands = [.setConditioningDropout(step(dropoutLadder, from: s.conditioningDropout, up: true))]
        case .character("n"): r.commands = [.setMinimumRate(step(minimumRateLadder, from: s.minimumRate, up: false))]
        case .character("N"): r.commands = [.setMinimumRate(step(minimumRateLadder, from: s.minimumRate, up: true))]
        case .character("A"): r.commands = [.setAggressive(!snapshot.aggressive.isOn)]
        case .character("x"): r.commands = [.setFreeRunning(!snapshot.images.reconstructionsAreDraws)]
        case .character(" "): r.commands = [snapshot.running ? .pause : .resume]
        case .character("."): r.commands = [.step]
        case .character("r"): r.view.overlay = .confirmingReset
        case .character("s"): r.commands = [.save(path: checkpointPath)]
        case .character("d") where !demos.isEmpty: r.view.overlay = .demoMenu
        case .character("m"): r.view.overlay = .modelMenu
        case .left: dims.0 = (dims.0 + latent - 1) % latent; r.view.mapDims = .init(dims.0, dims.1)
        case .right: dims.0 = (dims.0 + 1) % latent; r.view.mapDims = .init(dims.0, dims.1)
        case .down: dims.1 = (dims.1 + latent - 1) % latent; r.view.mapDims = .init(dims.0, dims.1)
        case .up: dims.1 = (dims.1 + 1) % latent; r.view.mapDims = .init(dims.0, dims.1)
        case .character("e"): r.view.meansOnly.toggle()
        case .character("g"): r.view.showDensity.toggle()
        case .character("h"): r.view.recentOnly.toggle()
        case .character("a"): r.view.smoothing.toggle()
        case .character("i"): r.view.sortUnits.toggle()
        default: break
        }
        return r
    }

    /// The overlay after `key` in `overlay`: a question closes on any key, the model menu leads to its question,
    /// help and the demo menu stay open until a closing key (or, for the menu, a demo's key).
    static func next(after overlay: ViewState.Overlay, on key: Key, demos: [DemoMenu.Item]) -> ViewState.Overlay? {
        switch overlay {
        case .confirmingReset, .confirmingModel: return nil
        case .modelMenu:
            guard case .character(let c) = key, let family = ModelMenu.family(forKey: c) else { return nil }
            return .confirmingModel(family)
        case .help: return key.closesHelp ? nil : .help
        case .demoMenu:
            if key == .escape || key == .character("q") || key == .character("d") { return nil }
            if case .character(let c) = key, demos.contains(where: { $0.key == c }) { return nil }
            return .demoMenu
        }
    }

    /// The next value along a ladder, up or down from the current value (which may lie between rungs).
    static func step<T: Comparable>(_ ladder: [T], from value: T, up: Bool) -> T {
        if up { return ladder.first { $0 > value } ?? ladder.last! }
        return ladder.last { $0 < value } ?? ladder.first!
    }
}

import LatentLab

/// What a key does: changes to the view, commands for the engine, a demo to open, or quitting.
public struct KeyResult: Equatable, Sendable {
    public var view: ViewState
    public var commands: [Command] = []
    public var quit = false
    /// The key of the demo menu's entry chosen.
    public var demo: Character?
}

/// The dashboard's keys. The knobs' keys come from their table (`Knob`): each steps along a ladder of
/// sensible values, so a few presses cover the range, or toggles.
public enum KeyMap {
    /// Every key with what it does, for the help overlay and docs/dashboard.md: the knobs' from their table
    /// (`Knob`), then the rest.
    public static let help: [(keys: String, action: String)] = Knob.allCases.map { knob in
        (knob.definition.keys.characters.map(String.init).joined(separator: " / "), knob.definition.help)
    } + [
        ("space", "pause / resume"),
        (".", "one step (while paused)"),
        ("r", "reset the model (asks y/n)"),
        ("s", "save a checkpoint"),
        ("S", "save the screen as SVG and text (in the run directory)"),
        ("d", "demo menu (q or Esc in a demo comes back)"),
        ("m", "model menu: posterior, prior, layers, decoder (asks y/n)"),
        ("Tab", "next pane: overview, latent map, images, gap panel"),
        ("G", "gap panel: approximation / amortisation gap of the probe images"),
        ("← / →", "map: first unit · map page: cursor · images page: traversed unit"),
        ("↑ / ↓", "map: second unit · map page: cursor · images page: reference image"),
        ("[ / ]", "map: first unit, on every page (the cursor keeps its place)"),
        ("{ / }", "map: second unit, on every page"),
        ("e", "latent map: ellipses / means only"),
        ("g", "latent map: aggregate posterior density"),
        ("h", "curves: full history / recent window"),
        ("a", "curves: smoothing on / off"),
        ("p", "curves pane: curves / rate-distortion plane"),
        ("i", "unit bars: index order / sorted by KL"),
        ("? / F1", "this help (Esc closes)"),
        ("q / Ctrl-C", "quit"),
    ]

    /// `demos` are the demo menu's entries; d opens the menu only when there is one.
    public static func handle(_ key: Key, view: ViewState, snapshot: Snapshot, checkpointPath: String,
                              demos: [DemoMenu.Item] = [], resetSeed: () -> UInt64) -> KeyResult {
        var r = KeyResult(view: view)
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
        if case .character(let c) = key, let knob = Knob.forKey(c) {
            r.commands = [.set(knob, knob.value(afterKey: c, from: snapshot.knobs))]
            return r
        }
        let latent = max(1, snapshot.latentSize)
        var dims = view.dims(for: snapshot)
        // The arrows walk in latent space on the pages that show the walk, and choose the map's units elsewhere.
        let walked = r.view.walk(key, latent: latent, images: max(1, snapshot.images.inputs.count))
        switch key {
        case _ where walked: break
        case .character("q"): r.quit = true
        case .character("?"), .f1: r.view.overlay = .help
        case .escape: r.view.page = .overview
        case .tab: r.view.page = ViewState.Page(rawValue: (view.page.rawValue + 1) % ViewState.Page.allCases.count)!
        case .character("G"): r.view.page = view.page == .gaps ? .overview : .gaps
        case .character(" "): r.commands = [snapshot.running ? .pause : .resume]
        case .character("."): r.commands = [.step]
        case .character("r"): r.view.overlay = .confirmingReset
        case .character("s"): r.commands = [.save(path: checkpointPath)]
        case .character("d") where !demos.isEmpty: r.view.overlay = .demoMenu
        case .character("m"): r.view.overlay = .modelMenu
        // The brackets choose the map's units on every page, the arrows where they do not walk.
        case .left, .character("["): dims.0 = (dims.0 + latent - 1) % latent; r.view.mapDims = .init(dims.0, dims.1)
        case .right, .character("]"): dims.0 = (dims.0 + 1) % latent; r.view.mapDims = .init(dims.0, dims.1)
        case .down, .character("{"): dims.1 = (dims.1 + latent - 1) % latent; r.view.mapDims = .init(dims.0, dims.1)
        case .up, .character("}"): dims.1 = (dims.1 + 1) % latent; r.view.mapDims = .init(dims.0, dims.1)
        case .character("e"): r.view.meansOnly.toggle()
        case .character("g"): r.view.showDensity.toggle()
        case .character("h"): r.view.recentOnly.toggle()
        case .character("a"): r.view.smoothing.toggle()
        case .character("p"): r.view.showsPlane.toggle()
        case .character("i"): r.view.sortUnits.toggle()
        default: break
        }
        // The engine takes the gap apart only while its panel is shown.
        if (r.view.page == .gaps) != (view.page == .gaps) { r.commands.append(.showGaps(r.view.page == .gaps)) }
        // It decodes the latent walk for the pages that show it: on arriving there and at each move, and stops
        // when they close.
        let walkPages: [ViewState.Page] = [.latentMap, .images]
        let (walking, wasWalking) = (walkPages.contains(r.view.page), walkPages.contains(view.page))
        let request = r.view.walkRequest(for: snapshot)
        if walking && (r.view.page != view.page || request != view.walkRequest(for: snapshot)) {
            r.commands.append(.latentWalk(request))
        } else if wasWalking && !walking {
            r.commands.append(.latentWalk(nil))
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
        Ladder.step(ladder, from: value, up: up)
    }
}

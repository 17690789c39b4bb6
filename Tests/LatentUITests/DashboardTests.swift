import LatentLab
import Testing
@testable import LatentUI

/// The whole dashboard and its panes as text snapshots, at the three sizes people use.
@Suite struct DashboardTests {
    @Test(arguments: [(80, 24), (120, 40), (200, 60)])
    func wholeDashboard(width: Int, height: Int) {
        let canvas = Dashboard.render(SnapshotFixtures.training(), view: ViewState(), width: width, height: height)
        assertSnapshot(canvas, named: "dashboard-\(width)x\(height)")
        let text = canvas.text
        #expect(text.contains("step 3000") && text.contains("41234 img/s") && text.contains("seed 1"))
        #expect(text.contains("AU 33/50"))
        #expect(text.contains("I_q 6.10"))
        #expect(text.contains(width >= 120 ? "BA bound ≥ 5.87 nats" : "BA ≥ 5.87"), "the Barber–Agakov bound beside I_q")
        #expect(text.contains("knobs") && text.contains("beta"))
        #expect(text.contains("curves"))
        if width >= 120 {
            #expect(text.contains("q(z|x)"), "the latent map is visible at \(width)x\(height)")
            #expect(text.contains("inputs · reconstructions"), "the images are visible at \(width)x\(height)")
        } else {
            #expect(!text.contains("q(z|x)"), "at 80x24 the latent map is one key away")
        }
    }

    @Test(arguments: [ViewState.Page.latentMap, .images])
    func panesOneTabAway(page: ViewState.Page) {
        var view = ViewState()
        view.page = page
        let canvas = Dashboard.render(SnapshotFixtures.training(), view: view, width: 80, height: 24)
        assertSnapshot(canvas, named: "page-\(page)-80x24")
        #expect(canvas.text.contains(page == .latentMap ? "q(z|x) · z" : "inputs · reconstructions"))
    }

    /// Each family has its own key, which picks it back; the keys outlast nine families (digits, then letters).
    @Test func everyModelFamilyHasItsOwnKey() {
        let keys = ModelFamily.allCases.map(ModelMenu.key(of:))
        #expect(Set(keys).count == keys.count && !keys.contains("y"))
        #expect(ModelFamily.allCases.allSatisfy { ModelMenu.family(forKey: ModelMenu.key(of: $0)) == $0 })
        #expect(ModelMenu.keys.count >= 30 && ModelMenu.keys[9] == "a")
    }

    @Test func tooSmall() {
        let canvas = Dashboard.render(SnapshotFixtures.training(), view: ViewState(), width: 60, height: 20)
        assertSnapshot(canvas, named: "too-small-60x20")
        #expect(canvas.text.contains("terminal too small"))
    }

    /// The status line names the model's parts as the engine describes them, shortened when narrow.
    @Test func theStatusLineReadsTheModelFromTheSnapshot() {
        var s = SnapshotFixtures.training()
        s.modelDescription = "z50 Gauss q · AF×2 prior · Bern p(x|z)"
        s.modelSummary = "z50 Gauss·AF×2·Bern"
        let wide = Dashboard.render(s, view: ViewState(), width: 200, height: 60).text.split(separator: "\n")[0]
        let narrow = Dashboard.render(s, view: ViewState(), width: 120, height: 40).text.split(separator: "\n")[0]
        #expect(wide.contains("z50 Gauss q · AF×2 prior · Bern p(x|z)"), "\(wide)")
        #expect(narrow.contains("z50 Gauss·AF×2·Bern"), "\(narrow)")
    }

    /// With two stochastic layers the units pane counts each layer's active units and labels where each
    /// starts, and the latent map draws the learned prior as its draws.
    @Test func theUnitsPaneShowsEachLayer() {
        var s = SnapshotFixtures.training()
        s.layerSizes = [30, 20]
        s.activeUnitsLayers = [12, 3]
        s.modelDescription = "z50 Gauss×2 q · N(0,I)→Gauss prior · Bern p(x|z)"
        s.modelSummary = "z50 Gauss×2·N(0,I)→Gauss·Bern"
        var rng = RandomSource(seed: 5)
        s.posterior.priorSamples = (0..<300).map { _ in (0..<50).map { _ in 0.7 * rng.normal() + 0.5 } }
        s.curves.klLayers = [18, 6].map { level in s.curves.rate.map { Snapshot.Point(step: $0.step, value: $0.value * level / 25) } }
        let canvas = Dashboard.render(s, view: ViewState(), width: 120, height: 40)
        assertSnapshot(canvas, named: "two-layers-120x40")
        let text = canvas.text
        #expect(text.contains("▸KL z1") && text.contains("▸KL z2"), "each layer's KL on the rate's axis")
        #expect(text.contains("AU z1 12/30 z2 3/20"), "\(text)")
        #expect(text.contains("z1 30") && text.contains("z2 20"), "\(text)")
        #expect(text.contains("z50 Gauss×2·N(0,I)→Gauss·Bern") && text.contains("· prior draws"))
    }

    @Test func helpListsEveryKey() {
        var view = ViewState()
        view.overlay = .help
        let canvas = Dashboard.render(SnapshotFixtures.training(), view: view, width: 120, height: 40)
        assertSnapshot(canvas, named: "help-120x40")
        for (keys, action) in KeyMap.help {
            #expect(canvas.text.contains(keys) && canvas.text.contains(action), "help lacks \(keys)")
        }
        #expect(canvas.text.contains("kernel Cooperlake (AVX-512)"), "help names the BLAS kernel")
        #expect(canvas.text.contains("CPU: AMD EPYC"), "help names the CPU")
    }

    @Test func demoMenuOverTheDashboard() {
        var view = ViewState()
        view.overlay = .demoMenu
        let canvas = Dashboard.render(SnapshotFixtures.training(), view: view, width: 120, height: 40, demos: KeyMapTests.demos)
        assertSnapshot(canvas, named: "demo-menu-120x40")
        let menu = canvas.text.split(separator: "\n").filter { $0.contains("marginal by enumeration") }
        #expect(menu.count == 1 && menu[0].contains("e    marginal by enumeration"))
        #expect(canvas.text.contains("demos") && canvas.text.contains("Esc  close"))
        #expect(canvas.text.contains("knobs"), "the dashboard stays underneath")
        #expect(!Dashboard.render(SnapshotFixtures.training(), view: ViewState(), width: 120, height: 40, demos: KeyMapTests.demos)
            .text.contains("marginal by enumeration"), "closed by default")
    }

    @Test func collapseBannerAndState() {
        let canvas = Dashboard.render(SnapshotFixtures.collapsed(), view: ViewState(), width: 120, height: 40)
        assertSnapshot(canvas, named: "collapsed-120x40")
        #expect(canvas.text.contains("POSTERIOR COLLAPSE"))
        #expect(canvas.text.contains("● collapsed"))
        #expect(canvas.text.contains("BA bound ≥ -0.42 nats"), "a negative bound is shown as it is")
        #expect(!Dashboard.render(SnapshotFixtures.training(), view: ViewState(), width: 120, height: 40).text.contains("POSTERIOR COLLAPSE"))
    }

    /// The collapse an autoregressive decoder reaches by itself: rate and active units above zero, but a decoder
    /// that ignores z. The banner names the remedies' keys; the knobs pane shows them, set.
    @Test func anAutoregressiveDecoderThatIgnoresZ() {
        let s = SnapshotFixtures.autoregressiveCollapse()
        #expect(s.collapse == .collapsed)
        let canvas = Dashboard.render(s, view: ViewState(), width: 120, height: 40)
        assertSnapshot(canvas, named: "made-collapse-120x40")
        let text = canvas.text
        #expect(text.contains("POSTERIOR COLLAPSE") && text.contains("C AR dropout") && text.contains("A aggressive"))
        #expect(text.contains("z use 1.29 nats") && text.contains("30 enc steps") && text.contains("z50 Gauss·N(0,I)·MADE r783"))
        #expect(KnobsLine.value("c/C AR dropout", in: text) == "0.25" && KnobsLine.value("n/N min rate δ", in: text) == "off")
        var healthy = s
        healthy.zUse = 40
        healthy.totalKL = 12
        #expect(healthy.collapse != .collapsed, "a decoder that uses z is not collapsed")
    }

    @Test func pausedAndMessages() {
        var s = SnapshotFixtures.training()
        s.running = false
        s.message = "saved vae-tui.safetensors at step 3000"
        let text = Dashboard.render(s, view: ViewState(), width: 120, height: 40).text
        #expect(text.contains("paused") && text.contains("saved vae-tui.safetensors at step 3000"))
        var view = ViewState()
        view.overlay = .confirmingReset
        #expect(Dashboard.render(s, view: view, width: 120, height: 40).text.contains("Reset the model"))
    }

    @Test func collapseStates() {
        #expect(CollapseState(activeUnits: 30, latentSize: 50, kl: 20, mutualInformation: 5) == .healthy)
        #expect(CollapseState(activeUnits: 10, latentSize: 50, kl: 8, mutualInformation: 3) == .partial)
        #expect(CollapseState(activeUnits: 0, latentSize: 50, kl: 0.01, mutualInformation: 0) == .collapsed)
        #expect(CollapseState(activeUnits: 3, latentSize: 50, kl: 0.05, mutualInformation: 0.2) == .collapsed)
    }
}

@Suite struct KeyMapTests {
    static let demos = [DemoMenu.Item(key: "b", title: "bin packing"), DemoMenu.Item(key: "e", title: "marginal by enumeration")]

    func press(_ key: Key, _ s: Snapshot = SnapshotFixtures.training(), view: ViewState = ViewState(),
               demos: [DemoMenu.Item] = KeyMapTests.demos) -> KeyResult {
        KeyMap.handle(key, view: view, snapshot: s, checkpointPath: "m.safetensors", demos: demos) { 42 }
    }

    @Test func demoMenuOpensChoosesAndCloses() {
        let opened = press(.character("d"))
        #expect(opened.view.overlay == .demoMenu && opened.demo == nil && opened.commands.isEmpty)
        #expect(press(.character("d"), demos: []).view.overlay == nil, "no menu without demos")
        // A demo's key closes the menu and names the demo; other keys do nothing while it is open.
        let chosen = press(.character("e"), view: opened.view)
        #expect(chosen.demo == "e" && chosen.view.overlay == nil)
        #expect(press(.character("b"), view: opened.view).demo == "b")
        for key in [Key.character("B"), .character(" "), .tab, .character("x")] {
            let ignored = press(key, view: opened.view)
            #expect(ignored.view == opened.view && ignored.commands.isEmpty && ignored.demo == nil && !ignored.quit)
        }
        // Esc, q and d close it without quitting or opening anything.
        for key in [Key.escape, .character("q"), .character("d")] {
            let closed = press(key, view: opened.view)
            #expect(closed.view.overlay == nil && closed.demo == nil && !closed.quit)
        }
        #expect(press(.controlC, view: opened.view).quit)
        #expect(press(.character("e")).demo == nil, "e without the menu is the latent map's toggle")
    }

    @Test func knobsStepAlongTheirLadders() {
        #expect(press(.character("B")).commands == [.set(.beta, .number(1.5))])
        #expect(press(.character("b")).commands == [.set(.beta, .number(0.7))])
        #expect(press(.character("F")).commands == [.set(.freeBits, .number(0.5))])
        #expect(press(.character("f")).commands == [.set(.freeBits, .number(0.1))])
        #expect(press(.character("W")).commands == [.set(.warmup, .count(2000))])
        #expect(press(.character("K")).commands == [.set(.k, .count(2))])
        #expect(press(.character("k")).commands == [.set(.k, .count(1))], "k stays at its smallest rung")
        #expect(press(.character("o")).commands == [.set(.objective, .choice("iwae"))])
        #expect(press(.character("L")).commands == [.set(.learningRate, .number(3e-3))])
        #expect(press(.character("u")).commands == [.set(.freeBitsPerUnit, .flag(true))])
        #expect(press(.character("s")).commands == [.save(path: "m.safetensors")])
    }

    /// m opens the model menu, a number asks for confirmation, y restarts with that family.
    @Test func theModelMenuAsksBeforeRestarting() {
        let menu = press(.character("m")).view
        #expect(menu.overlay == .modelMenu)
        let canvas = Dashboard.render(SnapshotFixtures.training(), view: menu, width: 120, height: 40)
        assertSnapshot(canvas, named: "model-menu-120x40")
        let text = canvas.text
        for family in ModelFamily.allCases { #expect(text.contains(family.title), "menu lacks \(family.title)") }
        let asking = press(.character("2"), view: menu).view
        #expect(asking.overlay == .confirmingModel(.iaf))
        #expect(Dashboard.render(SnapshotFixtures.training(), view: asking, width: 120, height: 40).text
            .contains("Restart training with IAF q · N(0,I) prior?"))
        #expect(press(.character("y"), view: asking).commands == [.setModel(.iaf, seed: 42)])
        let declined = press(.character("n"), view: asking), closed = press(.escape, view: menu)
        #expect(declined.commands.isEmpty)
        #expect(declined.view.overlay == nil)
        #expect(closed.view.overlay == nil)
    }

    /// The collapse remedies' keys step along their ladders; A toggles aggressive training.
    @Test func remedyKeys() {
        #expect(press(.character("C")).commands == [.set(.conditioningDropout, .number(0.1))])
        #expect(press(.character("c")).commands == [.set(.conditioningDropout, .number(0))])
        #expect(press(.character("N")).commands == [.set(.minimumRate, .number(0.05))])
        var set = SnapshotFixtures.training()
        set.settings.conditioningDropout = 0.25
        set.settings.minimumRate = 0.2
        set.aggressive.isOn = true
        #expect(press(.character("C"), set).commands == [.set(.conditioningDropout, .number(0.5))])
        #expect(press(.character("n"), set).commands == [.set(.minimumRate, .number(0.1))])
        #expect(press(.character("A")).commands == [.set(.aggressive, .flag(true))]
                && press(.character("A"), set).commands == [.set(.aggressive, .flag(false))])
        #expect(press(.character("x")).commands == [.set(.freeRunning, .flag(true))])
    }

    @Test func pauseStepQuit() {
        #expect(press(.character(" ")).commands == [.pause])
        var paused = SnapshotFixtures.training()
        paused.running = false
        #expect(press(.character(" "), paused).commands == [.resume])
        #expect(press(.character(".")).commands == [.step])
        #expect(press(.character("q")).quit && press(.controlC).quit)
    }

    @Test func resetAsksFirst() {
        let asked = press(.character("r"))
        #expect(asked.commands.isEmpty && asked.view.overlay == .confirmingReset)
        #expect(press(.character("y"), view: asked.view).commands == [.reset(seed: 42)])
        let declined = press(.character("n"), view: asked.view)
        #expect(declined.commands.isEmpty && declined.view.overlay == nil)
    }

    @Test func viewKeys() {
        #expect(press(.tab).view.page == .latentMap)
        #expect(press(.tab, view: press(.tab).view).view.page == .images)
        #expect(press(.character("?")).view.overlay == .help)
        var help = ViewState()
        help.overlay = .help
        #expect(press(.escape, view: help).view.overlay == nil)
        // Default map dims are the two units with most KL (units 5 and 12 have 1.7 nats... the first of those by index wins).
        let s = SnapshotFixtures.training()
        let (a, b) = ViewState().dims(for: s)
        #expect(s.klPerUnit[a] >= s.klPerUnit.max()! && s.klPerUnit[b] >= s.klPerUnit.max()!)
        #expect(press(.right).view.mapDims == .init(a + 1, b))
        #expect(press(.up).view.mapDims == .init(a, b + 1))
        #expect(press(.character("e")).view.meansOnly && press(.character("g")).view.showDensity)
        #expect(press(.character("h")).view.recentOnly && press(.character("a")).view.smoothing && press(.character("i")).view.sortUnits)
    }
}

/// Reading a knob's value off the screen: the text after its key and name ("c/C AR dropout") on the knobs pane.
enum KnobsLine {
    static func value(_ name: String, in screen: String) -> String? {
        guard let line = screen.split(separator: "\n").first(where: { $0.contains(name) }),
              let range = line.range(of: name) else { return nil }
        return line[range.upperBound...].split(separator: " ").first.map(String.init)
    }
}

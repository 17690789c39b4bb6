import LatentLab
import Testing
@testable import LatentUI

/// The gap panel (G): the probe images' inference gap as stacked bars of its two parts, with the means, the
/// budget and the dominant part; the collapse pane names the dominant part too.
@Suite struct GapPanelTests {
    /// Twenty images, amortisation the larger part, image 3's approximation gap below zero from noise.
    static func gaps() -> Snapshot.Gaps {
        var g = Snapshot.Gaps()
        g.approximation = [2.1, 1.4, -0.3, 3.0, 2.2, 0.8, 1.9, 2.6, 1.1, 2.4, 1.5, 2.0, 0.9, 1.7, 2.8, 1.2, 1.6,
                           2.3, 1.0, 2.5]
        g.amortisation = [4.9, 3.2, 2.5, 6.1, 4.0, 5.5, 3.7, 4.4, 2.9, 5.2, 4.1, 3.9, 4.6, 3.3, 5.0, 4.2, 3.6,
                          4.8, 3.1, 4.5]
        g.meanApproximation = Estimate(1.72, standardError: 0.11)
        g.meanAmortisation = Estimate(4.24, standardError: 0.15)
        g.meanInference = Estimate(5.96, standardError: 0.09)
        g.amortisedELBO = -101.3
        g.localELBO = -97.06
        g.localSteps = 180
        g.stop = .time
        g.seconds = 0.34
        g.step = 3000
        g.samples = 100
        g.importanceSamples = 500
        return g
    }

    static func view() -> ViewState {
        var v = ViewState()
        v.page = .gaps
        return v
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func thePanel(width: Int, height: Int) {
        var s = SnapshotFixtures.training()
        s.gaps = Self.gaps()
        let canvas = Dashboard.render(s, view: Self.view(), width: width, height: height)
        assertSnapshot(canvas, named: "gaps-\(width)x\(height)")
        let text = canvas.text
        #expect(text.contains(width >= 120 ? "variational gap · approximation + amortisation" : "variational gap · images"))
        #expect(text.contains(width >= 120 ? "inference gap 5.96 ± 0.09 = approximation 1.72 ± 0.11 + amortisation 4.24"
                                            : "gap 5.96 ± 0.09 = approx. 1.72 ± 0.11 + amort. 4.24 ± 0.15 nats"))
        #expect(text.contains("180 local steps (time budget) in 0.34 s"))
        #expect(text.contains("amortisation dominates (71%)"))
        #expect(text.contains("  5.96 =  1.72 +  4.24"), "the mean row's figures")
        #expect(text.contains("  2.20 = -0.30 +  2.50"), "a negative part is shown as it is, not clipped")
        #expect(text.contains(width >= 120 ? "20 probe images" : "images 1–14 of 20"), "how many images fit")
    }

    /// Each bar: solid cells for the approximation gap, then shaded ones for the amortisation gap, their
    /// lengths in proportion; a negative part left of the zero line.
    @Test func barsAreInProportionAndNegativePartsGoLeft() {
        var c = Canvas(width: 60, height: 3)
        GapPane(snapshot: Snapshot()).bars([("a", 2, 6), ("b", -1, 3)], into: &c, Rect(x: 0, y: 0, width: 60, height: 3))
        let lines = c.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let solid = lines.map { $0.filter { $0 == "█" }.count }, shaded = lines.map { $0.filter { $0 == "▒" }.count }
        // 32 bar cells over 9 nats (−1 to 8).
        #expect(abs(Double(solid[0]) - 2 * 32 / 9.0) <= 1 && abs(Double(shaded[0]) - 6 * 32 / 9.0) <= 1)
        #expect(abs(Double(solid[1]) - 32 / 9.0) <= 1 && abs(Double(shaded[1]) - 3 * 32 / 9.0) <= 1)
        let rows = lines.map { Array($0) }
        let zero = rows[1].firstIndex(of: "▒")!
        #expect(rows[1][..<zero].contains("█"), "the negative approximation gap lies left of where the positive part starts")
        #expect(rows[0].firstIndex(of: "█")! == zero, "both rows start at the zero line")
    }

    @Test func beforeTheFirstMeasurementThePanelSaysWhatComes() {
        let canvas = Dashboard.render(SnapshotFixtures.training(), view: Self.view(), width: 80, height: 24)
        #expect(canvas.text.contains("taking the probe images' gap apart at the next held-out evaluation"))
    }

    @Test func theCollapsePaneNamesTheDominantPart() {
        var s = SnapshotFixtures.training()
        #expect(!Dashboard.render(s, view: ViewState(), width: 120, height: 40).text.contains("gap 6.0"))
        s.gaps = Self.gaps()
        let text = Dashboard.render(s, view: ViewState(), width: 120, height: 40).text
        #expect(text.contains("gap 6.0: amortisation 71%"))
        s.gaps!.meanApproximation = Estimate(4.24, standardError: 0.1)
        s.gaps!.meanAmortisation = Estimate(1.72, standardError: 0.1)
        #expect(Dashboard.render(s, view: ViewState(), width: 80, height: 24).text.contains("gap 6.0: approximation 71%"))
    }

    /// G opens the panel and asks the engine for the gaps; G, Esc or Tab away closes it and stops them.
    @Test func theKeyOpensThePanelAndTheEngineFollowsThePage() {
        func press(_ key: Key, _ view: ViewState) -> KeyResult {
            KeyMap.handle(key, view: view, snapshot: SnapshotFixtures.training(), checkpointPath: "x") { 1 }
        }
        let opened = press(.character("G"), ViewState())
        #expect(opened.view.page == .gaps && opened.commands == [.showGaps(true)])
        for key in [Key.character("G"), .escape, .tab] {
            let closed = press(key, opened.view)
            #expect(closed.view.page == .overview && closed.commands == [.showGaps(false)], "\(key)")
        }
        var images = ViewState()
        images.page = .images
        #expect(press(.tab, images).commands == [.showGaps(true), .latentWalk(nil)],
                "Tab reaches the panel after the images, whose traversal stops")
        #expect(press(.character("e"), opened.view).commands.isEmpty, "other keys leave the engine's gaps alone")
    }
}

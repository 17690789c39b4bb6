import LatentLab
import Testing
@testable import LatentUI

/// The dashboard at its smallest, 80×24, while a MADE decoder collapses: what a user needs then (every knob
/// with its key, the remedies' keys, what is training) stays on screen.
@Suite struct CompactDashboardTests {
    static let width = 80, height = 24

    func render(_ s: Snapshot) -> Canvas {
        Dashboard.render(s, view: ViewState(), width: Self.width, height: Self.height)
    }

    @Test func aCollapsingMADERunAt80x24() {
        let s = SnapshotFixtures.autoregressiveCollapse()
        #expect(s.collapse == .collapsed && s.step > 0 && s.autoregressiveDecoder)
        let canvas = render(s)
        assertSnapshot(canvas, named: "made-collapse-80x24")
        let text = canvas.text
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0].contains("vae-tui") && lines[0].contains("z50 Gauss·N(0,I)·MADE r783"), "\(lines[0])")
        #expect(lines[0].contains("step 3000") && lines[0].contains("running"), "\(lines[0])")
        for (key, _, short) in Overlays.remedies {
            #expect(lines[1].contains("\(key) \(short)"), "the banner keeps \(key): \(lines[1])")
        }
        #expect(lines[1].contains("COLLAPSE"))
        // Every knob's row, the last three included, and the pause key.
        #expect(KnobsLine.value("n/N min rate δ", in: text) == "off")
        #expect(KnobsLine.value("A   aggressive", in: text) == "30")
        #expect(KnobsLine.value("c/C AR dropout", in: text) == "0.25")
        #expect(text.contains("space pause"))
        #expect(text.contains("● collapsed") && text.contains("z use 1.29 nats"), "and the collapse indicator")
        #expect(text.contains("-ELBO 105") && text.contains("KL · AU 1/50"), "curves and units stay beside them")
    }

    /// Every knob the panel lists is on screen at 80×24, not only in a collapse.
    @Test func everyKnobFitsAt80x24() {
        let s = SnapshotFixtures.training()
        let text = render(s).text
        for (keys, name, _) in KnobsPanel.rows(s) {
            #expect(text.contains(keys.isEmpty ? name : "\(keys.padded(to: 4))\(name)"), "\(keys) \(name) is cut")
        }
        #expect(text.contains("space pause"))
    }

    /// A paused run's status line still names the program and the model.
    @Test func thePausedStatusLineKeepsTheNames() {
        var s = SnapshotFixtures.autoregressiveCollapse()
        s.running = false
        let status = String(render(s).text.split(separator: "\n")[0])
        #expect(status.contains("vae-tui") && status.contains("MADE r783") && status.contains("paused"), "\(status)")
    }

    /// The banner shortens its words before it drops a key, down to the keys alone.
    @Test(arguments: [120, 100, 80, 60, 40])
    func theBannerKeepsTheKeys(width: Int) {
        var c = Canvas(width: width, height: 1)
        Overlays.collapseBanner(into: &c, rect: c.bounds)
        let keys = Overlays.remedies.map(\.key)
        #expect(c.text.contains(width >= 80 ? "W warm-up" : keys.joined(separator: " ")), "\(c.text)")
    }
}

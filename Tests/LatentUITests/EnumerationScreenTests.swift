import LatentLab
import Testing
@testable import LatentUI

/// `vae-tui demo enumerate` as text snapshots, from a fixed seed and step count.
@Suite struct EnumerationScreenTests {
    @Test(arguments: [(4, 120, 40), (100, 120, 40), (4, 80, 24), (100, 80, 24)])
    func screen(states: Int, width: Int, height: Int) {
        var demo = EnumerationDemo(states: states, seed: 1)
        demo.advance(5)
        let canvas = EnumerationScreen.render(demo, running: false, width: width, height: height)
        assertSnapshot(canvas, named: "enumerate-K\(states)-\(width)x\(height)")
        let text = canvas.text
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(text.contains("K=\(states)") && text.contains("step 5") && text.contains("log p(x)") && text.contains("L_1000"))
        // One ▲ per column holding a sampled z (a column is one z unless K outgrows the width), and one in the legend.
        let perColumn = EnumerationScreen.statesPerColumn(states: states, width: width)
        #expect(perColumn == (states > 100 || width < 120 && states > 70 ? 2 : 1))
        #expect(text.filter { $0 == "▲" }.count == Set(demo.samples.map { $0 / perColumn }).count + 1)
        // z is labelled 1…K as in the lecture, every z when there is room, else 1 and every tenth.
        if states == 4 {
            #expect((1...4).allSatisfy { text.contains("z=\($0)") } && !text.contains("z=0"))
        } else {
            let axis = lines.first { $0.contains(" 10 ") && $0.contains(" 90") }
            #expect(axis != nil && axis!.contains(" 1 ") && axis!.contains(" 100") && !axis!.contains(" 0 "))
        }
        // The keys fit on the last line, and the L_k chart is there when the screen is wide enough.
        #expect(lines.last!.contains("q back"))
        #expect(text.contains("L_k against k") == (width >= 104))
    }

    @Test func keys() {
        var demo = EnumerationDemo(states: 4, seed: 1)
        var running = false
        func press(_ key: Key) -> DemoKeyOutcome { EnumerationKeys.handle(key, demo: &demo, running: &running) }
        _ = press(.character("n"))
        _ = press(.character("N"))
        #expect(demo.step == 11)
        _ = press(.character(" "))
        #expect(running)
        _ = press(.character("m"))
        #expect(demo.trainModel)
        let before = demo.model
        _ = press(.character("r"))
        #expect(demo.seed == 2 && demo.step == 0 && demo.model != before && demo.trainModel, "a new seed, a new model, the choice kept")
        _ = press(.character("c"))
        #expect(demo.states == 100 && demo.step == 0)
        _ = press(.character("c"))
        #expect(demo.states == 4)
        #expect(press(.character("x")) == .ignored && press(.tab) == .ignored)
        #expect(press(.character("q")) == .quit && press(.escape) == .quit)
    }

    @Test func tooSmall() {
        let text = EnumerationScreen.render(EnumerationDemo(), running: true, width: 60, height: 20).text
        #expect(text.contains("terminal too small"))
    }
}

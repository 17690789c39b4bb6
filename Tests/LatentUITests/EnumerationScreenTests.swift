import LatentLab
import Testing
@testable import LatentUI

/// `vae-tui demo enumerate` as text snapshots, from a fixed seed and step count.
@Suite struct EnumerationScreenTests {
    @Test(arguments: [(4, 120, 40), (100, 120, 40), (4, 80, 24)])
    func screen(states: Int, width: Int, height: Int) {
        var demo = EnumerationDemo(states: states, seed: 1)
        demo.advance(5)
        let canvas = EnumerationScreen.render(demo, running: false, width: width, height: height)
        assertSnapshot(canvas, named: "enumerate-K\(states)-\(width)x\(height)")
        let text = canvas.text
        #expect(text.contains("K=\(states)") && text.contains("step 5") && text.contains("log p(x)"))
        #expect(text.contains("L_1000") || height < 40)
        // One ▲ per distinct sampled z, under the bars.
        #expect(text.filter { $0 == "▲" }.count == Set(demo.samples).count + 1, "one in the legend")
    }

    @Test func tooSmall() {
        let text = EnumerationScreen.render(EnumerationDemo(), running: true, width: 60, height: 20).text
        #expect(text.contains("terminal too small"))
    }
}

@testable import LatentLab
import Testing
@testable import LatentUI

/// `vae-tui demo binpack` as text snapshots, from a fixed seed and step count.
@Suite struct BinPackScreenTests {
    @Test(arguments: [(LatentPosterior.diag, 120, 40), (.iaf, 120, 40), (.diag, 80, 24)])
    func screen(family: LatentPosterior, width: Int, height: Int) {
        let demo = BinPackDemo(seed: 1, family: family)
        demo.settings.objective.k = 4
        demo.advance(150)
        // The IAF snapshot also shows samples of q and the exact posteriors.
        let options = BinPackViewOptions(showSamples: family == .iaf, showExact: family == .iaf)
        let canvas = BinPackScreen.render(demo.snapshot, options: options, width: width, height: height)
        let name = family == .diag ? "diagonal" : "iaf"
        assertSnapshot(canvas, named: "binpack-\(name)-\(width)x\(height)")
        let text = canvas.text
        #expect(text.contains("step 150") && text.contains(family.title))
        #expect(text.contains("exact I(x;z)") && text.contains("Barber-Agakov"))
        for letter in BinPackDemo.letters { #expect(text.contains(letter)) }
        let plain = BinPackScreen.render(demo.snapshot, options: BinPackViewOptions(), width: width, height: height)
        #expect((plain.text == text) == (family != .iaf), "samples and exact posteriors add to the picture")
    }

    /// In colour: each point's outline in its own colour (bright for q, dark for the exact posterior), the prior
    /// in grey, and the aggregate posterior as grey backgrounds under the dots.
    @Test func colours() {
        let demo = BinPackDemo(seed: 1)
        demo.advance(50)
        let canvas = BinPackScreen.render(demo.snapshot, options: BinPackViewOptions(showExact: true), width: 120, height: 40)
        let map = colorMap(canvas).split(separator: "\n").dropFirst().map { $0.prefix(70) }.joined()
        for code in ["R", "G", "Y", "B", "r", "g", "y", "b", "K"] { #expect(map.contains(code), "colour \(code) on the map") }
        var shaded = 0, dotsOnShade = 0
        for y in 1..<39 {
            for x in 0..<70 {
                guard case .grey = canvas[x, y].style.background else { continue }
                shaded += 1
                if canvas[x, y].character != " " { dotsOnShade += 1 }
            }
        }
        #expect(shaded > 50 && dotsOnShade > 0, "\(shaded) shaded cells, \(dotsOnShade) with dots over the shade")
    }

    @Test func keysTurnTheKnobs() {
        let demo = BinPackDemo(seed: 2)
        var options = BinPackViewOptions()
        func press(_ keys: String) { for ch in keys { _ = BinPackKeys.handle(.character(ch), demo: demo, options: &options) } }
        press("n")
        #expect(demo.step == 1)
        press("N")
        #expect(demo.step == 11)
        press("p")
        #expect(demo.family == .full && demo.step == 11)
        press("pp")
        #expect(demo.family == .diag)
        press("P")
        #expect(demo.prior == .af)
        press("oKK")
        #expect(demo.settings.objective.kind == .iwae && demo.settings.objective.k == 5)
        press("BFFl")
        #expect(demo.settings.objective.beta == 1.5 && demo.settings.objective.freeBits.lambda == 0.5 && demo.settings.learningRate == 1e-3)
        press("bbf")
        #expect(demo.settings.objective.beta == 0.5 && demo.settings.objective.freeBits.lambda == 0.25)
        press("ms++- ")
        #expect(!demo.settings.trainModel && options.showSamples && options.speed == 2 && options.running)
        press("r")
        #expect(demo.step == 0 && demo.seed == 3 && demo.prior == .af && demo.settings.objective.k == 5, "a new seed keeps the knobs")
        #expect(BinPackKeys.handle(.character("q"), demo: demo, options: &options) == .quit)
        #expect(BinPackKeys.handle(.escape, demo: demo, options: &options) == .quit)
        #expect(BinPackKeys.handle(.character("x"), demo: demo, options: &options) == .ignored)
    }

    /// A q pushed off the grid (here by hand; beta 0 does it in training) is said, and the MI numbers that
    /// need it are withheld; a NaN evaluation still draws.
    @Test func offGridAndNonFiniteEvaluations() {
        let demo = BinPackDemo(seed: 1)
        let bias = demo.model.encoder.meanHead.bias
        bias.assign(Tensor(rows: 1, cols: 2, [20, 20]))
        demo.refresh()
        #expect(!demo.evaluation.posteriorsOnGrid)
        let text = BinPackScreen.render(demo.snapshot, options: BinPackViewOptions(), width: 120, height: 40).text
        #expect(text.contains("q off the ±5 grid for A, B, C, D") && text.contains("q off grid"))

        let trunk = demo.model.encoder.encoder!.layers[0].weight
        var poisoned = trunk.value
        poisoned[0, 0] = .nan
        trunk.assign(poisoned)
        demo.refresh()
        #expect(!demo.evaluation.elbo.isFinite)
        let nan = BinPackScreen.render(demo.snapshot, options: BinPackViewOptions(showSamples: true, showExact: true), width: 120, height: 40)
        #expect(nan.text.contains("step 0"))
    }

    @Test func tooSmall() {
        let text = BinPackScreen.render(BinPackDemo().snapshot, options: BinPackViewOptions(), width: 79, height: 30).text
        #expect(text.contains("terminal too small"))
    }
}

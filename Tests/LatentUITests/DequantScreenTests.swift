import Foundation
@testable import LatentLab
import Testing
@testable import LatentUI

/// `vae-tui demo dequant` as text snapshots, from a fixed seed and step count, and its keys.
@Suite struct DequantScreenTests {
    @Test(arguments: [(120, 40), (80, 24)])
    func screen(width: Int, height: Int) {
        let demo = DequantDemo(seed: 1, kind: .variational)
        demo.advance(100)
        var options = DequantViewOptions()
        options.cell = DequantViewOptions.likeliestCell(demo.data)
        let canvas = DequantScreen.render(demo.snapshot, options: options, width: width, height: height)
        assertSnapshot(canvas, named: "dequant-\(width)x\(height)")
        let text = canvas.text, e = demo.evaluation
        #expect(text.contains("step 100") && text.contains("dequantizer variational"))
        // The exact numbers on screen are the evaluation's, in bits per dimension.
        for value in [e.entropy, e.crossEntropy, e.uniformBound, e.variationalBound, e.variationalDivergence] {
            #expect(text.contains(String(format: "%.4f", value)), "\(value) on screen")
        }
        #expect(text.contains("cell x = (\(options.cell.x1), \(options.cell.x2))"))
        #expect(text.contains("P(x) per cell") == (height >= DequantScreen.mapsMinimumHeight))
        #expect(text.split(separator: "\n").last!.contains(DemoKey.footer(DequantKeys.keys)))
    }

    /// The plane: the selected cell outlined in yellow, the grid's lines over the density.
    @Test func theSelectedCellIsOutlined() {
        let demo = DequantDemo(seed: 1)
        var options = DequantViewOptions()
        options.cell = (3, 5)
        let canvas = DequantScreen.render(demo.snapshot, options: options, width: 120, height: 40)
        var yellow: [(Int, Int)] = []
        for y in 2..<34 { for x in 1..<65 where canvas[x, y].style.foreground == .brightYellow || canvas[x, y].style.background == .brightYellow { yellow.append((x, y)) } }
        // 4 pixels a cell at 120×40: cell (3, 5) spans columns 1 + 12…15, and rows from the top (15 − 5)·4 …, two pixels a row.
        #expect(!yellow.isEmpty && yellow.allSatisfy { (13...16).contains($0.0) && (22...23).contains($0.1) }, "\(yellow)")
    }

    /// A cell chosen on a finer grid than the snapshot's (keys run ahead of a level change still being made)
    /// is drawn on the snapshot's grid, not out of range.
    @Test func aCellBeyondTheGridIsDrawnAtItsEdge() {
        let demo = DequantDemo(seed: 1, levels: 4)
        var options = DequantViewOptions()
        options.cell = (15, 15)
        let text = DequantScreen.render(demo.snapshot, options: options, width: 120, height: 40).text
        #expect(text.contains("cell x = (3, 3)"))
    }

    @Test func keysStepSwitchAndMove() {
        let demo = DequantDemo(seed: 2)
        var options = DequantViewOptions()
        func press(_ key: Key) -> DemoKeyOutcome {
            let action = DequantKeys.action(for: key, options: &options, levels: demo.levels)
            var model = demo
            action.work?(&model)
            return action.outcome
        }
        _ = press(.character("n"))
        _ = press(.character("N"))
        #expect(demo.step == 11)
        _ = press(.character("v"))
        #expect(demo.kind == .variational && demo.step == 11, "switching keeps the model")
        _ = press(.right)
        _ = press(.up)
        _ = press(.up)
        #expect(options.cell == (1, 2))
        for _ in 0..<20 { _ = press(.left) }
        #expect(options.cell == (0, 2), "the cell stays on the grid")
        _ = press(.character("+"))
        _ = press(.character(" "))
        #expect(options.speed == 20 && options.running)
        _ = press(.character("s"))
        #expect(demo.shape == .smiley && demo.step == 0 && demo.kind == .variational)
        _ = press(.character("["))
        #expect(demo.levels == 8)
        _ = press(.character("r"))
        #expect(demo.seed == 3)
        #expect(press(.character("q")) == .quit && press(.escape) == .quit && press(.character("x")) == .ignored)
    }
}

import Foundation
@testable import LatentLab
import Testing
@testable import LatentUI

/// `vae-tui show`: runs overlaid in their colours with a legend, the selected run's units and knob changes.
@Suite struct ShowScreenTests {
    /// Two runs from logs written here: a β = 1 run and a β = 3 run that loses units, with one knob change.
    static func runs() throws -> [RunHistory] {
        try [(1, 0.0), (2, 2.0)].map { index, penalty in
            var lines = [#"{"event":"start","parts":"z4 Gauss q · N(0,I) prior · Bern p(x|z)"}"#]
            for epoch in 1...20 {
                let elbo = -(100 + 60 / Double(epoch) + 3 * penalty)
                let units = (0..<4).map { u in Double(u) < 4 - penalty ? 3.0 / Double(u + 1) : 0.0001 }
                lines.append(#"{"event":"epoch","step":\#(epoch * 100),"test_elbo":\#(elbo),"kl":\#(units.reduce(0, +)),"kl_per_unit":\#(units),"activity":\#(units.map { $0 > 0.01 ? 0.5 : 0.001 }),"active_units":\#(units.filter { $0 > 0.01 }.count)}"#)
                if epoch == 10 && index == 2 { lines.append(#"{"event":"command","step":1000,"command":"beta","value":3}"#) }
            }
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("show-\(UUID().uuidString)/beta\(index)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/metrics.jsonl", atomically: true, encoding: .utf8)
            return try RunHistory(path: dir)
        }
    }

    @Test(arguments: [(120, 40), (80, 24)])
    func screen(width: Int, height: Int) throws {
        let runs = try Self.runs()
        var view = ShowView()
        view.selected = 1
        let canvas = ShowScreen.render(runs, view: view, width: width, height: height)
        assertSnapshot(canvas, named: "show-\(width)x\(height)")
        let text = canvas.text
        #expect(text.contains("2 runs │ -ELBO test") && text.contains("1 beta1 103 · step 2000") && text.contains("2 beta2 109"))
        #expect(text.contains("AU 2/4") && text.contains("step 1000  beta 3"))
        // Each run's curve and legend mark in its own colour.
        let colours = colorMap(canvas)
        #expect(colours.contains("R") && colours.contains("G"))
    }

    @Test func keysChooseTheMetricTheSmoothingAndTheRun() throws {
        let runs = try Self.runs()
        let metrics = RunMetric.allCases.filter { m in runs.contains { $0.metrics.contains(m) } }
        #expect(metrics == [.testLoss, .rate, .activeUnits])
        var view = ShowView()
        #expect(ShowKeys.handle(.right, view: &view, runs: 2, metrics: metrics) == .handled && view.metric == .rate)
        #expect(ShowKeys.handle(.character("m"), view: &view, runs: 2, metrics: metrics) == .handled && view.metric == .testLoss)
        _ = ShowKeys.handle(.left, view: &view, runs: 2, metrics: metrics)
        #expect(view.metric == .activeUnits)
        _ = ShowKeys.handle(.character("A"), view: &view, runs: 2, metrics: metrics)
        #expect(view.smoothing == 5)
        let smoothed = ShowScreen.render(runs, view: view, width: 120, height: 40).text
        #expect(smoothed.contains("active units │ smoothing 5"))
        _ = ShowKeys.handle(.tab, view: &view, runs: 2, metrics: metrics)
        #expect(view.selected == 1)
        _ = ShowKeys.handle(.down, view: &view, runs: 2, metrics: metrics)
        #expect(view.selected == 0)
        #expect(ShowKeys.handle(.character("?"), view: &view, runs: 2, metrics: metrics) == .handled && view.helpVisible)
        #expect(ShowKeys.handle(.character("q"), view: &view, runs: 2, metrics: metrics) == .handled && !view.helpVisible)
        #expect(ShowKeys.handle(.escape, view: &view, runs: 2, metrics: metrics) == .quit)
    }
}

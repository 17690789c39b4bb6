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

    /// Two dashboard runs' logs: a β = 1 run whose rate rises, and a β = 3 run at a lower rate and higher
    /// distortion, turned to β = 3 at step 1000.
    static func planeRuns() throws -> [RunHistory] {
        try [(1, Float(1)), (2, Float(3))].map { index, beta in
            var lines = [#"{"event":"start","parts":"z8 Gauss q · N(0,I) prior · Bern p(x|z)"}"#]
            for i in 1...40 {
                let step = i * 50, t = Float(i) / 40, pull = index == 2 && step > 1000 ? beta : 1
                let rate = (4 + 20 * t) / pull, distortion = 200 - 90 * t + 12 * (pull - 1)
                lines.append(#"{"event":"train","step":\#(step),"train_loss":\#(rate + distortion),"train_rate":\#(rate),"train_distortion":\#(distortion)}"#)
                if i % 5 == 0 {
                    lines.append(#"{"event":"eval","step":\#(step),"test_elbo":\#(-(rate + distortion + 4)),"kl":\#(rate * 0.9),"distortion":\#(distortion + 4 - rate * 0.1)}"#)
                }
                if index == 2 && step == 1000 { lines.append(#"{"event":"command","step":1000,"command":"beta","value":3}"#) }
            }
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("show-\(UUID().uuidString)/rd\(index)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/metrics.jsonl", atomically: true, encoding: .utf8)
            return try RunHistory(path: dir)
        }
    }

    /// p shows the runs overlaid in the plane, each in its colour, the selected run's knob change marked.
    @Test func thePlaneOverlaysTheRuns() throws {
        let runs = try Self.planeRuns()
        #expect(runs[0].trainPlane.count == 40 && runs[0].heldOutPlane.count == 8)
        var view = ShowView()
        #expect(ShowKeys.handle(.character("p"), view: &view, runs: 2, metrics: [.testLoss]) == .handled && view.plane)
        view.selected = 1
        let canvas = ShowScreen.render(runs, view: view, width: 120, height: 40)
        assertSnapshot(canvas, named: "show-plane-120x40")
        let text = canvas.text
        #expect(text.contains("2 runs │ rate-distortion plane") && text.contains("rate-distortion plane · D against R"))
        #expect(text.contains("1 rd1 R 21.6 D 112") && text.contains("2 rd2 R 7.20 D 137"), "each run's last point")
        #expect(text.contains("beta 3") && text.contains("◆ −ELBO"), "the selected run's knob change; the best lines")
        let plane = colorMap(canvas).split(separator: "\n")[1..<23].joined()
        #expect(plane.contains("R") && plane.contains("G"), "each run in its colour")
        #expect(ShowKeys.handle(.right, view: &view, runs: 2, metrics: [.testLoss, .rate]) == .handled && !view.plane,
                "a metric key goes back to the curves")
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

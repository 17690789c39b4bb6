import Foundation
import Testing
@testable import LatentLab

/// `vae-tui show` reads runs through `RunHistory`: the same metrics from `train`'s epoch records and the
/// dashboard's train and eval records, the knob changes, the last unit bars, and a growing log line by line.
struct RunHistoryTests {
    static let log = """
        {"event":"start","parts":"z2 Gauss q · N(0,I) prior · Bern p(x|z)","seed":1}
        {"event":"train","step":10,"train_loss":210.5,"train_rate":3.5,"train_distortion":207}
        {"event":"eval","step":20,"test_elbo":-200,"distortion":190,"kl":10,"active_units":2,"mi":1.5,"z_use":4,"kl_per_unit":[9,1],"activity":[0.5,0.005],"probe_l1":-201,"probe_l5":-199,"probe_l50":-198}
        {"event":"command","step":25,"command":"beta","value":0.5}
        {"event":"epoch","epoch":1,"step":40,"train_loss":190,"test_elbo":-180.5,"distortion":170,"kl":10.5,"active_units":1,"mi":2,"z_use":5,"kl_per_unit":[10.5,0],"activity":[0.6,0],"probe_l1":-181,"probe_l5":-180,"probe_l50":-179.5,"lr":0.001}
        {"event":"command","step":41,"command":"quit","value":null}

        """

    static func write(_ text: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runhistory-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try text.write(toFile: dir + "/metrics.jsonl", atomically: true, encoding: .utf8)
        return dir
    }

    @Test func readsEveryKindOfRecord() throws {
        let dir = try Self.write(Self.log)
        let run = try RunHistory(path: dir)
        #expect(run.name == (dir as NSString).lastPathComponent)
        #expect(run.parts == "z2 Gauss q · N(0,I) prior · Bern p(x|z)")
        #expect(run.series[.testLoss] == [Snapshot.Point(step: 20, value: 200), Snapshot.Point(step: 40, value: 180.5)])
        #expect(run.series[.trainLoss]?.map(\.value) == [210.5, 190])
        #expect(run.series[.gap]?.map(\.value) == [3, 1.5])
        #expect(run.series[.activeUnits]?.map(\.value) == [2, 1])
        #expect(run.series[.learningRate]?.map(\.step) == [40])
        #expect(run.klPerUnit == [10.5, 0] && run.activity == [0.6, 0])
        // The quit is not a knob change.
        #expect(run.commands == [Snapshot.Marker(step: 25, label: "beta 0.5")])
        #expect(run.lastStep == 41)
        #expect(run.metrics.first == .testLoss && run.metrics.count == RunMetric.allCases.count)
    }

    /// The plane's points: training ones from the dashboard's train records, held-out ones from eval and epoch
    /// records (so `train`'s runs, which have no train records, have them too).
    @Test func readsThePlanesPoints() throws {
        let run = try RunHistory(path: try Self.write(Self.log))
        #expect(run.trainPlane == [RateDistortionPoint(step: 10, rate: 3.5, distortion: 207)])
        #expect(run.heldOutPlane == [RateDistortionPoint(step: 20, rate: 10, distortion: 190),
                                     RateDistortionPoint(step: 40, rate: 10.5, distortion: 170)])
    }

    @Test func followingReadsOnlyCompleteNewLines() throws {
        let dir = try Self.write(#"{"event":"eval","step":5,"test_elbo":-100}"# + "\n")
        var run = try RunHistory(path: dir)
        let handle = try #require(FileHandle(forWritingAtPath: dir + "/metrics.jsonl"))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"event":"eval","step":9,"test_"#.utf8))
        #expect(try !run.update(), "half a record waits")
        handle.write(Data("elbo\":-90}\n".utf8))
        try handle.close()
        #expect(try run.update())
        #expect(run.series[.testLoss]?.map(\.value) == [100, 90])
        #expect(try !run.update())
    }

    @Test func aMissingRunIsAOneLineError() {
        #expect(throws: CheckpointError("/nonexistent/run: no such run directory or log")) { try RunHistory(path: "/nonexistent/run") }
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("runhistory-empty-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        #expect(throws: CheckpointError("\(empty)/metrics.jsonl: the run has no log")) { try RunHistory(path: empty) }
    }
}

import Foundation
import Testing

/// `reproduce --row` (what each Slurm task runs) and `--collect` (the job after them), through the built binary on
/// the shapes: a row stopped by a signal mid-epoch resumes to the very run it would have been, a row failing for a
/// reason of its own is marked so, and the collect job evaluates what is missing.
@Suite struct ReproduceRowTests {
    /// Three epochs of four steps (batch 100 on 400 images), a quick NLL.
    static let budget = ["--epochs", "3", "--train-limit", "400", "--validation", "100", "--nll-images", "5",
                         "--nll-k", "10"]
    static let row = "iaf-diag-normal"

    static func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    static func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// SIGUSR1 before step 5 (the first step of epoch 2): the row saves there and exits 75, its row.json and
    /// its log say so; run again it finishes. Its checkpoint and figures are byte for byte those of the row
    /// trained straight through, and of plain `reproduce` stopped elsewhere and continued: one code path.
    @Test func aRowStoppedMidEpochResumesBitForBit() throws {
        let dir = CLI.temporaryDirectory()
        let row = ["reproduce", "iaf", "--row", Self.row, "--dir", dir + "/stopped"] + Self.budget
        let stopped = try CLI.run(row + ["--stop-at-step", "5"])
        #expect(stopped.status == 75, "\(stopped.stdout) \(stopped.stderr)")
        #expect(stopped.stderr.contains("stopped by SIGUSR1 at a step boundary") && stopped.stdout.contains("stopped at step 5"),
                "\(stopped.stderr)")
        let run = dir + "/stopped/" + Self.row
        let state = try Self.json(run + "/row.json")
        #expect(state["state"] as? String == "stopped" && state["step"] as? Int == 5 && state["epoch"] as? Int == 1)
        let stop = try CLI.jsonLines(run + "/metrics.jsonl").first { $0["event"] as? String == "stop" }
        #expect(stop?["step"] as? Int == 5)
        let resumed = try CLI.run(row)
        #expect(resumed.status == 0 && resumed.stdout.contains("resumed at step 1 of epoch 2"), "\(resumed.stdout)")
        #expect(try Self.json(run + "/row.json")["state"] as? String == "done")

        let straight = try CLI.run(["reproduce", "iaf", "--row", Self.row, "--dir", dir + "/straight"] + Self.budget)
        #expect(straight.status == 0, "\(straight.stderr)")
        let plain = ["reproduce", "iaf", "--rows", Self.row, "--dir", dir + "/plain"] + Self.budget
        let interrupted = try CLI.run(plain + ["--stop-at-step", "10"])
        #expect(interrupted.status == 75 && !FileManager.default.fileExists(atPath: dir + "/plain/table.md"))
        #expect(try CLI.run(plain).status == 0)
        for file in ["checkpoint.safetensors", "nll.json"] {
            let reference = try #require(Self.bytes(dir + "/straight/\(Self.row)/" + file))
            #expect(Self.bytes(run + "/" + file) == reference, "\(file) after a stop at step 5")
            #expect(Self.bytes(dir + "/plain/\(Self.row)/" + file) == reference, "\(file) of plain reproduce")
        }
    }

    /// A row failing for a reason of its own (here a preset's bad setting) is marked failed with the message and
    /// exits 1, not 75: the batch script does not requeue it. A time-limit warning before a task's first step
    /// fails the row too, or it would be requeued forever.
    @Test func aRowThatFailsIsMarkedAndNotToBeRequeued() throws {
        let dir = CLI.temporaryDirectory()
        try Data(#"{"description": "x", "settings": {"batch": 0}}"#.utf8).write(to: URL(fileURLWithPath: dir + "/bad.json"))
        let bad = try CLI.run(["reproduce", "iaf", "--row", Self.row, "--preset", dir + "/bad.json", "--dir", dir + "/t"]
                              + Self.budget)
        #expect(bad.status == 1 && bad.stderr.contains("--batch must be between 1 and 100000, got 0"), "\(bad.stderr)")
        let state = try Self.json(dir + "/t/\(Self.row)/row.json")
        #expect(state["state"] as? String == "failed")
        #expect((state["message"] as? String)?.contains(dir + "/bad.json: --batch must be between") == true)

        let early = try CLI.run(["reproduce", "iaf", "--row", "iaf-diag-af", "--dir", dir + "/t", "--stop-at-step", "0"]
                                + Self.budget)
        #expect(early.status == 1 && early.stderr.contains("warned of the time limit before its first step"), "\(early.stderr)")
        #expect(try Self.json(dir + "/t/iaf-diag-af/row.json")["state"] as? String == "failed")
        let again = try CLI.run(["reproduce", "iaf", "--row", "iaf-diag-af", "--dir", dir + "/t"] + Self.budget)
        #expect(again.status == 0, "run by hand again, a failed row is tried again: \(again.stderr)")
    }

    /// `--collect` trains nothing: it evaluates a finished row whose figures are missing (the same figures), lists
    /// the rows not started, stopped or failed with why, writes the table and exits 1 naming them.
    @Test func collectEvaluatesWhatIsMissingAndListsTheRest() throws {
        let dir = CLI.temporaryDirectory(), parent = dir + "/t"
        func row(_ name: String, _ extra: [String] = []) throws -> CLI.Result {
            try CLI.run(["reproduce", "iaf", "--row", name, "--dir", parent] + Self.budget + extra)
        }
        #expect(try row(Self.row).status == 0)
        let figures = try #require(Self.bytes(parent + "/\(Self.row)/nll.json"))
        try FileManager.default.removeItem(atPath: parent + "/\(Self.row)/nll.json")
        #expect(try row("iaf-diag-af", ["--stop-at-step", "6"]).status == 75)
        try Data(#"{"description": "x", "settings": {"kk": 1}}"#.utf8).write(to: URL(fileURLWithPath: dir + "/bad.json"))
        #expect(try row("iaf-iaf-af", ["--preset", dir + "/bad.json"]).status == 1)

        let all = "iaf-diag-normal,iaf-diag-af,iaf-iaf-af,iaf-iaf-normal"
        let collect = try CLI.run(["reproduce", "iaf", "--collect", "--rows", all, "--dir", parent, "--epochs", "3",
                                   "--nll-images", "5", "--nll-k", "10"])
        #expect(collect.status == 1 && collect.stderr.contains("the table lacks 3 row(s): iaf-diag-af, iaf-iaf-af, iaf-iaf-normal"),
                "\(collect.stderr)")
        #expect(Self.bytes(parent + "/\(Self.row)/nll.json") == figures, "evaluated again, to the same figures")
        let table = try String(contentsOfFile: parent + "/table.md", encoding: .utf8)
        #expect(table.contains("| iaf-diag-normal | 3 |"), "\(table)")
        #expect(table.contains("- iaf-diag-af: not finished: epoch 1/3"), "\(table)")
        #expect(table.contains("- iaf-iaf-af: failed: \(dir)/bad.json: Unknown option '--kk'"), "\(table)")
        #expect(table.contains("- iaf-iaf-normal: not started"), "\(table)")
        #expect(!FileManager.default.fileExists(atPath: parent + "/iaf-iaf-normal"), "collect trains nothing")
        let missing = try #require(try Self.json(parent + "/table.json")["missing"] as? [[String: Any]])
        #expect(missing.map { $0["row"] as? String } == ["iaf-diag-af", "iaf-iaf-af", "iaf-iaf-normal"])
    }
}

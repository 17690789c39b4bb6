import Foundation
import Testing
@testable import vae_tui

/// `reproduce --status` against run directories in every state a row can be in, made here: done, stopped and
/// failed by real runs of the binary, running (this test's own process), interrupted (a process gone) and
/// requeued written as a Slurm task would leave them, the rest pending; squeue's view from a stand-in squeue.
@Suite struct RowStatusTests {
    static let budget = ["--epochs", "2", "--train-limit", "400", "--nll-images", "5", "--nll-k", "10"]

    /// row.json as a running row writes it.
    static func running(_ directory: String, pid: Int32, started: Double) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let state: [String: Any] = ["state": "running", "epoch": 0, "epochs": 50, "step": 0, "stepsPerEpoch": 10,
                                    "requeues": 2, "job": "77_4", "host": RowState.hostName, "pid": Int(pid), "started": started, "startStep": 0,
                                    "updated": started]
        try JSONSerialization.data(withJSONObject: state).write(to: URL(fileURLWithPath: directory + "/row.json"))
    }

    @Test func everyStateOnItsLine() throws {
        let dir = CLI.temporaryDirectory(), parent = dir + "/t"
        func row(_ name: String, _ extra: [String] = []) throws -> Int32 {
            try CLI.run(["reproduce", "iwae", "--row", name, "--dir", parent] + Self.budget + extra).status
        }
        #expect(try row("iwae-vae-k1") == 0)
        #expect(try row("iwae-iwae-k1", ["--stop-at-step", "25"]) == 75)
        try Data(#"{"description": "x", "settings": {"batch": 0}}"#.utf8).write(to: URL(fileURLWithPath: dir + "/bad.json"))
        #expect(try row("iwae-vae-k5", ["--preset", dir + "/bad.json"]) == 1)

        // Running here: 50 steps in 1,000 s, so 20 s a step, 450 steps to go.
        let now = Date().timeIntervalSince1970
        try Self.running(parent + "/iwae-iwae-k5", pid: getpid(), started: now - 1000)
        try Data(#"{"event":"epoch","epoch":5,"step":50,"seconds":12.5}"#.utf8 + [0x0A])
            .write(to: URL(fileURLWithPath: parent + "/iwae-iwae-k5/metrics.jsonl"))
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        try Self.running(parent + "/iwae-vae-k50", pid: gone.processIdentifier, started: now)

        let bin = dir + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try Data("#!/bin/sh\necho \"JOBID STATE ($*)\"\necho \"77_5 PENDING\"\n".utf8)
            .write(to: URL(fileURLWithPath: bin + "/squeue"))
        chmod(bin + "/squeue", 0o755)
        try Data(#"{"array": "77", "collect": "78"}"#.utf8).write(to: URL(fileURLWithPath: parent + "/slurm-jobs.json"))

        let status = try CLI.run(["reproduce", "iwae", "--status", "--dir", parent], environment: ["PATH": bin])
        #expect(status.status == 0, "\(status.stderr)")
        let lines = status.stdout.split(separator: "\n").map(String.init)
        func line(_ name: String) -> String { lines.first { $0.hasPrefix(name + " ") } ?? "" }
        #expect(lines.first == "reproduce iwae in \(parent): 1 done, 1 running, 1 stopped, 1 interrupted, 1 failed, 7 pending",
                "\(status.stdout)")
        #expect(line("iwae-vae-k1").contains(#/ done: NLL \d+\.\d\d after 2 epochs$/#), "\(line("iwae-vae-k1"))")
        #expect(line("iwae-iwae-k1").hasSuffix(" stopped at epoch 1/2 (step 25), its state saved: continues when run again or requeued"),
                "\(line("iwae-iwae-k1"))")
        #expect(line("iwae-vae-k5").hasSuffix(" failed: \(dir)/bad.json: --batch must be between 1 and 100000, got 0"),
                "\(line("iwae-vae-k5"))")
        #expect(line("iwae-iwae-k5").contains(#/ running: epoch 5/50, about 2:(29:5\d|30:00) left at 200 s an epoch; job 77_4, requeued 2 times$/#),
                "\(line("iwae-iwae-k5"))")
        #expect(line("iwae-vae-k50").hasSuffix(" interrupted at epoch 0/50: its process \(gone.processIdentifier) is gone; "
                                                + "continues from its last checkpoint when run again; job 77_4, requeued 2 times"),
                "\(line("iwae-vae-k50"))")
        #expect(line("iwae2-vae-k1").hasSuffix(" pending"))
        #expect(status.stdout.contains("squeue (job array 77, collect 78):\nJOBID STATE (--array --jobs 77,78 --format"),
                "\(status.stdout)")
        #expect(lines.last == "77_5 PENDING")

        let noSlurm = try CLI.run(["reproduce", "iwae", "--status", "--dir", parent], environment: ["PATH": dir])
        #expect(noSlurm.status == 0 && !noSlurm.stdout.contains("squeue"), "no squeue on PATH, no squeue section")
    }
}

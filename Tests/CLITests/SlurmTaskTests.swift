import Foundation
import Testing

/// The rows' batch script run by bash as Slurm would run a task of it (its environment, signals to the batch
/// shell), with a stand-in `scontrol` that records what it is asked: a task warned of its time limit stops its row
/// at a step boundary and requeues itself; one stopped by SIGTERM (a requeue by hand, a preemption, scancel) leaves
/// that to Slurm; restarted, each finishes with the numbers of plain `reproduce`. The real Slurm run is
/// bench/cluster/slurm-local.sh.
@Suite struct SlurmTaskTests {
    static let rows = ["iaf-diag-normal", "iaf-diag-af"]
    static let budget = ["--epochs", "6", "--train-limit", "400", "--validation", "100", "--nll-images", "5",
                         "--nll-k", "10"]

    /// A task of the script under bash, its signals unblocked as slurmstepd leaves them (a test runner may
    /// have them blocked, and bash would then never run its traps).
    final class Task {
        let process = Process()
        let log: String

        init(script: String, task: Int, restarts: Int, bin: String, log: String) throws {
            self.log = log
            guard FileManager.default.createFile(atPath: log, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            let unblock = "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
                + "os.execv('/bin/bash', ['bash', sys.argv[1]])"
            process.arguments = ["python3", "-c", unblock, script]
            var environment = CLI.environment()
            environment["PATH"] = bin + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            environment["SLURM_ARRAY_JOB_ID"] = "77"
            environment["SLURM_ARRAY_TASK_ID"] = String(task)
            environment["SLURM_JOB_ID"] = String(78 + task)
            environment["SLURM_RESTART_COUNT"] = restarts > 0 ? String(restarts) : nil
            process.environment = environment
            let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = output
            process.standardError = output
            try process.run()
        }

        /// Waits for the end (at most `seconds`), killing the script and its row past it; the exit status.
        func wait(seconds: Double = 300, row: String) -> Int32 {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { stop(row: row) }
            process.waitUntilExit()
            return process.terminationStatus
        }

        /// Ends the script and the row process it started, whatever state they are in.
        func stop(row: String) {
            if let pid = (try? SlurmTaskTests.state(row))?["pid"] as? Int { kill(pid_t(pid), SIGKILL) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }

        var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
    }

    static func state(_ rowDirectory: String) throws -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: rowDirectory + "/row.json") else { return nil }
        return try JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    /// Polls until the row is training past its first epoch (at most two minutes).
    static func waitUntilTraining(_ rowDirectory: String) throws -> Bool {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let running = (try state(rowDirectory))?["state"] as? String == "running"
            let epochs = (try? String(contentsOfFile: rowDirectory + "/metrics.jsonl", encoding: .utf8))?
                .contains(#""event":"epoch""#) ?? false
            if running && epochs { return true }
            usleep(20_000)
        }
        return false
    }

    @Test func aWarnedTaskRequeuesItselfAndATerminatedOneLeavesItToSlurm() throws {
        let dir = CLI.temporaryDirectory(), parent = dir + "/t", bin = dir + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let scontrol = bin + "/scontrol", calls = dir + "/scontrol.log"
        try Data("#!/bin/sh\necho \"$@\" >> \(calls)\n".utf8).write(to: URL(fileURLWithPath: scontrol))
        chmod(scontrol, 0o755)
        let dry = try CLI.run(["reproduce", "iaf", "--slurm", "--dry-run", "--rows", Self.rows.joined(separator: ","),
                               "--dir", parent] + Self.budget)
        #expect(dry.status == 0, "\(dry.stderr)")
        let script = try #require(dry.stdout.components(separatedBy: "# \(parent)/slurm-rows.sbatch\n").last?
            .components(separatedBy: "# \(parent)/slurm-collect.sbatch\n").first)
        try Data(script.utf8).write(to: URL(fileURLWithPath: dir + "/rows.sbatch"))
        #expect(!FileManager.default.fileExists(atPath: parent + "/slurm-rows.sbatch"), "--dry-run writes nothing")

        func run(_ task: Int, restarts: Int, signal: Int32?) throws -> (status: Int32, output: String) {
            let row = parent + "/" + Self.rows[task]
            let t = try Task(script: dir + "/rows.sbatch", task: task, restarts: restarts, bin: bin,
                             log: dir + "/task\(task)-\(restarts).out")
            defer { t.stop(row: row) }
            if let signal {
                #expect(try Self.waitUntilTraining(row), "\(t.output)")
                kill(t.process.processIdentifier, signal)
            }
            return (t.wait(row: row), t.output)
        }
        // Task 0: Slurm's warning (USR1 to the batch shell) before the time limit.
        let warned = try run(0, restarts: 0, signal: SIGUSR1)
        #expect(warned.status == 75, "\(warned.output)")
        #expect(warned.output.contains("vae-tui: task 77_0 stopped before its time limit, saved: requeued"))
        #expect((try? String(contentsOfFile: calls, encoding: .utf8)) == "requeue 77_0\n")
        let stopped = try #require(try Self.state(parent + "/" + Self.rows[0]))
        #expect(stopped["state"] as? String == "stopped" && stopped["job"] as? String == "77_0")
        let requeued = try run(0, restarts: 1, signal: nil)
        #expect(requeued.status == 0 && requeued.output.contains("(restart 1)"), "\(requeued.output)")
        let done = try #require(try Self.state(parent + "/" + Self.rows[0]))
        #expect(done["state"] as? String == "done" && done["requeues"] as? Int == 1)

        // Task 1: SIGTERM, as `scontrol requeue` or a preemption sends it: stopped and saved, no requeue of its own.
        let terminated = try run(1, restarts: 0, signal: SIGTERM)
        #expect(terminated.status == 75, "\(terminated.output)")
        #expect((try? String(contentsOfFile: calls, encoding: .utf8)) == "requeue 77_0\n", "no second requeue")
        #expect(try run(1, restarts: 1, signal: nil).status == 0)

        let plain = try CLI.run(["reproduce", "iaf", "--rows", Self.rows.joined(separator: ","), "--dir", dir + "/plain"]
                                + Self.budget)
        #expect(plain.status == 0, "\(plain.stderr)")
        for row in Self.rows {
            for file in ["checkpoint.safetensors", "nll.json"] {
                let reference = FileManager.default.contents(atPath: dir + "/plain/\(row)/" + file)
                #expect(reference != nil && FileManager.default.contents(atPath: parent + "/\(row)/" + file) == reference,
                        "\(row)/\(file): the stopped and requeued task against plain reproduce")
            }
        }
    }
}

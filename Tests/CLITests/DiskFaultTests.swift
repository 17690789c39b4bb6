import Foundation
import Testing

/// Faults 1 and 7 of the reliability checks, a few times each (bench/faults/disk_faults.py tries them by the
/// hundred in a release build): saves killed at random moments, and a full disk or an unwritable directory
/// at the start of a run and in its middle. Full disks are a /dev/full of the test's own (`fullDevice`), unwritable
/// directories are under /sys (which refuses new files even to root), and a disk that fills mid-run is a
/// file-size limit set with prlimit.
@Suite struct DiskFaultTests {
    /// A small run: two steps an epoch, a 621 kB checkpoint with the trainer's state, a 207 kB best.safetensors.
    static let small = ["--train-limit", "200", "--validation", "100", "--eval-limit", "100", "--hidden", "32", "--latent", "4"]
    static let prlimit = "/usr/bin/prlimit"

    /// The command prefix (for /usr/bin/env) that runs a program with files limited to `bytes`, and SIGXFSZ as it is by
    /// default (a test run from Python inherits it ignored), so that only vae-tui's own handling keeps it alive.
    static func limitedFileSize(_ bytes: Int) -> [String] { ["--default-signal=XFSZ", prlimit, "--fsize=\(bytes)"] }

    /// `.NAME.tmp-PID` files in `dir`: what a killed or failed save can leave.
    static func temporaries(in dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".") && $0.contains(".tmp-") }
    }

    static func contents(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// A /dev/full at `path` that only this test owns: as root, a device node of its own (a regression that renames
    /// a file over it replaces this node, not the machine's /dev/full); otherwise a link to /dev/full, which a user
    /// cannot replace.
    static func fullDevice(at path: String) throws {
        if geteuid() == 0 {
            guard mknod(path, S_IFCHR | 0o666, dev_t((1 << 8) | 7)) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } else {
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/dev/full")
        }
    }

    static func isCharacterDevice(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFCHR
    }

    /// `vae-tui fault save-loop` killed a few milliseconds into its saves (after its first one), five times: the
    /// checkpoint and the JSON file beside it always load and hold state A or B, never a mix; the only temporary
    /// files are the last killed process's, and the next save removes them.
    @Test func killedSavesLeaveTheOldStateOrTheNewAndNoPileOfTemporaryFiles() throws {
        let dir = CLI.temporaryDirectory(), file = dir + "/c.safetensors"
        for attempt in 1...5 {
            let loop = Process()
            loop.executableURL = URL(fileURLWithPath: CLI.binary)
            loop.arguments = ["fault", "save-loop", "--checkpoint", file]
            let out = Pipe()
            loop.standardOutput = out
            try loop.run()
            _ = out.fileHandleForReading.availableData   // "saved once": the files exist from here on
            let delay = UInt32.random(in: 0...20_000)
            usleep(delay)
            kill(loop.processIdentifier, SIGKILL)
            loop.waitUntilExit()

            let check = try CLI.run(["fault", "check-save", file])
            #expect(check.status == 0, "kill \(attempt) after \(delay) µs: \(check.stderr)")
            #expect(check.stdout.contains(": A, json ") || check.stdout.contains(": B, json "), "\(check.stdout)")
            let left = try Self.temporaries(in: dir).filter { !$0.hasSuffix("-\(loop.processIdentifier)") }
            #expect(left.isEmpty, "temporary files of earlier processes were not removed: \(left)")
        }
        // A stale file of a long-gone process (pid 2^22 - 1 is past the default pid_max: free) goes with the next save.
        let stale = dir + "/.c.safetensors.tmp-4194303"
        try Data("half a save".utf8).write(to: URL(fileURLWithPath: stale))
        #expect(try CLI.run(["fault", "save-loop", "--checkpoint", file, "--count", "1"]).status == 0)
        #expect(try Self.temporaries(in: dir).isEmpty)
        #expect(try CLI.run(["fault", "check-save", file]).stdout.contains(": A, json A"))
    }

    /// `--log` and `--checkpoint` on a full disk: training goes on to the end, each file is reported once, the
    /// run directory is saved, and the exit status says that not everything was.
    @Test func aFullLogAndCheckpointDoNotStopTraining() throws {
        let dir = CLI.temporaryDirectory()
        for name in ["log.jsonl", "model.safetensors"] { try Self.fullDevice(at: dir + "/" + name) }
        let r = try CLI.run(["train", "--epochs", "3", "--run-dir", dir + "/run", "--log", dir + "/log.jsonl",
                             "--checkpoint", dir + "/model.safetensors"] + Self.small)
        #expect(r.status == 1 && r.stdout.contains("epoch 3"), "status \(r.status): \(r.stderr)")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 3, "one line per file and one at the end: \(r.stderr)")
        #expect(lines.filter { $0.contains("log.jsonl: cannot write the log (No space left on device); training goes on") }.count == 1)
        #expect(lines.filter { $0.contains("model.safetensors: cannot write (No space left on device); training goes on") }.count == 1)
        #expect(r.stderr.contains("vae-tui: error: training finished, but the last write of"))
        #expect(try CLI.run(["fault", "check-save", "--any", dir + "/run/checkpoint.safetensors"]).stdout.contains("loads (step 6)"))
        #expect(Self.isCharacterDevice(dir + "/model.safetensors") && Self.isCharacterDevice(dir + "/log.jsonl"))
    }

    /// Where nothing can be written: one line and exit 1 before any training, and no half-made run directory.
    @Test(arguments: [
        (["train", "--run-dir", "/sys/vae-tui-run"], "cannot create the run directory /sys/vae-tui-run"),
        (["train", "--log", "/sys/vae-tui.jsonl", "--run-dir", "RUN"], "/sys/vae-tui.jsonl: cannot open the log file for writing"),
        (["train", "--checkpoint", "/sys/vae-tui.safetensors", "--run-dir", "RUN"], "/sys/vae-tui.safetensors: cannot write in /sys"),
        (["lab", "collapse", "--epochs", "1", "--out", "/sys/vae-tui-table"], "/sys/vae-tui-table.md: cannot write in /sys"),
        (["reproduce", "collapse", "--epochs", "1", "--dir", "/sys/vae-tui-reproduce"], "cannot create /sys/vae-tui-reproduce"),
    ])
    func anUnwritableLocationIsRefusedAtTheStart(arguments: [String], message: String) throws {
        let dir = CLI.temporaryDirectory()
        let r = try CLI.run(arguments.map { $0 == "RUN" ? dir + "/run" : $0 } + Self.small.prefix(2))
        #expect(r.status == 1 && r.stderr.contains("vae-tui: error: " + message), "status \(r.status): \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stdout.isEmpty, "nothing trained: \(r.stdout)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/run"), "a refused run leaves no directory to block the next try")
    }

    /// The disk fills after the first checkpoint (a file-size limit below the checkpoint's size): the resumed run
    /// trains on and says so, exit 1, and the checkpoint is the one it had, whole; without the limit it resumes.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: prlimit), "needs prlimit"))
    func aCheckpointThatCannotBeWrittenMidRunKeepsThePreviousOne() throws {
        let dir = CLI.temporaryDirectory(), run = dir + "/run", checkpoint = run + "/checkpoint.safetensors"
        #expect(try CLI.run(["train", "--epochs", "1", "--run-dir", run] + Self.small).status == 0)
        let saved = try #require(Self.contents(checkpoint))

        let limited = try CLI.run(Self.limitedFileSize(100_000) + [CLI.binary, "train", "--resume", run, "--epochs", "2"], executable: "/usr/bin/env")
        #expect(limited.status == 1 && limited.stdout.contains("epoch 3"), "status \(limited.status): \(limited.stderr)")
        #expect(limited.stderr.contains("checkpoint.safetensors: cannot write (File too large); training goes on"))
        #expect(Self.contents(checkpoint) == saved, "the checkpoint is the one saved before")
        #expect(try Self.temporaries(in: run).isEmpty)

        let resumed = try CLI.run(["train", "--resume", run, "--epochs", "1"])
        #expect(resumed.status == 0 && resumed.stdout.contains("resumed after epoch 1") && resumed.stdout.contains("epoch 2"))
    }

    /// A run killed after logging an epoch but before its checkpoint (simulated: the files put back as they were)
    /// trains that epoch again on `--resume`, and writes best.safetensors for it if it is the best: the run ends
    /// with the same files as one never stopped. Killed before its first checkpoint, it starts again.
    @Test func aRunKilledBetweenItsLogAndItsCheckpointResumesToTheSameFiles() throws {
        let dir = CLI.temporaryDirectory(), run = dir + "/run"
        let files = ["checkpoint.safetensors", "best.safetensors"].map { run + "/" + $0 }
        #expect(try CLI.run(["train", "--epochs", "1", "--run-dir", run] + Self.small).status == 0)
        let afterOne = files.map(Self.contents)
        #expect(try CLI.run(["train", "--resume", run, "--epochs", "1"]).status == 0)
        let afterTwo = files.map(Self.contents)
        let validation = try CLI.jsonLines(run + "/metrics.jsonl").compactMap { $0["validation_elbo"] as? Double }
        try #require(validation.count == 2 && validation[1] > validation[0], "epoch 2 is the best (\(validation)), so best.safetensors changes")

        // Killed after epoch 2's record: epoch 1's files, and a temporary file of an earlier killed save to a file that
        // is not written again (a process long gone: pid 2^22 - 1 is past the default pid_max). Resumed: epoch 2 again,
        // best.safetensors is epoch 2's, and the temporary file is gone (a run clears its directory when it starts).
        for (path, data) in zip(files, afterOne) { try #require(data).write(to: URL(fileURLWithPath: path)) }
        try Data("half a save".utf8).write(to: URL(fileURLWithPath: run + "/.config.json.tmp-4194303"))
        #expect(try CLI.run(["train", "--resume", run, "--epochs", "1"]).status == 0)
        #expect(files.map(Self.contents) == afterTwo)
        #expect(try Self.temporaries(in: run).isEmpty)

        // Killed before its first checkpoint: no checkpoint, and `--resume` trains from the start.
        for path in files { try FileManager.default.removeItem(atPath: path) }
        let again = try CLI.run(["train", "--resume", run, "--epochs", "2"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(files.map(Self.contents) == afterTwo)
    }
}

/// The dashboard's saves on a full disk: the message line says what failed, training goes on, and a run that
/// cannot be saved on quit says so once the screen is gone, exit 1, its last checkpoint as it was.
@Suite(.enabled(if: Tmux.available && FileManager.default.isExecutableFile(atPath: DiskFaultTests.prlimit), "needs tmux and prlimit"))
struct DashboardDiskFaultTests {
    @Test func theDashboardReportsFailedSavesAndKeepsTraining() throws {
        // Paths relative to the directory the dashboard runs in: short enough for the message line.
        let dir = CLI.temporaryDirectory(), run = "run", full = "full"
        try DiskFaultTests.fullDevice(at: dir + "/" + full)
        let small = "--train-limit 1000 --validation 200 --latent 4 --hidden 16"

        // The log and the s checkpoint on a full disk; the run directory is fine, and saved on quit.
        let firstStatus = dir + "/status"
        try Tmux.session("cd \(dir) && \(Tmux.bounded) \(CLI.binary) run \(small) --run-dir \(run) --log \(full) --checkpoint \(full); "
                         + "echo EXIT=$? > \(firstStatus)") { first in
            let reported = try first.waitFor("the log's failure") { $0.contains("cannot write the log (No space left on device)") }
            let step = Tmux.step(in: reported) ?? 0
            first.send("s")
            _ = try first.waitFor("the failed save") { $0.contains("save failed: \(full): cannot write (No space left on device)") }
            _ = try first.waitFor("training going on") { (Tmux.step(in: $0) ?? 0) > step + 20 }
            first.send("q")
            _ = try Tmux.waitForFile(firstStatus) { $0.contains("EXIT=0") }
        }
        let saved = try #require(FileManager.default.contents(atPath: dir + "/run/checkpoint.safetensors"))

        // Reopened with a file-size limit below the checkpoint's size: s fails, and so does the save on quit.
        let status = dir + "/limited-status", stderr = dir + "/limited-stderr"
        try Tmux.session("cd \(dir) && \(Tmux.bounded) env \(DiskFaultTests.limitedFileSize(65536).joined(separator: " ")) \(CLI.binary) "
                         + "run --resume \(run) --checkpoint model.safetensors 2> \(stderr); echo EXIT=$? > \(status)") { tmux in
            _ = try tmux.waitFor("the run reopened") { $0.contains("resumed at step") }
            tmux.send("s")
            _ = try tmux.waitFor("the failed save") {
                $0.contains("save failed: model.safetensors: cannot write (File too large); run/checkpoint.safetensors: cannot write")
            }
            tmux.send("q")
            _ = try Tmux.waitForFile(status) { $0.contains("EXIT=1") }
        }
        let message = try String(contentsOfFile: stderr, encoding: .utf8)
        #expect(message.contains("vae-tui: error: the run was not saved on quit: \(run)/checkpoint.safetensors: cannot write (File too large)"))
        #expect(message.contains("could not keep the final screen in run: run/final-screen.svg: cannot write (File too large)"))
        #expect(FileManager.default.contents(atPath: dir + "/run/checkpoint.safetensors") == saved)
        #expect(try DiskFaultTests.temporaries(in: dir + "/run").isEmpty && DiskFaultTests.temporaries(in: dir).isEmpty)
    }
}

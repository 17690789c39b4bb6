import Foundation
import Testing
@testable import LatentLab

/// AtomicFile under the faults a save meets: the temporary files of killed processes, devices such as
/// /dev/full in place of a file, a rename that fails. (Killed saves themselves: CLITests/DiskFaultTests.)
@Suite struct AtomicFileTests {
    static func directory() throws -> String {
        let dir = NSTemporaryDirectory() + "atomic-file-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A device at `path` that behaves as /dev/full (minor 7) or /dev/null (minor 3) and that only this test owns:
    /// as root, a device node of its own, so that a regression which renames over it replaces this node and not the
    /// machine's /dev/full; otherwise a link to the real one, which a user cannot replace.
    static func device(minor: UInt32, at path: String) throws {
        if geteuid() == 0 {
            guard mknod(path, S_IFCHR | 0o666, dev_t((1 << 8) | minor)) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } else {
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: minor == 7 ? "/dev/full" : "/dev/null")
        }
    }

    static func isCharacterDevice(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFCHR
    }

    /// The id of a process that has exited (and been reaped).
    static func deadProcessID() throws -> pid_t {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    /// A process killed mid-save leaves `.NAME.tmp-PID`; a new PID each time, so they would pile up. The next
    /// save to the same target removes those of dead processes, and leaves a live process's (it may be saving now).
    @Test func theNextSaveRemovesTheTemporaryFilesOfDeadProcesses() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let target = dir + "/checkpoint.safetensors"
        let dead = AtomicFile.temporaryPath(of: target, pid: try Self.deadProcessID())
        let alive = AtomicFile.temporaryPath(of: target, pid: getppid())
        let otherTarget = AtomicFile.temporaryPath(of: dir + "/best.safetensors", pid: try Self.deadProcessID())
        for path in [dead, alive, otherTarget] { try Data("half a save".utf8).write(to: URL(fileURLWithPath: path)) }

        try AtomicFile.write(Data("new".utf8), to: target)

        #expect(!FileManager.default.fileExists(atPath: dead), "a dead process's temporary file is removed")
        #expect(FileManager.default.fileExists(atPath: alive), "a live process's is kept")
        #expect(FileManager.default.fileExists(atPath: otherTarget), "another target's waits for a save to that target")
        #expect(FileManager.default.contents(atPath: target) == Data("new".utf8))
        #expect(!FileManager.default.fileExists(atPath: AtomicFile.temporaryPath(of: target, pid: getpid())))
    }

    /// A save to a device (here as /dev/full and /dev/null) writes into it: renaming a temporary file over it would
    /// replace the device with a regular file (as root, /dev/full itself).
    @Test func aDeviceIsWrittenIntoNotReplaced() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let full = dir + "/full", null = dir + "/null"
        try Self.device(minor: 7, at: full)
        try Self.device(minor: 3, at: null)

        #expect(throws: CheckpointError("\(full): cannot write (No space left on device)")) {
            try AtomicFile.write(Data("weights".utf8), to: full)
        }
        try AtomicFile.write(Data("weights".utf8), to: null)

        #expect(Self.isCharacterDevice(full) && Self.isCharacterDevice(null), "still devices")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["full", "null"], "no temporary file left")
    }

    /// A save that fails after its temporary file is written (here the rename: the target is a directory)
    /// removes the temporary file and says why.
    @Test func aFailedSaveRemovesItsTemporaryFile() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let target = dir + "/taken"
        try FileManager.default.createDirectory(atPath: target + "/inside", withIntermediateDirectories: true)
        #expect(throws: CheckpointError.self) { try AtomicFile.write(Data("x".utf8), to: target) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["taken"])
    }

    /// Up front: a missing directory, or one where no file can be made (/sys refuses even root), fails now.
    @Test func checkWritableAnswersBeforeTheWork() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.checkWritable(dir + "/fine.safetensors")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty, "the probe leaves nothing")
        #expect(throws: CheckpointError("\(dir)/no/x: directory \(dir)/no does not exist")) { try AtomicFile.checkWritable(dir + "/no/x") }
        #expect(throws: CheckpointError.self) { try AtomicFile.checkWritable("/sys/vae-tui-probe.safetensors") }
    }
}

/// A run log that cannot be written (a full disk) neither stops nor crashes the run, and says so once.
@Suite struct RunLogFaultTests {
    @Test func aLogOnAFullDiskReportsOnceAndTrainingGoesOn() throws {
        let dir = try AtomicFileTests.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/metrics.jsonl"
        try AtomicFileTests.device(minor: 7, at: path)
        let log = try RunLog(path: path)
        var changes: [CheckpointError?] = []
        log.onFailureChange = { changes.append($0) }
        for step in 1...3 { log.write([("step", .int(step))]) }   // Foundation's legacy write(_:) would trap here
        #expect(changes == [CheckpointError("\(path): cannot write the log (No space left on device)")])
        #expect(log.failure != nil)
    }

    /// A log whose file cannot be opened is an error at once, with the reason.
    @Test func aLogThatCannotBeOpenedIsAnErrorAtTheStart() throws {
        // /sys refuses new files even to root: "Permission denied", or "Read-only file system" where it is mounted so.
        let error = #expect(throws: CheckpointError.self) { try RunLog(path: "/sys/vae-tui.jsonl") }
        #expect(error?.description.hasPrefix("/sys/vae-tui.jsonl: cannot open the log file for writing (") == true)
    }
}

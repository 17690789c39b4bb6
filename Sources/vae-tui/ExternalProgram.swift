import Foundation

/// Other programs vae-tui runs (Slurm's sbatch and squeue): found on PATH, run to completion, their output read.
enum ExternalProgram {
    /// `name`'s path on PATH, nil when it is not there.
    static func find(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Where a program's standard error goes: read back (small outputs only: it is read after standard output),
    /// shown on vae-tui's own (a long run's progress), or dropped.
    enum ErrorOutput { case captured, shown, discarded }

    /// Runs `path` with `arguments` to its end: its status and what it wrote (sbatch's, squeue's, the PyTorch
    /// reference's).
    static func run(_ path: String, _ arguments: [String], errors: ErrorOutput = .captured) throws
        -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        switch errors {
        case .captured: process.standardError = err
        case .shown: break
        case .discarded: process.standardError = FileHandle.nullDevice
        }
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw UserError("cannot run \(path): \(error.localizedDescription)")
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors == .captured ? err.fileHandleForReading.readDataToEndOfFile() : Data()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self),
                String(decoding: stderr, as: UTF8.self))
    }

    /// This binary's own path, absolute: what a batch script runs on the nodes.
    static var ownPath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}

import Foundation

/// Runs the built `vae-tui` binary (the debug build `swift test` makes beside the tests).
enum CLI {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary beside the running test bundle first, so `swift test --scratch-path DIR` tests its own build.
    static var binary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("vae-tui").path
        let candidates = [beside] + [".build/debug/vae-tui", ".build/release/vae-tui"].map { packageRoot.appendingPathComponent($0).path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The environment the binary gets: this process's, without the data the user or CI points at
    /// ($VAE_TUI_DATA, or MNIST fetched into the cache), so a test that names no data trains on the built-in
    /// shapes wherever it runs; then `changes`, where a nil value removes the variable.
    static func environment(_ changes: [String: String?] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["VAE_TUI_DATA"] = nil
        env["XDG_CACHE_HOME"] = testRoot + "/no-cache"
        for (name, value) in changes { env[name] = value }
        return env
    }

    /// The longest one command may take: then it is killed, and its status is SIGKILL's.
    static let limitSeconds = 600.0

    /// Runs `executable` (the binary unless told) to completion, or kills it after `limitSeconds`; output goes
    /// through files so a chatty child never blocks on a full pipe. `environment` changes the child's
    /// environment (`environment(_:)`): a nil value removes the variable. It runs in `directory`, else a fresh folder.
    static func run(_ arguments: [String], executable: String = binary, environment: [String: String?] = [:],
                    directory: String? = nil) throws -> Result {
        let dir = temporaryDirectory()
        let outPath = dir + "/stdout", errPath = dir + "/stderr"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? dir)   // a run's default directory lands here
        process.arguments = arguments
        process.environment = Self.environment(environment)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try process.run()
        let deadline = Date().addingTimeInterval(limitSeconds)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// A fresh directory under this test process's own folder, which is removed when the process exits.
    static func temporaryDirectory() -> String {
        let dir = testRoot + "/" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Parses one JSON object per line.
    static func jsonLines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }
}

private let testRoot: String = {
    atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "vae-tui-cli-tests-\(getpid())") }
    return NSTemporaryDirectory() + "vae-tui-cli-tests-\(getpid())"
}()

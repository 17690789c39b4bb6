import Foundation

/// Runs the built `vae-tui` binary (the debug build `swift test` makes beside the tests).
enum CLI {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mnist = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/mnist").path

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

    /// Runs to completion; output goes through files so a chatty child never blocks on a full pipe.
    /// `environment` changes this process's environment for the child: a nil value removes the variable.
    /// `executable` runs another copy of the binary; `directory` is where it runs (default: a fresh folder).
    static func run(_ arguments: [String], environment: [String: String?] = [:], executable: String? = nil,
                    directory: String? = nil) throws -> Result {
        let dir = temporaryDirectory()
        let outPath = dir + "/stdout", errPath = dir + "/stderr"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable ?? binary)
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? dir)   // a run's default directory lands here
        process.arguments = arguments
        var env = isolated
        for (name, value) in environment { env[name] = value }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return Result(status: process.terminationStatus,
                      stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// This process's environment without the data a user (or CI) set up: commands given no --data read the
    /// built-in shapes, as on a fresh machine, unless a test names the data.
    static var isolated: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["VAE_TUI_DATA"] = nil
        env["XDG_CACHE_HOME"] = testRoot + "/no-cache"
        return env
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

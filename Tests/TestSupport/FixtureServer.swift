import Foundation

/// fixture_server.py (beside this file) serving a directory on 127.0.0.1, for as long as the test holds it:
/// `stop()` (call it in a `defer`) kills it and waits, so no server outlives its test.
public final class FixtureServer {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("fixture_server.py").path

    let process = Process()
    public let port: Int
    let log: String

    /// Serves `directory`, logging requests to a file beside it.
    public init(serving directory: String) throws {
        log = directory + ".requests.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, directory, log]
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let more = output.fileHandleForReading.availableData
            if more.isEmpty { break }
            line += more
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw FixtureServerError.didNotStart
        }
        self.port = port
    }

    /// A mirror's base URL: `http://127.0.0.1:PORT/good/`.
    public func url(_ mode: String) -> String { "http://127.0.0.1:\(port)/\(mode)/" }

    /// The requests so far, one `PATH RANGE` a line.
    public var requests: [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }

    /// A port on 127.0.0.1 nothing listens on (bound, then closed again): a mirror that refuses.
    public static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw FixtureServerError.didNotStart }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

public enum FixtureServerError: Error { case didNotStart }

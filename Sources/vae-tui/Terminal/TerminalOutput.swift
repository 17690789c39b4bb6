import Foundation
import LatentLab

/// Writes to the terminal's streams.
enum Terminal {
    /// A line on stderr, after what stdout holds (so that a log of both keeps their order); a stderr that cannot
    /// be written (a full disk) is no reason to stop.
    static func error(_ line: String) {
        fflush(nil)
        try? FileHandle.standardError.write(contentsOf: Data((line + "\n").utf8))
    }

    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// A duration for people: 42s, 3:07, 1:02:09.
    static func duration(_ seconds: Double) -> String {
        let s = Int(max(0, seconds).rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%d:%02d", s / 60, s % 60) }
        return String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
    }

    /// A one-line progress bar on stderr, redrawn in place; nothing when stderr is not a terminal.
    static func progress(_ label: String, done: Int, total: Int, extra: String = "") {
        guard stderrIsTerminal else { return }
        let width = 30
        let filled = total > 0 ? min(width, done * width / total) : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = "\r\(label) \(bar) \(done)/\(total) \(extra)\u{1B}[K"
        try? FileHandle.standardError.write(contentsOf: Data(line.utf8))
    }

    static func clearProgress() {
        guard stderrIsTerminal else { return }
        try? FileHandle.standardError.write(contentsOf: Data("\r\u{1B}[K".utf8))
    }
}

/// An error in words for a message: ours (a save that failed) by their own description, which names the file and
/// the reason, Foundation's by its sentence. (`localizedDescription` of ours says only "error 1".)
func describe(_ error: any Error) -> String {
    (error as? CheckpointError)?.description ?? error.localizedDescription
}

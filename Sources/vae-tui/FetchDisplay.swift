import DataFetch
import Foundation
import Synchronization

/// How `data fetch` shows its progress on stderr: on a terminal a bar redrawn in place (bytes, rate, time left),
/// otherwise one line per file and per failed mirror, for logs.
final class FetchDisplay: Sendable {
    let onTerminal: Bool
    /// When the current download began, and from how many bytes, for its rate; the last redraw, to draw at most
    /// ten times a second. Events come from URLSession's queue.
    private let state = Mutex<(start: Date, from: Int, drawn: Date)>((Date(), 0, .distantPast))
    static let redrawInterval = 0.1
    static let barWidth = 24

    init(onTerminal: Bool) { self.onTerminal = onTerminal }

    func show(_ event: FetchEvent) {
        switch event {
        case .present(let file, let bytes):
            line("\(file): already here, verified (\(ByteCount.text(bytes)))")
        case .trying(let file, let url, let resumeAt):
            state.withLock { $0 = (Date(), resumeAt, .distantPast) }
            if !onTerminal {
                line("\(file): from \(url)" + (resumeAt > 0 ? ", going on after \(ByteCount.text(resumeAt))" : ""))
            }
        case .progress(let file, let bytes, let total):
            guard onTerminal else { return }
            let (start, from, due) = state.withLock { s -> (Date, Int, Bool) in
                let now = Date()
                let due = now.timeIntervalSince(s.drawn) >= Self.redrawInterval || bytes == total
                if due { s.drawn = now }
                return (s.start, s.from, due)
            }
            guard due else { return }
            bar(file, bytes: bytes, total: total,
                rate: Double(bytes - from) / max(1e-3, Date().timeIntervalSince(start)))
        case .failed(let file, let url, let reason):
            line("\(file): \(url): \(reason)")
        case .placed(let file, _, let bytes, let seconds):
            line("\(file): \(ByteCount.text(bytes)) in \(String(format: "%.1f", seconds)) s, MD5 verified")
        }
    }

    /// Ends a bar left on the line, so what follows starts on a fresh one.
    func finishLine() { if onTerminal { write("\r\u{1B}[K") } }

    private func bar(_ file: String, bytes: Int, total: Int?, rate: Double) {
        var text = "\r\(file) "
        if let total, total > 0 {
            let filled = min(Self.barWidth, bytes * Self.barWidth / total)
            text += String(repeating: "█", count: filled) + String(repeating: "·", count: Self.barWidth - filled)
            text += " \(ByteCount.text(bytes))/\(ByteCount.text(total))"
            if rate > 0 { text += ", \(Terminal.duration(Double(total - bytes) / rate)) left" }
        } else {
            text += ByteCount.text(bytes)
        }
        write(text + ", \(ByteCount.text(Int(rate)))/s\u{1B}[K")
    }

    private func line(_ text: String) { write((onTerminal ? "\r\u{1B}[K" : "") + text + "\n") }

    private func write(_ text: String) { try? FileHandle.standardError.write(contentsOf: Data(text.utf8)) }
}

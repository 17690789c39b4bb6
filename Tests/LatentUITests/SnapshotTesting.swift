import Foundation
import Testing
import LatentUI

/// Text snapshots of rendered canvases, stored in Tests/LatentUITests/Snapshots/NAME.txt.
///
/// A missing snapshot is recorded and the test fails once, asking for a look; set
/// VAE_TUI_RECORD=1 to re-record every snapshot after an intended change.
func assertSnapshot(_ canvas: Canvas, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    let file = directory.appendingPathComponent("\(name).txt")
    let actual = canvas.text + "\n"
    let record = ProcessInfo.processInfo.environment["VAE_TUI_RECORD"] == "1"
    guard !record, let expected = try? String(contentsOf: file, encoding: .utf8) else {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try? actual.write(to: file, atomically: true, encoding: .utf8)
        if !record { Issue.record("recorded a new snapshot \(name).txt: look at it and run again", sourceLocation: sourceLocation) }
        return
    }
    if expected != actual {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let line = zip(e, a).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(e.count, a.count)
        Issue.record("""
            snapshot \(name) differs at line \(line + 1):
            expected: \(line < e.count ? String(e[line]) : "<end>")
            actual:   \(line < a.count ? String(a[line]) : "<end>")
            (VAE_TUI_RECORD=1 swift test re-records)
            """, sourceLocation: sourceLocation)
    }
}

/// The foreground colour of each cell as one character, for tests that must see colour:
/// '.' for the default, 'r' red, 'g' green, 'y' yellow, 'b' blue, 'm' magenta, 'c' cyan, 'w' white
/// (upper case for the bright variants), '#' for greys.
func colorMap(_ canvas: Canvas) -> String {
    func code(_ c: Color) -> Character {
        switch c {
        case .standard: "."
        case .black: "k"
        case .red: "r"
        case .green: "g"
        case .yellow: "y"
        case .blue: "b"
        case .magenta: "m"
        case .cyan: "c"
        case .white: "w"
        case .brightBlack: "K"
        case .brightRed: "R"
        case .brightGreen: "G"
        case .brightYellow: "Y"
        case .brightBlue: "B"
        case .brightMagenta: "M"
        case .brightCyan: "C"
        case .brightWhite: "W"
        case .grey: "#"
        }
    }
    return (0..<canvas.height).map { y in String((0..<canvas.width).map { code(canvas[$0, y].style.foreground) }) }
        .joined(separator: "\n")
}

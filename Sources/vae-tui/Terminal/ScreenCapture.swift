import Foundation
import LatentLab
import LatentUI

/// S on every screen: the frame on screen saved as an SVG picture and as text, side by side.
enum ScreenCapture {
    /// The key, the same on the dashboard and in every demo.
    static let key = Key.character("S")
    /// How long the "saved" notice stays over the bottom line.
    static let noticeSeconds = 3.0
    /// The dashboard's last frame, kept in the run directory on quit.
    static let finalName = "final-screen"

    /// Writes `<directory>/<name>.svg` and `.txt` atomically; returns the SVG's path.
    @discardableResult
    static func save(_ canvas: Canvas, directory: String, name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let base = directory + "/" + name
        try AtomicFile.write(Data(SVG.render(canvas).utf8), to: base + ".svg")
        try AtomicFile.write(Data((canvas.text + "\n").utf8), to: base + ".txt")
        return base + ".svg"
    }

    /// A new name for a screenshot: `screen-<date>-<time>`, with a count when two fall in one second.
    static func newName(in directory: String, now: Date = Date()) -> String {
        let format = DateFormatter()
        format.dateFormat = "yyyyMMdd-HHmmss"
        format.timeZone = TimeZone(identifier: "UTC")
        let stem = "screen-" + format.string(from: now)
        var name = stem, n = 1
        while FileManager.default.fileExists(atPath: directory + "/" + name + ".svg") {
            n += 1
            name = "\(stem)-\(n)"
        }
        return name
    }
}

extension CursesScreen {
    /// Saves the last painted frame into `captureDirectory` and shows where it went (or why it could not).
    func captureLastFrame() {
        let directory = captureDirectory
        guard let frame = lastFrame else { return }
        do {
            let path = try ScreenCapture.save(frame, directory: directory, name: ScreenCapture.newName(in: directory))
            show(notice: "saved \(path) and .txt")
        } catch {
            show(notice: "could not save the screen in \(directory): \(describe(error))")
        }
    }
}

import Foundation
import LatentLab

/// The top line: what is training, where it is, and how fast.
public struct StatusLine: Widget {
    public var snapshot: Snapshot
    public init(_ snapshot: Snapshot) { self.snapshot = snapshot }

    public func render(into canvas: inout Canvas, rect: Rect) { Self.draw(snapshot, into: &canvas, rect: rect) }

    public static func draw(_ s: Snapshot, into canvas: inout Canvas, rect: Rect) {
        let state = s.running ? "▶ running" : "⏸ paused"
        let room = rect.width - state.unicodeScalars.count - 2
        let text = candidates(s).first { $0.unicodeScalars.count <= room } ?? candidates(s).last!
        bar(text, state: state, running: s.running, into: &canvas, rect: rect)
    }

    /// The widest first: the full model, then its short name; then, narrower, the fields that matter least
    /// go one by one (the dataset, the epoch, the objective the knobs also show, the seed, the speed), so the
    /// program's and the model's names stay, with the step.
    static func candidates(_ s: Snapshot) -> [String] {
        let objective = "\(s.settings.kind == .elbo ? "ELBO" : "IWAE") k=\(s.settings.k)"
        let rest = [objective, "step \(s.step)", String(format: "epoch %.2f", s.epoch),
                    "\(Int(plotting: s.samplesPerSecond)) img/s", "seed \(s.seed)"]
        let full = ["vae-tui", s.dataset, s.modelDescription] + rest
        // Each field of the short line with the round it is dropped in (nil: kept to the end).
        let fields: [(text: String, dropRound: Int?)] = [
            ("vae-tui", nil), (s.dataset, 1), (s.modelSummary, nil), (objective, 3), (rest[1], nil),
            (rest[2], 2), (rest[3], 5), (rest[4], 4),
        ]
        let rounds = fields.compactMap(\.dropRound).max() ?? 0
        let narrower = (0...rounds).map { round in
            " " + fields.filter { ($0.dropRound ?? Int.max) > round }.map(\.text).joined(separator: " │ ")
        }
        return [" " + full.joined(separator: "  │  ")] + narrower
    }

    /// The blue top line every screen shares: `text` from the left, clipped so it never runs under `state`
    /// (running in green, paused in yellow) at the right.
    public static func bar(_ text: String, state: String, running: Bool, into canvas: inout Canvas, rect: Rect) {
        let barStyle = Style(.brightWhite, background: .blue)
        canvas.fill(Rect(x: rect.x, y: rect.y, width: rect.width, height: 1), style: barStyle)
        let badge = state + " "
        canvas.put(text, x: rect.x, y: rect.y, style: barStyle,
                   clip: Rect(x: rect.x, y: rect.y, width: rect.width - badge.unicodeScalars.count - 1, height: 1))
        canvas.putRight(badge, right: rect.maxX, y: rect.y,
                        style: Style(running ? .brightGreen : .brightYellow, background: .blue, bold: true), clip: rect)
    }
}

import Foundation
import LatentLab

/// The top line: what is training, where it is, and how fast.
public enum StatusLine {
    public static func draw(_ s: Snapshot, into canvas: inout Canvas, rect: Rect) {
        let state = s.running ? "▶ running" : "⏸ paused"
        let objective = "\(s.settings.kind == .elbo ? "ELBO" : "IWAE") k=\(s.settings.k)"
        let rest = [objective, "step \(s.step)", String(format: "epoch %.2f", s.epoch),
                    "\(Int(s.samplesPerSecond.rounded())) img/s", "seed \(s.seed)"]
        // The widest that fits: the full model, a short one, then without the program's name, then no model.
        let candidates = [
            (["vae-tui", s.dataset, s.modelDescription] + rest, "  │  "),
            (["vae-tui", s.dataset, s.modelSummary] + rest, " │ "),
            ([s.dataset, s.modelSummary] + rest, " │ "),
            ([s.dataset] + rest, " │ "),
        ].map { " " + $0.0.joined(separator: $0.1) }
        let text = candidates.first { $0.unicodeScalars.count + state.unicodeScalars.count + 2 <= rect.width } ?? candidates.last!
        bar(text, state: state, running: s.running, into: &canvas, rect: rect)
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

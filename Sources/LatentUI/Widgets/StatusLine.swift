import Foundation
import LatentLab

/// The top line: what is training, where it is, and how fast.
public enum StatusLine {
    public static func draw(_ s: Snapshot, into canvas: inout Canvas, rect: Rect) {
        canvas.fill(Rect(x: rect.x, y: rect.y, width: rect.width, height: 1), style: Style(.brightWhite, background: .blue))
        let state = s.running ? "▶ running" : "⏸ paused"
        let objective = "\(s.settings.kind == .elbo ? "ELBO" : "IWAE") k=\(s.settings.k)"
        let parts = [
            "vae-tui", s.dataset, "z\(s.latentSize) diag-Gauss q · N(0,I) prior · Bernoulli p(x|z)", objective,
            "step \(s.step)", String(format: "epoch %.2f", s.epoch), "\(Int(s.samplesPerSecond.rounded())) img/s", "seed \(s.seed)",
        ]
        // When the line is too narrow, the model description goes first, then the program's name.
        var text = " " + parts.joined(separator: "  │  ")
        for dropped in [[2], [0, 2]] where text.unicodeScalars.count + state.unicodeScalars.count + 2 > rect.width {
            text = " " + parts.enumerated().filter { !dropped.contains($0.offset) }.map(\.element).joined(separator: " │ ")
        }
        let barStyle = Style(.brightWhite, background: .blue)
        canvas.put(text, x: rect.x, y: rect.y, style: barStyle, clip: rect)
        canvas.putRight(state + " ", right: rect.maxX, y: rect.y,
                        style: Style(s.running ? .brightGreen : .brightYellow, background: .blue, bold: true), clip: rect)
    }
}

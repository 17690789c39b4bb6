import Foundation
import LatentLab

/// `vae-tui demo enumerate`: bars of the true posterior p(z|x) with q(z|x) drawn beside or over them,
/// the sampled z_i marked beneath, the exact log p(x), ELBO and gap, and L_k climbing towards log p(x).
///
/// Layout: the status line, the bars across the full width, then the numbers and L_k table with (from
/// 104 columns) a chart of L_k against log k beside them, and one line of keys (short enough for 80).
public enum EnumerationScreen {
    /// The numbers box without its explanation lines: borders, the exact numbers, a header, the ladder.
    static let numbersHeight = EnumerationDemo.ladder.count + 4
    /// From this width the L_k chart sits beside the numbers.
    static let chartMinimumWidth = 104

    public static func render(_ demo: EnumerationDemo, running: Bool, width: Int, height: Int) -> Canvas {
        guard width >= Overlays.minimumWidth && height >= Overlays.minimumHeight else {
            return Overlays.tooSmall(width: width, height: height)
        }
        var c = Canvas(width: width, height: height)
        statusLine(demo, running: running, into: &c, width: width)
        let body = Rect(x: 0, y: 1, width: width, height: height - 2)
        // Tall screens give the lower boxes room for the explanation and a taller chart.
        let lowerHeight = height >= 30 ? max(numbersHeight, body.height * 2 / 5) : numbersHeight
        let rows = Layout.rows(body, [.fill(), .length(lowerHeight)])
        drawBars(demo, into: &c, rect: rows[0])
        let chartWidth = width >= chartMinimumWidth ? max(32, width * 2 / 5) : 0
        let lower = Layout.columns(rows[1], [.fill(), .length(chartWidth)])
        drawNumbers(demo, into: &c, rect: lower[0])
        if chartWidth > 0 { drawCurve(demo, into: &c, rect: lower[1]) }
        c.put(" " + DemoKey.footer(EnumerationKeys.keys), x: 0, y: height - 1, style: .dim)
        return c
    }

    /// K, step, what is trained and the learning rate; running or paused on the right.
    static func statusLine(_ d: EnumerationDemo, running: Bool, into c: inout Canvas, width: Int) {
        let text = [" marginal by enumeration", "K=\(d.states)", "step \(d.step)",
                    d.trainModel ? "training q and p" : "training q only", "lr \(d.learningRate)"]
            .joined(separator: " │ ")
        StatusLine.bar(text, state: running ? "▶ running" : "⏸ paused", running: running, into: &c,
                       rect: Rect(x: 0, y: 0, width: width, height: 1))
    }

    /// Writes coloured pieces one after another from (x, y).
    static func putPieces(_ pieces: [(String, Style)], x: Int, y: Int, into c: inout Canvas, clip: Rect? = nil) {
        var x = x
        for (text, style) in pieces {
            c.put(text, x: x, y: y, style: style, clip: clip)
            x += text.unicodeScalars.count
        }
    }
}

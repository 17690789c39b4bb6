import Foundation
import LatentLab

/// `vae-tui demo enumerate`: bars of the true posterior p(z|x) with q(z|x) drawn over them, the
/// sampled z_i marked beneath, the exact log p(x), ELBO and gap, and L_k climbing towards log p(x).
public enum EnumerationScreen {
    public static let keys: [(keys: String, action: String)] = [
        ("n / N", "one step / ten steps"), ("space", "run / pause"), ("m", "train p(x,z) too / q only"),
        ("c", "K = 4 / K = 100"), ("r", "restart with a new seed"), ("q / Esc", "back"),
    ]

    public static func render(_ demo: EnumerationDemo, running: Bool, width: Int, height: Int) -> Canvas {
        guard width >= Overlays.minimumWidth && height >= Overlays.minimumHeight else {
            return Overlays.tooSmall(width: width, height: height)
        }
        var c = Canvas(width: width, height: height)
        let bar = Style(.brightWhite, background: .blue)
        c.fill(Rect(x: 0, y: 0, width: width, height: 1), style: bar)
        c.put(" demo: marginal by enumeration │ K=\(demo.states) │ step \(demo.step) │ "
              + (demo.trainModel ? "training q and p" : "training q only") + " │ lr \(demo.learningRate)", x: 0, y: 0, style: bar)
        c.putRight((running ? "▶ running" : "⏸ paused") + " ", right: width, y: 0,
                   style: Style(running ? .brightGreen : .brightYellow, background: .blue, bold: true))

        let numbersHeight = EnumerationDemo.ladder.count + 7
        let bars = Rect(x: 0, y: 1, width: width, height: height - 2 - numbersHeight)
        drawBars(demo, into: &c, rect: bars)
        drawNumbers(demo, into: &c, rect: Rect(x: 0, y: bars.maxY, width: width, height: numbersHeight))
        c.put(keys.map { "\($0.keys) \($0.action)" }.joined(separator: " · "), x: 1, y: height - 1, style: .dim)
        return c
    }

    /// One column group per z: p(z|x) as a blue bar, q(z|x) as a yellow bar (or a yellow mark on the
    /// blue one when K is too large for two columns), and ▲ under each z drawn for L_k.
    static func drawBars(_ d: EnumerationDemo, into c: inout Canvas, rect r: Rect) {
        let title = "p(z|x) █ true posterior · q(z|x) █ · ▲ z_i ~ q drawn this step"
        c.box(r, title: title)
        // Colour the two legend blocks (the title starts after "┌ " and a space).
        let blocks = title.unicodeScalars.enumerated().filter { $0.element == "█" }.map(\.offset)
        for (offset, color) in zip(blocks, [Color.brightBlue, .brightYellow]) { c.put("█", x: r.x + 3 + offset, y: r.y, style: Style(color)) }
        let inner = Rect(x: r.x + 6, y: r.y + 1, width: r.width - 8, height: r.height - 4)
        let p = d.truePosterior, q = d.posterior
        let group = min(8, inner.width / d.states)
        guard group >= 1, inner.height >= 2 else { return }
        func height(_ v: Double) -> Int { Int((v * Double(inner.height)).rounded()) }
        for y in 0..<inner.height {
            let level = 1 - Double(y) / Double(inner.height)
            if y % max(1, inner.height / 4) == 0 { c.putRight(String(format: "%.2f", level), right: inner.x - 1, y: inner.y + y, style: .dim) }
        }
        c.putRight("0", right: inner.x - 1, y: inner.maxY - 1, style: .dim)
        for z in 0..<d.states {
            let x0 = inner.x + z * group
            let pw = group >= 2 ? (group - 1 + 1) / 2 : 1
            for y in 0..<height(p[z]) { for i in 0..<pw { c[x0 + i, inner.maxY - 1 - y] = Cell("█", Style(.brightBlue)) } }
            if group >= 2 {
                for y in 0..<height(q[z]) { for i in pw..<max(pw + 1, group - 1) { c[x0 + i, inner.maxY - 1 - y] = Cell("█", Style(.brightYellow)) } }
            } else {
                let h = height(q[z])
                c[x0, inner.maxY - 1 - min(h, inner.height - 1)] = Cell(h > 0 ? "▀" : "▁", Style(.brightYellow))
            }
            if d.samples.contains(z) { c[x0, inner.maxY] = Cell("▲", Style(.brightRed)) }
            if d.states <= 10 || z % 10 == 0 { c.put("\(z)", x: x0, y: inner.maxY + 1, style: .dim) }
        }
    }

    /// x itself, the exact numbers, and L_k for the ladder of k as bars from the ELBO to log p(x).
    static func drawNumbers(_ d: EnumerationDemo, into c: inout Canvas, rect r: Rect) {
        c.box(r, title: "exact log p(x) = log Σ_z p(x,z) against the bounds · nats")
        for row in 0..<4 {
            let cells = (0..<4).map { d.x[row * 4 + $0] > 0.5 ? "██" : "··" }.joined()
            c.put(cells, x: r.x + 2, y: r.y + 2 + row)
        }
        c.put("x", x: r.x + 5, y: r.y + 1, style: .dim)
        let left = r.x + 13
        let logPx = d.logMarginal, elbo = d.elbo
        c.put(String(format: "log p(x) %9.4f   ELBO %9.4f   gap KL(q‖p(z|x)) %.4f", logPx, elbo, logPx - elbo), x: left, y: r.y + 1, style: .title)
        let barWidth = max(4, r.maxX - left - 40)
        for (i, k) in EnumerationDemo.ladder.enumerated() where i < d.bounds.count {
            let value = d.bounds[i]
            let fraction = logPx - elbo > 1e-9 ? max(0, min(1, (value - elbo) / (logPx - elbo))) : 1
            let filled = Int((fraction * Double(barWidth)).rounded())
            let y = r.y + 2 + i
            let error = i < d.standardErrors.count ? d.standardErrors[i] : 0
            c.put(String(format: "L_%-5d %9.4f ±%.4f %8.4f ", k, value, error, value - logPx), x: left, y: y)
            c.put(String(repeating: "█", count: filled), x: left + 36, y: y, style: Style(.brightGreen))
            c.put(String(repeating: "·", count: barWidth - filled), x: left + 36 + filled, y: y, style: .dim)
            c.put("│", x: left + 36 + barWidth, y: y, style: Style(.brightMagenta))
        }
        c.put("k      L_k       ± s.e.  L_k − log p(x)  bar: ELBO → log p(x) │", x: left, y: r.y + 2 + EnumerationDemo.ladder.count, style: .dim)
    }
}

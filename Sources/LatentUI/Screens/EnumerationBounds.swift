import Foundation
import LatentLab

/// The lower half of the enumeration demo: x, the exact numbers, the L_k table with bars from the ELBO
/// to log p(x), and a chart of L_k against log k under a dashed log p(x): the curve climbing to the truth.
extension EnumerationScreen {
    static let horizontalBlocks: [Unicode.Scalar] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]
    static let boundStyle = Style(.brightGreen)
    static let marginalStyle = Style(.brightMagenta)
    /// What the table shows, for the rows left over on tall screens.
    static let notes = [
        "gap = log p(x) − ELBO = KL(q(z|x) ‖ p(z|x))",
        "L_k = E log (1/k) Σ_i p(x,z_i)/q(z_i|x), z_i ~ q(z|x)",
        "L_1 = ELBO ≤ L_k ≤ log p(x), rising to it as k grows",
        "each L_k: \(EnumerationDemo.samplesPerK)/k groups of k draws from one pool ± s.e.",
    ]

    static func drawNumbers(_ d: EnumerationDemo, into c: inout Canvas, rect r: Rect) {
        c.box(r, title: "exact log p(x) = log Σ_z p(x,z) against the bounds · nats")
        let inner = r.inset(1)
        c.put("x", x: r.x + 5, y: r.y + 1, style: .dim)
        for row in 0..<4 {
            c.put((0..<4).map { d.x[row * 4 + $0] > 0.5 ? "██" : "··" }.joined(), x: r.x + 2, y: r.y + 2 + row)
        }
        let left = r.x + 12
        let logPx = d.logMarginal, elbo = d.elbo
        c.put(String(format: "log p(x) %.4f   ELBO %.4f   gap %.4f", logPx, elbo, logPx - elbo),
              x: left, y: r.y + 1, style: .title, clip: inner)
        // "L_1000" | L_k | ± s.e. | L_k − log p(x) | the bar
        let barX = left + 39, barWidth = inner.maxX - barX
        c.put("k".padded(to: 7) + "L_k".leftPadded(to: 10) + " ± s.e." + "L_k−log p(x)".leftPadded(to: 14),
              x: left, y: r.y + 2, style: .dim, clip: inner)
        if barWidth >= 14 {
            c.put("ELBO", x: barX, y: r.y + 2, style: .dim)
            c.putRight("log p(x)", right: inner.maxX, y: r.y + 2, style: .dim)
        }
        for (i, k) in EnumerationDemo.ladder.enumerated() where i < d.bounds.count {
            let bound = d.bounds[i], y = r.y + 3 + i
            let error = i < d.standardErrors.count ? d.standardErrors[i] : 0
            c.put(String(format: "L_%-5d%10.4f ±%.4f %12.4f", k, bound, error, bound - logPx),
                  x: left, y: y, clip: inner)
            let fraction = logPx - elbo > 1e-9 ? max(0, min(1, (bound - elbo) / (logPx - elbo))) : 1
            horizontalBar(fraction, x: barX, y: y, width: barWidth, into: &c)
        }
        for (i, note) in notes.enumerated() {
            c.put(note, x: r.x + 2, y: r.y + 3 + EnumerationDemo.ladder.count + i, style: .dim, clip: inner)
        }
    }

    /// `fraction` of `width` cells in eighths, the rest dotted.
    static func horizontalBar(_ fraction: Double, x: Int, y: Int, width: Int, into c: inout Canvas) {
        guard width > 0 else { return }
        let eighths = Int(plotting: fraction * Double(width * 8))
        for i in 0..<width {
            let filled = eighths - i * 8
            c[x + i, y] = filled > 0 ? Cell(horizontalBlocks[min(8, filled) - 1], boundStyle) : Cell("·", .dim)
        }
    }

    /// L_k at each k of the ladder, k on a log axis, and log p(x) dashed across: the curve climbs to it.
    static func drawCurve(_ d: EnumerationDemo, into c: inout Canvas, rect r: Rect) {
        c.box(r, title: "L_k against k (log scale) · nats")
        let inner = r.inset(1)
        putPieces([("━", boundStyle), (" L_k   ", .plain), ("╌", marginalStyle), (" log p(x)", .plain)],
                  x: inner.x + 1, y: inner.y, into: &c, clip: inner)
        let labelWidth = 9
        let plot = Rect(x: inner.x + labelWidth, y: inner.y + 1, width: inner.width - labelWidth - 1,
                        height: inner.height - 2)
        guard plot.width >= 4, plot.height >= 2, let lowest = d.bounds.min(), let highest = d.bounds.max() else {
            return
        }
        let logPx = d.logMarginal
        var low = min(lowest, d.elbo), high = max(highest, logPx)
        let pad = max(1e-4, (high - low) * 0.08)
        low -= pad
        high += pad
        var grid = BrailleGrid(cellWidth: plot.width, cellHeight: plot.height)
        let largest = Double(EnumerationDemo.ladder.last!)
        func dotX(_ k: Int) -> Int {
            Int(plotting: Foundation.log(Double(k)) / Foundation.log(largest) * Double(grid.dotWidth - 1))
        }
        func dotY(_ v: Double) -> Int { Int(plotting: (high - v) / (high - low) * Double(grid.dotHeight - 1)) }
        for x in 0..<grid.dotWidth where x % 4 < 2 { grid.set(x, dotY(logPx), color: marginalStyle.foreground) }
        var previous: (Int, Int)?
        for (k, bound) in zip(EnumerationDemo.ladder, d.bounds) {
            let point = (dotX(k), dotY(bound))
            if let previous { grid.line(previous.0, previous.1, point.0, point.1, color: boundStyle.foreground) }
            grid.set(point.0, point.1, color: boundStyle.foreground)
            previous = point
        }
        grid.render(into: &c, x: plot.x, y: plot.y)
        // Values at the log p(x) line, the top and the bottom; finer when the range is narrow.
        let format = high - low < 0.05 ? "%.3f" : "%.2f"
        var used = Set<Int>()
        for (v, style) in [(logPx, marginalStyle), (high, Style.dim), (low, Style.dim)] {
            let row = dotY(v) / 4
            guard used.insert(row).inserted else { continue }
            c.putRight(String(format: format, v) + " ┤", right: plot.x, y: plot.y + row, style: style, clip: inner)
        }
        var labelEnd = Int.min
        for k in [1, 10, 100, 1000, 10_000] where Double(k) <= largest {
            let text = k == 1 ? "k=1" : "\(k)"
            let x = min(plot.x + dotX(k) / 2, plot.maxX - text.unicodeScalars.count)
            guard x > labelEnd else { continue }
            c.put(text, x: x, y: plot.maxY, style: .dim, clip: inner)
            labelEnd = x + text.unicodeScalars.count
        }
    }
}

extension String {
    /// The string with spaces added in front to make `n` characters.
    func leftPadded(to n: Int) -> String {
        let count = unicodeScalars.count
        return count >= n ? self : String(repeating: " ", count: n - count) + self
    }
}

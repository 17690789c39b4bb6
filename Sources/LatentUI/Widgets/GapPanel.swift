import Foundation
import LatentLab

/// The gap panel (G): the probe images' inference gap log p(x) − L[q_φ] taken apart into the approximation gap
/// (solid, what the family cannot close) and the amortisation gap (shaded, the price of one encoder for all x),
/// one bar per image on one scale, their means with standard errors above, and how local inference went.
/// A part below zero (estimation noise) is drawn left of the zero line, not clipped.
struct GapPane: Widget {
    /// The columns left of the bars ("mean", " #32") and right of them ("  6.90 = 2.26 + 4.64").
    static let labelWidth = 6, figuresWidth = 22
    /// The lines above the bars: the means, the legend, the budget, the verdict, a blank.
    static let headerRows = 5
    /// The box's corners and the spaces around its title.
    static let titleMargin = 6
    static let approximationStyle = Style(.brightMagenta), amortisationStyle = Style(.brightCyan)
    static let approximationGlyph: Character = "█", amortisationGlyph: Character = "▒"

    var snapshot: Snapshot

    func render(into c: inout Canvas, rect r: Rect) {
        let inner = r.inset(1)
        guard let g = snapshot.gaps else {
            c.box(r, title: "variational gap · approximation + amortisation")
            c.put("taking the probe images' gap apart at the next held-out evaluation (local inference, "
                  + "a few seconds)…", x: inner.x, y: inner.y, style: .dim, clip: inner)
            return
        }
        let images = g.approximation.count
        let shown = max(0, min(images, inner.height - Self.headerRows - 1))
        let which = shown < images ? "images 1–\(shown) of \(images)" : "\(images) probe images"
        let titles = ["variational gap · approximation + amortisation · \(which) · step \(g.step)",
                      "variational gap · \(which) · step \(g.step)"]
        c.box(r, title: titles.first { $0.unicodeScalars.count <= r.width - Self.titleMargin } ?? titles[1])
        header(g, into: &c, inner)
        let rows = [("mean", g.meanApproximation.value, g.meanAmortisation.value)]
            + (0..<shown).map { (String(format: "#%d", $0 + 1), g.approximation[$0], g.amortisation[$0]) }
        bars(rows, into: &c, Rect(x: inner.x, y: inner.y + Self.headerRows, width: inner.width,
                                  height: inner.height - Self.headerRows))
    }

    /// The means, the legend, the budget of the estimates, and which part dominates with what would close it;
    /// each line the longest of its wordings that fits.
    func header(_ g: Snapshot.Gaps, into c: inout Canvas, _ r: Rect) {
        let figures = [g.meanInference, g.meanApproximation, g.meanAmortisation].map {
            String(format: "%.2f ± %.2f", $0.value, $0.standardError)
        }
        let means = [["inference gap", "approximation", "amortisation"], ["gap", "approx.", "amort."]].map { n in
            "\(n[0]) \(figures[0]) = \(n[1]) \(figures[1]) + \(n[2]) \(figures[2]) nats"
        }
        put(means, style: .title, into: &c, r, row: 0)
        var x = r.x
        let legend = [(Self.approximationGlyph, Self.approximationStyle, " approximation log p(x) − L[q*]   "),
                      (Self.amortisationGlyph, Self.amortisationStyle, " amortisation L[q*] − L[q_φ]")]
        for (glyph, style, text) in legend {
            c.put(String(repeating: glyph, count: 2), x: x, y: r.y + 1, style: style, clip: r)
            c.put(text, x: x + 2, y: r.y + 1, style: .plain, clip: r)
            x += 2 + text.unicodeScalars.count
        }
        let budget = String(format: "%d local steps (%@) in %.2f s · log p(x) by L_%d with q*", g.localSteps,
                            g.stop.description, g.seconds, g.importanceSamples)
        let elbos = String(format: " · ELBOs of %d draws · L[q_φ] %.2f → L[q*] %.2f", g.samples, g.amortisedELBO,
                           g.localELBO)
        put([budget + elbos, budget], style: .dim, into: &c, r, row: 2)
        let (part, share) = g.dominant
        let verdict = String(format: "%@ dominates (%.0f%%): ", part, 100 * share)
        let levers = part == "amortisation"
            ? ["a wider encoder, more encoder steps or aggressive training (A) would close it",
               "a wider encoder or aggressive training (A)"]
            : ["a richer family (an IAF posterior: m menu) would close it", "a richer family (IAF: m menu)"]
        put(levers.map { verdict + $0 }, style: .highlight, into: &c, r, row: 3)
    }

    /// The first of `wordings` that fits the width, else the last, clipped.
    private func put(_ wordings: [String], style: Style, into c: inout Canvas, _ r: Rect, row: Int) {
        let text = wordings.first { $0.unicodeScalars.count <= r.width } ?? wordings[wordings.count - 1]
        c.put(text, x: r.x, y: r.y + row, style: style, clip: r)
    }

    /// One row per (label, approximation, amortisation): positive parts stacked right of the zero line,
    /// negative ones left of it, every row on the scale of the largest.
    func bars(_ rows: [(String, Float, Float)], into c: inout Canvas, _ r: Rect) {
        let width = r.width - Self.labelWidth - Self.figuresWidth
        guard width > 2, !rows.isEmpty else { return }
        let high = rows.map { max($0.1, 0) + max($0.2, 0) }.max() ?? 0
        let low = rows.map { min($0.1, 0) + min($0.2, 0) }.min() ?? 0
        let scale = Float(width) / max(high - low, 1e-6)
        let zero = r.x + Self.labelWidth + Int(plotting: -low * scale)
        for (n, (label, a, m)) in rows.enumerated() where n < r.height {
            let y = r.y + n
            c.put(label, x: r.x, y: y, style: n == 0 ? .title : .dim, clip: r)
            if low < 0 { c.put("│", x: zero, y: y, style: .dim, clip: r) }   // under the bars
            // Right of zero: the positive parts, approximation first; left of it: the negative ones.
            var right: Float = 0, left: Float = 0
            for (value, glyph, style) in [(a, Self.approximationGlyph, Self.approximationStyle),
                                          (m, Self.amortisationGlyph, Self.amortisationStyle)] {
                let from = value >= 0 ? right : left, to = from + value
                let (x0, x1) = (Int(plotting: from * scale), Int(plotting: to * scale))
                let cells = abs(x1 - x0)
                if cells > 0 {
                    c.put(String(repeating: glyph, count: cells), x: zero + min(x0, x1), y: y, style: style,
                          clip: r)
                }
                if value >= 0 { right = to } else { left = to }
            }
            c.put(String(format: "%6.2f = %5.2f + %5.2f", a + m, a, m), x: r.maxX - Self.figuresWidth, y: y,
                  style: n == 0 ? .title : .plain, clip: r)
        }
    }
}

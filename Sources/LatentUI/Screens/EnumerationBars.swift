import Foundation
import LatentLab

/// The bars pane of the enumeration demo: one group of columns per z (labelled 1…K, as in the lecture;
/// the model counts from 0), p(z|x) in blue and q(z|x) in yellow on a 0…1 scale.
///
/// Few states get wide groups, p and q side by side with their values on top; many states get one
/// column each, q as a mark at its height over p's bar; more states than columns share a column.
extension EnumerationScreen {
    /// The widest group of columns one z gets, so K=4 stays a bar chart and not four walls.
    static let maximumGroup = 24
    static let pStyle = Style(.brightBlue)
    static let qStyle = Style(.brightYellow, bold: true)
    static let sampleStyle = Style(.brightRed)

    /// How many z share a column when K is larger than the plot is wide (1 when each gets its own).
    public static func statesPerColumn(states: Int, width: Int) -> Int {
        let plotWidth = max(1, plotRect(Rect(x: 0, y: 0, width: width, height: 10)).width)
        return (states + plotWidth - 1) / plotWidth
    }

    /// Inside the box: y labels on the left, the ▲ row and the z labels underneath.
    static func plotRect(_ r: Rect) -> Rect { Rect(x: r.x + 6, y: r.y + 1, width: r.width - 8, height: r.height - 4) }

    static func drawBars(_ d: EnumerationDemo, into c: inout Canvas, rect r: Rect) {
        let perColumn = statesPerColumn(states: d.states, width: r.width)
        let columns = (d.states + perColumn - 1) / perColumn
        let plot = plotRect(r)
        let group = max(1, min(maximumGroup, plot.width / columns))
        let sideBySide = group >= 3
        c.box(r)
        var legend: [(String, Style)] = [(" p(z|x) ∝ p(x,z) ", .title), ("█", pStyle), (" · q(z|x) ", .title),
                                         (sideBySide ? "█" : "━", qStyle), (" · ", .title), ("▲", sampleStyle),
                                         (" z_i ~ q(z|x) this step ", .title)]
        if perColumn > 1 { legend.append(("· \(perColumn) z per column ", .title)) }
        putPieces(legend, x: r.x + 2, y: r.y, into: &c, clip: Rect(x: r.x + 1, y: r.y, width: r.width - 2, height: 1))
        guard plot.height >= 2, plot.width >= 1 else { return }

        yLabels(plot, into: &c)
        // Sum p and q over the states sharing a column, and count the draws that fell in it.
        func binned(_ v: [Double]) -> [Double] {
            (0..<columns).map { col in v[(col * perColumn)..<min(v.count, (col + 1) * perColumn)].reduce(0, +) }
        }
        let p = binned(d.truePosterior), q = binned(d.posterior)
        var draws = Array(repeating: 0, count: columns)
        for z in d.samples { draws[z / perColumn] += 1 }

        let left = plot.x + (plot.width - group * columns) / 2
        let barWidth = max(1, (group - 1) * 2 / 5)
        let pad = sideBySide ? (group - 2 * barWidth) / 2 : 0
        var labelEnd = Int.min
        for col in 0..<columns {
            let x0 = left + col * group
            if sideBySide {
                let pTop = bar(p[col], x: x0 + pad, width: barWidth, plot: plot, style: pStyle, into: &c)
                let qTop = bar(q[col], x: x0 + pad + barWidth, width: barWidth, plot: plot, style: qStyle, into: &c)
                if barWidth >= 4 {
                    value(p[col], top: pTop, x: x0 + pad, width: barWidth, plot: plot, style: pStyle, into: &c)
                    value(q[col], top: qTop, x: x0 + pad + barWidth, width: barWidth, plot: plot, style: qStyle,
                          into: &c)
                }
            } else {
                bar(p[col], x: x0, width: 1, plot: plot, style: pStyle, into: &c)
                mark(q[col], x: x0, plot: plot, into: &c)
            }
            let centre = sideBySide ? x0 + pad + barWidth - 1 : x0
            if draws[col] > 0 {
                c[centre, plot.maxY] = Cell("▲", sampleStyle)
                if draws[col] > 1 && sideBySide && group >= 6 {
                    c.put("×\(draws[col])", x: centre + 1, y: plot.maxY, style: sampleStyle)
                }
            }
            // z counts from 1 on screen: every z when the labels fit, else 1 and every tenth.
            let first = col * perColumn + 1, last = min(d.states, (col + 1) * perColumn)
            let label = sideBySide && group >= 5 ? "z=\(first)" : "\(first)"
            let fits = label.unicodeScalars.count < group
            let tick = fits ? first : (first...last).first { $0 == 1 || $0 % 10 == 0 }
            if let tick {
                let text = fits ? label : "\(tick)"
                let x = sideBySide ? x0 + pad + barWidth - (text.unicodeScalars.count + 1) / 2 : x0
                if x > labelEnd {
                    c.put(text, x: x, y: plot.maxY + 1, style: .dim, clip: r.inset(1))
                    labelEnd = x + text.unicodeScalars.count
                }
            }
        }
    }

    /// 1, 0.75, 0.5, 0.25 at the rows a bar of that height reaches, 0 on the bottom row.
    static func yLabels(_ plot: Rect, into c: inout Canvas) {
        var used = Set<Int>()
        for (level, text) in [(0.0, "0"), (1.0, "1.00"), (0.75, "0.75"), (0.5, "0.50"), (0.25, "0.25")] {
            let y = level == 0 ? plot.maxY - 1 : max(plot.y, plot.maxY - Int(plotting: level * Double(plot.height)))
            guard used.insert(y).inserted else { continue }
            c.putRight(text + "┤", right: plot.x, y: y, style: .dim)
        }
    }

    /// A bar of `v` (0…1 of the plot's height) in eighths of a cell; returns the row of its top.
    @discardableResult
    static func bar(_ v: Double, x: Int, width: Int, plot: Rect, style: Style, into c: inout Canvas) -> Int {
        let eighths = Int(plotting: min(1, max(0, v)) * Double(plot.height * 8))
        let rows = (eighths + 7) / 8
        for row in 0..<rows {
            let block = UnitBars.blocks[min(8, eighths - row * 8) - 1]
            for i in 0..<width { c[x + i, plot.maxY - 1 - row] = Cell(block, style) }
        }
        return plot.maxY - rows
    }

    /// The value above its bar, or inside its top row (dark on the bar's colour) when the bar fills the plot.
    static func value(_ v: Double, top: Int, x: Int, width: Int, plot: Rect, style: Style, into c: inout Canvas) {
        let text = String(format: "%.2f", v)
        let inside = top - 1 < plot.y
        c.put(text, x: x + (width - text.unicodeScalars.count) / 2, y: inside ? plot.y : top - 1,
              style: inside ? Style(.black, background: style.foreground) : style)
    }

    /// q as a yellow mark at its height, over p's bar when they overlap (blue behind, so both show).
    /// Below an eighth of a row there is none, so the flat line of a uniform q thins out as q concentrates.
    static func mark(_ v: Double, x: Int, plot: Rect, into c: inout Canvas) {
        guard v * Double(plot.height * 8) >= 0.5 else { return }
        let y = plot.maxY - 1 - min(plot.height - 1, Int(v * Double(plot.height)))
        let overBar = c[x, y].character != " "
        c[x, y] = Cell("━", Style(.brightYellow, background: overBar ? .blue : .standard, bold: true))
    }
}

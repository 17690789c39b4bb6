import Foundation

/// The rate-distortion plane as a plain SVG chart (`vae-tui lab rate-distortion`): R across, D up, each decoder's
/// frontier a polyline through its runs in β order with every point labelled by its β, and faint lines of
/// constant −ELBO = D + R behind them. A picture for a README, not a terminal screen: the dashboard's `RatePlane`
/// draws a run's trajectory in braille cells (and `SVG` turns those cells into a picture), while a sweep's few
/// labelled points read better as vector lines on a light page.
public enum RateDistortionChart {
    /// One run: its label (β) and where it lies, in nats.
    public struct Point: Sendable, Equatable {
        public let label: String
        public let rate: Double
        public let distortion: Double

        public init(label: String, rate: Double, distortion: Double) {
            self.label = label
            self.rate = rate
            self.distortion = distortion
        }
    }

    /// One decoder's frontier, its points in β order.
    public struct Series: Sendable, Equatable {
        public let name: String
        public let points: [Point]

        public init(name: String, points: [Point]) {
            self.name = name
            self.points = points
        }
    }

    static let width = 760.0, height = 520.0
    static let left = 72.0, right = 24.0, top = 44.0, bottom = 58.0
    /// Distinct on white and for the common colour-vision deficiencies (Okabe and Ito's palette).
    static let colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
    static let isoColor = "#c8c8c8", axisColor = "#444444", gridColor = "#eeeeee"
    /// About this many lines of constant −ELBO across the plot.
    static let isoLines = 8.0

    public static func render(_ series: [Series], title: String) -> String {
        let points = series.flatMap(\.points)
        let x = ChartAxis(covering: points.map(\.rate) + [0], floor: 0, from: left, to: width - right)
        let y = ChartAxis(covering: points.map(\.distortion), from: height - bottom, to: top)
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
        viewBox="0 0 \(Int(width)) \(Int(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
        <rect width="100%" height="100%" fill="#ffffff"/>
        <text x="\(f(width / 2))" y="24" text-anchor="middle" font-size="15">\(SVG.escape(title))</text>

        """
        axes(x, y, into: &out)
        var placer = LabelPlacer(bounds: .init(x: left, y: top, width: width - left - right,
                                               height: height - top - bottom))
        for box in isoELBO(x, y, into: &out) { placer.reserve(box) }
        let legendBox = legend(series, into: &out)
        placer.reserve(legendBox)
        for (i, s) in series.enumerated() {
            for p in s.points {
                placer.reserve(.init(x: x.pixel(p.rate) - 4, y: y.pixel(p.distortion) - 4, width: 8, height: 8))
            }
            frontier(s, color: colors[i % colors.count], x, y, into: &out)
        }
        for (i, s) in series.enumerated() {
            for p in s.points {
                let text = "β = " + p.label
                let at = placer.place(text, x: x.pixel(p.rate), y: y.pixel(p.distortion))
                out += "<text class=\"beta\" x=\"\(f(at.x))\" y=\"\(f(at.y))\" font-size=\"11\" "
                    + "fill=\"\(colors[i % colors.count])\"\(at.anchorEnd ? " text-anchor=\"end\"" : "")>"
                    + SVG.escape(text) + "</text>\n"
            }
        }
        return out + "</svg>\n"
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// The frame, the ticks with their grid lines, and the axes' titles in nats.
    static func axes(_ x: ChartAxis, _ y: ChartAxis, into out: inout String) {
        for t in x.ticks {
            let px = f(x.pixel(t))
            out += "<line x1=\"\(px)\" y1=\"\(f(top))\" x2=\"\(px)\" y2=\"\(f(height - bottom))\" "
                + "stroke=\"\(gridColor)\"/>\n"
            out += "<text x=\"\(px)\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\" font-size=\"11\" "
                + "fill=\"\(axisColor)\">\(x.label(t))</text>\n"
        }
        for t in y.ticks {
            let py = f(y.pixel(t))
            out += "<line x1=\"\(f(left))\" y1=\"\(py)\" x2=\"\(f(width - right))\" y2=\"\(py)\" "
                + "stroke=\"\(gridColor)\"/>\n"
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(y.pixel(t) + 4))\" text-anchor=\"end\" font-size=\"11\" "
                + "fill=\"\(axisColor)\">\(y.label(t))</text>\n"
        }
        out += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(width - left - right))\" "
            + "height=\"\(f(height - top - bottom))\" fill=\"none\" stroke=\"\(axisColor)\"/>\n"
        out += "<text x=\"\(f((left + width - right) / 2))\" y=\"\(f(height - 16))\" text-anchor=\"middle\" "
            + "font-size=\"13\">rate R = KL(q(z|x) ‖ p(z)), nats</text>\n"
        let cy = f((top + height - bottom) / 2)
        out += "<text x=\"18\" y=\"\(cy)\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 18 \(cy))\">"
            + "distortion D = −E log p(x|z), nats</text>\n"
    }

    /// Lines R + D = c across the plot, c at tidy steps, each labelled at its upper end. Returns the labels'
    /// boxes, which the points' labels avoid.
    static func isoELBO(_ x: ChartAxis, _ y: ChartAxis, into out: inout String) -> [LabelPlacer.Box] {
        var boxes: [LabelPlacer.Box] = []
        let lowest = x.low + y.low, highest = x.high + y.high
        let step = ChartAxis.niceStep((highest - lowest) / isoLines)
        var c = (lowest / step).rounded(.down) * step + step
        while c < highest {
            // Where R + D = c crosses the frame's four sides, in the order left, top, right, bottom.
            let crossings = [(x.low, c - x.low), (c - y.high, y.high), (x.high, c - x.high), (c - y.low, y.low)]
                .filter { $0.0 >= x.low && $0.0 <= x.high && $0.1 >= y.low && $0.1 <= y.high }
            if let a = crossings.first, let b = crossings.last, a != b {
                out += "<line class=\"iso-elbo\" x1=\"\(f(x.pixel(a.0)))\" y1=\"\(f(y.pixel(a.1)))\" "
                    + "x2=\"\(f(x.pixel(b.0)))\" y2=\"\(f(y.pixel(b.1)))\" stroke=\"\(isoColor)\" "
                    + "stroke-dasharray=\"4 3\"/>\n"
                let label = "−ELBO \(x.label(c))", lx = x.pixel(a.0) + 3, ly = y.pixel(a.1) + 11
                out += "<text x=\"\(f(lx))\" y=\"\(f(ly))\" font-size=\"9\" fill=\"#a0a0a0\">\(label)</text>\n"
                boxes.append(.init(x: lx, y: ly - 9, width: Double(label.count) * isoGlyphWidth, height: 11))
            }
            c += step
        }
        return boxes
    }

    /// The −ELBO labels' glyph width at their 9 px font, generously.
    static let isoGlyphWidth = 5.4

    /// One decoder's polyline and its points' markers.
    static func frontier(_ s: Series, color: String, _ x: ChartAxis, _ y: ChartAxis, into out: inout String) {
        let coordinates = s.points.map { "\(f(x.pixel($0.rate))),\(f(y.pixel($0.distortion)))" }
        out += "<polyline class=\"frontier\" data-decoder=\"\(SVG.escape(s.name))\" "
            + "points=\"\(coordinates.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" "
            + "stroke-width=\"2\"/>\n"
        for p in s.points {
            out += "<circle cx=\"\(f(x.pixel(p.rate)))\" cy=\"\(f(y.pixel(p.distortion)))\" r=\"3.5\" "
                + "fill=\"\(color)\"/>\n"
        }
    }

    /// The legend in the plot's top right corner: a swatch per decoder and one for the −ELBO lines.
    /// Returns the box it covers, which the labels avoid.
    static func legend(_ series: [Series], into out: inout String) -> LabelPlacer.Box {
        let rows = series.map(\.name) + ["constant −ELBO = D + R"]
        let rowHeight = 18.0
        let boxWidth = Double(rows.map(\.count).max() ?? 0) * 7 + 44
        let boxHeight = Double(rows.count) * rowHeight + 10
        let x0 = width - right - boxWidth - 8, y0 = top + 8
        out += "<rect x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(boxWidth))\" height=\"\(f(boxHeight))\" "
            + "fill=\"#ffffff\" fill-opacity=\"0.9\" stroke=\"#bbbbbb\"/>\n"
        for (i, name) in rows.enumerated() {
            let ly = y0 + 5 + rowHeight * (Double(i) + 0.5)
            let iso = i == series.count
            let color = iso ? isoColor : colors[i % colors.count]
            out += "<line x1=\"\(f(x0 + 8))\" y1=\"\(f(ly))\" x2=\"\(f(x0 + 30))\" y2=\"\(f(ly))\" stroke=\"\(color)\" "
                + "stroke-width=\"\(iso ? 1 : 2)\"\(iso ? " stroke-dasharray=\"4 3\"" : "")/>\n"
            out += "<text class=\"legend\" x=\"\(f(x0 + 36))\" y=\"\(f(ly + 4))\" font-size=\"12\">"
                + SVG.escape(name) + "</text>\n"
        }
        return LabelPlacer.Box(x: x0, y: y0, width: boxWidth, height: boxHeight)
    }
}

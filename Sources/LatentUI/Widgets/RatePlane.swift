import Foundation
import LatentLab

/// The rate-distortion plane (Alemi et al. 2018, docs/THEORY.md section 8): the rate R across and the distortion
/// D up, both in nats. −ELBO = D + R, so one ELBO is a diagonal line: turning β moves a run along its frontier
/// (the trajectory turns), and a run whose decoder ignores z sits in the corner R ≈ 0. The curves show R and D
/// as two numbers moving; here they are one point.
///
/// Layout inside the rect: a legend row, the plot with D labels on its left, and a row of R labels. Training
/// batches' points are a braille trajectory and held-out evaluations × marks, so the two stay apart without
/// colour; the current point ● and the best held-out point ◆ carry dashed lines of their −ELBO, labelled; each
/// knob change is a ▴ with its label at the point the run had reached.
public enum RatePlane {
    /// One run's path and its colours.
    public struct Run: Sendable {
        public var train: [RateDistortionPoint]
        public var heldOut: [RateDistortionPoint]
        public var markers: [CurveMarker]
        public var trainColor: Color
        public var heldOutColor: Color
        /// The current point with its line, and the best point with its.
        public var currentColor: Color
        public var bestColor: Color
        /// Draws a line through the current point as well as through the best (the live run does).
        public var currentLine: Bool

        public init(train: [RateDistortionPoint], heldOut: [RateDistortionPoint], markers: [CurveMarker] = [],
                    trainColor: Color, heldOutColor: Color, currentColor: Color, bestColor: Color,
                    currentLine: Bool) {
            self.train = train
            self.heldOut = heldOut
            self.markers = markers
            self.trainColor = trainColor
            self.heldOutColor = heldOutColor
            self.currentColor = currentColor
            self.bestColor = bestColor
            self.currentLine = currentLine
        }

        /// Where the run stands: its last held-out point (measured on the same images each time, so it moves
        /// with the model only), else its last training point.
        public var current: RateDistortionPoint? { heldOut.last ?? train.last }

        /// The lowest held-out −ELBO so far (the lowest training one before any evaluation).
        public var best: RateDistortionPoint? {
            (heldOut.isEmpty ? train : heldOut).min { $0.loss < $1.loss }
        }
    }

    static let heldOutGlyph = "×", currentGlyph = "●", bestGlyph = "◆", markerGlyph = "▴", trainGlyph = "⠒⠒"
    /// Room for the D labels ("105 ┤") left of the plot.
    static let labelWidth = 7
    /// Points drawn per series at most: a long run's log is thinned as the engine thins its curves.
    static let maxPoints = SessionEngine.maxPoints

    /// Draws `runs` overlaid. `window` keeps the last steps only and `smoothing` averages that many points, as
    /// on the curves.
    public static func draw(_ runs: [Run], window: Int? = nil, smoothing: Int = 1, into canvas: inout Canvas,
                            rect: Rect) {
        guard rect.height >= 1 && rect.width >= 4 else { return }
        let visible = visibleRuns(runs, window: window, smoothing: smoothing)
        legend(visible, into: &canvas, rect: rect)
        let plot = Rect(x: rect.x + labelWidth, y: rect.y + 1, width: rect.width - labelWidth, height: rect.height - 2)
        guard let axes = Axes(visible.flatMap { $0.train + $0.heldOut }, plot: plot) else {
            if rect.height >= 2 {
                canvas.put("waiting for data…", x: rect.x + labelWidth, y: rect.y + 1, style: .dim, clip: rect)
            }
            return
        }
        var grid = BrailleGrid(cellWidth: plot.width, cellHeight: plot.height)
        // Lines first, so the trajectories' colours win the cells they share.
        for run in visible {
            for (point, color, _) in lines(run) {
                guard let segment = axes.constantLoss(point.loss) else { continue }
                grid.dashedLine(segment.from.x, segment.from.y, segment.to.x, segment.to.y, color: color)
            }
        }
        for run in visible {
            if run.train.count == 1, let p = run.train.first {
                grid.set(axes.dotX(p.rate), axes.dotY(p.distortion), color: run.trainColor)
            }
            for (a, b) in zip(run.train, run.train.dropFirst()) {
                guard let s = axes.segment(a, b) else { continue }
                grid.line(s.from.0, s.from.1, s.to.0, s.to.1, color: run.trainColor)
            }
        }
        grid.render(into: &canvas, x: plot.x, y: plot.y)
        for run in visible {
            for p in run.heldOut {
                let cell = axes.cell(p)
                canvas.put(heldOutGlyph, x: cell.x, y: cell.y, style: Style(run.heldOutColor), clip: plot)
            }
        }
        var labels = Labels(area: plot)
        marks(visible, axes: axes, labels: &labels, into: &canvas)
        axisLabels(axes, into: &canvas, rect: rect)
    }

    /// Each run's points in the window, smoothed, thinned, finite.
    static func visibleRuns(_ runs: [Run], window: Int?, smoothing: Int) -> [Run] {
        let latest = runs.compactMap { [$0.train.last?.step, $0.heldOut.last?.step].compactMap { $0 }.max() }.max() ?? 0
        let from = window.map { latest - $0 } ?? Int.min
        func prepare(_ points: [RateDistortionPoint]) -> [RateDistortionPoint] {
            thinned(smooth(points.filter { $0.step > from && $0.rate.isFinite && $0.distortion.isFinite },
                           over: smoothing))
        }
        return runs.map { run in
            var r = run
            r.train = prepare(run.train)
            r.heldOut = prepare(run.heldOut)
            return r
        }
    }

    /// The run's −ELBO lines: through its best point, and through its current point when it asks for one and
    /// that is not the best (the two lines would be one).
    static func lines(_ run: Run) -> [(point: RateDistortionPoint, color: Color, glyphs: String)] {
        guard let best = run.best else { return [] }
        guard run.currentLine, let current = run.current else { return [(best, run.bestColor, bestGlyph)] }
        if current == best { return [(best, run.currentColor, currentGlyph + bestGlyph)] }
        return [(best, run.bestColor, bestGlyph), (current, run.currentColor, currentGlyph)]
    }

    /// The points' glyphs, knob changes and labels, clear of each other: the current and best points first,
    /// then each knob change (the latest first, one label per cell), then the lines' labels at their high-D end.
    static func marks(_ runs: [Run], axes: Axes, labels: inout Labels, into canvas: inout Canvas) {
        let points = runs.flatMap { run in
            [(run.best, run.bestColor, bestGlyph), (run.current, run.currentColor, currentGlyph)]
                .compactMap { point, color, glyph in point.map { (axes.cell($0), color, glyph) } }
        }
        for (cell, _, _) in points { labels.reserve(x: cell.x, y: cell.y) }
        for run in runs {
            let path = run.train.isEmpty ? run.heldOut : run.train
            guard let first = path.first?.step else { continue }
            var labelled = Set<Int>()
            for marker in run.markers.reversed() where marker.step >= first {
                guard let point = nearest(marker.step, in: path) else { continue }
                let cell = axes.cell(point)
                guard labelled.insert(cell.y * axes.plot.maxX + cell.x).inserted else { continue }
                canvas.put(markerGlyph, x: cell.x, y: cell.y, style: .highlight, clip: axes.plot)
                labels.reserve(x: cell.x, y: cell.y)
                let width = marker.label.unicodeScalars.count
                let spots = [(cell.x + 1, cell.y), (cell.x - width, cell.y)]
                    + [cell.y - 1, cell.y + 1].flatMap { y in [(cell.x + 1, y), (cell.x - width, y)] }
                labels.put(marker.label, at: spots, style: .highlight, into: &canvas)
            }
        }
        // Over any knob change they share a cell with: where the run is matters more.
        for (cell, color, glyph) in points {
            canvas.put(glyph, x: cell.x, y: cell.y, style: Style(color, bold: true), clip: axes.plot)
        }
        for run in runs {
            for (point, color, glyphs) in lines(run) {
                guard let segment = axes.constantLoss(point.loss) else { continue }
                let x = axes.plot.x + segment.from.x / 2, y = axes.plot.y + segment.from.y / 4
                labels.put("\(glyphs) −ELBO \(LineChart.compact(point.loss))",
                           at: [(x + 1, y - 1), (x + 1, y + 1), (x + 1, y - 2), (x + 1, y + 2)],
                           style: Style(color), into: &canvas)
            }
        }
    }

    /// The point whose step is nearest `step` (the path is in step order).
    static func nearest(_ step: Int, in path: [RateDistortionPoint]) -> RateDistortionPoint? {
        var low = 0, high = path.count
        while low < high {
            let mid = (low + high) / 2
            if path[mid].step < step { low = mid + 1 } else { high = mid }
        }
        let candidates = [low - 1, low].filter { path.indices.contains($0) }
        return candidates.map { path[$0] }.min { abs($0.step - step) < abs($1.step - step) }
    }

    /// One run: its colours and its current point's numbers; several: what the marks mean (the runs' colours are
    /// in the caller's list).
    static func legend(_ runs: [Run], into canvas: inout Canvas, rect: Rect) {
        var items: [(glyph: String, color: Color, text: String)]
        if runs.count == 1, let run = runs.first {
            items = [(trainGlyph, run.trainColor, "train"), (heldOutGlyph, run.heldOutColor, "held-out")]
            if let p = run.current {
                items.append((currentGlyph, run.currentColor,
                              "R \(LineChart.compact(p.rate)) D \(LineChart.compact(p.distortion))"))
            }
            if run.current != run.best { items.append((bestGlyph, run.bestColor, "best")) }
        } else {
            items = [(trainGlyph, .standard, "train"), (heldOutGlyph, .standard, "held-out"),
                     (currentGlyph, .standard, "last"), (bestGlyph, .standard, "best")]
        }
        items.append(("╌", .brightBlack, "−ELBO = D + R"))
        var x = rect.x
        for item in items {
            let width = item.glyph.unicodeScalars.count + 1 + item.text.unicodeScalars.count
            guard x + width <= rect.maxX else { break }
            canvas.put(item.glyph, x: x, y: rect.y, style: Style(item.color, bold: item.glyph != trainGlyph))
            canvas.put(item.text, x: x + item.glyph.unicodeScalars.count + 1, y: rect.y)
            x += width + 2
        }
    }

    /// D at the plot's top, middle and bottom rows; R at its ends; which way each grows.
    static func axisLabels(_ axes: Axes, into canvas: inout Canvas, rect: Rect) {
        let plot = axes.plot
        let rows = plot.height > 2 ? [0, plot.height / 2, plot.height - 1] : [0, plot.height - 1]
        for row in Set(rows) {
            let d = axes.distortion(atDot: row * 4 + 1)
            canvas.putRight(LineChart.compact(d) + " ┤", right: plot.x, y: plot.y + row, style: .dim, clip: rect)
        }
        let y = plot.maxY
        canvas.putRight("D↑ R→", right: plot.x - 1, y: y, style: .dim, clip: rect)
        canvas.put(LineChart.compact(axes.rateLow), x: plot.x, y: y, style: .dim, clip: rect)
        let middle = "R, nats"
        canvas.put(middle, x: plot.x + (plot.width - middle.count) / 2, y: y, style: .dim, clip: rect)
        canvas.putRight(LineChart.compact(axes.rateHigh), right: plot.maxX, y: y, style: .dim, clip: rect)
    }

    /// Moving averages of R and D over `n` points (1 leaves the path as it is).
    static func smooth(_ points: [RateDistortionPoint], over n: Int) -> [RateDistortionPoint] {
        guard n > 1, points.count > 1 else { return points }
        let rates = LineChart.smooth(points.map { Snapshot.Point(step: $0.step, value: $0.rate) }, over: n)
        let distortions = LineChart.smooth(points.map { Snapshot.Point(step: $0.step, value: $0.distortion) }, over: n)
        return zip(rates, distortions).map { RateDistortionPoint(step: $0.step, rate: $0.value, distortion: $1.value) }
    }

    /// At most `maxPoints`, evenly spaced, the last kept.
    static func thinned(_ points: [RateDistortionPoint]) -> [RateDistortionPoint] {
        guard points.count > maxPoints else { return points }
        let stride = (points.count + maxPoints - 1) / maxPoints
        var kept = Swift.stride(from: 0, to: points.count - 1, by: stride).map { points[$0] }
        kept.append(points[points.count - 1])
        return kept
    }
}

import Foundation
import LatentLab

/// Time series as braille lines over an auto-scaled y axis, and optionally a second one on the right for
/// series of another size (the rate, a few nats, beside a −ELBO of a hundred).
///
/// Layout inside the rect: a legend row (name and latest value of each series, right-axis names marked ▸),
/// the plot with y labels on its left (and right), and a row of step labels where ▴ marks each knob change.
public enum LineChart {
    public struct Series: Sendable {
        public var name: String
        public var color: Color
        public var points: [Snapshot.Point]
        /// Scaled and labelled on the right axis.
        public var rightAxis: Bool
        public init(name: String, color: Color, points: [Snapshot.Point], rightAxis: Bool = false) {
            self.name = name
            self.color = color
            self.points = points
            self.rightAxis = rightAxis
        }
    }

    /// A y range padded by 5% each side, widened when flat.
    struct Scale {
        var low: Float, high: Float
        init?(_ values: [Float]) {
            guard var low = values.min(), var high = values.max() else { return nil }
            if high - low < 1e-6 { low -= 1; high += 1 }
            let pad = (high - low) * 0.05
            self.low = low - pad
            self.high = high + pad
        }
    }

    static let labelWidth = 7

    public static func draw(_ series: [Series], markers: [Snapshot.Marker] = [], window: Int? = nil, smoothing: Int = 1,
                            into canvas: inout Canvas, rect: Rect) {
        guard rect.height >= 1 && rect.width >= 4 else { return }
        let latest = series.compactMap { $0.points.last?.step }.max() ?? 0
        let from = window.map { latest - $0 } ?? Int.min
        let visible = series.map { s in
            Series(name: s.name, color: s.color,
                   points: smooth(s.points.filter { $0.step > from && $0.value.isFinite }, over: smoothing),
                   rightAxis: s.rightAxis)
        }
        // Legend.
        var x = rect.x
        for s in visible {
            let value = s.points.last.map { " " + compact($0.value) } ?? ""
            let name = (s.rightAxis ? "▸" : "") + s.name
            canvas.put("━ ", x: x, y: rect.y, style: Style(s.color), clip: rect)
            canvas.put(name + value, x: x + 2, y: rect.y, style: .plain, clip: rect)
            x += name.unicodeScalars.count + value.unicodeScalars.count + 4
        }
        let left = Scale(visible.filter { !$0.rightAxis }.flatMap { $0.points.map(\.value) })
        let right = Scale(visible.filter(\.rightAxis).flatMap { $0.points.map(\.value) })
        let rightLabels = right == nil ? 0 : labelWidth
        let plot = Rect(x: rect.x + labelWidth, y: rect.y + 1, width: rect.width - labelWidth - rightLabels,
                        height: rect.height - 2)
        let all = visible.flatMap(\.points)
        guard plot.height >= 1 && plot.width >= 2, let first = all.map(\.step).min(),
              let last = all.map(\.step).max() else {
            if rect.height >= 2 {
                canvas.put("waiting for data…", x: rect.x + labelWidth, y: rect.y + 1, style: .dim, clip: rect)
            }
            return
        }
        var grid = BrailleGrid(cellWidth: plot.width, cellHeight: plot.height)
        let span = max(1, last - first)
        func dotX(_ step: Int) -> Int {
            Int(plotting: Double(step - first) / Double(span) * Double(grid.dotWidth - 1))
        }
        func dotY(_ v: Float, _ scale: Scale) -> Int {
            Int(plotting: (scale.high - v) / (scale.high - scale.low) * Float(grid.dotHeight - 1))
        }
        // Knob changes: dotted verticals through the plot.
        let visibleMarkers = markers.filter { $0.step >= first && $0.step <= last }
        for m in visibleMarkers {
            let dx = dotX(m.step)
            for dy in stride(from: 0, to: grid.dotHeight, by: 3) { grid.set(dx, dy, color: .brightBlack) }
        }
        for s in visible {
            guard let scale = s.rightAxis ? right : left else { continue }
            var previous: (Int, Int)?
            for p in s.points {
                let point = (dotX(p.step), dotY(p.value, scale))
                if let previous {
                    grid.line(previous.0, previous.1, point.0, point.1, color: s.color)
                } else {
                    grid.set(point.0, point.1, color: s.color)
                }
                previous = point
            }
        }
        grid.render(into: &canvas, x: plot.x, y: plot.y)
        // Y labels: top, middle, bottom.
        let rows = plot.height > 2 ? [0, plot.height / 2, plot.height - 1] : [0, plot.height - 1]
        func value(_ scale: Scale, _ row: Int) -> Float {
            scale.high - (scale.high - scale.low) * Float(row) / Float(max(1, plot.height - 1))
        }
        for row in Set(rows) {
            if let left {
                canvas.putRight(compact(value(left, row)) + " ┤", right: plot.x, y: plot.y + row, style: .dim,
                                clip: rect)
            }
            if let right {
                canvas.put("├ " + compact(value(right, row)), x: plot.maxX, y: plot.y + row, style: .dim, clip: rect)
            }
        }
        // X axis: first and last step, and a ▴ under each knob change.
        let axisY = plot.maxY
        for m in visibleMarkers {
            canvas.put("▴", x: plot.x + dotX(m.step) / 2, y: axisY, style: .highlight, clip: rect)
        }
        canvas.put(stepLabel(first), x: plot.x, y: axisY, style: .dim, clip: rect)
        canvas.putRight("step " + stepLabel(last), right: plot.maxX, y: axisY, style: .dim, clip: rect)
    }

    /// 0, 950, 3.0k, 12k.
    static func stepLabel(_ step: Int) -> String {
        step < 1000 ? "\(step)" : step < 10_000 ? String(format: "%.1fk", Double(step) / 1000) : "\(step / 1000)k"
    }

    /// Moving average over `n` points (1 leaves the series as it is).
    static func smooth(_ points: [Snapshot.Point], over n: Int) -> [Snapshot.Point] {
        guard n > 1, points.count > 1 else { return points }
        var sum: Float = 0
        return points.enumerated().map { i, p in
            sum += p.value
            if i >= n { sum -= points[i - n].value }
            return Snapshot.Point(step: p.step, value: sum / Float(min(i + 1, n)))
        }
    }

    /// Short numbers for axes: 105, 98.5, -0.31, 1.2k, 45k.
    static func compact(_ v: Float) -> String {
        let a = abs(v)
        if a >= 10_000 { return String(format: "%.0fk", v / 1000) }
        if a >= 1000 { return String(format: "%.1fk", v / 1000) }
        if a >= 100 { return String(format: "%.0f", v) }
        if a >= 10 { return String(format: "%.1f", v) }
        return String(format: "%.2f", v)
    }
}

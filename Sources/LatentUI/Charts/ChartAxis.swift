import Foundation

/// One axis of a plain SVG chart: a data range rounded out to tidy ticks, and where a value lands in pixels.
struct ChartAxis: Equatable {
    let low: Double
    let high: Double
    let step: Double
    /// The pixel of `low` and of `high` (for the y axis the first is the larger: up is smaller).
    let from: Double
    let to: Double

    /// About this many intervals between ticks: enough to read a value off, few enough to stay legible.
    static let targetTicks = 5.0

    /// The range of `values` widened by `padding` of its span on each side (one unit when they are all equal),
    /// rounded out to multiples of a 1-2-5 step; never below `floor` when one is given.
    init(covering values: [Double], padding: Double = 0.05, floor: Double? = nil, from: Double, to: Double) {
        var low = values.min() ?? 0, high = values.max() ?? 1
        let span = high > low ? high - low : 1
        low -= span * padding
        high += span * padding
        if let floor { low = max(low, floor) }
        let step = Self.niceStep((high - low) / Self.targetTicks)
        self.low = (low / step).rounded(.down) * step
        self.high = (high / step).rounded(.up) * step
        self.step = step
        self.from = from
        self.to = to
    }

    /// 1, 2 or 5 times a power of ten, the nearest such at or above `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let power = pow(10, (log10(raw)).rounded(.down))
        for m in [1.0, 2, 5, 10] where m * power >= raw * (1 - 1e-9) { return m * power }
        return 10 * power
    }

    func pixel(_ v: Double) -> Double { from + (v - low) / (high - low) * (to - from) }

    /// The ticks from `low` to `high`, every `step`.
    var ticks: [Double] {
        let count = Int(((high - low) / step).rounded())
        return (0...count).map { low + Double($0) * step }
    }

    /// A tick's label: as many decimals as the step needs.
    func label(_ v: Double) -> String {
        let decimals = step >= 1 ? 0 : Int((-log10(step)).rounded(.up))
        return String(format: "%.\(decimals)f", abs(v) < step / 1e6 ? 0 : v)
    }
}

/// Places text labels beside points without overlapping one another: each takes the first of a few positions
/// around its point whose box is free, or the first position when none is.
struct LabelPlacer {
    /// An approximate box of a label at the chart's font size, in pixels.
    struct Box {
        let x: Double, y: Double, width: Double, height: Double

        func overlaps(_ o: Box) -> Bool {
            x < o.x + o.width && o.x < x + width && y < o.y + o.height && o.y < y + height
        }
    }

    /// Glyph width and line height of the label font (11 px sans-serif), generously.
    static let glyphWidth = 6.4, lineHeight = 13.0
    /// Offsets of the label's left baseline from its point: right above, right below, then further out.
    static let offsets: [(Double, Double)] = [(7, -6), (7, 14), (-7, -6), (-7, 14), (7, -20), (7, 28), (-7, -20),
                                              (-7, 28), (7, -34), (7, 42)]

    private(set) var taken: [Box] = []
    /// Where labels may go: a position whose box leaves it counts as taken.
    let bounds: Box

    init(bounds: Box) { self.bounds = bounds }

    /// Where the label `text` for the point (x, y) goes: its left baseline and whether it is right-aligned.
    mutating func place(_ text: String, x: Double, y: Double) -> (x: Double, y: Double, anchorEnd: Bool) {
        let width = Double(text.count) * Self.glyphWidth
        func box(_ o: (Double, Double)) -> Box {
            Box(x: o.0 < 0 ? x + o.0 - width : x + o.0, y: y + o.1 - Self.lineHeight + 3, width: width,
                height: Self.lineHeight)
        }
        func free(_ b: Box) -> Bool {
            b.x >= bounds.x && b.y >= bounds.y && b.x + b.width <= bounds.x + bounds.width
                && b.y + b.height <= bounds.y + bounds.height && !taken.contains { $0.overlaps(b) }
        }
        let chosen = Self.offsets.first { free(box($0)) } ?? Self.offsets[0]
        taken.append(box(chosen))
        return (x + chosen.0, y + chosen.1, chosen.0 < 0)
    }

    /// Marks a region (a point's marker, the legend) as taken.
    mutating func reserve(_ box: Box) { taken.append(box) }
}

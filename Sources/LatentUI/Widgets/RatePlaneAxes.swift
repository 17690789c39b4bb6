import LatentLab

extension RatePlane {
    /// Where the plane's numbers fall on screen: R across, D up, both ranges from the data with a margin, in a
    /// plot area of braille dots.
    struct Axes: Equatable {
        var rateLow: Float, rateHigh: Float
        var distortionLow: Float, distortionHigh: Float
        let plot: Rect

        /// Each side's margin, as a share of the data's range.
        static let margin: Float = 0.05
        /// The share of the distortions the D range holds whatever their steps, and the last share of the steps
        /// whose points it always holds: a random decoder's first few hundred nats run off the top instead of
        /// squashing the rest of the run (and a β change's turn) into a row or two.
        static let keptShare: Float = 0.9, recentShare = 0.1

        /// Ranges that hold the run's points as above. R starts at 0 when that costs at most half the width, so a
        /// collapsed run (R ≈ 0) is seen against its corner rather than at the edge of a zoomed range.
        init?(_ points: [RateDistortionPoint], plot: Rect) {
            let distortions = points.map(\.distortion).sorted()
            guard let r = Self.range(points.map(\.rate)), let first = points.map(\.step).min(),
                  let last = points.map(\.step).max(), plot.width >= 2 && plot.height >= 1 else { return nil }
            let recent = last - Int(Double(last - first) * Self.recentShare)
            let highest = max(distortions[Int(Float(distortions.count - 1) * Self.keptShare)],
                              points.filter { $0.step >= recent }.map(\.distortion).max() ?? -.infinity)
            guard let d = Self.range([distortions[0], highest]) else { return nil }
            (rateLow, rateHigh) = r
            (distortionLow, distortionHigh) = d
            if let least = points.map(\.rate).min(), least >= 0, least <= rateHigh - least { rateLow = 0 }
            self.plot = plot
        }

        /// The values' span, padded by `margin` each side, widened when flat.
        static func range(_ values: [Float]) -> (Float, Float)? {
            guard var low = values.min(), var high = values.max() else { return nil }
            if high - low < 1e-6 { low -= 1; high += 1 }
            let pad = (high - low) * margin
            return (low - pad, high + pad)
        }

        var dotWidth: Int { plot.width * 2 }
        var dotHeight: Int { plot.height * 4 }

        /// A point's dot, in floating point: off the plot for a point outside the ranges, however far.
        func dot(_ p: RateDistortionPoint) -> (x: Double, y: Double) {
            (Double(p.rate - rateLow) / Double(rateHigh - rateLow) * Double(dotWidth - 1),
             Double(distortionHigh - p.distortion) / Double(distortionHigh - distortionLow) * Double(dotHeight - 1))
        }

        /// The dot column of a rate and the dot row of a distortion, just off the plot when outside the ranges.
        func dotX(_ rate: Float) -> Int {
            Self.rounded(dot(RateDistortionPoint(step: 0, rate: rate, distortion: distortionHigh)).x, dotWidth, 2)
        }

        func dotY(_ distortion: Float) -> Int {
            Self.rounded(dot(RateDistortionPoint(step: 0, rate: rateLow, distortion: distortion)).y, dotHeight, 4)
        }

        /// `value` rounded, kept within a cell of the `size` dots (`perCell` to a cell) either side.
        private static func rounded(_ value: Double, _ size: Int, _ perCell: Int) -> Int {
            min(max(Int(plotting: value), -perCell), size - 1 + perCell)
        }

        /// The segment between two points cut to the plot (Liang–Barsky), as dots; nil when it misses it.
        func segment(_ a: RateDistortionPoint, _ b: RateDistortionPoint) -> (from: (Int, Int), to: (Int, Int))? {
            let p = dot(a), q = dot(b)
            let dx = q.x - p.x, dy = q.y - p.y
            var enter = 0.0, leave = 1.0
            let edges = [(-dx, p.x), (dx, Double(dotWidth - 1) - p.x), (-dy, p.y), (dy, Double(dotHeight - 1) - p.y)]
            for (along, room) in edges {
                if along == 0 {
                    if room < 0 { return nil }
                    continue
                }
                let t = room / along
                if along < 0 { enter = max(enter, t) } else { leave = min(leave, t) }
                if enter > leave { return nil }
            }
            func round(_ t: Double) -> (Int, Int) { (Int(plotting: p.x + t * dx), Int(plotting: p.y + t * dy)) }
            return (round(enter), round(leave))
        }

        /// The rate at a dot column and the distortion at a dot row: the inverse of `dotX` and `dotY`.
        func rate(atDot x: Int) -> Float { rateLow + Float(x) / Float(dotWidth - 1) * (rateHigh - rateLow) }

        func distortion(atDot y: Int) -> Float {
            distortionHigh - Float(y) / Float(dotHeight - 1) * (distortionHigh - distortionLow)
        }

        /// The screen cell a point falls in (next to the plot for a point outside the ranges).
        func cell(_ p: RateDistortionPoint) -> (x: Int, y: Int) {
            (plot.x + Int((Double(dotX(p.rate)) / 2).rounded(.down)),
             plot.y + Int((Double(dotY(p.distortion)) / 4).rounded(.down)))
        }

        /// The part of the line D + R = `loss` inside the plotted ranges, as dots from its high-D end; nil when the
        /// line misses them.
        func constantLoss(_ loss: Float) -> (from: (x: Int, y: Int), to: (x: Int, y: Int))? {
            let from = max(rateLow, loss - distortionHigh), to = min(rateHigh, loss - distortionLow)
            guard from <= to else { return nil }
            return ((dotX(from), dotY(loss - from)), (dotX(to), dotY(loss - to)))
        }
    }

    /// Places labels where they overlap no other label nor a marked point, trying spots in order.
    struct Labels {
        let area: Rect
        private(set) var taken: [Rect] = []

        init(area: Rect) { self.area = area }

        /// Keeps a cell free of labels (a point's glyph).
        mutating func reserve(x: Int, y: Int) { taken.append(Rect(x: x, y: y, width: 1, height: 1)) }

        /// Writes `text` at the one of `spots` where it fits whole inside the area, clear of the rest, and covers
        /// the fewest drawn cells (the first such); false when none fits.
        @discardableResult
        mutating func put(_ text: String, at spots: [(x: Int, y: Int)], style: Style, into canvas: inout Canvas)
            -> Bool {
            let width = text.unicodeScalars.count
            var chosen: (rect: Rect, covered: Int)?
            for spot in spots {
                let r = Rect(x: spot.x, y: spot.y, width: width, height: 1)
                guard r.x >= area.x && r.maxX <= area.maxX && r.y >= area.y && r.y < area.maxY,
                      !taken.contains(where: { $0.overlaps(r) }) else { continue }
                let covered = (r.x..<r.maxX).filter { canvas[$0, r.y].character != " " }.count
                if chosen.map({ covered < $0.covered }) ?? true { chosen = (r, covered) }
            }
            guard let chosen else { return false }
            canvas.put(text, x: chosen.rect.x, y: chosen.rect.y, style: style)
            taken.append(chosen.rect)
            return true
        }
    }
}

extension Rect {
    /// True when the two share a cell.
    func overlaps(_ other: Rect) -> Bool {
        x < other.maxX && other.x < maxX && y < other.maxY && other.y < maxY
    }
}

import Foundation
import LatentLab

/// KL per latent unit as bars on a log scale, active units green and collapsed units red, with the
/// 0.01-nat line and the free-bits floor drawn across; with stochastic layers, each layer's first unit is
/// labelled z1, z2, … under the bars. A marked unit (the one a traversal sweeps) gets a ▴ under its column.
public enum UnitBars {
    static let floorKL: Float = 0.001
    static let blocks: [Unicode.Scalar] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let labelWidth = 6

    public static func draw(klPerUnit: [Float], activity: [Float], freeBits: FreeBits, sorted: Bool,
                            layerSizes: [Int] = [], marked: Int? = nil, into canvas: inout Canvas, rect: Rect) {
        let units = klPerUnit.count
        guard units > 0, rect.height >= 3, rect.width > labelWidth + 1 else {
            canvas.put("no units yet", x: rect.x, y: rect.y, style: .dim, clip: rect)
            return
        }
        let order = sorted ? klPerUnit.indices.sorted { klPerUnit[$0] > klPerUnit[$1] } : Array(klPerUnit.indices)
        // One column per unit when they fit, else groups of units per column.
        let area = Rect(x: rect.x + labelWidth, y: rect.y, width: rect.width - labelWidth, height: rect.height - 1)
        let columns = min(units, area.width)
        let top = max(1, klPerUnit.max() ?? 1)
        func level(_ kl: Float) -> Float {  // 0 … 1 on the log scale
            let lo = Foundation.log10(floorKL), hi = Foundation.log10(top)
            return min(1, max(0, (Foundation.log10(max(kl, floorKL)) - lo) / (hi - lo)))
        }
        func rowOf(_ kl: Float) -> Int { area.maxY - 1 - Int(plotting: level(kl) * Float(area.height - 1)) }
        // Reference lines first, so bars draw over them.
        let unitFloor = freeBits.perUnit
            ? freeBits.lambda
            : freeBits.lambda * Float(freeBits.groupRanges(latentSize: units).count) / Float(units)
        var lines: [(Float, String, Style)] = [(0.01, "0.01", .dim)]
        if freeBits.isOn { lines.append((unitFloor, "λ", Style(.brightYellow))) }
        for (kl, label, style) in lines {
            let y = rowOf(kl)
            for x in area.x..<(area.x + columns) { canvas[x, y] = Cell("╌", style) }
            canvas.putRight(label + " ", right: area.x, y: y, style: style, clip: rect)
        }
        canvas.putRight(LineChart.compact(top) + " ", right: area.x, y: area.y, style: .dim, clip: rect)
        for column in 0..<columns {
            let group = order[(column * units / columns)..<((column + 1) * units / columns)]
            let kl = group.map { klPerUnit[$0] }.max() ?? 0
            let active = group.contains { $0 < activity.count && activity[$0] > Evaluation.activityThreshold }
            let style = Style(active ? .brightGreen : .brightRed)
            let eighths = Int(plotting: level(kl) * Float(area.height * 8 - 1)) + 1
            for row in 0..<area.height {
                let filled = eighths - row * 8
                guard filled > 0 else { break }
                canvas[area.x + column, area.maxY - 1 - row] = Cell(blocks[min(7, filled - 1)], style)
            }
        }
        if layerSizes.count > 1 && !sorted {
            var start = 0
            for (l, size) in layerSizes.enumerated() {
                canvas.put("z\(l + 1) \(size)", x: area.x + start * columns / units, y: rect.maxY - 1, style: .dim,
                           clip: rect)
                start += size
            }
        } else {
            let caption = sorted
                ? "units sorted by KL"
                : stride(from: 0, to: columns, by: 10).map { "\($0 * units / columns)" }.map { $0.padded(to: 10) }
                    .joined()
            canvas.put(caption, x: area.x, y: rect.maxY - 1, style: .dim, clip: rect)
        }
        if let marked, let position = order.firstIndex(of: marked) {
            canvas.put("▴", x: area.x + position * columns / units, y: rect.maxY - 1, style: .highlight, clip: rect)
        }
    }
}

import Foundation
import LatentLab

/// The knobs with their keys and current values, and the collapse indicator.
public struct KnobsPanel: Widget {
    /// The lines under the knobs: the pause key's row, a blank, and the collapse indicator (its NaN line
    /// counted even when absent, so the pane does not grow when the first non-finite step is skipped; the
    /// gap line once the gap panel has measured the gap).
    static let pauseRows = 1, gapRows = 1, collapseRows = 5

    public var snapshot: Snapshot
    public init(_ snapshot: Snapshot) { self.snapshot = snapshot }

    public func render(into canvas: inout Canvas, rect: Rect) { Self.draw(snapshot, into: &canvas, rect: rect) }

    /// Rows for every knob and the pause key: less cuts off keys.
    public static func minimumHeight(_ s: Snapshot) -> Int { rows(s).count + pauseRows }

    /// Rows for everything the panel draws, the collapse indicator too.
    public static func preferredHeight(_ s: Snapshot) -> Int {
        minimumHeight(s) + gapRows + collapseRows + (s.gaps == nil ? 0 : 1)
    }

    public static func draw(_ s: Snapshot, into canvas: inout Canvas, rect: Rect) {
        let rows = Self.rows(s)
        var y = rect.y
        for (key, name, value) in rows where y < rect.maxY {
            canvas.put(key, x: rect.x, y: y, style: .highlight, clip: rect)
            canvas.put(name, x: rect.x + 4, y: y, style: .plain, clip: rect)
            canvas.put(value, x: rect.x + 16, y: y, style: .title, clip: rect)
            y += 1
        }
        if y < rect.maxY {
            canvas.put("space", x: rect.x, y: y, style: .highlight, clip: rect)
            canvas.put(s.running ? "pause" : "resume   . one step", x: rect.x + 6, y: y, style: .dim, clip: rect)
            y += 1
        }
        y += 1
        if y < rect.maxY { drawCollapse(s, into: &canvas, x: rect.x, y: y, clip: rect) }
    }

    /// "● healthy", then "AU 19/50 KL 24.1 I_q 6.20", "BA bound ≥ 5.87 nats", the z use and the gap below it.
    static func drawCollapse(_ s: Snapshot, into canvas: inout Canvas, x: Int, y: Int, clip: Rect) {
        let state = s.collapse
        let color: Color = switch state {
        case .healthy: .brightGreen
        case .partial: .brightYellow
        case .collapsed: .brightRed
        }
        canvas.put("● \(state.rawValue)", x: x, y: y, style: Style(color, bold: true), clip: clip)
        canvas.put(String(format: "AU %d/%d KL %.1f I_q %.2f",
                          s.activeUnits, s.latentSize, s.totalKL, s.mutualInformation),
                   x: x, y: y + 1, style: .plain, clip: clip)
        canvas.put(String(format: "BA bound ≥ %.2f nats", s.mutualInformationBound),
                   x: x, y: y + 2, style: .plain, clip: clip)
        canvas.put(s.zUse.map { String(format: "z use %.2f nats", $0) } ?? "z use …",
                   x: x, y: y + 3, style: .plain, clip: clip)
        // Which part of the inference gap dominates, as the gap panel last measured it.
        if let g = s.gaps {
            let (part, share) = g.dominant
            canvas.put(String(format: "gap %.1f: %@ %.0f%%", g.meanInference.value, part, 100 * share),
                       x: x, y: y + 4, style: .plain, clip: clip)
        }
        if s.nonFiniteSteps > 0 {
            canvas.put("NaN/Inf steps skipped \(s.nonFiniteSteps)", x: x, y: y + (s.gaps == nil ? 4 : 5),
                       style: .warning, clip: clip)
        }
    }

    /// The knobs' rows, from their table in its order: keys, name and value ("n/a" when the model cannot take
    /// it); a knob shown on another's row (u on free bits) has none. After the warm-up comes the KL weight it
    /// shapes, which no key sets.
    static func rows(_ s: Snapshot) -> [(keys: String, name: String, value: String)] {
        Knob.allCases.flatMap { knob -> [(keys: String, name: String, value: String)] in
            guard let value = knob.shown(in: s) else { return [] }
            let d = knob.definition
            let row = (keys: d.keys.characters.map(String.init).joined(separator: "/"), name: d.label,
                       value: knob.applies(in: s) ? value : "n/a")
            let weight = (keys: "", name: "KL weight", value: String(format: "%.3f", s.klWeight))
            return knob == .warmup ? [row, weight] : [row]
        }
    }
}

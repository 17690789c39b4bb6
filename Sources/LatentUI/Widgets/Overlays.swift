import LatentLab

/// Whole-screen and centred messages: help, confirmation, too small, collapse banner.
public enum Overlays {
    /// The smallest terminal the dashboard draws in.
    public static let minimumWidth = 80
    public static let minimumHeight = 24

    public static func tooSmall(width: Int, height: Int) -> Canvas {
        var c = Canvas(width: width, height: height)
        let lines = ["terminal too small", "\(width)x\(height), vae-tui needs \(minimumWidth)x\(minimumHeight)",
                     "enlarge it, or q to quit"]
        for (i, line) in lines.enumerated() {
            let y = height / 2 - 1 + i
            c.put(line, x: max(0, (width - line.unicodeScalars.count) / 2), y: y, style: i == 0 ? .warning : .plain)
        }
        return c
    }

    /// A box centred on the canvas with the given lines; returns its rectangle.
    @discardableResult
    public static func dialog(_ lines: [(String, Style)], title: String, into canvas: inout Canvas) -> Rect {
        let inner = max(title.unicodeScalars.count + 4, lines.map { $0.0.unicodeScalars.count }.max() ?? 0)
        let w = min(canvas.width, inner + 4), h = min(canvas.height, lines.count + 2)
        let rect = Rect(x: (canvas.width - w) / 2, y: (canvas.height - h) / 2, width: w, height: h)
        canvas.fill(rect)
        canvas.box(rect, title: title, style: .title)
        for (i, (text, style)) in lines.enumerated() {
            canvas.put(text, x: rect.x + 2, y: rect.y + 1 + i, style: style, clip: rect.inset(1))
        }
        return rect
    }

    /// The key table, and under it the `footer` lines (what the engine runs on).
    public static func help(into canvas: inout Canvas, keys: [(keys: String, action: String)], footer: [String] = []) {
        let width = (keys.map { $0.keys.unicodeScalars.count }.max() ?? 0) + 2
        var lines = keys.map { ($0.keys.padded(to: width) + $0.action, Style.plain) }
        if !footer.isEmpty { lines += [("", .plain)] + footer.map { ($0, Style.dim) } }
        dialog(lines, title: "keys", into: &canvas)
    }

    /// A one-line message over the bottom line (what a key just did, e.g. where a screenshot went).
    public static func notice(_ text: String, into canvas: inout Canvas) {
        guard canvas.height > 0 else { return }
        let y = canvas.height - 1
        canvas.fill(Rect(x: 0, y: y, width: canvas.width, height: 1), style: Style(.black, background: .brightYellow))
        canvas.put(" " + text, x: 0, y: y, style: Style(.black, background: .brightYellow, bold: true))
    }

    public static func confirmReset(into canvas: inout Canvas) {
        dialog([("Reset the model to new random weights?", .plain),
                ("y: reset    any other key: keep training", .highlight)],
               title: "reset", into: &canvas)
    }

    /// The collapse remedies' keys with a long and a short name for each.
    static let remedies: [(key: String, long: String, short: String)] = [
        ("W", "warm-up", "warm-up"), ("F", "free bits", "free bits"), ("C", "AR dropout", "AR drop"),
        ("N", "min rate", "min rate"), ("A", "aggressive", "aggr."), ("b", "beta<1", "β<1"),
    ]

    /// A red line across the top of `rect`, when every unit has collapsed, naming the remedies' keys: the
    /// longest version that fits, shortening the words before it gives up any key.
    public static func collapseBanner(into canvas: inout Canvas, rect: Rect) {
        let long = remedies.map { "\($0.key) \($0.long)" }.joined(separator: " · ")
        let short = remedies.map { "\($0.key) \($0.short)" }.joined(separator: " · ")
        let keys = remedies.map(\.key).joined(separator: " ")
        let text = [" POSTERIOR COLLAPSE: q(z|x) = p(z) · remedies: \(long) ", " POSTERIOR COLLAPSE · \(long) ",
                    " POSTERIOR COLLAPSE · \(short) ", " COLLAPSE · \(short) ", " COLLAPSE · remedies: \(keys) ",
                    " COLLAPSE · \(keys) "]
            .first { $0.unicodeScalars.count <= rect.width } ?? " COLLAPSE "
        canvas.fill(Rect(x: rect.x, y: rect.y, width: rect.width, height: 1),
                    style: Style(.brightWhite, background: .red))
        canvas.put(text, x: rect.x + max(0, (rect.width - text.unicodeScalars.count) / 2), y: rect.y,
                   style: Style(.brightWhite, background: .red, bold: true), clip: rect)
    }
}

/// The collapse banner as a widget, drawn only when the posterior has collapsed after training began.
public struct CollapseBanner: Widget {
    public var snapshot: Snapshot
    public init(_ snapshot: Snapshot) { self.snapshot = snapshot }

    public var isShown: Bool { snapshot.collapse == .collapsed && snapshot.step > 0 }

    public func render(into canvas: inout Canvas, rect: Rect) {
        if isShown { Overlays.collapseBanner(into: &canvas, rect: rect) }
    }
}

extension String {
    /// The string with spaces added to make `n` characters.
    func padded(to n: Int) -> String {
        let count = unicodeScalars.count
        return count >= n ? self : self + String(repeating: " ", count: n - count)
    }
}

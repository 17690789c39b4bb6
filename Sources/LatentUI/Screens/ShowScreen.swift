import Foundation
import LatentLab

/// What `vae-tui show` is looking at: which metric, how smoothed, which run's units and knobs.
public struct ShowView: Equatable, Sendable {
    public var metric = RunMetric.testLoss
    /// The rate-distortion plane in place of the metric's curves (p): runs at different betas or decoders as
    /// points on one picture, as Alemi et al.'s figures show them.
    public var plane = false
    /// Points in the moving average (1: raw).
    public var smoothing = 1
    /// The run whose unit bars and knob changes are shown.
    public var selected = 0
    public var following = false
    public var helpVisible = false
    public init(following: Bool = false) { self.following = following }
}

/// `vae-tui show RUN...`: past and running runs' curves overlaid in distinct colours, as TensorBoard compares
/// runs; a legend with each run's model and latest value; the selected run's last KL per unit and its knob
/// changes (marked on the curves when one run is shown).
public enum ShowScreen {
    public static let keys: [(keys: String, action: String)] = [
        ("← / →  m / M", "metric: previous / next"),
        ("p", "the metric's curves / the rate-distortion plane"),
        ("a / A", "smoothing: less / more"),
        ("↑ / ↓  Tab", "select a run (unit bars and knob changes)"),
        ("S", "save the screen as SVG and text"),
        ("? / F1", "this help (Esc closes)"),
        ("q / Esc", "quit"),
    ]
    static let footer = "←/→ metric · p plane · a/A smoothing · ↑/↓ run · S save · ? help · q quit"
    /// Moving-average lengths a and A step through.
    public static let smoothingLadder = [1, 5, 20, 50]

    public static func render(_ runs: [RunHistory], view: ShowView, width: Int, height: Int) -> Canvas {
        guard width >= Overlays.minimumWidth && height >= Overlays.minimumHeight else {
            return Overlays.tooSmall(width: width, height: height)
        }
        var c = Canvas(width: width, height: height)
        let smoothing = view.smoothing > 1 ? " │ smoothing \(view.smoothing)" : ""
        let count = "\(runs.count) run\(runs.count == 1 ? "" : "s")"
        let shown = view.plane ? "rate-distortion plane" : view.metric.rawValue
        StatusLine.bar(" vae-tui show │ \(count) │ \(shown)\(smoothing)",
                       state: view.following ? "▶ following" : "■ finished", running: view.following,
                       into: &c, rect: Rect(x: 0, y: 0, width: width, height: 1))
        let body = Rect(x: 0, y: 1, width: width, height: height - 2)
        let lowerHeight = max(runs.count + 4, body.height * 2 / 5)
        let upper = Rect(x: 0, y: body.y, width: width, height: body.height - lowerHeight)
        if view.plane {
            plane(runs, view: view, into: &c, rect: upper)
        } else {
            curves(runs, view: view, into: &c, rect: upper)
        }
        let lower = Rect(x: 0, y: body.maxY - lowerHeight, width: width, height: lowerHeight)
        let legendWidth = lower.width * 11 / 20
        legend(runs, view: view, into: &c, rect: Rect(x: 0, y: lower.y, width: legendWidth, height: lower.height))
        if runs.indices.contains(view.selected) {
            units(runs[view.selected], index: view.selected, into: &c,
                  rect: Rect(x: legendWidth, y: lower.y, width: lower.width - legendWidth, height: lower.height))
        }
        c.put(" " + footer, x: 0, y: height - 1, style: .dim)
        if view.helpVisible { Overlays.help(into: &c, keys: keys) }
        return c
    }

    /// One curve per run for the chosen metric, run i in category colour i.
    static func curves(_ runs: [RunHistory], view: ShowView, into c: inout Canvas, rect: Rect) {
        c.box(rect, title: "\(view.metric.rawValue) · by step")
        let series = runs.enumerated().map { i, run in
            LineChart.Series(name: "\(i + 1)", color: color(i), points: run.series[view.metric] ?? [])
        }
        // Knob changes are marked when they belong to the one run on screen.
        let markers = runs.count == 1 ? runs[0].commands : []
        LineChart.draw(series, markers: markers, smoothing: view.smoothing, into: &c, rect: rect.inset(1))
    }

    /// Every run's path through the rate-distortion plane in its colour: training points joined, held-out ones
    /// as ×, the last ● and the best ◆ with its −ELBO line (in the colour's darker shade, apart from the path);
    /// the selected run's knob changes marked.
    public static func plane(_ runs: [RunHistory], view: ShowView, into c: inout Canvas, rect: Rect) {
        c.box(rect, title: "rate-distortion plane · D against R, nats")
        let paths = runs.enumerated().map { i, run in
            RatePlane.Run(train: run.trainPlane, heldOut: run.heldOutPlane,
                          markers: i == view.selected ? run.commands : [], trainColor: color(i),
                          heldOutColor: color(i), currentColor: color(i), bestColor: Color.dimCategory(i),
                          currentLine: false)
        }
        RatePlane.draw(paths, smoothing: view.smoothing, into: &c, rect: rect.inset(1))
    }

    /// Each run: its colour, number and name, its model, its last step, and under the list the selected
    /// run's knob changes, latest last.
    static func legend(_ runs: [RunHistory], view: ShowView, into c: inout Canvas, rect: Rect) {
        c.box(rect, title: "runs")
        let inner = rect.inset(1)
        for (i, run) in runs.enumerated() where i < inner.height {
            let style = i == view.selected ? Style(.brightWhite, bold: true) : Style.plain
            c.put(i == view.selected ? "▶" : " ", x: inner.x, y: inner.y + i, style: .highlight, clip: inner)
            c.put("━ ", x: inner.x + 1, y: inner.y + i, style: Style(color(i)), clip: inner)
            let last = view.plane
                ? (run.heldOutPlane.last ?? run.trainPlane.last).map {
                    " R \(LineChart.compact($0.rate)) D \(LineChart.compact($0.distortion))"
                } ?? " –"
                : run.series[view.metric]?.last.map { " " + LineChart.compact($0.value) } ?? " –"
            c.put("\(i + 1) \(run.name)\(last) · step \(run.lastStep) · \(run.parts)", x: inner.x + 3, y: inner.y + i,
                  style: style, clip: inner)
        }
        let top = inner.y + runs.count + 1
        guard runs.indices.contains(view.selected), top < inner.maxY else { return }
        let changes = runs[view.selected].commands
        c.put(changes.isEmpty
                ? "no knob changes in run \(view.selected + 1)" : "knob changes in run \(view.selected + 1):",
              x: inner.x + 1, y: top, style: .dim, clip: inner)
        let room = inner.maxY - top - 1
        for (row, change) in changes.suffix(room).enumerated() {
            c.put("step \(change.step)  \(change.label)", x: inner.x + 3, y: top + 1 + row, clip: inner)
        }
    }

    /// The run's last KL per unit, active units green and collapsed red, as on the dashboard.
    public static func units(_ run: RunHistory, index: Int, into c: inout Canvas, rect: Rect) {
        let active = run.activity.filter { $0 > Evaluation.activityThreshold }.count
        c.box(rect, title: run.klPerUnit.isEmpty ? "KL per unit · run \(index + 1)"
              : "KL per unit · run \(index + 1) · AU \(active)/\(run.klPerUnit.count)")
        UnitBars.draw(klPerUnit: run.klPerUnit, activity: run.activity, freeBits: FreeBits(), sorted: false,
                      into: &c, rect: rect.inset(1))
    }

    static func color(_ run: Int) -> Color { Color.category(run) }
}

/// The show screen's keys; pure, so tests drive them directly.
public enum ShowKeys {
    /// `metrics` are those any run has, in the menu's order.
    public static func handle(_ key: Key, view: inout ShowView, runs: Int, metrics: [RunMetric]) -> DemoKeyOutcome {
        if view.helpVisible {
            if key.closesHelp { view.helpVisible = false }
            return .handled
        }
        // From the plane, a metric key goes back to the curves.
        func moveMetric(_ by: Int) {
            view.plane = false
            guard !metrics.isEmpty else { return }
            let i = metrics.firstIndex(of: view.metric) ?? 0
            view.metric = metrics[(i + by + metrics.count) % metrics.count]
        }
        switch key {
        case .left, .character("m"): moveMetric(-1)
        case .right, .character("M"): moveMetric(1)
        case .character("p"): view.plane.toggle()
        case .character("a"): view.smoothing = KeyMap.step(ShowScreen.smoothingLadder, from: view.smoothing, up: false)
        case .character("A"): view.smoothing = KeyMap.step(ShowScreen.smoothingLadder, from: view.smoothing, up: true)
        case .up: view.selected = (view.selected + runs - 1) % max(1, runs)
        case .down, .tab: view.selected = (view.selected + 1) % max(1, runs)
        case .character("?"), .f1: view.helpVisible = true
        case .character("q"), .escape: return .quit
        default: return .ignored
        }
        return .handled
    }
}

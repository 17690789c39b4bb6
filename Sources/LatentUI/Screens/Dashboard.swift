import Foundation
import LatentLab

/// The whole screen, built from a snapshot and the view state. Pure: the same inputs draw the same cells.
///
/// Layouts: at least 120×40 shows every pane; from 80×24 the essentials (status, curves, units, knobs)
/// with the latent map and images one Tab away; smaller gets a centred "too small" message.
public enum Dashboard {
    /// `demos` are the entries of the d menu, drawn when the view has it open.
    public static func render(_ s: Snapshot, view: ViewState, width: Int, height: Int, demos: [DemoMenu.Item] = []) -> Canvas {
        guard width >= Overlays.minimumWidth && height >= Overlays.minimumHeight else {
            return Overlays.tooSmall(width: width, height: height)
        }
        var c = Canvas(width: width, height: height)
        StatusLine.draw(s, into: &c, rect: Rect(x: 0, y: 0, width: width, height: 1))
        let body = Rect(x: 0, y: 1, width: width, height: height - 2)
        switch view.page {
        case .overview:
            if width >= 120 && height >= 40 { wide(s, view, into: &c, body) } else { compact(s, view, into: &c, body) }
        case .latentMap: latentPane(s, view, into: &c, body)
        case .images: imagesPane(s, into: &c, body)
        }
        footer(s, view, into: &c, y: height - 1, width: width)
        if s.collapse == .collapsed && s.step > 0 { Overlays.collapseBanner(into: &c, rect: Rect(x: 0, y: 1, width: width, height: 1)) }
        switch view.overlay {
        case .help?: Overlays.help(into: &c, keys: KeyMap.help, footer: s.platform)
        case .confirmingReset?: Overlays.confirmReset(into: &c)
        case .demoMenu?: DemoMenu.draw(demos, into: &c)
        case .modelMenu?: ModelMenu.draw(current: s.modelDescription, into: &c)
        case .confirmingModel(let family)?: ModelMenu.confirm(family, into: &c)
        case nil: break
        }
        return c
    }

    /// Every pane: curves, units and images on the left; latent map and knobs on the right.
    /// The left column is at least wide enough for one row of input, reconstruction and sample.
    static func wide(_ s: Snapshot, _ view: ViewState, into c: inout Canvas, _ r: Rect) {
        let leftWidth = max(3 * (s.images.width + 1) + 1, r.width * 60 / 100)
        let rightWidth = r.width - leftWidth
        let left = Rect(x: r.x, y: r.y, width: leftWidth, height: r.height)
        let right = Rect(x: left.maxX, y: r.y, width: rightWidth, height: r.height)
        let imageHeight = 16
        let unitHeight = max(9, (left.height - imageHeight) * 2 / 5)
        let curves = Rect(x: left.x, y: left.y, width: left.width, height: left.height - imageHeight - unitHeight)
        curvesPane(s, view, into: &c, curves)
        unitsPane(s, view, into: &c, Rect(x: left.x, y: curves.maxY, width: left.width, height: unitHeight))
        imagesPane(s, into: &c, Rect(x: left.x, y: left.maxY - imageHeight, width: left.width, height: imageHeight))
        let knobsHeight = 19
        latentPane(s, view, into: &c, Rect(x: right.x, y: right.y, width: right.width, height: right.height - knobsHeight))
        knobsPane(s, into: &c, Rect(x: right.x, y: right.maxY - knobsHeight, width: right.width, height: knobsHeight))
    }

    /// The essentials: curves on top, units and knobs below.
    static func compact(_ s: Snapshot, _ view: ViewState, into c: inout Canvas, _ r: Rect) {
        let lower = max(10, r.height * 45 / 100)
        curvesPane(s, view, into: &c, Rect(x: r.x, y: r.y, width: r.width, height: r.height - lower))
        let knobsWidth = 34
        unitsPane(s, view, into: &c, Rect(x: r.x, y: r.maxY - lower, width: r.width - knobsWidth, height: lower))
        knobsPane(s, into: &c, Rect(x: r.maxX - knobsWidth, y: r.maxY - lower, width: knobsWidth, height: lower))
    }

    /// Two charts, stacked (side by side when very wide): −ELBO on train and test with the distortion, and
    /// the rate (and each stochastic layer's held-out KL) on its own axis (a few nats beside a hundred); and L_1 with the gaps L_5 − L_1 and L_50 − L_1
    /// on their own axis, where the bounds separate even when they differ by less than the −ELBO moves.
    static func curvesPane(_ s: Snapshot, _ view: ViewState, into c: inout Canvas, _ r: Rect) {
        let window = view.recentOnly ? "last \(view.recentWindow) steps" : "full history"
        c.box(r, title: "curves · nats · \(window)\(view.smoothing ? " · smoothed" : "")")
        let inner = r.inset(1)
        let charts: [[LineChart.Series]] = [
            [LineChart.Series(name: "-ELBO", color: .brightCyan, points: s.curves.trainLoss),
             LineChart.Series(name: "test", color: .brightMagenta, points: s.curves.testLoss),
             LineChart.Series(name: "distortion", color: .brightBlue, points: s.curves.distortion),
             LineChart.Series(name: "rate", color: .brightYellow, points: s.curves.rate, rightAxis: true)]
                + s.curves.klLayers.enumerated().map { l, points in
                    LineChart.Series(name: "KL z\(l + 1)", color: l == 0 ? .yellow : .brightRed, points: points, rightAxis: true)
                },
            [LineChart.Series(name: "L1", color: .red, points: s.curves.l1),
             LineChart.Series(name: "L5-L1", color: .yellow, points: gap(s.curves.l5, s.curves.l1), rightAxis: true),
             LineChart.Series(name: "L50-L1", color: .brightGreen, points: gap(s.curves.l50, s.curves.l1), rightAxis: true)],
        ]
        let sideBySide = inner.width >= 150
        let firstHeight = (inner.height + 1) / 2
        for (i, series) in charts.enumerated() {
            let rect = sideBySide
                ? Rect(x: inner.x + inner.width * i / 2, y: inner.y, width: inner.width / 2 - 1, height: inner.height)
                : Rect(x: inner.x, y: inner.y + (i == 0 ? 0 : firstHeight), width: inner.width,
                       height: i == 0 ? firstHeight : inner.height - firstHeight)
            LineChart.draw(series, markers: s.curves.markers, window: view.recentOnly ? view.recentWindow : nil,
                           smoothing: view.smoothing ? 5 : 1, into: &c, rect: rect)
        }
    }

    /// a − b at the steps both have (the probe bounds are taken together, so that is every step).
    static func gap(_ a: [Snapshot.Point], _ b: [Snapshot.Point]) -> [Snapshot.Point] {
        zip(a, b).compactMap { $0.step == $1.step ? Snapshot.Point(step: $0.step, value: $0.value - $1.value) : nil }
    }

    static func unitsPane(_ s: Snapshot, _ view: ViewState, into c: inout Canvas, _ r: Rect) {
        c.box(r, title: unitsTitle(s, width: r.width))
        UnitBars.draw(klPerUnit: s.klPerUnit, activity: s.activity, freeBits: s.settings.freeBits, sorted: view.sortUnits,
                      layerSizes: s.layerSizes, into: &c, rect: r.inset(1))
    }

    /// "KL per unit · AU 33/50 · I_q 6.10 · BA bound ≥ 5.87 nats", shortened until it fits the box's top edge:
    /// at 80 columns the pane's name shrinks to "KL" so that both information numbers stay on screen.
    static func unitsTitle(_ s: Snapshot, width: Int) -> String {
        // With stochastic layers, the active units of each: "AU z1 20/100 z2 5/50".
        let activeUnits = s.layerSizes.count > 1 && s.activeUnitsLayers.count == s.layerSizes.count
            ? "AU " + s.layerSizes.indices.map { "z\($0 + 1) \(s.activeUnitsLayers[$0])/\(s.layerSizes[$0])" }.joined(separator: " ")
            : "AU \(s.activeUnits)/\(s.latentSize)"
        let numbers = activeUnits + String(format: " · I_q %.2f", s.mutualInformation)
        let bound = String(format: "%.2f", s.mutualInformationBound)
        let candidates = ["KL per unit · \(numbers) · BA bound ≥ \(bound) nats", "KL per unit · \(numbers) · BA ≥ \(bound)",
                          "KL · \(numbers) · BA ≥ \(bound)", "KL per unit · \(numbers) nats"]
        return candidates.first { $0.unicodeScalars.count <= width - 6 } ?? candidates[candidates.count - 1]
    }

    static func knobsPane(_ s: Snapshot, into c: inout Canvas, _ r: Rect) {
        c.box(r, title: "knobs")
        KnobsPanel.draw(s, into: &c, rect: r.inset(1))
    }

    static func latentPane(_ s: Snapshot, _ view: ViewState, into c: inout Canvas, _ r: Rect) {
        let (a, b) = view.dims(for: s)
        c.box(r, title: "q(z|x) · z\(a) × z\(b)\(view.meansOnly ? " · means" : "")\(view.showDensity ? " · density" : "")")
        LatentMap.draw(s.posterior, dims: (a, b), meansOnly: view.meansOnly, showDensity: view.showDensity,
                       into: &c, rect: r.inset(1))
    }

    /// Rows of input | reconstruction | prior sample, as many as fit.
    static func imagesPane(_ s: Snapshot, into c: inout Canvas, _ r: Rect) {
        // An autoregressive decoder's reconstructions are its probabilities given the true previous pixels, and
        // its samples are drawn pixel by pixel every few seconds: the title says so, and when they were drawn.
        let title = s.images.samplesAreDraws
            ? "inputs · \(s.images.reconstructionsAreDraws ? "x ~ p(x|z) free-running" : "p(x_j|x_<j,z)") · prior draws from step \(s.images.samplesStep) of \(s.step)"
            : "inputs · reconstructions · samples from the prior"
        c.box(r, title: title)
        let im = s.images
        let cellWidth = im.width, cellHeight = (im.height + 1) / 2
        let inner = r.inset(1)
        let columns = max(1, (inner.width + 1) / (cellWidth + 1))
        let rows = max(0, inner.height / cellHeight)
        // Fill whole triples (input, reconstruction, sample) first.
        var slots: [[Float]] = []
        for i in 0..<min(im.inputs.count, im.reconstructions.count, im.samples.count) {
            slots += [im.inputs[i], im.reconstructions[i], im.samples[i]]
        }
        let perRow = columns >= 3 ? columns / 3 * 3 : columns
        for (n, pixels) in slots.prefix(perRow * rows).enumerated() {
            let x = inner.x + (n % perRow) * (cellWidth + 1), y = inner.y + (n / perRow) * cellHeight
            HalfBlockImage.draw(pixels, width: im.width, height: im.height, into: &c, x: x, y: y)
        }
        if slots.isEmpty { c.put("no images yet", x: inner.x, y: inner.y, style: .dim, clip: inner) }
    }

    /// The bottom line: the last message, and a reminder of the help key where the message leaves room for it
    /// (a long one, such as a failed save's path and reason, takes the whole line).
    static func footer(_ s: Snapshot, _ view: ViewState, into c: inout Canvas, y: Int, width: Int) {
        let pages = ["overview", "latent map", "images"]
        let hint = " ? help · Tab \(pages[(view.page.rawValue + 1) % pages.count]) · q quit "
        if !s.message.isEmpty { c.put(" " + s.message, x: 0, y: y, style: .highlight) }
        if s.message.isEmpty || 1 + s.message.count + hint.count <= width { c.putRight(hint, right: width, y: y, style: .dim) }
    }
}

import Foundation
import LatentLab

/// Two charts, stacked (side by side when very wide): −ELBO on train and test with the distortion, and
/// the rate (and each stochastic layer's held-out KL) on its own axis (a few nats beside a hundred); and L_1
/// with the gaps L_5 − L_1 and L_50 − L_1 on their own axis, where the bounds separate even when they differ
/// by less than the −ELBO moves. Or, with p, the rate-distortion plane: in their place, or beside them as a
/// panel of its own where the pane is wide enough for both.
struct CurvesPane: Widget {
    /// Inner width from which the two charts sit side by side.
    static let sideBySideWidth = 150
    /// The pane's width from which the plane opens beside the curves instead of in their place: at 200 columns
    /// (the wide layout's left column is 120), not at 120 (72).
    static let planeBesideWidth = 110
    /// Beside the curves, the plane is about square (a cell is twice as tall as wide), at most half the pane.
    static let planeCellAspect = 2
    /// Points averaged when the view smooths.
    static let smoothingWindow = 5

    var snapshot: Snapshot
    var view: ViewState

    func render(into c: inout Canvas, rect r: Rect) {
        let window = (view.recentOnly ? "last \(view.recentWindow) steps" : "full history")
            + (view.smoothing ? " · smoothed" : "")
        guard view.showsPlane else { return curves(window: window, into: &c, rect: r) }
        guard r.width >= Self.planeBesideWidth else { return plane(window: window, into: &c, rect: r) }
        let side = Layout.columns(r, [.fill(), .length(min(r.width / 2, r.height * Self.planeCellAspect))])
        curves(window: window, into: &c, rect: side[0])
        plane(window: window, into: &c, rect: side[1])
    }

    /// The run's path in (R, D), boxed, its title shortened to fit.
    func plane(window: String, into c: inout Canvas, rect r: Rect) {
        let titles = ["rate-distortion plane · nats · \(window)", "rate-distortion plane · \(window)",
                      "rate-distortion plane"]
        c.box(r, title: titles.first { $0.unicodeScalars.count <= r.width - UnitsPane.titleMargin } ?? titles[2])
        RatePlane.draw([Self.planeRun(snapshot)], window: view.recentOnly ? view.recentWindow : nil,
                       smoothing: view.smoothing ? Self.smoothingWindow : 1, into: &c, rect: r.inset(1))
    }

    /// The two charts, boxed.
    func curves(window: String, into c: inout Canvas, rect r: Rect) {
        let s = snapshot
        c.box(r, title: "curves · nats · \(window)")
        let inner = r.inset(1)
        let layers = s.curves.klLayers.enumerated().map { l, points in
            LineChart.Series(name: "KL z\(l + 1)", color: l == 0 ? .yellow : .brightRed, points: points,
                             rightAxis: true)
        }
        let charts: [[LineChart.Series]] = [
            [LineChart.Series(name: "-ELBO", color: .brightCyan, points: s.curves.trainLoss),
             LineChart.Series(name: "test", color: .brightMagenta, points: s.curves.testLoss),
             LineChart.Series(name: "distortion", color: .brightBlue, points: s.curves.distortion),
             LineChart.Series(name: "rate", color: .brightYellow, points: s.curves.rate, rightAxis: true)] + layers,
            [LineChart.Series(name: "L1", color: .red, points: s.curves.l1),
             LineChart.Series(name: "L5-L1", color: .yellow, points: Self.gap(s.curves.l5, s.curves.l1),
                              rightAxis: true),
             LineChart.Series(name: "L50-L1", color: .brightGreen, points: Self.gap(s.curves.l50, s.curves.l1),
                              rightAxis: true)],
        ]
        // Stacked, the first chart takes the odd row; side by side, each half less a column between them.
        let rects = inner.width >= Self.sideBySideWidth
            ? Layout.columns(inner, [.ratio(1, 2), .ratio(1, 2)]).map { half in
                Rect(x: half.x, y: half.y, width: half.width - 1, height: half.height)
            }
            : Layout.rows(inner, [.fill(), .ratio(1, 2)])
        for (series, rect) in zip(charts, rects) {
            LineChart.draw(series, markers: s.curves.markers, window: view.recentOnly ? view.recentWindow : nil,
                           smoothing: view.smoothing ? Self.smoothingWindow : 1, into: &c, rect: rect)
        }
    }

    /// The run in the plane, in the curves' colours: training batches as the train −ELBO, held-out points as the
    /// test −ELBO.
    static func planeRun(_ s: Snapshot) -> RatePlane.Run {
        RatePlane.Run(train: s.curves.trainPlane, heldOut: s.curves.heldOutPlane, markers: s.curves.markers,
                      trainColor: .brightCyan, heldOutColor: .brightMagenta, currentColor: .brightWhite,
                      bestColor: .brightGreen, currentLine: true)
    }

    /// a − b at the steps both have (the probe bounds are taken together, so that is every step).
    static func gap(_ a: [Snapshot.Point], _ b: [Snapshot.Point]) -> [Snapshot.Point] {
        zip(a, b).compactMap { $0.step == $1.step ? Snapshot.Point(step: $0.step, value: $0.value - $1.value) : nil }
    }
}

/// KL per unit as bars, under a title with the active units and the information numbers.
struct UnitsPane: Widget {
    /// The box's corners and the spaces around the title.
    static let titleMargin = 6

    var snapshot: Snapshot
    var view: ViewState
    /// The unit the traversal sweeps, marked under its bar on the images page.
    var marked: Int?

    func render(into c: inout Canvas, rect r: Rect) {
        let s = snapshot
        c.box(r, title: Self.title(s, width: r.width))
        UnitBars.draw(klPerUnit: s.klPerUnit, activity: s.activity, freeBits: s.settings.freeBits,
                      sorted: view.sortUnits, layerSizes: s.layerSizes, marked: marked, into: &c, rect: r.inset(1))
    }

    /// "KL per unit · AU 33/50 · I_q 6.10 · BA bound ≥ 5.87 nats", shortened until it fits the box's top edge:
    /// at 80 columns the pane's name shrinks to "KL" so that both information numbers stay on screen.
    static func title(_ s: Snapshot, width: Int) -> String {
        // With stochastic layers, the active units of each: "AU z1 20/100 z2 5/50".
        let activeUnits = s.layerSizes.count > 1 && s.activeUnitsLayers.count == s.layerSizes.count
            ? "AU " + s.layerSizes.indices.map { "z\($0 + 1) \(s.activeUnitsLayers[$0])/\(s.layerSizes[$0])" }
                .joined(separator: " ")
            : "AU \(s.activeUnits)/\(s.latentSize)"
        let numbers = activeUnits + String(format: " · I_q %.2f", s.mutualInformation)
        let bound = String(format: "%.2f", s.mutualInformationBound)
        let candidates = ["KL per unit · \(numbers) · BA bound ≥ \(bound) nats",
                          "KL per unit · \(numbers) · BA ≥ \(bound)",
                          "KL · \(numbers) · BA ≥ \(bound)", "KL per unit · \(numbers) nats"]
        return candidates.first { $0.unicodeScalars.count <= width - titleMargin } ?? candidates[candidates.count - 1]
    }
}

/// q(z|x) in the two chosen units, boxed; for a two-unit latent, over the decoder's manifold. On its own page
/// it carries the latent walk's cursor, with the image decoded there beside the map.
struct LatentPane: Widget {
    var snapshot: Snapshot
    var view: ViewState
    /// The page's pane: the cursor and its image (`CursorPane`) too.
    var walking = false

    func render(into c: inout Canvas, rect r: Rect) {
        var map = r
        if walking, let walk = snapshot.walk, r.width >= CursorPane.width + Self.minimumMapWidth {
            let columns = Layout.columns(r, [.fill(), .length(CursorPane.width)])
            map = columns[0]
            CursorPane(walk: walk, snapshot: snapshot).render(into: &c, rect: columns[1])
        }
        let cursor = walking ? (view.cursor.first, view.cursor.second) : nil
        if let manifold = snapshot.manifold {
            let means = view.meansOnly ? " · means" : ""
            let titles = ["decoder's manifold · q(z|x) over p(z)\(means)", "p(x|z) manifold · q(z|x)\(means)"]
            let room = map.width - UnitsPane.titleMargin
            c.box(map, title: titles.first { $0.unicodeScalars.count <= room } ?? titles[1])
            ManifoldMap.draw(manifold, posterior: snapshot.posterior, meansOnly: view.meansOnly, cursor: cursor,
                             into: &c, rect: map.inset(1))
            return
        }
        let (a, b) = view.dims(for: snapshot)
        let means = view.meansOnly ? " · means" : "", density = view.showDensity ? " · density" : ""
        c.box(map, title: "q(z|x) · z\(a) × z\(b)\(means)\(density)")
        LatentMap.draw(snapshot.posterior, dims: (a, b), meansOnly: view.meansOnly, showDensity: view.showDensity,
                       cursor: cursor, into: &c, rect: map.inset(1))
    }

    /// The map keeps at least this many columns beside the cursor's image.
    static let minimumMapWidth = 30
}

/// Rows of input | reconstruction | prior sample, as many as fit.
struct ImagesPane: Widget {
    /// The images of one row: an input, its reconstruction and a sample.
    static let triple = 3

    var snapshot: Snapshot

    /// Wide enough for one triple inside the box, a column between images.
    static func minimumWidth(_ s: Snapshot) -> Int { triple * (s.images.width + 1) + 1 }

    func render(into c: inout Canvas, rect r: Rect) {
        let s = snapshot
        // An autoregressive decoder's reconstructions are its probabilities given the true previous pixels, and
        // its samples are drawn pixel by pixel every few seconds: the title says so, and when they were drawn.
        let reconstructions = s.images.reconstructionsAreDraws ? "x ~ p(x|z) free-running" : "p(x_j|x_<j,z)"
        let title = s.images.samplesAreDraws
            ? "inputs · \(reconstructions) · prior draws from step \(s.images.samplesStep) of \(s.step)"
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
        let perRow = columns >= Self.triple ? columns / Self.triple * Self.triple : columns
        for (n, pixels) in slots.prefix(perRow * rows).enumerated() {
            let x = inner.x + (n % perRow) * (cellWidth + 1), y = inner.y + (n / perRow) * cellHeight
            HalfBlockImage.draw(pixels, width: im.width, height: im.height, into: &c, x: x, y: y)
        }
        if slots.isEmpty { c.put("no images yet", x: inner.x, y: inner.y, style: .dim, clip: inner) }
    }
}

/// The bottom line: the last message, and a reminder of the help key where the message leaves room for it
/// (a long one, such as a failed save's path and reason, takes the whole line).
struct Footer: Widget {
    var snapshot: Snapshot
    var view: ViewState

    func render(into c: inout Canvas, rect r: Rect) {
        let next = ViewState.Page(rawValue: (view.page.rawValue + 1) % ViewState.Page.allCases.count)!
        let hint = " ? help · Tab \(next.title) · q quit "
        let message = snapshot.message
        if !message.isEmpty { c.put(" " + message, x: r.x, y: r.y, style: .highlight, clip: r) }
        if message.isEmpty || 1 + message.count + hint.count <= r.width {
            c.putRight(hint, right: r.maxX, y: r.y, style: .dim, clip: r)
        }
    }
}

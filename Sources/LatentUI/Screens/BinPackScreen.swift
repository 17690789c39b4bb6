import Foundation
import LatentLab

/// How the bin-packing demo is being watched: not part of the model.
public struct BinPackViewOptions: Sendable, Equatable {
    public var running = false
    /// Optimisation steps per frame while running.
    public var speed = 1
    public var showSamples = false
    /// Outline each exact posterior p(z|x) too: the bin q(z|x) should fill.
    public var showExact = false
    public init(running: Bool = false, speed: Int = 1, showSamples: Bool = false, showExact: Bool = false) {
        self.running = running
        self.speed = speed
        self.showSamples = showSamples
        self.showExact = showExact
    }
}

/// `vae-tui demo binpack`: each q(z|x) of the four points as its highest-density region in its colour over
/// the prior's contours and the shaded aggregate posterior, and per point its KL, reconstruction, ELBO, exact
/// log p(x) and gap, with the mutual information and the knobs beside.
public enum BinPackScreen {
    /// Rows, borders included, of the per-point table and of the information box beside the map.
    static let tableHeight = 8, informationHeight = 5

    public static func render(_ s: BinPackSnapshot, options: BinPackViewOptions, width: Int, height: Int) -> Canvas {
        guard width >= Overlays.minimumWidth && height >= Overlays.minimumHeight else {
            return Overlays.tooSmall(width: width, height: height)
        }
        var c = Canvas(width: width, height: height)
        StatusLine.bar(" demo: bin packing │ step \(s.step) │ q: \(s.family.title) │ prior \(s.prior.title)",
                       state: options.running ? "▶ running ×\(options.speed)" : "⏸ paused",
                       running: options.running,
                       into: &c, rect: Rect(x: 0, y: 0, width: width, height: 1))

        let side = min(height - 2, (width - 50) / 2)
        let map = Rect(x: 0, y: 1, width: 2 * side, height: height - 2)
        drawMap(s.evaluation, options: options, into: &c, rect: map)
        let right = Rect(x: map.maxX, y: 1, width: width - map.maxX, height: height - 2)
        let panes = Layout.rows(right, [.length(tableHeight), .length(informationHeight), .fill()])
        drawTable(s.evaluation, into: &c, rect: panes[0])
        drawInformation(s.evaluation, into: &c, rect: panes[1])
        drawKnobs(s, options: options, into: &c, rect: panes[2])
        c.put(DemoKey.footer(BinPackKeys.keys), x: 1, y: height - 1, style: .dim)
        return c
    }

    /// The latent plane over [−extent, extent]²: aggregate posterior as grey background, the prior's 1, 2 and
    /// 3-sigma-mass contours in grey, each q(z|x)'s 39% region outlined in its colour, its letter at E_q z, and
    /// on request the exact posteriors' 39% regions in the darker shade of the same colour.
    static func drawMap(_ e: BinPackEvaluation, options: BinPackViewOptions, into c: inout Canvas, rect r: Rect) {
        c.box(r, title: "z: q(z|x) of A–D vs p(z)")
        let inner = r.inset(1)
        let cellsWide = min(inner.width, inner.height * 2), cellsTall = min(inner.height, (cellsWide + 1) / 2)
        guard cellsWide >= 4 && cellsTall >= 2 else { return }
        let origin = (x: inner.x + (inner.width - cellsWide) / 2, y: inner.y + (inner.height - cellsTall) / 2)
        let extent: Float = 3.5
        var grid = BrailleGrid(cellWidth: cellsWide, cellHeight: cellsTall)
        let dotsWide = grid.dotWidth, dotsTall = grid.dotHeight
        func z(_ x: Int, _ y: Int) -> (Float, Float) {
            (-extent + (Float(x) + 0.5) * 2 * extent / Float(dotsWide),
             extent - (Float(y) + 0.5) * 2 * extent / Float(dotsTall))
        }
        /// The dot of a point, nil when it is off the map or not a number (a non-finite evaluation is drawn too).
        func dot(_ v: SIMD2<Float>) -> (Int, Int)? {
            let x = ((v.x + extent) / (2 * extent) * Float(dotsWide)).rounded(.down)
            let y = ((extent - v.y) / (2 * extent) * Float(dotsTall)).rounded(.down)
            guard x >= 0 && y >= 0 && x < Float(dotsWide) && y < Float(dotsTall) else { return nil }
            return (Int(x), Int(y))
        }
        // Which grid cell each dot reads from, once.
        let cells: [Int?] = (0..<(dotsWide * dotsTall)).map { i in
            let (u, v) = z(i % dotsWide, i / dotsWide)
            return e.grid.index(u, v)
        }
        func inside(_ values: [Float], _ level: Float) -> [Bool] {
            cells.map { $0.map { values[$0] >= level } ?? false }
        }
        func outline(_ region: [Bool], color: Color) {
            for y in 0..<dotsTall {
                for x in 0..<dotsWide where region[y * dotsWide + x] {
                    let edge = x == 0 || y == 0 || x == dotsWide - 1 || y == dotsTall - 1
                        || !region[y * dotsWide + x - 1] || !region[y * dotsWide + x + 1]
                        || !region[(y - 1) * dotsWide + x] || !region[(y + 1) * dotsWide + x]
                    if edge { grid.set(x, y, color: color) }
                }
            }
        }
        // Background: the aggregate posterior at each character cell's centre.
        let peak = e.aggregate.max() ?? 1
        for cy in 0..<cellsTall {
            for cx in 0..<cellsWide {
                let (u, v) = z(cx * 2 + 1, cy * 4 + 2)
                guard let g = e.grid.index(u, v), peak > 0 else { continue }
                let shade = (e.aggregate[g] / peak).squareRoot()
                if shade > 0.05 && shade <= 1 {
                    c[origin.x + cx, origin.y + cy] = Cell(" ", Style(background: .grey(Int(shade * 8))))
                }
            }
        }
        for level in e.priorLevels { outline(inside(e.logPrior, level), color: .brightBlack) }
        if options.showExact {
            for (i, (logP, level)) in zip(e.logExactPosterior, e.exactPosteriorLevels).enumerated() {
                outline(inside(logP, level), color: .dimCategory(i))
            }
        }
        for (i, (logQ, level)) in zip(e.logPosterior, e.posteriorLevels).enumerated() {
            outline(inside(logQ, level), color: .category(i))
        }
        if options.showSamples {
            for (i, point) in e.points.enumerated() {
                for sample in point.samples { if let (x, y) = dot(sample) { grid.set(x, y, color: .category(i)) } }
            }
        }
        grid.render(into: &c, x: origin.x, y: origin.y)
        for (i, point) in e.points.enumerated() {
            guard let (x, y) = dot(point.mean) else { continue }
            let at = (origin.x + x / 2, origin.y + y / 4)
            c[at.0, at.1] = Cell(BinPackDemo.letters[i].unicodeScalars.first!,
                                 Style(.category(i), background: c[at.0, at.1].style.background, bold: true))
        }
        c.put(String(format: "±%.1f", extent), x: r.maxX - 6, y: r.maxY - 1, style: .dim)
    }

    /// Per point: x, KL, the reconstruction probability exp E_q log p(x|z) (the geometric mean over q of the
    /// probability of reconstructing x; ELBO + KL gives it in nats), ELBO, exact log p(x), gap; and the totals.
    static func drawTable(_ e: BinPackEvaluation, into c: inout Canvas, rect r: Rect) {
        c.box(r, title: "per point · nats · log p(x) by quadrature")
        let x = r.x + 2
        c.put("   x     KL p(x|z)     ELBO  log p(x)     gap", x: x, y: r.y + 1, style: .dim, clip: r.inset(1))
        for (i, p) in e.points.enumerated() {
            let y = r.y + 2 + i
            c.put(BinPackDemo.letters[i], x: x, y: y, style: Style(.category(i), bold: true))
            c.put(pattern(BinPackDemo.points[i]), x: x + 2, y: y, style: Style(.category(i)))
            c.put(String(format: "%7.3f %6.3f %8.3f %9.3f %7.3f",
                         p.kl, exp(p.reconstruction), p.elbo, p.logMarginal, p.gap),
                  x: x + 4, y: y, clip: r.inset(1))
        }
        c.put(String(format: "total%@%8.3f %9.3f %7.3f",
                     String(repeating: " ", count: 14), e.elbo, e.logMarginal, e.gap),
              x: x, y: r.y + 6, style: .title, clip: r.inset(1))
    }

    /// A 4×4 binary image as two braille characters.
    static func pattern(_ pixels: [Float]) -> String {
        var grid = BrailleGrid(cellWidth: 2, cellHeight: 1)
        for (i, v) in pixels.enumerated() where v > 0.5 { grid.set(i % 4, i / 4) }
        var canvas = Canvas(width: 2, height: 1)
        grid.render(into: &canvas, x: 0, y: 0)
        return String(String.UnicodeScalarView([canvas[0, 0].character, canvas[1, 0].character]))
    }

    static func drawInformation(_ e: BinPackEvaluation, into c: inout Canvas, rect r: Rect) {
        c.box(r, title: "I(x;z) · nats · x uniform on A–D")
        let clip = r.inset(1)
        // The bound and I_q use q on the grid: shown only while every q is on it.
        func value(_ v: Double) -> String { e.posteriorsOnGrid ? String(format: "%6.3f", v) : "  q off grid" }
        c.put(String(format: "exact I(x;z) %6.3f  ≤ H(x) = log 4 = %.3f", e.exactInformation, log(4.0)),
              x: r.x + 2, y: r.y + 1, clip: clip)
        c.put("Barber-Agakov H(z) + E log q(z|x) " + value(e.barberAgakov), x: r.x + 2, y: r.y + 2, clip: clip)
        c.put("I_q(x;z) = E KL(q(z|x) ‖ q(z)) " + value(e.encoderInformation), x: r.x + 2, y: r.y + 3, clip: clip)
    }

    static func drawKnobs(_ s: BinPackSnapshot, options: BinPackViewOptions, into c: inout Canvas, rect r: Rect) {
        guard r.height >= 3 else { return }
        c.box(r, title: "knobs")
        let st = s.settings, ob = st.objective, lambda = ob.freeBits.lambda
        let objective = ob.kind == .elbo ? "ELBO" : "IWAE L_k"
        let knobs: [(String, String)] = [
            ("p", s.family.title), ("P", "prior " + s.prior.title),
            ("o", objective), ("k/K", "k \(ob.k)"),
            ("b/B", String(format: "β %g", ob.beta)),
            ("f/F", lambda <= 0 ? "free bits off" : ob.kind == .elbo ? String(format: "free bits %g", lambda)
                : String(format: "free bits %g (ELBO only)", lambda)),
            ("l/L", String(format: "lr %g", st.learningRate)), ("m", st.trainModel ? "train q and p" : "train q only"),
            ("+/-", "×\(options.speed) steps/frame"), ("s", options.showSamples ? "samples shown" : "samples hidden"),
            ("e", options.showExact ? "exact p(z|x) shown" : "exact p(z|x) hidden"),
        ]
        let column = (r.width - 2) / 2
        for (i, (key, value)) in knobs.enumerated() {
            let y = r.y + 1 + i / 2
            guard y < r.maxY - 1 else { break }
            let x = r.x + 2 + (i % 2) * column
            c.put(key, x: x, y: y, style: .highlight)
            c.put(value, x: x + 4, y: y, clip: Rect(x: x + 4, y: y, width: column - 5, height: 1))
        }
        let offGrid = zip(BinPackDemo.letters, s.evaluation.posteriorMass).filter { $0.1 < 0.99 }.map(\.0)
        let priorWarning = String(format: "prior mass on the grid %.3f: log p(x) underestimated",
                                  s.evaluation.priorMass)
        let warnings = [s.evaluation.priorMass < 0.99 ? priorWarning : nil,
                        offGrid.isEmpty ? nil : "q off the ±5 grid for \(offGrid.joined(separator: ", "))",
                        s.skippedSteps > 0 ? "\(s.skippedSteps) non-finite steps skipped, \(s.restores) restores" : nil]
            .compactMap { $0 }
        let legend = ["grey circles: p(z) holding 39%, 86%, 99%", "coloured: the 39% region of each q(z|x)",
                      "letter: E_q z · shade: aggregate q(z)", "p(x|z): exp E_q log p(x|z), the reconstruction",
                      "gap = log p(x) − ELBO = KL(q(z|x) ‖ p(z|x))"]
        var y = r.y + 1 + (knobs.count + 1) / 2
        let lines = warnings.map({ ($0, Style.warning) }) + [("", .plain)] + legend.map({ ($0, Style.dim) })
        for line in lines where y < r.maxY - 1 {
            c.put(line.0, x: r.x + 2, y: y, style: line.1, clip: r.inset(1))
            y += 1
        }
    }
}

import Foundation
import LatentLab

/// How the dequantization demo is being watched: not part of the model.
public struct DequantViewOptions: Sendable, Equatable {
    public var running = false
    /// Optimisation steps per frame while running.
    public var speed = 10
    /// The selected cell, whose q(u|x) is drawn against p(u|x).
    public var cell = (x1: 0, x2: 0)
    public init() {}

    public static func == (a: Self, b: Self) -> Bool {
        a.running == b.running && a.speed == b.speed && a.cell == b.cell
    }

    /// The cell the data puts most mass on: where the demo opens.
    public static func likeliestCell(_ data: DequantData) -> (x1: Int, x2: Int) {
        let c = data.probabilities.indices.max { data.probabilities[$0] < data.probabilities[$1] } ?? 0
        return (c % data.levels, c / data.levels)
    }
}

/// `vae-tui demo dequant`: the continuous density p(v) over [0, L)² with the cell grid over it, the data's and
/// the model's P(x) per cell, the selected cell's q(u|x) against the exact p(u|x) = p(x + u)/P(x), and the
/// numbers in bits per dimension: the data entropy, the model's exact cross-entropy, both bounds and their
/// gaps, and the variational gap as E_x KL(q(u|x) ‖ p(u|x)) computed directly. Every number is a quadrature.
public enum DequantScreen {
    /// Pixels of the plane per cell from which a grid line is drawn (one pixel of each cell's side).
    static let gridLineMinimumPixels = 3
    /// The grey of a grid line over an empty region (of 23).
    static let gridLineLevel = 4
    /// The per-cell maps need this many rows beside the numbers and the cell box.
    static let mapsMinimumHeight = 34

    public static func render(_ s: DequantSnapshot, options: DequantViewOptions, width: Int, height: Int) -> Canvas {
        guard width >= Overlays.minimumWidth && height >= Overlays.minimumHeight else {
            return Overlays.tooSmall(width: width, height: height)
        }
        var c = Canvas(width: width, height: height)
        let shape = s.shape.rawValue
        StatusLine.bar(" dequantization │ step \(s.step) │ \(shape) L=\(s.evaluation.data.levels) "
                       + "│ dequantizer \(s.kind.rawValue)",
                       state: options.running ? "▶ running ×\(options.speed)" : "⏸ paused",
                       running: options.running,
                       into: &c, rect: Rect(x: 0, y: 0, width: width, height: 1))
        let levels = s.evaluation.data.levels
        // The selected cell on this snapshot's grid: the keys may have moved it for a grid still being made.
        let cell = (min(max(options.cell.x1, 0), levels - 1), min(max(options.cell.x2, 0), levels - 1))
        // The plane: as many whole pixels per cell as the height allows (two pixels a row, half blocks).
        let pixelsPerCell = max(1, 2 * (height - 4) / levels)
        let side = pixelsPerCell * levels
        let plane = Rect(x: 0, y: 1, width: side + 2, height: (side + 1) / 2 + 2)
        drawPlane(s.evaluation, cell: cell, pixelsPerCell: pixelsPerCell, into: &c, rect: plane)
        let right = Rect(x: plane.maxX, y: 1, width: width - plane.maxX, height: height - 2)
        let numbers = Rect(x: right.x, y: right.y, width: right.width, height: 10)
        drawNumbers(s, into: &c, rect: numbers)
        var y = numbers.maxY
        if height >= mapsMinimumHeight {
            let maps = Rect(x: right.x, y: y, width: right.width, height: (levels + 1) / 2 + 3)
            drawMaps(s.evaluation, cell: cell, into: &c, rect: maps)
            y = maps.maxY
        }
        drawCell(s.evaluation, cell: cell, into: &c,
                 rect: Rect(x: right.x, y: y, width: right.width, height: right.maxY - y))
        c.put(DemoKey.footer(DequantKeys.keys), x: 1, y: height - 1, style: .dim)
        return c
    }

    /// p(v) in grey (brightness ∝ √p, so the tails show), the cell grid in blue over it, the selected cell in
    /// yellow; x1 to the right, x2 upwards.
    static func drawPlane(_ e: DequantEvaluation, cell: (x1: Int, x2: Int), pixelsPerCell s: Int, into c: inout Canvas,
                          rect r: Rect) {
        let levels = e.data.levels, side = s * levels
        c.box(r, title: "p(v) on [0,\(levels))² · cells")
        let density = e.densityImage(width: side, height: side)
        let top = density.max() ?? 1
        let grid = s >= gridLineMinimumPixels
        let brightness = density.map { top > 0 ? ($0 / top).squareRoot() : 0 }
        var pixels = brightness.map { Color.grey(brightness: $0) }
        for py in 0..<side {
            for px in 0..<side {
                let column = px / s, row = levels - 1 - py / s
                // Each cell's left and bottom pixels draw the grid; the selected cell's four edges its outline.
                let left = px % s == 0, bottom = py % s == s - 1
                let selected = column == cell.x1 && row == cell.x2 && (left || bottom || px % s == s - 1 || py % s == 0)
                if selected {
                    pixels[py * side + px] = .brightYellow
                } else if grid && (left || bottom) {
                    // Grid lines darken the density beneath them, and stay faintly visible where it is dark.
                    pixels[py * side + px] = .grey(max(gridLineLevel, Int(brightness[py * side + px] * 23 / 2)))
                }
            }
        }
        drawPixels(pixels, width: side, height: side, into: &c, x: r.x + 1, y: r.y + 1)
    }

    /// The numbers, bits per dimension: each bound ≥ the exact cross-entropy ≥ the data entropy.
    static func drawNumbers(_ s: DequantSnapshot, into c: inout Canvas, rect r: Rect) {
        let e = s.evaluation
        c.box(r, title: "bits per dimension · exact")
        let clip = r.inset(1)
        func bits(_ v: Double) -> String { String(format: "%7.4f", v) }
        let trained = s.kind == .uniform ? 0 : 1
        let lines: [(String, Style)] = [
            ("data entropy H       \(bits(e.entropy))", .plain),
            ("model −E log P(x)    \(bits(e.crossEntropy))  +\(String(format: "%.4f", e.excess)) on H", .title),
            ("uniform bound        \(bits(e.uniformBound))  gap \(String(format: "%.4f", e.uniformGap))",
             trained == 0 ? .highlight : .plain),
            ("variational bound    \(bits(e.variationalBound))  gap \(String(format: "%.4f", e.variationalGap))",
             trained == 1 ? .highlight : .plain),
            ("E KL(q ‖ p(u|x))     \(bits(e.variationalDivergence))  = its gap", .plain),
            (String(format: "train: %@ · lr %g · batch %d", s.kind.rawValue, s.settings.learningRate,
                    s.settings.batchSize), .dim),
            (String(format: "model mass Σ P(x) = %.5f", e.modelMass)
                + (s.skippedSteps > 0 ? " · \(s.skippedSteps) NaN skipped" : ""), .dim),
        ]
        for (i, (text, style)) in lines.enumerated() where r.y + 1 + i < r.maxY - 1 {
            c.put(text, x: r.x + 2, y: r.y + 1 + i, style: style, clip: clip)
        }
        if !e.isFinite { c.put("non-finite evaluation", x: r.x + 2, y: r.maxY - 1, style: .warning, clip: r) }
    }

    /// The data's P(x) and the model's, one pixel a cell, on one √ scale; the selected cell marked.
    static func drawMaps(_ e: DequantEvaluation, cell: (x1: Int, x2: Int), into c: inout Canvas, rect r: Rect) {
        let levels = e.data.levels
        c.box(r, title: "P(x) per cell · data │ model")
        let top = max(e.data.probabilities.max() ?? 1, e.modelProbabilities.max() ?? 1)
        for (i, probabilities) in [e.data.probabilities, e.modelProbabilities].enumerated() {
            var pixels = (0..<(levels * levels)).map { p -> Color in
                let x1 = p % levels, x2 = levels - 1 - p / levels
                return .grey(brightness: Float((probabilities[x2 * levels + x1] / top).squareRoot()))
            }
            pixels[(levels - 1 - cell.x2) * levels + cell.x1] = .brightYellow
            let x = r.x + 2 + i * (levels + 3)
            guard x + levels < r.maxX else { break }
            drawPixels(pixels, width: levels, height: levels, into: &c, x: x, y: r.y + 2)
            c.put(i == 0 ? "data" : "model", x: x, y: r.y + 1, style: .dim, clip: r.inset(1))
        }
    }

    /// The selected cell: q(u|x) against the exact p(u|x) on one scale (the uniform is flat grey at 1/max),
    /// with the cell's P(x), its bounds and KL(q ‖ p(u|x)).
    static func drawCell(_ e: DequantEvaluation, cell: (x1: Int, x2: Int), into c: inout Canvas, rect r: Rect) {
        guard r.height >= 4 else { return }
        let levels = e.data.levels, index = cell.x2 * levels + cell.x1
        c.box(r, title: "cell x = (\(cell.x1), \(cell.x2)) · q(u|x) │ p(u|x)")
        let clip = r.inset(1)
        let nats = 2 * Foundation.log(2.0)
        c.put(String(format: "P %.4f data · %.4f model · KL %.4f",
                     e.data.probabilities[index], e.modelProbabilities[index], e.divergences[index] / nats),
              x: r.x + 2, y: r.y + 1, clip: clip)
        var (q, exact) = e.cellImages(index)
        var m = e.grid.subdivisions
        // As large as the box allows (with a line for the caption), halving the sub-grid until it fits.
        while m > 2 && ((m + 1) / 2 > r.height - 5 || 2 * m + 6 > r.width) {
            (q, exact) = (halve(q, m), halve(exact, m))
            m /= 2
        }
        let top = max(q.max() ?? 1, exact.max() ?? 1, 1)
        for (i, image) in [q, exact].enumerated() {
            let x = r.x + 2 + i * (m + 3)
            drawPixels(image.map { .grey(brightness: $0 / top) }, width: m, height: m, into: &c, x: x, y: r.y + 3)
            c.put(i == 0 ? "q(u|x)" : "p(u|x)", x: x, y: r.y + 2, style: .dim, clip: clip)
        }
        let caption = String(format: "white = %.2f, uniform = 1", top)
        if 2 * (m + 3) + caption.count + 2 <= r.width {
            c.put(caption, x: r.x + 2 + 2 * (m + 3), y: r.y + 3, style: .dim, clip: clip)
        } else {
            c.put(caption, x: r.x + 2, y: r.y + 3 + (m + 1) / 2, style: .dim, clip: clip)
        }
    }

    /// An m×m image averaged over 2×2 blocks.
    static func halve(_ image: [Float], _ m: Int) -> [Float] {
        let h = m / 2
        return (0..<(h * h)).map { i in
            let row = 2 * (i / h), column = 2 * (i % h)
            return (image[row * m + column] + image[row * m + column + 1]
                    + image[(row + 1) * m + column] + image[(row + 1) * m + column + 1]) / 4
        }
    }

    /// Coloured pixels two to a cell: "▀" with the upper pixel as foreground and the lower as background.
    static func drawPixels(_ pixels: [Color], width: Int, height: Int, into c: inout Canvas, x: Int, y: Int) {
        for row in stride(from: 0, to: height, by: 2) {
            for column in 0..<width {
                let bottom = row + 1 < height ? pixels[(row + 1) * width + column] : .standard
                c[x + column, y + row / 2] = Cell("▀", Style(pixels[row * width + column], background: bottom))
            }
        }
    }
}

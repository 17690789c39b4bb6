import Foundation
import LatentLab

/// A two-unit latent's whole space: the decoder's images over the prior's quantile grid (`LatentManifold`),
/// each shrunk to the cells it gets, with the probe images' q(z|x) 1-sigma ellipses (or means) and the prior's
/// 1 and 2-sigma circles over it, all placed by Φ(z) as the grid is: the tiling of the prior, literally.
enum ManifoldMap {
    /// Dots of each 1-sigma ellipse and of each prior circle.
    static let ellipseDots = 12, circleDots = 24
    /// The prior's circles drawn: 1 and 2 sigma (3 sigma lies in the outer images' corners).
    static let priorRadii: [Double] = [1, 2]
    /// The probe images whose q(z|x) are drawn: more would hide the decoder's images under their dots.
    static let drawnPosteriors = 24
    /// The fewest pixels a side an image is shrunk to: fewer images are shown rather than smaller ones.
    static let minimumPixels = 8

    static func draw(_ m: LatentManifold, posterior: Snapshot.Posterior, meansOnly: Bool, cursor: (Float, Float)? = nil,
                     into c: inout Canvas, rect: Rect) {
        let g = m.gridSize
        let plot = Rect(x: rect.x, y: rect.y, width: rect.width, height: rect.height - 1)
        guard g > 0, plot.width >= 2, plot.height >= 1 else { return }
        // As many images a side as fit at `minimumPixels` each, picked evenly from the grid; each image a square
        // of half-block pixels (a cell is one pixel wide and two tall).
        func side(_ n: Int) -> Int { min(plot.width / n, 2 * (plot.height / n)) }
        let shown = (1...g).last { side($0) >= Self.minimumPixels } ?? 1
        let pixels = side(shown)
        guard pixels >= 1 else { return }
        let (cellWidth, cellHeight) = (pixels, (pixels + 1) / 2)
        let origin = (x: plot.x + (plot.width - shown * cellWidth) / 2,
                      y: plot.y + (plot.height - shown * cellHeight) / 2)
        let picks = (0..<shown).map { min(g - 1, ($0 * g + g / 2) / shown) }
        for (row, gr) in picks.enumerated() {
            for (column, gc) in picks.enumerated() {
                let image = HalfBlockImage.shrink(m.images[gr * g + gc], width: m.width, height: m.height, to: pixels)
                HalfBlockImage.draw(image, width: pixels, height: pixels, into: &c,
                                    x: origin.x + column * cellWidth, y: origin.y + row * cellHeight)
            }
        }
        let area = (width: Double(shown * cellWidth), height: Double(shown * cellHeight))
        func put(_ za: Double, _ zb: Double, _ glyph: String, _ style: Style) {
            let x = origin.x + Int(LatentManifold.cdf(za) * area.width)
            let y = origin.y + Int((1 - LatentManifold.cdf(zb)) * area.height)
            c.put(glyph, x: x, y: y, style: style, clip: plot)
        }
        for radius in priorRadii {
            for k in 0..<circleDots {
                let t = 2 * Double.pi * Double(k) / Double(circleDots)
                put(radius * cos(t), radius * sin(t), "·", Style(.brightBlack))
            }
        }
        let drawn = min(posterior.means.count, posterior.deviations.count, Self.drawnPosteriors)
        for (i, (means, sds)) in zip(posterior.means, posterior.deviations).prefix(drawn).enumerated()
        where means.count >= 2 {
            let style = Style(Color.category(i < posterior.labels.count ? posterior.labels[i] : 0), bold: true)
            if meansOnly {
                put(Double(means[0]), Double(means[1]), "•", style)
                continue
            }
            for k in 0..<ellipseDots {
                let t = 2 * Double.pi * Double(k) / Double(ellipseDots)
                put(Double(means[0] + sds[0] * Float(cos(t))), Double(means[1] + sds[1] * Float(sin(t))), "·", style)
            }
        }
        if let cursor { put(Double(cursor.0), Double(cursor.1), "✛", Style(.brightWhite, bold: true)) }
        let grid = "\(shown)² images at p(z)'s quantiles"
        let captions = ["→ z0 ↑ z1  \(grid) · q(z|x) 1σ of \(drawn) · p(z) 1,2σ", "→ z0 ↑ z1 · \(grid)",
                        "→ z0 ↑ z1"]
        c.put(captions.first { $0.unicodeScalars.count <= rect.width } ?? captions[captions.count - 1],
              x: rect.x, y: rect.maxY - 1, style: .dim, clip: rect)
    }
}

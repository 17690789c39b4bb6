import Foundation
import LatentLab

/// q(z|x) of the probe points in two latent units: each 1-sigma ellipse (for a flow, a cloud of its draws)
/// in its label's colour over the prior: N(0, I)'s 1, 2 and 3-sigma circles, a mixture prior's components as
/// grey 1-sigma ellipses (the VampPrior's q(z|u_k)), or a cloud of draws of any other prior; so one sees how
/// the posteriors tile ("bin-pack") the prior.
public enum LatentMap {
    static let extent: Float = 3.5
    /// Dots on each 1-sigma ellipse.
    static let ellipseDots = 24

    /// `cursor`, in the two units' z, is marked with a cross (the latent walk's, on the map's page).
    public static func draw(_ posterior: Snapshot.Posterior, dims: (Int, Int), meansOnly: Bool, showDensity: Bool,
                            cursor: (Float, Float)? = nil, into canvas: inout Canvas, rect: Rect) {
        let (a, b) = dims
        let units = posterior.means.first?.count ?? 0
        guard a < units, b < units, rect.width >= 4, rect.height >= 3 else {
            canvas.put("no latent data", x: rect.x, y: rect.y, style: .dim, clip: rect)
            return
        }
        // A square view: a cell is 2 dots wide and 4 tall and about twice as tall as wide, so dots are square.
        let plotHeight = rect.height - 1
        let side = min(rect.width * 2, plotHeight * 4)
        let cellsWide = (side + 1) / 2, cellsTall = (side + 3) / 4
        let origin = (x: rect.x + (rect.width - cellsWide) / 2, y: rect.y + (plotHeight - cellsTall) / 2)
        var grid = BrailleGrid(cellWidth: cellsWide, cellHeight: cellsTall)
        let scale = Float(side - 1) / (2 * extent)
        func dot(_ u: Float, _ v: Float) -> (Int, Int) {
            (Int(plotting: (u + extent) * scale), Int(plotting: (extent - v) * scale))
        }
        func ellipse(_ mu: Float, _ mv: Float, _ su: Float, _ sv: Float, color: Color) {
            for k in 0..<ellipseDots {
                let t = 2 * Float.pi * Float(k) / Float(ellipseDots)
                let (x, y) = dot(mu + su * Foundation.cos(t), mv + sv * Foundation.sin(t))
                grid.set(x, y, color: color)
            }
        }
        let standardPrior = posterior.priorSamples.isEmpty && posterior.priorMeans.isEmpty
        // The shading compares the aggregate posterior with N(0, I), so it is drawn against that prior only.
        if showDensity && standardPrior {
            shade(posterior, a, b, into: &canvas, x: origin.x, y: origin.y, cellsWide, cellsTall)
        }
        if standardPrior {
            for radius in [1, 2, 3] as [Float] {
                let n = Int(radius * 40)
                for i in 0..<n where i % 2 == 0 {
                    let t = 2 * Float.pi * Float(i) / Float(n)
                    let (x, y) = dot(radius * Foundation.cos(t), radius * Foundation.sin(t))
                    grid.set(x, y, color: .brightBlack)
                }
            }
        } else {
            for draw in posterior.priorSamples where a < draw.count && b < draw.count {
                let (x, y) = dot(draw[a], draw[b])
                grid.set(x, y, color: .brightBlack)
            }
            for (means, sds) in zip(posterior.priorMeans, posterior.priorDeviations)
            where a < means.count && b < means.count {
                ellipse(means[a], means[b], sds[a], sds[b], color: .brightBlack)
            }
        }
        for (i, (means, sds)) in zip(posterior.means, posterior.deviations).enumerated() {
            let color = Color.category(i < posterior.labels.count ? posterior.labels[i] : 0)
            if !meansOnly && i < posterior.draws.count {
                // A flow's q(z|x) is no ellipse: its draws show its shape.
                for draw in posterior.draws[i] where a < draw.count && b < draw.count {
                    let (x, y) = dot(draw[a], draw[b])
                    grid.set(x, y, color: color)
                }
            } else if meansOnly {
                let (x, y) = dot(means[a], means[b])
                grid.set(x, y, color: color)
                grid.set(x + 1, y, color: color)
            } else {
                ellipse(means[a], means[b], sds[a], sds[b], color: color)
            }
        }
        grid.render(into: &canvas, x: origin.x, y: origin.y)
        if let cursor {
            let (x, y) = dot(cursor.0, cursor.1)
            canvas.put("✛", x: origin.x + x / 2, y: origin.y + y / 4, style: Style(.brightWhite, bold: true),
                       clip: rect)
        }
        let prior = standardPrior ? "◌ prior 1,2,3σ"
            : posterior.priorMeans.isEmpty ? "· prior draws" : "◌ prior: \(posterior.priorMeans.count) q(z|u_k)"
        canvas.put("→ z\(a)  ↑ z\(b)  " + prior,
                   x: rect.x, y: rect.maxY - 1, style: .dim, clip: rect)
    }

    /// Greys where the aggregate posterior's density (in these two units) exceeds the prior's.
    /// Each posterior is a product of two 1-D normals, so their values along the columns and along
    /// the rows are computed once and the density of a cell is a sum of products.
    static func shade(_ p: Snapshot.Posterior, _ a: Int, _ b: Int, into canvas: inout Canvas, x: Int, y: Int,
                      _ w: Int, _ h: Int) {
        func normal(_ v: Float, _ m: Float, _ s: Float) -> Float {
            let d = (v - m) / s
            return Foundation.exp(-0.5 * d * d) / (s * 2.5066283)
        }
        let us = (0..<w).map { (Float($0) + 0.5) / Float(w) * 2 * extent - extent }
        let vs = (0..<h).map { extent - (Float($0) + 0.5) / Float(h) * 2 * extent }
        let n = p.means.count
        var columns = [Float](repeating: 0, count: n * w), rows = [Float](repeating: 0, count: n * h)
        for (i, (m, s)) in zip(p.means, p.deviations).enumerated() {
            for cx in 0..<w { columns[i * w + cx] = normal(us[cx], m[a], s[a]) }
            for cy in 0..<h { rows[i * h + cy] = normal(vs[cy], m[b], s[b]) }
        }
        var aggregate = [Float](repeating: 0, count: w)
        for cy in 0..<h {
            for i in 0..<w { aggregate[i] = 0 }
            for i in 0..<n {
                let r = rows[i * h + cy]
                for cx in 0..<w { aggregate[cx] += r * columns[i * w + cx] }
            }
            for cx in 0..<w {
                let ratio = aggregate[cx] / Float(max(1, n)) / (normal(us[cx], 0, 1) * normal(vs[cy], 0, 1))
                guard ratio > 1 else { continue }
                let level = ratio > 4 ? 8 : ratio > 2 ? 5 : 2
                canvas[x + cx, y + cy] = Cell(" ", Style(background: .grey(level)))
            }
        }
    }
}

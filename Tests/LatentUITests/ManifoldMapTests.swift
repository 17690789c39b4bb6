import LatentLab
import Testing
@testable import LatentUI

/// The two-unit latent's pane: the decoder's images on the prior's quantile grid, q(z|x) over them.
@Suite struct ManifoldMapTests {
    /// A 12×12 grid of 28×28 images: a vertical bar whose column follows the grid column, brighter down the rows.
    static func manifold() -> LatentManifold {
        var m = LatentManifold()
        let g = LatentManifold.gridSize
        m.coordinates = (0..<g).map { Float(LatentManifold.quantile((Double($0) + 0.5) / Double(g))) }
        m.images = (0..<(g * g)).map { i in
            let (row, column) = (i / g, i % g)
            return (0..<(28 * 28)).map { p in abs(p % 28 - (4 + 2 * column)) <= 2 ? 0.3 + 0.06 * Float(row) : 0 }
        }
        return m
    }

    static func twoUnits() -> Snapshot {
        var s = SnapshotFixtures.training()
        s.latentSize = 2
        s.manifold = manifold()
        s.posterior.means = [[-1.2, 0.8], [0.5, -0.4], [1.6, 1.1]]
        s.posterior.deviations = [[0.3, 0.2], [0.25, 0.3], [0.2, 0.2]]
        s.posterior.labels = [1, 4, 7]
        return s
    }

    @Test(arguments: [(ViewState.Page.latentMap, 80, 24), (.overview, 120, 40), (.latentMap, 200, 60)])
    func thePane(page: ViewState.Page, width: Int, height: Int) {
        var view = ViewState()
        view.page = page
        let canvas = Dashboard.render(Self.twoUnits(), view: view, width: width, height: height)
        assertSnapshot(canvas, named: "manifold-\(page)-\(width)x\(height)")
        // The overview's narrow right column gets the short wordings.
        let narrow = page == .overview
        #expect(canvas.text.contains(narrow ? "p(x|z) manifold · q(z|x)" : "decoder's manifold · q(z|x) over p(z)"))
        #expect(canvas.text.contains(narrow ? "→ z0 ↑ z1" : "images at p(z)'s quantiles · q(z|x) 1σ of 3"))
    }

    /// An image shrunk to fewer pixels keeps each square's mean: a bright left half stays a bright left half.
    @Test func shrinkingAveragesEachSquare() {
        let image: [Float] = (0..<(28 * 28)).map { $0 % 28 < 14 ? 1 : 0 }
        let small = HalfBlockImage.shrink(image, width: 28, height: 28, to: 4)
        #expect(small.count == 16 && small.enumerated().allSatisfy { $0.element == ($0.offset % 4 < 2 ? 1 : 0) })
        let odd = HalfBlockImage.shrink(image, width: 28, height: 28, to: 3)
        #expect(odd.count == 9 && odd[0] == 1 && odd[2] == 0 && odd[1] == 5 / 9)
    }

    /// A posterior mean at z lands where Φ(z) puts it on the grid: (0, 0) in the middle, a high second unit
    /// near the top.
    @Test func meansArePlacedByThePriorsQuantiles() {
        var p = Snapshot.Posterior()
        p.means = [[0, 0], [0, 1.5]]
        p.deviations = [[0.1, 0.1], [0.1, 0.1]]
        p.labels = [0, 0]
        var c = Canvas(width: 48, height: 25)
        ManifoldMap.draw(Self.manifold(), posterior: p, meansOnly: true, into: &c, rect: Rect(x: 0, y: 0, width: 48, height: 25))
        let rows = c.text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        let dots = rows.enumerated().flatMap { y, row in row.enumerated().filter { $0.element == "•" }.map { (x: $0.offset, y: y) } }
        #expect(dots.count == 2)
        // 12 images of 4×2 cells: a 48×24 grid; Φ(0) = ½ → (24, 12); Φ(1.5) = 0.933 → y = 24 × 0.067 = 1.
        #expect(dots.contains { $0.x == 24 && $0.y == 12 } && dots.contains { $0.x == 24 && $0.y == 1 }, "\(dots)")
    }
}

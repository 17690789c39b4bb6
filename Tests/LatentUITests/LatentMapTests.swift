import Foundation
import LatentLab
import Testing
@testable import LatentUI

/// The latent map's aggregate-posterior shading, against the density computed cell by cell.
@Suite struct LatentMapTests {
    static func posterior() -> Snapshot.Posterior {
        var posterior = Snapshot.Posterior()
        var rng = RandomSource(seed: 3)
        for i in 0..<40 {
            posterior.means.append([rng.normal() * 1.5, rng.normal() * 0.5, rng.normal()])
            posterior.deviations.append([0.2 + 0.3 * rng.uniform(), 0.1 + 0.5 * rng.uniform(), 1])
            posterior.labels.append(i % 10)
        }
        return posterior
    }

    /// The whole map with the shading on: the ellipses and circles are drawn over the shade without erasing it,
    /// and with the shading off no cell is grey.
    @Test func ellipsesAreDrawnOverTheShading() {
        let rect = Rect(x: 0, y: 0, width: 40, height: 20)
        func draw(density: Bool) -> Canvas {
            var canvas = Canvas(width: 40, height: 20)
            LatentMap.draw(Self.posterior(), dims: (0, 1), meansOnly: false, showDensity: density, into: &canvas, rect: rect)
            return canvas
        }
        func isGrey(_ c: Color) -> Bool { if case .grey = c { true } else { false } }
        let shaded = draw(density: true), plain = draw(density: false)
        let cells = (0..<20).flatMap { y in (0..<40).map { (shaded[$0, y], plain[$0, y]) } }
        #expect(cells.filter { isGrey($0.0.style.background) && $0.0.character != " " }.count > 5, "dots keep the grey under them")
        #expect(!cells.contains { isGrey($0.1.style.background) })
        #expect(cells.allSatisfy { $0.0.character == $0.1.character }, "the shading changes no character")
    }

    /// A prior other than N(0, I) is drawn as its draws, where they fall, instead of the standard circles.
    @Test func aLearnedPriorIsDrawnFromItsSamples() {
        let rect = Rect(x: 0, y: 0, width: 40, height: 20)
        func draw(_ p: Snapshot.Posterior) -> Canvas {
            var canvas = Canvas(width: 40, height: 20)
            LatentMap.draw(p, dims: (0, 1), meansOnly: true, showDensity: true, into: &canvas, rect: rect)
            return canvas
        }
        var learned = Snapshot.Posterior()
        learned.means = [[0, 0, 0]]
        learned.deviations = [[1, 1, 1]]
        learned.labels = [0]
        learned.priorSamples = (0..<50).map { i in [2.5 + 0.01 * Float(i % 5), 2.5 + 0.01 * Float(i / 5), 0] }
        var standard = learned
        standard.priorSamples = []
        let cloud = draw(learned).text, circles = draw(standard).text
        #expect(cloud.contains("· prior draws") && !cloud.contains("prior 1,2,3σ"))
        #expect(circles.contains("◌ prior 1,2,3σ"))
        // The draws sit in the upper right: the lower-left quarter is empty but for the mean's dot.
        let lowerLeft = cloud.split(separator: "\n").dropFirst(12).prefix(6).map { String($0.prefix(18)) }.joined()
        let lowerLeftCircles = circles.split(separator: "\n").dropFirst(12).prefix(6).map { String($0.prefix(18)) }.joined()
        #expect(lowerLeft.unicodeScalars.filter { $0.value >= 0x2801 && $0.value <= 0x28FF }.isEmpty, "\(lowerLeft)")
        #expect(!lowerLeftCircles.unicodeScalars.filter { $0.value >= 0x2801 && $0.value <= 0x28FF }.isEmpty)
    }

    /// A flow's q(z|x) is drawn as its draws where they fall, not as the ellipse of its moments.
    @Test func aFlowPosteriorIsDrawnAsACloud() {
        func lowerLeft(_ p: Snapshot.Posterior) -> String {
            var canvas = Canvas(width: 40, height: 20)
            LatentMap.draw(p, dims: (0, 1), meansOnly: false, showDensity: false, into: &canvas, rect: Rect(x: 0, y: 0, width: 40, height: 20))
            return canvas.text.split(separator: "\n").dropFirst(10).prefix(8).map { String($0.prefix(19)) }.joined()
        }
        var ellipse = Snapshot.Posterior()
        ellipse.means = [[0, 0]]
        ellipse.deviations = [[1, 1]]
        ellipse.labels = [0]
        ellipse.priorSamples = [[3, 3]]  // keeps the standard circles off the map
        var cloud = ellipse
        cloud.draws = [(0..<12).map { i in [2.5 + 0.02 * Float(i), 2.5] }]
        func braille(_ s: String) -> Int { s.unicodeScalars.filter { $0.value >= 0x2801 && $0.value <= 0x28FF }.count }
        #expect(braille(lowerLeft(ellipse)) > 0, "the ellipse around the origin reaches the lower left")
        #expect(braille(lowerLeft(cloud)) == 0, "the draws are all upper right: \(lowerLeft(cloud))")
    }

    /// A posterior off every scale (a diverging unit's deviation of 1e30, an infinite or NaN mean) draws what
    /// it can and leaves the rest off the map; the conversion to dots trapped on it and took the dashboard down.
    @Test func aPosteriorOffEveryScaleDoesNotTrap() {
        var p = Snapshot.Posterior()
        p.means = [[0, 0], [.infinity, 0], [.nan, 1], [1e30, -1e30]]
        p.deviations = [[1, 1], [1, 1], [1, 1], [1e30, .infinity]]
        p.labels = [0, 1, 2, 3]
        var canvas = Canvas(width: 40, height: 20)
        LatentMap.draw(p, dims: (0, 1), meansOnly: false, showDensity: true, cursor: (.nan, .infinity), into: &canvas,
                       rect: Rect(x: 0, y: 0, width: 40, height: 20))
        #expect(canvas.text.unicodeScalars.contains { $0.value >= 0x2801 && $0.value <= 0x28FF }, "the finite ellipse is drawn")
    }

    @Test func plottedValuesAreClampedNotTrapped() {
        #expect(Int(plotting: Float(2.5)) == 3 && Int(plotting: -2.5) == -3 && Int(plotting: 2.5, .down) == 2)
        #expect(Int(plotting: Float.infinity) == Int.plotLimit && Int(plotting: -Double.infinity) == -Int.plotLimit)
        #expect(Int(plotting: Float(1e30)) == Int.plotLimit && Int(plotting: Float.nan) == -Int.plotLimit)
    }

    @Test func densityShadingMatchesADirectComputation() {
        let posterior = Self.posterior()
        let (w, h) = (30, 15)
        var canvas = Canvas(width: w, height: h)
        LatentMap.shade(posterior, 0, 1, into: &canvas, x: 0, y: 0, w, h)

        func normal(_ v: Double, _ m: Double, _ s: Double) -> Double { exp(-0.5 * pow((v - m) / s, 2)) / (s * sqrt(2 * Double.pi)) }
        let e = Double(LatentMap.extent)
        var shaded = 0
        for cy in 0..<h {
            for cx in 0..<w {
                let u = (Double(cx) + 0.5) / Double(w) * 2 * e - e, v = e - (Double(cy) + 0.5) / Double(h) * 2 * e
                let aggregate = zip(posterior.means, posterior.deviations).map {
                    normal(u, Double($0[0]), Double($1[0])) * normal(v, Double($0[1]), Double($1[1]))
                }.reduce(0, +) / Double(posterior.means.count)
                let ratio = aggregate / (normal(u, 0, 1) * normal(v, 0, 1))
                let expected: Color = ratio > 4 ? .grey(8) : ratio > 2 ? .grey(5) : ratio > 1 ? .grey(2) : .standard
                // Cells within float rounding of a level boundary may fall either way.
                let nearBoundary = [1.0, 2.0, 4.0].contains { abs(ratio / $0 - 1) < 1e-3 }
                if !nearBoundary { #expect(canvas[cx, cy].style.background == expected, "cell \(cx),\(cy) ratio \(ratio)") }
                if expected != .standard { shaded += 1 }
            }
        }
        #expect(shaded > 10 && shaded < w * h, "the test data shades some cells and not all")
    }

    /// A mixture prior (the VampPrior) is drawn as its components' 1-sigma ellipses where they are, and says so.
    @Test func aMixturePriorIsDrawnAsItsComponents() {
        var p = Snapshot.Posterior()
        p.means = [[2.5, 2.5]]
        p.deviations = [[0.1, 0.1]]
        p.labels = [0]
        p.priorMeans = [[-2, -2], [-1.5, -2]]
        p.priorDeviations = [[0.5, 0.5], [0.5, 0.5]]
        var canvas = Canvas(width: 40, height: 20)
        LatentMap.draw(p, dims: (0, 1), meansOnly: false, showDensity: false, into: &canvas,
                       rect: Rect(x: 0, y: 0, width: 40, height: 20))
        let text = canvas.text
        #expect(text.contains("◌ prior: 2 q(z|u_k)") && !text.contains("1,2,3σ"))
        func braille(_ s: String) -> Int { s.unicodeScalars.filter { $0.value >= 0x2801 && $0.value <= 0x28FF }.count }
        let rows = text.split(separator: "\n").map(String.init)
        let lowerLeft = rows.dropFirst(11).prefix(6).map { String($0.prefix(18)) }.joined()
        let upperLeft = rows.prefix(6).map { String($0.prefix(18)) }.joined()
        #expect(braille(lowerLeft) > 0, "the components' ellipses in the lower left: \(lowerLeft)")
        #expect(braille(upperLeft) == 0, "and nothing where no component or posterior is")
    }
}

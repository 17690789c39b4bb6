import Foundation
import Testing
@testable import LatentLab

/// The dequantization demo's data and its exact evaluation: the bounds of docs/THEORY.md section 4 on a sub-cell grid.
@Suite struct DequantizationTests {
    /// A small grid so debug builds stay quick: 6×6 cells of 12×12 sub-cells.
    static let grid = SubcellGrid(levels: 6, subdivisions: 12)

    /// A mixture with random weights, centres and widths (down to about the floor) and a dequantizer whose
    /// weights are all moved well away from the near-uniform start: bounds must hold for any parameters.
    static func randomPair(seed: UInt64, grid: SubcellGrid = grid) -> (LogisticMixtureDensity, FlowDequantizer) {
        var rng = RandomSource(seed: seed)
        let model = LogisticMixtureDensity(grid: grid, components: 6, rng: &rng)
        model.logits.assign(rng.uniformTensor(1, 6, lower: -2, upper: 2))
        model.means.assign(rng.uniformTensor(2, 6, lower: -2.5, upper: 2.5))
        model.scales.assign(rng.uniformTensor(2, 6, lower: -5, upper: -1))
        let dequantizer = FlowDequantizer(levels: grid.levels, steps: 2, hidden: 8, rng: &rng)
        for p in dequantizer.parameters {
            p.assign(p.value.adding(rng.normalTensor(p.rows, p.cols).scaled(0.7)))
        }
        return (model, dequantizer)
    }

    static func randomData(seed: UInt64, levels: Int = grid.levels) -> DequantData {
        var rng = RandomSource(seed: seed &+ 100)
        // About a third of the cells empty, so the support is a strict subset.
        return DequantData(levels: levels, weights: (0..<(levels * levels)).map { _ in Double(max(0, rng.uniform() - 0.3)) })
    }

    static func evaluation(seed: UInt64) -> DequantEvaluation {
        let (model, dequantizer) = randomPair(seed: seed)
        return DequantEvaluation(model: model, dequantizer: dequantizer, data: randomData(seed: seed), grid: grid)
    }

    /// Every cell's P(x) by quadrature against its closed form, and Σ_x P(x) = 1, for random mixtures. The midpoint
    /// rule's error in a cell cut through a bump 2 sub-cells wide is a few tenths of a percent; over the whole
    /// square most of it cancels.
    @Test(arguments: [1, 2, 3] as [UInt64]) func cellProbabilitiesSumToOne(seed: UInt64) {
        let (model, dequantizer) = Self.randomPair(seed: seed)
        let e = DequantEvaluation(model: model, dequantizer: dequantizer, data: Self.randomData(seed: seed), grid: Self.grid)
        let exact = model.cellProbabilities()
        #expect(abs(exact.reduce(0, +) - 1) < 1e-9, "the closed form sums to \(exact.reduce(0, +))")
        #expect(abs(e.modelMass - 1) < 2e-3, "quadrature mass \(e.modelMass)")
        for (c, p) in exact.enumerated() {
            #expect(abs(e.modelProbabilities[c] - p) < 5e-3 * max(p, 0.01), "cell \(c): quadrature \(e.modelProbabilities[c]) vs exact \(p)")
        }
    }

    /// Both bounds stay at or below log P(x) in every cell (so in bits at or above the exact cross-entropy),
    /// and so do their averages over the data, whatever the parameters.
    @Test(arguments: [1, 2, 3, 4] as [UInt64]) func boundsNeverExceedTheExactLikelihood(seed: UInt64) {
        let e = Self.evaluation(seed: seed)
        for c in 0..<Self.grid.cellCount {
            let logP = log(e.modelProbabilities[c])
            #expect(e.uniformBounds[c] <= logP + 1e-9, "cell \(c): uniform \(e.uniformBounds[c]) > log P \(logP)")
            #expect(e.variationalBounds[c] <= logP + 1e-9, "cell \(c): variational \(e.variationalBounds[c]) > log P \(logP)")
        }
        #expect(e.uniformBound >= e.crossEntropy - 1e-12 && e.variationalBound >= e.crossEntropy - 1e-12)
        #expect(e.crossEntropy >= e.entropy - 1e-3, "no model beats the entropy (up to quadrature)")
        #expect(e.uniformGap > 1e-3 && e.variationalGap > 1e-3, "random parameters leave a gap: \(e.uniformGap), \(e.variationalGap)")
    }

    /// The variational gap, a difference of two sums, equals E_x KL(q(u|x) ‖ p(u|x)) summed directly; and the
    /// uniform gap is the same divergence with q uniform.
    @Test(arguments: [1, 2, 3] as [UInt64]) func variationalGapIsTheDivergence(seed: UInt64) {
        let e = Self.evaluation(seed: seed)
        #expect(abs(e.variationalGap - e.variationalDivergence) < 1e-9, "gap \(e.variationalGap) vs E KL \(e.variationalDivergence)")
        let m2 = Self.grid.pointsPerCell, flat = [Double](repeating: 0, count: m2)
        for c in e.data.support {
            let p = e.logDensity[(c * m2)..<((c + 1) * m2)]
            #expect(abs(log(e.modelProbabilities[c]) - e.variationalBounds[c] - e.divergences[c]) < 1e-9)
            #expect(abs(e.uniformDivergences[c] - DequantizationBounds.divergence(logQ: flat[...], logDensity: p)) < 1e-9)
        }
    }

    /// With q(u|x) set to the exact p(u|x) = p(x + u)/P(x) on the grid, the variational bound is log P(x).
    @Test func exactPosteriorClosesTheGap() {
        let e = Self.evaluation(seed: 5)
        let m2 = Self.grid.pointsPerCell
        let exactQ = e.logDensity.enumerated().map { $0.element - log(e.modelProbabilities[$0.offset / m2]) }
        let best = DequantEvaluation(data: e.data, grid: Self.grid, logDensity: e.logDensity, logQ: exactQ)
        #expect(abs(best.variationalBound - best.crossEntropy) < 1e-9, "\(best.variationalBound) vs \(best.crossEntropy)")
        #expect(abs(best.crossEntropy - e.crossEntropy) < 1e-12)
        for c in 0..<Self.grid.cellCount {
            #expect(abs(best.variationalBounds[c] - log(best.modelProbabilities[c])) < 1e-9)
            #expect(abs(best.divergences[c]) < 1e-9)
        }
        #expect(e.variationalGap > best.variationalGap + 1e-3, "a random q is worse than the exact one")
    }

    /// A density flat on every cell and equal to the data: the uniform bound is exact (gap 0, bound = entropy),
    /// and a q that fills only the left half of each cell pays KL(q ‖ U) = log 2 nats, i.e. ½ bit per dimension.
    @Test func flatCellsHaveNoUniformGap() {
        let grid = SubcellGrid(levels: 4, subdivisions: 6)
        let data = DequantData(levels: 4, weights: [4, 2, 1, 1, 0, 0, 3, 5, 1, 1, 1, 1, 0, 2, 2, 0])
        let m = grid.subdivisions, m2 = grid.pointsPerCell
        // p on an empty cell is a sliver of mass spread over it, so log p stays finite there.
        let sliver = 1e-6
        let cellMass = data.probabilities.map { ($0 + sliver) / (1 + sliver * Double(grid.cellCount)) }
        let logDensity = (0..<grid.pointCount).map { log(cellMass[$0 / m2]) }
        let leftHalf = (0..<grid.pointCount).map { ($0 % m2) % m < m / 2 ? 0 : -Double.infinity }
        let e = DequantEvaluation(data: data, grid: grid, logDensity: logDensity, logQ: leftHalf)
        let expectedCrossEntropy = -data.support.reduce(0) { $0 + data.probabilities[$1] * log2(cellMass[$1]) } / 2
        #expect(abs(e.crossEntropy - expectedCrossEntropy) < 1e-12)
        #expect(abs(e.uniformBound - e.crossEntropy) < 1e-12 && abs(e.uniformGap) < 1e-12, "uniform gap \(e.uniformGap)")
        #expect(abs(e.crossEntropy - e.entropy) < 1e-4, "the model is the data up to the sliver")
        #expect(abs(e.variationalGap - 0.5) < 1e-12, "variational gap \(e.variationalGap) bits/dim")
        #expect(abs(e.variationalDivergence - 0.5) < 1e-12)
        #expect(abs(e.modelMass - 1) < 1e-12)
    }

    /// H(x)/2 in bits of hand-built distributions: uniform over 4 cells (2 bits, 1 bit/dim), over 2 cells,
    /// a point mass, and a skewed one by its formula.
    @Test func entropyOfHandBuiltDistributions() {
        func entropy(_ weights: [Double]) -> Double { DequantData(levels: 2, weights: weights).entropyBitsPerDimension }
        #expect(abs(entropy([1, 1, 1, 1]) - 1) < 1e-12)
        #expect(abs(entropy([0, 3, 3, 0]) - 0.5) < 1e-12)
        #expect(entropy([0, 0, 7, 0]) == 0)
        let skewed = entropy([2, 1, 1, 0]), expected = -(0.5 * log2(0.5) + 2 * 0.25 * log2(0.25)) / 2
        #expect(abs(skewed - expected) < 1e-12)
    }

    /// Every shape at several L: probabilities sum to 1, the support is exactly the cells with P > 0, and the
    /// entropy is positive and below the uniform distribution's log2 L bits/dim.
    @Test(arguments: DequantDataShape.allCases) func namedShapesAreDistributions(shape: DequantDataShape) {
        for levels in [2, 5, 16, 64] {
            let data = DequantData(shape: shape, levels: levels)
            #expect(abs(data.probabilities.reduce(0, +) - 1) < 1e-12)
            #expect(data.support == data.probabilities.indices.filter { data.probabilities[$0] > 0 })
            #expect(data.entropyBitsPerDimension > 0 && data.entropyBitsPerDimension <= log2(Double(levels)) + 1e-12, "\(shape) L=\(levels)")
        }
        let smiley = DequantData(shape: .smiley, levels: 16)
        #expect(smiley.support.count < 128, "the face leaves most cells empty: \(smiley.support.count)")
    }

    /// Drawn cells are integer-valued, inside the support, and come up at their probabilities.
    @Test func batchesFollowTheProbabilities() {
        let data = DequantData(levels: 3, weights: [0.5, 0, 0.25, 0, 0, 0, 0, 0.15, 0.1])
        var rng = RandomSource(seed: 4)
        let n = 40_000, x = data.batch(n, rng: &rng)
        var counts = [Int](repeating: 0, count: 9)
        for r in 0..<n {
            let (x1, x2) = (x[r, 0], x[r, 1])
            #expect(x1 == x1.rounded() && x2 == x2.rounded())
            counts[data.cell(x1: Int(x1), x2: Int(x2))] += 1
        }
        for c in 0..<9 {
            #expect(abs(Double(counts[c]) / Double(n) - data.probabilities[c]) < 0.01, "cell \(c): \(counts[c])")
        }
    }

    /// The picture of p conserves mass at any resolution (exactly when it divides the grid), and each cell's
    /// q(u|x) and p(u|x) images are densities on the unit cell.
    @Test func imagesAreDensities() {
        let e = Self.evaluation(seed: 6)
        let side = Double(Self.grid.levels)
        for (width, height) in [(36, 24), (7, 5), (150, 100)] {
            let image = e.densityImage(width: width, height: height)
            let mass = image.reduce(0) { $0 + Double($1) } * side * side / Double(width * height)
            let tolerance = Self.grid.side % width == 0 && Self.grid.side % height == 0 ? 1e-5 : 0.05
            #expect(abs(mass - e.modelMass) < tolerance, "\(width)×\(height): mass \(mass) vs \(e.modelMass)")
        }
        // Top row first: the image's top-left pixel is the density at the square's top-left corner.
        let corner = e.densityImage(width: Self.grid.side, height: Self.grid.side)[0]
        let topLeft = e.logDensity[Self.grid.index(column: 0, row: Self.grid.side - 1)]
        #expect(abs(Double(corner) - exp(topLeft)) < 1e-6 * exp(topLeft))
        for c in [0, 7, 35] {
            let (q, exact) = e.cellImages(c)
            #expect(abs(q.reduce(0) { $0 + Double($1) } / Double(q.count) - 1) < 1e-5)
            #expect(abs(exact.reduce(0) { $0 + Double($1) } / Double(exact.count) - 1) < 1e-5)
        }
    }
}

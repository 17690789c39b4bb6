import Foundation

/// Everything the dequantization screen shows, exact up to the sub-cell grid: no sampling anywhere.
/// Expectations over the data are sums over the cells with P_data(x) > 0; integrals over a cell are the
/// midpoint rule of `SubcellGrid` (`DequantizationBounds` has the per-cell formulas).
///
/// Summaries are in bits per dimension, −(nats) / (2 ln 2) for the two coordinates. The density is over cell
/// units (each cell has area 1), so log P(x) and the bounds need no offset for the cell width. Lower is better,
/// and each bound sits at or above the exact cross-entropy: the gap is what dequantization costs.
public struct DequantEvaluation: Sendable {
    public let grid: SubcellGrid
    public let data: DequantData

    /// log p(x + u_s) at every quadrature point, cell-major (point s of cell c at c·m² + s).
    public let logDensity: [Double]
    /// log q(u_s|x) as a density on the cell, renormalised on the sub-grid ((1/m²) Σ_s e^{logQ} = 1), cell-major.
    public let logQ: [Double]

    /// Per cell, in nats: the model's P(x) = ∫_cell p, and the two bounds on log P(x).
    public let modelProbabilities: [Double]
    public let uniformBounds: [Double]
    public let variationalBounds: [Double]
    /// Per cell, KL(q(u|x) ‖ p(u|x)) in nats, summed directly rather than as a difference of bounds.
    public let divergences: [Double]

    /// H(x)/2 in bits: the least any model can reach.
    public let entropy: Double
    /// −E_data log P_model(x), bits/dim: the exact discrete cross-entropy.
    public let crossEntropy: Double
    /// −E_data E_{u~U} log p(x + u), bits/dim.
    public let uniformBound: Double
    /// −E_data E_{u~q} [log p(x + u) − log q(u|x)], bits/dim.
    public let variationalBound: Double
    /// E_data KL(q(u|x) ‖ p(u|x)) in bits/dim: the variational gap taken directly.
    public let variationalDivergence: Double
    /// Σ_x P_model(x): 1 up to quadrature error.
    public let modelMass: Double

    public var uniformGap: Double { uniformBound - crossEntropy }
    public var variationalGap: Double { variationalBound - crossEntropy }
    /// KL(P_data ‖ P_model) in bits/dim: how far the model is from the data once dequantization is forgiven.
    public var excess: Double { crossEntropy - entropy }
    public var isFinite: Bool { crossEntropy.isFinite && uniformBound.isFinite && variationalBound.isFinite }

    /// The evaluation of a model and a variational dequantizer.
    public init(model: LogisticMixtureDensity, dequantizer: FlowDequantizer, data: DequantData, grid: SubcellGrid) {
        precondition(model.levels == data.levels && grid.levels == data.levels, "model, data and grid disagree on L")
        self.init(data: data, grid: grid, logDensity: model.logDensities(on: grid),
                  logQ: dequantizer.logDensities(on: grid))
    }

    /// The evaluation of any density p and any q, given as log-densities at the quadrature points, cell-major
    /// (q in any per-cell normalisation; −∞ where it is 0).
    public init(data: DequantData, grid: SubcellGrid, logDensity: [Double], logQ: [Double]) {
        precondition(logDensity.count == grid.pointCount && logQ.count == grid.pointCount,
                     "one value per quadrature point")
        self.grid = grid
        self.data = data
        self.logDensity = logDensity
        let m2 = grid.pointsPerCell
        func block(_ a: [Double], _ c: Int) -> ArraySlice<Double> { a[(c * m2)..<((c + 1) * m2)] }
        var normalisedQ = logQ
        for c in 0..<grid.cellCount {
            let logNormaliser = DequantizationBounds.logMeanExp(block(logQ, c))
            for s in 0..<m2 { normalisedQ[c * m2 + s] -= logNormaliser }
        }
        self.logQ = normalisedQ
        let logP = (0..<grid.cellCount).map { DequantizationBounds.logCellProbability(block(logDensity, $0)) }
        modelProbabilities = logP.map { Foundation.exp($0) }
        uniformBounds = (0..<grid.cellCount).map { DequantizationBounds.uniformBound(block(logDensity, $0)) }
        variationalBounds = (0..<grid.cellCount).map {
            DequantizationBounds.variationalBound(logDensity: block(logDensity, $0), logQ: block(normalisedQ, $0))
        }
        divergences = (0..<grid.cellCount).map {
            DequantizationBounds.divergence(logQ: block(normalisedQ, $0), logDensity: block(logDensity, $0))
        }
        func expectedBits(_ perCell: [Double]) -> Double {
            DequantizationBounds.bitsPerDimension(nats: -data.support.reduce(0) {
                $0 + data.probabilities[$1] * perCell[$1]
            })
        }
        entropy = data.entropyBitsPerDimension
        crossEntropy = expectedBits(logP)
        uniformBound = expectedBits(uniformBounds)
        variationalBound = expectedBits(variationalBounds)
        variationalDivergence = -expectedBits(divergences)
        modelMass = modelProbabilities.reduce(0, +)
    }

    /// Per cell, log P(x) − E_U log p(x + u) = KL(U ‖ p(u|x)) in nats.
    public var uniformDivergences: [Double] { zip(modelProbabilities, uniformBounds).map { Foundation.log($0) - $1 } }

    // MARK: - Pictures

    /// The model density p(v) over the whole square as a width×height image, top row first (x2 decreasing
    /// down the rows): each pixel is the mean of p over the quadrature points inside it (the nearest one when
    /// a pixel is smaller than a sub-cell), so the image conserves mass at any resolution.
    public func densityImage(width: Int, height: Int) -> [Float] {
        precondition(width > 0 && height > 0, "an image needs pixels")
        let n = grid.side
        func span(_ pixel: Int, of pixels: Int) -> Range<Int> {
            let lower = pixel * n / pixels
            return lower..<max(lower + 1, (pixel + 1) * n / pixels)
        }
        let columns = (0..<width).map { span($0, of: width) }
        var image = [Float](repeating: 0, count: width * height)
        for row in 0..<height {
            let rows = span(height - 1 - row, of: height)
            for column in 0..<width {
                var sum = 0.0
                for t2 in rows {
                    for t1 in columns[column] { sum += Foundation.exp(logDensity[grid.index(column: t1, row: t2)]) }
                }
                image[row * width + column] = Float(sum / Double(rows.count * columns[column].count))
            }
        }
        return image
    }

    /// For cell c, q(u|x) and the exact p(u|x) = p(x + u)/P(x) as densities on the unit cell, each an m×m image
    /// of the sub-cells, top row first.
    public func cellImages(_ c: Int) -> (q: [Float], exact: [Float]) {
        let m = grid.subdivisions, base = c * grid.pointsPerCell, logP = Foundation.log(modelProbabilities[c])
        var q = [Float](repeating: 0, count: m * m), exact = q
        for row in 0..<m {
            for column in 0..<m {
                let s = base + (m - 1 - row) * m + column
                q[row * m + column] = Float(Foundation.exp(logQ[s]))
                exact[row * m + column] = Float(Foundation.exp(logDensity[s] - logP))
            }
        }
        return (q, exact)
    }
}

import Foundation

/// The discrete 2-D distributions the dequantization demo fits.
public enum DequantDataShape: String, CaseIterable, Sendable {
    /// A quantised mixture of four Gaussians: two broad ones and two narrow ones sitting on cell corners.
    case mixture
    /// A face drawn in cells: a ring, two eyes and a mouth.
    case smiley
    /// A 4×4 board of blocks, every other one on.
    case checker
}

/// A distribution over the L×L cells {0…L−1}²: exact probabilities, its entropy, and batches drawn from it.
///
/// Cells are numbered row-major with x1 fastest: cell c = x2·L + x1. The plane has x1 to the right and x2
/// upwards; cell (x1, x2) is the unit square [x1, x1+1) × [x2, x2+1) the dequantized density lives on.
public struct DequantData: Sendable, Equatable {
    public static let defaultLevels = 16
    public static let levelRange = 2...64

    public let shape: DequantDataShape?
    public let levels: Int
    /// P(x) for every cell, summing to 1.
    public let probabilities: [Double]
    /// The cells with P(x) > 0, in index order: every expectation over the data is an exact sum over these.
    public let support: [Int]
    /// Running sums of P over `support`, for drawing cells by inversion.
    private let cumulative: [Double]

    /// H(x) / 2 in bits: the floor no model's cross-entropy goes below.
    public var entropyBitsPerDimension: Double {
        -support.reduce(0) { $0 + probabilities[$1] * log2(probabilities[$1]) } / 2
    }

    /// The named distribution at `levels` per axis.
    public init(shape: DequantDataShape, levels: Int = Self.defaultLevels) {
        precondition(Self.levelRange.contains(levels), "levels \(levels) outside \(Self.levelRange)")
        let weights: [Double] = switch shape {
        case .mixture: Self.mixtureWeights(levels)
        case .smiley: Self.smileyWeights(levels)
        case .checker: Self.checkerWeights(levels)
        }
        self.init(levels: levels, weights: weights, shape: shape)
    }

    /// A hand-built distribution: non-negative weights over the L² cells, normalised here.
    public init(levels: Int, weights: [Double]) {
        self.init(levels: levels, weights: weights, shape: nil)
    }

    private init(levels: Int, weights: [Double], shape: DequantDataShape?) {
        precondition(weights.count == levels * levels, "\(weights.count) weights for \(levels)×\(levels) cells")
        precondition(weights.allSatisfy { $0 >= 0 && $0.isFinite }, "weights must be finite and non-negative")
        let total = weights.reduce(0, +)
        precondition(total > 0, "no cell has weight")
        self.shape = shape
        self.levels = levels
        let probabilities = weights.map { $0 / total }
        let support = probabilities.indices.filter { probabilities[$0] > 0 }
        var running = 0.0
        cumulative = support.map { running += probabilities[$0]; return running }
        (self.probabilities, self.support) = (probabilities, support)
    }

    public var cellCount: Int { levels * levels }

    /// (x1, x2) of cell c.
    public func coordinates(ofCell c: Int) -> (x1: Int, x2: Int) { (c % levels, c / levels) }

    public func cell(x1: Int, x2: Int) -> Int { x2 * levels + x1 }

    /// n cells drawn from P, as an n×2 tensor of integer-valued (x1, x2).
    public func batch(_ n: Int, rng: inout RandomSource) -> Tensor {
        var x = Tensor(uninitialized: n, 2)
        let total = cumulative.last!
        x.withMutablePointer { p in
            for i in 0..<n {
                // Double resolution for the draw, so cells with P near 1e-9 still come up at their rate.
                let target = (Double(rng.next() >> 11) * 0x1p-53) * total
                var lower = 0, upper = cumulative.count - 1
                while lower < upper {
                    let middle = (lower + upper) / 2
                    if cumulative[middle] > target { upper = middle } else { lower = middle + 1 }
                }
                let (x1, x2) = coordinates(ofCell: support[lower])
                p[2 * i] = Float(x1)
                p[2 * i + 1] = Float(x2)
            }
        }
        return x
    }
}

// MARK: - The named shapes

extension DequantData {
    /// An axis-aligned Gaussian in the mixture: centre as a fraction of the side, σ = `sideSigma`·L + `cellSigma`.
    struct Blob {
        let weight: Double
        let center: (Double, Double)
        let sideSigma: (Double, Double)
        let cellSigma: Double
        /// Narrow blobs are moved onto the nearest cell corner, so their mass splits over four cells and leans
        /// towards that corner inside each: within-cell structure that a uniform dequantizer cannot follow.
        var onCorner: Bool { sideSigma == (0, 0) }
    }

    static let mixtureBlobs = [
        Blob(weight: 0.40, center: (0.32, 0.60), sideSigma: (0.13, 0.09), cellSigma: 0),
        Blob(weight: 0.30, center: (0.66, 0.33), sideSigma: (0.07, 0.15), cellSigma: 0),
        Blob(weight: 0.18, center: (0.75, 0.78), sideSigma: (0, 0), cellSigma: 0.35),
        Blob(weight: 0.12, center: (0.22, 0.18), sideSigma: (0, 0), cellSigma: 0.5),
    ]

    /// Each blob's mass in every cell (products of Gaussian CDF differences), the whole truncated to the square.
    static func mixtureWeights(_ levels: Int) -> [Double] {
        let side = Double(levels)
        var weights = [Double](repeating: 0, count: levels * levels)
        for blob in mixtureBlobs {
            var center = (blob.center.0 * side, blob.center.1 * side)
            if blob.onCorner { center = (center.0.rounded(), center.1.rounded()) }
            let sigma = (blob.sideSigma.0 * side + blob.cellSigma, blob.sideSigma.1 * side + blob.cellSigma)
            let along1 = gaussianCellMasses(levels, mean: center.0, sigma: sigma.0)
            let along2 = gaussianCellMasses(levels, mean: center.1, sigma: sigma.1)
            let inside = along1.reduce(0, +) * along2.reduce(0, +)
            for x2 in 0..<levels {
                for x1 in 0..<levels { weights[x2 * levels + x1] += blob.weight * along1[x1] * along2[x2] / inside }
            }
        }
        return weights
    }

    /// The mass of N(mean, σ²) in each unit interval [i, i+1), i = 0…L−1.
    static func gaussianCellMasses(_ levels: Int, mean: Double, sigma: Double) -> [Double] {
        // Φ(b) − Φ(a) as ½(erfc(−b/√2) − erfc(−a/√2)), taken from the nearer tail so it keeps its
        // digits.
        func mass(_ a: Double, _ b: Double) -> Double {
            let za = (a - mean) / sigma, zb = (b - mean) / sigma
            return za > 0 ? 0.5 * (erfc(za / 2.0.squareRoot()) - erfc(zb / 2.0.squareRoot()))
                          : 0.5 * (erfc(-zb / 2.0.squareRoot()) - erfc(-za / 2.0.squareRoot()))
        }
        return (0..<levels).map { mass(Double($0), Double($0 + 1)) }
    }

    /// Cell centres in units of the side, measured from the middle of the square.
    private static func centeredPosition(_ c: Int, _ levels: Int) -> (Double, Double) {
        let side = Double(levels)
        return ((Double(c % levels) + 0.5) / side - 0.5, (Double(c / levels) + 0.5) / side - 0.5)
    }

    /// A ring, two eyes above the middle and a mouth below it. Strokes are at least one cell wide, so at
    /// small L the face coarsens instead of vanishing; eyes weigh twice as much as the other strokes.
    static func smileyWeights(_ levels: Int) -> [Double] {
        let cell = 1 / Double(levels)
        let stroke = max(0.5 * cell, 0.05), eyeRadius = max(0.6 * cell, 0.07)
        return (0..<levels * levels).map { c in
            let (x, y) = centeredPosition(c, levels)
            let r = (x * x + y * y).squareRoot()
            let eye = [(-0.16, 0.14), (0.16, 0.14)].contains {
                ((x - $0.0) * (x - $0.0) + (y - $0.1) * (y - $0.1)).squareRoot() <= eyeRadius
            }
            if eye { return 2 }
            let ring = abs(r - 0.42) <= stroke
            let mouth = abs(r - 0.25) <= stroke * 0.8 && y < -0.1
            return ring || mouth ? 1 : 0
        }
    }

    /// Blocks of L/4 cells (at least one), alternately on and off.
    static func checkerWeights(_ levels: Int) -> [Double] {
        let block = max(1, levels / 4)
        return (0..<levels * levels).map { c in ((c % levels) / block + (c / levels) / block) % 2 == 0 ? 1 : 0 }
    }
}

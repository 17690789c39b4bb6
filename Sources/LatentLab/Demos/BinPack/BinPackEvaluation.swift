import Foundation

/// Everything the bin-packing screen shows, computed by quadrature rather than sampling, so the gap is
/// exact up to the grid: log p(x) = log Σ_g p(x|z_g) p(z_g) ΔA over the z-grid, and each point's ELBO,
/// KL and reconstruction as expectations under q by a midpoint rule in q's noise ε (z = T(ε)), whatever
/// the family.
///
/// Mutual information (docs/THEORY.md section 3) with x uniform over the four points and the joint
/// p(x) p(z|x), p(z|x) the model's exact posterior on the grid:
///   I(x;z) = E_x KL(p(z|x) ‖ p̄(z)) ≤ log 4,
///   Barber-Agakov H(z) + E log q(z|x) = I − E_x KL(p(z|x) ‖ q(z|x)).
/// q is renormalised on the grid there, so the bound holds exactly in the discretisation too.
/// I_q(x;z) = E_x KL(q(z|x) ‖ q̄(z)) is the encoder-side estimate the dashboard shows.
public struct BinPackEvaluation: Sendable {
    public struct Point: Sendable {
        /// KL(q(z|x) ‖ p(z)), E_q log p(x|z), their difference, the exact log p(x), and the gap.
        public let kl: Double, reconstruction: Double, elbo: Double, logMarginal: Double
        public var gap: Double { logMarginal - elbo }
        /// E_q z, where the point's letter is drawn.
        public let mean: SIMD2<Float>
        /// A few z ~ q(z|x), drawn on request.
        public let samples: [SIMD2<Float>]
    }

    public let grid: QuadratureGrid
    public let points: [Point]
    /// log q(z_g|x_i) on the grid, per point.
    public let logPosterior: [[Float]]
    /// Per point, Σ_g q(z_g|x) ΔA: the share of q on the grid. Below 0.99 (a q pushed far out, as with beta 0)
    /// the Barber-Agakov bound and I_q, which use q on the grid, describe only its tails.
    public let posteriorMass: [Double]
    public var posteriorsOnGrid: Bool { posteriorMass.allSatisfy { $0 >= 0.99 } }
    /// Per point, the log-density level whose region {q ≥ level} holds 39.3% of q: for a Gaussian exactly
    /// its 1-sigma ellipse, for the IAF the same highest-density region.
    public let posteriorLevels: [Float]
    /// log p(z_g|x_i), the exact posterior, on the grid per point, and its 39.3% level like q's.
    public let logExactPosterior: [[Float]]
    public let exactPosteriorLevels: [Float]
    /// q̄(z) = mean_i q(z|x_i) on the grid: the aggregate posterior.
    public let aggregate: [Float]
    public let logPrior: [Float]
    /// The prior's regions holding 39.3%, 86.5% and 98.9% (its 1, 2 and 3-sigma circles when N(0, I)).
    public let priorLevels: [Float]
    /// Σ_g p(z_g) ΔA: how much of the prior the grid covers (1 when the quadrature is trustworthy).
    public let priorMass: Double
    public let exactInformation: Double
    public let barberAgakov: Double
    public let encoderInformation: Double

    public var elbo: Double { points.reduce(0) { $0 + $1.elbo } }
    public var logMarginal: Double { points.reduce(0) { $0 + $1.logMarginal } }
    public var gap: Double { points.reduce(0) { $0 + $1.gap } }

    static let massLevels: [Double] = [1 - exp(-0.5), 1 - exp(-2), 1 - exp(-4.5)]
    /// Midpoints of a 48×48 grid over [−5, 5]² in ε, weighted by N(ε; 0, I).
    static let noiseGrid = QuadratureGrid(size: 48, extent: 5)
    /// Draws of each q(z|x) the screen can show.
    static let shownSamples = 16

    init(model: VAE, data: Tensor, grid: QuadratureGrid, seed: UInt64) {
        let tape = Tape(recording: false)
        let n = data.rows, cells = grid.count
        let q = model.encode(Var(constant: data), on: tape)
        let zGrid = Var(constant: grid.points)
        let logPz = model.prior.logDensity(zGrid, on: tape).value.scalars
        let logArea = Double(Foundation.log(grid.cellArea))
        self.grid = grid
        logPrior = logPz
        priorMass = logPz.reduce(0) { $0 + exp(Double($1)) } * Double(grid.cellArea)
        priorLevels = Self.levels(logDensity: logPz, masses: Self.massLevels)

        // Exact posteriors P_i and renormalised q's Q_i as cell probabilities.
        var logMarginals: [Double] = [], exactPosteriors: [[Double]] = [], logQs: [[Float]] = []
        var logQNormalisers: [Double] = [], qCells: [[Double]] = []
        for i in 0..<n {
            let logLikelihood = model.likelihood.logLikelihood(data.rowBlock(i, 1), given: zGrid, on: tape)
                .value.scalars
            let joint = zip(logLikelihood, logPz).map { Double($0) + Double($1) }
            let lse = logSumExp(joint)
            logMarginals.append(lse + logArea)
            exactPosteriors.append(joint.map { exp($0 - lse) })
            let logQ = model.posterior.logDensity(zGrid, q.rows(i, 1), on: tape).value.scalars
            logQs.append(logQ)
            let normaliser = logSumExp(logQ.map(Double.init))
            logQNormalisers.append(normaliser)
            qCells.append(logQ.map { exp(Double($0) - normaliser) })
        }
        logPosterior = logQs
        posteriorMass = logQNormalisers.map { exp($0 + logArea) }
        logExactPosterior = exactPosteriors.map { $0.map { Float(log($0) - logArea) } }
        exactPosteriorLevels = logExactPosterior.map { Self.levels(logDensity: $0, masses: [Self.massLevels[0]])[0] }
        posteriorLevels = logQs.map { Self.levels(logDensity: $0, masses: [Self.massLevels[0]])[0] }
        // q(z|x_i) = Q_i / ΔA · (the share of q on the grid), averaged.
        let qScales = posteriorMass.map { $0 / Double(grid.cellArea) }
        aggregate = (0..<cells).map { g in Float((0..<n).reduce(0) { $0 + qCells[$1][g] * qScales[$1] } / Double(n)) }

        // Cells below 1e-300 add at most p·log n and would underflow p̄ = (Σ p)/n to 0.
        var information = 0.0, expectedLogQ = 0.0, entropy = 0.0, encoder = 0.0
        for g in 0..<cells {
            let pBar = exactPosteriors.reduce(0) { $0 + $1[g] } / Double(n)
            let qBar = qCells.reduce(0) { $0 + $1[g] } / Double(n)
            if pBar > 1e-300 { entropy -= pBar * (log(pBar) - logArea) }
            for i in 0..<n {
                let p = exactPosteriors[i][g], qi = qCells[i][g]
                if p > 1e-300 {
                    information += p * log(p / pBar)
                    expectedLogQ += p * (Double(logQs[i][g]) - logQNormalisers[i] - logArea)
                }
                if qi > 1e-300 { encoder += qi * log(qi / qBar) }
            }
        }
        information /= Double(n)
        expectedLogQ /= Double(n)
        encoder /= Double(n)
        exactInformation = information
        barberAgakov = entropy + expectedLogQ
        encoderInformation = encoder

        // ELBO, KL and reconstruction by the midpoint rule in ε.
        let noise = Self.noiseGrid
        let noisePoints = noise.points
        let weights = (0..<noise.count).map { g in
            exp(-0.5 * Double(noisePoints[g, 0] * noisePoints[g, 0] + noisePoints[g, 1] * noisePoints[g, 1]))
        }
        let weightSum = weights.reduce(0, +)
        let eps = noisePoints.repeatingEachRow(n)
        let terms = model.logWeights(data, q, noise: eps, on: tape)
        let rate = tape.sub(terms.logPosterior, terms.logPrior).value.scalars
        let logPxz = terms.logLikelihood.value.scalars
        let zValues = terms.z.value
        var sampleNoise = RandomSource(seed: seed)
        let drawn = model.posterior.draw(q, noise: sampleNoise.normalTensor(Self.shownSamples * n, 2), on: tape).z.value
        points = (0..<n).map { i in
            var kl = 0.0, reconstruction = 0.0, mean = SIMD2<Double>(0, 0)
            for s in 0..<noise.count {
                let w = weights[s] / weightSum, r = s * n + i
                kl += w * Double(rate[r])
                reconstruction += w * Double(logPxz[r])
                mean += w * SIMD2(Double(zValues[r, 0]), Double(zValues[r, 1]))
            }
            return Point(kl: kl, reconstruction: reconstruction, elbo: reconstruction - kl,
                         logMarginal: logMarginals[i],
                         mean: SIMD2(Float(mean.x), Float(mean.y)),
                         samples: (0..<Self.shownSamples).map { SIMD2(drawn[$0 * n + i, 0], drawn[$0 * n + i, 1]) })
        }
    }

    /// For each mass m, the log-density ℓ such that the cells with log-density ≥ ℓ hold m of the total,
    /// read off a histogram of 2,048 bins over the 30 nats below the peak (cells further down hold less
    /// than e^-30 of the mass each): ℓ is exact to 0.015 nats, plenty for an outline, in one pass.
    static func levels(logDensity: [Float], masses: [Double]) -> [Float] {
        guard let top = logDensity.max(), top.isFinite else { return masses.map { _ in -.infinity } }
        let bins = 2048, depth: Float = 30
        var mass = [Double](repeating: 0, count: bins)
        var total = 0.0
        for value in logDensity where value > top - depth {
            let w = exp(Double(value - top))
            mass[min(bins - 1, Int((top - value) / depth * Float(bins)))] += w
            total += w
        }
        var levels: [Float] = [], cumulative = 0.0, next = 0
        for bin in 0..<bins where next < masses.count {
            cumulative += mass[bin] / total
            while next < masses.count && cumulative >= masses[next] - 1e-12 {
                levels.append(top - Float(bin + 1) * depth / Float(bins))
                next += 1
            }
        }
        while levels.count < masses.count { levels.append(top - depth) }
        return levels
    }
}

extension Tensor {
    /// Each row repeated `times` times in place: row s of the result block s·times..<(s+1)·times,
    /// so noise row s is shared by all `times` examples of a sample-major batch.
    func repeatingEachRow(_ times: Int) -> Tensor {
        var out = Tensor(uninitialized: rows * times, cols)
        let c = cols
        withPointer { src in out.withMutablePointer { dst in
            for r in 0..<rows { for t in 0..<times { (dst + (r * times + t) * c).update(from: src + r * c, count: c) } }
        } }
        return out
    }
}

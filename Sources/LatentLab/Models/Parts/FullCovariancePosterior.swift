import Foundation

/// q(z|x) = N(μ(x), L Lᵀ) with L lower-triangular: its diagonal σ = e^{½ logvar} from the diagonal
/// Gaussian's heads, the entries below it from one more head on the encoder's last hidden layer, started at
/// zero so the family starts as the diagonal one. z = μ + Lε, and the chain rule splits log q over the
/// units as log q(z_j | z_<j, x) = log N(ε_j) − ½ logvar_j. Each pass is O(d²) ops on the tape: a family for
/// small latents (the 2-D bin-packing demo).
public final class FullCovariancePosterior: Posterior {
    let base: DiagonalGaussianPosterior
    /// hidden → the d(d−1)/2 entries of L below the diagonal, row by row.
    let lowerHead: Linear

    /// Shares `base`'s encoder and heads; the new head is `NAME.lower`.
    init(base: DiagonalGaussianPosterior, hidden: Int, name: String = "encoder", rng: inout RandomSource) {
        self.base = base
        let d = base.latentSize
        lowerHead = Linear("\(name).lower", inputs: hidden, outputs: max(1, d * (d - 1) / 2), rng: &rng)
        lowerHead.weight.assign(Tensor(zeros: hidden, lowerHead.weight.cols))
    }

    public var latentSize: Int { base.latentSize }
    public var parameters: [Parameter] { base.parameters + lowerHead.parameters }
    public var summary: String { "Gauss full" }

    public func encode(_ x: Var, on tape: Tape) -> PosteriorEncoding {
        var e = base.encode(x, keepingContext: true, on: tape)
        e.lowerCholesky = lowerHead(e.context!, on: tape)
        e.context = nil
        return e
    }

    /// Column of L_ji in the encoding's `lowerCholesky`, for i < j.
    private static func entry(_ j: Int, _ i: Int) -> Int { j * (j - 1) / 2 + i }

    /// z_0 = μ + σ ⊙ ε from the diagonal Gaussian, then z_j += Σ_{i<j} L_ji ε_i.
    public func draw(_ e: PosteriorEncoding, noise: Tensor, on tape: Tape) -> (z: Var, logQUnits: Var) {
        let (z0, logQUnits) = base.draw(e, noise: noise, on: tape)
        let lower = e.tiled(noise.rows / max(e.mean.rows, 1), on: tape).lowerCholesky!
        let eps = Var(constant: noise)
        var columns = [Var(constant: Tensor(zeros: noise.rows, 1))]
        for j in 1..<max(1, latentSize) {
            let terms = (0..<j).map { i in
                tape.mul(tape.sliceCols(lower, Self.entry(j, i), 1), tape.sliceCols(eps, i, 1))
            }
            columns.append(terms.dropFirst().reduce(terms[0]) { tape.add($0, $1) })
        }
        let shear = columns.dropFirst().reduce(columns[0]) { tape.concatCols($0, $1) }
        return (tape.add(z0, shear), logQUnits)
    }

    /// Solves z = μ + Lε for ε one unit at a time: ε_j = (z_j − μ_j − Σ_{i<j} L_ji ε_i) / σ_j.
    public func logDensity(_ z: Var, _ e: PosteriorEncoding, on tape: Tape) -> Var {
        let e = e.tiled(z.rows / max(e.mean.rows, 1), on: tape)
        let centred = tape.sub(z, e.mean)
        let sigma = tape.exp(tape.scale(e.logVariance, by: 0.5))
        var eps: [Var] = []
        for j in 0..<latentSize {
            var rest = tape.sliceCols(centred, j, 1)
            for i in 0..<j {
                rest = tape.sub(rest, tape.mul(tape.sliceCols(e.lowerCholesky!, Self.entry(j, i), 1), eps[i]))
            }
            eps.append(tape.div(rest, tape.sliceCols(sigma, j, 1)))
        }
        let all = eps.dropFirst().reduce(eps[0]) { tape.concatCols($0, $1) }
        let logQUnits = tape.sub(tape.standardNormalLogDensity(all), tape.scale(e.logVariance, by: 0.5))
        return tape.sum(logQUnits, axis: 1)
    }

    /// Sampled: the pair has a closed form, but its split over the units would not be the chain rule's.
    public func closedFormKL(_ encoding: PosteriorEncoding, against prior: any Prior, on tape: Tape) -> Var? { nil }

    /// E_q z = μ, and each unit's deviation √(σ_j² + Σ_{i<j} L_ji²), exactly.
    public func moments(_ e: PosteriorEncoding, rng: inout RandomSource) -> PosteriorMoments {
        let lv = e.logVariance.value, lower = e.lowerCholesky!.value
        var deviation = Tensor(zeros: lv.rows, lv.cols)
        for r in 0..<lv.rows {
            for j in 0..<lv.cols {
                var v = Foundation.exp(lv[r, j])
                for i in 0..<j { v += lower[r, Self.entry(j, i)] * lower[r, Self.entry(j, i)] }
                deviation[r, j] = v.squareRoot()
            }
        }
        return PosteriorMoments(mean: e.mean.value, deviation: deviation, draws: 0)
    }

    public var hasCheapDensity: Bool { true }
}

extension FullCovariancePosterior: PosteriorFamily {
    public static let title = "full-covariance Gaussian"

    public static func make(on base: DiagonalGaussianPosterior, _ config: VAEConfig,
                            rng: inout RandomSource) -> any Posterior {
        FullCovariancePosterior(base: base, hidden: encoderOutput(config), rng: &rng)
    }

    public static func summary(_ config: VAEConfig) -> String { ", full-covariance posterior" }

    /// The head for the entries below L's diagonal.
    public static func extraWeightMatrixElements(_ config: VAEConfig) -> Int {
        let d = config.latentSize
        return WeightCount.product(encoderOutput(config), WeightCount.product(d, d - 1) / 2)
    }
}

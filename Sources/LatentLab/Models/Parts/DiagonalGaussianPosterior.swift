import Foundation

/// q(z|x) = N(μ(x), diag e^{logvar(x)}): an MLP with a mean head and a log-variance head.
public final class DiagonalGaussianPosterior: Posterior, MinimumRatePosterior {
    let layer: GaussianLayer
    public let latentSize: Int
    /// δ-VAE's floor on each unit's KL against N(0, 1); 0 is off.
    public var minimumRate: Float = 0

    /// Layers named `encoder.0`, … `encoder.mean`, `encoder.logvar` (the checkpoint names).
    public init(inputSize: Int, hidden: [Int], latentSize: Int, activation: Activation, rng: inout RandomSource) {
        self.latentSize = latentSize
        layer = GaussianLayer("encoder", inputs: inputSize, hidden: hidden, outputs: latentSize, activation: activation, rng: &rng)
    }

    var encoder: MLP? { layer.network }
    var meanHead: Linear { layer.meanHead }
    var logVarianceHead: Linear { layer.logVarianceHead }

    public var parameters: [Parameter] { layer.parameters }
    public var summary: String { "Gauss" }

    public func encode(_ x: Var, on tape: Tape) -> PosteriorEncoding { encode(x, keepingContext: false, on: tape) }

    /// With `keepingContext` the encoder's last hidden layer comes along as the context (for a flow on top).
    func encode(_ x: Var, keepingContext: Bool, on tape: Tape) -> PosteriorEncoding {
        let (mean, rawLogVariance, h) = layer(x, on: tape)
        let logVariance = minimumRate > 0 ? MinimumRate.capped(rawLogVariance, rate: minimumRate, on: tape) : rawLogVariance
        return PosteriorEncoding(mean: mean, logVariance: logVariance, context: keepingContext ? h : nil)
    }

    public func draw(_ e: PosteriorEncoding, noise: Tensor, on tape: Tape) -> (z: Var, logQUnits: Var) {
        let (z, units) = GaussianLayer.draw(mean: e.mean, logVariance: e.logVariance, noise: noise, on: tape)
        return (z, units)
    }

    public func logDensity(_ z: Var, _ e: PosteriorEncoding, on tape: Tape) -> Var {
        let times = z.rows / max(e.mean.rows, 1)
        let (mean, logVariance) = times == 1 ? (e.mean, e.logVariance) : (tape.tileRows(e.mean, times), tape.tileRows(e.logVariance, times))
        return tape.sum(tape.gaussianLogDensity(z, mean: mean, logVariance: logVariance), axis: 1)
    }

    /// Σ_d (z_id − μ_jd)² / σ²_jd = (z∘z)·Pᵀ − 2 z·(μ∘P)ᵀ + Σ_d μ²_jd P_jd with P = e^{−logvar}: three products
    /// instead of B² density evaluations.
    public func pairwiseLogDensities(_ z: Tensor, _ e: PosteriorEncoding) -> Tensor {
        Self.pairwiseLogDensities(z, mean: e.mean.value, logVariance: e.logVariance.value)
    }

    static func pairwiseLogDensities(_ z: Tensor, mean mu: Tensor, logVariance lv: Tensor) -> Tensor {
        let b = mu.rows, d = mu.cols
        precondition(z.rows == b && z.cols == d, "one draw per example")
        var precision = Tensor(uninitialized: b, d), weightedMean = Tensor(uninitialized: b, d), zz = Tensor(uninitialized: b, d)
        var constant = [Float](repeating: 0, count: b)   // Σ_d μ²P + logvar + log 2π, per j
        let log2pi = Float(Foundation.log(2 * Double.pi))
        mu.withPointer { m in lv.withPointer { v in z.withPointer { zp in
            precision.withMutablePointer { p in weightedMean.withMutablePointer { w in zz.withMutablePointer { q in
                for i in 0..<(b * d) {
                    p[i] = FastMath.exp(-v[i])
                    w[i] = m[i] * p[i]
                    q[i] = zp[i] * zp[i]
                }
                for j in 0..<b {
                    var c: Float = 0
                    for u in 0..<d { c += m[j * d + u] * w[j * d + u] + v[j * d + u] + log2pi }
                    constant[j] = c
                }
            } } }
        } } }
        let a = zz.matmul(precision, transposeOther: true)            // B×B
        let cross = z.matmul(weightedMean, transposeOther: true)      // B×B
        var logQ = Tensor(uninitialized: b, b)
        a.withPointer { ap in cross.withPointer { cp in logQ.withMutablePointer { l in
            for i in 0..<b { for j in 0..<b { l[i * b + j] = -0.5 * (ap[i * b + j] - 2 * cp[i * b + j] + constant[j]) } }
        } } }
        return logQ
    }

    public func moments(_ e: PosteriorEncoding, rng: inout RandomSource) -> PosteriorMoments {
        PosteriorMoments(mean: e.mean.value, deviation: Tape(recording: false).exp(Var(constant: e.logVariance.value.scaled(0.5))).value,
                         draws: 0)
    }

    public var hasCheapDensity: Bool { true }

    public func closedFormKL(_ e: PosteriorEncoding, against prior: any Prior, on tape: Tape) -> Var? {
        prior is StandardNormalPrior ? tape.gaussianKL(mean: e.mean, logVariance: e.logVariance) : nil
    }
}

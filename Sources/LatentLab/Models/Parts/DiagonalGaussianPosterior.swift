import Foundation

/// q(z|x) = N(μ(x), diag e^{logvar(x)}): an MLP with a mean head and a log-variance head.
public final class DiagonalGaussianPosterior: Posterior {
    let encoder: MLP?          // x → last hidden layer (activation applied after it too); nil without hidden layers
    let meanHead: Linear
    let logVarianceHead: Linear
    let activation: Activation
    public let latentSize: Int

    /// Layers named `encoder.0`, … `encoder.mean`, `encoder.logvar` (the checkpoint names).
    public init(inputSize: Int, hidden: [Int], latentSize: Int, activation: Activation, rng: inout RandomSource) {
        self.latentSize = latentSize
        self.activation = activation
        encoder = hidden.isEmpty ? nil : MLP("encoder", sizes: [inputSize] + hidden, activation: activation, rng: &rng)
        let last = hidden.last ?? inputSize
        meanHead = Linear("encoder.mean", inputs: last, outputs: latentSize, rng: &rng)
        logVarianceHead = Linear("encoder.logvar", inputs: last, outputs: latentSize, rng: &rng)
    }

    public var parameters: [Parameter] { (encoder?.parameters ?? []) + meanHead.parameters + logVarianceHead.parameters }
    public var summary: String { "Gauss" }

    public func encode(_ x: Var, on tape: Tape) -> PosteriorEncoding { encode(x, keepingContext: false, on: tape) }

    /// With `keepingContext` the encoder's last hidden layer comes along as the context (for a flow on top).
    func encode(_ x: Var, keepingContext: Bool, on tape: Tape) -> PosteriorEncoding {
        let h = encoder.map { activation.apply($0(x, on: tape), on: tape) } ?? x
        return PosteriorEncoding(mean: meanHead(h, on: tape), logVariance: logVarianceHead(h, on: tape),
                                 context: keepingContext ? h : nil)
    }

    /// z = μ + σε, and log q(z_d|x) = −½ (log 2π + logvar_d + ε_d²): the density at its own draw in terms
    /// of the noise, the same function of the weights as log N(z; μ, σ²) with z substituted.
    public func draw(_ e: PosteriorEncoding, noise: Tensor, on tape: Tape) -> (z: Var, logQUnits: Var) {
        let b = e.mean.rows, k = noise.rows / max(b, 1)
        let z = tape.reparameterize(mean: e.mean, logVariance: e.logVariance, noise: noise)
        let halfLog2pi = Float(0.5 * Foundation.log(2 * Double.pi))
        var constant = Tensor(uninitialized: noise.rows, noise.cols)  // −½ (log 2π + ε²)
        let n = noise.count
        noise.withPointer { p in constant.withMutablePointer { c in for i in 0..<n { c[i] = -halfLog2pi - 0.5 * p[i] * p[i] } } }
        let halfLogVariance = tape.scale(e.logVariance, by: -0.5)
        return (z, tape.add(k == 1 ? halfLogVariance : tape.tileRows(halfLogVariance, k), Var(constant: constant)))
    }

    public func logDensity(_ z: Var, _ e: PosteriorEncoding, on tape: Tape) -> Var {
        tape.sum(tape.gaussianLogDensity(z, mean: e.mean, logVariance: e.logVariance), axis: 1)
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

    public func moments(_ e: PosteriorEncoding, rng: inout RandomSource) -> (mean: Tensor, deviation: Tensor) {
        (e.mean.value, Tape(recording: false).exp(Var(constant: e.logVariance.value.scaled(0.5))).value)
    }

    public var hasCheapDensity: Bool { true }

    public func closedFormKL(_ e: PosteriorEncoding, against prior: any Prior, on tape: Tape) -> Var? {
        prior is StandardNormalPrior ? tape.gaussianKL(mean: e.mean, logVariance: e.logVariance) : nil
    }
}

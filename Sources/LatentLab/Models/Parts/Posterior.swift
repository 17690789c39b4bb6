/// q(z|x) for a batch, as the encoder gives it: the Gaussian every family starts from, for the flow
/// families the encoder's context h, and for a full covariance the entries of its Cholesky factor below
/// the diagonal.
public struct PosteriorEncoding {
    public var mean: Var          // B×d
    public var logVariance: Var   // B×d
    public var context: Var?      // B×c, for the families that have one
    public var lowerCholesky: Var?  // B×d(d−1)/2, row by row: L_10, L_20, L_21, …

    public init(mean: Var, logVariance: Var, context: Var? = nil, lowerCholesky: Var? = nil) {
        self.mean = mean
        self.logVariance = logVariance
        self.context = context
        self.lowerCholesky = lowerCholesky
    }

    /// Each row repeated for `times` draws, stacked sample-major like the draws (row s·B + i is example i);
    /// a one-row encoding stays one row, which every op broadcasts.
    func tiled(_ times: Int, on tape: Tape) -> PosteriorEncoding {
        guard times > 1 && mean.rows > 1 else { return self }
        return map { tape.tileRows($0, times) }
    }

    func map(_ f: (Var) -> Var) -> PosteriorEncoding {
        PosteriorEncoding(mean: f(mean), logVariance: f(logVariance), context: context.map(f),
                          lowerCholesky: lowerCholesky.map(f))
    }
}

extension PosteriorEncoding {
    /// Examples start..<start+count, as constants (for evaluation without a tape).
    func rows(_ start: Int, _ count: Int) -> PosteriorEncoding {
        map { Var(constant: $0.value.rowBlock(start, count)) }
    }
}

/// A family of approximate posteriors q(z|x). A new family is one type conforming to this.
public protocol Posterior: AnyObject {
    var latentSize: Int { get }
    var parameters: [Parameter] { get }
    /// A few words for status lines and logs.
    var summary: String { get }
    func encode(_ x: Var, on tape: Tape) -> PosteriorEncoding
    /// k draws per example from k·B×d standard normals, stacked sample-major (row s·B + i is draw s of
    /// example i), with log q(z|x) of each draw split over the units (k·B×d, summing to log q): for a
    /// factorised q its own factors, for a flow the chain rule's terms along its order.
    func draw(_ encoding: PosteriorEncoding, noise: Tensor, on tape: Tape) -> (z: Var, logQUnits: Var)
    /// log q(z|x) of given points, one row of z per row of the encoding (n×1).
    func logDensity(_ z: Var, _ encoding: PosteriorEncoding, on tape: Tape) -> Var
    /// KL(q(z|x) ‖ p(z)) per unit (B×d) where the pair has a closed form; nil where it must be sampled.
    func closedFormKL(_ encoding: PosteriorEncoding, against prior: any Prior, on tape: Tape) -> Var?
    /// log q(z_i|x_j) for draw i of example i against every example j (B×B): I_q's aggregate posterior.
    func pairwiseLogDensities(_ z: Tensor, _ encoding: PosteriorEncoding) -> Tensor
    /// E_q[z] and each unit's standard deviation for every example: the active units, the latent map.
    func moments(_ encoding: PosteriorEncoding, rng: inout RandomSource) -> PosteriorMoments
    /// True when the density at any z is one cheap pass; false when it inverts a flow one variable at a
    /// time, so that evaluations take I_q over fewer examples.
    var hasCheapDensity: Bool { get }
}

/// Draws used to estimate a posterior's moments where they have no closed form.
let momentSamples = 32

/// A posterior's mean and per-unit standard deviation for each example (B×d each), exact or from draws.
public struct PosteriorMoments {
    public var mean: Tensor
    public var deviation: Tensor
    /// How many draws the estimates come from; 0 when they are exact.
    public var draws: Int

    /// The variance of the estimated mean of example i, unit j: σ̂²/(S − 1) for S draws (σ̂ taken over the
    /// draws), 0 when exact. Active units subtract it, or the draws' noise alone would make every unit active.
    public func meanVariance(_ i: Int, _ j: Int) -> Float {
        draws > 1 ? deviation[i, j] * deviation[i, j] / Float(draws - 1) : 0
    }
}

extension Posterior {
    public func pairwiseLogDensities(_ z: Tensor, _ encoding: PosteriorEncoding) -> Tensor {
        pairwiseLogDensitiesByPairs(z, encoding)
    }

    /// The B×B matrix through `logDensity` on every pair: row i·B + j holds z_i against example j.
    func pairwiseLogDensitiesByPairs(_ z: Tensor, _ e: PosteriorEncoding) -> Tensor {
        let b = z.rows
        var pairs = Tensor(uninitialized: b * b, z.cols)
        pairs.withMutablePointer { p in z.withPointer { zp in
            for i in 0..<b {
                for j in 0..<b { (p + (i * b + j) * z.cols).update(from: zp + i * z.cols, count: z.cols) }
            }
        } }
        let tape = Tape(recording: false)
        return logDensity(Var(constant: pairs), e.map { tape.tileRows($0, b) }, on: tape).value.reshaped(b, b)
    }

    public func moments(_ e: PosteriorEncoding, rng: inout RandomSource) -> PosteriorMoments {
        let b = e.mean.rows, d = latentSize
        let z = draw(e, noise: rng.normalTensor(momentSamples * b, d), on: Tape(recording: false)).z.value
        var mean = Tensor(zeros: b, d), deviation = Tensor(zeros: b, d)
        for i in 0..<b {
            for j in 0..<d {
                var s = 0.0, s2 = 0.0
                for k in 0..<momentSamples { let v = Double(z[k * b + i, j]); s += v; s2 += v * v }
                let m = s / Double(momentSamples)
                mean[i, j] = Float(m)
                deviation[i, j] = Float(max(0, s2 / Double(momentSamples) - m * m).squareRoot())
            }
        }
        return PosteriorMoments(mean: mean, deviation: deviation, draws: momentSamples)
    }

    public var hasCheapDensity: Bool { false }
}

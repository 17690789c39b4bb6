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

    public func encode(_ x: Var, on tape: Tape) -> PosteriorEncoding {
        let h = encoder.map { activation.apply($0(x, on: tape), on: tape) } ?? x
        return PosteriorEncoding(mean: meanHead(h, on: tape), logVariance: logVarianceHead(h, on: tape))
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

    public func closedFormKL(_ e: PosteriorEncoding, against prior: any Prior, on tape: Tape) -> Var? {
        prior is StandardNormalPrior ? tape.gaussianKL(mean: e.mean, logVariance: e.logVariance) : nil
    }
}

import Foundation

/// The VampPrior (Tomczak & Welling 2018; docs/THEORY.md section 8): p(z) = (1/K) Σ_k q(z|u_k), the model's
/// own posterior at K learned pseudo-inputs, an approximation of the aggregate posterior the ELBO's optimal
/// prior would be. The pseudo-inputs and, through them, the shared encoder learn from the KL, which is sampled.
///
/// The components are the Gaussians the posterior's `encode` gives at u_k: exactly q(z|u_k) for the diagonal
/// Gaussian; for an IAF posterior its base Gaussian, and for the full-covariance one its diagonal part (their
/// q at u_k would make every component a flow or a d×d solve per point, K of them per z). The prior is a proper
/// mixture of diagonal Gaussians either way.
///
/// log p(z) is split over the units by the chain rule (`Tape.gaussianMixtureLogDensityUnits`), so the
/// dashboard's KL per unit adds up to the KL.
public final class VampPrior: Prior {
    public let latentSize: Int
    let posterior: any Posterior
    /// K × inputs logits: u = sigmoid(logits) keeps every pseudo-input an image in [0, 1], as the paper's
    /// hard-tanh does, with no clamp where the gradient would stop.
    public let pseudoInputs: Parameter

    /// The logits' spread at the start: u_k = sigmoid(N(0, 0.5²)), grey images in about [0.27, 0.73], different
    /// enough that the components do not start (and, by symmetry, stay) identical.
    static let initialLogitSpread: Float = 0.5
    /// Mixed into the seed of the pseudo-inputs' own generator ("VAMP").
    static let seedSalt: UInt64 = 0x5641_4D50

    /// The pseudo-inputs are named `prior.pseudo_inputs`; the encoder is the posterior's, not copied. They are
    /// drawn from a generator seeded from a copy of `rng`, which is left where it was: the bin-pack demo makes
    /// every prior family before its decoder, whose weights for a seed stay the ones they were before this one.
    public init(latentSize: Int, inputSize: Int, pseudoInputs k: Int, posterior: any Posterior,
                rng: inout RandomSource) {
        precondition(posterior.latentSize == latentSize, "the posterior's latent is the prior's")
        self.latentSize = latentSize
        self.posterior = posterior
        var copy = rng
        var own = RandomSource(seed: copy.next() ^ Self.seedSalt)
        pseudoInputs = Parameter("prior.pseudo_inputs", own.normalTensor(k, inputSize).scaled(Self.initialLogitSpread))
    }

    public var components: Int { pseudoInputs.rows }
    /// Only the pseudo-inputs: the encoder's weights are the posterior's, stepped once.
    public var parameters: [Parameter] { [pseudoInputs] }
    public var summary: String { "Vamp\(components)" }

    /// The components' means and log-variances (K×d each) on `tape`, gradients flowing to the pseudo-inputs
    /// and the encoder.
    func mixture(on tape: Tape) -> PosteriorEncoding {
        posterior.encode(tape.sigmoid(tape.param(pseudoInputs)), on: tape)
    }

    public func logDensityUnits(_ z: Var, on tape: Tape) -> Var {
        let e = mixture(on: tape)
        return tape.gaussianMixtureLogDensityUnits(z, mean: e.mean, logVariance: e.logVariance)
    }

    /// A component uniformly, then a draw from it.
    public func sample(_ n: Int, rng: inout RandomSource) -> Tensor {
        let e = mixture(on: Tape(recording: false))
        let (mean, logVariance) = (e.mean.value, e.logVariance.value)
        var out = rng.normalTensor(n, latentSize)
        for r in 0..<n {
            let k = min(Int(rng.uniform() * Float(components)), components - 1)
            for j in 0..<latentSize {
                out[r, j] = mean[k, j] + FastMath.exp(0.5 * logVariance[k, j]) * out[r, j]
            }
        }
        return out
    }

    /// No closed form for a mixture's entropy: the Barber–Agakov bound estimates H(z) from its own draws.
    public var entropy: Double? { nil }
}

/// A prior that is an equal-weight mixture of diagonal Gaussians: the latent map draws each component's
/// 1-sigma ellipse, the prior as it is, instead of a cloud of its draws.
public protocol GaussianMixturePrior: Prior {
    /// Each component's mean and standard deviation, K×d.
    func componentMoments() -> (mean: Tensor, deviation: Tensor)
}

extension VampPrior: GaussianMixturePrior {
    /// q(z|u_k) at each pseudo-input, as the mixture uses it.
    public func componentMoments() -> (mean: Tensor, deviation: Tensor) {
        let tape = Tape(recording: false), e = mixture(on: tape)
        return (e.mean.value, tape.exp(Var(constant: e.logVariance.value.scaled(0.5))).value)
    }
}

extension VampPrior: PriorFamily {
    public static let title = "VampPrior"

    public static func make(size: Int, _ config: VAEConfig, posterior: any Posterior,
                            rng: inout RandomSource) -> any Prior {
        VampPrior(latentSize: size, inputSize: config.inputSize, pseudoInputs: config.pseudoInputs,
                  posterior: posterior, rng: &rng)
    }

    /// Its components are q(z_1|u_k): a hierarchy's top layer has no q at an input to mix.
    public static func problem(_ config: VAEConfig) -> String? {
        config.layerSizes.count > 1 ? "a VampPrior mixes q(z|u) at pseudo-inputs: it has one stochastic layer" : nil
    }

    public static func summary(_ config: VAEConfig) -> String { ", VampPrior K=\(config.pseudoInputs)" }

    /// The pseudo-inputs, K × inputs.
    public static func weightMatrixElements(size: Int, _ config: VAEConfig) -> Int {
        WeightCount.product(config.pseudoInputs, config.inputSize)
    }
}

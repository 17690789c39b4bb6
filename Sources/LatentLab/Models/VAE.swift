/// A latent-variable model composed of parts: a posterior q(z|x), a prior p(z) and a likelihood p(x|z).
/// Every bound goes through `logWeights`, the one place log w = log p(x|z) + log p(z) − log q(z|x) is formed.
public final class VAE {
    public let config: VAEConfig
    public let posterior: any Posterior
    public let prior: any Prior
    public let likelihood: any Likelihood

    /// Fresh weights (Glorot uniform) for the configuration's parts: today a diagonal Gaussian posterior,
    /// N(0, I) and a Bernoulli MLP decoder. `outputBias`, when given, initialises the decoder's output
    /// bias, usually to the logit of the mean training pixel.
    public init(_ config: VAEConfig, seed: UInt64, outputBias: [Float]? = nil) {
        self.config = config
        var rng = RandomSource(seed: seed)
        posterior = DiagonalGaussianPosterior(inputSize: config.inputSize, hidden: config.encoderHidden,
                                              latentSize: config.latentSize, activation: config.activation, rng: &rng)
        prior = StandardNormalPrior(latentSize: config.latentSize)
        likelihood = BernoulliDecoder(latentSize: config.latentSize, hidden: config.decoderHidden, outputSize: config.inputSize,
                                      activation: config.activation, outputBias: outputBias, rng: &rng)
    }

    /// Every trainable parameter, in a fixed order (the checkpoint order).
    public var parameters: [Parameter] { posterior.parameters + prior.parameters + likelihood.parameters }

    public func encode(_ x: Var, on tape: Tape) -> PosteriorEncoding { posterior.encode(x, on: tape) }

    /// log w and its three terms for k draws per example (noise k·B×d, sample-major), each k·B×1.
    public struct LogWeights {
        public var z: Var
        public var logLikelihood: Var
        public var logPrior: Var
        public var logPosterior: Var

        /// log w = log p(x|z) + weight · (log p(z) − log q(z|x)); weight 1 is the bound, others anneal the KL.
        public func logW(klWeight: Float = 1, on tape: Tape) -> Var {
            let ratio = tape.sub(logPrior, logPosterior)
            return tape.add(logLikelihood, klWeight == 1 ? ratio : tape.scale(ratio, by: klWeight))
        }
    }

    /// The one path every bound takes: draws from q, and log p(x|z), log p(z), log q(z|x) of each.
    public func logWeights(_ x: Tensor, _ encoding: PosteriorEncoding, noise: Tensor, on tape: Tape) -> LogWeights {
        let (z, logQ) = posterior.draw(encoding, noise: noise, on: tape)
        return LogWeights(z: z, logLikelihood: likelihood.logLikelihood(x, given: z, on: tape),
                          logPrior: prior.logDensity(z, on: tape), logPosterior: logQ)
    }

    /// `count` draws from the prior p(z).
    public func samplePrior(_ count: Int, rng: inout RandomSource) -> Tensor { prior.sample(count, rng: &rng) }
}

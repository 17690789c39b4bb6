/// A latent-variable model composed of parts: a posterior q(z|x), a prior p(z) and a likelihood p(x|z).
/// Every bound goes through `logWeights`, the one place log w = log p(x|z) + log p(z) − log q(z|x) is formed.
public final class VAE {
    public let config: VAEConfig
    public let posterior: any Posterior
    public let prior: any Prior
    public let likelihood: any Likelihood

    /// Fresh weights (Glorot uniform) for the configuration's parts, each made by its family (Families/);
    /// a hierarchy's prior puts the family's prior on the top layer. `outputBias`, when given, initialises the
    /// decoder's output bias, usually to the logit of the mean training pixel.
    public init(_ config: VAEConfig, seed: UInt64, outputBias: [Float]? = nil) {
        self.config = config
        var rng = RandomSource(seed: seed)
        // Drawn in this order (posterior, decoder, prior) so a seed gives the weights it always gave.
        posterior = config.posterior.family.make(config, rng: &rng)
        likelihood = config.decoder.family.make(config, outputBias: outputBias, rng: &rng)
        let sizes = config.layerSizes
        let top = config.prior.family.make(size: sizes[sizes.count - 1], config, posterior: posterior, rng: &rng)
        prior = sizes.count > 1
            ? HierarchicalPrior(sizes: sizes, hidden: config.upperHidden, activation: config.activation, top: top,
                                rng: &rng)
            : top
    }

    /// A model of given parts; `config` describes them for logs (only models built from a configuration
    /// are saved).
    init(config: VAEConfig, posterior: any Posterior, prior: any Prior, likelihood: any Likelihood) {
        self.config = config
        self.posterior = posterior
        self.prior = prior
        self.likelihood = likelihood
    }

    /// "z50 Gauss·AF×2·Bern": the parts, for status lines and logs.
    public var summary: String { "z\(config.latentSize) \(posterior.summary)·\(prior.summary)·\(likelihood.summary)" }

    /// "z50 Gauss q · AF×2 prior · Bern p(x|z)" (an autoregressive decoder's summary ends in its receptive
    /// field in pixels, "MADE r783").
    public var description: String {
        "z\(config.latentSize) \(posterior.summary) q · \(prior.summary) prior · \(likelihood.summary) p(x|z)"
    }

    /// Every trainable parameter, in a fixed order (the checkpoint order).
    public var parameters: [Parameter] { posterior.parameters + prior.parameters + likelihood.parameters }

    public func encode(_ x: Var, on tape: Tape) -> PosteriorEncoding { posterior.encode(x, on: tape) }

    /// log w and its three terms for k draws per example (noise k·B×d, sample-major): log p(x|z) k·B×1,
    /// log p(z) and log q(z|x) split over the units (k·B×d) and summed (k·B×1).
    public struct LogWeights {
        public var z: Var
        public var logLikelihood: Var
        public var logPriorUnits: Var
        public var logPosteriorUnits: Var
        public var logPrior: Var
        public var logPosterior: Var

        /// log q(z|x) − log p(z) of each unit (k·B×d): its mean over the draws is the KL of each unit.
        public func rateUnits(on tape: Tape) -> Var { tape.sub(logPosteriorUnits, logPriorUnits) }

        /// log w = log p(x|z) + weight · (log p(z) − log q(z|x)); weight 1 is the bound, others anneal the KL.
        public func logW(klWeight: Float = 1, on tape: Tape) -> Var {
            let ratio = tape.sub(logPrior, logPosterior)
            return tape.add(logLikelihood, klWeight == 1 ? ratio : tape.scale(ratio, by: klWeight))
        }
    }

    /// The one path every bound takes: draws from q, and log p(x|z), log p(z), log q(z|x) of each. In training,
    /// `seen` is what an autoregressive decoder reads as the previous pixels (conditioning dropout).
    public func logWeights(_ x: Tensor, _ encoding: PosteriorEncoding, noise: Tensor, seen: Tensor? = nil,
                           on tape: Tape) -> LogWeights {
        let (z, logQUnits) = posterior.draw(encoding, noise: noise, on: tape)
        let logPUnits = prior.logDensityUnits(z, on: tape)
        let logLikelihood = if let seen { likelihood.logLikelihood(x, seeing: seen, given: z, on: tape) }
            else if tape.recording { likelihood.logLikelihood(x, given: z, on: tape) }
            else { Var(constant: likelihood.logLikelihoodInChunks(x, given: z.value)) }   // evaluation: bounded memory
        return LogWeights(z: z, logLikelihood: logLikelihood,
                          logPriorUnits: logPUnits, logPosteriorUnits: logQUnits,
                          logPrior: tape.sum(logPUnits, axis: 1), logPosterior: tape.sum(logQUnits, axis: 1))
    }

    /// `count` draws from the prior p(z).
    public func samplePrior(_ count: Int, rng: inout RandomSource) -> Tensor { prior.sample(count, rng: &rng) }
}

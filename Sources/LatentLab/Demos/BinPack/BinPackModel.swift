/// The lecture's bin-packing model, made of the engine's shared parts and families: a 2-D latent z, a Bernoulli
/// MLP decoder p(x|z) over 16 pixels, and q(z|x) of any posterior family built on one diagonal Gaussian (so
/// they share the encoder), under any prior family. Every part exists at once (the full covariance's extra
/// head starts at 0, the flow steps near a scaling), so switching family or prior mid-run carries on from
/// the current state instead of starting over.
public final class BinPackModel {
    public static let pixels = 16
    static let hidden = 32, latentSize = 2, flowHidden = 16, flowSteps = 2
    /// The prior's steps start nearer the identity than the posterior's (σ ≈ sigmoid(5) = 0.99), so
    /// switching to the learned prior does not by itself move the bin.
    static let priorGateBias: Float = 5

    public var family: LatentPosterior = .diag { didSet { vae = compose(family, prior) } }
    public var prior: LatentPrior = .normal { didSet { vae = compose(family, prior) } }
    /// The model of the current family and prior: what the objective and the evaluation read.
    public private(set) var vae: VAE

    /// The shape every family is made with: its `posterior` and `prior` say which ones are in use.
    private static let shape = VAEConfig(inputSize: pixels, encoderHidden: [hidden], latentSize: latentSize,
                                         decoderHidden: [hidden], activation: .tanh,
                                         flowSteps: flowSteps, flowHidden: flowHidden)
    /// The diagonal Gaussian every posterior family builds on.
    let encoder: DiagonalGaussianPosterior
    private let posteriors: [LatentPosterior: any Posterior]
    private let priors: [LatentPrior: any Prior]
    private let decoder: BernoulliDecoder

    /// Every family's part, made by the families' registries. The encoder and decoder come from the seed's
    /// stream; each family's own weights from a stream of their own, keyed by its name, so a family added to
    /// a registry leaves the others' weights at a seed as they were.
    public init(seed: UInt64) {
        var rng = RandomSource(seed: seed)
        let c = Self.shape
        let encoder = DiagonalGaussianPosterior(inputSize: Self.pixels, hidden: [Self.hidden],
                                                latentSize: Self.latentSize, activation: .tanh, rng: &rng)
        self.encoder = encoder
        decoder = BernoulliDecoder(latentSize: Self.latentSize, hidden: [Self.hidden], outputSize: Self.pixels,
                                   activation: .tanh, outputBias: nil, rng: &rng)
        posteriors = Dictionary(uniqueKeysWithValues: LatentPosterior.allCases.map {
            var own = Self.stream(seed, "posterior." + $0.rawValue)
            return ($0, $0.family.make(on: encoder, c, rng: &own))
        })
        priors = Dictionary(uniqueKeysWithValues: LatentPrior.allCases.map {
            var own = Self.stream(seed, "prior." + $0.rawValue)
            return ($0, $0.family.make(size: Self.latentSize, c, posterior: encoder, rng: &own))
        })
        (priors[.af] as? AutoregressiveFlowPrior)?.startGates(near: Self.priorGateBias)
        // The shape names the diagonal Gaussian and N(0, I): the family and prior a demo starts with.
        vae = VAE(config: Self.shape, posterior: posteriors[.diag]!, prior: priors[.normal]!, likelihood: decoder)
    }

    /// A stream of its own for `key` at `seed`: FNV-1a of the key, added to the seed.
    private static func stream(_ seed: UInt64, _ key: String) -> RandomSource {
        let hash = key.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
        return RandomSource(seed: seed &+ hash)
    }

    private func compose(_ family: LatentPosterior, _ prior: LatentPrior) -> VAE {
        var config = Self.shape
        (config.posterior, config.prior) = (family, prior)
        return VAE(config: config, posterior: posteriors[family]!, prior: priors[prior]!, likelihood: decoder)
    }

    public var parameters: [Parameter] { posteriorParameters + generativeParameters }

    /// The encoder and every posterior head, each once: what "train q only" steps.
    var posteriorParameters: [Parameter] {
        Self.unique(LatentPosterior.allCases.flatMap { posteriors[$0]!.parameters })
    }

    /// The decoder and every learned prior: p(x, z).
    var generativeParameters: [Parameter] {
        decoder.parameters + LatentPrior.allCases.flatMap { priors[$0]!.parameters }
    }

    /// The decoder's network: for tests that move its weights by hand.
    var decoderNetwork: MLP { decoder.network }

    /// Each parameter at its first place: the families share the encoder's.
    private static func unique(_ parameters: [Parameter]) -> [Parameter] {
        var seen = Set<ObjectIdentifier>()
        return parameters.filter { seen.insert(ObjectIdentifier($0)).inserted }
    }
}

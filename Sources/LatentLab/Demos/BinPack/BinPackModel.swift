/// The family of q(z|x) in the bin-packing demo.
public enum PosteriorFamily: String, CaseIterable, Sendable {
    case diagonal = "diagonal Gaussian"
    case fullCovariance = "full-covariance Gaussian"
    case iaf = "IAF (2 MADE steps)"
}

/// The prior p(z) in the bin-packing demo.
public enum PriorKind: String, CaseIterable, Sendable {
    case standard = "N(0,I)"
    case flow = "learned AR flow"
}

/// The lecture's bin-packing model, made of the engine's shared parts: a 2-D latent z, a Bernoulli MLP
/// decoder p(x|z) over 16 pixels, and q(z|x) a diagonal Gaussian, a full-covariance Gaussian or an IAF
/// built on that one diagonal Gaussian (so all three share the encoder). Every part exists at once (the
/// full covariance's extra head starts at 0, the flow steps near a scaling), so switching family or prior
/// mid-run carries on from the current state instead of starting over.
public final class BinPackModel {
    public static let pixels = 16
    static let hidden = 32, latentSize = 2, flowHidden = 16, flowSteps = 2
    /// The prior's steps start nearer the identity than the posterior's (σ ≈ sigmoid(5) = 0.99), so
    /// switching to the learned prior does not by itself move the bin.
    static let priorGateBias: Float = 5

    public var family: PosteriorFamily = .diagonal { didSet { vae = Self.compose(parts, family, prior) } }
    public var prior: PriorKind = .standard { didSet { vae = Self.compose(parts, family, prior) } }
    /// The model of the current family and prior: what the objective and the evaluation read.
    public private(set) var vae: VAE

    private struct Parts {
        let diagonal: DiagonalGaussianPosterior
        let fullCovariance: FullCovariancePosterior
        let iaf: IAFPosterior
        let standardPrior: StandardNormalPrior
        let flowPrior: AutoregressiveFlowPrior
        let decoder: BernoulliDecoder
    }
    private let parts: Parts

    public init(seed: UInt64) {
        var rng = RandomSource(seed: seed)
        let diagonal = DiagonalGaussianPosterior(inputSize: Self.pixels, hidden: [Self.hidden], latentSize: Self.latentSize,
                                                 activation: .tanh, rng: &rng)
        parts = Parts(
            diagonal: diagonal,
            fullCovariance: FullCovariancePosterior(base: diagonal, hidden: Self.hidden, rng: &rng),
            iaf: IAFPosterior(base: diagonal, context: Self.hidden, steps: Self.flowSteps, flowHidden: Self.flowHidden, rng: &rng),
            standardPrior: StandardNormalPrior(latentSize: Self.latentSize),
            flowPrior: AutoregressiveFlowPrior(latentSize: Self.latentSize, steps: Self.flowSteps, hidden: Self.flowHidden,
                                               gateBias: Self.priorGateBias, rng: &rng),
            decoder: BernoulliDecoder(latentSize: Self.latentSize, hidden: [Self.hidden], outputSize: Self.pixels,
                                      activation: .tanh, outputBias: nil, rng: &rng))
        vae = Self.compose(parts, .diagonal, .standard)
    }

    private static func compose(_ parts: Parts, _ family: PosteriorFamily, _ prior: PriorKind) -> VAE {
        let config = VAEConfig(inputSize: pixels, encoderHidden: [hidden], latentSize: latentSize, decoderHidden: [hidden],
                               activation: .tanh, posterior: family == .iaf ? .iaf : .diag, prior: prior == .flow ? .af : .normal,
                               flowSteps: flowSteps, flowHidden: flowHidden)
        let posterior: any Posterior = switch family {
        case .diagonal: parts.diagonal
        case .fullCovariance: parts.fullCovariance
        case .iaf: parts.iaf
        }
        return VAE(config: config, posterior: posterior, prior: prior == .flow ? parts.flowPrior : parts.standardPrior,
                   likelihood: parts.decoder)
    }

    public var parameters: [Parameter] { posteriorParameters + generativeParameters }

    /// The encoder and every posterior head: what "train q only" steps.
    var posteriorParameters: [Parameter] { parts.fullCovariance.parameters + parts.iaf.flow.parameters }

    /// The decoder and the learned prior: p(x, z).
    var generativeParameters: [Parameter] { parts.decoder.parameters + parts.flowPrior.parameters }

    /// The diagonal Gaussian every family builds on, and the decoder's network: for tests that move their
    /// weights by hand.
    var encoder: DiagonalGaussianPosterior { parts.diagonal }
    var decoderNetwork: MLP { parts.decoder.network }
}

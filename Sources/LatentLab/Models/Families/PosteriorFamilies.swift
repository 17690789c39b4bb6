/// What the model builder, the configuration's checks and summaries, and the menus know of a family of
/// q(z|x). Each family's part conforms in its own file; `LatentPosterior.family` is the registry.
public protocol PosteriorFamily {
    /// A short name for menus and screens: "diagonal Gaussian".
    static var title: String { get }
    /// q(z|x) over one stochastic layer built on `base`, sharing its encoder and heads (the bin-packing demo
    /// keeps every family on one encoder so that switching carries on).
    static func make(on base: DiagonalGaussianPosterior, _ config: VAEConfig, rng: inout RandomSource) -> any Posterior
    /// q(z|x) over the configuration's stochastic layers. By default one layer, on a new diagonal Gaussian;
    /// a family that extends to a hierarchy says how.
    static func make(_ config: VAEConfig, rng: inout RandomSource) -> any Posterior
    /// What the configuration's summary adds for this family ("" for the default one).
    static func summary(_ config: VAEConfig) -> String
    /// The family's weight-matrix elements beyond the encoder x → z_1 every family shares (a lower bound,
    /// saturating: see `VAEConfig.weightMatrixElements`).
    static func extraWeightMatrixElements(_ config: VAEConfig) -> Int
    /// Why the family cannot be built with this configuration, or nil.
    static func problem(_ config: VAEConfig) -> String?
}

extension PosteriorFamily {
    public static func make(_ config: VAEConfig, rng: inout RandomSource) -> any Posterior {
        precondition(config.layerSizes.count == 1, "checked by VAEConfig.problem")
        let base = DiagonalGaussianPosterior(inputSize: config.inputSize, hidden: config.encoderHidden,
                                             latentSize: config.latentSize, activation: config.activation, rng: &rng)
        return make(on: base, config, rng: &rng)
    }

    public static func problem(_ config: VAEConfig) -> String? {
        config.layerSizes.count > 1 ? "a \(title) posterior has one stochastic layer" : nil
    }

    /// " on z2" when a flow goes on the top layer of a hierarchy, for summaries.
    static func onTop(_ config: VAEConfig) -> String {
        config.layerSizes.count > 1 ? " on z\(config.layerSizes.count)" : ""
    }

    /// The width of what the encoder's last layer hands a head or a flow's context: its last hidden layer.
    static func encoderOutput(_ config: VAEConfig) -> Int { config.encoderHidden.last ?? config.inputSize }
}

/// The posterior families a model can be built with: what a configuration, a checkpoint and the command line name.
public enum LatentPosterior: String, Codable, Sendable, CaseIterable {
    /// A diagonal Gaussian.
    case diag
    /// A Gaussian with a full covariance, its Cholesky factor from the encoder: O(d²) ops, for small latents.
    case full
    /// An inverse autoregressive flow on a diagonal Gaussian (gated MADE steps with the encoder's context).
    case iaf

    /// The registry: a new family is a case above and a line here, and its part's conformance in its own file.
    public var family: any PosteriorFamily.Type {
        switch self {
        case .diag: DiagonalGaussianPosterior.self
        case .full: FullCovariancePosterior.self
        case .iaf: IAFPosterior.self
        }
    }

    /// The family's short name, for menus and screens.
    public var title: String { family.title }
}

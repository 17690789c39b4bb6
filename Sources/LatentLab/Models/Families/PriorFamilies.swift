/// What the model builder, the configuration's checks and summaries, and the menus know of a family of
/// p(z). Each family's part conforms in its own file; `LatentPrior.family` is the registry.
public protocol PriorFamily {
    /// A short name for menus and screens: "N(0,I)".
    static var title: String { get }
    /// p(z) over `size` units: the whole latent, or the top layer of a hierarchy. `posterior` is the model's
    /// q, made first, for a prior built from it (as a VampPrior's mixture of q at pseudo-inputs).
    static func make(size: Int, _ config: VAEConfig, posterior: any Posterior, rng: inout RandomSource) -> any Prior
    /// Why the family cannot be built with this configuration, or nil.
    static func problem(_ config: VAEConfig) -> String?
    /// What the configuration's summary adds for this family ("" for the default one).
    static func summary(_ config: VAEConfig) -> String
    /// The family's weight-matrix elements over `size` units (a lower bound, saturating).
    static func weightMatrixElements(size: Int, _ config: VAEConfig) -> Int
}

extension PriorFamily {
    public static func problem(_ config: VAEConfig) -> String? { nil }
}

/// The prior families a model can be built with: what a configuration, a checkpoint and the command line name.
public enum LatentPrior: String, Codable, Sendable, CaseIterable {
    /// N(0, I).
    case normal
    /// VLAE's autoregressive-flow prior: gated MADE steps without context.
    case af
    /// The VampPrior: a mixture of q at K learned pseudo-inputs.
    case vamp

    /// The registry: a new family is a case above and a line here, and its part's conformance in its own file.
    public var family: any PriorFamily.Type {
        switch self {
        case .normal: StandardNormalPrior.self
        case .af: AutoregressiveFlowPrior.self
        case .vamp: VampPrior.self
        }
    }

    /// The family's short name, for menus and screens.
    public var title: String { family.title }
}

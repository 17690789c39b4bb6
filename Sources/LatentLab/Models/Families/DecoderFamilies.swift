/// What the model builder, the configuration's checks and summaries, and the menus know of a family of
/// p(x|z). Each family's part conforms in its own file; `LatentDecoder.family` is the registry.
public protocol DecoderFamily {
    /// A short name for menus and screens: "MADE".
    static var title: String { get }
    /// Whether each pixel depends on the ones before it, so the decoder can model x without z.
    static var isAutoregressive: Bool { get }
    /// The decoder's hidden sizes when none are given (a PixelCNN's: the channels of each layer).
    static func defaultHidden(encoderHidden: [Int]) -> [Int]
    /// p(x|z) on the bottom stochastic layer; `outputBias`, when given, initialises the output's bias.
    static func make(_ config: VAEConfig, outputBias: [Float]?, rng: inout RandomSource) -> any Likelihood
    /// The decoder in the configuration's summary: "decoder 50-200-200-784".
    static func summary(_ config: VAEConfig) -> String
    /// The decoder's weight-matrix elements (a lower bound, saturating).
    static func weightMatrixElements(_ config: VAEConfig) -> Int
    /// Why the decoder cannot be built with this configuration, or nil.
    static func problem(_ config: VAEConfig) -> String?
}

/// The decoders p(x|z) a model can be built with: what a configuration, a checkpoint and the command line name.
public enum LatentDecoder: String, Codable, Sendable, CaseIterable {
    /// A factorised Bernoulli MLP: every pixel independent given z.
    case factorized
    /// A MADE over the pixels in raster order with z entering every hidden layer: autoregressive.
    case made
    /// Masked convolutions (PixelCNN) over a square image, z added to every layer: autoregressive.
    case pixelcnn

    /// The registry: a new family is a case above and a line here, and its part's conformance in its own file.
    public var family: any DecoderFamily.Type {
        switch self {
        case .factorized: BernoulliDecoder.self
        case .made: MADEDecoder.self
        case .pixelcnn: PixelCNNDecoder.self
        }
    }

    /// The family's short name, for menus and screens.
    public var title: String { family.title }
}

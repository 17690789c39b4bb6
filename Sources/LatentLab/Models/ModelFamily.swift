/// The models the dashboard's `m` menu switches between: the lecture's levers on the variational gap.
public enum ModelFamily: String, CaseIterable, Sendable, Equatable {
    case diagonal, iaf, afPrior, iafAFPrior, twoLayers, madeDecoder, pixelCNNDecoder

    /// The menu's line.
    public var title: String {
        switch self {
        case .diagonal: "diagonal Gaussian q · N(0,I) prior"
        case .iaf: "IAF posterior · N(0,I) prior"
        case .afPrior: "diagonal Gaussian q · AF prior"
        case .iafAFPrior: "IAF posterior · AF prior"
        case .twoLayers: "two stochastic layers (2d, d) · Gaussian conditionals"
        case .madeDecoder: "diagonal Gaussian q · N(0,I) prior · MADE decoder (autoregressive)"
        case .pixelCNNDecoder: "diagonal Gaussian q · N(0,I) prior · PixelCNN decoder (autoregressive)"
        }
    }

    /// `config` turned into this family, everything else kept (the decoder's width follows the decoder).
    /// One-layer families take the top layer's size (50 of 100,50); two layers are twice that and it, as the
    /// IWAE paper's 100,50 for 50.
    public func applied(to config: VAEConfig) -> VAEConfig {
        var c = config
        let top = config.layerSizes.last!
        c.layers = nil
        c.latentSize = top
        c.posterior = self == .iaf || self == .iafAFPrior ? .iaf : .diag
        c.prior = self == .afPrior || self == .iafAFPrior ? .af : .normal
        // The factorised decoder mirrors the encoder; the autoregressive ones are the collapse lab's.
        switch self {
        case .madeDecoder: (c.decoder, c.decoderHidden) = (.made, CollapseLab.madeHidden)
        case .pixelCNNDecoder: (c.decoder, c.decoderHidden) = (.pixelcnn, CollapseLab.pixelCNNChannels)
        default: (c.decoder, c.decoderHidden) = (.factorized, config.encoderHidden.reversed())
        }
        c.receptiveField = nil
        if self == .twoLayers {
            c.layers = [2 * top, top]
            c.latentSize = 3 * top
        }
        return c
    }
}

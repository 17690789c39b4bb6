/// The models the dashboard's `m` menu switches between: the lecture's levers on the variational gap.
public enum ModelFamily: String, CaseIterable, Sendable, Equatable {
    case diagonal, iaf, afPrior, iafAFPrior, twoLayers, madeDecoder, pixelCNNDecoder, vampPrior, twoUnits

    /// The latent of `twoUnits`: two units, so the whole latent space is on the map and the decoder's
    /// manifold can be drawn.
    static let twoUnitLatent = 2

    /// The parts of a one-layer family (two layers are diagonal Gaussians, N(0,I) on top and the factorised decoder).
    var parts: (posterior: LatentPosterior, prior: LatentPrior, decoder: LatentDecoder) {
        switch self {
        case .diagonal, .twoLayers, .twoUnits: (.diag, .normal, .factorized)
        case .iaf: (.iaf, .normal, .factorized)
        case .afPrior: (.diag, .af, .factorized)
        case .iafAFPrior: (.iaf, .af, .factorized)
        case .vampPrior: (.diag, .vamp, .factorized)
        case .madeDecoder: (.diag, .normal, .made)
        case .pixelCNNDecoder: (.diag, .normal, .pixelcnn)
        }
    }

    /// The menu's line, named from the parts' families.
    public var title: String {
        if self == .twoLayers { return "two stochastic layers (2d, d) · Gaussian conditionals" }
        if self == .twoUnits { return "two latent units · diagonal Gaussian q · N(0,I): the decoder's manifold" }
        let (posterior, prior, decoder) = parts
        let decoderText = decoder.family.isAutoregressive ? " · \(decoder.family.title) decoder (autoregressive)" : ""
        let priorText = prior.family.title.hasSuffix("Prior") ? prior.family.title : prior.family.title + " prior"
        return "\(posterior.family.title) q · \(priorText)\(decoderText)"
    }

    /// `config` turned into this family, everything else kept (the decoder's width is its family's default).
    /// One-layer families take the top layer's size (50 of 100,50); two layers are twice that and it, as the
    /// IWAE paper's 100,50 for 50; `twoUnits` has two.
    public func applied(to config: VAEConfig) -> VAEConfig {
        var c = config
        let top = config.layerSizes.last!
        c.layers = nil
        c.latentSize = top
        (c.posterior, c.prior, c.decoder) = parts
        c.decoderHidden = c.decoder.family.defaultHidden(encoderHidden: config.encoderHidden)
        c.receptiveField = nil
        if self == .twoLayers {
            c.layers = [2 * top, top]
            c.latentSize = 3 * top
        }
        if self == .twoUnits { c.latentSize = Self.twoUnitLatent }
        return c
    }
}

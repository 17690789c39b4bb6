/// The models the dashboard's `m` menu switches between: the lecture's levers on the variational gap.
public enum ModelFamily: String, CaseIterable, Sendable, Equatable {
    case diagonal, iaf, afPrior, iafAFPrior, twoLayers

    /// The menu's line.
    public var title: String {
        switch self {
        case .diagonal: "diagonal Gaussian q · N(0,I) prior"
        case .iaf: "IAF posterior · N(0,I) prior"
        case .afPrior: "diagonal Gaussian q · AF prior"
        case .iafAFPrior: "IAF posterior · AF prior"
        case .twoLayers: "two stochastic layers (2d, d) · Gaussian conditionals"
        }
    }

    /// `config` turned into this family, everything else kept. One-layer families take the top layer's
    /// size (50 of 100,50); two layers are twice that and it, as the IWAE paper's 100,50 for 50.
    public func applied(to config: VAEConfig) -> VAEConfig {
        var c = config
        let top = config.layerSizes.last!
        c.layers = nil
        c.latentSize = top
        c.posterior = self == .iaf || self == .iafAFPrior ? .iaf : .diag
        c.prior = self == .afPrior || self == .iafAFPrior ? .af : .normal
        if self == .twoLayers {
            c.layers = [2 * top, top]
            c.latentSize = 3 * top
        }
        return c
    }
}

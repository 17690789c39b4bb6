import Foundation
import Testing
@testable import LatentLab

/// The families' registries (Models/Families): every case of every part kind builds through them, says
/// what it is, and draws its weights in the order models always have, so a seed still gives its weights.
@Suite struct FamilyRegistryTests {
    /// 16 pixels: square, so every decoder (the PixelCNN's 4×4) can be built.
    static func config(_ posterior: LatentPosterior, _ prior: LatentPrior, _ decoder: LatentDecoder) -> VAEConfig {
        VAEConfig(inputSize: 16, encoderHidden: [8], latentSize: 3,
                  decoderHidden: decoder.family.defaultHidden(encoderHidden: [8]).map { min($0, 8) },
                  posterior: posterior, prior: prior, flowSteps: 2, flowHidden: 6, decoder: decoder)
    }

    static let images = Tensor(rows: 3, cols: 16, (0..<48).map { Float(($0 * 7 + $0 / 5) % 3 == 0 ? 1 : 0) })

    /// Every combination builds, names its parts in the summary, and gives finite bounds with L_1 ≤ L_64
    /// on average (Burda et al.'s monotonicity, with sampling noise well inside the margin on 3 images).
    @Test(arguments: LatentDecoder.allCases)
    func everyCombinationBuildsAndBounds(decoder: LatentDecoder) {
        for posterior in LatentPosterior.allCases {
            for prior in LatentPrior.allCases {
                let config = Self.config(posterior, prior, decoder)
                #expect(config.problem == nil, "\(config.summary): \(config.problem ?? "")")
                for text in [decoder.family.summary(config), posterior.family.summary(config), prior.family.summary(config)] where !text.isEmpty {
                    #expect(config.summary.contains(text), "\(config.summary) lacks \(text)")
                }
                let model = VAE(config, seed: 2)
                var rng = RandomSource(seed: 9)
                let l1 = Bounds.importanceWeighted(model: model, x: Self.images, k: 1, rng: &rng)
                let l64 = Bounds.importanceWeighted(model: model, x: Self.images, k: 64, rng: &rng)
                #expect((l1 + l64).allSatisfy { $0.isFinite }, "\(config.summary)")
                #expect(l1.reduce(0, +) <= l64.reduce(0, +) + 0.5, "\(config.summary): L_1 \(l1) above L_64 \(l64)")
            }
        }
    }

    /// The part a one-layer configuration gets is the one its family names.
    @Test func theRegistryNamesThePartBuilt() {
        for posterior in LatentPosterior.allCases {
            let model = VAE(Self.config(posterior, .normal, .factorized), seed: 1)
            #expect(type(of: model.posterior) == posterior.family, "\(posterior)")
        }
        for prior in LatentPrior.allCases {
            #expect(type(of: VAE(Self.config(.diag, prior, .factorized), seed: 1).prior) == prior.family, "\(prior)")
        }
        for decoder in LatentDecoder.allCases {
            #expect(type(of: VAE(Self.config(.diag, .normal, decoder), seed: 1).likelihood) == decoder.family, "\(decoder)")
        }
    }

    /// A family that has no hierarchy says so instead of building one layer.
    @Test func aFullCovarianceHierarchyIsRefused() {
        var config = Self.config(.full, .normal, .factorized)
        config.layers = [2, 1]
        config.latentSize = 3
        #expect(config.problem == "a full-covariance Gaussian posterior has one stochastic layer")
    }

    /// The weights a seed gives, drawn in the order they always were (posterior, decoder, prior): a model
    /// built part by part by hand matches the registry's, weight for weight.
    @Test func aSeedGivesTheWeightsItAlwaysGave() {
        var c = Self.config(.iaf, .af, .factorized)
        c.layers = [2, 1]
        c.latentSize = 3
        let model = VAE(c, seed: 7)
        var rng = RandomSource(seed: 7)
        let posterior = HierarchicalPosterior(inputSize: 16, hidden: [8], sizes: [2, 1], upperHidden: c.upperHidden,
                                              activation: .tanh, flow: (2, 6), rng: &rng)
        let decoder = BernoulliDecoder(latentSize: 2, hidden: c.decoderHidden, outputSize: 16, activation: .tanh,
                                       outputBias: nil, rng: &rng)
        let top = AutoregressiveFlowPrior(latentSize: 1, steps: 2, hidden: 6, rng: &rng)
        let prior = HierarchicalPrior(sizes: [2, 1], hidden: c.upperHidden, activation: .tanh, top: top, rng: &rng)
        let byHand = posterior.parameters + prior.parameters + decoder.parameters
        #expect(model.parameters.map(\.value.scalars) == byHand.map(\.value.scalars))
    }
}

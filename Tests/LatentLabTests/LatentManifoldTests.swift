import Foundation
import Testing
@testable import LatentLab

/// The decoder's manifold of a two-unit latent: the grid at the prior's quantiles, each image the decoder's
/// E[x|z] there, made only where it means something; and the m menu's two-unit entry.
@Suite struct LatentManifoldTests {
    @Test func theGridIsThePriorsQuantiles() {
        for z in [-2.5, -1, 0, 0.3, 1.7] {
            #expect(abs(LatentManifold.quantile(LatentManifold.cdf(z)) - z) < 1e-9)
        }
        #expect(abs(LatentManifold.quantile(0.975) - 1.959964) < 1e-5)
        var config = Fixtures.smallModel
        config.latentSize = 2
        let model = VAE(config, seed: 3)
        let m = try! #require(LatentManifold.make(model: model, width: 4, height: 4, gridSize: 4))
        // (i + ½)/4: 0.125, 0.375, 0.625, 0.875, symmetric about 0.
        #expect(abs(Double(m.coordinates[0]) - LatentManifold.quantile(0.125)) < 1e-6)
        #expect(abs(m.coordinates[1] + m.coordinates[2]) < 1e-6 && m.images.count == 16 && m.images[0].count == 16)
        // The top-left image is E[x|z] at (lowest first unit, highest second unit).
        let z = Tensor(rows: 1, cols: 2, [m.coordinates[0], m.coordinates[3]])
        let p = model.likelihood.probabilities(nil, given: Var(constant: z), on: Tape(recording: false)).value
        #expect((0..<16).allSatisfy { abs(p[0, $0] - m.images[0][$0]) < 1e-6 })
    }

    @Test func onlyForTwoUnitsAndAFactorisedDecoder() {
        #expect(LatentManifold.make(model: VAE(Fixtures.smallModel, seed: 1), width: 4, height: 4) == nil)
        var made = Fixtures.smallModel
        made.latentSize = 2
        made.decoder = .made
        made.decoderHidden = [8]
        #expect(LatentManifold.make(model: VAE(made, seed: 1), width: 4, height: 4) == nil)
    }

    /// The m menu's two-unit model gets the manifold; the next family comes back to the latent asked for.
    @Test func theTwoUnitFamilyDrawsItsManifoldAndLeavesNoTrace() {
        let e = SessionEngineTests.engine()
        #expect(e.snapshot.manifold == nil)
        e.apply(.setModel(.twoUnits, seed: 2))
        #expect(e.trainer.model.config.latentSize == 2)
        let m = e.snapshot.manifold
        #expect(m?.gridSize == LatentManifold.gridSize && m?.images.count == LatentManifold.gridSize * LatentManifold.gridSize)
        e.apply(.setModel(.diagonal, seed: 2))
        #expect(e.trainer.model.config.latentSize == 4 && e.snapshot.manifold == nil)
    }
}

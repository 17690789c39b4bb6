import Foundation
import Testing
@testable import LatentLab

/// Two stochastic layers (the IWAE paper's hierarchy) against an exact log p(x), and their bookkeeping.
@Suite struct HierarchyTests {
    /// x of 3 pixels, z_1 and z_2 of one unit each, so log p(x) is a 2-D integral.
    static func model() -> VAE {
        let config = VAEConfig(inputSize: 3, encoderHidden: [8], latentSize: 2, decoderHidden: [8], activation: .tanh,
                               layers: [1, 1], upperHidden: [6])
        let m = VAE(config, seed: 11)
        for p in m.likelihood.parameters + m.prior.parameters { p.assign(p.value.scaled(2.5)) }
        // q wider than the posterior it stands for, so importance sampling converges within the test's k.
        for p in m.posterior.parameters where p.name.hasSuffix("logvar.bias") { p.assign(Tensor(rows: 1, cols: 1, repeating: 1)) }
        return m
    }

    /// log p(x) = log ∫∫ p(x|z_1) p(z_1|z_2) p(z_2) dz_1 dz_2 on a grid: the grid's columns are (z_1, z_2).
    static func exactLogMarginal(_ model: VAE, _ x: [Float]) -> Double {
        LatentLabTests.exactLogMarginal(model, x, halfWidth: 9, points: 361)
    }

    @Test func boundsClimbTowardsTheExactMarginal() {
        let model = Self.model()
        #expect(model.summary == "z2 Gauss×2·N(0,I)→Gauss·Bern")
        for x in [[1, 0, 1], [0, 1, 1]] as [[Float]] {
            let exact = Self.exactLogMarginal(model, x)
            let (l1, l5, l50, l5000) = BoundTests.ladder(model, x, repeats: [2000, 400, 100, 32])
            #expect(l1 < l5 && l5 < l50, "x \(x): L_1 \(l1), L_5 \(l5), L_50 \(l50)")
            #expect(l50 <= exact + 1e-2, "L_50 \(l50) above log p(x) \(exact)")
            // L_k approaches log p(x) slowly here (L_100000 lands within 0.003 of it on x = 101): at 5000 draws
            // it is above L_50 and within 0.05 below the quadrature.
            #expect(l5000 > l50 && exact - l5000 < 0.05 && exact - l5000 > -0.01, "L_5000 \(l5000) vs exact \(exact)")
            #expect(exact - l1 > 0.05, "a real variational gap: \(exact - l1)")
        }
    }

    @Test func theDensityAtADrawIsTheDrawsLogQ() {
        let model = Self.model()
        let tape = Tape(recording: false)
        let encoding = model.encode(Var(constant: Tensor(rows: 2, cols: 3, [1, 0, 1, 0, 1, 1])), on: tape)
        var rng = RandomSource(seed: 12)
        let (z, units) = model.posterior.draw(encoding, noise: rng.normalTensor(6, 2), on: tape)  // three draws each
        let encoded3 = PosteriorEncoding(mean: tape.tileRows(encoding.mean, 3), logVariance: tape.tileRows(encoding.logVariance, 3))
        let evaluated = model.posterior.logDensity(z, encoded3, on: tape).value.scalars
        let drawn = tape.sum(units, axis: 1).value.scalars
        for (a, b) in zip(drawn, evaluated) { #expect(abs(a - b) < 1e-4, "\(a) vs \(b)") }
    }

    @Test(arguments: [ObjectiveSettings(kind: .elbo, k: 2), ObjectiveSettings(kind: .iwae, k: 3)])
    func theObjectiveMatchesFiniteDifferences(settings: ObjectiveSettings) {
        let model = Self.model()
        let batch = Tensor(rows: 3, cols: 3, [1, 0, 1, 0, 0, 0, 1, 1, 0])
        var rng = RandomSource(seed: 13)
        let noise = rng.normalTensor(settings.k * 3, 2)
        checkParameterGradients(model.parameters) { tape in
            Objective.loss(model: model, batch: batch, settings: settings, klWeight: 1, noise: noise, on: tape).loss
        }
    }

    /// KL and active units reported per layer add up to the totals.
    @Test func layersAreReportedApart() {
        let config = VAEConfig(inputSize: 16, encoderHidden: [12], latentSize: 6, decoderHidden: [12], layers: [4, 2], upperHidden: [5])
        let trainer = Trainer(config: TrainingConfig(model: config, batchSize: 20, adam: AdamSettings(learningRate: 1e-2)),
                              data: Fixtures.splits())
        for _ in 0..<60 { trainer.trainStep() }
        let eval = Evaluator.evaluate(model: trainer.model, data: trainer.data.test)
        #expect(eval.layerSizes == [4, 2] && eval.klPerUnit.count == 6)
        #expect(abs(eval.klLayers.reduce(0, +) - eval.kl) < 1e-3)
        #expect(eval.activeUnitsLayers.reduce(0, +) == eval.activeUnits)
        #expect(trainer.nonFiniteSteps == 0)
        // Sampling the prior gives both layers.
        var rng = RandomSource(seed: 14)
        #expect(trainer.model.samplePrior(5, rng: &rng).shape == [5, 6])
    }

    @Test func flowsOnAHierarchyAreRefused() {
        var config = VAEConfig(inputSize: 3, encoderHidden: [8], latentSize: 2, decoderHidden: [8], layers: [1, 1])
        #expect(config.problem == nil)
        config.posterior = .iaf
        #expect(config.problem == "flows take one stochastic layer")
    }
}

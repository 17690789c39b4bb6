import Foundation
import Testing
@testable import LatentLab

/// Two stochastic layers (the IWAE paper's hierarchy) against an exact log p(x), and their bookkeeping.
@Suite struct HierarchyTests {
    /// The plain hierarchy, and one with an IAF on the top layer of q and an AF prior on top of p.
    static let families: [(LatentPosterior, LatentPrior)] = [(.diag, .normal), (.iaf, .af)]

    /// x of 3 pixels, z_1 and z_2 of one unit each, so log p(x) is a 2-D integral.
    static func model(_ posterior: LatentPosterior = .diag, _ prior: LatentPrior = .normal) -> VAE {
        let config = VAEConfig(inputSize: 3, encoderHidden: [8], latentSize: 2, decoderHidden: [8], activation: .tanh,
                               posterior: posterior, prior: prior, flowSteps: 2, flowHidden: 6, layers: [1, 1], upperHidden: [6])
        let m = VAE(config, seed: 11)
        // Sharper conditionals than the initialisation's (the AF prior's steps keep theirs).
        for p in m.likelihood.parameters + m.prior.parameters where !p.name.hasPrefix("prior.0") && !p.name.hasPrefix("prior.1") {
            p.assign(p.value.scaled(2.5))
        }
        // q wider than the posterior it stands for, so importance sampling converges within the test's k.
        for p in m.posterior.parameters where p.name.hasSuffix("logvar.bias") { p.assign(Tensor(rows: 1, cols: 1, repeating: 1)) }
        return m
    }

    /// log p(x) = log ∫∫ p(x|z_1) p(z_1|z_2) p(z_2) dz_1 dz_2 on a grid: the grid's columns are (z_1, z_2).
    static func exactLogMarginal(_ model: VAE, _ x: [Float]) -> Double {
        LatentLabTests.exactLogMarginal(model, x, halfWidth: 9, points: 361)
    }

    @Test(arguments: families) func boundsClimbTowardsTheExactMarginal(posterior: LatentPosterior, prior: LatentPrior) {
        let model = Self.model(posterior, prior)
        #expect(model.summary == (posterior == .diag ? "z2 Gauss×2·N(0,I)→Gauss·Bern" : "z2 Gauss×2+IAF×2·AF×2→Gauss·Bern"))
        for x in [[1, 0, 1], [0, 1, 1]] as [[Float]] {
            let exact = Self.exactLogMarginal(model, x)
            let (l1, l5, l50, l5000) = BoundTests.ladder(model, x, repeats: [2000, 400, 100, 32])
            #expect(l1 < l5 && l5 < l50, "x \(x): L_1 \(l1), L_5 \(l5), L_50 \(l50)")
            #expect(l50 <= exact + 1e-2, "L_50 \(l50) above log p(x) \(exact)")
            // L_k approaches log p(x) slowly here (L_100000 lands within 0.003 of it on x = 101): at 5000 draws
            // it is above L_50 and within 0.05 below the quadrature, or (the flows' q, narrower at the start)
            // has closed three quarters of L_50's gap.
            let closing = max(0.05, 0.25 * (exact - l50))
            #expect(l5000 > l50 && exact - l5000 < closing && exact - l5000 > -0.01, "L_5000 \(l5000) vs exact \(exact), L_50 \(l50)")
            #expect(exact - l1 > 0.05, "a real variational gap: \(exact - l1)")
        }
    }

    @Test(arguments: families) func theDensityAtADrawIsTheDrawsLogQ(posterior: LatentPosterior, prior: LatentPrior) {
        let model = Self.model(posterior, prior)
        let tape = Tape(recording: false)
        let encoding = model.encode(Var(constant: Tensor(rows: 2, cols: 3, [1, 0, 1, 0, 1, 1])), on: tape)
        var rng = RandomSource(seed: 12)
        let (z, units) = model.posterior.draw(encoding, noise: rng.normalTensor(6, 2), on: tape)  // three draws each
        let evaluated = model.posterior.logDensity(z, encoding.tiled(3, on: tape), on: tape).value.scalars
        let drawn = tape.sum(units, axis: 1).value.scalars
        for (a, b) in zip(drawn, evaluated) { #expect(abs(a - b) < 1e-4, "\(a) vs \(b)") }
    }

    @Test(arguments: [ObjectiveSettings(kind: .elbo, k: 2), ObjectiveSettings(kind: .iwae, k: 3)], families)
    func theObjectiveMatchesFiniteDifferences(settings: ObjectiveSettings, family: (LatentPosterior, LatentPrior)) {
        let model = Self.model(family.0, family.1)
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

    /// Each layer's KL is reported for that layer, bottom first. Layers of 4 and 2 units; once with q(z_2|z_1)
    /// set to the prior's N(0, I) (its heads zeroed), so the top layer's KL is 0 and the bottom one's is not,
    /// and once with q(z_1|x) = p(z_1|z_2) = N(0, I), so the bottom layer's is 0 and the top one's is not. The
    /// evaluation's KL per unit and per layer, and the dashboard's per-layer KL curves, must say so in that
    /// order; a sum over the layers cannot tell.
    @Test func eachLayersKLIsReportedForThatLayer() {
        let config = VAEConfig(inputSize: 16, encoderHidden: [12], latentSize: 6, decoderHidden: [12], layers: [4, 2], upperHidden: [5])
        for quiet in [1, 0] {
            let trainer = Trainer(config: TrainingConfig(model: config, batchSize: 20), data: Fixtures.splits())
            let zeroed = quiet == 1 ? ["encoder.z2.mean.", "encoder.z2.logvar."]
                : ["encoder.mean.", "encoder.logvar.", "prior.z1.mean.", "prior.z1.logvar."]
            for p in trainer.model.parameters where zeroed.contains(where: { p.name.hasPrefix($0) }) {
                p.assign(Tensor(zeros: p.rows, p.cols))
            }
            let eval = Evaluator.evaluate(model: trainer.model, data: trainer.data.test, seed: 3)
            let units = [0..<4, 4..<6]
            #expect(eval.layerSizes == [4, 2] && eval.klLayers.count == 2)
            for l in 0..<2 {
                let perUnit = Array(eval.klPerUnit[units[l]])
                #expect(abs(eval.klLayers[l] - perUnit.reduce(0, +)) < 1e-4, "layer \(l + 1): \(eval.klLayers) vs units \(eval.klPerUnit)")
                if l == quiet {
                    #expect(perUnit.allSatisfy { abs($0) < 1e-4 }, "z\(l + 1) has q = p: its units' KL \(perUnit)")
                    #expect(abs(eval.klLayers[l]) < 1e-4, "z\(l + 1) has q = p: KL \(eval.klLayers[l])")
                } else {
                    #expect(eval.klLayers[l] > 0.1, "z\(l + 1) has q ≠ p: KL \(eval.klLayers[l])")
                }
            }
            let engine = SessionEngine(trainer: trainer, probeSize: 8, evaluationSlice: 100, mapPoints: 8)
            let curves = engine.snapshot.curves.klLayers.map { $0.last?.value }
            #expect(curves.count == 2 && abs(curves[quiet] ?? 1) < 1e-4 && (curves[1 - quiet] ?? 0) > 0.1, "the dashboard's curves: \(curves)")
        }
    }

    /// Flows go on the top layer: a two-layer configuration with both builds and says so.
    @Test func flowsGoOnTheTopLayer() {
        let config = VAEConfig(inputSize: 3, encoderHidden: [8], latentSize: 2, decoderHidden: [8], posterior: .iaf, prior: .af,
                               layers: [1, 1])
        #expect(config.problem == nil)
        #expect(config.summary.contains("IAF posterior 2×320 on z2") && config.summary.contains("AF prior 2×320 on z2"))
    }
}

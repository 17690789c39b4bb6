import Foundation
import Testing
@testable import LatentLab

/// The IAF posterior and the AF prior inside a model: their densities, the bounds against an exact
/// log p(x) by quadrature, and the objective's gradient.
@Suite struct FlowModelTests {
    /// 2-D latent, 3 pixels, as BoundTests' model, with flows where asked.
    static func model(posterior: LatentPosterior, prior: LatentPrior) -> VAE {
        let config = VAEConfig(inputSize: 3, encoderHidden: [8], latentSize: 2, decoderHidden: [8], activation: .tanh,
                               posterior: posterior, prior: prior, flowSteps: 2, flowHidden: 8)
        let m = VAE(config, seed: 7)
        for p in m.likelihood.parameters { p.assign(p.value.scaled(3)) }
        // Flows far from their identity-like start: the heads' weights back to full size, the gates at σ ≈ ½.
        for p in m.parameters where p.name.contains(".out") {
            p.assign(p.name.hasSuffix(".weight") ? p.value.scaled(4) : Tensor(zeros: p.rows, p.cols))
        }
        // Two steps at σ ≈ ½ shrink z_0 about fourfold: widen the base so q stays a usable proposal.
        if posterior == .iaf { (m.posterior as! IAFPosterior).base.logVarianceHead.bias.assign(Tensor(rows: 1, cols: 2, repeating: 2.8)) }
        return m
    }

    /// log p(x) = log ∫ p(z) p(x|z) dz on a grid of [-8, 8]², with the model's own prior density.
    static func exactLogMarginal(_ model: VAE, _ x: [Float]) -> Double {
        LatentLabTests.exactLogMarginal(model, x, halfWidth: 8, points: 321)
    }

    /// If log q or log p were not the densities of what is drawn, L_k would not converge to log p(x).
    @Test(arguments: [(LatentPosterior.iaf, LatentPrior.normal), (.diag, .af), (.iaf, .af)])
    func boundsClimbTowardsTheExactMarginal(posterior: LatentPosterior, prior: LatentPrior) {
        let model = Self.model(posterior: posterior, prior: prior)
        let x: [Float] = [1, 0, 1]
        let exact = Self.exactLogMarginal(model, x)
        let (l1, l5, l50, l5000) = BoundTests.ladder(model, x, repeats: [2000, 400, 100, 8])
        #expect(l1 < l5 && l5 < l50, "L_1 \(l1), L_5 \(l5), L_50 \(l50)")
        #expect(l50 <= exact + 1e-2, "L_50 \(l50) above log p(x) \(exact)")
        #expect(abs(l5000 - exact) < 0.02, "L_5000 \(l5000) vs exact \(exact)")
        #expect(exact - l1 > 0.05, "a real variational gap: \(exact - l1)")
    }

    /// The IAF's density at its own draws, by inverting the flow one variable at a time, is the draw's log q.
    @Test func theIAFsDensityAtItsDrawIsTheDrawsLogQ() {
        let model = Self.model(posterior: .iaf, prior: .normal)
        let tape = Tape(recording: false)
        let x = Tensor(rows: 3, cols: 3, [1, 0, 1, 0, 0, 0, 1, 1, 0])
        let encoding = model.encode(Var(constant: x), on: tape)
        var rng = RandomSource(seed: 8)
        let (z, logQUnits) = model.posterior.draw(encoding, noise: rng.normalTensor(3, 2), on: tape)
        let drawn = tape.sum(logQUnits, axis: 1).value.scalars
        let evaluated = model.posterior.logDensity(z, encoding, on: tape).value.scalars
        for (a, b) in zip(drawn, evaluated) { #expect(abs(a - b) < 1e-3, "\(a) vs \(b)") }
    }

    /// A collapsed IAF (q(z|x) the same for every x) has no active unit: the noise of E_q[z] estimated from
    /// draws is taken out of the activity, or every unit would pass 0.01 on it alone.
    @Test func aCollapsedIAFHasNoActiveUnits() {
        var config = Fixtures.smallModel
        config.posterior = .iaf
        config.flowHidden = 8
        let model = VAE(config, seed: 2)
        for p in model.posterior.parameters where p.name.hasPrefix("encoder.mean") || p.name.hasPrefix("encoder.logvar")
            || p.name.contains(".context.") {
            p.assign(Tensor(zeros: p.rows, p.cols))
        }
        let eval = Evaluator.evaluate(model: model, data: BinaryImages(fixed: Fixtures.bars(count: 200, seed: 3), seed: 1), batchSize: 100)
        #expect(eval.activeUnits == 0, "activity \(eval.activity)")
    }

    /// I_q's matrix through the density on every pair equals the Gaussian's three-product formula.
    @Test func pairwiseDensitiesByPairsMatchTheGaussiansFormula() {
        let model = VAE(VAEConfig(inputSize: 3, encoderHidden: [8], latentSize: 2, decoderHidden: [8]), seed: 3)
        let tape = Tape(recording: false)
        let encoding = model.encode(Var(constant: Tensor(rows: 4, cols: 3, [1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1])), on: tape)
        var rng = RandomSource(seed: 9)
        let z = rng.normalTensor(4, 2)
        let fast = model.posterior.pairwiseLogDensities(z, encoding), slow = model.posterior.pairwiseLogDensitiesByPairs(z, encoding)
        for (a, b) in zip(fast.scalars, slow.scalars) { #expect(abs(a - b) < 1e-4, "\(a) vs \(b)") }
    }

    @Test(arguments: [ObjectiveSettings(kind: .elbo, k: 2), ObjectiveSettings(kind: .iwae, k: 3)])
    func theObjectiveWithBothFlowsMatchesFiniteDifferences(settings: ObjectiveSettings) {
        let model = Self.model(posterior: .iaf, prior: .af)
        let batch = Tensor(rows: 3, cols: 3, [1, 0, 1, 0, 0, 0, 1, 1, 0])
        var rng = RandomSource(seed: 10)
        let noise = rng.normalTensor(settings.k * 3, 2)
        func loss(_ tape: Tape) -> Var {
            Objective.loss(model: model, batch: batch, settings: settings, klWeight: 1, noise: noise, on: tape).loss
        }
        checkParameterGradients(model.parameters, step: 5e-3, tolerance: 3e-2, loss)
    }
}

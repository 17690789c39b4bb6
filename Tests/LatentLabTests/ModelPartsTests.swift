import Foundation
import Testing
@testable import LatentLab

/// The model as parts: the per-unit split of log q and log p, the AF prior through the objective, the
/// trainer and checkpoints.
@Suite struct ModelPartsTests {
    static let config = VAEConfig(inputSize: 6, encoderHidden: [5], latentSize: 3, decoderHidden: [5], activation: .tanh)
    static let flowConfig = VAEConfig(inputSize: 6, encoderHidden: [5], latentSize: 3, decoderHidden: [5], activation: .tanh,
                                      prior: .af, flowSteps: 2, flowHidden: 6)
    static let batch = Tensor(rows: 4, cols: 6, [1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1])

    /// The sampled rate's units, E_q[log q(z_j|x) − log p(z_j)], average to each unit's closed-form KL.
    @Test func theSampledKLOfEachUnitIsTheClosedFormOnAverage() {
        let model = VAE(Self.config, seed: 3)
        let tape = Tape(recording: false)
        let encoding = model.encode(Var(constant: Self.batch), on: tape)
        let closed = model.posterior.closedFormKL(encoding, against: model.prior, on: tape)!.value
        var rng = RandomSource(seed: 4)
        let k = 4000
        let terms = model.logWeights(Self.batch, encoding, noise: rng.normalTensor(k * 4, 3), on: tape)
        let rate = terms.rateUnits(on: tape).value
        for i in 0..<4 {
            for j in 0..<3 {
                var sum = 0.0, squares = 0.0
                for s in 0..<k { let v = Double(rate[s * 4 + i, j]); sum += v; squares += v * v }
                let mean = sum / Double(k), stderr = ((squares / Double(k) - mean * mean) / Double(k)).squareRoot()
                #expect(abs(mean - Double(closed[i, j])) < 4 * stderr + 1e-3, "example \(i) unit \(j): \(mean) ± \(stderr) vs \(closed[i, j])")
            }
        }
        // And the units add up to the totals.
        let units = terms.logPosteriorUnits.value, total = terms.logPosterior.value
        for r in 0..<8 { #expect(abs((0..<3).reduce(0) { $0 + units[r, $1] } - total[r, 0]) < 1e-4) }
    }

    /// With the AF prior there is no closed form: the ELBO's rate is sampled, and the whole objective,
    /// prior included, still differentiates correctly.
    @Test(arguments: [ObjectiveSettings(kind: .elbo, k: 2), ObjectiveSettings(kind: .iwae, k: 3),
                      ObjectiveSettings(kind: .elbo, k: 2, freeBits: FreeBits(lambda: 0.3, perUnit: true))])
    func theObjectiveWithTheFlowPriorMatchesFiniteDifferences(settings: ObjectiveSettings) {
        let model = VAE(Self.flowConfig, seed: 5)
        #expect(model.posterior.closedFormKL(model.encode(Var(constant: Self.batch), on: Tape(recording: false)),
                                             against: model.prior, on: Tape(recording: false)) == nil)
        var rng = RandomSource(seed: 6)
        let noise = rng.normalTensor(settings.k * 4, 3)
        func loss(_ tape: Tape) -> Var {
            Objective.loss(model: model, batch: Self.batch, settings: settings, klWeight: 1, noise: noise, on: tape).loss
        }
        #expect(!model.prior.parameters.isEmpty)
        checkParameterGradients(model.parameters, loss)
    }

    @Test func aModelWithTheFlowPriorTrainsAndSavesItsParts() throws {
        var config = Fixtures.smallModel
        config.prior = .af
        config.flowHidden = 8
        let (trainer, after) = Fixtures.trained(config)
        #expect(after.mutualInformationBound.isFinite)

        let model = try Fixtures.roundTrip(trainer.model, name: "af")
        #expect(model?.config.flowHidden == 8 && model?.summary == "z4 Gauss·AF×2·Bern")
    }

    /// A version-1 checkpoint's configuration has no prior: it loads as N(0, I).
    @Test func aConfigurationWithoutPartsIsTheNormalPrior() throws {
        let json = #"{"activation":"tanh","decoderHidden":[5],"encoderHidden":[5],"inputSize":6,"latentSize":3}"#
        let config = try JSONDecoder().decode(VAEConfig.self, from: Data(json.utf8))
        #expect(config.prior == .normal && config.flowSteps == VAEConfig.defaultFlowSteps)
        #expect(config == VAEConfig(inputSize: 6, encoderHidden: [5], latentSize: 3, decoderHidden: [5], activation: .tanh))
    }
}

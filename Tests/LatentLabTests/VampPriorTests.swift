import Foundation
import Testing
@testable import LatentLab

/// The VampPrior: a mixture of the model's q at learned pseudo-inputs, its density split over the units by
/// the chain rule, its gradients, and a model that trains and saves with it.
@Suite struct VampPriorTests {
    static func config(latent: Int, k: Int = 7) -> VAEConfig {
        VAEConfig(inputSize: 6, encoderHidden: [5], latentSize: latent, decoderHidden: [5], activation: .tanh,
                  prior: .vamp, pseudoInputs: k)
    }

    static let batch = Tensor(rows: 4, cols: 6,
                              [1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1])

    /// The components (μ_k, logvar_k) as the prior's own encoder gives them, in Double.
    static func components(_ prior: VampPrior) -> [(mean: [Double], logVariance: [Double])] {
        let e = prior.mixture(on: Tape(recording: false))
        return (0..<prior.components).map { k in
            ((0..<prior.latentSize).map { Double(e.mean.value[k, $0]) },
             (0..<prior.latentSize).map { Double(e.logVariance.value[k, $0]) })
        }
    }

    /// log (1/K) Σ_k Π_{j in units} N(z_j; μ_kj, σ²_kj), by plain loops.
    static func mixtureLogDensity(_ z: [Double], units: Range<Int>,
                                  _ components: [(mean: [Double], logVariance: [Double])]) -> Double {
        let terms = components.map { c in
            units.reduce(0.0) { sum, j in
                let e = z[j] - c.mean[j], v = c.logVariance[j]
                return sum - 0.5 * (Foundation.log(2 * Double.pi) + v + e * e * Foundation.exp(-v))
            }
        }
        let top = terms.max()!
        return top + Foundation.log(terms.reduce(0) { $0 + Foundation.exp($1 - top) } / Double(components.count))
    }

    static func rows(_ t: Tensor) -> [[Double]] { (0..<t.rows).map { r in (0..<t.cols).map { Double(t[r, $0]) } } }

    @Test func theDensityIntegratesToOneOnAGrid() throws {
        let model = VAE(Self.config(latent: 2), seed: 3)
        let prior = try #require(model.prior as? VampPrior)
        let logMass = logIntegral2D(halfWidth: 9, points: 241) { grid in
            prior.logDensity(Var(constant: grid), on: Tape(recording: false)).value
        }
        #expect(abs(logMass) < 1e-3, "log ∫ p(z) dz = \(logMass)")
    }

    /// Draws scored by the prior against the mixture formula; the units' terms add up to it, and the first
    /// is the log of the first unit's own marginal mixture. 37 components: 16-wide lanes and a tail.
    @Test func drawsAreScoredByTheMixtureFormulaUnitByUnit() throws {
        let model = VAE(Self.config(latent: 3, k: 37), seed: 4)
        let prior = try #require(model.prior as? VampPrior)
        var rng = RandomSource(seed: 5)
        let z = prior.sample(6, rng: &rng)
        let tape = Tape(recording: false)
        let units = prior.logDensityUnits(Var(constant: z), on: tape).value
        let total = prior.logDensity(Var(constant: z), on: tape).value
        let components = Self.components(prior)
        for (r, point) in Self.rows(z).enumerated() {
            let byHand = Self.mixtureLogDensity(point, units: 0..<3, components)
            let split = (0..<3).reduce(0.0) { $0 + Double(units[r, $1]) }
            #expect(abs(Double(total[r, 0]) - byHand) < 1e-4, "row \(r): \(total[r, 0]) vs \(byHand)")
            #expect(abs(split - byHand) < 1e-4, "row \(r): the units add up to \(split), not \(byHand)")
            let first = Self.mixtureLogDensity(point, units: 0..<1, components)
            #expect(abs(Double(units[r, 0]) - first) < 1e-4, "row \(r): unit 1's term \(units[r, 0]) vs \(first)")
            // And the second unit's term is the conditional: log p(z_1, z_2) − log p(z_1).
            let second = Self.mixtureLogDensity(point, units: 0..<2, components) - first
            #expect(abs(Double(units[r, 1]) - second) < 1e-4, "row \(r): unit 2's term \(units[r, 1]) vs \(second)")
        }
    }

    /// The mixture's draws have its mean: the components' means averaged.
    @Test func drawsHaveTheMixturesMean() throws {
        let prior = try #require(VAE(Self.config(latent: 2), seed: 6).prior as? VampPrior)
        var rng = RandomSource(seed: 7)
        let draws = Self.rows(prior.sample(20_000, rng: &rng))
        let components = Self.components(prior)
        for j in 0..<2 {
            let expected = components.reduce(0) { $0 + $1.mean[j] } / Double(components.count)
            let mean = draws.reduce(0) { $0 + $1[j] } / Double(draws.count)
            #expect(abs(mean - expected) < 0.05, "unit \(j): \(mean) vs \(expected)")
        }
    }

    /// The whole ELBO (the rate sampled against the mixture) against finite differences on every weight:
    /// the pseudo-inputs' logits, the encoder both directly and through the components, the decoder.
    @Test(arguments: [ObjectiveSettings(kind: .elbo, k: 2), ObjectiveSettings(kind: .iwae, k: 3)])
    func theObjectiveMatchesFiniteDifferences(settings: ObjectiveSettings) {
        let model = VAE(Self.config(latent: 3, k: 5), seed: 8)
        #expect(model.posterior.closedFormKL(model.encode(Var(constant: Self.batch), on: Tape(recording: false)),
                                             against: model.prior, on: Tape(recording: false)) == nil)
        var rng = RandomSource(seed: 9)
        let noise = rng.normalTensor(settings.k * 4, 3)
        #expect(model.prior.parameters.map(\.name) == ["prior.pseudo_inputs"])
        checkParameterGradients(model.parameters) { tape in
            Objective.loss(model: model, batch: Self.batch, settings: settings, klWeight: 1, noise: noise,
                           on: tape).loss
        }
    }

    /// log p(z) per unit with respect to z itself.
    @Test func theDensityDifferentiatesInZ() {
        let model = VAE(Self.config(latent: 3, k: 5), seed: 10)
        checkGradients([randomTensor(4, 3, seed: 11).scaled(2)]) { tape, v in
            model.prior.logDensityUnits(v[0], on: tape)
        }
    }

    @Test func aModelWithTheVampPriorTrainsAndSavesIt() throws {
        var config = Fixtures.smallModel
        config.prior = .vamp
        config.pseudoInputs = 10
        // The same configuration's untrained pseudo-inputs: a trainer starts from its seed's weights.
        let start = Trainer(config: TrainingConfig(model: config, batchSize: 20), data: Fixtures.splits())
            .model.prior.parameters[0].value
        let (trainer, _) = Fixtures.trained(config)
        #expect(trainer.model.prior.parameters[0].value.scalars != start.scalars, "the pseudo-inputs moved")

        let model = try Fixtures.roundTrip(trainer.model, name: "vamp")
        #expect(model?.config.pseudoInputs == 10 && model?.summary == "z4 Gauss·Vamp10·Bern")
    }

    /// The latent map gets the mixture as it is: each component's q(z|u_k) mean and deviation, no draws.
    @Test func theLatentMapGetsTheComponents() throws {
        var config = Fixtures.smallModel
        config.prior = .vamp
        config.pseudoInputs = 10
        let engine = SessionEngine(trainer: Trainer(config: TrainingConfig(model: config, batchSize: 20),
                                                    data: Fixtures.splits()), probeSize: 8, evaluationSlice: 50,
                                   mapPoints: 20)
        let p = engine.snapshot.posterior
        let prior = try #require(engine.trainer.model.prior as? VampPrior)
        let components = Self.components(prior)
        #expect(p.priorSamples.isEmpty && p.priorMeans.count == 10 && p.priorDeviations.count == 10)
        for k in [0, 9] {
            #expect(zip(p.priorMeans[k], components[k].mean).allSatisfy { abs(Double($0) - $1) < 1e-6 })
            #expect(zip(p.priorDeviations[k], components[k].logVariance).allSatisfy {
                abs(Double($0) - Foundation.exp(0.5 * $1)) < 1e-5
            })
        }
    }

    /// A configuration written before the VampPrior has the default K; a hierarchy is refused.
    @Test func olderConfigurationsAndHierarchies() throws {
        let json = #"{"activation":"tanh","decoderHidden":[5],"encoderHidden":[5],"inputSize":6,"latentSize":3}"#
        let config = try JSONDecoder().decode(VAEConfig.self, from: Data(json.utf8))
        #expect(config.pseudoInputs == VAEConfig.defaultPseudoInputs)
        var deep = Self.config(latent: 3)
        deep.layers = [2, 1]
        #expect(deep.problem == "a VampPrior mixes q(z|u) at pseudo-inputs: it has one stochastic layer")
        #expect(Self.config(latent: 2).summary.hasSuffix(", VampPrior K=7"))
    }
}

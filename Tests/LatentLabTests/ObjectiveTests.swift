import Foundation
import Testing
@testable import LatentLab

@Suite struct ObjectiveTests {
    static let config = VAEConfig(inputSize: 6, encoderHidden: [5], latentSize: 3, decoderHidden: [5], activation: .tanh)
    static let batch = Tensor(rows: 4, cols: 6, [1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1])

    /// Loss with a fixed noise stream, so finite differences see a deterministic function.
    static func lossValue(_ model: VAE, _ settings: ObjectiveSettings, klWeight: Float, tape: Tape) -> (Var, ObjectiveStats) {
        var rng = RandomSource(seed: 11)
        return Objective.loss(model: model, batch: batch, settings: settings, klWeight: klWeight, rng: &rng, on: tape)
    }

    /// The whole objective, differentiated through the model, against finite differences on a few weights.
    @Test(arguments: [
        ObjectiveSettings(kind: .elbo, k: 1),
        ObjectiveSettings(kind: .elbo, k: 3, beta: 0.5),
        ObjectiveSettings(kind: .iwae, k: 4),
        ObjectiveSettings(kind: .iwae, k: 4, beta: 0.7),
        ObjectiveSettings(kind: .elbo, k: 2, freeBits: FreeBits(lambda: 0.3, groups: 3)),
    ])
    func objectiveGradientMatchesFiniteDifferences(settings: ObjectiveSettings) {
        let model = VAE(Self.config, seed: 3)
        checkParameterGradients(model.parameters) { tape in
            Self.lossValue(model, settings, klWeight: settings.beta, tape: tape).0
        }
    }

    @Test func elboPartsAddUp() {
        let model = VAE(Self.config, seed: 3)
        let (loss, stats) = Self.lossValue(model, ObjectiveSettings(kind: .elbo, k: 1), klWeight: 1, tape: Tape(recording: false))
        #expect(abs(stats.bound - (-stats.distortion - stats.rate)) < 1e-4)
        #expect(abs(loss.value.scalar + stats.bound) < 1e-4, "with weight 1 and no free bits the loss is -ELBO")
        #expect(stats.rate > 0)
    }

    @Test func betaAndFreeBitsShapeTheLoss() {
        let model = VAE(Self.config, seed: 3)
        let plain = Self.lossValue(model, ObjectiveSettings(), klWeight: 1, tape: Tape(recording: false)).1
        let half = Self.lossValue(model, ObjectiveSettings(beta: 0.5), klWeight: 0.5, tape: Tape(recording: false)).1
        #expect(abs(half.loss - (plain.distortion + 0.5 * plain.rate)) < 1e-4)
        // λ above every group's KL: the rate term is λ per group, whatever the KL.
        let lambda: Float = 50
        let clamped = Self.lossValue(model, ObjectiveSettings(freeBits: FreeBits(lambda: lambda, groups: 3)), klWeight: 1,
                                     tape: Tape(recording: false)).1
        #expect(abs(clamped.loss - (plain.distortion + 3 * lambda)) < 1e-3)
        // Per unit: three units, each clamped.
        let perUnit = Self.lossValue(model, ObjectiveSettings(freeBits: FreeBits(lambda: lambda, perUnit: true)), klWeight: 1,
                                     tape: Tape(recording: false)).1
        #expect(abs(perUnit.loss - (plain.distortion + 3 * lambda)) < 1e-3)
    }

    @Test func freeBitsStopTheKLGradientBelowTheFloor() {
        let model = VAE(Self.config, seed: 3)
        let tape = Tape()
        for p in model.parameters { p.zeroGrad() }
        let (loss, _) = Self.lossValue(model, ObjectiveSettings(freeBits: FreeBits(lambda: 50)), klWeight: 1, tape: tape)
        tape.backward(from: loss)
        let withFloor = model.encodeGradients()
        for p in model.parameters { p.zeroGrad() }
        let tape2 = Tape()
        let (loss2, _) = Self.lossValue(model, ObjectiveSettings(), klWeight: 0, tape: tape2)
        tape2.backward(from: loss2)
        // With every group under the floor, the encoder learns only from reconstruction: as with KL weight 0.
        #expect(zip(withFloor, model.encodeGradients()).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func groupsPartitionTheLatent() {
        #expect(FreeBits(lambda: 1, groups: 4).groupRanges(latentSize: 10) == [0..<2, 2..<5, 5..<7, 7..<10])
        #expect(FreeBits(lambda: 1, perUnit: true).groupRanges(latentSize: 3) == [0..<1, 1..<2, 2..<3])
        #expect(FreeBits(lambda: 1, groups: 1).groupRanges(latentSize: 5) == [0..<5])
    }

    @Test func warmupSchedules() {
        let linear = KLWarmup(steps: 100, start: 0.2)
        #expect(linear.weight(atStep: 0) == 0.2)
        #expect(abs(linear.weight(atStep: 50) - 0.6) < 1e-6)
        #expect(linear.weight(atStep: 100) == 1)
        #expect(linear.weight(atStep: 1000) == 1)
        #expect(KLWarmup().weight(atStep: 0) == 1, "no warm-up: weight 1 from the start")
        let cyclical = KLWarmup(steps: 100, schedule: .cyclical, cycleRatio: 0.5)
        #expect(cyclical.weight(atStep: 25) == 0.5)
        #expect(cyclical.weight(atStep: 60) == 1)
        #expect(cyclical.weight(atStep: 100) == 0, "a new cycle starts from the bottom")
        #expect(cyclical.weight(atStep: 125) == 0.5)
        #expect(ObjectiveSettings(beta: 2, warmup: linear).klWeight(atStep: 50) == 1.2)
    }

    /// The KL weight (beta × warm-up) multiplies the rate with free bits on as with them off: the loss is the
    /// distortion plus the weight times Σ_u max(λ, KL_u) (free bits per unit), for weights 0, 0.3 and 1, with λ
    /// above every unit's KL (the rate term is 3λ) and with λ = 0.1, which clamps one unit's 0.077 nats and
    /// leaves the others' 0.26 and 0.14; the settings give beta × warm-up with free bits on; and a trainer with
    /// free bits and a 10-step warm-up reports and applies weights 0, 0.1, 0.2 in its first three steps.
    @Test func theWarmupWeightsTheRateWhileFreeBitsAreOn() {
        let model = VAE(Self.config, seed: 3)
        let tape = Tape(recording: false)
        let (mu, lv) = model.meanAndLogVariance(Var(constant: Self.batch), on: tape)
        let kl = tape.gaussianKL(mean: mu, logVariance: lv).value
        let unitKL = (0..<3).map { u in (0..<Self.batch.rows).reduce(0.0) { $0 + Double(kl[$1, u]) } / Double(Self.batch.rows) }
        for lambda in [Float(50), 0.1] {
            let settings = ObjectiveSettings(freeBits: FreeBits(lambda: lambda, perUnit: true))
            let rateTerm = unitKL.reduce(0.0) { $0 + max(Double(lambda), $1) }
            for weight in [Float(0), 0.3, 1] {
                let stats = Self.lossValue(model, settings, klWeight: weight, tape: Tape(recording: false)).1
                let expected = Double(stats.distortion) + Double(weight) * rateTerm
                #expect(abs(Double(stats.loss) - expected) < 1e-4 * max(1, expected),
                        "λ \(lambda), weight \(weight): loss \(stats.loss) vs \(expected)")
                #expect(stats.klWeight == weight)
            }
        }
        let warmup = KLWarmup(steps: 100, start: 0.2)
        #expect(ObjectiveSettings(beta: 2, freeBits: FreeBits(lambda: 0.5), warmup: warmup).klWeight(atStep: 50) == 1.2)
        #expect(ObjectiveSettings(beta: 2, freeBits: FreeBits(lambda: 0.5, perUnit: true), warmup: warmup).klWeight(atStep: 0) == 0.4)

        let lambda: Float = 50   // above the whole latent's KL: the rate term is λ, times the weight
        let trainer = Fixtures.trainer(objective: ObjectiveSettings(freeBits: FreeBits(lambda: lambda), warmup: KLWarmup(steps: 10)))
        for step in 0..<3 {
            let report = trainer.trainStep()
            let weight = Float(step) / 10
            #expect(report.applied && report.stats.klWeight == weight, "step \(step): weight \(report.stats.klWeight)")
            #expect(abs(report.stats.loss - (report.stats.distortion + weight * lambda)) < 1e-3,
                    "step \(step): loss \(report.stats.loss), distortion \(report.stats.distortion), weight \(weight)")
        }
    }

    @Test func iwaeWithOneSampleIsTheSampledELBO() {
        // L_1 = E[log p(x|z) + log p(z) − log q(z|x)], whose mean is the ELBO: compare over many draws.
        let model = VAE(Self.config, seed: 3)
        var rng = RandomSource(seed: 2)
        var iwae = 0.0, elbo = 0.0
        for _ in 0..<400 {
            iwae += Double(Objective.loss(model: model, batch: Self.batch, settings: ObjectiveSettings(kind: .iwae, k: 1),
                                          klWeight: 1, rng: &rng, on: Tape(recording: false)).stats.bound)
            elbo += Double(Objective.loss(model: model, batch: Self.batch, settings: ObjectiveSettings(kind: .elbo, k: 1),
                                          klWeight: 1, rng: &rng, on: Tape(recording: false)).stats.bound)
        }
        #expect(abs(iwae - elbo) / 400 < 0.05, "\(iwae / 400) vs \(elbo / 400)")
    }
}

extension VAE {
    /// The encoder's gradients, flattened.
    func encodeGradients() -> [Float] {
        parameters.filter { $0.name.hasPrefix("encoder") }.flatMap { $0.grad.scalars }
    }
}

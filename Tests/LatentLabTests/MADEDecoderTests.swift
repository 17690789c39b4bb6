import Foundation
import Testing
@testable import LatentLab

/// The autoregressive decoder and the remedies for posterior collapse (docs/THEORY.md section 6).
@Suite struct MADEDecoderTests {
    /// A decoder far from its start, so the checks below see real dependencies.
    static func decoder(pixels: Int, hidden: [Int], latent: Int = 2, receptiveField: Int? = nil, seed: UInt64 = 3) -> MADEDecoder {
        var rng = RandomSource(seed: seed)
        let decoder = MADEDecoder(latentSize: latent, hidden: hidden, pixels: pixels, receptiveField: receptiveField,
                                  activation: .tanh, outputBias: nil, rng: &rng)
        for p in decoder.parameters { p.assign(p.value.scaled(3)) }
        decoder.direct.assign(rng.normalTensor(pixels, pixels))   // zero at the start: given weights here
        return decoder
    }

    /// Logit j has zero gradient with respect to pixels j, j+1, … and, with a receptive field R, to pixels
    /// before j − R; it depends on some pixel inside its window, and on z. Hidden layers wider and narrower
    /// than the image, one and two of them.
    @Test(arguments: [([13], nil), ([13], 3), ([6, 7], nil), ([6, 7], 4), ([20, 20], 5)] as [([Int], Int?)])
    func logitsDependOnlyOnAWindowOfEarlierPixels(hidden: [Int], receptiveField: Int?) {
        let d = 10
        let decoder = Self.decoder(pixels: d, hidden: hidden, receptiveField: receptiveField)
        var rng = RandomSource(seed: 4)
        let x = Parameter("x", rng.uniformTensor(1, d)), z = Parameter("z", rng.normalTensor(1, 2))
        for j in 0..<d {
            x.zeroGrad(); z.zeroGrad()
            let tape = Tape()
            let logits = decoder.logits(tape.param(x), given: tape.param(z), on: tape)
            tape.backward(from: tape.sum(tape.sliceCols(logits, j, 1)))
            let grad = x.grad.scalars
            let window = max(0, j - (receptiveField ?? d))..<j
            for i in 0..<d where !window.contains(i) {
                #expect(grad[i] == 0, "logit \(j) depends on pixel \(i) (receptive field \(receptiveField ?? d))")
            }
            if j > 0 && hidden.allSatisfy({ $0 >= d }) {
                #expect(window.contains { grad[$0] != 0 }, "logit \(j) sees no pixel in its window")
            }
            #expect(z.grad.scalars.contains { $0 != 0 }, "logit \(j) ignores z")
        }
    }

    /// Every one of the 2^D images of D = 10 pixels scored given one z: the probabilities sum to 1.
    @Test(arguments: [nil, 3] as [Int?]) func theExactLikelihoodSumsToOne(receptiveField: Int?) {
        var rng = RandomSource(seed: 5)
        AutoregressiveChecks.expectNormalised(Self.decoder(pixels: 10, hidden: [8, 8], receptiveField: receptiveField),
                                              pixels: 10, z: rng.normalTensor(1, 2))
    }

    /// Pixel-by-pixel draws follow the decoder's own probabilities: 40,000 draws of a 4-pixel image against
    /// the exact p(x|z) of each of the 16 images.
    @Test(arguments: [[6], [5, 7]]) func drawsFollowTheLikelihood(hidden: [Int]) {
        var rng = RandomSource(seed: 7)
        AutoregressiveChecks.expectDrawsFollowTheLikelihood(Self.decoder(pixels: 4, hidden: hidden, seed: 6), pixels: 4,
                                                            z: rng.normalTensor(1, 2), draws: 40_000, seed: 8)
    }

    static let config = VAEConfig(inputSize: 6, encoderHidden: [5], latentSize: 2, decoderHidden: [7], activation: .tanh,
                                  decoder: .made, receptiveField: 3)

    /// The whole loss with the MADE decoder, with and without hidden pixels, against finite differences.
    @Test(arguments: [ObjectiveSettings(kind: .elbo, k: 2), ObjectiveSettings(kind: .iwae, k: 3),
                      ObjectiveSettings(kind: .elbo, k: 1, conditioningDropout: 0.5)])
    func theLossMatchesFiniteDifferences(settings: ObjectiveSettings) {
        let model = VAE(Self.config, seed: 8)
        var rng = RandomSource(seed: 9)
        let x = Tensor(rows: 4, cols: 6, rng.uniformTensor(4, 6).scalars.map { $0 > 0.5 ? 1 : 0 })
        let noise = rng.normalTensor(settings.k * 4, 2)
        let seen = Objective.seenPixels(model, x, settings, rng: &rng)
        #expect((seen != nil) == (settings.conditioningDropout > 0))
        checkParameterGradients(model.parameters) { tape in
            Objective.loss(model: model, batch: x, settings: settings, klWeight: 1, noise: noise, seen: seen, on: tape).loss
        }
    }

    /// Conditioning dropout: about p of the pixels read the neutral value, a new mask every step, only for an
    /// autoregressive decoder, and the training loss moves with it. The evaluations read the true pixels: only
    /// `Objective` passes `seen` to `VAE.logWeights`; with dropout at 0 the rng-drawn loss is the plain one.
    @Test func conditioningDropoutHidesPixelsInTraining() {
        let settings = ObjectiveSettings(conditioningDropout: 0.25)
        var rng = RandomSource(seed: 10)
        let x = Tensor(rows: 200, cols: 50, repeating: 1)
        let a = settings.seenPixels(x, rng: &rng), b = settings.seenPixels(x, rng: &rng)
        let hidden = a.scalars.filter { $0 == ObjectiveSettings.neutralPixel }.count
        #expect(abs(Double(hidden) / Double(x.count) - 0.25) < 0.02, "\(hidden) of \(x.count) hidden")
        #expect(a.scalars != b.scalars, "a new mask every call")
        let factorized = VAE(VAEConfig(inputSize: 6, encoderHidden: [5], latentSize: 2, decoderHidden: [7]), seed: 1)
        #expect(Objective.seenPixels(factorized, x.rowBlock(0, 4).columns(0, 6), settings, rng: &rng) == nil)

        let model = VAE(Self.config, seed: 8)
        let batch = Tensor(rows: 4, cols: 6, [1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 1, 1, 0])
        let tape = Tape(recording: false)
        func loss(_ s: ObjectiveSettings, seed: UInt64) -> Float {
            var r = RandomSource(seed: seed)
            return Objective.loss(model: model, batch: batch, settings: s, klWeight: 1, rng: &r, on: tape).loss.value.scalar
        }
        var noise = RandomSource(seed: 11)
        let plain = Objective.loss(model: model, batch: batch, settings: ObjectiveSettings(), klWeight: 1,
                                   noise: noise.normalTensor(4, 2), on: tape).loss.value.scalar
        #expect(loss(ObjectiveSettings(), seed: 11) == plain, "no dropout: the loss reads the true pixels")
        #expect(loss(settings, seed: 11) != plain, "dropout: the decoder reads other pixels")
    }

    /// Conditioning dropout is training's alone: after steps with p = 0.9 (`--ar-dropout 0.9`), a MADE and a
    /// PixelCNN decoder set to copy the previous pixel (logits near ±10 from it, nothing from z) with q(z|x) =
    /// p(z) = N(0, I) score 16-pixel all-black and all-white images as that rule says, in every evaluation: the
    /// ELBO's distortion, L_1, L_5, L_50 and the NLL estimate are all log p(x) = −log 2 (the first pixel) less
    /// at most 16 · 5e-5 (the rest), and the KL is 0. A decoder reading dropped pixels (0.5: logit 0, log 2 lost)
    /// would lose about 0.9 · 15 · log 2 = 9.4 nats more.
    @Test(arguments: [LatentDecoder.made, .pixelcnn]) func evaluationsReadTheTruePixelsAfterTrainingWithDropout(decoder: LatentDecoder) {
        let count = 40, pixels = 16
        let images = ImageDataset(name: "flat", count: count, height: 4, width: 4,
                                  pixels: (0..<(count * pixels)).map { ($0 / pixels) % 2 == 0 ? 0 : 255 },
                                  labels: (0..<count).map { UInt8($0 % 2) }, labelNames: ["black", "white"])
        let config = VAEConfig(inputSize: pixels, encoderHidden: [5], latentSize: 2, decoderHidden: decoder == .made ? [7] : [1],
                               activation: .tanh, decoder: decoder)
        let trainer = Trainer(config: TrainingConfig(model: config, objective: ObjectiveSettings(conditioningDropout: 0.9), batchSize: 10),
                              data: DataSplits(name: "flat", train: images, test: images, validationSize: 10))
        for _ in 0..<3 { #expect(trainer.trainStep().applied) }
        let model = trainer.model
        for p in model.posterior.parameters where p.name.hasPrefix("encoder.mean.") || p.name.hasPrefix("encoder.logvar.") {
            p.assign(Tensor(zeros: p.rows, p.cols))
        }
        func set(_ name: String, _ value: (Int, Int) -> Float) {
            guard let p = model.likelihood.parameters.first(where: { $0.name == name }) else { Issue.record("no \(name)"); return }
            var t = Tensor(zeros: p.rows, p.cols)
            for r in 0..<p.rows { for c in 0..<p.cols { t[r, c] = value(r, c) } }
            p.assign(t)
        }
        for p in model.likelihood.parameters { p.assign(Tensor(zeros: p.rows, p.cols)) }
        if decoder == .made {
            // logit_j = −10 + 20 x_{j−1} through the direct weights; pixel 0's logit is 0.
            set("decoder.out0.bias") { _, c in c == 0 ? 0 : -10 }
            set("decoder.direct.weight") { r, c in c == r + 1 ? 20 : 0 }
        } else {
            // One channel: h = tanh(10 Σ causal neighbours − 5) ≈ ±1, logit = 10 h; pixel 0 (no neighbours) gets
            // its −10 back from its bias.
            set("decoder.conv0.weight") { _, _ in 10 }
            set("decoder.conv0.bias") { _, _ in -5 }
            set("decoder.out.weight") { _, _ in 10 }
            set("decoder.pixel_bias") { _, c in c == 0 ? Float(10 * Foundation.tanh(5.0)) : 0 }
        }
        let logPx = -Foundation.log(2.0)
        func expectLogPx(_ value: Float, _ what: String) {
            #expect(Double(value) <= logPx + 1e-4 && Double(value) > logPx - 1e-3, "\(what) \(value), log p(x) \(logPx)")
        }
        let eval = Evaluator.evaluate(model: model, data: trainer.data.test, seed: 4)
        expectLogPx(-eval.distortion, "−distortion")
        #expect(abs(eval.kl) < 1e-5, "KL \(eval.kl)")
        let probe = Evaluator.probeBounds(model: model, probe: trainer.data.test.batch(0..<10))
        for (k, bound) in [(1, probe.l1), (5, probe.l5), (50, probe.l50)] { expectLogPx(bound, "L_\(k)") }
        expectLogPx(-Evaluator.negativeLogLikelihood(model: model, data: trainer.data.test, k: 20, limit: 10), "−NLL")
    }

    /// δ-VAE: whatever the encoder outputs (weights scaled up to push log σ² anywhere), every unit's KL against
    /// N(0, 1) is at least δ; the cap is where ½(s − 1 − ln s) = δ; and a new δ applies at the next encoding.
    @Test(arguments: [Float(0.1), 1, 3]) func theMinimumRateHoldsForAnyEncoderOutput(delta: Float) {
        let s = MinimumRate.varianceCap(rate: delta)
        #expect(abs(0.5 * (s - 1 - log(s)) - Double(delta)) < 1e-6 && s < 1)
        var rng = RandomSource(seed: 11)
        let q = DiagonalGaussianPosterior(inputSize: 8, hidden: [6], latentSize: 4, activation: .tanh, rng: &rng)
        q.minimumRate = delta
        for scale: Float in [1, 10, 100] {
            for p in q.parameters { p.assign(p.value.scaled(scale)) }
            let tape = Tape(recording: false)
            let e = q.encode(Var(constant: rng.normalTensor(64, 8).scaled(scale)), on: tape)
            let kl = tape.gaussianKL(mean: e.mean, logVariance: e.logVariance).value.scalars
            #expect(kl.allSatisfy { $0 >= delta * (1 - 1e-4) }, "scale \(scale): smallest unit KL \(kl.min()!) < \(delta)")
        }
        q.minimumRate = 0
        let free = q.encode(Var(constant: rng.normalTensor(64, 8)), on: Tape(recording: false))
        #expect(free.logVariance.value.scalars.contains { $0 > Float(log(s)) }, "off, the variance is free again")
    }
}

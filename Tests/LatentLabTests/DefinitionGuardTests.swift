import Foundation
import Testing
@testable import LatentLab

/// The definitions a refactor could break silently (issue 14's list): each test here failed when the
/// property it names was broken on purpose, one line at a time.
@Suite struct DefinitionGuardTests {
    static let config = VAEConfig(inputSize: 6, encoderHidden: [5], latentSize: 3, decoderHidden: [5], activation: .tanh)
    static let batch = Tensor(rows: 4, cols: 6, [1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1])

    /// log w for every sample and example, by the textbook formulas in Double, from the model's own
    /// encoder and decoder outputs: [sample][example].
    static func directLogWeights(_ model: VAE, noise: Tensor, k: Int) -> [[Double]] {
        let tape = Tape(recording: false)
        let (mu, lv) = model.meanAndLogVariance(Var(constant: batch), on: tape)
        let b = batch.rows, d = config.latentSize
        var z = Tensor(zeros: k * b, d)
        for s in 0..<k { for i in 0..<b { for j in 0..<d {
            z[s * b + i, j] = mu.value[i, j] + Foundation.exp(0.5 * lv.value[i, j]) * noise[s * b + i, j]
        } } }
        let logits = model.logits(Var(constant: z), on: tape).value
        let log2pi = Foundation.log(2 * Double.pi)
        return (0..<k).map { s in (0..<b).map { i in
            var logPx = 0.0, logPz = 0.0, logQ = 0.0
            for c in 0..<batch.cols {
                let l = Double(logits[s * b + i, c])
                logPx += Double(batch[i, c]) * l - Foundation.log(1 + Foundation.exp(l))
            }
            for j in 0..<d {
                let zj = Double(z[s * b + i, j]), e = Double(noise[s * b + i, j])
                logPz += -0.5 * (log2pi + zj * zj)
                logQ += -0.5 * (log2pi + Double(lv.value[i, j]) + e * e)
            }
            return logPx + logPz - logQ
        } }
    }

    @Test func theIWAELossIsMinusTheMeanLogMeanExpOfTheLogWeights() {
        let model = VAE(Self.config, seed: 3), k = 5
        var rng = RandomSource(seed: 21)
        let noise = rng.normalTensor(k * Self.batch.rows, Self.config.latentSize)
        let (loss, stats) = Objective.loss(model: model, batch: Self.batch, settings: ObjectiveSettings(kind: .iwae, k: k),
                                           klWeight: 1, noise: noise, on: Tape(recording: false))
        let logW = Self.directLogWeights(model, noise: noise, k: k)
        var expected = 0.0
        for i in 0..<Self.batch.rows {
            let column = logW.map { $0[i] }, m = column.max()!
            expected += m + Foundation.log(column.reduce(0) { $0 + Foundation.exp($1 - m) } / Double(k))
        }
        expected /= Double(Self.batch.rows)
        #expect(abs(Double(stats.bound) - expected) < 1e-4 * abs(expected), "L_5 \(stats.bound) vs \(expected)")
        #expect(abs(Double(loss.value.scalar) + expected) < 1e-4 * abs(expected))
        // The mean of log w (the k-sample ELBO) is strictly lower: the bound is not that.
        let meanLogW = logW.joined().reduce(0, +) / Double(k * Self.batch.rows)
        #expect(expected - meanLogW > 1e-3)
    }

    /// The gradient of L_k is Σ_i w̃_i ∇ log w_i: computed here from each log w_i's own gradient, weighted
    /// by the normalised weights, against the objective's gradient.
    @Test func theIWAEGradientIsTheNormalisedWeightsTimesEachLogWeightsGradient() {
        let model = VAE(Self.config, seed: 3), k = 4, b = Self.batch.rows
        var rng = RandomSource(seed: 22)
        let noise = rng.normalTensor(k * b, Self.config.latentSize)
        let params = model.parameters
        for p in params { p.zeroGrad() }
        let tape = Tape()
        let (loss, _) = Objective.loss(model: model, batch: Self.batch, settings: ObjectiveSettings(kind: .iwae, k: k),
                                       klWeight: 1, noise: noise, on: tape)
        tape.backward(from: loss)
        let objectiveGradient = params.map { $0.grad.scalars }

        let logW = Self.directLogWeights(model, noise: noise, k: k)
        var expected = params.map { [Double](repeating: 0, count: $0.value.count) }
        for s in 0..<k {
            for i in 0..<b {
                let column = logW.map { $0[i] }, m = column.max()!
                let weight = Foundation.exp(logW[s][i] - m) / column.reduce(0) { $0 + Foundation.exp($1 - m) }
                // ∇ log w_{s,i}: the k = 1 ELBO-style loss of that single sample, through the same model.
                for p in params { p.zeroGrad() }
                let single = Tape()
                let x = Self.batch.rowBlock(i, 1), e = noise.rowBlock(s * b + i, 1)
                let (l, _) = Objective.loss(model: model, batch: x, settings: ObjectiveSettings(kind: .iwae, k: 1),
                                            klWeight: 1, noise: e, on: single)
                single.backward(from: l)  // −log w_{s,i}
                for (n, p) in params.enumerated() {
                    for (j, g) in p.grad.scalars.enumerated() { expected[n][j] += weight * Double(g) / Double(b) }
                }
            }
        }
        for (n, p) in params.enumerated() {
            for j in expected[n].indices {
                let a = Double(objectiveGradient[n][j]), e = expected[n][j]
                #expect(abs(a - e) <= 1e-4 + 1e-3 * abs(e), "\(p.name)[\(j)]: \(a) vs Σ w̃ ∇log w \(e)")
            }
        }
    }

    /// Free bits clamp the batch-averaged KL of each group, not each example's: with λ between the
    /// examples' KLs, clamping per example would raise the rate term.
    @Test func freeBitsClampTheBatchAveragedKLOfEachGroup() {
        let model = VAE(Self.config, seed: 3)
        var rng = RandomSource(seed: 23)
        let noise = rng.normalTensor(Self.batch.rows, Self.config.latentSize)
        let tape = Tape(recording: false)
        let (mu, lv) = model.meanAndLogVariance(Var(constant: Self.batch), on: tape)
        let kl = tape.gaussianKL(mean: mu, logVariance: lv).value
        let perExample = (0..<Self.batch.rows).map { i in (0..<3).reduce(0.0) { $0 + Double(kl[i, $1]) } }
        let mean = perExample.reduce(0, +) / Double(perExample.count)
        let lowest = perExample.min()!, highest = perExample.max()!
        #expect(lowest < mean && mean < highest, "the examples' KLs must differ for this test: \(perExample)")
        func loss(_ lambda: Float) -> Double {
            let settings = ObjectiveSettings(kind: .elbo, k: 1, freeBits: FreeBits(lambda: lambda))
            return Double(Objective.loss(model: model, batch: Self.batch, settings: settings, klWeight: 1, noise: noise,
                                         on: Tape(recording: false)).stats.loss)
        }
        let plain = loss(0)  // distortion + mean KL
        for lambda in [(lowest + mean) / 2, (mean + highest) / 2] {  // below and above the batch mean
            let expected = plain - mean + max(mean, lambda)
            #expect(abs(loss(Float(lambda)) - expected) < 1e-4 * abs(expected), "λ \(lambda): \(loss(Float(lambda))) vs \(expected)")
        }
    }

    /// Active units (Burda et al.): A_u = Var_x(E_q[z_u]) over the data points, active when above 0.01.
    @Test func anActiveUnitHasPosteriorMeansVaryingByMoreThanOneHundredthOverTheData() {
        // 100 images whose first pixel is on in half of them: x_0 has variance 1/4 over the data.
        let count = 100, size = 16
        var pixels = [UInt8](repeating: 0, count: count * size)
        for i in 0..<count where i % 2 == 0 { pixels[i * size] = 255 }
        let data = BinaryImages(fixed: ImageDataset(name: "half", count: count, height: 4, width: 4, pixels: pixels,
                                                    labels: [UInt8](repeating: 0, count: count), labelNames: ["x"]), seed: 1)
        // One hidden unit follows x_0: h_0 = tanh(atanh(½) · x_0) ∈ {0, ½}, variance 1/16 over the data;
        // μ_u = a_u · h_0, so A_u = a_u² / 16.
        let activities: [Float] = [0.05, 0.005, 0.011, 0.009]
        let model = VAE(VAEConfig(inputSize: size, encoderHidden: [3], latentSize: 4, decoderHidden: [4], activation: .tanh), seed: 1)
        var first = Tensor(zeros: size, 3)
        first[0, 0] = 0.5493061  // atanh(0.5)
        model.gaussianPosterior.encoder!.layers[0].weight.assign(first)
        model.gaussianPosterior.encoder!.layers[0].bias.assign(Tensor(zeros: 1, 3))
        var weight = Tensor(zeros: 3, 4)
        for (u, a) in activities.enumerated() { weight[0, u] = (16 * a).squareRoot() }
        model.gaussianPosterior.meanHead.weight.assign(weight)
        model.gaussianPosterior.meanHead.bias.assign(Tensor(rows: 1, cols: 4, repeating: 0.3))
        let eval = Evaluator.evaluate(model: model, data: data, batchSize: 50)
        for (u, a) in activities.enumerated() {
            #expect(abs(eval.activity[u] - a) < 1e-3 * a, "unit \(u): activity \(eval.activity[u]), expected \(a)")
        }
        #expect(eval.activeUnits == 2, "0.05 and 0.011 count, 0.005 and 0.009 do not")
    }

    @Test func theCollapseStatesBoundaries() {
        #expect(CollapseState(activeUnits: 30, latentSize: 50, kl: 5, mutualInformation: 0.03) == .collapsed, "I_q below 0.05")
        #expect(CollapseState(activeUnits: 30, latentSize: 50, kl: 0.09, mutualInformation: 2) == .collapsed, "KL below 0.1")
        #expect(CollapseState(activeUnits: 0, latentSize: 50, kl: 5, mutualInformation: 2) == .collapsed, "no active unit")
        #expect(CollapseState(activeUnits: 20, latentSize: 50, kl: 5, mutualInformation: 2) == .partial)
        #expect(CollapseState(activeUnits: 24, latentSize: 50, kl: 5, mutualInformation: 2) == .partial)
        #expect(CollapseState(activeUnits: 25, latentSize: 50, kl: 0.1, mutualInformation: 0.05) == .healthy)
    }

    /// The softmax, finite, far from 0 where exp under- or overflows in Float.
    @Test func logSumExpsGradientIsTheSoftmaxFarFromZero() {
        for values in [[-200, -201, -199.5, -230] as [Float], [100, 99, 101, 60]] {
            let m = values.max()!
            let total = values.reduce(0.0) { $0 + Foundation.exp(Double($1 - m)) }
            let softmax = values.map { Foundation.exp(Double($0 - m)) / total }
            for axis in [0, 1] {
                let p = Parameter("x", axis == 1 ? Tensor(rows: 1, cols: 4, values) : Tensor(rows: 4, cols: 1, values))
                let tape = Tape()
                let lse = tape.logSumExp(tape.param(p), axis: axis)
                #expect(abs(Double(lse.value.scalar) - (Double(m) + Foundation.log(total))) < 1e-4)
                tape.backward(from: lse)
                for (g, s) in zip(p.grad.scalars, softmax) {
                    // Float's spacing at |lse| ≈ 200 is 1.5e-5, so x − lse carries that much: relative 3e-5.
                    #expect(g.isFinite && abs(Double(g) - s) <= 3e-5 * s + 1e-9, "axis \(axis), inputs \(values): \(p.grad.scalars) vs \(softmax)")
                }
            }
        }
    }

    /// Adam's bias correction: the first step moves each weight by about lr · sign(g); the second by the
    /// hand-computed corrected moments.
    @Test func adamCorrectsItsMomentsBias() {
        let settings = AdamSettings(learningRate: 0.01)
        let p = Parameter("w", Tensor(rows: 1, cols: 3, [1, 2, 3]))
        let adam = Adam([p], settings: settings)
        let g1: [Float] = [0.5, -2, 0.2], g2: [Float] = [-0.3, -1, 0.4]
        p.grad.withSharedMutablePointer { for i in 0..<3 { $0[i] = g1[i] } }
        adam.step()
        let afterOne = p.value.scalars
        for i in 0..<3 {
            let moved = Double(afterOne[i]) - Double(i + 1)
            let expected = -0.01 * Double(g1[i]) / (abs(Double(g1[i])) + 1e-4)
            #expect(abs(moved - expected) < 1e-6, "weight \(i) moved \(moved), expected ≈ −lr·sign(g) = \(expected)")
        }
        p.grad.withSharedMutablePointer { for i in 0..<3 { $0[i] = g2[i] } }
        adam.step()
        for i in 0..<3 {
            let a = Double(g1[i]), b = Double(g2[i])
            let m = 0.9 * 0.1 * a + 0.1 * b, v = 0.999 * 0.001 * a * a + 0.001 * b * b
            let mHat = m / (1 - 0.9 * 0.9), vHat = v / (1 - 0.999 * 0.999)
            let expected = Double(afterOne[i]) - 0.01 * mHat / (vHat.squareRoot() + 1e-4)
            #expect(abs(Double(p.value.scalars[i]) - expected) < 1e-6, "weight \(i): \(p.value.scalars[i]) vs \(expected)")
        }
    }

    /// A checkpoint is written beside its path and renamed over it: the file at the path is never opened
    /// for writing, so a second name for its old contents (a hard link) still holds them afterwards.
    @Test func aCheckpointReplacesTheFileInsteadOfWritingIntoIt() throws {
        let dir = Fixtures.temporaryDirectory()
        let path = dir + "/model.safetensors", link = dir + "/old.safetensors"
        let first = VAE(Fixtures.smallModel, seed: 1), second = VAE(Fixtures.smallModel, seed: 2)
        try Checkpoint.save(model: first, step: 1, objective: nil, dataset: "bars", to: path)
        #expect(Foundation.link(path, link) == 0)
        try Checkpoint.save(model: second, step: 2, objective: nil, dataset: "bars", to: path)
        #expect(try Checkpoint.load(link).step == 1, "the old file was written into")
        #expect(try Checkpoint.load(path).step == 2)
        #expect(try Checkpoint.load(link).weights["decoder.0.weight"]?.scalars == first.bernoulliDecoder.network.layers[0].weight.value.scalars)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["model.safetensors", "old.safetensors"])
    }

    /// Three bad steps in a row restore the weights of the latest good snapshot (taken every 100 steps),
    /// not the initial ones.
    @Test func nanRecoveryRestoresTheLatestGoodWeights() {
        let trainer = Fixtures.trainer()
        let initial = trainer.model.parameters.flatMap { $0.value.scalars }
        for _ in 0..<100 { trainer.trainStep() }
        let latest = trainer.model.parameters.flatMap { $0.value.scalars }
        let weight = trainer.model.parameters[0]
        var poisoned = weight.value
        poisoned[0, 0] = .nan
        weight.assign(poisoned)
        trainer.trainStep()  // a weight that is not finite restores at once
        #expect(trainer.recoveries == 1)
        let restored = trainer.model.parameters.flatMap { $0.value.scalars }
        #expect(restored == latest, "restored from step 100's copy")
        #expect(restored != initial)
    }

    @Test func loadingWeightsOfTheWrongShapeIsAThrownError() {
        let trainer = Fixtures.trainer()
        var weights = Dictionary(uniqueKeysWithValues: trainer.model.parameters.map { ($0.name, $0.value) })
        weights["decoder.0.weight"] = Tensor(zeros: 3, 3)
        #expect(throws: CheckpointError.self) { try trainer.load(weights: weights) }
        #expect(trainer.model.parameters.allSatisfy { $0.value.isFinite }, "the model is left as it was")
    }
}

import Foundation
import Testing
import TestSupport
@testable import LatentLab

/// Tiny data sets and models for fast tests (debug builds are slow: keep everything small).
enum Fixtures {
    /// `count` 4×4 images: one of four bars (rows or columns), greyscale with noise. Label = which bar.
    static func bars(count: Int, seed: UInt64, name: String = "bars") -> ImageDataset {
        var rng = RandomSource(seed: seed)
        var pixels = [UInt8](), labels = [UInt8]()
        for _ in 0..<count {
            let label = Int(rng.next() % 4)
            for r in 0..<4 {
                for c in 0..<4 {
                    let on = label < 2 ? r == label * 2 || r == label * 2 + 1 : c == (label - 2) * 2 || c == (label - 2) * 2 + 1
                    pixels.append(UInt8(on ? 230 + rng.uniform() * 25 : rng.uniform() * 25))
                }
            }
            labels.append(UInt8(label))
        }
        return ImageDataset(name: name, count: count, height: 4, width: 4, pixels: pixels, labels: labels,
                            labelNames: ["top", "bottom", "left", "right"])
    }

    static func splits() -> DataSplits {
        DataSplits(name: "bars", train: bars(count: 300, seed: 1), test: bars(count: 100, seed: 2), validationSize: 50)
    }

    static let smallModel = VAEConfig(inputSize: 16, encoderHidden: [12], latentSize: 4, decoderHidden: [12], activation: .tanh)

    static func trainer(seed: UInt64 = 1, objective: ObjectiveSettings = ObjectiveSettings(), lr: Float = 1e-2) -> Trainer {
        Trainer(config: TrainingConfig(model: smallModel, objective: objective, batchSize: 20,
                                       adam: AdamSettings(learningRate: lr), seed: seed),
                data: splits())
    }

    /// A fresh directory under this test process's own folder, which is removed when the process exits.
    static func temporaryDirectory() -> String { IDXFixture.temporaryDirectory() }

    /// A trainer for `model` on the bars after 150 steps, checked to have trained: no non-finite step, the
    /// held-out ELBO up by a nat, the KL per unit adding up to the KL. Returns it with its last evaluation.
    static func trained(_ model: VAEConfig) -> (trainer: Trainer, evaluation: Evaluation) {
        let trainer = Trainer(config: TrainingConfig(model: model, batchSize: 20, adam: AdamSettings(learningRate: 1e-2)),
                              data: splits())
        let before = Evaluator.evaluate(model: trainer.model, data: trainer.data.test)
        for _ in 0..<150 { trainer.trainStep() }
        let after = Evaluator.evaluate(model: trainer.model, data: trainer.data.test)
        #expect(trainer.nonFiniteSteps == 0)
        #expect(after.elbo > before.elbo + 1, "ELBO \(before.elbo) → \(after.elbo)")
        #expect(abs(after.klPerUnit.reduce(0, +) - after.kl) < 1e-3)
        return (trainer, after)
    }

    /// `model` saved to a checkpoint, loaded back and rebuilt from its metadata; nil with an issue recorded
    /// unless the configuration and every weight came back.
    static func roundTrip(_ model: VAE, name: String) throws -> VAE? {
        let path = temporaryDirectory() + "/\(name).safetensors"
        try Checkpoint.save(model: model, step: 0, objective: nil, dataset: "bars", to: path)
        let loaded = try Checkpoint.load(path).makeModel()
        let same = loaded.config == model.config
            && loaded.parameters.flatMap(\.value.scalars) == model.parameters.flatMap(\.value.scalars)
        #expect(same, "\(model.summary) did not come back from its checkpoint")
        return same ? loaded : nil
    }
}

/// The parts of the one model the engine builds today, for tests that reach inside it.
extension VAE {
    var gaussianPosterior: DiagonalGaussianPosterior { posterior as! DiagonalGaussianPosterior }
    var bernoulliDecoder: BernoulliDecoder { likelihood as! BernoulliDecoder }

    /// The decoder's Bernoulli logits.
    func logits(_ z: Var, on tape: Tape) -> Var { bernoulliDecoder.logits(z, on: tape) }

    /// μ and log σ² of q(z|x).
    func meanAndLogVariance(_ x: Var, on tape: Tape) -> (Var, Var) {
        let e = encode(x, on: tape)
        return (e.mean, e.logVariance)
    }
}

import Foundation

/// `vae-tui lab rate-distortion`: the rate-distortion plane (Alemi et al. 2018; docs/THEORY.md section 8) traced
/// by a β sweep. The loss D + β R picks one point of a model's frontier for each β, so one run per (decoder, β),
/// each from the same seed for the same budget, draws each decoder's frontier; the expectations about them
/// (`verdicts`) are checked against the measurement, not tuned to it.
public enum RateDistortionLab {
    /// From a weak KL weight, where the factorised decoder buys distortion with rate, to a strong one, where
    /// even it gives most of its rate up; β = 1, the plain ELBO, in the middle, where the MADE collapses.
    public static let defaultBetas: [Float] = [0.25, 0.5, 1, 2, 4]
    /// A decoder that needs z and one that can model the images without it.
    public static let defaultDecoders: [LatentDecoder] = [.factorized, .made]

    /// One run's configuration: the collapse lab's setting of `decoder` (an autoregressive one at Adam 1e-2,
    /// where the plain ELBO collapses it within a few epochs; the factorised one at 1e-3, where it trains
    /// well), with β on the KL term. Nothing else changes between runs.
    public static func config(_ config: TrainingConfig, decoder: LatentDecoder, beta: Float) -> TrainingConfig {
        var c = CollapseLab.config(config, decoder: decoder)
        c.objective.beta = beta
        return c
    }

    /// A run's place in the plane: what the expectations are judged on.
    public struct Point: Sendable, Equatable {
        public let decoder: LatentDecoder
        public let beta: Float
        /// R = KL(q(z|x) ‖ p(z)) on held-out images, nats per image.
        public let rate: Float
        /// D = −E_q log p(x|z) on the same images, nats per image.
        public let distortion: Float

        public init(decoder: LatentDecoder, beta: Float, rate: Float, distortion: Float) {
            self.decoder = decoder
            self.beta = beta
            self.rate = rate
            self.distortion = distortion
        }
    }

    /// What one run measured.
    public struct Result: Sendable {
        public let decoder: LatentDecoder
        public let beta: Float
        /// −L_k on the first NLL images.
        public let nll: Float
        /// Rate, distortion, ELBO and active units on the first evaluation images.
        public let evaluation: Evaluation
        public let seconds: Double
        public let steps: Int
        public let nonFiniteSteps: Int

        public var point: Point {
            Point(decoder: decoder, beta: beta, rate: evaluation.kl, distortion: evaluation.distortion)
        }
    }

    /// Trains `decoder` at `beta` from `config` (the command's settings; the lab's own applied here) for `budget`
    /// and evaluates it: NLL = −L_k on the first `nllImages` test images, the rest on the first `evalImages`.
    /// `progress` hears (fraction done, line) while it trains.
    public static func run(decoder: LatentDecoder, beta: Float, config: TrainingConfig, data: DataSplits,
                           budget: LabBudget, nllK: Int, nllImages: Int, evalImages: Int,
                           progress: (Double, String) -> Void) -> Result {
        let c = Self.config(config, decoder: decoder, beta: beta)
        let trained = LabTraining.train(c, data: data, budget: budget, progress: progress)
        let trainer = trained.trainer
        progress(1, "NLL on \(min(nllImages, data.test.count)) test images")
        let nll = Evaluator.negativeLogLikelihood(model: trainer.model, data: data.test, k: nllK, limit: nllImages,
                                                  seed: 0) { _, _ in }
        let evaluation = Evaluator.evaluate(model: trainer.model, data: data.test, limit: evalImages, seed: 0)
        return Result(decoder: decoder, beta: beta, nll: nll, evaluation: evaluation, seconds: trained.seconds,
                      steps: trainer.step, nonFiniteSteps: trainer.nonFiniteSteps)
    }

    /// "0.25", "1", "4": β as the table, the chart and the verdicts write it.
    public static func betaText(_ beta: Float) -> String { String(format: "%g", beta) }
}

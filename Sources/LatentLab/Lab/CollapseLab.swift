import Foundation

/// `vae-tui lab collapse`: the lecture's posterior-collapse argument (docs/THEORY.md section 6) as a table. An
/// autoregressive decoder can model the images without z, so the plain ELBO drives q(z|x) to p(z); each
/// remedy is one row trained for the same budget from the same seed, beside a factorised decoder that needs z.
public enum CollapseLab {
    /// One row: a name for the table (its setting; the decoder's name goes before it), the lecture's
    /// prediction, and what it changes in the base run.
    public struct Row: Sendable {
        public let key: String
        let setting: @Sendable (LatentDecoder) -> String
        public let prediction: String
        let configure: @Sendable (inout TrainingConfig, _ budgetSteps: Int) -> Void

        init(key: String, name: String, prediction: String,
             configure: @escaping @Sendable (inout TrainingConfig, Int) -> Void) {
            self.init(key: key, setting: { _ in name }, prediction: prediction, configure: configure)
        }

        init(key: String, setting: @escaping @Sendable (LatentDecoder) -> String, prediction: String,
             configure: @escaping @Sendable (inout TrainingConfig, Int) -> Void) {
            self.key = key
            self.setting = setting
            self.prediction = prediction
            self.configure = configure
        }

        /// "MADE, free bits 0.25 nats per unit"; the reference row names its own decoder.
        public func name(for decoder: LatentDecoder) -> String {
            key == "factorized" ? setting(decoder) : "\(decoder.family.title), \(setting(decoder))"
        }
    }

    /// The narrow receptive fields, about one and three rows of a 28-pixel-wide image before each pixel. A
    /// MADE sees exactly 28 and 84 pixels; a PixelCNN's field grows by one row and one column each side a
    /// layer, a triangle rather than whole rows, so it takes 2 and 4 layers (11 and 34 pixels: the default 6
    /// layers already see only 69).
    static func narrowField(_ rows: Int, for decoder: LatentDecoder) -> Int {
        switch decoder {
        case .pixelcnn: rows == 1 ? 2 : 4
        case .made, .factorized: rows * imageSide
        }
    }

    static func fieldName(_ rows: Int, for decoder: LatentDecoder) -> String {
        let setting = narrowField(rows, for: decoder)
        switch decoder {
        case .pixelcnn:
            let pixels = PixelCNNDecoder.receptiveField(layers: setting, height: imageSide, width: imageSide)
            return "\(setting) layers, receptive field \(pixels) pixels"
        case .made, .factorized: return "receptive field \(setting) pixels (\(rows == 1 ? "one row" : "three rows"))"
        }
    }

    /// MNIST's rows and columns, which the narrow fields are counted in.
    static let imageSide = 28

    /// What every row shares unless it changes it: the autoregressive decoder (a MADE with one hidden layer
    /// of 500 and direct connections, or a PixelCNN of 6 masked layers of 32 channels) and a learning rate of
    /// 1e-2, under which the plain ELBO collapses within a few epochs on
    /// MNIST (at 1e-3 it does not within 10: the decoder's autoregression and the encoder learn at the same
    /// pace and z keeps 20 nats; at 1e-2 the decoder models the digits from their previous pixels before q is
    /// informative, He et al.'s lagging inference, and the rate never recovers).
    public static func base(_ config: TrainingConfig, decoder: LatentDecoder) -> TrainingConfig {
        var c = config
        c.model.decoder = decoder
        c.model.decoderHidden = decoder.family.defaultHidden(encoderHidden: config.model.encoderHidden)
        c.adam.learningRate = defaultLearningRate
        return c
    }
    public static let defaultLearningRate: Float = 1e-2
    /// The reference row keeps the factorised model's usual rate: at 1e-2 it trains badly (NLL 116.6 against
    /// about 100 at 1e-3 after 5 epochs), which would flatter every autoregressive row.
    public static let factorizedLearningRate: Float = 1e-3

    /// The lab's setting of `decoder`: the base for an autoregressive one, the reference row's for the
    /// factorised one. Other labs that compare decoders take theirs from here, so the two agree.
    public static func config(_ config: TrainingConfig, decoder: LatentDecoder) -> TrainingConfig {
        var c = base(config, decoder: decoder)
        if !decoder.family.isAutoregressive { useReferenceDecoder(&c) }
        return c
    }

    /// The reference row's change: the factorised decoder, mirroring the encoder, at its usual rate.
    static func useReferenceDecoder(_ c: inout TrainingConfig) {
        c.model.decoder = .factorized
        c.model.decoderHidden = c.model.encoderHidden.reversed()
        c.adam.learningRate = factorizedLearningRate
    }

    /// The remedies' settings.
    public static let freeBitsPerUnit: Float = 0.25
    public static let minimumRate: Float = 0.2

    public static let rows: [Row] = [
        Row(key: "factorized", name: "factorised decoder, plain ELBO, Adam 1e-3",
            prediction: "z in use: the decoder needs it; the reference NLL") { c, _ in useReferenceDecoder(&c) },
        Row(key: "plain", name: "plain ELBO",
            prediction: "collapse: rate → 0, no active units, the decoder alone models x") { _, _ in },
        Row(key: "warmup", name: "KL warm-up over half the budget",
            prediction: "z used while the weight is low; may collapse once it reaches 1") { c, steps in
            c.objective.warmup = KLWarmup(steps: max(1, steps / 2))
        },
        Row(key: "free-bits", name: "free bits 0.25 nats per unit",
            prediction: "rate held near 0.25 × 50 = 12.5 nats") { c, _ in
            c.objective.freeBits = FreeBits(lambda: freeBitsPerUnit, perUnit: true)
        },
        Row(key: "dropout-0.25", name: "conditioning dropout 0.25",
            prediction: "the decoder cannot rely on its previous pixels: z carries more") { c, _ in
            c.objective.conditioningDropout = 0.25
        },
        Row(key: "dropout-0.5", name: "conditioning dropout 0.5",
            prediction: "more rate than 0.25, a worse decoder on its own") { c, _ in
            c.objective.conditioningDropout = 0.5
        },
        Row(key: "rf-28", setting: { fieldName(1, for: $0) },
            prediction: "z must carry everything beyond one row: rate stays up") { c, _ in
            c.model.receptiveField = narrowField(1, for: c.model.decoder)
        },
        Row(key: "rf-84", setting: { fieldName(3, for: $0) },
            prediction: "between the one-row window and the full one") { c, _ in
            c.model.receptiveField = narrowField(3, for: c.model.decoder)
        },
        Row(key: "min-rate", name: "minimum rate δ = 0.2 nats per unit",
            prediction: "rate ≥ 0.2 × 50 = 10 nats by construction") { c, _ in
            c.objective.minimumRate = minimumRate
        },
        Row(key: "aggressive", name: "aggressive inference training",
            prediction: "q keeps up with the posterior early, so z stays in use") { c, _ in
            c.aggressive = true
        },
    ]

    /// What a row measured.
    public struct Result: Sendable {
        public let row: Row
        public let nll: Float
        public let evaluation: Evaluation
        public let seconds: Double
        public let steps: Int
        public let nonFiniteSteps: Int
        /// The epoch aggressive training ended by its rule, if it did.
        public let aggressiveEnded: Int?
    }

    /// Trains `row` from `config` (the base already applied) and evaluates it: NLL = −L_k on the first
    /// `nllImages` test images, the rest on the first `evalImages`. `progress` hears (fraction done, line).
    public static func run(_ row: Row, config: TrainingConfig, data: DataSplits, budget: LabBudget, nllK: Int = 5000,
                           nllImages: Int, evalImages: Int, progress: (Double, String) -> Void) -> Result {
        var c = config
        row.configure(&c, budget.plannedSteps(trainImages: data.train.count, batchSize: c.batchSize))
        let trained = LabTraining.train(c, data: data, budget: budget, progress: progress)
        let trainer = trained.trainer
        let nll = Evaluator.negativeLogLikelihood(model: trainer.model, data: data.test, k: nllK, limit: nllImages,
                                                  seed: 0) { _, _ in }
        let evaluation = Evaluator.evaluate(model: trainer.model, data: data.test, limit: evalImages, seed: 0)
        return Result(row: row, nll: nll, evaluation: evaluation, seconds: trained.seconds, steps: trainer.step,
                      nonFiniteSteps: trainer.nonFiniteSteps, aggressiveEnded: trainer.aggressive.endedAtEpoch)
    }

    /// The table as Markdown.
    public static func markdown(_ results: [Result], decoder: LatentDecoder, caption: String) -> String {
        var lines = [caption, "",
                     "| setting | NLL | ELBO | rate (KL) | distortion | active units | I_q | z use | time, s "
                        + "| the lecture predicts |",
                     "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for r in results {
            let e = r.evaluation
            lines.append(String(format: "| %@ | %.2f | %.2f | %.2f | %.2f | %d/%d | %.2f | %.2f | %.0f | %@ |",
                                r.row.name(for: decoder), r.nll, e.elbo, e.kl, e.distortion, e.activeUnits,
                                e.klPerUnit.count, e.mutualInformation, e.zUse, r.seconds, r.row.prediction))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

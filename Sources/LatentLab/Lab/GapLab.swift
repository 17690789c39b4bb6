import Foundation

/// `vae-tui lab gaps`: the inference gap taken apart (Cremer, Li and Duvenaud 2018; docs/THEORY.md section 8)
/// for models that each differ from one reference in one part, so each part's effect on the gap it should
/// move shows: the encoder's width (amortisation), the posterior family (approximation), the training bound
/// (IWAE k = 5) and aggressive inference training (amortisation). Every row trains from the same seed for the
/// same budget. Beside each row: what the paper or the lecture expects against the reference row, and whether
/// the measurement agrees at that budget; a disagreement is reported, not tuned away.
///
/// The width rows change only the encoder: `VAEConfig` keeps the encoder's and the decoder's hidden layers
/// apart, so the decoder is 200-200 in every row and the generative model's capacity does not move with them.
public enum GapLab {
    /// The three gaps: inference = approximation + amortisation.
    public enum Gap: String, Sendable, CaseIterable {
        case inference, approximation, amortisation
    }

    /// One row's measured gaps: means over the images, each with the estimators' standard error.
    public struct Gaps: Sendable, Equatable {
        public var inference: Estimate
        public var approximation: Estimate
        public var amortisation: Estimate

        public init(inference: Estimate, approximation: Estimate, amortisation: Estimate) {
            self.inference = inference
            self.approximation = approximation
            self.amortisation = amortisation
        }

        public init(_ d: GapDecomposition) {
            self.init(inference: d.inferenceGap, approximation: d.approximationGap, amortisation: d.amortisationGap)
        }

        public subscript(gap: Gap) -> Estimate {
            switch gap {
            case .inference: inference
            case .approximation: approximation
            case .amortisation: amortisation
            }
        }
    }

    /// What a comparison with the reference row says.
    public enum Verdict: String, Sendable {
        case agreed
        case notAgreed = "not agreed"
        /// The difference is under `noiseMultiple` combined standard errors: the budget cannot tell.
        case withinNoise = "within noise"
        /// The row the others are compared with.
        case reference
        /// The reference row was not among the rows run.
        case noReference = "no reference row"
    }

    /// How many combined standard errors a difference must exceed to count as a difference.
    public static let noiseMultiple: Float = 2

    /// A row's verdict and the difference it rests on (the row's gap less the reference's).
    public struct Comparison: Sendable, Equatable {
        public let verdict: Verdict
        public let difference: Estimate?
    }

    /// An expectation: the row's `gap` is `direction` than the reference row's.
    public struct Expectation: Sendable {
        public enum Direction: String, Sendable { case smaller, larger }
        public let gap: Gap
        public let direction: Direction
        public let reference: String
        /// Why it is expected, and who says so.
        public let reason: String

        public init(_ gap: Gap, _ direction: Direction, than reference: String = GapLab.referenceKey,
                    reason: String) {
            self.gap = gap
            self.direction = direction
            self.reference = reference
            self.reason = reason
        }

        /// "amortisation gap larger than diag-h200's: …".
        public var text: String { "\(gap.rawValue) gap \(direction.rawValue) than \(reference)'s: \(reason)" }

        /// The pure rule: within noise when |row − reference| is under `noiseMultiple` combined standard errors
        /// (the rows are independent runs), else agreed when the difference has the expected sign.
        public func compare(_ row: Gaps, with reference: Gaps) -> Comparison {
            let d = Estimate.difference(row[gap], reference[gap])
            if abs(d.value) < GapLab.noiseMultiple * d.standardError {
                return Comparison(verdict: .withinNoise, difference: d)
            }
            let expected = direction == .larger ? d.value > 0 : d.value < 0
            return Comparison(verdict: expected ? .agreed : .notAgreed, difference: d)
        }
    }

    /// One row: its key, what it changes from the reference, what is expected of it, and the change itself.
    public struct Row: Sendable {
        public let key: String
        public let change: String
        /// nil for the reference row.
        public let expectation: Expectation?
        let configure: @Sendable (inout TrainingConfig) -> Void

        /// The reference's configuration with this row's one change.
        public func config(from base: TrainingConfig) -> TrainingConfig {
            var c = base
            configure(&c)
            return c
        }
    }

    /// The reference row's key: the IWAE paper's encoder, a diagonal Gaussian, the k = 1 ELBO.
    public static let referenceKey = "diag-h200"
    /// Hidden units of each of the encoder's two layers, in the width rows; the reference's is the middle one.
    public static let referenceWidth = 200
    public static let narrowWidth = 100
    public static let wideWidth = 500
    static let encoderLayers = 2
    /// The IWAE row's samples per example.
    public static let iwaeSamples = 5

    /// What every row shares unless it changes it: an encoder of two layers of `referenceWidth`, a diagonal
    /// Gaussian q, N(0, I), the factorised decoder, the k = 1 ELBO, no aggressive phase. The rest (the
    /// decoder's 200-200, the latent size, the rate, the batch) is the command's.
    public static func base(_ config: TrainingConfig) -> TrainingConfig {
        var c = config
        c.model.encoderHidden = width(referenceWidth)
        c.model.posterior = .diag
        c.model.prior = .normal
        c.model.decoder = .factorized
        c.objective.kind = .elbo
        c.objective.k = 1
        c.aggressive = false
        return c
    }

    static func width(_ units: Int) -> [Int] { Array(repeating: units, count: encoderLayers) }

    public static let rows: [Row] = [
        Row(key: "diag-h100", change: "encoder 2 × \(narrowWidth) hidden units (decoder unchanged)",
            expectation: Expectation(.amortisation, .larger,
                                     reason: "a narrower encoder amortises worse (Cremer et al. 2018)")) { c in
            c.model.encoderHidden = width(narrowWidth)
        },
        Row(key: referenceKey, change: "the reference: diagonal Gaussian q, encoder 2 × \(referenceWidth), "
                + "k = 1 ELBO", expectation: nil) { _ in },
        Row(key: "diag-h500", change: "encoder 2 × \(wideWidth) hidden units (decoder unchanged)",
            expectation: Expectation(.amortisation, .smaller,
                                     reason: "a wider encoder amortises better (Cremer et al. 2018)")) { c in
            c.model.encoderHidden = width(wideWidth)
        },
        Row(key: "iaf", change: "IAF posterior (\(VAEConfig.defaultFlowSteps) steps of width "
                + "\(VAEConfig.defaultFlowHidden)) on the reference's encoder",
            expectation: Expectation(.approximation, .smaller,
                                     reason: "a flow fits the posterior better (Cremer et al. 2018)")) { c in
            c.model.posterior = .iaf
        },
        // Cremer et al. 2018 find that under the ELBO the decoder shapes its posterior to fit q's family;
        // IWAE's L_k is the ELBO of a richer implicit q (Cremer, Morris and Duvenaud 2017), so that pressure
        // eases and the true posterior need fit the diagonal family less tightly. The lecture's reading;
        // the 2018 paper has no IWAE row.
        Row(key: "iwae-k5", change: "trained on L_\(iwaeSamples) (IWAE) instead of the ELBO",
            expectation: Expectation(.approximation, .larger,
                                     reason: "L_k frees the posterior from q's family (the lecture, after "
                                        + "Cremer et al. 2017 and 2018)")) { c in
            c.objective.kind = .iwae
            c.objective.k = iwaeSamples
        },
        Row(key: "aggressive", change: "aggressive inference training (He et al. 2019)",
            expectation: Expectation(.amortisation, .smaller,
                                     reason: "the encoder catches up with the posterior (He et al. 2019)")) { c in
            c.aggressive = true
        },
    ]

    /// How the gaps are measured after training.
    public struct Measurement: Sendable, Equatable {
        /// The first `images` test images.
        public var images: Int
        public var local: LocalOptimisationSettings
        /// Draws per image for each ELBO.
        public var samples: Int
        /// k of L_k, log p(x)'s estimate (q* the proposal).
        public var importanceSamples: Int
        public var seed: UInt64

        public static let defaultImages = 100

        public init(images: Int = defaultImages, local: LocalOptimisationSettings = .init(),
                    samples: Int = GapAnalysis.defaultSamples,
                    importanceSamples: Int = GapAnalysis.defaultImportanceSamples, seed: UInt64 = 1) {
            self.images = images
            self.local = local
            self.samples = samples
            self.importanceSamples = importanceSamples
            self.seed = seed
        }
    }

    /// What a row measured.
    public struct Result: Sendable {
        public let row: Row
        public let decomposition: GapDecomposition
        /// Training's wall time (the gaps' is the decomposition's).
        public let seconds: Double
        public let steps: Int
        public let nonFiniteSteps: Int
        /// The epoch aggressive training ended by its rule, if it did.
        public let aggressiveEnded: Int?

        public var gaps: Gaps { Gaps(decomposition) }
        /// L[q_φ]: the encoder's ELBO on the gap images.
        public var elbo: Estimate { decomposition.meanAmortisedELBO }
    }

    /// Trains `row` from `base` (`GapLab.base` applied) for `budget`, then takes its gap apart on the first
    /// test images. `progress` hears (fraction done, line) while it trains, and once more as the gaps begin.
    public static func run(_ row: Row, base: TrainingConfig, data: DataSplits, budget: LabBudget,
                           measurement m: Measurement, progress: (Double, String) -> Void) -> Result {
        let trained = LabTraining.train(row.config(from: base), data: data, budget: budget, progress: progress)
        let trainer = trained.trainer
        let x = data.test.batch(0..<min(m.images, data.test.count))
        progress(1, "taking the gap apart on \(x.rows) images (local inference)")
        let decomposition = GapAnalysis.decompose(model: trainer.model, x: x, local: m.local, samples: m.samples,
                                                  importanceSamples: m.importanceSamples, seed: m.seed)
        return Result(row: row, decomposition: decomposition, seconds: trained.seconds, steps: trainer.step,
                      nonFiniteSteps: trainer.nonFiniteSteps, aggressiveEnded: trainer.aggressive.endedAtEpoch)
    }

    /// `result`'s verdict among the rows measured with it: against its reference row, if that was run.
    public static func comparison(for result: Result, among results: [Result]) -> Comparison {
        guard let expectation = result.row.expectation else { return Comparison(verdict: .reference, difference: nil) }
        guard let reference = results.first(where: { $0.row.key == expectation.reference }) else {
            return Comparison(verdict: .noReference, difference: nil)
        }
        return expectation.compare(result.gaps, with: reference.gaps)
    }
}

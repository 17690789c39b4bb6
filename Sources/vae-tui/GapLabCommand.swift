import ArgumentParser
import Foundation
import LatentLab

/// `vae-tui lab gaps`: models that differ from one reference in one part each, their inference gaps taken
/// apart, and beside each row what the paper or the lecture expects and whether the measurement agrees.
struct GapLabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gaps",
        abstract: "Train one model per part that should move the inference gap (encoder width, IAF, IWAE k = 5, "
            + "aggressive training) for the same budget, take each gap apart and check the expectations.")

    @OptionGroup var data: DataOptions
    @OptionGroup var split: SplitOptions
    @OptionGroup var threading: ThreadOptions
    @OptionGroup var lab: LabBudgetOptions

    @Option(help: ArgumentHelp("Only these rows, comma-separated keys: "
                               + "\(GapLab.rows.map(\.key).joined(separator: ", ")).", valueName: "KEYS"))
    var rows: String?

    @Option(name: .customLong("gap-images"),
            help: ArgumentHelp("Test images the gaps are taken on (the first N).", valueName: "N"))
    var gapImages: Int = GapLab.Measurement.defaultImages

    @Option(help: ArgumentHelp("The most Adam steps of local inference.", valueName: "N"))
    var localSteps: Int = LocalOptimisationSettings.defaultSteps

    @Option(help: ArgumentHelp("Draws per image for each ELBO.", valueName: "S"))
    var gapSamples: Int = GapAnalysis.defaultSamples

    @Option(name: .customLong("gap-k"),
            help: ArgumentHelp("Importance samples of log p(x) (L_k, the locally optimised q the proposal).",
                               valueName: "K"))
    var gapK: Int = GapAnalysis.defaultImportanceSamples

    @Option(help: ArgumentHelp("Write the table to PREFIX.md and PREFIX.json.", valueName: "PREFIX"))
    var out: String = "lab-gaps"

    static let maximumImages = 10_000
    static let maximumSteps = 1_000_000

    func validate() throws {
        if !(1...Self.maximumImages).contains(gapImages) {
            throw ValidationError("--gap-images must be between 1 and \(Self.maximumImages), got \(gapImages)")
        }
        if !(0...Self.maximumSteps).contains(localSteps) {
            throw ValidationError("--local-steps must be between 0 and \(Self.maximumSteps), got \(localSteps)")
        }
        if !(2...Self.maximumSteps).contains(gapSamples) {
            throw ValidationError("--gap-samples must be between 2 and \(Self.maximumSteps), got \(gapSamples)")
        }
        if !(1...Self.maximumSteps).contains(gapK) {
            throw ValidationError("--gap-k must be between 1 and \(Self.maximumSteps), got \(gapK)")
        }
        _ = try chosenRows()
    }

    func chosenRows() throws -> [GapLab.Row] { try LabTable.choose(rows, from: GapLab.rows, key: \.key) }

    func run() throws {
        try reportingUserErrors {
            threading.apply()
            let splits = try split.load(try data.source())
            let options = try TrainOptions.parse(["--seed", String(lab.seed)])
            let base = GapLab.base(try options.trainingConfig(inputSize: splits.train.dimension))
            try LabTable.checkWritable(out)
            let chosen = try chosenRows(), budgetText = lab.budget.description
            let measurement = GapLab.Measurement(images: min(gapImages, splits.test.count),
                                                 local: LocalOptimisationSettings(steps: localSteps),
                                                 samples: gapSamples, importanceSamples: gapK, seed: lab.seed)
            print("vae-tui lab gaps: \(splits.name), \(chosen.count) rows of \(budgetText) each, seed \(lab.seed), "
                  + "reference \(base.model.summary), lr \(base.adam.learningRate)")
            let clock = ContinuousClock(), start = clock.now
            let results = LabTable.run(chosen, key: \.key, summary: summary) { row, progress in
                GapLab.run(row, base: base, data: splits, budget: lab.budget, measurement: measurement,
                           progress: progress)
            }
            print(String(format: "all rows: %.0f s", (clock.now - start).seconds))
            let caption = caption(splits.name, base: base, measurement: measurement)
            try LabTable.write(markdown: GapLab.markdown(results, caption: caption),
                               json: GapLab.json(results, caption: caption), to: out)
        }
    }

    private func summary(_ r: GapLab.Result) -> String {
        let g = r.gaps
        return String(format: "%@: ELBO %.2f  inference gap %.2f ± %.2f = approximation %.2f ± %.2f "
                      + "+ amortisation %.2f ± %.2f  (%d local steps; training %.0f s, gaps %.0f s)",
                      r.row.key, r.elbo.value, g.inference.value, g.inference.standardError,
                      g.approximation.value, g.approximation.standardError, g.amortisation.value,
                      g.amortisation.standardError, r.decomposition.localSteps, r.seconds, r.decomposition.seconds)
    }

    private func caption(_ name: String, base: TrainingConfig, measurement m: GapLab.Measurement) -> String {
        "`vae-tui lab gaps` on \(name): \(lab.budget.description) per row, batch \(base.batchSize), "
            + "Adam \(base.adam.learningRate), seed \(lab.seed); reference \(base.model.summary), the decoder the "
            + "same in every row (the width rows change only the encoder's hidden layers). Gaps on the first "
            + "\(m.images) test images: q* by at most \(m.local.steps) Adam steps of local inference, each ELBO "
            + "from \(m.samples) draws per image, log p(x) = L_\(m.importanceSamples) with q* the proposal; "
            + "± one standard error of the estimators for these images. An expectation is agreed when the "
            + "difference from \(GapLab.referenceKey) has the expected sign and exceeds "
            + String(format: "%g", GapLab.noiseMultiple) + " combined standard errors, within noise when it "
            + "does not."
    }
}

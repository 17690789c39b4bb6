import ArgumentParser
import Foundation
import LatentLab

/// `vae-tui lab`: the lecture's experiments that take a table to show.
struct Lab: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one of the lecture's experiments end to end and print its table.",
        subcommands: [CollapseLabCommand.self, GapLabCommand.self, RateDistortionLabCommand.self])
}

/// `vae-tui lab collapse`: posterior collapse with an autoregressive decoder, and every remedy, one row each.
struct CollapseLabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collapse",
        abstract: "Train one model per collapse remedy for the same budget and print NLL, ELBO, rate, active units, "
            + "I_q and z use.")

    @OptionGroup var data: DataOptions
    @OptionGroup var split: SplitOptions
    @OptionGroup var threading: ThreadOptions

    @Option(help: ArgumentHelp("The autoregressive decoder every row but the reference uses.",
                               valueName: "made|pixelcnn"))
    var decoder: LatentDecoder = .made

    @OptionGroup var lab: LabBudgetOptions

    @Option(help: ArgumentHelp("Only these rows, comma-separated keys: "
                               + "\(CollapseLab.rows.map(\.key).joined(separator: ", ")).", valueName: "KEYS"))
    var rows: String?

    @OptionGroup var evaluation: LabEvaluationOptions

    @Option(help: ArgumentHelp("Write the table to PREFIX.md and PREFIX.json.", valueName: "PREFIX"))
    var out: String = "lab-collapse"

    func validate() throws {
        if !decoder.family.isAutoregressive {
            throw ValidationError("--decoder takes an autoregressive decoder (made); "
                                  + "the factorised one is the reference row")
        }
        _ = try chosenRows()
    }

    func chosenRows() throws -> [CollapseLab.Row] { try LabTable.choose(rows, from: CollapseLab.rows, key: \.key) }

    func run() throws {
        try reportingUserErrors {
            threading.apply()
            let splits = try split.load(try data.source())
            var options = try TrainOptions.parse(["--seed", String(lab.seed)])
            options.decoder = decoder
            let config = CollapseLab.base(try options.trainingConfig(inputSize: splits.train.dimension),
                                          decoder: decoder)
            try LabTable.checkWritable(out)
            let chosen = try chosenRows(), budgetText = lab.budget.description
            print("vae-tui lab collapse: \(splits.name), \(chosen.count) rows of \(budgetText) each, "
                  + "seed \(lab.seed), model \(config.model.summary), lr \(config.adam.learningRate)")
            let results = LabTable.run(chosen, key: \.key, summary: { (r: CollapseLab.Result) in
                let e = r.evaluation
                return String(format: "%@: NLL %.2f  ELBO %.2f  rate %.2f  AU %d  I_q %.2f  z use %.2f  (%.0f s)",
                              r.row.name(for: decoder), r.nll, e.elbo, e.kl, e.activeUnits, e.mutualInformation,
                              e.zUse, r.seconds)
            }) { row, progress in
                CollapseLab.run(row, config: config, data: splits, budget: lab.budget, nllK: evaluation.nllK,
                                nllImages: evaluation.nllImages, evalImages: evaluation.evalImages,
                                progress: progress)
            }
            let caption = "`vae-tui lab collapse` on \(splits.name): \(budgetText) per row, batch \(config.batchSize), "
                + "Adam \(config.adam.learningRate), seed \(lab.seed); \(evaluation.description)."
            try LabTable.write(markdown: CollapseLab.markdown(results, decoder: decoder, caption: caption),
                               json: json(results, caption: caption), to: out)
        }
    }

    private func json(_ results: [CollapseLab.Result], caption: String) -> JSONValue {
        .object([("caption", .string(caption)), ("rows", .array(results.map { r in
            let e = r.evaluation
            return .object([
                ("key", .string(r.row.key)), ("setting", .string(r.row.name(for: decoder))), ("nll", .float(r.nll)),
                ("elbo", .float(e.elbo)),
                ("rate", .float(e.kl)), ("distortion", .float(e.distortion)), ("active_units", .int(e.activeUnits)),
                ("mi", .float(e.mutualInformation)), ("z_use", .float(e.zUse)),
                ("ll_prior_z", .float(e.priorLikelihood)),
                ("seconds", .number(r.seconds)), ("steps", .int(r.steps)), ("nonfinite_steps", .int(r.nonFiniteSteps)),
                ("aggressive_ended_epoch", r.aggressiveEnded.map { .int($0) } ?? .null),
                ("prediction", .string(r.row.prediction)),
            ])
        }))])
    }
}

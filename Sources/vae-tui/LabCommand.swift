import ArgumentParser
import Foundation
import LatentLab

/// `vae-tui lab`: the lecture's experiments that take a table to show.
struct Lab: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one of the lecture's experiments end to end and print its table.",
        subcommands: [CollapseLabCommand.self])
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

    @Option(help: ArgumentHelp("Epochs each row trains (default 5).", valueName: "N"))
    var epochs: Int?

    @Option(help: ArgumentHelp("Minutes each row trains, instead of --epochs.", valueName: "M"))
    var minutes: Double?

    @Option(help: ArgumentHelp("Random seed, the same for every row.", valueName: "S"))
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Only these rows, comma-separated keys: "
                               + "\(CollapseLab.rows.map(\.key).joined(separator: ", ")).", valueName: "KEYS"))
    var rows: String?

    @Option(name: .customLong("nll-images"),
            help: ArgumentHelp("Test images the NLL (-L_k) is taken on.", valueName: "N"))
    var nllImages: Int = 500

    @Option(name: .customLong("nll-k"), help: ArgumentHelp("Importance samples of the NLL.", valueName: "K"))
    var nllK: Int = 5000

    @Option(name: .customLong("eval-images"),
            help: ArgumentHelp("Test images the other columns are taken on.", valueName: "N"))
    var evalImages: Int = 2000

    @Option(help: ArgumentHelp("Write the table to PREFIX.md and PREFIX.json.", valueName: "PREFIX"))
    var out: String = "lab-collapse"

    func validate() throws {
        if !decoder.family.isAutoregressive {
            throw ValidationError("--decoder takes an autoregressive decoder (made); "
                                  + "the factorised one is the reference row")
        }
        if epochs != nil && minutes != nil { throw ValidationError("give --epochs or --minutes, not both") }
        if let epochs, !(1...10_000).contains(epochs) {
            throw ValidationError("--epochs must be between 1 and 10000, got \(epochs)")
        }
        if let minutes, !(minutes > 0 && minutes <= 10_000) {
            throw ValidationError("--minutes must be > 0, got \(minutes)")
        }
        if !(1...10_000).contains(nllImages) {
            throw ValidationError("--nll-images must be between 1 and 10000, got \(nllImages)")
        }
        if !(1...100_000).contains(nllK) { throw ValidationError("--nll-k must be between 1 and 100000, got \(nllK)") }
        if !(2...10_000).contains(evalImages) {
            throw ValidationError("--eval-images must be between 2 and 10000, got \(evalImages)")
        }
        _ = try chosenRows()
    }

    func chosenRows() throws -> [CollapseLab.Row] {
        guard let rows else { return CollapseLab.rows }
        return try rows.split(separator: ",").map { key in
            guard let row = CollapseLab.rows.first(where: { $0.key == key.trimmingCharacters(in: .whitespaces) }) else {
                let keys = CollapseLab.rows.map(\.key).joined(separator: ", ")
                throw ValidationError("--rows: no row '\(key)'; the rows are \(keys)")
            }
            return row
        }
    }

    func run() throws {
        try reportingUserErrors {
            threading.apply()
            let splits = try split.load(try data.source())
            var options = try TrainOptions.parse(["--seed", String(seed)])
            options.decoder = decoder
            let config = CollapseLab.base(try options.trainingConfig(inputSize: splits.train.dimension),
                                          decoder: decoder)
            let budget: CollapseLab.Budget = minutes.map { .seconds($0 * 60) } ?? .epochs(epochs ?? 5)
            let budgetText = minutes.map { String(format: "%g minutes", $0) } ?? "\(epochs ?? 5) epochs"
            // Now, not after hours of training.
            for path in [out + ".md", out + ".json"] { try AtomicFile.checkWritable(path) }
            let chosen = try chosenRows()
            print("vae-tui lab collapse: \(splits.name), \(chosen.count) rows of \(budgetText) each, seed \(seed), "
                  + "model \(config.model.summary), lr \(config.adam.learningRate)")
            var results: [CollapseLab.Result] = []
            for (i, row) in chosen.enumerated() {
                let label = "[\(i + 1)/\(chosen.count)] \(row.key)"
                let result = CollapseLab.run(row, config: config, data: splits, budget: budget, nllK: nllK,
                                             nllImages: nllImages, evalImages: evalImages) { done, line in
                    Terminal.progress(label, done: Int(done * 1000), total: 1000, extra: line)
                }
                Terminal.clearProgress()
                let e = result.evaluation
                print(String(format: "%@: NLL %.2f  ELBO %.2f  rate %.2f  AU %d  I_q %.2f  z use %.2f  (%.0f s)",
                             row.name(for: decoder), result.nll, e.elbo, e.kl, e.activeUnits, e.mutualInformation,
                             e.zUse, result.seconds))
                results.append(result)
            }
            let caption = "`vae-tui lab collapse` on \(splits.name): \(budgetText) per row, batch \(config.batchSize), "
                + "Adam \(config.adam.learningRate), seed \(seed); "
                + "NLL = −L_\(nllK) on the first \(nllImages) test images, "
                + "the other columns on the first \(evalImages)."
            let markdown = CollapseLab.markdown(results, decoder: decoder, caption: caption)
            print("\n" + markdown)
            try AtomicFile.write(Data(markdown.utf8), to: out + ".md")
            try AtomicFile.write(Data(json(results, caption: caption).encoded.utf8), to: out + ".json")
            print("wrote \(out).md and \(out).json")
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

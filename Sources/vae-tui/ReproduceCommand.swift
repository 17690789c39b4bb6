import ArgumentParser
import Foundation
import LatentLab

/// `vae-tui reproduce iwae|iaf|collapse`: a lecture table, one run directory per row (its preset) under one
/// parent, trained one after the other and resumable (run it again and it continues where it stopped), then
/// the table with the paper's figures beside the measured ones.
struct Reproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train every row of one of the lecture's tables (iwae, iaf, collapse) from its preset, resumably, "
            + "and print the table beside the paper's figures.")

    enum Table: String, ExpressibleByArgument, CaseIterable {
        case iwae, iaf, collapse

        /// The presets of its rows: `iwae-…` and `iwae2-…`, `iaf-…`, `collapse-…`.
        func rows() -> [String] {
            Presets.names().filter { name in
                switch self {
                case .iwae: name.hasPrefix("iwae-") || name.hasPrefix("iwae2-")
                case .iaf: name.hasPrefix("iaf-")
                case .collapse: name.hasPrefix("collapse-")
                }
            }
        }
    }

    @Argument(help: "The table: iwae, iaf or collapse.")
    var table: Table

    @OptionGroup var data: DataOptions
    @OptionGroup var threading: ThreadOptions

    @Option(help: ArgumentHelp("Epochs per row instead of the presets' (a reduced budget: compare the orderings).",
                               valueName: "N"))
    var epochs: Int?

    @Option(help: ArgumentHelp("Minutes of training per row instead of the presets' epochs: a row stops after "
                               + "the first epoch that ends past them (a reduced budget: compare the orderings).",
                               valueName: "M"))
    var minutes: Double?

    @Option(help: ArgumentHelp("A preset whose settings apply to every row, over the row's own "
                               + "(the flags here override both).", valueName: "NAME"),
            completion: .custom { _, _, _ in Presets.names() })
    var preset: String?

    @Option(help: ArgumentHelp("Only these rows (preset names), comma-separated.", valueName: "NAMES"))
    var rows: String?

    @Option(help: ArgumentHelp("The parent directory of the rows' runs (default runs/reproduce-<table>).",
                               valueName: "DIR"),
            completion: .directory)
    var dir: String?

    @Option(name: .customLong("train-limit"),
            help: ArgumentHelp("Train each row on the first N training images only (quick runs).", valueName: "N"))
    var trainLimit: Int?

    @Option(help: ArgumentHelp("Held-out training images, instead of the presets' (0 for the IWAE rows).",
                               valueName: "N"))
    var validation: Int?

    @Option(name: .customLong("nll-images"),
            help: ArgumentHelp("Test images the NLL is taken on (all 10,000 for the papers' figures).", valueName: "N"))
    var nllImages: Int = 1000

    @Option(name: .customLong("nll-k"), help: ArgumentHelp("Importance samples of the NLL.", valueName: "K"))
    var nllK: Int = 5000

    func validate() throws {
        if let epochs, !(1...100_000).contains(epochs) {
            throw ValidationError("--epochs must be between 1 and 100000, got \(epochs)")
        }
        if let minutes, !(minutes > 0 && minutes <= 100_000) {
            throw ValidationError("--minutes must be above 0, got \(minutes)")
        }
        if minutes != nil && epochs != nil { throw ValidationError("--epochs and --minutes are two budgets: give one") }
        if !(1...10_000).contains(nllImages) {
            throw ValidationError("--nll-images must be between 1 and 10000, got \(nllImages)")
        }
        if !(1...100_000).contains(nllK) { throw ValidationError("--nll-k must be between 1 and 100000, got \(nllK)") }
    }

    func run() throws {
        try reportingUserErrors {
            threading.apply()
            let all = table.rows()
            let chosen = try rows.map { list in
                try list.split(separator: ",").map { name in
                    guard all.contains(String(name)) else {
                        throw UserError("--rows: no row '\(name)' in the \(table) table "
                                        + "(\(all.joined(separator: ", ")))")
                    }
                    return String(name)
                }
            } ?? all
            let parent = dir ?? "runs/reproduce-\(table.rawValue)"
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw UserError("cannot create \(parent): \(error.localizedDescription)")
            }
            try AtomicFile.checkWritable(parent + "/table.md")   // now rather than after the whole table has trained
            let report = SaveReport()
            var results: [JSONValue] = []
            var lines = ["| row | epochs | NLL | paper NLL | ELBO | KL | active units | paper active units |",
                         "| --- | --- | --- | --- | --- | --- | --- | --- |"]
            for (i, name) in chosen.enumerated() {
                print("[\(i + 1)/\(chosen.count)] \(name)")
                let row = try trainRow(name, in: RunDirectory(path: parent + "/" + name), report: report)
                let paper = try Presets.load(name).preset.paper ?? [:]
                let paperNLL = paper["nll"]?.description, paperUnits = paper["active_units"]?.description
                lines.append("| \(name) | \(row.epochs) | \(String(format: "%.2f", row.nll)) | \(paperNLL ?? "") "
                             + "| \(String(format: "%.2f", row.elbo)) | \(String(format: "%.2f", row.kl)) "
                             + "| \(row.activeUnits) | \(paperUnits ?? "") |")
                results.append(.object([("row", .string(name)), ("epochs", .int(row.epochs)), ("nll", .float(row.nll)),
                                        ("elbo", .float(row.elbo)), ("kl", .float(row.kl)),
                                        ("active_units", .int(row.activeUnits)),
                                        ("paper_nll", paperNLL.map { .string($0) } ?? .null),
                                        ("paper_active_units", paperUnits.map { .string($0) } ?? .null)]))
            }
            let reduced = "a reduced budget, so compare the orderings, not the figures"
            let budget = epochs.map { "\($0) epochs per row instead of the presets': \(reduced)" }
                ?? minutes.map {
                    "\(String(format: "%g", $0)) minutes of training per row instead of the presets' epochs: \(reduced)"
                }
                ?? "the presets' budgets"
            let caption = "`vae-tui reproduce \(table.rawValue)`: \(budget); "
                + "NLL = −L_\(nllK), ELBO (L_1) and KL on the first \(nllImages) test images."
            let markdown = ([caption, ""] + lines).joined(separator: "\n") + "\n"
            print("\n" + markdown)
            try AtomicFile.write(Data(markdown.utf8), to: parent + "/table.md")
            let tableJSON = JSONValue.object([("caption", .string(caption)), ("rows", .array(results))])
            try AtomicFile.write(Data(tableJSON.encoded.utf8), to: parent + "/table.json")
            print("wrote \(parent)/table.md and \(parent)/table.json")
            try report.finish()
        }
    }

    /// One row: started from its preset, resumed if it has a run, skipped to its evaluation if it is finished;
    /// the NLL is kept in the run (`nll.json`) so that a rerun does not take it again.
    private func trainRow(_ name: String, in directory: RunDirectory,
                          report: SaveReport) throws -> Row {
        var settings: RunConfig
        if FileManager.default.fileExists(atPath: directory.config) {
            settings = try RunConfig.read(from: directory.config)
        } else {
            var overrides = threading.threads == 1 ? [] : ["--threads", String(threading.threads)]
            if let given = data.given { overrides += ["--data", given] }
            if let dataset = data.dataset { overrides += ["--dataset", dataset] }
            if let epochs { overrides += ["--epochs", String(epochs)] }
            if let trainLimit { overrides += ["--train-limit", String(trainLimit)] }
            if let validation { overrides += ["--validation", String(validation)] }
            let shared = try preset.map { try Presets.load($0).preset.arguments } ?? []
            let train = try Train.parse(try Presets.load(name).preset.arguments + shared + overrides)
            let source = try train.data.source()
            let splits = try train.split.load(source)
            settings = RunConfig(data: source.directory, dataset: source.name, validation: train.split.validation,
                                 trainLimit: train.split.trainLimit, epochs: train.epochs ?? Train.defaultEpochs,
                                 evalLimit: 1000, threads: threading.threads,
                                 training: try train.options.trainingConfig(inputSize: splits.train.dimension,
                                                                            epochs: train.epochs),
                                 version: Program.version)
            try directory.create()
            try settings.write(to: directory.config)
        }
        let splits = try SplitOptions.load(settings.source, validation: settings.validation,
                                           trainLimit: settings.trainLimit)
        let saved = FileManager.default.fileExists(atPath: directory.checkpoint)
            ? try Checkpoint.load(directory.checkpoint) : nil
        let done = saved?.trainingState.map { $0.samplesSeen / max(1, splits.train.count) } ?? 0
        let nllFile = directory.path + "/nll.json"
        if done >= settings.epochs, let saved = FileManager.default.contents(atPath: nllFile),
           let object = try? JSONSerialization.jsonObject(with: saved) as? [String: Any],
           let nll = object["nll"] as? Double, let units = object["active_units"] as? Int, object["k"] as? Int == nllK,
           let elbo = object["elbo"] as? Double, let kl = object["kl"] as? Double,
           object["images"] as? Int == nllImages {
            print("  finished and evaluated: NLL \(String(format: "%.2f", nll))")
            return Row(epochs: settings.epochs, nll: Float(nll), elbo: Float(elbo), kl: Float(kl), activeUnits: units)
        }
        let trainer: Trainer
        if let saved, done >= settings.epochs {   // finished: its model from the checkpoint just read
            trainer = Trainer(config: settings.training, data: splits)
            try trainer.load(weights: saved.weights)
        } else {
            let deadline = minutes.map { ContinuousClock.now + .seconds($0 * 60) }
            let (trained, reached, _) = try RunTraining.train(directory: directory, settings: settings, splits: splits,
                                                           resuming: saved != nil, epochs: nil,
                                                           threads: threading.threads, deadline: deadline,
                                                           report: report)
            trainer = trained
            if reached < settings.epochs {  // the time ran out: the row is finished where it stopped
                settings.epochs = reached
                try settings.write(to: directory.config)
                print("  \(String(format: "%g", minutes ?? 0)) minutes: stopped after epoch \(reached)")
            }
        }
        let n = min(nllImages, splits.test.count)
        let nll = Evaluator.negativeLogLikelihood(model: trainer.model, data: splits.test, k: nllK,
                                                  limit: n) { done, total in
            if done % 10 == 0 || done == total { Terminal.progress("NLL (k=\(nllK))", done: done, total: total) }
        }
        Terminal.clearProgress()
        let evaluation = Evaluator.evaluate(model: trainer.model, data: splits.test, limit: n)
        let row = Row(epochs: settings.epochs, nll: nll, elbo: evaluation.elbo, kl: evaluation.kl,
                      activeUnits: evaluation.activeUnits)
        let record = JSONValue.object([("nll", .float(nll)), ("elbo", .float(row.elbo)), ("kl", .float(row.kl)),
                                       ("active_units", .int(row.activeUnits)), ("k", .int(nllK)), ("images", .int(n))])
        try AtomicFile.write(Data(record.encoded.utf8), to: nllFile)
        print(String(format: "  NLL %.2f, ELBO %.2f, KL %.2f, %d active units", nll, row.elbo, row.kl,
                     row.activeUnits))
        return row
    }

    /// A row's measured figures on the test images: NLL = −L_k, the ELBO (L_1) and its KL, Burda's active units.
    struct Row {
        var epochs: Int
        var nll: Float
        var elbo: Float
        var kl: Float
        var activeUnits: Int
    }
}

import ArgumentParser
import Foundation
import LatentLab

/// `vae-tui train`: trains without a screen, a progress bar and a summary line per epoch.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a VAE headless, with a progress bar and one summary line per epoch.")

    @OptionGroup var data: DataOptions
    @OptionGroup var split: SplitOptions
    @OptionGroup var options: TrainOptions
    @OptionGroup var threading: ThreadOptions

    @Option(help: ArgumentHelp("Epochs to train (default 10); with --resume, more epochs "
                               + "(default: the rest of the run's).", valueName: "N"))
    var epochs: Int?

    @Option(name: .customLong("run-dir"),
            help: ArgumentHelp("Write the run here: config.json, metrics.jsonl, checkpoint.safetensors, "
                               + "best.safetensors (default runs/<date>-<time>-<model>).", valueName: "DIR"),
            completion: .directory)
    var runDirectory: String?

    @Option(help: ArgumentHelp("Continue the run in DIR exactly where it stopped "
                               + "(every setting from its config.json).", valueName: "DIR"),
            completion: .directory)
    var resume: String?

    static let defaultEpochs = 10

    @Option(help: ArgumentHelp("Append one JSON object per epoch to this file.", valueName: "FILE.jsonl"))
    var log: String?

    @Option(help: ArgumentHelp("Save the model here (safetensors) after every epoch.", valueName: "FILE"))
    var checkpoint: String?

    @Option(name: .customLong("eval-limit"),
            help: ArgumentHelp("Evaluate each epoch on the first N test images (default all).", valueName: "N"))
    var evalLimit: Int?

    func validate() throws {
        if let epochs, epochs < 0 || epochs > 1_000_000 {
            throw ValidationError("--epochs must be between 0 and 1000000, got \(epochs)")
        }
        if resume != nil && runDirectory != nil {
            throw ValidationError("--resume continues its own directory: leave out --run-dir")
        }
        if let evalLimit, evalLimit < 1 { throw ValidationError("--eval-limit must be at least 1") }
    }

    func run() throws {
        try reportingUserErrors {
            threading.apply()
            // The files given are checked before the run directory is made, so that a refusal leaves nothing behind.
            if let checkpoint { try AtomicFile.checkWritable(checkpoint) }
            let extraLog = try log.map { try RunLog(path: $0) }
            let (directory, settings, splits) = try start()
            let report = SaveReport()
            // A run killed before its first checkpoint starts again from the beginning.
            let resuming = resume != nil && FileManager.default.fileExists(atPath: directory.checkpoint)
            _ = try RunTraining.train(directory: directory, settings: settings, splits: splits, resuming: resuming,
                                      epochs: epochs, log: extraLog, checkpoint: checkpoint, threads: threading.threads,
                                      report: report, faults: options.injectNaN)
            try report.finish()
        }
    }

    /// The run directory and its settings: a resumed run's from its config.json, a new run's from the
    /// flags, written there before the first epoch.
    private func start() throws -> (RunDirectory, RunConfig, DataSplits) {
        if let resume {
            let reopened = try RunDirectory.reopen(resume)
            try AtomicFile.checkWritable(reopened.0.checkpoint)
            return reopened
        }
        let epochs = epochs ?? Self.defaultEpochs
        return try RunDirectory.start(data: data, split: split, given: runDirectory, epochs: epochs,
                                      evalLimit: evalLimit, threads: threading.threads) {
            try options.trainingConfig(inputSize: $0, epochs: epochs)
        }
    }
}

struct EpochSummary {
    var objective: Double
    var loss: Double
    var seconds: Double
    var samplesPerSecond: Double
    var skipped: Int
    /// False when a stop request ended the pass before its last step.
    var completed = true
}

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

    @Option(help: ArgumentHelp("Epochs to train (default 10); with --resume, more epochs (default: the rest of the run's).", valueName: "N"))
    var epochs: Int?

    @Option(name: .customLong("run-dir"), help: ArgumentHelp("Write the run here: config.json, metrics.jsonl, checkpoint.safetensors, best.safetensors (default runs/<date>-<time>-<model>).", valueName: "DIR"), completion: .directory)
    var runDirectory: String?

    @Option(help: ArgumentHelp("Continue the run in DIR exactly where it stopped (every setting from its config.json).", valueName: "DIR"), completion: .directory)
    var resume: String?

    static let defaultEpochs = 10

    @Option(help: ArgumentHelp("Append one JSON object per epoch to this file.", valueName: "FILE.jsonl"))
    var log: String?

    @Option(help: ArgumentHelp("Save the model here (safetensors) after every epoch.", valueName: "FILE"))
    var checkpoint: String?

    @Option(name: .customLong("eval-limit"), help: ArgumentHelp("Evaluate each epoch on the first N test images (default all).", valueName: "N"))
    var evalLimit: Int?

    func validate() throws {
        if let epochs, epochs < 0 || epochs > 1_000_000 { throw ValidationError("--epochs must be between 0 and 1000000, got \(epochs)") }
        if resume != nil && runDirectory != nil { throw ValidationError("--resume continues its own directory: leave out --run-dir") }
        if let evalLimit, evalLimit < 1 { throw ValidationError("--eval-limit must be at least 1") }
    }

    func run() throws {
        try reportingUserErrors {
            threading.apply()
            let (directory, settings, splits) = try start()
            let config = settings.training
            let runLog = try RunLog(path: directory.metrics)
            let extraLog = try log.map { try RunLog(path: $0) }
            if let checkpoint { try checkDirectoryExists(for: checkpoint) }
            let trainer = Trainer(config: config, data: splits)
            var done = 0
            if resume != nil {
                let saved = try Checkpoint.load(directory.checkpoint)
                guard let state = saved.trainingState else { throw UserError("\(directory.checkpoint) holds no training state to resume") }
                try trainer.load(weights: saved.weights)
                try trainer.restore(state, tensors: saved.stateTensors)
                done = state.samplesSeen / max(1, splits.train.count)
                runLog.write([("event", .string("resume")), ("epoch", .int(done)), ("step", .int(trainer.step))])
            } else {
                for l in [runLog] + (extraLog.map { [$0] } ?? []) { l.write(RunRecords.start(trainer: trainer, epochs: settings.epochs, threads: threading.threads)) }
            }
            let epochs = self.epochs ?? (resume != nil ? max(0, settings.epochs - done) : Self.defaultEpochs)
            var best = directory.bestValidationELBO() ?? -.infinity
            let probe = splits.test.batch(0..<min(100, splits.test.count))
            print("vae-tui: \(splits.name), \(splits.train.count) training / \(splits.validation.count) validation / \(splits.test.count) test images; model \(config.model.summary); \(config.objective.kind.rawValue) k=\(config.objective.k), batch \(config.batchSize), seed \(config.seed); run \(directory.path)\(resume != nil ? ", resumed after epoch \(done)" : "")")
            var trainingSeconds = 0.0
            for epoch in (done + 1)..<(done + epochs + 1) {
                let summary = trainEpoch(trainer, epoch: epoch, run: (epochs, epoch - done - 1, trainingSeconds))
                trainingSeconds += summary.seconds
                let eval = Evaluator.evaluate(model: trainer.model, data: splits.test, limit: settings.evalLimit, seed: UInt64(epoch))
                let bounds = Evaluator.probeBounds(model: trainer.model, probe: probe)
                var record = RunRecords.epoch(epoch: epoch, trainer: trainer, summary: summary, eval: eval, probeBounds: bounds)
                let validation = splits.validation.count > 0
                    ? Evaluator.evaluate(model: trainer.model, data: splits.validation, limit: settings.evalLimit, seed: UInt64(epoch), boundSamples: 1).elbo
                    : nil
                if let validation { record.append(("validation_elbo", .float(validation))) }
                runLog.write(record)
                extraLog?.write(record)
                print(String(format: "epoch %d  step %d  train %@ %.2f  test ELBO %.2f  KL %.2f  AU %d/%d  I_q %.2f  z use %.2f  %.0f samples/s",
                             epoch, trainer.step, trainer.objective.kind.rawValue, summary.objective, eval.elbo, eval.kl,
                             eval.activeUnits, trainer.model.config.latentSize, eval.mutualInformation, eval.zUse,
                             summary.samplesPerSecond))
                if trainer.aggressive.isOn {
                    let a = trainer.aggressive
                    print(a.endedAtEpoch.map { "  aggressive training ended at epoch \($0): held-out I_q stopped rising" }
                          ?? "  aggressive: \(a.lastInnerSteps) encoder steps before the last decoder step")
                }
                if summary.skipped > 0 { print("  \(summary.skipped) step(s) had a NaN or Inf and were skipped; \(trainer.recoveries) recovery(ies) from the last good weights") }
                try Checkpoint.save(model: trainer.model, step: trainer.step, objective: trainer.objective, dataset: splits.name,
                                    to: directory.checkpoint, training: trainer.savedState())
                if let validation, validation > best {
                    best = validation
                    try Checkpoint.save(model: trainer.model, step: trainer.step, objective: trainer.objective, dataset: splits.name,
                                        to: directory.best)
                }
                if let checkpoint {
                    try Checkpoint.save(model: trainer.model, step: trainer.step, objective: trainer.objective,
                                        dataset: splits.name, to: checkpoint)
                }
            }
        }
    }

    /// The run directory and its settings: a resumed run's from its config.json, a new run's from the
    /// flags, written there before the first epoch.
    private func start() throws -> (RunDirectory, RunConfig, DataSplits) {
        if let resume {
            let directory = RunDirectory(path: resume)
            let settings = try RunConfig.read(from: directory.config)
            return (directory, settings, try SplitOptions.load(directory: settings.data, validation: settings.validation,
                                                               trainLimit: settings.trainLimit))
        }
        let splits = try split.load(data)
        let training = try options.trainingConfig(inputSize: splits.train.dimension, epochs: epochs ?? Self.defaultEpochs)
        let directory = RunDirectory(path: runDirectory ?? RunDirectory.defaultPath(for: training.model))
        try directory.create()
        let settings = RunConfig(data: data.directory, validation: split.validation, trainLimit: split.trainLimit,
                                 epochs: epochs ?? Self.defaultEpochs, evalLimit: evalLimit, threads: threading.threads,
                                 training: training, version: Program.version)
        try settings.write(to: directory.config)
        return (directory, settings, splits)
    }

    /// One pass over the training set; evaluation is not part of the timed work.
    /// `run` is the run's progress so far (epochs to train, epochs done, seconds they took), for the bar's
    /// elapsed and remaining time.
    private func trainEpoch(_ trainer: Trainer, epoch: Int, run: (epochs: Int, done: Int, seconds: Double)) -> EpochSummary {
        let steps = trainer.stepsPerEpoch
        var sumObjective = 0.0, sumLoss = 0.0, applied = 0, skipped = 0, samples = 0
        let clock = ContinuousClock()
        let start = clock.now
        for i in 1...steps {
            let report = trainer.trainStep()
            samples += trainer.config.batchSize
            if report.applied {
                sumObjective += Double(report.stats.bound)
                sumLoss += Double(report.stats.loss)
                applied += 1
            } else {
                skipped += 1
            }
            if i % 20 == 0 || i == steps {
                let elapsed = (clock.now - start).seconds, total = run.seconds + elapsed
                let left = total / (Double(run.done) + Double(i) / Double(steps)) * Double(run.epochs) - total
                Terminal.progress("epoch \(run.done + 1)/\(run.epochs)", done: i, total: steps,
                                  extra: String(format: "%@ %.2f · %.0f img/s · %@ elapsed, %@ left", trainer.objective.kind.rawValue,
                                                sumObjective / Double(max(applied, 1)), Double(samples) / max(elapsed, 1e-9),
                                                Terminal.duration(total), Terminal.duration(left)))
            }
        }
        Terminal.clearProgress()
        let seconds = (clock.now - start).seconds
        return EpochSummary(objective: sumObjective / Double(max(applied, 1)), loss: sumLoss / Double(max(applied, 1)),
                            seconds: seconds, samplesPerSecond: Double(samples) / seconds, skipped: skipped)
    }
}

struct EpochSummary {
    var objective: Double
    var loss: Double
    var seconds: Double
    var samplesPerSecond: Double
    var skipped: Int
}

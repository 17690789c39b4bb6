import ArgumentParser
import Foundation
import LatentLab

/// One row of a table: the one step plain `reproduce` takes per row, a Slurm task takes for its row (`--row`), and
/// `--collect` takes without training.
extension Reproduce {
    /// What became of a row.
    enum RowOutcome {
        /// Trained and evaluated: its figures.
        case measured(Row)
        /// A signal stopped its training at a step boundary, the state saved: it continues when run again.
        case stopped
        /// `--collect` only: not finished, and why ("not started", "failed: …", "stopped at epoch 3/3280").
        case missing(String)
    }

    /// A row's measured figures on the test images: NLL = −L_k, the ELBO (L_1) and its KL, Burda's active units.
    struct Row {
        var epochs: Int
        var nll: Float
        var elbo: Float
        var kl: Float
        var activeUnits: Int
    }

    /// The row `name` in `parent/name`: started from its preset, resumed if it has a run, evaluated once it is
    /// finished (the figures kept in nll.json, so that a rerun does not take them again). `row.json` follows it:
    /// running, stopped, done, or failed with the message of the error that ended it. `training: false` (the
    /// collect job) trains nothing: a row not finished is `missing`.
    func runRow(_ name: String, parent: String, report: SaveReport, training: Bool) throws -> RowOutcome {
        let directory = RunDirectory(path: parent + "/" + name)
        guard training else { return try collectRow(name, in: directory) }
        do {
            return try trainRow(name, in: directory, report: report)
        } catch let error as UserError {
            Self.markFailed(directory, error.description)
            throw error
        } catch let error as CheckpointError {
            Self.markFailed(directory, error.description)
            throw error
        } catch let error as DataError {
            Self.markFailed(directory, error.description)
            throw error
        }
    }

    private func trainRow(_ name: String, in directory: RunDirectory, report: SaveReport) throws -> RowOutcome {
        var (settings, splits) = try rowSettings(name, in: directory)
        let stepsPerEpoch = Trainer.stepsPerEpoch(trainImages: splits.train.count,
                                                  batchSize: settings.training.batchSize)
        let saved = FileManager.default.fileExists(atPath: directory.checkpoint)
            ? try Checkpoint.load(directory.checkpoint) : nil
        let startStep = saved?.trainingState?.step ?? 0, done = startStep / stepsPerEpoch
        let started = Date().timeIntervalSince1970
        func state(_ phase: RowState.Phase, epoch: Int, step: Int, message: String? = nil) -> RowState {
            RowState.current(phase, epoch: epoch, epochs: settings.epochs, step: step, stepsPerEpoch: stepsPerEpoch,
                             started: started, startStep: startStep, message: message)
        }
        if done >= settings.epochs, let row = Row.read(from: directory, epochs: settings.epochs, k: nllK,
                                                         images: min(nllImages, splits.test.count)) {
            print("  finished and evaluated: NLL \(String(format: "%.2f", row.nll))")
            try state(.done, epoch: done, step: startStep).write(to: directory)
            return .measured(row)
        }
        try state(.running, epoch: done, step: startStep).write(to: directory)
        let trainer: Trainer
        if let saved, done >= settings.epochs {   // finished: its model from the checkpoint just read
            trainer = Trainer(config: settings.training, data: splits)
            try trainer.load(weights: saved.weights)
        } else {
            let deadline = minutes.map { ContinuousClock.now + .seconds($0 * 60) }
            let run = try RunTraining.train(directory: directory, settings: settings, splits: splits,
                                            resuming: saved != nil, epochs: nil, threads: threading.threads,
                                            deadline: deadline, stop: stopCheck, report: report)
            if run.stopped {
                // A time-limit warning with not one step since the start would requeue the task forever.
                if StopRequest.received == SIGUSR1 && run.trainer.step == startStep {
                    throw UserError("\(name): warned of the time limit before its first step (at step \(startStep)): "
                                    + "the task's time leaves none for training; give the tasks more --time")
                }
                try state(.stopped, epoch: run.epochs, step: run.trainer.step).write(to: directory)
                return .stopped
            }
            trainer = run.trainer
            if run.epochs < settings.epochs {  // the time ran out: the row is finished where it stopped
                settings.epochs = run.epochs
                try settings.write(to: directory.config)
                print("  \(String(format: "%g", minutes ?? 0)) minutes: stopped after epoch \(run.epochs)")
            }
        }
        if StopRequest.isRaised {   // before the NLL, which no signal interrupts
            try state(.stopped, epoch: settings.epochs, step: trainer.step).write(to: directory)
            return .stopped
        }
        let row = try evaluate(trainer, splits: splits, epochs: settings.epochs, in: directory)
        try state(.done, epoch: settings.epochs, step: trainer.step).write(to: directory)
        return .measured(row)
    }

    /// `--collect`'s view of a row: its figures, evaluated now if it is finished and was not, else why it is missing.
    private func collectRow(_ name: String, in directory: RunDirectory) throws -> RowOutcome {
        let failure = RowState.read(from: directory).flatMap { $0.state == .failed ? $0.message ?? "no message" : nil }
        guard FileManager.default.fileExists(atPath: directory.config) else {
            return .missing(failure.map { "failed: \($0)" } ?? "not started")
        }
        let (_, settings, splits) = try RunDirectory.reopen(directory.path)
        let stepsPerEpoch = Trainer.stepsPerEpoch(trainImages: splits.train.count,
                                                  batchSize: settings.training.batchSize)
        let saved = FileManager.default.fileExists(atPath: directory.checkpoint)
            ? try Checkpoint.load(directory.checkpoint) : nil
        let done = (saved?.trainingState?.step ?? 0) / stepsPerEpoch
        guard let saved, done >= settings.epochs else {
            return .missing(failure.map { "failed: \($0)" } ?? "not finished: epoch \(done)/\(settings.epochs)")
        }
        if let row = Row.read(from: directory, epochs: settings.epochs, k: nllK,
                              images: min(nllImages, splits.test.count)) {
            print("  finished and evaluated: NLL \(String(format: "%.2f", row.nll))")
            return .measured(row)
        }
        let trainer = Trainer(config: settings.training, data: splits)
        try trainer.load(weights: saved.weights)
        return .measured(try evaluate(trainer, splits: splits, epochs: settings.epochs, in: directory))
    }

    /// NLL = −L_k, the ELBO, the KL and the active units on the first test images, kept in nll.json.
    private func evaluate(_ trainer: Trainer, splits: DataSplits, epochs: Int,
                          in directory: RunDirectory) throws -> Row {
        let n = min(nllImages, splits.test.count)
        let nll = Evaluator.negativeLogLikelihood(model: trainer.model, data: splits.test, k: nllK,
                                                  limit: n) { done, total in
            if done % 10 == 0 || done == total { Terminal.progress("NLL (k=\(nllK))", done: done, total: total) }
        }
        Terminal.clearProgress()
        let evaluation = Evaluator.evaluate(model: trainer.model, data: splits.test, limit: n)
        let row = Row(epochs: epochs, nll: nll, elbo: evaluation.elbo, kl: evaluation.kl,
                      activeUnits: evaluation.activeUnits)
        try row.write(to: directory, k: nllK, images: n)
        print(String(format: "  NLL %.2f, ELBO %.2f, KL %.2f, %d active units", nll, row.elbo, row.kl,
                     row.activeUnits))
        return row
    }

    /// A row's settings: its config.json when it has a run, else made from its preset, then --preset's, then the
    /// flags, and written there. Its data, split as the settings say.
    func rowSettings(_ name: String, in directory: RunDirectory) throws -> (RunConfig, DataSplits) {
        if FileManager.default.fileExists(atPath: directory.config) {
            let (_, settings, splits) = try RunDirectory.reopen(directory.path)
            return (settings, splits)
        }
        let (settings, splits) = try newRowSettings(name)
        try directory.create()
        try settings.write(to: directory.config)
        return (settings, splits)
    }

    /// The settings a new row starts from: its preset, then --preset's, then the flags; and its data.
    func newRowSettings(_ name: String) throws -> (RunConfig, DataSplits) {
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
        let settings = RunConfig(data: source.directory, dataset: source.name, validation: train.split.validation,
                                 trainLimit: train.split.trainLimit, epochs: train.epochs ?? Train.defaultEpochs,
                                 evalLimit: Self.evalLimit, threads: threading.threads,
                                 training: try train.options.trainingConfig(inputSize: splits.train.dimension,
                                                                            epochs: train.epochs),
                                 version: Program.version)
        return (settings, splits)
    }

    /// Test images each epoch's evaluation takes.
    static let evalLimit = 1000

    /// Asked before every step: a stop signal has come. `--stop-at-step` (for the tests) raises SIGUSR1 itself
    /// before that step, through the same handler.
    private var stopCheck: (_ step: Int) -> Bool {
        { [stopAtStep] step in
            if let stopAtStep, step == stopAtStep { raise(SIGUSR1) }
            return StopRequest.isRaised
        }
    }

    /// Marks the row failed with `message`, keeping what row.json knew of its progress.
    private static func markFailed(_ directory: RunDirectory, _ message: String) {
        guard (try? FileManager.default.createDirectory(atPath: directory.path,
                                                        withIntermediateDirectories: true)) != nil else { return }
        let known = RowState.read(from: directory)
        let now = Date().timeIntervalSince1970
        try? RowState.current(.failed, epoch: known?.epoch ?? 0, epochs: known?.epochs ?? 0, step: known?.step ?? 0,
                              stepsPerEpoch: known?.stepsPerEpoch ?? 1, started: known?.started ?? now,
                              startStep: known?.startStep ?? 0, message: message).write(to: directory)
    }
}

extension Reproduce.Row {
    static let fileName = "nll.json"

    /// The figures nll.json keeps for a row of `epochs` epochs, when they were taken with this k on these images.
    static func read(from directory: RunDirectory, epochs: Int, k: Int, images: Int) -> Self? {
        guard let saved = FileManager.default.contents(atPath: directory.path + "/" + fileName),
              let object = try? JSONSerialization.jsonObject(with: saved) as? [String: Any],
              let nll = object["nll"] as? Double, let units = object["active_units"] as? Int, object["k"] as? Int == k,
              let elbo = object["elbo"] as? Double, let kl = object["kl"] as? Double,
              object["images"] as? Int == images else { return nil }
        return Self(epochs: epochs, nll: Float(nll), elbo: Float(elbo), kl: Float(kl), activeUnits: units)
    }

    func write(to directory: RunDirectory, k: Int, images: Int) throws {
        let record = JSONValue.object([("nll", .float(nll)), ("elbo", .float(elbo)), ("kl", .float(kl)),
                                       ("active_units", .int(activeUnits)), ("k", .int(k)), ("images", .int(images))])
        try AtomicFile.write(Data(record.encoded.utf8), to: directory.path + "/" + Self.fileName)
    }
}

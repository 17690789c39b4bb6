import Foundation
import LatentLab

/// Training a run in its directory, epoch by epoch: `train` and `reproduce` both go through here.
enum RunTraining {
    /// Trains `epochs` epochs (a new run: `settings.epochs`; a resumed one: by default the rest of them), after
    /// each the log record, the best validation ELBO's weights, and the checkpoint with the trainer's state.
    /// With a `deadline`, no epoch after the first starts past it. When `stop` says so between two steps, the
    /// checkpoint is saved there, mid-epoch, and training returns `stopped`: resumed, the run takes the rest of
    /// that epoch's steps and goes on as if it had never stopped. Returns the trainer, the epochs the run has done
    /// in all, and whether it stopped.
    /// A file that cannot be written does not stop training: `report` says so (and the caller decides the exit status).
    static func train(directory: RunDirectory, settings: RunConfig, splits: DataSplits, resuming: Bool, epochs: Int?,
                      log extraLog: RunLog? = nil, checkpoint: String? = nil, threads: Int,
                      deadline: ContinuousClock.Instant? = nil, stop: ((_ step: Int) -> Bool)? = nil,
                      report: SaveReport,
                      faults: FaultInjection? = nil) throws -> (trainer: Trainer, epochs: Int, stopped: Bool) {
        let config = settings.training
        directory.removeStaleTemporaries()
        let runLog = try RunLog(path: directory.metrics)
        for log in [runLog] + (extraLog.map { [$0] } ?? []) { report.watch(log) }
        let trainer = Trainer(config: config, data: splits)
        trainer.faultInjection = faults
        var done = 0, into = 0   // whole epochs done, and steps into the next
        if resuming {
            let saved = try Checkpoint.load(directory.checkpoint)
            guard let state = saved.trainingState else {
                throw UserError("\(directory.checkpoint) holds no training state to resume")
            }
            // config.json and the checkpoint are written from one trainer: a checkpoint that names another
            // model is damaged, even when its weights happen to fit this one.
            guard saved.config == config.model else {
                throw UserError("\(directory.checkpoint): its model (\(saved.config.summary)) "
                                + "is not the run's (\(config.model.summary))")
            }
            try trainer.load(weights: saved.weights)
            try trainer.restore(state, tensors: saved.stateTensors)
            (done, into) = (trainer.step / trainer.stepsPerEpoch, trainer.step % trainer.stepsPerEpoch)
            runLog.write([("event", .string("resume")), ("epoch", .int(done)), ("step", .int(trainer.step))])
        } else {
            for l in [runLog] + (extraLog.map { [$0] } ?? []) {
                l.write(RunRecords.start(trainer: trainer, epochs: settings.epochs, threads: threads))
            }
        }
        let epochs = epochs ?? max(0, settings.epochs - done)
        var best = directory.bestValidationELBO(throughEpoch: done) ?? -.infinity
        let probe = probeBatch(splits)
        let images = "\(splits.train.count) training / \(splits.validation.count) validation / "
                     + "\(splits.test.count) test images"
        let objective = "\(config.objective.kind.rawValue) k=\(config.objective.k)"
        let resumed = into > 0 ? ", resumed at step \(into) of epoch \(done + 1)" : ", resumed after epoch \(done)"
        print("vae-tui: \(splits.name), \(images); model \(config.model.summary); \(objective), "
              + "batch \(config.batchSize), seed \(config.seed); "
              + "run \(directory.path)\(resuming ? resumed : "")")
        var trainingSeconds = 0.0
        var finished = done
        for epoch in (done + 1)..<(done + epochs + 1) {
            if let deadline, epoch > done + 1, ContinuousClock.now >= deadline { break }
            let summary = try trainEpoch(trainer, run: (epochs, epoch - done - 1, trainingSeconds),
                                         from: epoch == done + 1 ? into : 0, stop: stop)
            trainingSeconds += summary.seconds
            guard summary.completed else {
                _ = saveEpoch(trainer, dataset: splits.name, directory: directory, isBest: false,
                              checkpoint: checkpoint, report: report)
                let record: [(String, JSONValue)] = [("event", .string("stop")), ("epoch", .int(finished)),
                                                     ("step", .int(trainer.step))]
                runLog.write(record)
                extraLog?.write(record)
                print("stopped at step \(trainer.step) (\(trainer.step % trainer.stepsPerEpoch) of epoch "
                      + "\(epoch)), saved: it continues from there when resumed")
                return (trainer, finished, true)
            }
            finished = epoch
            let (eval, bounds, validation) = evaluateEpoch(epoch, trainer: trainer, splits: splits, probe: probe,
                                                           limit: settings.evalLimit)
            var record = RunRecords.epoch(epoch: epoch, trainer: trainer, summary: summary, eval: eval,
                                          probeBounds: bounds)
            if let validation { record.append(("validation_elbo", .float(validation))) }
            runLog.write(record)
            extraLog?.write(record)
            print(String(format: "epoch %d  step %d  train %@ %.2f  test ELBO %.2f  KL %.2f  AU %d/%d  I_q %.2f  "
                                 + "z use %.2f  %.0f samples/s",
                         epoch, trainer.step, trainer.objective.kind.rawValue, summary.objective, eval.elbo, eval.kl,
                         eval.activeUnits, trainer.model.config.latentSize, eval.mutualInformation, eval.zUse,
                         summary.samplesPerSecond))
            fflush(nil)   // a log file (a Slurm task's) shows each epoch as it ends, not when a buffer fills
            if trainer.aggressive.isOn {
                let a = trainer.aggressive
                print(a.endedAtEpoch.map { "  aggressive training ended at epoch \($0): held-out I_q stopped rising" }
                      ?? "  aggressive: \(a.lastInnerSteps) encoder steps before the last decoder step")
            }
            if summary.skipped > 0 {
                print("  \(summary.skipped) step(s) had a NaN or Inf and were skipped; "
                      + "\(trainer.recoveries) recovery(ies) from the last good weights")
            }
            let isBest = validation.map { $0 > best } ?? false
            // Only a best whose weights were saved counts: after a failed save, a later, lesser best is still kept.
            if saveEpoch(trainer, dataset: splits.name, directory: directory, isBest: isBest,
                         checkpoint: checkpoint, report: report),
               let validation { best = validation }
        }
        return (trainer, finished, false)
    }

    /// The evaluation after each epoch: the test set's figures (the first `limit` images), the probe's bounds,
    /// and the validation ELBO when there is a validation set. `reproduce --cost` times it.
    static func evaluateEpoch(_ epoch: Int, trainer: Trainer, splits: DataSplits, probe: Tensor, limit: Int?)
        -> (eval: Evaluation, bounds: ProbeBounds, validation: Float?) {
        let eval = Evaluator.evaluate(model: trainer.model, data: splits.test, limit: limit, seed: UInt64(epoch))
        let bounds = Evaluator.probeBounds(model: trainer.model, probe: probe)
        let validation = splits.validation.count > 0
            ? Evaluator.evaluate(model: trainer.model, data: splits.validation, limit: limit, seed: UInt64(epoch),
                                 boundSamples: 1).elbo
            : nil
        return (eval, bounds, validation)
    }

    /// The probe batch whose L_1, L_5 and L_50 each epoch records: the first test images.
    static func probeBatch(_ splits: DataSplits) -> Tensor {
        splits.test.batch(0..<min(probeImages, splits.test.count))
    }

    static let probeImages = 100

    /// The epoch's files, each failure reported rather than thrown; returns whether best.safetensors was written.
    /// It is written before checkpoint.safetensors: the checkpoint is where a resumed run starts, so a run killed
    /// between the two trains the epoch again and writes best.safetensors then, instead of going on without it.
    private static func saveEpoch(_ trainer: Trainer, dataset: String, directory: RunDirectory, isBest: Bool,
                                  checkpoint: String?, report: SaveReport) -> Bool {
        func save(to path: String, withState: Bool) -> Bool {
            report.attempt(path) { () throws(CheckpointError) in
                try Checkpoint.save(model: trainer.model, step: trainer.step, objective: trainer.objective,
                                    dataset: dataset, to: path, training: withState ? trainer.savedState() : nil)
            }
        }
        let savedBest = isBest && save(to: directory.best, withState: false)
        _ = save(to: directory.checkpoint, withState: true)
        if let checkpoint { _ = save(to: checkpoint, withState: false) }
        return savedBest
    }

    /// One pass over the training set, or the rest of one after `from` steps; evaluation is not part of the timed
    /// work. `run` is the run's progress so far (epochs to train, epochs done, seconds they took), for the bar's
    /// elapsed and remaining time. When `stop`, asked with the step count before each step, says so, the pass
    /// ends there, not `completed`.
    static func trainEpoch(_ trainer: Trainer, run: (epochs: Int, done: Int, seconds: Double), from: Int = 0,
                           stop: ((_ step: Int) -> Bool)? = nil) throws -> EpochSummary {
        let steps = trainer.stepsPerEpoch
        var sumObjective = 0.0, sumLoss = 0.0, applied = 0, skipped = 0, samples = 0, completed = true
        let clock = ContinuousClock()
        let start = clock.now
        for i in (from + 1)...steps {
            if stop?(trainer.step) == true {
                completed = false
                break
            }
            let report = trainer.trainStep()
            samples += trainer.config.batchSize
            if report.applied {
                sumObjective += Double(report.stats.bound)
                sumLoss += Double(report.stats.loss)
                applied += 1
            } else {
                skipped += 1
                if trainer.cannotRecover {
                    Terminal.clearProgress()
                    throw UserError("training cannot recover: NaN or Inf at every step up to step \(trainer.step), "
                                    + "even from the last good weights (\(trainer.recoveries) restores); "
                                    + "stopped, the run keeps its last epoch's checkpoint")
                }
            }
            if i % 20 == 0 || i == steps {
                let elapsed = (clock.now - start).seconds, total = run.seconds + elapsed
                let left = total / (Double(run.done) + Double(i) / Double(steps)) * Double(run.epochs) - total
                Terminal.progress("epoch \(run.done + 1)/\(run.epochs)", done: i, total: steps,
                                  extra: String(format: "%@ %.2f · %.0f img/s · %@ elapsed, %@ left",
                                                trainer.objective.kind.rawValue,
                                                sumObjective / Double(max(applied, 1)),
                                                Double(samples) / max(elapsed, 1e-9),
                                                Terminal.duration(total), Terminal.duration(left)))
            }
        }
        Terminal.clearProgress()
        let seconds = (clock.now - start).seconds
        return EpochSummary(objective: sumObjective / Double(max(applied, 1)), loss: sumLoss / Double(max(applied, 1)),
                            seconds: seconds, samplesPerSecond: Double(samples) / seconds, skipped: skipped,
                            completed: completed)
    }
}

import Foundation

/// What the engine keeps: the run's state on `s` and on quit, a saved run reopened, and the screen's costs in
/// the run log.
extension SessionEngine {
    /// A `ui` record: the screen's frames over the last minute, the process's resident memory and the curves'
    /// points, so a long run's costs can be read back (the soak benchmark does).
    func logCosts(frames: Int, meanMilliseconds: Double, maxMilliseconds: Double) {
        let c = snapshot.curves
        let points = [c.trainLoss, c.testLoss, c.testRate, c.testDistortion, c.rate, c.distortion,
                      c.l1, c.l5, c.l50].map(\.count).reduce(0, +)
            + c.klLayers.map(\.count).reduce(0, +)
        log?.write([("event", .string("ui")), ("step", .int(trainer.step)), ("frames", .int(frames)),
                    ("frame_ms", .number(meanMilliseconds)), ("frame_ms_max", .number(maxMilliseconds)),
                    ("rss_mb", .number(ProcessMemory.residentMegabytes())), ("curve_points", .int(points)),
                    ("samples_per_s", .number(snapshot.samplesPerSecond))])
    }

    /// `s`: the model to `path` and the run's state to `stateFiles`, each tried even when the other fails (a
    /// full disk, a read-only directory); a file that could not be written keeps what it held. Returns the message.
    func save(to path: String) -> String {
        var failures: [String] = []
        do {
            try Checkpoint.save(model: trainer.model, step: trainer.step, objective: trainer.objective,
                                dataset: trainer.data.name, to: path)
        } catch {
            failures.append(error.description)
        }
        do { try saveState() } catch { failures.append(error.description) }
        return failures.isEmpty
            ? "saved \(path) at step \(trainer.step)" : "save failed: " + failures.joined(separator: "; ")
    }

    /// The run's state to `stateFiles`, when there are any: weights, trainer state and curves.
    public func saveState() throws(CheckpointError) {
        guard let stateFiles else { return }
        try Checkpoint.save(model: trainer.model, step: trainer.step, objective: trainer.objective,
                            dataset: trainer.data.name, to: stateFiles.checkpoint, training: trainer.savedState())
        let encoder = JSONEncoder()
        guard let curves = try? encoder.encode(snapshot.curves) else {
            throw CheckpointError("cannot encode the curves")
        }
        try AtomicFile.write(curves, to: stateFiles.curves)
    }

    /// Reopens a saved run: its weights and trainer state, and the curves it had drawn.
    public func restore(_ saved: Checkpoint, curves: Snapshot.Curves?) throws(CheckpointError) {
        guard let state = saved.trainingState else { throw CheckpointError("the saved run holds no training state") }
        try trainer.load(weights: saved.weights)
        try trainer.restore(state, tensors: saved.stateTensors)
        if let curves { snapshot.curves = curves }
        snapshot.step = trainer.step
        snapshot.epoch = trainer.epochProgress
        snapshot.message = "resumed at step \(trainer.step)"
        refreshKnobs()
        diagnose()
    }
}

import Foundation
import LatentLab

/// A run's directory: `config.json` (every resolved setting, enough for `--resume` alone), `metrics.jsonl`
/// (the run log), `checkpoint.safetensors` (the latest weights with the trainer's state), and for `train`
/// `best.safetensors` (the weights of the best validation ELBO so far), for the dashboard `curves.json`.
struct RunDirectory {
    let path: String
    var config: String { path + "/config.json" }
    var metrics: String { path + "/metrics.jsonl" }
    var checkpoint: String { path + "/checkpoint.safetensors" }
    var best: String { path + "/best.safetensors" }
    /// The dashboard's curves, saved with its checkpoint.
    var curves: String { path + "/curves.json" }

    /// `runs/<date>-<time>-<model>`, e.g. `runs/20261130-233812-diag-normal-factorized-z50`.
    static func defaultPath(for model: VAEConfig, now: Date = Date()) -> String {
        let format = DateFormatter()
        format.dateFormat = "yyyyMMdd-HHmmss"
        format.timeZone = TimeZone(identifier: "UTC")
        let layers = model.layerSizes.map(String.init).joined(separator: "-")
        let parts = "\(model.posterior.rawValue)-\(model.prior.rawValue)-\(model.decoder.rawValue)"
        return "runs/\(format.string(from: now))-\(parts)-z\(layers)"
    }

    /// Makes the directory for a new run; one that already holds a run is refused (continue it with --resume).
    func create() throws {
        if FileManager.default.fileExists(atPath: checkpoint) || FileManager.default.fileExists(atPath: config) {
            throw UserError("\(path) already holds a run: continue it with --resume \(path), "
                            + "or choose another --run-dir")
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw UserError("cannot create the run directory \(path): \(error.localizedDescription)")
        }
    }

    /// A new run: the data the options choose, split; the training settings `training` makes for its image size; the
    /// directory (`given`, else the default for the model) created with its config.json.
    static func start(data: DataOptions, split: SplitOptions, given: String?, epochs: Int, evalLimit: Int?,
                      threads: Int, training: (_ inputSize: Int) throws -> TrainingConfig)
        throws -> (RunDirectory, RunConfig, DataSplits) {
        let source = try data.source()
        let splits = try split.load(source)
        let settings = try training(splits.train.dimension)
        let directory = RunDirectory(path: given ?? defaultPath(for: settings.model))
        try directory.create()
        let config = RunConfig(data: source.directory, dataset: source.name, validation: split.validation,
                               trainLimit: split.trainLimit, epochs: epochs, evalLimit: evalLimit, threads: threads,
                               training: settings, version: Program.version)
        try config.write(to: directory.config)
        return (directory, config, splits)
    }

    /// A run to continue: its directory, the settings of its config.json and its data, split as before.
    static func reopen(_ path: String) throws -> (RunDirectory, RunConfig, DataSplits) {
        let directory = RunDirectory(path: path)
        let settings = try RunConfig.read(from: directory.config)
        return (directory, settings, try SplitOptions.load(settings.source, validation: settings.validation,
                                                           trainLimit: settings.trainLimit))
    }

    /// Removes what killed saves left here (a run saves best.safetensors only at a new best, so its own next save
    /// to that file may be far off); a run calls it when it starts or resumes.
    func removeStaleTemporaries() {
        for file in [config, checkpoint, best, curves] { AtomicFile.removeStaleTemporaries(of: file) }
    }

    /// The best validation ELBO the metrics record up to `epoch` (for a resumed run's best.safetensors). Later
    /// epochs' records are those of a run killed after logging them but before its checkpoint: the resumed run
    /// trains those epochs again, and must write best.safetensors again if they were the best.
    func bestValidationELBO(throughEpoch epoch: Int) -> Float? {
        guard let text = try? String(contentsOfFile: metrics, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").compactMap { line -> Float? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let recorded = object["epoch"] as? Int, recorded <= epoch else { return nil }
            return (object["validation_elbo"] as? Double).map(Float.init)
        }.max()
    }
}

/// What `config.json` holds: the data (its directory, none for the built-in shapes, and the set's name), the split,
/// the budget and every training setting.
struct RunConfig: Codable {
    var data: String?
    /// Absent in runs made before data sets had names: their directories were read as MNIST.
    var dataset: String?
    var validation: Int?
    var trainLimit: Int?
    var epochs: Int
    var evalLimit: Int?
    var threads: Int
    var training: TrainingConfig
    var version: String

    /// The data the run was made on, as it was chosen then (a run never moves to data the defaults pick later).
    var source: DataSource {
        data.map { .files(directory: $0, set: dataset.flatMap(DataSet.named)) } ?? .shapes
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try AtomicFile.write(try encoder.encode(self), to: path)
        } catch let e as CheckpointError {
            throw UserError(e.description)
        }
    }

    static func read(from path: String) throws -> RunConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UserError("\(path): no run configuration here (is this a run directory?)")
        }
        do {
            return try JSONDecoder().decode(RunConfig.self, from: data)
        } catch {
            throw UserError("\(path): not a run configuration vae-tui can read (\(error.localizedDescription))")
        }
    }
}

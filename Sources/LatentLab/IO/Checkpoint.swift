import Foundation

/// A saved model: its weights as safetensors, its configuration and training state in the metadata.
public struct Checkpoint {
    /// Version 2 adds the prior and the flow settings to the model configuration and the parts to the
    /// metadata; version 1 files (no prior recorded) load as N(0, I) models.
    public static let format = "vae-tui/2"
    static let readableFormats: Set<String> = ["vae-tui/1", format]

    public var config: VAEConfig
    public var weights: [String: Tensor]
    public var step: Int
    public var objective: ObjectiveSettings?
    public var dataset: String
    /// A run's training state, when the file was saved to be resumed: the trainer's counters, stream and
    /// settings in the metadata (`training_state`), the optimisers' moments as tensors named `optimizer.…`.
    public var trainingState: TrainingState?
    public var stateTensors: [String: Tensor] = [:]

    /// Saves `model` to `path` atomically, with a trainer's state when given.
    public static func save(model: VAE, step: Int, objective: ObjectiveSettings?, dataset: String, to path: String,
                            training: (state: TrainingState, tensors: [(name: String, tensor: Tensor)])? = nil)
        throws(CheckpointError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var metadata = [
            "format": format,
            "model": String(decoding: (try? encoder.encode(model.config)) ?? Data(), as: UTF8.self),
            "step": String(step),
            "dataset": dataset,
            "parts": model.description,
        ]
        if let objective, let json = try? encoder.encode(objective) {
            metadata["objective"] = String(decoding: json, as: UTF8.self)
        }
        if let training, let json = try? encoder.encode(training.state) {
            metadata["training_state"] = String(decoding: json, as: UTF8.self)
        }
        try SafeTensors.write(model.parameters.map { ($0.name, $0.value) } + (training?.tensors ?? []),
                              metadata: metadata, to: path)
    }

    /// Tensors that are a run's state rather than the model's weights.
    static let statePrefix = "optimizer."

    /// Loads and checks a checkpoint file written by `save`. Metadata that is present must be valid: a
    /// garbled step, objective or training state is an error rather than a silent default.
    public static func load(_ path: String) throws(CheckpointError) -> Checkpoint {
        let (tensors, metadata) = try SafeTensors.read(path)
        guard let version = metadata["format"], readableFormats.contains(version),
              let config = try? decoded(VAEConfig.self, metadata["model"]) else {
            throw CheckpointError("\(path): not a vae-tui checkpoint "
                                  + "(no \(format) model configuration in its metadata)")
        }
        if let problem = config.problem { throw CheckpointError("\(path): not a model vae-tui can build (\(problem))") }
        let weights = tensors.filter { !$0.key.hasPrefix(statePrefix) }
        let held = weights.values.reduce(0) { $0 + $1.count }
        guard config.weightMatrixElements <= held else {
            throw CheckpointError("\(path): its model configuration needs at least \(config.weightMatrixElements) "
                                  + "weights but the file holds \(held)")
        }
        var step = 0
        if let text = metadata["step"] {
            guard let count = Int(text), count >= 0 else {
                throw CheckpointError("\(path): the step in its metadata is not a count")
            }
            step = count
        }
        let objective: ObjectiveSettings?, state: TrainingState?
        do {
            objective = try decoded(ObjectiveSettings.self, metadata["objective"])
        } catch {
            throw CheckpointError("\(path): the objective in its metadata is not valid\(error.reason)")
        }
        do {
            state = try decoded(TrainingState.self, metadata["training_state"])
        } catch {
            throw CheckpointError("\(path): the training state in its metadata is not valid\(error.reason)")
        }
        if let problem = objective?.problem {
            throw CheckpointError("\(path): the objective in its metadata is not valid (\(problem))")
        }
        if let problem = state?.problem {
            throw CheckpointError("\(path): the training state in its metadata is not valid (\(problem))")
        }
        return Checkpoint(config: config, weights: weights, step: step, objective: objective,
                          dataset: metadata["dataset"] ?? "unknown",
                          trainingState: state, stateTensors: tensors.filter { $0.key.hasPrefix(statePrefix) })
    }

    /// Why a metadata entry's JSON could not be read.
    struct MetadataProblem: Error {
        let reason: String
    }

    /// A metadata entry's JSON decoded as `T`, nil when the entry is absent. JSON text that names a key
    /// twice is refused, as in the header: a decoder would keep one of the two without a word.
    static func decoded<T: Decodable>(_ type: T.Type, _ json: String?) throws(MetadataProblem) -> T? {
        guard let json else { return nil }
        let bytes = Array(json.utf8)
        guard let value = try? JSONDecoder().decode(T.self, from: Data(bytes)) else {
            throw MetadataProblem(reason: "")
        }
        if let key = JSONKeys.firstDuplicate(in: bytes) {
            throw MetadataProblem(reason: " (it names \(SafeTensors.printable(key)) twice)")
        }
        return value
    }

    /// A model built from the checkpoint's configuration with its weights.
    public func makeModel() throws(CheckpointError) -> VAE {
        let model = VAE(config, seed: 0)
        try model.assign(weights)
        return model
    }
}

extension VAE {
    /// Loads weights by name; any missing, extra or mis-shaped tensor is an error naming it.
    public func assign(_ weights: [String: Tensor]) throws(CheckpointError) {
        let params = parameters
        for p in params {
            guard let w = weights[p.name] else {
                throw CheckpointError("checkpoint is for another model: it has no tensor \(p.name) "
                                      + "(this model is \(config.summary))")
            }
            guard w.rows == p.rows && w.cols == p.cols else {
                throw CheckpointError("checkpoint is for another model: \(p.name) is \(w.rows)x\(w.cols), "
                                      + "this model needs \(p.rows)x\(p.cols) (\(config.summary))")
            }
        }
        let names = Set(params.map(\.name))
        if let extra = weights.keys.sorted().first(where: { !names.contains($0) }) {
            throw CheckpointError("checkpoint is for another model: unexpected tensor \(SafeTensors.printable(extra)) "
                                  + "(this model is \(config.summary))")
        }
        for p in params { p.assign(weights[p.name]!.copied()) }
    }
}

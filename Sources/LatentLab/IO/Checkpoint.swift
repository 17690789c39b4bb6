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
                            training: (state: TrainingState, tensors: [(name: String, tensor: Tensor)])? = nil) throws(CheckpointError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var metadata = [
            "format": format,
            "model": String(decoding: (try? encoder.encode(model.config)) ?? Data(), as: UTF8.self),
            "step": String(step),
            "dataset": dataset,
            "parts": model.description,
        ]
        if let objective, let json = try? encoder.encode(objective) { metadata["objective"] = String(decoding: json, as: UTF8.self) }
        if let training, let json = try? encoder.encode(training.state) { metadata["training_state"] = String(decoding: json, as: UTF8.self) }
        try SafeTensors.write(model.parameters.map { ($0.name, $0.value) } + (training?.tensors ?? []), metadata: metadata, to: path)
    }

    /// Tensors that are a run's state rather than the model's weights.
    static let statePrefix = "optimizer."

    /// Loads and checks a checkpoint file written by `save`.
    public static func load(_ path: String) throws(CheckpointError) -> Checkpoint {
        let (tensors, metadata) = try SafeTensors.read(path)
        guard let version = metadata["format"], readableFormats.contains(version), let modelJSON = metadata["model"],
              let config = try? JSONDecoder().decode(VAEConfig.self, from: Data(modelJSON.utf8)) else {
            throw CheckpointError("\(path): not a vae-tui checkpoint (no \(format) model configuration in its metadata)")
        }
        if let problem = config.problem { throw CheckpointError("\(path): not a model vae-tui can build (\(problem))") }
        let objective = metadata["objective"].flatMap { try? JSONDecoder().decode(ObjectiveSettings.self, from: Data($0.utf8)) }
        let state = metadata["training_state"].flatMap { try? JSONDecoder().decode(TrainingState.self, from: Data($0.utf8)) }
        return Checkpoint(config: config, weights: tensors.filter { !$0.key.hasPrefix(statePrefix) }, step: Int(metadata["step"] ?? "") ?? 0,
                          objective: objective, dataset: metadata["dataset"] ?? "unknown", trainingState: state,
                          stateTensors: tensors.filter { $0.key.hasPrefix(statePrefix) })
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
                throw CheckpointError("checkpoint is for another model: it has no tensor \(p.name) (this model is \(config.summary))")
            }
            guard w.rows == p.rows && w.cols == p.cols else {
                throw CheckpointError("checkpoint is for another model: \(p.name) is \(w.rows)x\(w.cols), this model needs \(p.rows)x\(p.cols) (\(config.summary))")
            }
        }
        let names = Set(params.map(\.name))
        if let extra = weights.keys.sorted().first(where: { !names.contains($0) }) {
            throw CheckpointError("checkpoint is for another model: unexpected tensor \(extra) (this model is \(config.summary))")
        }
        for p in params { p.assign(weights[p.name]!.copied()) }
    }
}

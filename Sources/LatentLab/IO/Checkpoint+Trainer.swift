/// A trainer as a checkpoint holds it: its weights, and the state (`TrainingState`) and optimiser moments that let
/// a run continue exactly where it stopped. Here, in IO, so that training itself knows nothing of files.
extension Trainer {
    /// Replaces the model's weights (a loaded checkpoint); the optimiser starts afresh.
    public func load(weights: [String: Tensor]) throws(CheckpointError) {
        try model.assign(weights)
        weightsReplaced()
    }

    /// Prefixes of the optimisers' moment tensors in a saved run: `optimizer.encoder.first.<parameter>`, ….
    static let momentPrefixes = (encoder: "optimizer.encoder.", decoder: "optimizer.decoder.")

    /// The state to save, and the optimisers' moments as named tensors.
    public func savedState() -> (state: TrainingState, tensors: [(name: String, tensor: Tensor)]) {
        let (encoder, decoder) = optimizerMoments
        let state = TrainingState(step: step, samplesSeen: samplesSeen, order: dataOrder.order,
                                  position: dataOrder.position, random: randomState, objective: objective,
                                  learningRate: learningRate, aggressive: aggressive,
                                  encoderSteps: encoder.steps, decoderSteps: decoder.steps)
        func named(_ m: OptimizerMoments, _ prefix: String, _ params: [Parameter]) -> [(name: String, tensor: Tensor)] {
            zip(params, zip(m.first, m.second)).flatMap { p, fs in
                [(prefix + "first." + p.name, fs.0), (prefix + "second." + p.name, fs.1)]
            }
        }
        return (state, named(encoder, Self.momentPrefixes.encoder, model.posterior.parameters)
                + named(decoder, Self.momentPrefixes.decoder, model.prior.parameters + model.likelihood.parameters))
    }

    /// Continues from a saved state: the weights must already be loaded (`load(weights:)`).
    public func restore(_ state: TrainingState, tensors: [String: Tensor]) throws(CheckpointError) {
        func moments(_ prefix: String, _ params: [Parameter], steps: Int) throws(CheckpointError) -> OptimizerMoments {
            var first: [Tensor] = [], second: [Tensor] = []
            for p in params {
                guard let f = tensors[prefix + "first." + p.name], let s = tensors[prefix + "second." + p.name],
                      f.shape == p.value.shape, s.shape == p.value.shape else {
                    throw CheckpointError("the saved run has no optimiser moments for \(p.name)")
                }
                first.append(f)
                second.append(s)
            }
            return OptimizerMoments(steps: steps, first: first, second: second)
        }
        guard state.random.count == 4, state.order.count == data.train.count || state.order.isEmpty,
              state.order.allSatisfy({ (0..<data.train.count).contains($0) }),
              (0...data.train.count).contains(state.position) else {
            throw CheckpointError("the saved run's data order does not fit these \(data.train.count) training images")
        }
        optimizerMoments = (try moments(Self.momentPrefixes.encoder, model.posterior.parameters,
                                        steps: state.encoderSteps),
                            try moments(Self.momentPrefixes.decoder,
                                        model.prior.parameters + model.likelihood.parameters,
                                        steps: state.decoderSteps))
        resume(step: state.step, samplesSeen: state.samplesSeen, order: state.order, position: state.position,
               random: state.random)
        objective = state.objective
        learningRate = state.learningRate
        aggressive = state.aggressive
    }
}

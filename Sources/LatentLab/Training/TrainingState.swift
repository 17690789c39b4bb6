/// Everything a trainer needs, beyond its weights, to continue a run exactly where it stopped: the step and
/// the position in the data order, the random stream, the live settings, and both optimisers' moments.
/// A run of N + M epochs and one of N epochs resumed for M then give the same numbers bit for bit.
public struct TrainingState: Codable, Sendable, Equatable {
    public var step: Int
    public var samplesSeen: Int
    public var order: [Int]
    public var position: Int
    public var random: [UInt64]
    public var objective: ObjectiveSettings
    public var learningRate: Float
    public var aggressive: AggressiveTraining
    /// The optimisers' step counts; their moments travel as tensors (`momentTensors`).
    public var encoderSteps: Int
    public var decoderSteps: Int

    /// The largest count a saved run may hold: far beyond any real run (2^53 steps), and far enough below
    /// Int.max that counting on from it cannot overflow.
    static let maximumCount = 1 << 53

    /// Why a saved run cannot be continued, or nil: a checkpoint's training state is checked with it
    /// before any of it is used. Whether the order fits the data is the trainer's to check.
    public var problem: String? {
        let counts = [step, samplesSeen, position, encoderSteps, decoderSteps]
        if !counts.allSatisfy({ (0...Self.maximumCount).contains($0) }) { return "a counter is negative or too large" }
        if random.count != 4 { return "the random state has \(random.count) words, not 4" }
        if !(learningRate.isFinite && learningRate > 0) { return "the learning rate \(learningRate) is not a positive number" }
        if !(1...AggressiveTraining.maximumInnerSteps).contains(aggressive.maxInnerSteps) {
            return "aggressive training's inner steps \(aggressive.maxInnerSteps) are not between 1 and \(AggressiveTraining.maximumInnerSteps)"
        }
        return objective.problem
    }
}

extension Trainer {
    /// Prefixes of the optimisers' moment tensors in a saved run: `optimizer.encoder.first.<parameter>`, ….
    static let momentPrefixes = (encoder: "optimizer.encoder.", decoder: "optimizer.decoder.")

    /// The state to save, and the optimisers' moments as named tensors.
    public func savedState() -> (state: TrainingState, tensors: [(name: String, tensor: Tensor)]) {
        let (encoder, decoder) = optimizerMoments
        let state = TrainingState(step: step, samplesSeen: samplesSeen, order: dataOrder.order, position: dataOrder.position,
                                  random: randomState, objective: objective, learningRate: learningRate, aggressive: aggressive,
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
              state.order.allSatisfy({ (0..<data.train.count).contains($0) }), (0...data.train.count).contains(state.position) else {
            throw CheckpointError("the saved run's data order does not fit these \(data.train.count) training images")
        }
        optimizerMoments = (try moments(Self.momentPrefixes.encoder, model.posterior.parameters, steps: state.encoderSteps),
                            try moments(Self.momentPrefixes.decoder, model.prior.parameters + model.likelihood.parameters,
                                        steps: state.decoderSteps))
        resume(step: state.step, samplesSeen: state.samplesSeen, order: state.order, position: state.position, random: state.random)
        objective = state.objective
        learningRate = state.learningRate
        aggressive = state.aggressive
    }
}

/// One optimisation step's report.
public struct StepReport: Sendable {
    public var step: Int
    public var stats: ObjectiveStats
    public var gradientNorm: Float
    /// False when the step produced a NaN or Inf and was not applied.
    public var applied: Bool
}

/// Trains a VAE one minibatch at a time. Settings (objective, k, beta, free bits, warm-up, the collapse
/// remedies, learning rate) may change between any two steps; the next step uses them.
public final class Trainer {
    public private(set) var config: TrainingConfig
    public let data: DataSplits
    public private(set) var model: VAE
    public var objective: ObjectiveSettings
    public var learningRate: Float {
        get { decoderOptimizer.learningRate }
        set { encoderOptimizer.learningRate = newValue; decoderOptimizer.learningRate = newValue }
    }
    /// Aggressive inference training (He et al. 2019) and where it stands; turning it on starts its phase.
    public var aggressive = AggressiveTraining()
    /// Threads a batch is split over; nil follows the engine's (`BLAS.setThreads`).
    public var threads: Int?
    /// Steps taken (applied or skipped), from 0.
    public private(set) var step = 0
    /// Training images seen.
    public private(set) var samplesSeen = 0

    /// The saved-run interface (TrainingState.swift): the stream, the data order, the optimisers.
    var randomState: [UInt64] { rng.state }
    var dataOrder: (order: [Int], position: Int) { (order, position) }
    var optimizerMoments: (OptimizerMoments, OptimizerMoments) {
        get { (encoderOptimizer.moments, decoderOptimizer.moments) }
        set { encoderOptimizer.moments = newValue.0; decoderOptimizer.moments = newValue.1 }
    }

    func resume(step: Int, samplesSeen: Int, order: [Int], position: Int, random: [UInt64]) {
        self.step = step
        self.samplesSeen = samplesSeen
        self.order = order
        self.position = position
        rng.state = random
        nonFinite.remember(model.parameters)
    }
    /// Steps whose loss or gradient was not finite; they were skipped.
    public var nonFiniteSteps: Int { nonFinite.skippedSteps }
    /// Times the parameters were restored from the last good copy after repeated non-finite steps.
    public var recoveries: Int { nonFinite.restores }
    /// Even the last good weights keep giving NaN or Inf: training should stop with a message.
    public var cannotRecover: Bool { nonFinite.cannotRecover }
    /// Where each step's time goes, when set (`vae-tui bench --step-profile`).
    public var profile: StepProfile?
    /// `--inject-nan`: NaNs put in on purpose, for the fault suite.
    public var faultInjection: FaultInjection?

    /// One optimiser for q's parameters and one for p's: a step of both is one Adam over all of them (its
    /// update is per parameter); aggressive training steps the encoder's alone.
    private var encoderOptimizer: any Optimizer
    private var decoderOptimizer: any Optimizer
    private var rng: RandomSource
    private var order: [Int] = []
    private var position = 0
    private var nonFinite: NonFiniteGuard
    /// Gradient buffers of the second and later parts of a split batch, made for `partGradientsModel`.
    private var partGradients: [GradientBuffers] = []
    private var partGradientsModel: VAE?
    private static let snapshotInterval = 100

    public init(config: TrainingConfig, data: DataSplits) {
        self.config = config
        self.data = data
        objective = config.objective
        rng = RandomSource(seed: config.seed &+ Self.trainingStreamOffset)
        model = Self.makeModel(config.model, seed: config.seed, data: data)
        (encoderOptimizer, decoderOptimizer) = Trainer.makeOptimizers(config, model)
        nonFinite = NonFiniteGuard(model.parameters)
        aggressive.isOn = config.aggressive
        aggressive.maxInnerSteps = config.aggressiveInner
    }

    /// New weights are in the model (a loaded checkpoint): the optimiser starts afresh, and the NaN guard's
    /// last good weights are these.
    func weightsReplaced() {
        resetOptimizers()
        nonFinite.remember(model.parameters)
    }

    public var stepsPerEpoch: Int { Self.stepsPerEpoch(trainImages: data.train.count, batchSize: config.batchSize) }
    /// An epoch is this many steps, whole batches only: a saved run's place in its epochs is read from its step.
    public static func stepsPerEpoch(trainImages: Int, batchSize: Int) -> Int {
        max(1, trainImages / max(1, batchSize))
    }
    /// Fractional epochs done.
    public var epochProgress: Double { Double(samplesSeen) / Double(max(1, data.train.count)) }

    /// New weights from `seed`, fresh optimiser moments, step counter back to 0; live settings are kept.
    public func reset(seed: UInt64) { rebuild(config.model, seed: seed) }

    /// `reset` with another model: a new architecture from `seed`, the live settings kept.
    public func rebuild(_ architecture: VAEConfig, seed: UInt64) {
        config.model = architecture
        model = Self.makeModel(architecture, seed: seed, data: data)
        let lr = learningRate
        (encoderOptimizer, decoderOptimizer) = Trainer.makeOptimizers(config, model)
        learningRate = lr
        aggressive.restart()
        rng = RandomSource(seed: seed &+ Self.trainingStreamOffset)
        step = 0
        samplesSeen = 0
        order = []
        position = 0
        nonFinite.remember(model.parameters)  // the counts go on: the screen reports them as they grow
    }

    /// One minibatch: forward, backward, optimiser update. A non-finite loss or gradient skips the
    /// update; three in a row restore the last good weights and restart the optimiser's moments.
    @discardableResult
    public func trainStep() -> StepReport {
        (model.posterior as? any MinimumRatePosterior)?.minimumRate = objective.minimumRate
        if config.learningRateSchedule != .constant {
            learningRate = config.learningRateSchedule.rate(base: config.adam.learningRate, epoch: epochProgress,
                                                            totalEpochs: config.scheduleEpochs)
        }
        if aggressive.inPhase { aggressive.lastInnerSteps = encoderSteps() }
        profile?.start()
        let batch = nextBatch()
        let params = model.parameters
        let injected = faultInjection.flatMap { $0.hits(step + 1) ? $0.target : nil }
        if injected == .weight { Self.poison(params[0]) }
        let klWeight = objective.klWeight(atStep: step)
        var stats: ObjectiveStats
        let parts = splitParts(batchSize: batch.rows)
        if parts > 1 {
            stats = splitPasses(batch, parts: parts, klWeight: klWeight)
        } else {
            for p in params { p.zeroGrad() }
            profile?.mark(.batch)
            let tape = Tape()
            let (loss, s) = Objective.loss(model: model, batch: batch, settings: objective, klWeight: klWeight,
                                           rng: &rng, on: tape)
            stats = s
            if stats.loss.isFinite && injected != .loss { tape.backward(from: loss, seed: 1) }
            profile?.mark(.passes)
        }
        if injected == .loss { stats.loss = .nan }
        if injected == .gradient { params[0].grad.withSharedMutablePointer { $0[0] = .nan } }
        let norm: Float
        if parts > 1 {
            // Always reduced, so that the parts' buffers are clear for the next step.
            let squares = reduceParts(parts)
            norm = stats.loss.isFinite
                ? clipGradients(params, sumOfSquares: squares, maxNorm: config.gradientClip) : .nan
        } else {
            norm = stats.loss.isFinite ? clipGradientNorm(params, maxNorm: config.gradientClip) : .nan
        }
        profile?.mark(.norm)
        step += 1
        samplesSeen += batch.rows
        guard stats.loss.isFinite && norm.isFinite else {
            if nonFinite.failed(model.parameters) { resetOptimizers() }
            return StepReport(step: step, stats: stats, gradientNorm: norm, applied: false)
        }
        nonFinite.passed()
        let optimizers = aggressive.inPhase ? [decoderOptimizer] : [encoderOptimizer, decoderOptimizer]
        if parts > 1 {
            for o in optimizers { o.advance() }
            Parallel.forEachPart(parts) { p in for o in optimizers { o.update(part: p, of: parts) } }
        } else {
            for o in optimizers { o.step() }
        }
        profile?.mark(.update)
        if step % Trainer.snapshotInterval == 0 { nonFinite.remember(params) }
        if aggressive.inPhase && samplesSeen / data.train.count > (samplesSeen - batch.rows) / data.train.count {
            aggressive.epochEnded(samplesSeen / data.train.count, information: validationInformation())
        }
        profile?.mark(.bookkeeping)
        return StepReport(step: step, stats: stats, gradientNorm: norm, applied: true)
    }

    /// One weight set to NaN, as `--inject-nan STEP:weight` asks.
    private static func poison(_ parameter: Parameter) {
        var value = parameter.value.copied()
        value[0, 0] = .nan
        parameter.assign(value)
    }

    /// Fewest examples a thread's part of a batch may have.
    static let minimumPartExamples = 16

    /// How many parts this step's batch splits into: one per engine thread, unless the objective does not
    /// split (free bits clamp a batch-averaged KL) or the parts would be tiny.
    func splitParts(batchSize: Int) -> Int {
        if objective.kind == .elbo && objective.freeBits.isOn { return 1 }
        return Parallel.parts(for: batchSize / Self.minimumPartExamples, threads: threads ?? Parallel.threads)
    }

    /// One step's passes with the batch cut into `parts` slices of examples, each slice's loss and gradient on
    /// its own thread, its gradient into its own buffers (the first part's into the parameters'), each part
    /// clearing its own; `reduceParts` sums them. Exact: the loss is a mean of per-example terms, so a slice of n
    /// of the B examples enters with weight n / B. The noise is the whole batch's, drawn as an unsplit step draws
    /// it, so the thread count changes nothing but the rounding. The reduction and the optimisers' update run
    /// on every thread too (a slice of each parameter each): serial, they held two threads at k = 1 to 1.4
    /// times one.
    private func splitPasses(_ batch: Tensor, parts: Int, klWeight: Float) -> ObjectiveStats {
        if partGradients.count < parts - 1 || partGradientsModel !== model {
            partGradients = (1..<parts).map { _ in GradientBuffers(model.parameters) }
            partGradientsModel = model
        }
        let buffers = Array(partGradients.prefix(parts - 1)), params = model.parameters
        let b = batch.rows, k = max(1, objective.k)
        let noise = rng.normalTensor(k * b, model.config.latentSize)
        let seen = Objective.seenPixels(model, batch, objective, rng: &rng)
        profile?.mark(.batch)
        var results = [(stats: ObjectiveStats, weight: Float)?](repeating: nil, count: parts)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer  // each part writes its own entry
            Parallel.forEachPart(parts) { p in
                // The other parts' buffers were cleared by the last reduction.
                if p == 0 { for param in params { param.zeroGrad() } }
                let start = b * p / parts, n = b * (p + 1) / parts - start
                let weight = Float(n) / Float(b)
                let tape = Tape(gradientBuffers: p == 0 ? nil : buffers[p - 1])
                let (loss, s) = Objective.loss(model: model, batch: batch.rowBlock(start, n), settings: objective,
                                               klWeight: klWeight, noise: noise.sampleRows(start, n, batch: b),
                                               seen: seen?.rowBlock(start, n), on: tape)
                if s.loss.isFinite { tape.backward(from: loss, seed: weight) }
                out[p] = (s, weight)
            }
        }
        profile?.mark(.passes)
        let all = results.map { $0! }
        func mean(_ f: (ObjectiveStats) -> Float) -> Float { all.reduce(0) { $0 + $1.weight * f($1.stats) } }
        return ObjectiveStats(loss: mean(\.loss), bound: mean(\.bound), distortion: mean(\.distortion),
                              rate: mean(\.rate), klWeight: klWeight)
    }

    /// The parts' gradients summed into the parameters', each thread a slice of every parameter; returns the
    /// sum of their squares for the global norm.
    private func reduceParts(_ parts: Int) -> Double {
        let buffers = Array(partGradients.prefix(parts - 1)), params = model.parameters
        var squares = [Double](repeating: 0, count: parts)
        squares.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer  // each part writes its own entry
            Parallel.forEachPart(parts) { p in
                out[p] = GradientBuffers.reduce(buffers, into: params, part: p, of: parts)
            }
        }
        profile?.mark(.reduction)
        return squares.reduce(0, +)
    }

    private func nextBatch() -> Tensor {
        let n = data.train.count
        if position + config.batchSize > n || order.isEmpty {
            order = rng.permutation(n)
            position = 0
        }
        let indices = order[position..<min(n, position + config.batchSize)]
        position += indices.count
        return data.train.binarizedBatch(indices, rng: &rng)
    }

    /// The training stream (batch order, binarisation, noise) is seeded this far from the weights' seed,
    /// so the two never share a stream.
    static let trainingStreamOffset: UInt64 = 0x5EED

    /// Fresh weights, the decoder's output bias at the logit of the mean training pixel.
    private static func makeModel(_ config: VAEConfig, seed: UInt64, data: DataSplits) -> VAE {
        VAE(config, seed: seed, outputBias: BernoulliDecoder.logitBias(meanIntensity: data.train.meanIntensity()))
    }

    private static func makeOptimizers(_ config: TrainingConfig, _ model: VAE) -> (any Optimizer, any Optimizer) {
        let variant: Adam.Variant = config.optimizer == .adam ? .adam : .adamax
        return (Adam(model.posterior.parameters, settings: config.adam, variant: variant),
                Adam(model.prior.parameters + model.likelihood.parameters, settings: config.adam, variant: variant))
    }

    private func resetOptimizers() {
        encoderOptimizer.reset()
        decoderOptimizer.reset()
    }

    /// The aggressive phase's inner loop: encoder-only steps on fresh minibatches until the loss, averaged
    /// over each `AggressiveTraining.checkEvery` steps, stops falling, or `maxInnerSteps`. Returns the count.
    private func encoderSteps() -> Int {
        let params = model.posterior.parameters
        var previous = Float.infinity, sum: Float = 0, count = 0, steps = 0
        while steps < aggressive.maxInnerSteps {
            let batch = nextBatch()
            for p in params { p.zeroGrad() }
            let tape = Tape(frozen: model.prior.parameters + model.likelihood.parameters)
            let (loss, stats) = Objective.loss(model: model, batch: batch, settings: objective,
                                               klWeight: objective.klWeight(atStep: step), rng: &rng, on: tape)
            guard stats.loss.isFinite else { break }
            tape.backward(from: loss)
            guard clipGradientNorm(params, maxNorm: config.gradientClip).isFinite else { break }
            encoderOptimizer.step()
            steps += 1
            sum += stats.loss
            count += 1
            if count == AggressiveTraining.checkEvery {
                if sum / Float(count) >= previous { break }
                previous = sum / Float(count)
                sum = 0
                count = 0
            }
        }
        return steps
    }

    /// I_q on the first validation images: the rule that ends the aggressive phase.
    private func validationInformation() -> Float {
        let n = min(AggressiveTraining.informationExamples, data.validation.count)
        guard n > 1 else { return 0 }
        let x = data.validation.batch(0..<n), tape = Tape(recording: false)
        var noiseRNG = RandomSource(seed: config.seed &+ Self.trainingStreamOffset &+ UInt64(step))
        let encoding = model.encode(Var(constant: x), on: tape)
        let z = model.posterior.draw(encoding, noise: noiseRNG.normalTensor(n, model.config.latentSize),
                                     on: tape).z.value
        return Evaluator.mutualInformation(logDensities: model.posterior.pairwiseLogDensities(z, encoding))
    }
}

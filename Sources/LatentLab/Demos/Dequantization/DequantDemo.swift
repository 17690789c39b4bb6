import Foundation

/// The dequantization demo's knobs.
public struct DequantSettings: Sendable, Equatable {
    /// For the model and the dequantizer alike.
    public var learningRate: Float = 5e-3
    /// Cells per training step.
    public var batchSize = 128
    public init() {}
}

/// The state of the dequantization demo: a discrete 2-D distribution, the continuous model fitted to it through
/// one of the two dequantizers, their optimisers, and the latest exact evaluation. A class because the
/// parameters are; it lives on one thread.
///
/// Both the model and the variational dequantizer always exist, so switching `kind` mid-run keeps everything:
/// training just continues on the other bound (the uniform bound leaves q where it is). The evaluation shows
/// both bounds whatever the kind.
public final class DequantDemo {
    /// The data stream (which cells each batch holds) is seeded this far from the weights' seed, and the
    /// dequantization noise (u or ε) this far: three streams that never share draws.
    static let dataStreamOffset: UInt64 = 0xDA7A
    static let noiseStreamOffset: UInt64 = 0x15E

    public private(set) var shape: DequantDataShape
    public private(set) var data: DequantData
    public private(set) var grid: SubcellGrid
    public private(set) var model: LogisticMixtureDensity
    public private(set) var dequantizer: FlowDequantizer
    public var kind: DequantizerKind
    public var settings = DequantSettings()
    public private(set) var step = 0
    public private(set) var seed: UInt64
    public private(set) var evaluation: DequantEvaluation
    /// The last step's Monte-Carlo estimate of its bound, bits/dim (the loss it descended).
    public private(set) var lastLoss = Double.nan
    /// Steps whose loss or gradient was not finite: skipped, with the parameters left as they were.
    public var skippedSteps: Int { nonFinite.skippedSteps }
    /// Times three such steps in a row brought back the weights of the last finite evaluation.
    public var restores: Int { nonFinite.restores }
    private var nonFinite: NonFiniteGuard
    /// Separate moments for p and q, so uniform steps leave q's moments as they were.
    private var modelOptimizer: Adam, dequantizerOptimizer: Adam
    private var dataRNG: RandomSource, noiseRNG: RandomSource

    public init(seed: UInt64 = 1, levels: Int = DequantData.defaultLevels, shape: DequantDataShape = .mixture,
                kind: DequantizerKind = .uniform) {
        self.seed = seed
        self.kind = kind
        self.shape = shape
        data = DequantData(shape: shape, levels: levels)
        grid = .standard(levels: levels)
        let start = Self.start(seed: seed, grid: grid)
        (model, dequantizer, modelOptimizer, dequantizerOptimizer, dataRNG, noiseRNG) = start
        evaluation = DequantEvaluation(model: start.0, dequantizer: start.1, data: data, grid: grid)
        nonFinite = NonFiniteGuard(start.0.parameters + start.1.parameters)
    }

    public var levels: Int { data.levels }
    public var parameters: [Parameter] { model.parameters + dequantizer.parameters }

    /// Fresh weights from `seed`, fresh optimisers, and the two training streams.
    private static func start(seed: UInt64, grid: SubcellGrid)
        -> (LogisticMixtureDensity, FlowDequantizer, Adam, Adam, RandomSource, RandomSource) {
        var rng = RandomSource(seed: seed)
        let model = LogisticMixtureDensity(grid: grid, rng: &rng)
        let dequantizer = FlowDequantizer(levels: grid.levels, rng: &rng)
        return (model, dequantizer, Adam(model.parameters), Adam(dequantizer.parameters),
                RandomSource(seed: seed &+ dataStreamOffset), RandomSource(seed: seed &+ noiseStreamOffset))
    }

    /// `count` optimisation steps, then one exact evaluation.
    public func advance(_ count: Int = 1) {
        for _ in 0..<count { trainStep() }
        refresh()
    }

    /// A new model and dequantizer from `seed` (the current one when nil), on new data when `levels` or `shape`
    /// is given; the kind and settings stay.
    public func restart(seed newSeed: UInt64? = nil, levels: Int? = nil, shape: DequantDataShape? = nil) {
        seed = newSeed ?? seed
        if levels != nil || shape != nil {
            self.shape = shape ?? self.shape
            data = DequantData(shape: self.shape, levels: levels ?? data.levels)
            grid = .standard(levels: data.levels)
        }
        (model, dequantizer, modelOptimizer, dequantizerOptimizer, dataRNG, noiseRNG)
            = Self.start(seed: seed, grid: grid)
        step = 0
        lastLoss = .nan
        nonFinite = NonFiniteGuard(parameters)
        refresh()
    }

    /// The exact evaluation of the current weights; a finite one also marks them as good.
    public func refresh() {
        evaluation = DequantEvaluation(model: model, dequantizer: dequantizer, data: data, grid: grid)
        if evaluation.isFinite { nonFinite.remember(parameters) }
    }

    /// For cell (x1, x2): q(u|x) and p(u|x) = p(x + u)/P(x) on an n×n midpoint grid inside it, each an image with
    /// the top row first; both renormalised on that grid, so they are comparable as pictures at any n.
    public func cellDensities(x1: Int, x2: Int, resolution n: Int) -> (q: [Float], exact: [Float]) {
        let cellGrid = SubcellGrid(levels: 1, subdivisions: n)
        let u = cellGrid.offsets
        let x = Tensor(rows: 1, cols: 2, [Float(x1), Float(x2)])
        let tape = Tape(recording: false)
        let logQ = dequantizer.logDensity(u, cells: x).scalars.map(Double.init)
        let logP = model.logDensity(tape.add(Var(constant: u), Var(constant: x)), on: tape).value.scalars
            .map(Double.init)
        func image(_ logDensity: [Double]) -> [Float] {
            let logNormaliser = DequantizationBounds.logMeanExp(logDensity[...])
            return (0..<(n * n)).map { i in
                Float(Foundation.exp(logDensity[(n - 1 - i / n) * n + i % n] - logNormaliser))
            }
        }
        return (image(logQ), image(logP))
    }

    private func trainStep() {
        let x = data.batch(settings.batchSize, rng: &dataRNG)
        let tape = Tape()
        let loss = Self.loss(model, dequantizer, kind: kind, cells: x, noise: noise(for: kind, count: x.rows), on: tape)
        step += 1
        for p in parameters { p.zeroGrad() }
        if loss.value.isFinite { tape.backward(from: loss) }
        guard loss.value.isFinite && parameters.allSatisfy(\.grad.isFinite) else {
            if nonFinite.failed(parameters) {
                modelOptimizer.reset()
                dequantizerOptimizer.reset()
            }
            return
        }
        nonFinite.passed()
        lastLoss = DequantizationBounds.bitsPerDimension(nats: Double(loss.value.scalar))
        modelOptimizer.learningRate = settings.learningRate
        modelOptimizer.step()
        if kind == .variational {
            dequantizerOptimizer.learningRate = settings.learningRate
            dequantizerOptimizer.step()
        }
    }

    /// u ~ U[0,1)² for the uniform kind, ε ~ standard logistic for the variational one (n×2 either way).
    private func noise(for kind: DequantizerKind, count: Int) -> Tensor {
        switch kind {
        case .uniform: noiseRNG.uniformTensor(count, 2)
        case .variational: FlowDequantizer.logisticNoise(count, rng: &noiseRNG)
        }
    }

    /// −(the bound's Monte-Carlo estimate) in nats per cell, 1×1: uniform, −mean log p(x + u) with `noise` = u;
    /// variational, −mean [log p(x + u) − log q(u|x)] with u from the dequantizer and `noise` = ε.
    static func loss(_ model: LogisticMixtureDensity, _ dequantizer: FlowDequantizer, kind: DequantizerKind,
                     cells x: Tensor, noise: Tensor, on tape: Tape) -> Var {
        switch kind {
        case .uniform:
            let v = tape.add(Var(constant: x), Var(constant: noise))
            return tape.negate(tape.mean(model.logDensity(v, on: tape)))
        case .variational:
            let (u, logQ) = dequantizer.sample(x, noise: Var(constant: noise), on: tape)
            let v = tape.add(Var(constant: x), u)
            return tape.negate(tape.mean(tape.sub(model.logDensity(v, on: tape), logQ)))
        }
    }
}

/// What the screen needs of the demo, as a value.
public struct DequantSnapshot: Sendable {
    public let step: Int
    public let seed: UInt64
    public let shape: DequantDataShape
    public let kind: DequantizerKind
    public let settings: DequantSettings
    public let lastLoss: Double
    public let skippedSteps: Int
    public let restores: Int
    public let evaluation: DequantEvaluation
}

extension DequantDemo {
    public var snapshot: DequantSnapshot {
        DequantSnapshot(step: step, seed: seed, shape: shape, kind: kind, settings: settings, lastLoss: lastLoss,
                        skippedSteps: skippedSteps, restores: restores, evaluation: evaluation)
    }
}

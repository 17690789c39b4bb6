import Foundation

/// The bin-packing demo's knobs: the dashboard's objective (ELBO or L_k, k, beta, free bits over the
/// whole rate), and how it is stepped.
public struct BinPackSettings: Sendable, Equatable {
    public var objective = ObjectiveSettings()
    public var learningRate: Float = 3e-3
    /// Also step p(x, z) (decoder and learned prior), not only q(z|x).
    public var trainModel = true
    public init() {}
}

/// The state of `vae-tui demo binpack`: the four data points A–D, the model, its optimiser, and the
/// latest exact evaluation. A class because the model's parameters are; it lives on one thread.
public final class BinPackDemo {
    /// Four distinct 4×4 binary images: a top bar, a left bar, an X and a frame.
    public static let points: [[Float]] = [
        [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
        [1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0],
        [1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1],
        [1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1],
    ]
    public static let letters = ["A", "B", "C", "D"]
    static let data = Tensor(rows: 4, cols: BinPackModel.pixels, points.flatMap { $0 })

    public private(set) var model: BinPackModel
    public var settings = BinPackSettings()
    public private(set) var step = 0
    public private(set) var seed: UInt64
    public private(set) var evaluation: BinPackEvaluation
    /// Steps whose loss or gradient was not finite: skipped, with the parameters left as they were.
    public var skippedSteps: Int { nonFinite.skippedSteps }
    /// Times three such steps in a row brought back the weights of the last finite evaluation.
    public var restores: Int { nonFinite.restores }
    private var nonFinite: NonFiniteGuard
    /// Separate moments for q and for p, so freezing p leaves it exactly where it is.
    private var posteriorOptimizer: Adam, generativeOptimizer: Adam
    private var rng: RandomSource
    private let grid: QuadratureGrid

    public init(seed: UInt64 = 1, family: LatentPosterior = .diag, prior: LatentPrior = .normal,
                grid: QuadratureGrid = .standard) {
        self.seed = seed
        self.grid = grid
        (model, posteriorOptimizer, generativeOptimizer, rng) = Self.start(seed: seed, family: family, prior: prior)
        evaluation = BinPackEvaluation(model: model.vae, data: Self.data, grid: grid, seed: seed)
        nonFinite = NonFiniteGuard(model.parameters)
    }

    /// A model from `seed` with fresh optimisers and its own noise stream.
    private static func start(seed: UInt64, family: LatentPosterior, prior: LatentPrior)
        -> (BinPackModel, Adam, Adam, RandomSource) {
        let model = BinPackModel(seed: seed)
        model.family = family
        model.prior = prior
        return (model, Adam(model.posteriorParameters), Adam(model.generativeParameters),
                RandomSource(seed: seed &+ Trainer.trainingStreamOffset))
    }

    public var family: LatentPosterior {
        get { model.family }
        set { model.family = newValue; refresh() }
    }

    public var prior: LatentPrior {
        get { model.prior }
        set { model.prior = newValue; refresh() }
    }

    /// `count` optimisation steps, then one exact evaluation.
    public func advance(_ count: Int = 1) {
        for _ in 0..<count { trainStep() }
        refresh()
    }

    /// A new model from `seed`, keeping the family, prior and settings.
    public func restart(seed newSeed: UInt64) {
        seed = newSeed
        (model, posteriorOptimizer, generativeOptimizer, rng) = Self.start(seed: newSeed, family: family, prior: prior)
        step = 0
        nonFinite = NonFiniteGuard(model.parameters)
        refresh()
    }

    /// The exact evaluation of the current model; a finite one also marks these weights as good.
    public func refresh() {
        evaluation = BinPackEvaluation(model: model.vae, data: Self.data, grid: grid, seed: seed &+ UInt64(step))
        if evaluation.elbo.isFinite && evaluation.logMarginal.isFinite { nonFinite.remember(model.parameters) }
    }

    private func trainStep() {
        let tape = Tape()
        let noise = rng.normalTensor(max(1, settings.objective.k) * 4, BinPackModel.latentSize)
        let loss = Self.loss(model, settings: settings, noise: noise, on: tape)
        step += 1
        for p in model.parameters { p.zeroGrad() }
        if loss.value.isFinite { tape.backward(from: loss) }
        guard loss.value.isFinite && model.parameters.allSatisfy(\.grad.isFinite) else {
            if nonFinite.failed(model.parameters) {
                posteriorOptimizer.reset()
                generativeOptimizer.reset()
            }
            return
        }
        nonFinite.passed()
        posteriorOptimizer.learningRate = settings.learningRate
        posteriorOptimizer.step()
        if settings.trainModel {
            generativeOptimizer.learningRate = settings.learningRate
            generativeOptimizer.step()
        }
    }

    /// −objective over the four points through the shared objective, with noise (k·4)×2 laid out
    /// sample-major. The demo has no warm-up: the KL weight is beta.
    static func loss(_ model: BinPackModel, settings s: BinPackSettings, noise: Tensor, on tape: Tape) -> Var {
        Objective.loss(model: model.vae, batch: data, settings: s.objective, klWeight: s.objective.beta, noise: noise,
                       on: tape).loss
    }
}

/// What the screen needs of the demo, as a value.
public struct BinPackSnapshot: Sendable {
    public let step: Int
    public let seed: UInt64
    public let family: LatentPosterior
    public let prior: LatentPrior
    public let settings: BinPackSettings
    public let skippedSteps: Int
    public let restores: Int
    public let evaluation: BinPackEvaluation
}

extension BinPackDemo {
    public var snapshot: BinPackSnapshot {
        BinPackSnapshot(step: step, seed: seed, family: family, prior: prior, settings: settings,
                        skippedSteps: skippedSteps, restores: restores, evaluation: evaluation)
    }
}

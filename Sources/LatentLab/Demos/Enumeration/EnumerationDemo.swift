import Foundation

/// The state of `vae-tui demo enumerate`: one binary 4×4 image x, a categorical model of it whose
/// marginal is a sum over K states, and the bounds L_k against that exact log p(x) as q(z|x)
/// (and optionally p) is optimised step by step.
public struct EnumerationDemo: Sendable, Equatable {
    /// The k whose L_k is shown, each estimated as the mean of independent draws (`samplesPerK` samples
    /// of z per k) and shown with its standard error: near log p(x) an estimate can land above it by noise.
    public static let ladder = [1, 2, 5, 10, 50, 100, 1000]
    public static let samplesPerK = 100_000

    public private(set) var model: CategoricalModel
    public let x: [Double]
    public private(set) var step = 0
    public private(set) var seed: UInt64
    /// Also step the prior and decoder, not only q.
    public var trainModel = false
    public var learningRate = 0.5
    /// The z_i of one L_k draw at the current step, marked on the bars.
    public private(set) var samples: [Int] = []
    public static let sampleCount = 10
    /// L_k for each k of `ladder`, and the standard error of that estimate.
    public private(set) var bounds: [Double] = []
    public private(set) var standardErrors: [Double] = []

    public init(states: Int = 4, seed: UInt64 = 1) {
        self.seed = seed
        model = CategoricalModel(states: states, pixels: 16, seed: seed)
        // A 4×4 "A"-like pattern: the point the lecture's slide enumerates over.
        x = [0, 1, 1, 0,
             1, 0, 0, 1,
             1, 1, 1, 1,
             1, 0, 0, 1]
        refresh()
    }

    public var states: Int { model.states }
    public var logMarginal: Double { model.logMarginal(x) }
    public var elbo: Double { model.elbo(x) }
    /// p(z|x) for every z.
    public var truePosterior: [Double] {
        let lj = model.logJoint(x), l = model.logMarginal(x)
        return lj.map { exp($0 - l) }
    }
    public var posterior: [Double] { model.logPosterior.map(exp) }

    /// `count` optimisation steps on the exact ELBO.
    public mutating func advance(_ count: Int = 1) {
        for _ in 0..<count { model.step(x, learningRate: learningRate, model: trainModel) }
        step += count
        refresh()
    }

    /// K = 4 ⇄ K = 100, or a new seed: the model starts again.
    public mutating func restart(states: Int? = nil, seed newSeed: UInt64? = nil) {
        let keep = trainModel
        self = EnumerationDemo(states: states ?? self.states, seed: newSeed ?? seed)
        trainModel = keep
    }

    private mutating func refresh() {
        var rng = RandomSource(seed: seed &* 1_000_003 &+ UInt64(step))
        samples = model.importanceSample(x, k: Self.sampleCount, rng: &rng).samples
        let sampler = ImportanceSampler(model, x)
        bounds = []
        standardErrors = []
        for k in Self.ladder {
            let repeats = max(50, Self.samplesPerK / k)
            let draws = (0..<repeats).map { _ in sampler.draw(k: k, rng: &rng) }
            let mean = draws.reduce(0, +) / Double(repeats)
            let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(repeats - 1)
            bounds.append(mean)
            standardErrors.append((variance / Double(repeats)).squareRoot())
        }
    }
}

import Foundation

/// The state of `vae-tui demo enumerate`: one binary 4×4 image x, a categorical model of it whose
/// marginal is a sum over K states, and the bounds L_k against that exact log p(x) as q(z|x)
/// (and optionally p) is optimised step by step.
public struct EnumerationDemo: Sendable, Equatable {
    /// The k whose L_k is shown, each estimated from one pool of `samplesPerK` draws of z cut into groups of k
    /// (100 groups at k = 1000) and shown with its standard error: near log p(x) an estimate can land above it.
    public static let ladder = [1, 2, 5, 10, 50, 100, 1000]
    public static let samplesPerK = 100_000

    public private(set) var model: CategoricalModel
    public let x: [Double]
    public private(set) var step = 0
    public private(set) var seed: UInt64
    /// Also step the prior and decoder, not only q.
    public var trainModel = false
    public let learningRate = 0.5
    /// The z_i of one L_k draw at the current step, marked on the bars.
    public private(set) var samples: [Int] = []
    public static let sampleCount = 10
    /// L_k for each k of `ladder`, and the standard error of that estimate.
    public private(set) var bounds: [Double] = []
    public private(set) var standardErrors: [Double] = []
    /// The exact numbers of the current model, computed once per step: log p(x), the ELBO, p(z|x) and q(z|x).
    public private(set) var logMarginal = 0.0, elbo = 0.0
    public private(set) var truePosterior: [Double] = [], posterior: [Double] = []

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
        let logJoint = model.logJoint(x), logQ = model.logPosterior
        logMarginal = logSumExp(logJoint)
        truePosterior = logJoint.map { exp($0 - logMarginal) }
        posterior = logQ.map(exp)
        elbo = (0..<states).reduce(0) { $0 + posterior[$1] * (logJoint[$1] - logQ[$1]) }
        var rng = RandomSource(seed: seed &* 1_000_003 &+ UInt64(step))
        let sampler = ImportanceSampler(model, x)
        samples = (0..<Self.sampleCount).map { _ in sampler.sample(&rng) }
        // One pool of weights w_i = p(x, z_i)/q(z_i|x) (scaled by e^-shift), cut into pool/k disjoint groups of k
        // for each rung: every L_k estimate is the mean of independent groups, from one set of draws.
        let pool = (0..<Self.samplesPerK).map { _ in sampler.scaledWeights[sampler.sample(&rng)] }
        bounds = []
        standardErrors = []
        for k in Self.ladder {
            let repeats = pool.count / k
            let draws = (0..<repeats).map { r in
                sampler.shift + log(pool[(r * k)..<((r + 1) * k)].reduce(0, +) / Double(k))
            }
            let mean = draws.reduce(0, +) / Double(repeats)
            let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(repeats - 1)
            bounds.append(mean)
            standardErrors.append((variance / Double(repeats)).squareRoot())
        }
    }
}

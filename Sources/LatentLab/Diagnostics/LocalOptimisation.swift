import Foundation

/// How local inference runs: Adam on each image's own posterior parameters, fresh noise every step.
public struct LocalOptimisationSettings: Sendable, Equatable {
    /// The step budget.
    public var steps: Int
    public var learningRate: Float
    /// Draws per image in each step's ELBO, so the gradient is not one draw's noise.
    public var samplesPerStep: Int
    /// Steps per window: the batch's mean ELBO over a window is compared with the best earlier window's.
    public var window: Int
    /// Nats per image a window must gain over the best earlier one to count as still rising.
    public var tolerance: Float
    /// The learning rate's factor at the first plateau: Adam's jitter at a constant rate costs ELBO near
    /// the optimum, so the run settles at a smaller rate and stops at the second plateau.
    public var settlingFactor: Float
    /// Seconds a batch may take (the dashboard's budget); nil: only the steps and the plateau stop it.
    public var timeBudget: Double?

    public static let defaultSteps = 1000

    public init(steps: Int = LocalOptimisationSettings.defaultSteps, learningRate: Float = 1e-2,
                samplesPerStep: Int = 10, window: Int = 50, tolerance: Float = 0.01, settlingFactor: Float = 0.1,
                timeBudget: Double? = nil) {
        self.steps = steps
        self.timeBudget = timeBudget
        self.learningRate = learningRate
        self.samplesPerStep = samplesPerStep
        self.window = window
        self.tolerance = tolerance
        self.settlingFactor = settlingFactor
    }
}

/// Local inference (Cremer, Li and Duvenaud 2018; docs/THEORY.md section 8): the encoding's tensors become
/// free parameters of each image, and each image's ELBO is maximised for that image alone with the decoder
/// and prior frozen, giving q*, the family's best member for x as far as the budget finds it.
///
/// What is local is every field of `PosteriorEncoding`: the mean and log-variance, the IAF's context h and the
/// full covariance's Cholesky entries. For two or more stochastic layers only q(z1|x)'s encoding is local;
/// q(z2|z1) and above stay amortised (their networks are model weights, frozen), so q* there is the best
/// q(z1|x) under the amortised upper conditionals. A δ-VAE's minimum rate caps the encoder's output, not the
/// local parameters.
public enum LocalOptimisation {
    /// What ended a run: the ELBO's second plateau, the step budget or the time budget. Later cases are
    /// the more telling for a batch of runs (`max`): one cut short by time means the figures are not q*'s yet.
    public enum Stop: Int, Sendable, Comparable, Codable {
        case plateau, steps, time

        public static func < (a: Stop, b: Stop) -> Bool { a.rawValue < b.rawValue }

        /// "plateau", "step budget", "time budget".
        public var description: String {
            switch self {
            case .plateau: "plateau"
            case .steps: "step budget"
            case .time: "time budget"
            }
        }
    }

    /// The optimised encodings (constants, one row per image), the steps taken and what stopped them.
    public struct Result {
        public var encoding: PosteriorEncoding
        public var steps: Int
        public var stop: Stop
    }

    /// Starts from the model's own encoding of x; all of x's images in one batch (one product per layer).
    public static func optimise(model: VAE, x: Tensor, settings: LocalOptimisationSettings = .init(),
                                rng: inout RandomSource) -> Result {
        let start = model.encode(Var(constant: x), on: Tape(recording: false))
        return optimise(model: model, x: x, from: start, settings: settings, rng: &rng)
    }

    /// Gradient ascent on Σ_images ELBO (each image's gradient is its own ELBO's); stops at the budget or at
    /// the second plateau of the batch's mean ELBO.
    public static func optimise(model: VAE, x: Tensor, from start: PosteriorEncoding,
                                settings: LocalOptimisationSettings, rng: inout RandomSource) -> Result {
        let local = LocalParameters(start)
        let adam = Adam(local.parameters, settings: AdamSettings(learningRate: settings.learningRate))
        let frozen = model.parameters
        let b = x.rows, samples = max(1, settings.samplesPerStep), d = model.config.latentSize
        var plateau = Plateau(window: max(1, settings.window), tolerance: Double(settings.tolerance))
        var steps = 0, settled = false, stop = Stop.steps
        let clock = ContinuousClock(), began = clock.now
        while steps < settings.steps {
            if let budget = settings.timeBudget, (clock.now - began).seconds >= budget {
                stop = .time
                break
            }
            for p in local.parameters { p.zeroGrad() }
            let tape = Tape(frozen: frozen)
            let noise = rng.normalTensor(samples * b, d)
            let logW = model.logWeights(x, local.encoding(on: tape), noise: noise, on: tape).logW(on: tape)
            let total = tape.sum(logW)
            tape.backward(from: total, seed: -1 / Float(samples))   // Adam minimises −Σ ELBO
            adam.step()
            steps += 1
            guard plateau.add(Double(total.value.scalar) / Double(samples * b)) else { continue }
            if settled {
                stop = .plateau
                break
            }
            settled = true
            adam.learningRate *= settings.settlingFactor
        }
        return Result(encoding: local.values, steps: steps, stop: stop)
    }
}

/// A posterior encoding's tensors as parameters of their own, outside the model.
struct LocalParameters {
    let mean: Parameter
    let logVariance: Parameter
    let context: Parameter?
    let lowerCholesky: Parameter?

    init(_ e: PosteriorEncoding) {
        mean = Parameter("local.mean", e.mean.value.copied())
        logVariance = Parameter("local.logvar", e.logVariance.value.copied())
        context = e.context.map { Parameter("local.context", $0.value.copied()) }
        lowerCholesky = e.lowerCholesky.map { Parameter("local.lower", $0.value.copied()) }
    }

    var parameters: [Parameter] { [mean, logVariance] + [context, lowerCholesky].compactMap { $0 } }

    func encoding(on tape: Tape) -> PosteriorEncoding {
        PosteriorEncoding(mean: tape.param(mean), logVariance: tape.param(logVariance),
                          context: context.map(tape.param), lowerCholesky: lowerCholesky.map(tape.param))
    }

    var values: PosteriorEncoding { encoding(on: Tape(recording: false)) }
}

/// Whether a noisy rising series has stopped rising: window means against the best earlier window's.
struct Plateau {
    let window: Int
    let tolerance: Double
    private var sum = 0.0, count = 0
    private var best = -Double.infinity

    init(window: Int, tolerance: Double) {
        self.window = window
        self.tolerance = tolerance
    }

    /// Adds a value; true when it completes a window that is not `tolerance` above the best before it.
    mutating func add(_ value: Double) -> Bool {
        sum += value
        count += 1
        guard count == window else { return false }
        let mean = sum / Double(window)
        sum = 0
        count = 0
        defer { best = max(best, mean) }
        return mean <= best + tolerance
    }
}

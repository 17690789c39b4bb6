/// Which bound training maximises.
public enum ObjectiveKind: String, Codable, Sendable, CaseIterable {
    /// The ELBO averaged over k samples (a "VAE with k samples" in the IWAE paper's tables).
    case elbo
    /// The importance-weighted bound L_k (Burda et al. 2015).
    case iwae
}

/// Free bits (Kingma et al. 2016): the rate term of group j is max(λ, KL_j), with KL_j the
/// batch-averaged KL of that group, so no group is pushed below λ nats.
public struct FreeBits: Codable, Sendable, Equatable {
    /// λ in nats; 0 turns free bits off.
    public var lambda: Float
    /// Clamp each latent unit on its own instead of groups.
    public var perUnit: Bool
    /// How many equal groups the latent units are split into (when not per unit).
    public var groups: Int

    public init(lambda: Float = 0, perUnit: Bool = false, groups: Int = 1) {
        self.lambda = lambda
        self.perUnit = perUnit
        self.groups = groups
    }

    public var isOn: Bool { lambda > 0 }

    /// Unit ranges of each group for a latent of `size` units.
    public func groupRanges(latentSize size: Int) -> [Range<Int>] {
        let g = perUnit ? size : max(1, min(groups, size))
        return (0..<g).map { j in (j * size / g)..<((j + 1) * size / g) }
    }
}

/// KL warm-up: the weight on the KL term rises from `start` to 1 over `steps` steps (Bowman et al. 2015),
/// or repeatedly in cycles of `steps` steps, rising for the first `cycleRatio` of each (Fu et al. 2019).
public struct KLWarmup: Codable, Sendable, Equatable {
    public enum Schedule: String, Codable, Sendable, CaseIterable { case linear, cyclical }

    /// Length of the ramp (linear) or of one cycle (cyclical); 0 turns warm-up off.
    public var steps: Int
    public var start: Float
    public var schedule: Schedule
    public var cycleRatio: Float

    public init(steps: Int = 0, start: Float = 0, schedule: Schedule = .linear, cycleRatio: Float = 0.5) {
        self.steps = steps
        self.start = start
        self.schedule = schedule
        self.cycleRatio = cycleRatio
    }

    /// The weight at training step `step` (counted from 0), in [start, 1].
    public func weight(atStep step: Int) -> Float {
        guard steps > 0 else { return 1 }
        let progress: Float
        switch schedule {
        case .linear:
            progress = Float(step) / Float(steps)
        case .cyclical:
            let tau = Float(step % steps) / Float(steps)
            progress = tau / max(cycleRatio, 1e-6)
        }
        return start + (1 - start) * min(1, max(0, progress))
    }
}

/// Everything that shapes the training objective, and the remedies for posterior collapse that act on
/// it. Each field may change between two steps.
public struct ObjectiveSettings: Codable, Sendable, Equatable {
    public var kind: ObjectiveKind
    /// Samples per example.
    public var k: Int
    /// Weight on the KL term (beta-VAE); multiplied by the warm-up weight.
    public var beta: Float
    public var freeBits: FreeBits
    public var warmup: KLWarmup
    /// Conditioning dropout (Bowman et al. 2015's word dropout): in training, each previous pixel an
    /// autoregressive decoder reads is replaced by `neutralPixel` with this probability. 0 is off.
    public var conditioningDropout: Float
    /// δ-VAE's minimum rate (Razavi et al. 2019), nats per unit: a diagonal Gaussian q's deviations are held
    /// below the σ at which KL(N(μ, σ²) ‖ N(0, 1)) would fall under δ. 0 is off.
    public var minimumRate: Float

    /// What a dropped pixel reads: halfway between the two values a binary pixel takes.
    public static let neutralPixel: Float = 0.5
    /// Dropout below 1: a decoder that never sees a previous pixel is no longer autoregressive.
    public static let maximumConditioningDropout: Float = 0.95

    public init(kind: ObjectiveKind = .elbo, k: Int = 1, beta: Float = 1,
                freeBits: FreeBits = FreeBits(), warmup: KLWarmup = KLWarmup(),
                conditioningDropout: Float = 0, minimumRate: Float = 0) {
        self.kind = kind
        self.k = k
        self.beta = beta
        self.freeBits = freeBits
        self.warmup = warmup
        self.conditioningDropout = conditioningDropout
        self.minimumRate = minimumRate
    }

    /// Checkpoints written before the collapse remedies carry neither: both off then.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(kind: try c.decode(ObjectiveKind.self, forKey: .kind), k: try c.decode(Int.self, forKey: .k),
                  beta: try c.decode(Float.self, forKey: .beta),
                  freeBits: try c.decode(FreeBits.self, forKey: .freeBits),
                  warmup: try c.decode(KLWarmup.self, forKey: .warmup),
                  conditioningDropout: try c.decodeIfPresent(Float.self, forKey: .conditioningDropout) ?? 0,
                  minimumRate: try c.decodeIfPresent(Float.self, forKey: .minimumRate) ?? 0)
    }

    /// x as an autoregressive decoder sees it in training: each pixel replaced by `neutralPixel` with
    /// probability `conditioningDropout`, a new mask every call.
    public func seenPixels(_ x: Tensor, rng: inout RandomSource) -> Tensor {
        var seen = x
        let p = conditioningDropout, n = x.count
        seen.withMutablePointer { s in for i in 0..<n where rng.uniform() < p { s[i] = Self.neutralPixel } }
        return seen
    }

    /// The weight on the KL term at a step: beta times the warm-up weight.
    public func klWeight(atStep step: Int) -> Float { beta * warmup.weight(atStep: step) }

    /// Why these settings cannot be trained with, or nil: a checkpoint's saved objective is checked with it.
    /// Each knob's range is its entry's in `Knob` (the command line and the engine check the same).
    public var problem: String? {
        func isCount(_ x: Float) -> Bool { x.isFinite && x >= 0 }
        if let problem = Knob.problem(in: KnobSettings(objective: self)) { return problem }
        if freeBits.groups < 1 { return "free bits need at least one group" }
        if !(0...1).contains(warmup.start) || !isCount(warmup.cycleRatio) {
            return "the warm-up settings are out of range"
        }
        return nil
    }
}

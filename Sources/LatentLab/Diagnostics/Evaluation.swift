import Foundation

/// Held-out diagnostics of a VAE: the bound and its parts, KL per unit, active units, I_q(x;z), the
/// Barber–Agakov bound on I(z;x), and how much the decoder uses z.
public struct Evaluation: Sendable, Codable, Equatable {
    /// ELBO (one sample per example), nats per example.
    public var elbo: Float
    /// −E_q log p(x|z), nats per example.
    public var distortion: Float
    /// KL(q(z|x) ‖ p(z)), nats per example.
    public var kl: Float
    /// Mean KL of each latent unit.
    public var klPerUnit: [Float]
    /// A_u = Cov_x(E_q[u]): the variance over the data of each unit's posterior mean.
    public var activity: [Float]
    /// Units with A_u > 0.01 (Burda et al. 2015).
    public var activeUnits: Int
    /// I_q(x;z) = E_x KL(q(z|x) ‖ q(z)), q(z) the minibatch aggregate posterior, nats.
    public var mutualInformation: Float
    /// Barber–Agakov lower bound on I(z;x) under the model's own joint p(z)p(x|z), nats (docs/THEORY.md section 3).
    /// It sits below I(z;x) by E_x KL(p(z|x) ‖ q(z|x)), so it can be negative while the encoder is poor.
    public var mutualInformationBound: Float
    /// E log p(x|z) with z ~ p(z) instead of q(z|x), nats per example: what the decoder makes of x without
    /// the encoder's information.
    public var priorLikelihood: Float
    public var examples: Int
    /// The sizes of the stochastic layers, bottom first ([latent] for one layer).
    public var layerSizes: [Int]

    public static let activityThreshold: Float = 0.01

    /// The decoder's use of z: E_q log p(x|z) − E_p log p(x|z), nats per example. About 0 when the decoder
    /// ignores z (collapse); large when x depends on which z it gets.
    public var zUse: Float { -distortion - priorLikelihood }

    /// The KL of each stochastic layer: its units' KLs added up.
    public var klLayers: [Float] { layerRanges.map { klPerUnit[$0].reduce(0, +) } }
    /// The active units of each stochastic layer.
    public var activeUnitsLayers: [Int] {
        layerRanges.map { activity[$0].filter { $0 > Self.activityThreshold }.count }
    }

    private var layerRanges: [Range<Int>] {
        var start = 0
        return layerSizes.map { size in defer { start += size }; return start..<(start + size) }
    }
}

/// The probe batch's importance-weighted bounds, by name.
public struct ProbeBounds: Sendable, Equatable {
    public var l1: Float
    public var l5: Float
    public var l50: Float
}

public enum Evaluator {
    /// The Barber–Agakov bound's and the posterior moments' streams are seeded this far from the
    /// evaluation's own, so adding either leaves the other numbers as they were.
    static let boundStreamOffset: UInt64 = 0xBA
    static let momentStreamOffset: UInt64 = 0x3011
    static let priorStreamOffset: UInt64 = 0x9A1
    /// Examples I_q takes when the posterior's density inverts a flow (B² densities, d passes each).
    static let expensivePairs = 100

    /// Evaluates on the first `limit` images (all when nil), `batchSize` at a time. The I_q estimate uses
    /// each batch as the aggregate posterior, so it is at most log(batchSize); for a posterior whose density
    /// inverts a flow one variable at a time it is taken on the first `expensivePairs` images only (at most
    /// log 100 = 4.6 nats). The Barber–Agakov bound draws `boundSamples` pairs from the model (not the data).
    /// Both, and the moments of a posterior without closed-form ones, use streams of their own, so the
    /// other numbers are the same as without them.
    public static func evaluate(model: VAE, data: BinaryImages, limit: Int? = nil, batchSize: Int = 500,
                                seed: UInt64 = 0, boundSamples: Int = 500) -> Evaluation {
        var rng = RandomSource(seed: seed)
        let n = min(limit ?? data.count, data.count)
        let d = model.config.latentSize
        var momentRNG = RandomSource(seed: seed &+ momentStreamOffset)
        var priorRNG = RandomSource(seed: seed &+ priorStreamOffset)
        var sumPriorLikelihood = 0.0
        var sumELBO = 0.0, sumDistortion = 0.0, sumKL = 0.0, sumMI = 0.0, informationExamples = 0
        var klUnits = [Double](repeating: 0, count: d)
        var meanSum = [Double](repeating: 0, count: d), meanSquares = [Double](repeating: 0, count: d)
        var estimationNoise = [Double](repeating: 0, count: d)  // Σ_x Var(Ê_q[z]) where E_q[z] is estimated
        var start = 0
        while start < n {
            let b = min(batchSize, n - start)
            let x = data.batch(start..<(start + b))
            let tape = Tape(recording: false)
            let encoding = model.encode(Var(constant: x), on: tape)
            let terms = model.logWeights(x, encoding, noise: rng.normalTensor(b, d), on: tape)
            let z = terms.z
            let logPxz = terms.logLikelihood.value
            // KL per unit in closed form where the pair has one, else from this draw: E_q[log q − log p] per unit.
            let kl = (model.posterior.closedFormKL(encoding, against: model.prior, on: tape)
                      ?? terms.rateUnits(on: tape)).value
            logPxz.withPointer { p in for i in 0..<b { sumDistortion -= Double(p[i]) } }
            let fromPrior = model.likelihood.logLikelihoodInChunks(x, given: model.samplePrior(b, rng: &priorRNG))
            fromPrior.withPointer { p in for i in 0..<b { sumPriorLikelihood += Double(p[i]) } }
            let moments = model.posterior.moments(encoding, rng: &momentRNG)  // E_q[z] for the active units
            kl.withPointer { p in moments.mean.withPointer { m in
                for i in 0..<b {
                    for j in 0..<d {
                        klUnits[j] += Double(p[i * d + j])
                        let v = Double(m[i * d + j])
                        meanSum[j] += v
                        meanSquares[j] += v * v
                        estimationNoise[j] += Double(moments.meanVariance(i, j))
                    }
                }
            } }
            let pairs = model.posterior.hasCheapDensity ? b : min(b, expensivePairs) - informationExamples
            if pairs > 0 {
                let logQ = model.posterior.pairwiseLogDensities(z.value.rowBlock(0, pairs), encoding.rows(0, pairs))
                sumMI += Double(mutualInformation(logDensities: logQ)) * Double(pairs)
                informationExamples += pairs
            }
            start += b
        }
        let count = Double(max(n, 1))
        for j in 0..<d { sumKL += klUnits[j] }
        sumELBO = -sumDistortion - sumKL
        let activity = (0..<d).map { j -> Float in
            let m = meanSum[j] / count
            // Var_x of estimated means is Var_x E_q[z] plus the estimates' own variance: take that out.
            return Float(max(0, meanSquares[j] / count - m * m - estimationNoise[j] / count))
        }
        var boundRNG = RandomSource(seed: seed &+ boundStreamOffset)
        let bound = mutualInformationBound(model: model, samples: min(boundSamples, model.likelihood.affordableDraws),
                                           rng: &boundRNG)
        return Evaluation(
            elbo: Float(sumELBO / count), distortion: Float(sumDistortion / count), kl: Float(sumKL / count),
            klPerUnit: klUnits.map { Float($0 / count) }, activity: activity,
            activeUnits: activity.filter { $0 > Evaluation.activityThreshold }.count,
            mutualInformation: Float(sumMI / Double(max(informationExamples, 1))), mutualInformationBound: bound,
            priorLikelihood: Float(sumPriorLikelihood / count), examples: n,
            layerSizes: model.config.layerSizes)
    }

    /// I_q = E_i [log q(z_i|x_i) − log q(z_i)] for one batch, z_i ~ q(z|x_i) and log q(z_i) =
    /// logsumexp_j log q(z_i|x_j) − log B, from the B×B matrix of log q(z_i|x_j).
    public static func mutualInformation(logDensities logQ: Tensor) -> Float {
        let b = logQ.rows
        precondition(logQ.cols == b, "a square matrix of log-densities")
        var lse = [Float](repeating: 0, count: b)
        logQ.withPointer { l in
            lse.withUnsafeMutableBufferPointer { Kernels.rowLogSumExp(l, rows: b, cols: b, into: $0.baseAddress!) }
        }
        var total: Double = 0
        for i in 0..<b { total += Double(logQ[i, i] - (lse[i] - Foundation.log(Float(b)))) }
        return Float(total / Double(b))
    }

    /// The Barber–Agakov bound I(z;x) ≥ H(z) + E_{p(z)p(x|z)} log q(z|x), from `samples` draws of the
    /// generative model: z ~ p(z), binary x ~ p(x|z), each z scored by the encoder at its own x.
    /// Two batched forward passes with a factorised decoder; an autoregressive one draws x pixel by pixel.
    public static func mutualInformationBound(model: VAE, samples n: Int, rng: inout RandomSource) -> Float {
        precondition(n >= 1, "at least one sample")
        let tape = Tape(recording: false)
        let z = Var(constant: model.samplePrior(n, rng: &rng))
        let x = model.likelihood.sample(z, rng: &rng)
        let logQ = model.posterior.logDensity(z, model.encode(Var(constant: x), on: tape), on: tape).value
        // H(z) in closed form where the prior has one, else −E log p(z) from the same draws.
        let logP = model.prior.entropy == nil ? model.prior.logDensity(z, on: tape).value : nil
        var total = 0.0
        for i in 0..<n { total += Double(logQ[i, 0]) - Double(logP?[i, 0] ?? 0) }
        return Float((model.prior.entropy ?? 0) + total / Double(n))
    }

    /// L_1, L_5 and L_50 averaged over a fixed probe batch: the bounds climbing towards log p(x), their
    /// spread the variational gap as k grows. The same seed gives the same samples every call.
    public static func probeBounds(model: VAE, probe: Tensor, seed: UInt64 = 0) -> ProbeBounds {
        func bound(_ k: Int) -> Float {
            var rng = RandomSource(seed: seed &+ UInt64(k))
            let values = Bounds.importanceWeighted(model: model, x: probe, k: k, rng: &rng)
            return values.reduce(0, +) / Float(max(values.count, 1))
        }
        return ProbeBounds(l1: bound(1), l5: bound(5), l50: bound(50))
    }

    /// NLL = −L_k averaged over the first `limit` examples (k = 5000 is the standard estimate).
    /// `progress` is called with the number of examples done.
    public static func negativeLogLikelihood(model: VAE, data: BinaryImages, k: Int = 5000, limit: Int? = nil,
                                             seed: UInt64 = 0, progress: ((Int, Int) -> Void)? = nil) -> Float {
        var rng = RandomSource(seed: seed)
        let n = min(limit ?? data.count, data.count)
        let chunk = max(1, 5000 / k) * Parallel.threads  // one group of images per thread between progress reports
        var total: Double = 0
        var start = 0
        while start < n {
            let b = min(chunk, n - start)
            let bounds = Bounds.importanceWeighted(model: model, x: data.batch(start..<(start + b)), k: k, rng: &rng)
            for v in bounds { total += Double(v) }
            start += b
            progress?(start, n)
        }
        return Float(-total / Double(max(n, 1)))
    }
}

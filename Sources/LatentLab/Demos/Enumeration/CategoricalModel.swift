import Foundation

/// The lecture's "marginal as enumeration" model: z in {0..K-1} with prior softmax(priorLogits),
/// binary x of D pixels with p(x|z) = Π_d Bernoulli(σ(decoderLogits[z, d])), and for the one x the
/// demo looks at, q(z|x) = softmax(posteriorLogits). Every quantity is a sum over the K states, so
/// log p(x), the ELBO and the gap are exact, and L_k can be drawn against the truth.
/// Computed in Double: the point is exactness, and K·D is small.
public struct CategoricalModel: Sendable, Equatable {
    public let states: Int
    public let pixels: Int
    public var priorLogits: [Double]
    /// states × pixels, row-major.
    public var decoderLogits: [Double]
    public var posteriorLogits: [Double]

    /// Random decoder, uniform prior and posterior: the demo's starting point.
    public init(states: Int, pixels: Int, seed: UInt64) {
        self.states = states
        self.pixels = pixels
        var rng = RandomSource(seed: seed)
        priorLogits = Array(repeating: 0, count: states)
        decoderLogits = (0..<(states * pixels)).map { _ in 2 * Double(rng.normal()) }
        posteriorLogits = Array(repeating: 0, count: states)
    }

    /// log p(x, z) for every z.
    public func logJoint(_ x: [Double]) -> [Double] {
        let prior = Self.logSoftmax(priorLogits)
        return (0..<states).map { z in
            var lp = prior[z]
            for d in 0..<pixels {
                let a = decoderLogits[z * pixels + d]
                // log σ(a) = −softplus(−a), log(1 − σ(a)) = −softplus(a)
                lp -= x[d] > 0.5 ? Self.softplus(-a) : Self.softplus(a)
            }
            return lp
        }
    }

    /// log q(z|x) for every z.
    public var logPosterior: [Double] { Self.logSoftmax(posteriorLogits) }

    /// log p(x) = log Σ_z p(x, z), exactly.
    public func logMarginal(_ x: [Double]) -> Double { logSumExp(logJoint(x)) }

    /// ELBO = Σ_z q(z|x) (log p(x, z) − log q(z|x)), exactly.
    public func elbo(_ x: [Double]) -> Double {
        let lj = logJoint(x), lq = logPosterior
        return (0..<states).reduce(0) { $0 + exp(lq[$1]) * (lj[$1] - lq[$1]) }
    }

    /// L_k estimated as the mean of `repeats` independent draws.
    public func importanceBound(_ x: [Double], k: Int, repeats: Int, rng: inout RandomSource) -> Double {
        let sampler = ImportanceSampler(self, x)
        return (0..<repeats).reduce(0) { acc, _ in acc + sampler.draw(k: k, rng: &rng) } / Double(repeats)
    }

    /// One gradient-ascent step on the exact ELBO: on q's logits, and on the prior and decoder when
    /// `model` is set (then the ELBO's gradient is E_q ∇ log p(x, z)).
    public mutating func step(_ x: [Double], learningRate: Double, model: Bool) {
        let lj = logJoint(x), lq = logPosterior
        let q = lq.map(exp)
        let bound = (0..<states).reduce(0) { $0 + q[$1] * (lj[$1] - lq[$1]) }
        // ∂ELBO/∂ℓ_z = q_z (log p(x,z) − log q_z − ELBO)
        let posteriorGradient = (0..<states).map { q[$0] * (lj[$0] - lq[$0] - bound) }
        if model {
            let prior = Self.logSoftmax(priorLogits).map(exp)
            for z in 0..<states {
                priorLogits[z] += learningRate * (q[z] - prior[z])
                for d in 0..<pixels {
                    let i = z * pixels + d
                    decoderLogits[i] += learningRate * q[z] * (x[d] - 1 / (1 + exp(-decoderLogits[i])))
                }
            }
        }
        for z in 0..<states { posteriorLogits[z] += learningRate * posteriorGradient[z] }
    }

    static func softplus(_ a: Double) -> Double { a > 0 ? a + log1p(exp(-a)) : log1p(exp(a)) }

    static func logSoftmax(_ v: [Double]) -> [Double] {
        let l = logSumExp(v)
        return v.map { $0 - l }
    }

}

/// Draws of L_k's estimator for one x, with log w_z = log p(x, z) − log q(z|x) and q's cumulative
/// distribution computed once, so a draw costs k uniforms and k binary searches.
public struct ImportanceSampler: Sendable {
    public let logWeights: [Double]
    let cumulative: [Double]
    /// The largest log w_z of a z that q can draw: subtracted before exp so the sum cannot overflow.
    public let shift: Double
    /// w_z e^-shift for every z, exponentiated once.
    public let scaledWeights: [Double]

    public init(_ model: CategoricalModel, _ x: [Double]) {
        let lj = model.logJoint(x), lq = model.logPosterior
        logWeights = zip(lj, lq).map { $0 - $1 }
        var total = 0.0
        cumulative = lq.map { total += exp($0); return total }
        shift = zip(logWeights, lq).filter { $1 > -.infinity }.map(\.0).max() ?? 0
        scaledWeights = logWeights.map { [shift] in exp($0 - shift) }
    }

    /// z ~ q(z|x).
    public func sample(_ rng: inout RandomSource) -> Int {
        let u = Double(rng.uniform()) * cumulative[cumulative.count - 1]
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > u { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// One draw of log (1/k) Σ_i w_i.
    public func draw(k: Int, rng: inout RandomSource) -> Double {
        var sum = 0.0
        for _ in 0..<k { sum += scaledWeights[sample(&rng)] }
        return shift + log(sum / Double(k))
    }
}

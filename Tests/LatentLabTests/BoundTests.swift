import Foundation
import Testing
@testable import LatentLab

/// Bounds against an exact answer: a VAE with a 2-D latent and 3 binary pixels, whose log p(x)
/// is computed by quadrature over a fine grid of z (the integrand is smooth and the tails beyond
/// |z| = 7 carry less than 1e-10 of the prior's mass).
@Suite struct BoundTests {
    static let config = VAEConfig(inputSize: 3, encoderHidden: [8], latentSize: 2, decoderHidden: [8], activation: .tanh)

    /// A model whose decoder depends on z strongly enough that the posterior is far from the prior.
    static func model() -> VAE {
        let m = VAE(config, seed: 7)
        for p in m.parameters where p.name.hasPrefix("decoder") { p.assign(p.value.scaled(3)) }
        return m
    }

    /// log p(x) = log ∫ p(z) p(x|z) dz on a grid over [-7, 7]², the prior's density written out by hand.
    static func exactLogMarginal(_ model: VAE, _ x: [Float]) -> Double {
        logIntegral2D(halfWidth: 7, points: 281) { grid in
            let tape = Tape(recording: false)
            let logPx = tape.bernoulliLogLikelihood(logits: model.logits(Var(constant: grid), on: tape), targets: Tensor(rows: 1, cols: 3, x)).value
            var terms = Tensor(zeros: grid.rows, 1)
            for r in 0..<grid.rows {
                let z0 = grid[r, 0], z1 = grid[r, 1]
                terms[r, 0] = logPx[r, 0] - 0.5 * (z0 * z0 + z1 * z1) - Float(Foundation.log(2 * Double.pi))
            }
            return terms
        }
    }

    /// Mean of L_k over many independent estimates, so the ordering is not hidden by noise.
    static func meanBound(_ model: VAE, _ x: [Float], k: Int, repeats: Int, seed: UInt64) -> Double {
        var rng = RandomSource(seed: seed)
        let batch = Tensor(rows: repeats, cols: 3, Array((0..<repeats).map { _ in x }.joined()))
        let values = Bounds.importanceWeighted(model: model, x: batch, k: k, rng: &rng)
        return values.reduce(0) { $0 + Double($1) } / Double(repeats)
    }

    /// L_1, L_5, L_50 and L_5000 of x, each the mean of its count of `repeats` estimates on its own seed.
    static func ladder(_ model: VAE, _ x: [Float], repeats: [Int]) -> (l1: Double, l5: Double, l50: Double, l5000: Double) {
        let values = zip([1, 5, 50, 5000], repeats).enumerated().map { i, kr in
            meanBound(model, x, k: kr.0, repeats: kr.1, seed: UInt64(i + 1))
        }
        return (values[0], values[1], values[2], values[3])
    }

    @Test(arguments: [[1, 0, 1], [0, 0, 0], [1, 1, 0]] as [[Float]])
    func boundsClimbTowardsTheExactMarginal(x: [Float]) {
        let model = Self.model()
        let exact = Self.exactLogMarginal(model, x)
        let (l1, l5, l50, l5000) = Self.ladder(model, x, repeats: [4000, 1000, 200, 16])
        #expect(l1 < l5 && l5 < l50, "L_1 \(l1), L_5 \(l5), L_50 \(l50)")
        #expect(l50 <= exact + 1e-3, "L_50 \(l50) above log p(x) \(exact)")
        #expect(exact - l1 > exact - l50, "the gap shrinks with k")
        #expect(abs(l5000 - exact) < 0.01, "L_5000 \(l5000) vs exact \(exact)")
        #expect(exact - l1 > 0.05, "the test model must have a real variational gap (\(exact - l1))")
    }

    @Test func chunkedEstimateMatchesOnePass() {
        // k larger than maxRows takes the chunked path; with the same noise stream it must agree with one pass.
        let model = Self.model()
        let x = Tensor(rows: 1, cols: 3, [1, 0, 1])
        var a = RandomSource(seed: 5), b = RandomSource(seed: 5)
        let onePass = Bounds.importanceWeighted(model: model, x: x, k: 600, rng: &a, maxRows: 5000)[0]
        let chunked = Bounds.importanceWeighted(model: model, x: x, k: 600, rng: &b, maxRows: 100)[0]
        #expect(abs(onePass - chunked) < 1e-4, "\(onePass) vs \(chunked)")
    }
}

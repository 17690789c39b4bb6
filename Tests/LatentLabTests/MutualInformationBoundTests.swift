import Foundation
import Testing
@testable import LatentLab

/// The Barber–Agakov bound against exact answers. A VAE with a 2-D latent and 4 binary pixels has
/// only 16 possible x, so the model's joint p(z)p(x|z) can be integrated by quadrature over a grid of z
/// (the prior's mass beyond |z| = 7 is below 1e-10): that gives the exact I(z;x) and the exact
/// expectation the estimator samples.
@Suite struct MutualInformationBoundTests {
    static let config = VAEConfig(inputSize: 4, encoderHidden: [8], latentSize: 2, decoderHidden: [8], activation: .tanh)

    /// Exact quantities under the model's joint, by quadrature on an n×n grid over [-7, 7]².
    struct Exact {
        var information = 0.0       // I(z;x)
        var bound = 0.0             // H(z) + E log q(z|x), H(z) from the grid too
        var logQSecondMoment = 0.0  // E (log q(z|x))², for the estimator's standard error
        var entropyZ = 0.0          // H(z)
        var entropyX = 0.0          // H(x)
        var massX = 0.0             // Σ_x p(x)
    }

    static func exact(_ model: VAE, n: Int = 241) -> Exact {
        let h = 14.0 / Double(n - 1), area = h * h
        var grid = Tensor(zeros: n * n, 2)
        for i in 0..<n { for j in 0..<n { grid[i * n + j, 0] = Float(-7 + Double(i) * h); grid[i * n + j, 1] = Float(-7 + Double(j) * h) } }
        let tape = Tape(recording: false)
        let logits = model.logits(Var(constant: grid), on: tape).value
        let xs = (0..<16).map { v in (0..<4).map { Double((v >> $0) & 1) } }
        let (mu, lv) = model.meanAndLogVariance(Var(constant: Tensor(rows: 16, cols: 4, xs.flatMap { $0.map(Float.init) })), on: tape)

        var e = Exact()
        let points = n * n
        var logPrior = [Double](repeating: 0, count: points)
        for r in 0..<points {
            let z0 = Double(grid[r, 0]), z1 = Double(grid[r, 1])
            logPrior[r] = -0.5 * (z0 * z0 + z1 * z1) - Foundation.log(2 * Double.pi)
            e.entropyZ -= Foundation.exp(logPrior[r]) * logPrior[r] * area
        }
        var logLikelihood = [Double](repeating: 0, count: points)
        for (v, x) in xs.enumerated() {
            var px = 0.0, jointLogLikelihood = 0.0, jointLogQ = 0.0, jointLogQ2 = 0.0
            for r in 0..<points {
                var ll = 0.0, lq = 0.0
                for d in 0..<4 {
                    let l = Double(logits[r, d])
                    ll += x[d] * l - (max(l, 0) + Foundation.log1p(Foundation.exp(-abs(l))))
                }
                for u in 0..<2 {
                    let m = Double(mu.value[v, u]), s2 = Foundation.exp(Double(lv.value[v, u])), diff = Double(grid[r, u]) - m
                    lq -= 0.5 * (Foundation.log(2 * Double.pi * s2) + diff * diff / s2)
                }
                logLikelihood[r] = ll
                let weight = Foundation.exp(logPrior[r] + ll) * area   // p(z, x) dA
                px += weight
                jointLogLikelihood += weight * ll
                jointLogQ += weight * lq
                jointLogQ2 += weight * lq * lq
            }
            // I = Σ_x ∫ p(z,x) [log p(x|z) − log p(x)]
            e.information += jointLogLikelihood - px * Foundation.log(px)
            e.bound += jointLogQ
            e.logQSecondMoment += jointLogQ2
            e.entropyX -= px * Foundation.log(px)
            e.massX += px
        }
        e.bound += e.entropyZ
        return e
    }

    /// A decoder that depends on z strongly, so I(z;x) is well away from zero.
    static func model(seed: UInt64) -> VAE {
        let m = VAE(config, seed: seed)
        for p in m.parameters where p.name.hasPrefix("decoder") { p.assign(p.value.scaled(3)) }
        return m
    }

    @Test(arguments: [7, 8] as [UInt64])
    func estimateMatchesQuadratureAndStaysBelowTheExactInformation(seed: UInt64) {
        let model = Self.model(seed: seed)
        let e = Self.exact(model)
        #expect(abs(e.massX - 1) < 1e-6, "the grid holds the joint's mass: \(e.massX)")
        #expect(abs(e.entropyZ - model.prior.entropy!) < 1e-6, "H(z) closed form \(model.prior.entropy!) vs grid \(e.entropyZ)")
        #expect(e.information > 0.3 && e.information <= e.entropyX + 1e-9 && e.entropyX <= 4 * Foundation.log(2.0))
        #expect(e.bound <= e.information, "BA \(e.bound) above I(z;x) \(e.information)")

        let samples = 20_000
        var rng = RandomSource(seed: 11)
        let estimate = Double(Evaluator.mutualInformationBound(model: model, samples: samples, rng: &rng))
        let logQMean = e.bound - e.entropyZ
        let standardError = ((e.logQSecondMoment - logQMean * logQMean) / Double(samples)).squareRoot()
        #expect(abs(estimate - e.bound) < 4 * standardError + 1e-3,
                "estimate \(estimate) vs exact \(e.bound) (s.e. \(standardError)); I(z;x) = \(e.information)")
    }

    @Test func trainingTheEncoderOnTheBoundClimbsTowardsButNotPastTheInformation() {
        // Maximising E log q(z|x) over the encoder alone moves q(z|x) towards p(z|x): the bound rises
        // towards I(z;x), the gap E_x KL(p(z|x) ‖ q(z|x)) shrinks, and it never crosses.
        let model = Self.model(seed: 7)
        let before = Self.exact(model, n: 161)
        let encoder = model.parameters.filter { $0.name.hasPrefix("encoder") }
        let adam = Adam(encoder, settings: AdamSettings(learningRate: 1e-2))
        var rng = RandomSource(seed: 5)
        for _ in 0..<300 {
            let sampler = Tape(recording: false)
            let z = model.samplePrior(128, rng: &rng)
            var x = sampler.sigmoid(model.logits(Var(constant: z), on: sampler)).value
            let count = x.count
            x.withMutablePointer { p in for i in 0..<count { p[i] = rng.bernoulli(p[i]) } }
            for p in encoder { p.zeroGrad() }
            let tape = Tape()
            let (mu, lv) = model.meanAndLogVariance(Var(constant: x), on: tape)
            let logQ = tape.mean(tape.gaussianLogDensity(Var(constant: z), mean: mu, logVariance: lv))
            tape.backward(from: logQ, seed: -1)
            adam.step()
        }
        let after = Self.exact(model, n: 161)
        #expect(after.bound > before.bound + 0.5, "training the encoder raises the bound: \(before.bound) → \(after.bound)")
        #expect(after.bound <= after.information, "BA \(after.bound) above I(z;x) \(after.information)")
        #expect(after.information - after.bound < 0.4, "the trained encoder's gap \(after.information - after.bound)")
        let estimate = Double(Evaluator.mutualInformationBound(model: model, samples: 20_000, rng: &rng))
        let logQMean = after.bound - after.entropyZ
        let standardError = ((after.logQSecondMoment - logQMean * logQMean) / 20_000).squareRoot()
        #expect(abs(estimate - after.bound) < 4 * standardError + 1e-3, "estimate \(estimate) vs exact \(after.bound)")
    }

    @Test func anEncoderThatIgnoresXGivesZero() {
        // q(z|x) = p(z): H(z) + E log p(z) = 0 exactly, so the estimate is 0 up to sampling noise
        // (standard error √(2d/4N) = 0.03 here).
        let model = VAE(Fixtures.smallModel, seed: 1)
        for p in model.parameters where p.name.hasPrefix("encoder.mean") || p.name.hasPrefix("encoder.logvar") {
            p.assign(Tensor(zeros: p.rows, p.cols))
        }
        var rng = RandomSource(seed: 3)
        let estimate = Evaluator.mutualInformationBound(model: model, samples: 2000, rng: &rng)
        #expect(abs(estimate) < 0.15, "\(estimate)")
    }

    @Test func evaluationCarriesTheBoundWithoutChangingTheOtherNumbers() {
        let model = VAE(Fixtures.smallModel, seed: 2)
        let data = BinaryImages(fixed: Fixtures.bars(count: 60, seed: 3), seed: 1)
        let a = Evaluator.evaluate(model: model, data: data, seed: 4, boundSamples: 100)
        let b = Evaluator.evaluate(model: model, data: data, seed: 4, boundSamples: 300)
        #expect(a.elbo == b.elbo && a.mutualInformation == b.mutualInformation && a.klPerUnit == b.klPerUnit)
        var rng = RandomSource(seed: 4 &+ 0xBA)
        #expect(a.mutualInformationBound == Evaluator.mutualInformationBound(model: model, samples: 100, rng: &rng))
        #expect(a.mutualInformationBound.isFinite && a.mutualInformationBound <= 16 * Foundation.log(2))
    }
}

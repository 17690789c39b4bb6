import Foundation
import Testing
@testable import LatentLab

/// The enumeration demo's model: exact marginal, ELBO and gap, and L_k climbing to the truth.
@Suite struct CategoricalModelTests {
    static let x: [Double] = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1]

    @Test(arguments: [4, 100])
    func elboAndGapAreExact(states: Int) {
        var m = CategoricalModel(states: states, pixels: 16, seed: 7)
        m.posteriorLogits = (0..<states).map { Double($0 % 3) }
        let lj = m.logJoint(Self.x)
        let logPx = log(lj.map(exp).reduce(0, +))
        #expect(abs(m.logMarginal(Self.x) - logPx) < 1e-9)
        // log p(x) − ELBO = KL(q || p(z|x)), computed directly.
        let q = m.logPosterior.map(exp)
        let kl = (0..<states).reduce(0.0) { $0 + q[$1] * (log(q[$1]) - (lj[$1] - logPx)) }
        #expect(abs((m.logMarginal(Self.x) - m.elbo(Self.x)) - kl) < 1e-9)
        #expect(kl > 0)
    }

    /// Two states, one pixel, by hand: uniform prior, p(x=1|z) = σ(a_z), q = (0.25, 0.75).
    @Test func aHandComputedCase() {
        var m = CategoricalModel(states: 2, pixels: 1, seed: 1)
        m.decoderLogits = [0, log(3)]                   // p(x=1|z) = 1/2 and 3/4
        m.posteriorLogits = [0, log(3)]                 // q = 1/4, 3/4
        let x: [Double] = [1]
        let joint = [0.5 * 0.5, 0.5 * 0.75]             // p(x, z)
        #expect(abs(m.logMarginal(x) - log(joint.reduce(0, +))) < 1e-12)
        let q = [0.25, 0.75]
        let elbo = zip(q, joint).reduce(0.0) { $0 + $1.0 * (log($1.1) - log($1.0)) }
        #expect(abs(m.elbo(x) - elbo) < 1e-12)
    }

    @Test func boundsRiseWithKAndReachTheMarginal() {
        let m = CategoricalModel(states: 4, pixels: 16, seed: 7)
        var rng = RandomSource(seed: 11)
        let bounds = [1, 2, 5, 10, 50].map { m.importanceBound(Self.x, k: $0, repeats: 4000, rng: &rng) }
        #expect(zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 }, "\(bounds)")
        #expect(abs(bounds[0] - m.elbo(Self.x)) < 0.1, "L_1 estimates the ELBO")
        #expect(bounds.allSatisfy { $0 <= m.logMarginal(Self.x) })

        // At large k the estimate reaches log p(x), for a q some steps in whose ELBO is still 10x the
        // tolerance below it (the estimate's spread is √(χ²(p(z|x)‖q)/k), 3e-4 here).
        var trained = m
        for _ in 0..<10 { trained.step(Self.x, learningRate: 0.5, model: false) }
        #expect(trained.logMarginal(Self.x) - trained.elbo(Self.x) > 0.01)
        let large = trained.importanceBound(Self.x, k: 300_000, repeats: 1, rng: &rng)
        #expect(abs(large - trained.logMarginal(Self.x)) < 1e-3, "L_300000 \(large) against log p(x) \(trained.logMarginal(Self.x))")
    }

    @Test func stepsCloseTheGap() {
        var m = CategoricalModel(states: 100, pixels: 16, seed: 3)
        let gap0 = m.logMarginal(Self.x) - m.elbo(Self.x)
        for _ in 0..<200 { m.step(Self.x, learningRate: 0.5, model: false) }
        let gap1 = m.logMarginal(Self.x) - m.elbo(Self.x)
        #expect(gap1 < 0.1 * gap0, "gap \(gap0) → \(gap1)")
        let before = m.logMarginal(Self.x)
        for _ in 0..<50 { m.step(Self.x, learningRate: 0.1, model: true) }
        #expect(m.logMarginal(Self.x) > before, "training p raises log p(x)")
    }

    @Test func posteriorGradientMatchesFiniteDifferences() {
        var m = CategoricalModel(states: 5, pixels: 16, seed: 2)
        m.posteriorLogits = [0.3, -1, 2, 0, 0.5]
        var stepped = m
        stepped.step(Self.x, learningRate: 1, model: true)
        let h = 1e-6
        for z in 0..<5 {
            var plus = m, minus = m
            plus.posteriorLogits[z] += h
            minus.posteriorLogits[z] -= h
            let numeric = (plus.elbo(Self.x) - minus.elbo(Self.x)) / (2 * h)
            #expect(abs((stepped.posteriorLogits[z] - m.posteriorLogits[z]) - numeric) < 1e-6)
            plus = m; minus = m
            plus.priorLogits[z] += h
            minus.priorLogits[z] -= h
            let numericPrior = (plus.elbo(Self.x) - minus.elbo(Self.x)) / (2 * h)
            #expect(abs((stepped.priorLogits[z] - m.priorLogits[z]) - numericPrior) < 1e-6)
        }
        for i in [0, 17, 40, 79] {
            var plus = m, minus = m
            plus.decoderLogits[i] += h
            minus.decoderLogits[i] -= h
            let numeric = (plus.elbo(Self.x) - minus.elbo(Self.x)) / (2 * h)
            #expect(abs((stepped.decoderLogits[i] - m.decoderLogits[i]) - numeric) < 1e-6)
        }
    }
}

/// The enumeration demo's stepping and its estimates.
@Suite struct EnumerationDemoTests {
    @Test(arguments: [4, 100])
    func stepsCloseTheGapAndTheBoundsClimb(states: Int) {
        var demo = EnumerationDemo(states: states, seed: 2)
        let gap0 = demo.logMarginal - demo.elbo
        demo.advance(30)
        #expect(demo.step == 30)
        #expect(demo.logMarginal - demo.elbo < gap0)
        #expect(demo.samples.count == EnumerationDemo.sampleCount && demo.samples.allSatisfy { (0..<states).contains($0) })
        // Each L_k within 4 standard errors of the range [ELBO, log p(x)], and L_1 ≈ ELBO.
        for (b, e) in zip(demo.bounds, demo.standardErrors) {
            #expect(b >= demo.elbo - 4 * e - 1e-9 && b <= demo.logMarginal + 4 * e + 1e-9)
        }
        #expect(abs(demo.bounds[0] - demo.elbo) < 4 * demo.standardErrors[0] + 1e-9)
        // The ladder climbs (within noise) and its top reaches log p(x).
        for i in 1..<demo.bounds.count {
            let noise = 4 * (demo.standardErrors[i] + demo.standardErrors[i - 1])
            #expect(demo.bounds[i] >= demo.bounds[i - 1] - noise, "L_\(EnumerationDemo.ladder[i]) below L_\(EnumerationDemo.ladder[i - 1])")
        }
        #expect(demo.bounds[1] > demo.bounds[0] + 4 * (demo.standardErrors[0] + demo.standardErrors[1]), "L_2 clearly above L_1")
        #expect(abs(demo.bounds.last! - demo.logMarginal) < 4 * demo.standardErrors.last! + 0.01)
        // The stored numbers are the model's.
        #expect(abs(demo.logMarginal - demo.model.logMarginal(demo.x)) < 1e-12 && abs(demo.elbo - demo.model.elbo(demo.x)) < 1e-12)
        let truth = demo.truePosterior
        #expect(abs(truth.reduce(0, +) - 1) < 1e-9)
    }

    @Test func restartKeepsTheTrainingChoice() {
        var demo = EnumerationDemo(states: 4, seed: 1)
        demo.trainModel = true
        demo.advance(3)
        demo.restart(states: 100)
        #expect(demo.states == 100 && demo.step == 0 && demo.trainModel)
    }
}

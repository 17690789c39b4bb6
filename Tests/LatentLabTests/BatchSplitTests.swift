import Testing
@testable import LatentLab

/// Work split across threads gives the numbers the unsplit work gives.
@Suite struct BatchSplitTests {
    /// A batch of 40, which two threads split in halves; no clipping, so the raw gradients compare.
    static func trainer(objective: ObjectiveSettings) -> Trainer {
        Trainer(config: TrainingConfig(model: Fixtures.smallModel, objective: objective, batchSize: 40, gradientClip: nil, seed: 4),
                data: Fixtures.splits())
    }

    @Test(arguments: [ObjectiveSettings(kind: .elbo, k: 1), ObjectiveSettings(kind: .iwae, k: 5)])
    /// The split step draws the whole batch's noise and hands each part its rows, so it must match the
    /// unsplit step to rounding: a part weighted 1 instead of n/B, or a part's gradient not summed, fails.
    func aBatchSplitOverTwoThreadsHasTheWholeBatchsGradient(objective: ObjectiveSettings) {
        let whole = Self.trainer(objective: objective)
        let split = Self.trainer(objective: objective)
        whole.threads = 1
        split.threads = 2
        #expect(whole.splitParts(batchSize: 40) == 1 && split.splitParts(batchSize: 40) == 2)
        let a = whole.trainStep(), b = split.trainStep()
        #expect(abs(a.stats.bound - b.stats.bound) < 1e-5 * abs(a.stats.bound), "\(a.stats.bound) vs \(b.stats.bound)")
        #expect(abs(a.stats.rate - b.stats.rate) < 1e-5 * abs(a.stats.rate) + 1e-6)
        for (p, q) in zip(whole.model.parameters, split.model.parameters) {
            let difference = zip(p.grad.scalars, q.grad.scalars).reduce(0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
            let size = p.grad.scalars.reduce(0) { $0 + Double($1 * $1) }
            #expect(difference <= 1e-9 * size + 1e-14, "\(p.name): |Δg|² \(difference) against |g|² \(size)")
        }
    }

    @Test func freeBitsClampABatchMeanSoTheirBatchIsNeverSplit() {
        let trainer = Self.trainer(objective: ObjectiveSettings(kind: .elbo, freeBits: FreeBits(lambda: 0.5)))
        trainer.threads = 2
        #expect(trainer.splitParts(batchSize: 40) == 1)
        trainer.objective.kind = .iwae  // free bits do not act on IWAE
        #expect(trainer.splitParts(batchSize: 40) == 2)
        #expect(trainer.splitParts(batchSize: 20) == 1, "parts of fewer than 16 examples are not worth a thread")
    }

    @Test func importanceWeightedBoundsDoNotDependOnTheThreadCount() {
        let model = VAE(Fixtures.smallModel, seed: 2)
        let x = BinaryImages(fixed: Fixtures.bars(count: 9, seed: 3), seed: 1).batch(0..<9)
        for (k, maxRows) in [(4, 8), (20, 8)] {  // several examples per group; one example's samples in chunks
            var r1 = RandomSource(seed: 9), r2 = RandomSource(seed: 9)
            let one = Bounds.importanceWeighted(model: model, x: x, k: k, rng: &r1, maxRows: maxRows, threads: 1)
            let two = Bounds.importanceWeighted(model: model, x: x, k: k, rng: &r2, maxRows: maxRows, threads: 2)
            #expect(one == two, "k \(k): \(one) vs \(two)")
        }
    }
}

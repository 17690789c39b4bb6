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
        // Three steps: a part's buffer not cleared after its reduction would double its gradient in the next.
        for _ in 0..<3 {
            let a = whole.trainStep(), b = split.trainStep()
            #expect(abs(a.stats.bound - b.stats.bound) < 1e-5 * abs(a.stats.bound), "\(a.stats.bound) vs \(b.stats.bound)")
            #expect(abs(a.stats.rate - b.stats.rate) < 1e-5 * abs(a.stats.rate) + 1e-6)
            #expect(abs(a.gradientNorm - b.gradientNorm) <= 1e-5 * a.gradientNorm)
            for (p, q) in zip(whole.model.parameters, split.model.parameters) {
                let difference = zip(p.grad.scalars, q.grad.scalars).reduce(0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
                let size = p.grad.scalars.reduce(0) { $0 + Double($1 * $1) }
                #expect(difference <= 1e-8 * size + 1e-14, "\(p.name): |Δg|² \(difference) against |g|² \(size)")
            }
        }
    }

    /// The reduction split over threads, a slice of every parameter each, adds each part's gradient as the serial
    /// sum did (to the bit), clears the parts' buffers, and returns the sum of squares of the total.
    @Test func aReductionSplitOverThreadsIsTheSerialSum() {
        let params = [Parameter("a", randomTensor(3, 7, seed: 1)), Parameter("b", randomTensor(1, 5, seed: 2))]
        for (i, p) in params.enumerated() { p.grad.withSharedMutablePointer { g in
            let r = randomTensor(p.rows, p.cols, seed: 10 + UInt64(i))
            r.withPointer { g.update(from: $0, count: r.count) }
        } }
        let sets = [GradientBuffers(params), GradientBuffers(params)]
        for (s, set) in sets.enumerated() {
            for (i, p) in params.enumerated() {
                let r = randomTensor(p.rows, p.cols, seed: 20 + UInt64(10 * s + i))
                set.buffer(for: p)!.withSharedMutablePointer { b in r.withPointer { b.update(from: $0, count: r.count) } }
            }
        }
        let expected = params.map { p in
            zip(zip(p.grad.scalars, sets[0].buffer(for: p)!.scalars), sets[1].buffer(for: p)!.scalars).map { $0.0 + $0.1 + $1 }
        }
        let squares = (0..<2).map { GradientBuffers.reduce(sets, into: params, part: $0, of: 2) }.reduce(0, +)
        #expect(params.map(\.grad.scalars) == expected)
        #expect(sets.allSatisfy { set in params.allSatisfy { set.buffer(for: $0)!.scalars.allSatisfy { $0 == 0 } } })
        let total = expected.joined().reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect(abs(squares - total) <= 1e-6 * total)
    }

    /// Adam and Adamax split over threads, each a slice of every parameter, update as one step does, to the bit.
    @Test(arguments: [Adam.Variant.adam, .adamax]) func anUpdateSplitOverThreadsIsTheWholeUpdate(variant: Adam.Variant) {
        func parameters() -> [Parameter] {
            (0..<3).map { i in
                let p = Parameter("p\(i)", randomTensor(i + 1, 9, seed: UInt64(i)))
                let g = randomTensor(i + 1, 9, seed: 50 + UInt64(i))
                p.grad.withSharedMutablePointer { d in g.withPointer { d.update(from: $0, count: g.count) } }
                return p
            }
        }
        let (a, b) = (parameters(), parameters())
        let whole = Adam(a, variant: variant), split = Adam(b, variant: variant)
        for _ in 0..<3 {
            whole.step()
            split.advance()
            for part in [2, 0, 1] { split.update(part: part, of: 3) }
        }
        #expect(a.map(\.value.scalars) == b.map(\.value.scalars))
        #expect(whole.moments.first.map(\.scalars) == split.moments.first.map(\.scalars))
        #expect(whole.moments.second.map(\.scalars) == split.moments.second.map(\.scalars))
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

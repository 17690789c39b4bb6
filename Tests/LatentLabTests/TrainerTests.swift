import Foundation
import Testing
@testable import LatentLab

@Suite struct TrainerTests {
    @Test func trainingImprovesTheTestELBO() {
        let trainer = Fixtures.trainer()
        let before = Evaluator.evaluate(model: trainer.model, data: trainer.data.test, seed: 1).elbo
        for _ in 0..<150 { trainer.trainStep() }
        let after = Evaluator.evaluate(model: trainer.model, data: trainer.data.test, seed: 1)
        #expect(after.elbo > before + 1, "ELBO \(before) → \(after.elbo)")
        #expect(after.activeUnits >= 1, "a model of four kinds of bars uses its latent")
    }

    @Test func adamaxTrainsToo() {
        let trainer = Trainer(config: TrainingConfig(model: Fixtures.smallModel, batchSize: 20, optimizer: .adamax,
                                                     adam: AdamSettings(learningRate: 1e-2)), data: Fixtures.splits())
        let before = Evaluator.evaluate(model: trainer.model, data: trainer.data.test, seed: 1).elbo
        for _ in 0..<100 { trainer.trainStep() }
        #expect(Evaluator.evaluate(model: trainer.model, data: trainer.data.test, seed: 1).elbo > before + 1)
    }

    @Test func theSameSeedRepeatsARunExactly() {
        let a = Fixtures.trainer(seed: 5), b = Fixtures.trainer(seed: 5), c = Fixtures.trainer(seed: 6)
        for _ in 0..<5 { a.trainStep(); b.trainStep(); c.trainStep() }
        let wa = a.model.parameters.flatMap { $0.value.scalars }
        #expect(wa == b.model.parameters.flatMap { $0.value.scalars })
        #expect(wa != c.model.parameters.flatMap { $0.value.scalars })
    }

    @Test func settingsChangeBetweenSteps() {
        let trainer = Fixtures.trainer()
        #expect(trainer.trainStep().stats.klWeight == 1)
        trainer.objective.beta = 0.25
        #expect(trainer.trainStep().stats.klWeight == 0.25)
        trainer.objective.warmup = KLWarmup(steps: 100)
        #expect(abs(trainer.trainStep().stats.klWeight - 0.25 * 0.02) < 1e-6, "warm-up weight at step 2 of 100, times beta")
        trainer.objective.kind = .iwae
        trainer.objective.k = 3
        trainer.objective.beta = 1
        trainer.objective.warmup = KLWarmup()
        let report = trainer.trainStep()
        #expect(report.applied && report.stats.bound.isFinite)
        trainer.learningRate = 0.5
        #expect(trainer.learningRate == 0.5)
    }

    /// A NaN weight spoils every later step: the first bad step brings back the last good weights at once.
    @Test func aNaNWeightIsCaughtAndRecoveredFrom() {
        let trainer = Fixtures.trainer()
        for _ in 0..<3 { trainer.trainStep() }
        let weight = trainer.model.parameters[0]
        var poisoned = weight.value
        poisoned[0, 0] = .nan
        weight.assign(poisoned)
        let report = trainer.trainStep()
        #expect(!report.applied, "a NaN loss must not reach the optimiser")
        #expect(trainer.nonFiniteSteps == 1 && trainer.recoveries == 1)
        #expect(trainer.model.parameters.allSatisfy { $0.value.isFinite }, "weights restored from the last good copy")
        #expect(trainer.trainStep().applied, "training goes on")
    }

    /// `--inject-nan`: a NaN in the loss, in a gradient or in a weight, at the steps named, each caught and
    /// counted; a NaN loss or gradient with good weights restores them on the third bad step in a row; the run
    /// goes on, its weights finite.
    @Test(arguments: NaNTarget.allCases) func injectedNaNsAreCaughtCountedAndRecovered(target: NaNTarget) {
        let trainer = Fixtures.trainer()
        trainer.faultInjection = FaultInjection(steps: [2, 5, 6, 7, 12], target: target)
        let applied = (1...15).map { _ in trainer.trainStep().applied }
        let expected = (1...15).map { ![2, 5, 6, 7, 12].contains($0) }
        #expect(applied == expected, "exactly the injected steps are skipped")
        #expect(trainer.nonFiniteSteps == 5)
        // A NaN weight restores at once (each of the five); three bad steps in a row (5, 6, 7) restore once.
        #expect(trainer.recoveries == (target == .weight ? 5 : 1))
        #expect(trainer.model.parameters.allSatisfy { $0.value.isFinite } && !trainer.cannotRecover)
    }

    /// The guard refreshes its copy in place: a restore brings back the weights last remembered, exactly, and
    /// the optimiser's in-place writes to the weights after that never reach the copy.
    @Test func theGuardRestoresTheLastRememberedWeights() {
        let p = Parameter("w", randomTensor(2, 3, seed: 1))
        var nonFinite = NonFiniteGuard([p])
        p.assign(randomTensor(2, 3, seed: 2))
        nonFinite.remember([p])
        let remembered = p.value.scalars
        p.value.withSharedMutablePointer { $0[0] = 99 }   // as Adam updates a weight
        for _ in 0..<NonFiniteGuard.restoreAfter { _ = nonFinite.failed([p]) }
        #expect(p.value.scalars == remembered)
    }

    /// NaN at every step: even the good weights give NaN, and after three restores in a row the trainer says
    /// it cannot recover (the caller stops instead of looping).
    @Test func aNaNAtEveryStepCannotBeRecoveredFrom() {
        let trainer = Fixtures.trainer()
        trainer.trainStep()
        trainer.faultInjection = FaultInjection(everyStep: true)
        var steps = 0
        while !trainer.cannotRecover && steps < 100 {
            trainer.trainStep()
            steps += 1
        }
        #expect(steps == NonFiniteGuard.restoreAfter * NonFiniteGuard.givesUpAfter && trainer.recoveries == 3)
        trainer.faultInjection = nil
        #expect(trainer.trainStep().applied && !trainer.cannotRecover, "a finite step ends it")
    }

    @Test func nanSpecificationsParse() {
        #expect(FaultInjection("3,7,20") == FaultInjection(steps: [3, 7, 20], target: .loss))
        #expect(FaultInjection("5:weight") == FaultInjection(steps: [5], target: .weight))
        #expect(FaultInjection("every:gradient") == FaultInjection(target: .gradient, everyStep: true))
        for bad in ["", "0", "x", "3:bias", "3,,4", "every:loss:1", "-2"] { #expect(FaultInjection(bad) == nil, "\(bad)") }
    }

    @Test func resetStartsAgain() {
        let trainer = Fixtures.trainer()
        let initial = trainer.model.parameters.flatMap { $0.value.scalars }
        for _ in 0..<5 { trainer.trainStep() }
        trainer.objective.beta = 3
        trainer.reset(seed: 1)
        #expect(trainer.step == 0)
        #expect(trainer.model.parameters.flatMap { $0.value.scalars } == initial)
        #expect(trainer.objective.beta == 3, "live settings survive a reset")
    }
}

@Suite struct DiagnosticsTests {
    @Test func klPerUnitAddsUpAndActivityFollowsTheMeans() {
        let trainer = Fixtures.trainer()
        for _ in 0..<100 { trainer.trainStep() }
        let eval = Evaluator.evaluate(model: trainer.model, data: trainer.data.test)
        #expect(abs(eval.klPerUnit.reduce(0, +) - eval.kl) < 1e-3)
        #expect(abs(eval.elbo - (-eval.distortion - eval.kl)) < 1e-3)
        #expect(eval.activeUnits == eval.activity.filter { $0 > 0.01 }.count)
        #expect(eval.mutualInformation >= 0 && eval.mutualInformation <= Foundation.log(100) + 1e-3)
    }

    @Test func aCollapsedEncoderHasNoActiveUnitsAndNoInformation() {
        let model = VAE(Fixtures.smallModel, seed: 1)
        // Mean and log-variance heads that ignore x and output the prior: q(z|x) = p(z).
        for p in model.parameters where p.name.hasPrefix("encoder.mean") || p.name.hasPrefix("encoder.logvar") {
            p.assign(Tensor(zeros: p.rows, p.cols))
        }
        let data = BinaryImages(fixed: Fixtures.bars(count: 200, seed: 3), seed: 1)
        let eval = Evaluator.evaluate(model: model, data: data, batchSize: 100)
        #expect(eval.activeUnits == 0)
        #expect(eval.kl < 1e-6)
        #expect(abs(eval.mutualInformation) < 1e-5, "q(z|x) = q(z): I_q = 0, got \(eval.mutualInformation)")
    }

    /// The z use is E_x E_{z~q(z|x)} log p(x|z) − E_x E_{z~p(z)} log p(x|z) (docs/THEORY.md): each term against
    /// its integral by quadrature, on BoundTests' model (2-D latent, 3 pixels, a decoder that reads z) with an
    /// encoder that knows x, over 800 examples, 100 of each image; each within four standard errors of the
    /// evaluation's one draw per example. With z drawn from q in both terms the z use would be exactly 0 and the
    /// second term off by about 36 standard errors; here the z use is about 1.7 nats.
    @Test func theZUseTakesItsSecondTermWithZFromThePrior() {
        let model = BoundTests.model()
        let images = (0..<800).map { i in (0..<3).map { (i % 8) >> $0 & 1 } }
        let data = BinaryImages(fixed: ImageDataset(name: "three", count: 800, height: 1, width: 3,
                                                    pixels: images.joined().map { UInt8($0 * 255) },
                                                    labels: (0..<800).map { UInt8($0 % 8) }, labelNames: (0..<8).map(String.init)), seed: 1)
        let halfWidth = 7.0, points = 281, h = 2 * halfWidth / Double(points - 1)
        var grid = Tensor(zeros: points * points, 2)
        for i in 0..<points { for j in 0..<points {
            grid[i * points + j, 0] = Float(-halfWidth + Double(i) * h)
            grid[i * points + j, 1] = Float(-halfWidth + Double(j) * h)
        } }
        let tape = Tape(recording: false)
        let patterns = Tensor(rows: 8, cols: 3, Array(images.prefix(8).joined().map(Float.init)))
        let logPx = (0..<8).map { model.likelihood.logLikelihood(patterns.rowBlock($0, 1), given: Var(constant: grid), on: tape).value }
        // The encoder: hidden unit k fires for image k alone (weights ±20 on its bits: tanh(+10) for it, tanh(≤ −10)
        // for the others), and the heads put q(z|x_k) = N(m_k, 0.3²) at the grid point within 3 of 0 that explains
        // x_k best.
        var first = Tensor(zeros: 3, 8), firstBias = Tensor(zeros: 1, 8), meanWeight = Tensor(zeros: 8, 2), meanBias = Tensor(zeros: 1, 2)
        for k in 0..<8 {
            let ones = (0..<3).filter { (k >> $0) & 1 == 1 }.count
            for i in 0..<3 { first[i, k] = (k >> i) & 1 == 1 ? 20 : -20 }
            firstBias[0, k] = -20 * (Float(ones) - 0.5)
            let best = (0..<grid.rows).filter { abs(grid[$0, 0]) <= 3 && abs(grid[$0, 1]) <= 3 }.max { logPx[k][$0, 0] < logPx[k][$1, 0] }!
            for d in 0..<2 {
                meanWeight[k, d] = grid[best, d] / 2   // h = 2 e_k − 1, so W h + Σ_j W_j = 2 W_k
                meanBias[0, d] += grid[best, d] / 2
            }
        }
        let q = model.gaussianPosterior
        q.encoder!.layers[0].weight.assign(first)
        q.encoder!.layers[0].bias.assign(firstBias)
        q.meanHead.weight.assign(meanWeight)
        q.meanHead.bias.assign(meanBias)
        q.logVarianceHead.weight.assign(Tensor(zeros: 8, 2))
        q.logVarianceHead.bias.assign(Tensor(rows: 1, cols: 2, repeating: Float(Foundation.log(0.09))))

        let eval = Evaluator.evaluate(model: model, data: data, seed: 6)
        // E and E[·²] of log p(x|z) under p(z) and under q(z|x) (the encoder's own outputs), for each image.
        let (mu, lv) = model.meanAndLogVariance(Var(constant: patterns), on: tape)
        var prior = (mean: 0.0, variance: 0.0), posterior = (mean: 0.0, variance: 0.0)
        for x in 0..<8 {
            var p = (mass: 0.0, sum: 0.0, squares: 0.0), q = (mass: 0.0, sum: 0.0, squares: 0.0)
            for r in 0..<grid.rows {
                let l = Double(logPx[x][r, 0])
                var logP = 0.0, logQ = 0.0
                for d in 0..<2 {
                    let z = Double(grid[r, d]), m = Double(mu.value[x, d]), v = Double(lv.value[x, d])
                    logP -= 0.5 * (Foundation.log(2 * .pi) + z * z)
                    logQ -= 0.5 * (Foundation.log(2 * .pi) + v + (z - m) * (z - m) * Foundation.exp(-v))
                }
                let wp = Foundation.exp(logP), wq = Foundation.exp(logQ)
                p = (p.mass + wp, p.sum + wp * l, p.squares + wp * l * l)
                q = (q.mass + wq, q.sum + wq * l, q.squares + wq * l * l)
            }
            for (term, w) in [(0, p), (1, q)] {
                let mean = w.sum / w.mass, variance = w.squares / w.mass - mean * mean
                #expect(abs(w.mass * h * h - 1) < 1e-3, "the grid holds the density's mass: \(w.mass * h * h)")
                if term == 0 { prior = (prior.mean + mean / 8, prior.variance + variance / 8) }
                else { posterior = (posterior.mean + mean / 8, posterior.variance + variance / 8) }
            }
        }
        let n = 800.0
        #expect(abs(Double(eval.priorLikelihood) - prior.mean) < 4 * (prior.variance / n).squareRoot(),
                "E_p log p(x|z): evaluation \(eval.priorLikelihood), quadrature \(prior.mean) ± \((prior.variance / n).squareRoot())")
        #expect(abs(Double(-eval.distortion) - posterior.mean) < 4 * (posterior.variance / n).squareRoot(),
                "E_q log p(x|z): evaluation \(-eval.distortion), quadrature \(posterior.mean) ± \((posterior.variance / n).squareRoot())")
        #expect(eval.zUse == -eval.distortion - eval.priorLikelihood)
        #expect(posterior.mean - prior.mean > 1, "the decoder reads z: a z use of \(posterior.mean - prior.mean) nats")
    }

    @Test func mutualInformationMatchesADirectComputation() {
        var rng = RandomSource(seed: 4)
        let mu = rng.normalTensor(6, 3), lv = rng.uniformTensor(6, 3, lower: -1, upper: 0.5), z = rng.normalTensor(6, 3)
        var direct = 0.0
        func logQ(_ i: Int, _ j: Int) -> Double {
            (0..<3).reduce(0.0) { s, d in
                let v = Double(lv[j, d]), diff = Double(z[i, d] - mu[j, d])
                return s - 0.5 * (Foundation.log(2 * .pi) + v + diff * diff * Foundation.exp(-v))
            }
        }
        for i in 0..<6 {
            let aggregate = Foundation.log((0..<6).reduce(0.0) { $0 + Foundation.exp(logQ(i, $1)) } / 6)
            direct += (logQ(i, i) - aggregate) / 6
        }
        let fast = Evaluator.mutualInformation(logDensities: DiagonalGaussianPosterior.pairwiseLogDensities(z, mean: mu, logVariance: lv))
        #expect(abs(Double(fast) - direct) < 1e-4, "\(fast) vs \(direct)")
    }

    @Test func nllIsMinusTheImportanceBound() {
        let model = VAE(Fixtures.smallModel, seed: 2)
        let data = BinaryImages(fixed: Fixtures.bars(count: 10, seed: 3), seed: 1)
        var rng = RandomSource(seed: 9)
        let bounds = Bounds.importanceWeighted(model: model, x: data.batch(0..<10), k: 100, rng: &rng)
        var seen: [Int] = []
        let nll = Evaluator.negativeLogLikelihood(model: model, data: data, k: 100, seed: 9) { done, _ in seen.append(done) }
        #expect(abs(nll + bounds.reduce(0, +) / 10) < 1e-3)
        #expect(seen.last == 10, "progress reaches the end")
    }
}

@Suite struct CheckpointTests {
    @Test func savesAndLoadsTheSameModel() throws {
        let dir = Fixtures.temporaryDirectory()
        let trainer = Fixtures.trainer()
        for _ in 0..<3 { trainer.trainStep() }
        let path = dir + "/model.safetensors"
        try Checkpoint.save(model: trainer.model, step: trainer.step, objective: trainer.objective, dataset: "bars", to: path)
        let loaded = try Checkpoint.load(path)
        #expect(loaded.config == Fixtures.smallModel)
        #expect(loaded.step == 3 && loaded.dataset == "bars" && loaded.objective == trainer.objective)
        let model = try loaded.makeModel()
        #expect(model.parameters.flatMap { $0.value.scalars } == trainer.model.parameters.flatMap { $0.value.scalars })
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["model.safetensors"], "no temporary file left behind")
    }

    /// A run saved with its trainer's state and restored into a fresh trainer goes on bit for bit: the restored
    /// state, both optimisers' moments (Adam's m and v, not only their step counts) and the random stream are
    /// the saved ones, and the next five steps give the same losses and the same weights as the run that was
    /// never saved. Fresh moments (the step counts kept) or a fresh stream change the weights from the first
    /// step on.
    @Test func aRestoredRunContinuesBitForBit() throws {
        let run = Fixtures.trainer(seed: 4)
        for _ in 0..<7 { run.trainStep() }
        let path = Fixtures.temporaryDirectory() + "/run.safetensors"
        try Checkpoint.save(model: run.model, step: run.step, objective: run.objective, dataset: "bars", to: path,
                            training: run.savedState())
        let saved = try Checkpoint.load(path)
        let resumed = Fixtures.trainer(seed: 4)
        try resumed.load(weights: saved.weights)
        try resumed.restore(try #require(saved.trainingState), tensors: saved.stateTensors)

        let (expected, got) = (run.savedState(), resumed.savedState())
        #expect(got.state == expected.state)
        #expect(got.state.random == run.randomState, "the stream where the run left it")
        #expect(got.tensors.map(\.name) == expected.tensors.map(\.name))
        for (a, b) in zip(expected.tensors, got.tensors) {
            #expect(a.tensor.scalars == b.tensor.scalars, "\(a.name): the moments as saved")
        }
        #expect(expected.tensors.contains { $0.name.contains(".second.") && $0.tensor.scalars.contains { $0 != 0 } },
                "seven steps leave moments that are not zero")
        for step in 1...5 {
            let a = run.trainStep(), b = resumed.trainStep()
            #expect(a.applied && b.applied && a.stats == b.stats, "step \(step) after the restore")
            let same = run.model.parameters.map(\.value.scalars) == resumed.model.parameters.map(\.value.scalars)
            #expect(same, "the weights after step \(step) after the restore")
        }
    }

    @Test func theFileIsStandardSafetensors() throws {
        let dir = Fixtures.temporaryDirectory()
        let path = dir + "/t.safetensors"
        try SafeTensors.write([("a", Tensor(rows: 1, cols: 2, [1, 2])), ("b", Tensor(rows: 2, cols: 1, [3, 4]))],
                              metadata: ["k": "v"], to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = Int(bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        #expect(n % 8 == 0)
        let header = try #require(try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + n))) as? [String: Any])
        let b = try #require(header["b"] as? [String: Any])
        #expect(b["dtype"] as? String == "F32" && b["shape"] as? [Int] == [2, 1] && b["data_offsets"] as? [Int] == [8, 16])
        #expect((header["__metadata__"] as? [String: String]) == ["k": "v"])
        #expect(bytes.count == 8 + n + 16)
    }

    @Test func anotherArchitectureIsAClearError() throws {
        let dir = Fixtures.temporaryDirectory()
        let path = dir + "/m.safetensors"
        try Checkpoint.save(model: VAE(Fixtures.smallModel, seed: 1), step: 0, objective: nil, dataset: "bars", to: path)
        var other = Fixtures.smallModel
        other.latentSize = 5
        #expect(throws: CheckpointError.self) { try VAE(other, seed: 1).assign(try Checkpoint.load(path).weights) }
        do {
            try VAE(other, seed: 1).assign(try Checkpoint.load(path).weights)
        } catch {
            #expect(error.description.contains("another model"))
            #expect(error.description.contains("encoder.mean.weight is 12x4, this model needs 12x5"))
        }
    }

    @Test func badFilesAreClearErrors() throws {
        let dir = Fixtures.temporaryDirectory()
        #expect(throws: CheckpointError("\(dir)/none: checkpoint not found")) { try Checkpoint.load(dir + "/none") }
        try Data("hello".utf8).write(to: URL(fileURLWithPath: dir + "/short"))
        #expect(throws: CheckpointError("\(dir)/short: not a safetensors file (too short)")) { try Checkpoint.load(dir + "/short") }
        try Data(repeating: 0xFF, count: 64).write(to: URL(fileURLWithPath: dir + "/junk"))
        #expect(throws: CheckpointError.self) { try Checkpoint.load(dir + "/junk") }
        // A valid safetensors file that is not ours.
        try SafeTensors.write([("w", Tensor(rows: 1, cols: 1, [1]))], metadata: [:], to: dir + "/foreign")
        #expect(throws: CheckpointError("\(dir)/foreign: not a vae-tui checkpoint (no vae-tui/2 model configuration in its metadata)")) {
            try Checkpoint.load(dir + "/foreign")
        }
        // Truncated: the header promises more data than the file holds.
        let good = dir + "/good"
        try Checkpoint.save(model: VAE(Fixtures.smallModel, seed: 1), step: 0, objective: nil, dataset: "bars", to: good)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        try bytes.prefix(bytes.count - 10).write(to: URL(fileURLWithPath: dir + "/cut"))
        #expect(throws: CheckpointError.self) { try Checkpoint.load(dir + "/cut") }
        #expect(throws: CheckpointError("\(dir)/nodir/x: directory \(dir)/nodir does not exist")) {
            try SafeTensors.write([], metadata: [:], to: dir + "/nodir/x")
        }
    }
}

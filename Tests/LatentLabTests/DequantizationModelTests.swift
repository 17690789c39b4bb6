import Foundation
import Testing
@testable import LatentLab

/// The dequantization demo's differentiable parts (the mixture, the flow dequantizer, the losses) and its
/// training loop.
@Suite struct DequantizationModelTests {
    static let grid = DequantizationTests.grid

    /// Cells for a batch of n, and the same n points inside them.
    static func cellsAndPoints(_ n: Int, levels: Int, seed: UInt64) -> (x: Tensor, v: Tensor) {
        var rng = RandomSource(seed: seed)
        var x = Tensor(zeros: n, 2)
        for i in 0..<(2 * n) { x[i / 2, i % 2] = Float(rng.next() % UInt64(levels)) }
        return (x, x.adding(rng.uniformTensor(n, 2, lower: 0.05, upper: 0.95)))
    }

    /// ℓ(y) = −softplus(y) − softplus(−y): against finite differences, and against log σ(y) + log(1 − σ(y)).
    @Test func logisticLogDensityGradientAndValue() {
        let y = randomTensor(3, 4, seed: 1, lower: -4, upper: 4)
        checkGradients([y]) { tape, v in tape.logisticLogDensity(v[0]) }
        let value = Tape(recording: false).logisticLogDensity(Var(constant: y)).value
        for i in 0..<3 {
            for j in 0..<4 {
                let s = 1 / (1 + exp(-Double(y[i, j])))
                #expect(abs(Double(value[i, j]) - log(s * (1 - s))) < 1e-5)
            }
        }
    }

    /// log p(v) of the mixture against finite differences, in v and in every parameter.
    @Test func modelLogDensityGradients() {
        let (model, _) = DequantizationTests.randomPair(seed: 2)
        let (_, v) = Self.cellsAndPoints(5, levels: Self.grid.levels, seed: 3)
        checkGradients([v], step: 1e-3) { tape, inputs in model.logDensity(inputs[0], on: tape) }
        checkParameterGradients(model.parameters, step: 1e-3) { tape in tape.sum(model.logDensity(Var(constant: v), on: tape)) }
    }

    /// The dequantizer's u and log q(u|x) against finite differences, in the noise ε and in its parameters.
    @Test func dequantizerGradients() {
        let (_, dequantizer) = DequantizationTests.randomPair(seed: 4)
        let (x, _) = Self.cellsAndPoints(4, levels: Self.grid.levels, seed: 5)
        var rng = RandomSource(seed: 6)
        let noise = FlowDequantizer.logisticNoise(4, rng: &rng)
        checkGradients([noise], step: 1e-2) { tape, inputs in
            let (u, logQ) = dequantizer.sample(x, noise: inputs[0], on: tape)
            return tape.concatCols(u, logQ)
        }
        checkParameterGradients(dequantizer.parameters) { tape in
            let (u, logQ) = dequantizer.sample(x, noise: Var(constant: noise), on: tape)
            return tape.add(tape.sum(logQ), tape.sum(u))
        }
    }

    /// Both training losses, through the model and (variational) the dequantizer, against finite differences.
    @Test(arguments: DequantizerKind.allCases) func lossGradients(kind: DequantizerKind) {
        let (model, dequantizer) = DequantizationTests.randomPair(seed: 7)
        let (x, _) = Self.cellsAndPoints(6, levels: Self.grid.levels, seed: 8)
        var rng = RandomSource(seed: 9)
        let noise = kind == .uniform ? rng.uniformTensor(6, 2) : FlowDequantizer.logisticNoise(6, rng: &rng)
        let parameters = model.parameters + (kind == .variational ? dequantizer.parameters : [])
        checkParameterGradients(parameters, step: 1e-3) { tape in
            DequantDemo.loss(model, dequantizer, kind: kind, cells: x, noise: noise, on: tape)
        }
    }

    /// log q(u|x) evaluated at sampled u (through the two-variable inversion) equals the log q the sampler
    /// returned, and the inversion agrees with the flow's general one, cells given per row or once per cell.
    @Test func densityAtSamplesMatchesTheSampler() {
        let (_, dequantizer) = DequantizationTests.randomPair(seed: 10)
        let (x, _) = Self.cellsAndPoints(3, levels: Self.grid.levels, seed: 11)
        var rng = RandomSource(seed: 12)
        let k = 5, noise = FlowDequantizer.logisticNoise(3 * k, rng: &rng)
        let repeated = x.tiledRows(k)  // point-major: row s·3 + c is draw s for cell c
        let tape = Tape(recording: false)
        let (u, logQ) = dequantizer.sample(repeated, noise: Var(constant: noise), on: tape)
        let perRow = dequantizer.logDensity(u.value, cells: repeated), perCell = dequantizer.logDensity(u.value, cells: x)
        for r in 0..<(3 * k) {
            #expect(abs(perRow[r, 0] - logQ.value[r, 0]) < 1e-3 * max(1, abs(logQ.value[r, 0])), "row \(r): \(perRow[r, 0]) vs \(logQ.value[r, 0])")
            #expect(abs(perCell[r, 0] - perRow[r, 0]) < 1e-5 * max(1, abs(perRow[r, 0])))
        }
        let y = tape.sub(tape.log(u), tape.log(tape.addScalar(tape.negate(u), 1))).value
        let context = dequantizer.embedding(Var(constant: dequantizer.position(repeated)), on: tape).value
        let general = dequantizer.flow.invertForward(y, context: context)
        let special = dequantizer.invert(y, cells: repeated)
        for r in 0..<(3 * k) {
            let logGate = general.logGate[r, 0] + general.logGate[r, 1]
            #expect(abs(special.logDeterminant[r, 0] - logGate) < 1e-4 * max(1, abs(logGate)))
            for d in 0..<2 {
                #expect(abs(special.noise[r, d] - general.y[r, d]) < 1e-4 * max(1, abs(general.y[r, d])))
                #expect(abs(special.noise[r, d] - noise[r, d]) < 2e-3 * max(1, abs(noise[r, d])), "row \(r): ε recovered")
            }
        }
    }

    /// The identity flow is uniform dequantization: with every step's gate shut (σ = 1) log q = 0 everywhere.
    @Test func identityFlowIsUniform() {
        var rng = RandomSource(seed: 13)
        let dequantizer = FlowDequantizer(levels: 4, steps: 2, hidden: 8, rng: &rng)
        for made in dequantizer.flow.steps { made.startHeads(near: [0, 40], scale: 0) }
        let logQ = dequantizer.logDensities(on: SubcellGrid(levels: 4, subdivisions: 5))
        #expect(logQ.allSatisfy { abs($0) < 1e-5 }, "largest |log q| \(logQ.map(abs).max()!)")
    }

    /// The tape's log p(v) at the quadrature points equals the evaluation's separable Double computation.
    @Test func tapeDensityMatchesTheGridDensity() {
        let (model, _) = DequantizationTests.randomPair(seed: 14)
        let fast = model.logDensities(on: Self.grid)
        let m = Self.grid.subdivisions, levels = Self.grid.levels
        var points = Tensor(uninitialized: Self.grid.pointCount, 2)
        for i in 0..<Self.grid.pointCount {
            let (c, s) = (i / (m * m), i % (m * m))
            points[i, 0] = Float(c % levels) + Float(Self.grid.offset(s % m))
            points[i, 1] = Float(c / levels) + Float(Self.grid.offset(s / m))
        }
        let tape = Tape(recording: false), slow = model.logDensity(Var(constant: points), on: tape).value
        for i in stride(from: 0, to: Self.grid.pointCount, by: 7) {
            #expect(abs(Double(slow[i, 0]) - fast[i]) < 1e-4 * max(1, abs(fast[i])), "point \(i): \(slow[i, 0]) vs \(fast[i])")
        }
    }

    /// A few hundred steps on the mixture bring the exact cross-entropy well down from its start with either
    /// dequantizer; and the lecture's point: trained on its own bound, the variational dequantizer ends with a
    /// smaller gap and a better (lower) bound than uniform dequantization does on its own.
    @Test func trainingImprovesTheFitAndTheVariationalBoundWins() {
        func trained(_ kind: DequantizerKind) -> DequantEvaluation {
            let demo = DequantDemo(seed: 1, levels: 8, shape: .mixture, kind: kind)
            let start = demo.evaluation.crossEntropy
            demo.advance(300)
            let e = demo.evaluation
            #expect(e.crossEntropy < start - 0.3, "\(kind): cross-entropy \(start) → \(e.crossEntropy)")
            #expect(e.crossEntropy > e.entropy - 1e-3 && e.uniformGap >= 0 && e.variationalGap >= 0)
            #expect(demo.lastLoss.isFinite && demo.step == 300 && demo.skippedSteps == 0)
            return e
        }
        let uniform = trained(.uniform), variational = trained(.variational)
        #expect(variational.variationalGap < 0.8 * uniform.uniformGap, "gaps: variational \(variational.variationalGap), uniform \(uniform.uniformGap)")
        #expect(variational.variationalBound < uniform.uniformBound, "bounds: variational \(variational.variationalBound), uniform \(uniform.uniformBound)")
    }

    /// Switching the kind keeps the model, the step count and q; uniform steps leave q alone, variational ones
    /// move it.
    @Test func switchingKindKeepsTheModel() {
        let demo = DequantDemo(seed: 2, levels: 6, kind: .uniform)
        let q0 = demo.dequantizer.parameters.map(\.value.scalars)
        demo.advance(5)
        #expect(demo.dequantizer.parameters.map(\.value.scalars) == q0, "uniform steps do not train q")
        let model = demo.model.parameters.map(\.value.scalars)
        demo.kind = .variational
        #expect(demo.model.parameters.map(\.value.scalars) == model && demo.step == 5)
        demo.advance(5)
        #expect(demo.dequantizer.parameters.map(\.value.scalars) != q0, "variational steps train q")
        #expect(demo.step == 10 && demo.evaluation.isFinite)
    }

    /// The same seed repeats a run exactly; a restart on new data changes the grid with it.
    @Test func restartsAreReproducible() {
        let a = DequantDemo(seed: 3, levels: 5, kind: .variational), b = DequantDemo(seed: 3, levels: 5, kind: .variational)
        a.advance(4)
        b.advance(4)
        #expect(a.evaluation.variationalBound == b.evaluation.variationalBound && a.lastLoss == b.lastLoss)
        b.advance(2)
        b.restart()
        b.advance(4)
        #expect(a.parameters.map(\.value.scalars) == b.parameters.map(\.value.scalars))
        b.restart(levels: 4, shape: .checker)
        #expect(b.step == 0 && b.data.levels == 4 && b.shape == .checker && b.data.shape == .checker && b.evaluation.grid.levels == 4)
        #expect(b.kind == .variational)
    }

    /// A NaN in the weights makes the steps non-finite: they are skipped, the third in a row restores the last
    /// good weights, and training goes on from there.
    @Test func nonFiniteStepsAreSkippedAndRecovered() {
        let demo = DequantDemo(seed: 4, levels: 5, kind: .variational)
        demo.advance(3)
        let good = demo.parameters.map(\.value.scalars)
        var poisoned = demo.model.means.value
        poisoned[0, 0] = .nan
        demo.model.means.assign(poisoned)
        // A weight that is not finite spoils every later step: the first bad one restores at once, so the
        // poisoned model is never evaluated.
        demo.advance(1)
        #expect(demo.skippedSteps == 1 && demo.restores == 1)
        #expect(demo.parameters.map(\.value.scalars) == good, "back to the weights of step 3")
        #expect(demo.evaluation.isFinite)
        demo.advance(3)
        #expect(demo.skippedSteps == 1 && demo.step == 7 && demo.evaluation.isFinite)
    }

    /// The demo's live q(u|x) and p(u|x) pictures at the evaluation's own resolution are the evaluation's.
    @Test func cellDensitiesAgreeWithTheEvaluation() {
        let demo = DequantDemo(seed: 5, levels: 6, kind: .variational)
        demo.advance(5)
        let e = demo.evaluation, m = e.grid.subdivisions
        let (x1, x2) = (4, 1)
        let live = demo.cellDensities(x1: x1, x2: x2, resolution: m)
        let stored = e.cellImages(e.data.cell(x1: x1, x2: x2))
        for i in 0..<(m * m) {
            #expect(abs(live.q[i] - stored.q[i]) < 1e-3 * max(1, stored.q[i]), "q pixel \(i)")
            #expect(abs(live.exact[i] - stored.exact[i]) < 1e-3 * max(1, stored.exact[i]), "p(u|x) pixel \(i)")
        }
    }
}

import Foundation
import Testing
@testable import LatentLab

/// The MADE's dependency structure and the gated flows built on it (docs/THEORY.md section 5).
@Suite struct FlowTests {
    /// A flow far from its identity-like start, so the checks below see real dependencies.
    static func flow(size: Int, steps: Int, context: Int, seed: UInt64) -> GatedAutoregressiveFlow {
        var rng = RandomSource(seed: seed)
        let flow = GatedAutoregressiveFlow("f", size: size, steps: steps, hidden: 12, context: context, gateBias: 0.5, rng: &rng)
        for made in flow.steps { for head in made.heads { head.weight.assign(head.weight.value.scaled(8)) } }
        return flow
    }

    /// Output j of every head has zero gradient with respect to the inputs of degree ≥ its own, and a
    /// nonzero one with respect to some earlier input (so the test is not passed by a MADE that sees nothing).
    @Test(arguments: [false, true])
    func madeOutputsDependOnlyOnEarlierVariables(reversed: Bool) {
        var rng = RandomSource(seed: 5)
        let d = 5
        let made = MADE("m", size: d, hidden: [9, 7], context: 3, heads: 2, reversed: reversed, rng: &rng)
        let z = Parameter("z", rng.normalTensor(1, d)), h = Parameter("h", rng.normalTensor(1, 3))
        for head in 0..<2 {
            for j in 0..<d {
                z.zeroGrad(); h.zeroGrad()
                let tape = Tape()
                let out = made(tape.param(z), context: tape.param(h), on: tape)[head]
                tape.backward(from: tape.sum(tape.sliceCols(out, j, 1)))
                let grad = z.grad.scalars
                for v in 0..<d where made.degrees[v] >= made.degrees[j] {
                    #expect(grad[v] == 0, "head \(head) output \(j) depends on variable \(v) (degrees \(made.degrees))")
                }
                if made.degrees[j] > 1 {
                    #expect((0..<d).contains { made.degrees[$0] < made.degrees[j] && grad[$0] != 0 }, "output \(j) sees no earlier variable")
                }
                #expect(h.grad.scalars.contains { $0 != 0 }, "output \(j) ignores the context")
            }
        }
    }

    @Test func madeGradients() {
        var rng = RandomSource(seed: 6)
        let made = MADE("m", size: 3, hidden: [6], context: 2, heads: 2, reversed: true, rng: &rng)
        let context = rng.normalTensor(4, 2)
        checkGradients([rng.normalTensor(4, 3)]) { t, v in
            let out = made(v[0], context: Var(constant: context), on: t)
            return t.concatCols(out[0], out[1])
        }
    }

    /// The IAF's Σ log σ is log |det ∂y_T/∂y_0|, against the Jacobian by finite differences. One step's
    /// Jacobian is also triangular in its order; two steps in opposite orders need not be, so for them only
    /// the determinant is compared.
    @Test func iafLogDeterminantMatchesTheJacobian() {
        let d = 3
        for steps in [1, 2] {
            let flow = Self.flow(size: d, steps: steps, context: 2, seed: 7)
            var rng = RandomSource(seed: 8)
            let y0 = rng.normalTensor(1, d), context = Var(constant: rng.normalTensor(1, 2))
            let tape = Tape(recording: false)
            let logGate = flow.forward(Var(constant: y0), context: context, on: tape).logGate.value.scalars.reduce(0.0) { $0 + Double($1) }
            var jacobian = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
            let h: Float = 1e-3
            for j in 0..<d {
                var plus = y0, minus = y0
                plus[0, j] += h
                minus[0, j] -= h
                let up = flow.forward(Var(constant: plus), context: context, on: tape).y.value
                let down = flow.forward(Var(constant: minus), context: context, on: tape).y.value
                for i in 0..<d { jacobian[i][j] = (Double(up[0, i]) - Double(down[0, i])) / (2 * Double(h)) }
            }
            let det = jacobian[0][0] * (jacobian[1][1] * jacobian[2][2] - jacobian[1][2] * jacobian[2][1])
                - jacobian[0][1] * (jacobian[1][0] * jacobian[2][2] - jacobian[1][2] * jacobian[2][0])
                + jacobian[0][2] * (jacobian[1][0] * jacobian[2][1] - jacobian[1][1] * jacobian[2][0])
            #expect(abs(Foundation.log(abs(det)) - logGate) < 2e-2, "\(steps) steps: log|det J| \(Foundation.log(abs(det))) vs Σ log σ \(logGate)")
            if steps == 1 {
                let degrees = flow.steps[0].degrees
                for i in 0..<d { for j in 0..<d where degrees[j] > degrees[i] {
                    #expect(abs(jacobian[i][j]) < 1e-3, "y_\(i) depends on the later y_\(j)")
                } }
            }
        }
    }

    @Test func flowGradients() {
        let flow = Self.flow(size: 3, steps: 2, context: 2, seed: 9)
        var rng = RandomSource(seed: 10)
        let context = rng.normalTensor(2, 2)
        checkGradients([rng.normalTensor(2, 3)], tolerance: 3e-2) { t, v in
            let (y, logGate) = flow.forward(v[0], context: Var(constant: context), on: t)
            return t.concatCols(y, logGate)
        }
    }

    /// The AF prior's direction: `generate` and `inverse` undo each other.
    @Test func generationInvertsTheOnePassInverse() {
        let flow = Self.flow(size: 4, steps: 2, context: 0, seed: 11)
        var rng = RandomSource(seed: 12)
        let base = rng.normalTensor(6, 4)
        let z = flow.generate(base)
        let back = flow.inverse(Var(constant: z), on: Tape(recording: false)).y.value
        for (a, b) in zip(back.scalars, base.scalars) { #expect(abs(a - b) < 1e-4, "\(a) vs \(b)") }
    }

    /// log p(z) = log N(y_0) − Σ log σ is a density: it integrates to 1 over a 2-D grid.
    @Test func theAFPriorsDensityIntegratesToOne() {
        let flow = Self.flow(size: 2, steps: 2, context: 0, seed: 13)
        let total = Foundation.exp(logIntegral2D(halfWidth: 12, points: 241) { grid in
            let tape = Tape(recording: false)
            let (y0, logGate) = flow.inverse(Var(constant: grid), on: tape)
            return tape.sum(tape.sub(tape.standardNormalLogDensity(y0), logGate), axis: 1).value
        })
        #expect(abs(total - 1) < 1e-2, "∫ p(z) dz = \(total)")
    }

    /// The AF prior's draws follow its own density: `sample` fills each step's variables in that step's order
    /// and runs the steps forwards, `logDensityUnits` undoes them backwards. 20,000 draws of a 2-D prior far
    /// from N(0, I) (the MADEs' weights scaled up, m shifted) against expectations by quadrature of
    /// exp(log p(z)) on a grid, for smooth functions of z, each within four standard errors of the draws' mean
    /// (the clean draws land within about one). Drawn in the density's order instead (the steps or the
    /// variables the other way round, or the density's pass run on the noise), the draws miss by tens of
    /// standard errors.
    @Test func theAFPriorsDrawsFollowItsDensity() {
        var rng = RandomSource(seed: 15)
        let prior = AutoregressiveFlowPrior(latentSize: 2, steps: 2, hidden: 12, gateBias: 0, rng: &rng)
        for made in prior.flow.steps {
            for head in made.heads { head.weight.assign(head.weight.value.scaled(8)) }
            made.inputLayer.weight.assign(made.inputLayer.weight.value.scaled(3))
            made.heads[0].bias.assign(Tensor(rows: 1, cols: 2, [1, -1]))
        }
        let functions: [(name: String, f: (Double, Double) -> Double)] = [
            ("z1", { a, _ in a }), ("z2", { _, b in b }), ("z1²", { a, _ in a * a }), ("z2²", { _, b in b * b }),
            ("z1·z2", { a, b in a * b }), ("tanh(z1 − z2)", { a, b in Foundation.tanh(a - b) }),
        ]
        // Quadrature on [−10, 10]² with 401 points a side.
        let halfWidth = 10.0, points = 401, h = 2 * halfWidth / Double(points - 1)
        var grid = Tensor(zeros: points * points, 2)
        for i in 0..<points { for j in 0..<points {
            grid[i * points + j, 0] = Float(-halfWidth + Double(i) * h)
            grid[i * points + j, 1] = Float(-halfWidth + Double(j) * h)
        } }
        let logP = prior.logDensity(Var(constant: grid), on: Tape(recording: false)).value
        var mass = 0.0, expected = [Double](repeating: 0, count: functions.count)
        for r in 0..<grid.rows {
            let w = Foundation.exp(Double(logP[r, 0])) * h * h, a = Double(grid[r, 0]), b = Double(grid[r, 1])
            mass += w
            for (k, fn) in functions.enumerated() { expected[k] += w * fn.f(a, b) }
        }
        #expect(abs(mass - 1) < 1e-3, "the grid holds the prior's mass: \(mass)")
        let n = 20_000
        let draws = prior.sample(n, rng: &rng)
        for (k, fn) in functions.enumerated() {
            var sum = 0.0, squares = 0.0
            for r in 0..<n {
                let v = fn.f(Double(draws[r, 0]), Double(draws[r, 1]))
                sum += v
                squares += v * v
            }
            let mean = sum / Double(n), standardError = ((squares / Double(n) - mean * mean) / Double(n)).squareRoot()
            let exact = expected[k] / mass
            #expect(abs(mean - exact) < 4 * standardError + 1e-3,
                    "E[\(fn.name)]: draws \(mean) ± \(standardError), density \(exact)")
        }
    }
}

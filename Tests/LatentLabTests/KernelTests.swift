import CKernels
import Foundation
import Testing
@testable import LatentLab

/// The vectorised exp/log family against libm, including the edges a training run can reach.
@Suite struct KernelTests {
    /// Values from −100 to 100, dense near 0, plus the edges.
    static let inputs: [Float] = stride(from: -100.0, through: 100.0, by: 0.0371).map { Float($0) }
        + [0, -0, 1e-30, -1e-30, 1e-8, 88.7, 88.72, -87.3, -87.4, 89, -90]

    func forward(_ f: UnaryFunction, _ x: [Float]) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        vk_unary_forward(f.rawValue, x, &y, x.count, 0, 0)
        return y
    }

    @Test func expMatchesLibm() {
        let y = forward(.exp, Self.inputs)
        for (x, v) in zip(Self.inputs, y) {
            let exact = Foundation.exp(Double(x))
            if exact > Double(Float.greatestFiniteMagnitude) { #expect(v == .infinity); continue }
            if exact < Double(Float.leastNormalMagnitude) { #expect(v <= Float.leastNormalMagnitude); continue }
            #expect(abs(Double(v) - exact) <= 3e-7 * exact, "exp(\(x)) = \(v), libm \(exact)")
        }
    }

    @Test func logMatchesLibm() {
        let xs = Self.inputs.filter { $0 > 0 }.map { Foundation.exp($0 / 2) } + [1, 2, 0.5, Float.leastNormalMagnitude, 3e38]
        for (x, v) in zip(xs, forward(.log, xs)) {
            let exact = Foundation.log(Double(x))
            #expect(abs(Double(v) - exact) <= 3e-7 * max(1, abs(exact)), "log(\(x)) = \(v), libm \(exact)")
        }
        let edges = forward(.log, [0, -1, .infinity, .nan])
        #expect(edges[0] == -.infinity && edges[1].isNaN && edges[2] == .infinity && edges[3].isNaN)
    }

    @Test(arguments: [UnaryFunction.tanh, .sigmoid, .softplus])
    func smoothFunctionsMatchLibm(_ f: UnaryFunction) {
        for (x, v) in zip(Self.inputs, forward(f, Self.inputs)) {
            let d = Double(x)
            let exact: Double = switch f {
            case .tanh: Foundation.tanh(d)
            case .sigmoid: 1 / (1 + Foundation.exp(-d))
            default: max(d, 0) + Foundation.log1p(Foundation.exp(-abs(d)))
            }
            #expect(abs(Double(v) - exact) <= 1e-6 * max(1, abs(exact)), "\(f)(\(x)) = \(v), libm \(exact)")
        }
    }

    @Test func nanPropagates() {
        for f in [UnaryFunction.exp, .tanh, .sigmoid, .softplus, .relu, .elu, .clampMin] {
            #expect(forward(f, [.nan])[0].isNaN, "\(f)(NaN) must stay NaN so training can catch it")
        }
    }

    @Test func scalarFastMathAgreesWithTheKernels() {
        let exp = forward(.exp, Self.inputs)
        for (i, x) in Self.inputs.enumerated() {
            #expect(FastMath.exp(x) == exp[i] || abs(FastMath.exp(x) - exp[i]) <= 2e-7 * exp[i])
        }
        let positives = Self.inputs.filter { $0 > 0 }
        for (x, l) in zip(positives, forward(.log, positives)) { #expect(abs(FastMath.log(x) - l) <= 2e-7 * max(1, abs(l))) }
    }

    @Test func sumOfSquaresAndAdam() {
        let x = (0..<10_001).map { Float($0 % 13) - 6 }
        #expect(vk_sum_squares(x, x.count) == x.reduce(0.0) { $0 + Double($1 * $1) })
        // One Adam step from zero moments moves each weight by lr·sign(g) (bias-corrected).
        var w: [Float] = [1, 1, 1], m: [Float] = [0, 0, 0], v: [Float] = [0, 0, 0]
        let g: [Float] = [0.5, -2, 0]
        vk_adam(&w, g, &m, &v, 3, 0.9, 0.999, 0.1 / (1 - 0.9), 1 - 0.999, 1e-8)
        #expect(abs(w[0] - 0.9) < 1e-5 && abs(w[1] - 1.1) < 1e-5 && w[2] == 1)
        // Adamax's first step is the same: lr·sign(g).
        var w2: [Float] = [1, 1, 1], m2: [Float] = [0, 0, 0], u2: [Float] = [0, 0, 0]
        vk_adamax(&w2, g, &m2, &u2, 3, 0.9, 0.999, 0.1 / (1 - 0.9), 1e-8)
        #expect(abs(w2[0] - 0.9) < 1e-5 && abs(w2[1] - 1.1) < 1e-5 && w2[2] == 1)
        #expect(u2 == [0.5, 2, 0], "the infinity norm of the gradients so far")
    }
}

@Suite struct RandomSourceTests {
    @Test func drawsHaveTheRightMoments() {
        var rng = RandomSource(seed: 42)
        let n = 20_000
        let normals = rng.normalTensor(n, 1).scalars.map(Double.init)
        let mean = normals.reduce(0, +) / Double(n)
        let variance = normals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.04, "normal mean \(mean) variance \(variance)")
        let uniforms = (0..<n).map { _ in rng.uniform() }
        #expect(uniforms.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(uniforms.reduce(0, +) / Float(n) - 0.5) < 0.01)
        let ones = (0..<n).map { _ in rng.bernoulli(0.3) }.reduce(0, +)
        #expect(abs(ones / Float(n) - 0.3) < 0.015)
    }

    @Test func aSeedRepeatsItsStream() {
        var a = RandomSource(seed: 7), b = RandomSource(seed: 7), c = RandomSource(seed: 8)
        let x = (0..<10).map { _ in a.next() }
        #expect(x == (0..<10).map { _ in b.next() })
        #expect(x != (0..<10).map { _ in c.next() })
        var p = RandomSource(seed: 1)
        #expect(p.permutation(50).sorted() == Array(0..<50))
    }
}

@Suite struct ParallelTests {
    /// Splitting the large loops across threads gives exactly the single-thread result.
    @Test func splitLoopsMatchOneThread() {
        var rng = RandomSource(seed: 12)
        let logits = rng.uniformTensor(700, 784, lower: -6, upper: 6)   // > the split grain; 700 = 7 samples of 100 rows
        var targets = rng.uniformTensor(100, 784)
        for i in 0..<100 { for j in 0..<784 { targets[i, j] = targets[i, j] < 0.3 ? 1 : 0 } }
        func run() -> ([Float], [Float], [Float]) {
            let tape = Tape()
            let p = Parameter("l", logits)
            let l = tape.param(p)
            let ll = tape.bernoulliLogLikelihood(logits: l, targets: targets)
            let t = tape.tanh(l)
            tape.backward(from: tape.add(tape.sum(ll), tape.sum(t)))
            return (ll.value.scalars, t.value.scalars, p.grad.scalars)
        }
        BLAS.setThreads(1)
        let one = run()
        BLAS.setThreads(2)
        let two = run()
        BLAS.setThreads(1)
        #expect(one.0 == two.0 && one.1 == two.1 && one.2 == two.2)
    }
}

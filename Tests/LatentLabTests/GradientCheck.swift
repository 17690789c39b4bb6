import Testing
@testable import LatentLab

/// Central finite differences against the tape's gradients.
///
/// The scalar checked is Σ f(inputs) ∘ R for a fixed random R, so every output element's
/// vector-Jacobian product is exercised. Inputs become parameters so the tape tracks them.
func checkGradients(
    _ inputs: [Tensor], step: Float = 1e-2, tolerance: Float = 2e-2,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ f: (Tape, [Var]) -> Var
) {
    let params = inputs.enumerated().map { Parameter("input\($0.offset)", $0.element) }
    // Analytic gradients.
    let tape = Tape()
    let out = f(tape, params.map { tape.param($0) })
    var rng = RandomSource(seed: 99)
    let weights = rng.uniformTensor(out.rows, out.cols, lower: -1, upper: 1)
    let loss = tape.sum(tape.mul(out, Var(constant: weights)))
    tape.backward(from: loss)

    func value() -> Double {
        let t = Tape(recording: false)
        let y = f(t, params.map { t.param($0) }).value
        var s = 0.0
        for i in 0..<y.rows { for j in 0..<y.cols { s += Double(y[i, j]) * Double(weights[i, j]) } }
        return s
    }
    for p in params {
        for i in 0..<p.rows {
            for j in 0..<p.cols {
                let original = p.value[i, j]
                var plus = p.value; plus[i, j] = original + step; p.assign(plus)
                let up = value()
                var minus = p.value; minus[i, j] = original - step; p.assign(minus)
                let down = value()
                var restored = p.value; restored[i, j] = original; p.assign(restored)
                let numeric = Float((up - down) / (2 * Double(step)))
                let analytic = p.grad[i, j]
                let scale = max(1, abs(numeric), abs(analytic))
                #expect(abs(numeric - analytic) <= tolerance * scale,
                        "\(p.name)[\(i),\(j)]: analytic \(analytic) vs numeric \(numeric)", sourceLocation: sourceLocation)
            }
        }
    }
}

/// A small random tensor, values in [lower, upper).
func randomTensor(_ rows: Int, _ cols: Int, seed: UInt64, lower: Float = -1, upper: Float = 1) -> Tensor {
    var rng = RandomSource(seed: seed)
    return rng.uniformTensor(rows, cols, lower: lower, upper: upper)
}

/// Values kept away from 0 by at least `gap`, for ops with a kink there (relu, clamp).
func awayFromZero(_ rows: Int, _ cols: Int, seed: UInt64, gap: Float = 0.1) -> Tensor {
    var t = randomTensor(rows, cols, seed: seed)
    for i in 0..<rows { for j in 0..<cols where abs(t[i, j]) < gap { t[i, j] = t[i, j] < 0 ? -gap : gap } }
    return t
}

/// A whole loss's gradient against central finite differences, on the first and the last weight of every
/// parameter: `loss` builds the scalar on the tape it is given (recording for the analytic gradient, not
/// for the differences) and must be deterministic (fixed noise).
func checkParameterGradients(
    _ parameters: [Parameter], step: Float = 1e-2, tolerance: Float = 2e-2,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ loss: (Tape) -> Var
) {
    for p in parameters { p.zeroGrad() }
    let tape = Tape()
    tape.backward(from: loss(tape))
    for p in parameters {
        for (i, j) in [(0, 0), (p.rows - 1, p.cols - 1)] {
            let original = p.value[i, j]
            func at(_ v: Float) -> Double {
                var t = p.value; t[i, j] = v; p.assign(t)
                return Double(loss(Tape(recording: false)).value.scalar)
            }
            let numeric = Float((at(original + step) - at(original - step)) / Double(2 * step))
            _ = at(original)
            #expect(abs(numeric - p.grad[i, j]) <= tolerance * max(1, abs(numeric)),
                    "\(p.name)[\(i),\(j)] \(p.grad[i, j]) vs \(numeric)", sourceLocation: sourceLocation)
        }
    }
}

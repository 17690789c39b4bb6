/// T gated autoregressive steps (docs/THEORY.md section 5) on d variables, each a MADE giving [m, s]:
///     σ = sigmoid(s),  y_t = σ ⊙ y_{t−1} + (1 − σ) ⊙ m,  log |det ∂y_t/∂y_{t−1}| = Σ_d log σ_d,
/// with the variable order reversed between steps. Two uses, by which side the MADE reads:
/// - the IAF posterior (Kingma et al. 2016): the MADE reads the step's input y_{t−1} and the encoder's
///   context h, so a sample goes forward in one pass a step (`forward`);
/// - the AF prior (VLAE, Chen et al. 2017): the MADE reads the step's output y_t and no context, so the
///   density of a given z is one pass a step backwards (`inverse`), and a sample is drawn one variable at
///   a time (`generate`).
/// s starts near `gateBias` (+2 for the posterior: each step starts near a scaling by 0.88) with the
/// heads' weights shrunk tenfold, as the IAF paper initialises them.
public final class GatedAutoregressiveFlow {
    public let size: Int
    public let steps: [MADE]
    /// How much the heads' initial weights are shrunk, so m and s start near their biases.
    static let initialHeadScale: Float = 0.1

    public init(_ name: String, size: Int, steps count: Int, hidden: Int, context: Int, gateBias: Float,
                rng: inout RandomSource) {
        self.size = size
        steps = (0..<count).map { t in
            let made = MADE("\(name).\(t)", size: size, hidden: [hidden], context: context, heads: 2,
                            reversed: t % 2 == 1, rng: &rng)
            made.startHeads(near: [0, gateBias], scale: Self.initialHeadScale)
            return made
        }
    }

    public var parameters: [Parameter] { steps.flatMap(\.parameters) }

    /// Moves where every step's s starts, keeping the weights: a flow made with the family's default can be
    /// started nearer the identity where that matters.
    func startGates(near gateBias: Float) {
        for made in steps { made.heads[1].bias.assign(Tensor(rows: 1, cols: size, repeating: gateBias)) }
    }

    /// y_0 → y_T reading each step's input; and Σ_t log σ_{t,d} for each row and variable (n×d): summed over
    /// d, log |det ∂y_T/∂y_0|.
    public func forward(_ y0: Var, context: Var?, on tape: Tape) -> (y: Var, logGate: Var) {
        var y = y0
        var logGate: Var?
        for made in steps {
            let ms = made(y, context: context, on: tape)
            let sigma = tape.sigmoid(ms[1])
            y = tape.add(ms[0], tape.mul(sigma, tape.sub(y, ms[0])))  // m + σ(y − m) = σy + (1 − σ)m
            let stepGate = Self.logSigmoid(ms[1], on: tape)
            logGate = logGate.map { tape.add($0, stepGate) } ?? stepGate
        }
        return (y, logGate!)
    }

    /// The inverse of `forward` (y_T → y_0 for MADEs that read the step's input), without a tape: each step
    /// solves its variables in its order, one per pass (d passes a step), y_{t−1} = m + (y_t − m)/σ with
    /// [m, s] read from the part of y_{t−1} already solved. Also Σ_t log σ_{t,d} (n×d), as `forward` gives it.
    public func invertForward(_ yT: Tensor, context: Tensor?) -> (y: Tensor, logGate: Tensor) {
        let tape = Tape(recording: false)
        let c = context.map { Var(constant: $0) }
        var next = yT
        var logGate = Tensor(zeros: yT.rows, size)
        for made in steps.reversed() {
            var y = Tensor(zeros: yT.rows, size)
            for degree in 1...size {
                let v = made.degrees.firstIndex(of: degree)!
                let ms = made(Var(constant: y), context: c, on: tape)
                let m = ms[0].value, sigma = tape.sigmoid(ms[1]).value
                for r in 0..<y.rows { y[r, v] = m[r, v] + (next[r, v] - m[r, v]) / sigma[r, v] }
            }
            let s = made(Var(constant: y), context: c, on: tape)[1]
            logGate = logGate.adding(Self.logSigmoid(s, on: tape).value)
            next = y
        }
        return (next, logGate)
    }

    /// y_T → y_0 when each step's MADE reads its output: y_{t−1} = m + (y_t − m)/σ;
    /// and Σ_t log σ_{t,d} (n×d).
    public func inverse(_ yT: Var, on tape: Tape) -> (y: Var, logGate: Var) {
        var y = yT
        var logGate: Var?
        for made in steps.reversed() {
            let ms = made(y, context: nil, on: tape)
            y = tape.add(ms[0], tape.div(tape.sub(y, ms[0]), tape.sigmoid(ms[1])))
            let stepGate = Self.logSigmoid(ms[1], on: tape)
            logGate = logGate.map { tape.add($0, stepGate) } ?? stepGate
        }
        return (y, logGate!)
    }

    /// y_0 → y_T for MADEs that read the step's output: each step fills its variables in its order, one per
    /// pass, every pass reading the ones already filled (d passes a step). The inverse of `inverse`.
    public func generate(_ y0: Tensor) -> Tensor {
        let tape = Tape(recording: false)
        var previous = y0
        for made in steps {
            var y = Tensor(zeros: y0.rows, size)
            for degree in 1...size {
                let v = made.degrees.firstIndex(of: degree)!
                let ms = made(Var(constant: y), context: nil, on: tape)
                let m = ms[0].value, sigma = tape.sigmoid(ms[1]).value
                for r in 0..<y.rows { y[r, v] = sigma[r, v] * previous[r, v] + (1 - sigma[r, v]) * m[r, v] }
            }
            previous = y
        }
        return previous
    }

    /// log sigmoid(s) = −softplus(−s), the stable form.
    static func logSigmoid(_ s: Var, on tape: Tape) -> Var {
        tape.negate(tape.softplus(tape.negate(s)))
    }
}

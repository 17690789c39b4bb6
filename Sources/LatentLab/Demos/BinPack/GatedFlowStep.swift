import Foundation

/// One step of the gated autoregressive flow of THEORY.md section 5 on a 2-D z, the building block of
/// the IAF posterior (with the encoder's context h) and of the learned-flow prior (context: a constant 1).
///
/// With the variable order (a, b) the step is a two-input MADE: [m_a, s_a] see only the context, and
/// [m_b, s_b] see z_a and the context through a hidden layer, so the Jacobian is triangular:
///     σ = sigmoid(s),  z'_d = σ_d z_d + (1 − σ_d) m_d,  log |det ∂z'/∂z| = Σ_d log σ_d.
/// In two dimensions the inverse is closed-form, which is what evaluates log q(z|x) or log p(z) at any z.
final class GatedFlowStep {
    let first: Linear          // context → [m_a, s_a]
    let hiddenFromZ: Linear    // z_a → hidden
    let hiddenFromContext: Linear
    let second: Linear         // hidden → [m_b, s_b]
    /// Reversed steps take the order (1, 0), so consecutive steps alternate which variable goes first.
    let reversed: Bool

    /// `gateBias` starts s there and the output weights are shrunk tenfold (m near 0), so σ ≈ sigmoid(gateBias)
    /// and the step starts near a scaling.
    init(_ name: String, context: Int, hidden: Int, reversed: Bool, gateBias: Float, rng: inout RandomSource) {
        first = Linear("\(name).first", inputs: context, outputs: 2, rng: &rng)
        hiddenFromZ = Linear("\(name).hz", inputs: 1, outputs: hidden, rng: &rng)
        hiddenFromContext = Linear("\(name).hc", inputs: context, outputs: hidden, rng: &rng)
        second = Linear("\(name).second", inputs: hidden, outputs: 2, rng: &rng)
        self.reversed = reversed
        for layer in [first, second] {
            layer.weight.assign(layer.weight.value.scaled(0.1))
            layer.bias.assign(Tensor(rows: 1, cols: 2, [0, gateBias]))
        }
    }

    var parameters: [Parameter] { [first, hiddenFromZ, hiddenFromContext, second].flatMap(\.parameters) }

    /// z → z', and Σ_d log σ_d per row (n×1).
    func forward(_ z: Var, context: Var, on tape: Tape) -> (z: Var, logGate: Var) {
        let (a, b) = reversed ? (1, 0) : (0, 1)
        let za = tape.sliceCols(z, a, 1), zb = tape.sliceCols(z, b, 1)
        let (ma, sa) = split(first(context, on: tape), on: tape)
        let (mb, sb) = secondHalf(za, context: context, on: tape)
        let za2 = gate(za, m: ma, s: sa, on: tape), zb2 = gate(zb, m: mb, s: sb, on: tape)
        return (reversed ? tape.concatCols(zb2, za2) : tape.concatCols(za2, zb2), logGate(sa, sb, on: tape))
    }

    /// z' → z, and the same Σ_d log σ_d, so log density(z) = log density'(z') + Σ log σ.
    func inverse(_ z2: Var, context: Var, on tape: Tape) -> (z: Var, logGate: Var) {
        let (a, b) = reversed ? (1, 0) : (0, 1)
        let (ma, sa) = split(first(context, on: tape), on: tape)
        let za = ungate(tape.sliceCols(z2, a, 1), m: ma, s: sa, on: tape)
        let (mb, sb) = secondHalf(za, context: context, on: tape)
        let zb = ungate(tape.sliceCols(z2, b, 1), m: mb, s: sb, on: tape)
        return (reversed ? tape.concatCols(zb, za) : tape.concatCols(za, zb), logGate(sa, sb, on: tape))
    }

    private func secondHalf(_ za: Var, context: Var, on tape: Tape) -> (m: Var, s: Var) {
        let hidden = tape.tanh(tape.add(hiddenFromZ(za, on: tape), hiddenFromContext(context, on: tape)))
        return split(second(hidden, on: tape), on: tape)
    }

    private func split(_ ms: Var, on tape: Tape) -> (m: Var, s: Var) { (tape.sliceCols(ms, 0, 1), tape.sliceCols(ms, 1, 1)) }

    /// m + σ (z − m)
    private func gate(_ z: Var, m: Var, s: Var, on tape: Tape) -> Var {
        tape.add(m, tape.mul(tape.sigmoid(s), tape.sub(z, m)))
    }

    /// m + (z' − m) / σ
    private func ungate(_ z2: Var, m: Var, s: Var, on tape: Tape) -> Var {
        tape.add(m, tape.div(tape.sub(z2, m), tape.sigmoid(s)))
    }

    /// log σ(s) = −softplus(−s), summed over the two variables.
    private func logGate(_ sa: Var, _ sb: Var, on tape: Tape) -> Var {
        tape.negate(tape.add(tape.softplus(tape.negate(sa)), tape.softplus(tape.negate(sb))))
    }
}

import Foundation

/// How the demo turns a cell x into a point v = x + u of the continuous model (docs/THEORY.md section 4).
public enum DequantizerKind: String, CaseIterable, Sendable {
    /// u ~ U[0, 1)²: the bound is E_u log p(x + u).
    case uniform
    /// u ~ q(u|x), learned: the bound is E_q[log p(x + u) − log q(u|x)] (Ho et al. 2019, Flow++).
    case variational
}

/// The variational dequantizer q(u|x) on the unit cell:
///     ε ~ standard logistic (2-D),  y = flow(ε; h(x)),  u = sigmoid(y),
///     log q(u|x) = Σ_d ℓ(ε_d) − log |det ∂y/∂ε| − Σ_d ℓ(y_d),
/// with ℓ the standard logistic log-density (the last term is the sigmoid's log-determinant, since
/// σ'(y) = σ(y)(1 − σ(y)) = e^{ℓ(y)}), the flow `GatedAutoregressiveFlow` steps reading the context h(x), and
/// h a small MLP on the cell's position scaled to (−1, 1).
///
/// The logistic base is chosen so that the identity flow is exactly uniform dequantization (sigmoid of a
/// standard logistic is U(0, 1)); the steps start near the identity (gates near sigmoid(`gateBias`)), so
/// q starts close to uniform and learns away from it.
public final class FlowDequantizer {
    public static let defaultSteps = 4, defaultHidden = 32
    /// Width of h(x), the context every MADE step reads.
    public static let contextSize = 16
    /// Each step starts as a scaling by sigmoid(3) = 0.95.
    static let gateBias: Float = 3

    public let levels: Int
    let embedding: MLP
    let flow: GatedAutoregressiveFlow

    public init(levels: Int, steps: Int = defaultSteps, hidden: Int = defaultHidden, rng: inout RandomSource) {
        self.levels = levels
        embedding = MLP("dequant.q.embedding", sizes: [2, hidden, Self.contextSize], activation: .tanh, rng: &rng)
        flow = GatedAutoregressiveFlow("dequant.q.flow", size: 2, steps: steps, hidden: hidden,
                                       context: Self.contextSize, gateBias: Self.gateBias, rng: &rng)
    }

    public var parameters: [Parameter] { embedding.parameters + flow.parameters }

    /// u ~ q(u|x) (n×2) and log q(u|x) (n×1) on the tape, for cells x (n×2) and standard logistic noise ε (n×2).
    public func sample(_ x: Tensor, noise: Var, on tape: Tape) -> (u: Var, logQ: Var) {
        precondition(x.cols == 2 && noise.cols == 2 && noise.rows == x.rows, "x and noise are n×2")
        let context = embedding(Var(constant: position(x)), on: tape)
        let (y, logGate) = flow.forward(noise, context: context, on: tape)
        let logQ = tape.sub(tape.sub(tape.logisticLogDensity(noise), logGate), tape.logisticLogDensity(y))
        return (tape.sigmoid(y), tape.sum(logQ, axis: 1))
    }

    /// log q(u|x) at given u in (0, 1)² (n×2) for cells x (n×2), without a tape: y = logit(u), then the flow
    /// inverted (`invert`). `x` may also have fewer rows, one per cell, when u holds k points for each laid out
    /// point-major (row s·cells + c is point s of cell c): the context is then computed once per cell.
    public func logDensity(_ u: Tensor, cells x: Tensor) -> Tensor {
        precondition(u.cols == 2 && x.cols == 2 && x.rows > 0 && u.rows % x.rows == 0,
                     "u is n×2, x n×2 or one row per cell")
        let tape = Tape(recording: false), uniform = Var(constant: u)
        let y = tape.sub(tape.log(uniform), tape.log(tape.addScalar(tape.negate(uniform), 1)))
        let (noise, logDeterminant) = invert(y.value, cells: x)
        let logQ = tape.sub(tape.logisticLogDensity(Var(constant: noise)), tape.logisticLogDensity(y))
        return tape.sub(tape.sum(logQ, axis: 1), Var(constant: logDeterminant)).value
    }

    /// y_T → ε through the steps in reverse, and log |det ∂y_T/∂ε| per row (n×1); rows as in `logDensity`.
    ///
    /// The general `GatedAutoregressiveFlow.invertForward` runs d + 1 passes of every step over all rows. With
    /// two variables most of that is avoidable: the first variable's m and s read no variable, only the context,
    /// so they come from one pass over the cells (ε_first = m + (y_first − m)/σ); one pass over all rows then
    /// gives the second variable's m and s, which read only the first. The density quadrature (L²·m² points)
    /// needs this to stay within a frame's budget.
    func invert(_ yT: Tensor, cells x: Tensor) -> (noise: Tensor, logDeterminant: Tensor) {
        let tape = Tape(recording: false)
        let n = yT.rows, cells = x.rows
        let cellContext = embedding(Var(constant: position(x)), on: tape)
        let context = cells < n ? Var(constant: cellContext.value.tiledRows(n / cells)) : cellContext
        let unfilled = Var(constant: Tensor(zeros: cells, 2))
        var next = yT
        var logDeterminant = Tensor(zeros: n, 1)
        /// m, σ and log σ of a MADE's outputs.
        func gates(_ ms: [Var]) -> (m: Tensor, sigma: Tensor, logSigma: Tensor) {
            (ms[0].value, tape.sigmoid(ms[1]).value, GatedAutoregressiveFlow.logSigmoid(ms[1], on: tape).value)
        }
        for made in flow.steps.reversed() {
            let first = made.degrees.firstIndex(of: 1)!, second = 1 - first
            let perCell = gates(made(unfilled, context: cellContext, on: tape))
            var y = Tensor(zeros: n, 2)
            perCell.m.withPointer { m in perCell.sigma.withPointer { sigma in perCell.logSigma.withPointer { logSigma in
                next.withPointer { t in y.withMutablePointer { p in logDeterminant.withMutablePointer { g in
                    for r in 0..<n {
                        let i = 2 * r + first, c = 2 * (r % cells) + first
                        p[i] = m[c] + (t[i] - m[c]) / sigma[c]
                        g[r] += logSigma[c]
                    }
                } } }
            } } }
            let full = gates(made(Var(constant: y), context: context, on: tape))
            full.m.withPointer { m in full.sigma.withPointer { sigma in full.logSigma.withPointer { logSigma in
                next.withPointer { t in y.withMutablePointer { p in logDeterminant.withMutablePointer { g in
                    for r in 0..<n {
                        let i = 2 * r + second
                        p[i] = m[i] + (t[i] - m[i]) / sigma[i]
                        g[r] += logSigma[i]
                    }
                } } }
            } } }
            next = y
        }
        return (next, logDeterminant)
    }

    /// log q(u_s|x) at every quadrature point of `grid`, cell-major (the layout of the evaluation's arrays).
    public func logDensities(on grid: SubcellGrid) -> [Double] {
        let cells = grid.cellCount, points = grid.pointsPerCell
        var x = Tensor(uninitialized: cells, 2)
        x.withMutablePointer { p in
            for c in 0..<cells { p[2 * c] = Float(c % levels); p[2 * c + 1] = Float(c / levels) }
        }
        let u = grid.offsets.repeatingEachRow(cells)  // point-major: row s·cells + c is sub-cell s of cell c
        let logQ = logDensity(u, cells: x)
        var out = [Double](repeating: 0, count: cells * points)
        logQ.withPointer { q in
            for s in 0..<points { for c in 0..<cells { out[c * points + s] = Double(q[s * cells + c]) } }
        }
        return out
    }

    /// n×2 draws of standard logistic noise, log(U) − log(1 − U), with U on the midpoints of 2^24 equal steps so
    /// it never reaches 0 or 1 (|ε| ≤ 17.3).
    public static func logisticNoise(_ n: Int, rng: inout RandomSource) -> Tensor {
        var t = Tensor(uninitialized: n, 2)
        t.withMutablePointer { p in
            for i in 0..<(2 * n) {
                let uniform = (Double(rng.next() >> 40) + 0.5) * 0x1p-24
                p[i] = Float(Foundation.log(uniform) - Foundation.log1p(-uniform))
            }
        }
        return t
    }

    /// The context network's input: the cell's centre scaled to (−1, 1).
    func position(_ x: Tensor) -> Tensor {
        var out = Tensor(uninitialized: x.rows, 2)
        let n = x.count, scale = 2 / Float(levels)
        x.withPointer { xp in out.withMutablePointer { op in for i in 0..<n { op[i] = (xp[i] + 0.5) * scale - 1 } } }
        return out
    }
}

import Foundation

/// The family of q(z|x) in the bin-packing demo.
public enum PosteriorFamily: String, CaseIterable, Sendable {
    case diagonal = "diagonal Gaussian"
    case fullCovariance = "full-covariance Gaussian"
    case iaf = "IAF (2 MADE steps)"
}

/// The prior p(z) in the bin-packing demo.
public enum PriorKind: String, CaseIterable, Sendable {
    case standard = "N(0,I)"
    case flow = "learned AR flow"
}

/// The lecture's bin-packing model: a 2-D latent z, a small Bernoulli decoder p(x|z) over 16 pixels, and an
/// amortised q(z|x) whose every family shares one encoder trunk. All heads exist at once (the full-covariance
/// term starts at 0, the flow steps near a scaling), so switching family or prior mid-run carries on from the
/// current state instead of starting over.
public final class BinPackModel {
    public static let pixels = 16
    static let hidden = 32, contextSize = 8, flowHidden = 16, flowSteps = 2

    public var family: PosteriorFamily = .diagonal
    public var prior: PriorKind = .standard

    let trunk: Linear                 // x → hidden (tanh)
    let meanHead: Linear              // hidden → μ (2)
    let logScaleHead: Linear          // hidden → log σ (2)
    let correlationHead: Linear       // hidden → the lower Cholesky entry (full covariance)
    let contextHead: Linear           // hidden → h (IAF context)
    let posteriorSteps: [GatedFlowStep]
    let priorSteps: [GatedFlowStep]
    let decoder: MLP                  // z → 32 tanh → 16 logits

    public init(seed: UInt64) {
        var rng = RandomSource(seed: seed)
        trunk = Linear("trunk", inputs: Self.pixels, outputs: Self.hidden, rng: &rng)
        meanHead = Linear("mean", inputs: Self.hidden, outputs: 2, rng: &rng)
        logScaleHead = Linear("logscale", inputs: Self.hidden, outputs: 2, rng: &rng)
        correlationHead = Linear("correlation", inputs: Self.hidden, outputs: 1, rng: &rng)
        correlationHead.weight.assign(Tensor(zeros: Self.hidden, 1))
        contextHead = Linear("context", inputs: Self.hidden, outputs: Self.contextSize, rng: &rng)
        // THEORY.md: s starts near +2 so each posterior step starts close to the identity. The prior's steps
        // start nearer still (σ ≈ 0.99), so switching to the learned prior does not by itself move the bin.
        posteriorSteps = (0..<Self.flowSteps).map {
            GatedFlowStep("iaf\($0)", context: Self.contextSize, hidden: Self.flowHidden, reversed: $0 % 2 == 1, gateBias: 2, rng: &rng)
        }
        priorSteps = (0..<Self.flowSteps).map {
            GatedFlowStep("prior\($0)", context: 1, hidden: Self.flowHidden, reversed: $0 % 2 == 1, gateBias: 5, rng: &rng)
        }
        decoder = MLP("decoder", sizes: [2, Self.hidden, Self.pixels], activation: .tanh, rng: &rng)
    }

    public var parameters: [Parameter] { posteriorParameters + generativeParameters }

    /// The encoder and every posterior head: what "train q only" steps.
    var posteriorParameters: [Parameter] {
        [trunk, meanHead, logScaleHead, correlationHead, contextHead].flatMap(\.parameters) + posteriorSteps.flatMap(\.parameters)
    }

    /// The decoder and the learned prior: p(x, z).
    var generativeParameters: [Parameter] { decoder.parameters + priorSteps.flatMap(\.parameters) }

    /// q(z|x)'s parameters for each row of x.
    struct Posterior {
        let mean: Var, logScale: Var, correlation: Var, context: Var
        var rows: Int { mean.rows }
    }

    func encode(_ x: Var, on tape: Tape) -> Posterior {
        let h = tape.tanh(trunk(x, on: tape))
        return Posterior(mean: meanHead(h, on: tape), logScale: logScaleHead(h, on: tape),
                         correlation: correlationHead(h, on: tape), context: contextHead(h, on: tape))
    }

    /// z ~ q(z|x) by reparameterisation from noise ε (n×2, row i belongs to posterior row i mod q.rows),
    /// with log q(z|x) per row. z_0 = μ + L ε with L = diag(σ) or the lower Cholesky factor
    /// [[σ_1, 0], [c, σ_2]]; the IAF then moves z_0 through its steps.
    func sample(_ q: Posterior, noise: Tensor, on tape: Tape) -> (z: Var, logQ: Var) {
        let times = noise.rows / q.rows
        func tiled(_ v: Var) -> Var { q.rows == 1 ? v : tape.tileRows(v, times) }
        let eps = Var(constant: noise)
        let sigma = tiled(tape.exp(q.logScale))
        var z = tape.add(tiled(q.mean), tape.mul(sigma, eps))
        if family == .fullCovariance {
            let shear = tape.mul(tiled(q.correlation), tape.sliceCols(eps, 0, 1))
            z = tape.add(z, tape.concatCols(Var(constant: Tensor(zeros: noise.rows, 1)), shear))
        }
        var logQ = tape.sub(tape.sum(tape.standardNormalLogDensity(eps), axis: 1), tiled(tape.sum(q.logScale, axis: 1)))
        if family == .iaf {
            let context = tiled(q.context)
            for step in posteriorSteps {
                let moved = step.forward(z, context: context, on: tape)
                z = moved.z
                logQ = tape.sub(logQ, moved.logGate)
            }
        }
        return (z, logQ)
    }

    /// log q(z|x) at given points z (n×2, row i under posterior row i mod q.rows): the IAF is inverted step
    /// by step back to z_0, then z_0 = μ + L ε is solved for ε. A one-row posterior is broadcast, not tiled,
    /// so its layers run once rather than once per point.
    func logPosterior(_ z: Var, _ q: Posterior, on tape: Tape) -> Var {
        let times = z.rows / q.rows
        func tiled(_ v: Var) -> Var { q.rows == 1 ? v : tape.tileRows(v, times) }
        var z0 = z
        var logGates = Var(constant: Tensor(zeros: z.rows, 1))
        if family == .iaf {
            let context = tiled(q.context)
            for step in posteriorSteps.reversed() {
                let back = step.inverse(z0, context: context, on: tape)
                z0 = back.z
                logGates = tape.add(logGates, back.logGate)
            }
        }
        let logScale = tiled(q.logScale)
        let centred = tape.sub(z0, tiled(q.mean))
        var eps0 = tape.div(tape.sliceCols(centred, 0, 1), tape.exp(tape.sliceCols(logScale, 0, 1)))
        var rest = tape.sliceCols(centred, 1, 1)
        if family == .fullCovariance { rest = tape.sub(rest, tape.mul(tiled(q.correlation), eps0)) }
        let eps1 = tape.div(rest, tape.exp(tape.sliceCols(logScale, 1, 1)))
        eps0 = tape.concatCols(eps0, eps1)
        let logQ0 = tape.sub(tape.sum(tape.standardNormalLogDensity(eps0), axis: 1), tiled(tape.sum(q.logScale, axis: 1)))
        return tape.sub(logQ0, logGates)
    }

    /// log p(z) per row. The learned prior is z = f(ε), ε ~ N(0, I), f the gated steps (VLAE's AF prior):
    /// log p(z) = log N(f⁻¹(z)) + log |det ∂f⁻¹/∂z| = log N(ε) − Σ log σ.
    func logPrior(_ z: Var, on tape: Tape) -> Var {
        guard prior == .flow else { return tape.sum(tape.standardNormalLogDensity(z), axis: 1) }
        let context = Var(constant: Tensor(rows: 1, cols: 1, repeating: 1))   // broadcast to every row
        var eps = z
        var logGates = Var(constant: Tensor(zeros: z.rows, 1))
        for step in priorSteps.reversed() {
            let back = step.inverse(eps, context: context, on: tape)
            eps = back.z
            logGates = tape.add(logGates, back.logGate)
        }
        return tape.sub(tape.sum(tape.standardNormalLogDensity(eps), axis: 1), logGates)
    }

    /// Bernoulli logits of p(x|z).
    func decode(_ z: Var, on tape: Tape) -> Var { decoder(z, on: tape) }
}

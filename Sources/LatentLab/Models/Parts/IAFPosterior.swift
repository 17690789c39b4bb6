/// The inverse autoregressive flow posterior (Kingma et al. 2016; docs/THEORY.md section 5): T gated MADE steps
/// on a diagonal Gaussian z_0, each reading the previous z and the encoder's context h (its last hidden
/// layer):
///     z_t = σ_t ⊙ z_{t−1} + (1 − σ_t) ⊙ m_t,   log q(z_T|x) = log q(z_0|x) − Σ_t Σ_d log σ_{t,d}.
/// Drawing is one pass a step; the density of a given z (the Barber–Agakov bound, I_q) inverts the
/// steps one variable at a time.
public final class IAFPosterior: Posterior {
    let base: DiagonalGaussianPosterior
    let flow: GatedAutoregressiveFlow
    /// s starts near +2, so each step starts as a scaling by sigmoid(2) = 0.88.
    static let gateBias: Float = 2

    /// The base keeps the diagonal posterior's names; the steps are `posterior.iaf.STEP.…`.
    public convenience init(inputSize: Int, hidden: [Int], latentSize: Int, activation: Activation, steps: Int,
                            flowHidden: Int, rng: inout RandomSource) {
        let base = DiagonalGaussianPosterior(inputSize: inputSize, hidden: hidden, latentSize: latentSize,
                                             activation: activation, rng: &rng)
        self.init(base: base, context: hidden.last ?? inputSize, steps: steps, flowHidden: flowHidden, rng: &rng)
    }

    /// Steps on an existing diagonal Gaussian, reading its last hidden layer (`context` units) as h.
    init(base: DiagonalGaussianPosterior, context: Int, steps: Int, flowHidden: Int, rng: inout RandomSource) {
        self.base = base
        flow = GatedAutoregressiveFlow("posterior.iaf", size: base.latentSize, steps: steps, hidden: flowHidden,
                                       context: context, gateBias: Self.gateBias, rng: &rng)
    }

    public var latentSize: Int { base.latentSize }
    public var parameters: [Parameter] { base.parameters + flow.parameters }
    public var summary: String { "IAF×\(flow.steps.count)" }

    public func encode(_ x: Var, on tape: Tape) -> PosteriorEncoding { base.encode(x, keepingContext: true, on: tape) }

    /// z_0 from the base, then the steps; log q split over the units as log q(z_0,d|x) − Σ_t log σ_{t,d}.
    public func draw(_ e: PosteriorEncoding, noise: Tensor, on tape: Tape) -> (z: Var, logQUnits: Var) {
        let (z0, logQ0) = base.draw(e, noise: noise, on: tape)
        let context = e.tiled(noise.rows / max(e.mean.rows, 1), on: tape).context
        let (z, logGate) = flow.forward(z0, context: context, on: tape)
        return (z, tape.sub(logQ0, logGate))
    }

    public func logDensity(_ z: Var, _ e: PosteriorEncoding, on tape: Tape) -> Var {
        let context = e.tiled(z.rows / max(e.mean.rows, 1), on: tape).context
        let (z0, logGate) = flow.invertForward(z.value, context: context?.value)
        return tape.sub(base.logDensity(Var(constant: z0), e, on: tape), tape.sum(Var(constant: logGate), axis: 1))
    }

    public func closedFormKL(_ encoding: PosteriorEncoding, against prior: any Prior, on tape: Tape) -> Var? { nil }
}

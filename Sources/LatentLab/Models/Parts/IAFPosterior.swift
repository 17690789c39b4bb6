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

extension IAFPosterior: PosteriorFamily {
    public static let title = "IAF"

    public static func make(on base: DiagonalGaussianPosterior, _ config: VAEConfig,
                            rng: inout RandomSource) -> any Posterior {
        IAFPosterior(base: base, context: encoderOutput(config), steps: config.flowSteps, flowHidden: config.flowHidden,
                     rng: &rng)
    }

    /// On a hierarchy the flow goes on the top layer, its context the top conditional's last hidden layer.
    public static func make(_ config: VAEConfig, rng: inout RandomSource) -> any Posterior {
        if config.layerSizes.count > 1 {
            return HierarchicalPosterior(config, flow: (config.flowSteps, config.flowHidden), rng: &rng)
        }
        return IAFPosterior(inputSize: config.inputSize, hidden: config.encoderHidden, latentSize: config.latentSize,
                            activation: config.activation, steps: config.flowSteps, flowHidden: config.flowHidden,
                            rng: &rng)
    }

    public static func summary(_ config: VAEConfig) -> String {
        ", IAF posterior \(config.flowSteps)×\(config.flowHidden)\(onTop(config))"
    }

    /// Each step's MADE over the top layer, and the context's weights into its hidden layer.
    public static func extraWeightMatrixElements(_ config: VAEConfig) -> Int {
        let sizes = config.layerSizes, top = sizes[sizes.count - 1]
        let context = sizes.count > 1 ? config.upperHidden.last ?? sizes[sizes.count - 2] : encoderOutput(config)
        let step = WeightCount.sum(WeightCount.flowStep(size: top, hidden: config.flowHidden),
                                   WeightCount.product(context, config.flowHidden))
        return WeightCount.product(config.flowSteps, step)
    }

    public static func problem(_ config: VAEConfig) -> String? { nil }
}

/// VLAE's autoregressive-flow prior (Chen et al. 2017; docs/THEORY.md section 5): z = f(y_0), y_0 ~ N(0, I),
/// through gated MADE steps with no context that read their outputs, so
///     log p(z) = log N(y_0) − Σ_t Σ_d log σ_{t,d},   y_0 = f⁻¹(z) in one pass a step,
/// and a sample is drawn one variable at a time. Its steps start as the posterior's do (s near +2).
public final class AutoregressiveFlowPrior: Prior {
    public let latentSize: Int
    let flow: GatedAutoregressiveFlow
    /// Where s starts: +2, each step a scaling by sigmoid(2) = 0.88, as the posterior's.
    public static let defaultGateBias: Float = 2

    /// Layers named `prior.STEP.in`, `prior.STEP.out0` (m), `prior.STEP.out1` (s).
    public init(latentSize: Int, steps: Int, hidden: Int, gateBias: Float = defaultGateBias, rng: inout RandomSource) {
        self.latentSize = latentSize
        flow = GatedAutoregressiveFlow("prior", size: latentSize, steps: steps, hidden: hidden, context: 0,
                                       gateBias: gateBias, rng: &rng)
    }

    public var parameters: [Parameter] { flow.parameters }

    /// Starts every step's gate near sigmoid(`gateBias`): near 1, the flow starts near the identity.
    func startGates(near gateBias: Float) { flow.startGates(near: gateBias) }
    public var summary: String { "AF×\(flow.steps.count)" }

    /// log N(y_0,d) − Σ_t log σ_{t,d} per unit: the split of log p(z) over the variables along the steps.
    public func logDensityUnits(_ z: Var, on tape: Tape) -> Var {
        let (y0, logGate) = flow.inverse(z, on: tape)
        return tape.sub(tape.standardNormalLogDensity(y0), logGate)
    }

    public func sample(_ n: Int, rng: inout RandomSource) -> Tensor { flow.generate(rng.normalTensor(n, latentSize)) }

    /// No closed form: the Barber–Agakov bound estimates H(z) from its own draws.
    public var entropy: Double? { nil }
}

extension AutoregressiveFlowPrior: PriorFamily {
    public static let title = "AF"

    public static func make(size: Int, _ config: VAEConfig, posterior: any Posterior,
                            rng: inout RandomSource) -> any Prior {
        AutoregressiveFlowPrior(latentSize: size, steps: config.flowSteps, hidden: config.flowHidden, rng: &rng)
    }

    public static func summary(_ config: VAEConfig) -> String {
        let layers = config.layerSizes.count
        return ", AF prior \(config.flowSteps)×\(config.flowHidden)\(layers > 1 ? " on z\(layers)" : "")"
    }

    public static func weightMatrixElements(size: Int, _ config: VAEConfig) -> Int {
        WeightCount.product(config.flowSteps, WeightCount.flowStep(size: size, hidden: config.flowHidden))
    }
}

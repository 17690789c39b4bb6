/// q(z_1, …, z_L | x) = q(z_1|x) Π_l q(z_{l+1}|z_l), each a diagonal Gaussian from an MLP, inferred bottom-up
/// as in the IWAE paper's two-layer model; optionally an IAF on the top layer, its steps reading the top
/// conditional's last hidden layer as their context. z is the layers side by side (z_1's units first).
public final class HierarchicalPosterior: Posterior {
    let first: DiagonalGaussianPosterior   // x → z_1, with the single-layer model's names
    let upper: [GaussianLayer]             // z_l → z_{l+1}, named `encoder.z2`, …
    /// Gated MADE steps on the top layer's Gaussian draw (`posterior.iaf.STEP.…`), or nil.
    let topFlow: GatedAutoregressiveFlow?
    public let sizes: [Int]

    public init(inputSize: Int, hidden: [Int], sizes: [Int], upperHidden: [Int], activation: Activation,
                flow: (steps: Int, hidden: Int)? = nil, rng: inout RandomSource) {
        precondition(sizes.count >= 2, "a hierarchy has at least two layers")
        self.sizes = sizes
        first = DiagonalGaussianPosterior(inputSize: inputSize, hidden: hidden, latentSize: sizes[0],
                                          activation: activation, rng: &rng)
        upper = (1..<sizes.count).map { l in
            GaussianLayer("encoder.z\(l + 1)", inputs: sizes[l - 1], hidden: upperHidden, outputs: sizes[l],
                          activation: activation, rng: &rng)
        }
        topFlow = flow.map {
            GatedAutoregressiveFlow("posterior.iaf", size: sizes.last!, steps: $0.steps, hidden: $0.hidden,
                                    context: upperHidden.last ?? sizes[sizes.count - 2],
                                    gateBias: IAFPosterior.gateBias, rng: &rng)
        }
    }

    /// The configuration's layers, with a flow of (steps, hidden) on the top one when given.
    convenience init(_ config: VAEConfig, flow: (steps: Int, hidden: Int)?, rng: inout RandomSource) {
        self.init(inputSize: config.inputSize, hidden: config.encoderHidden, sizes: config.layerSizes,
                  upperHidden: config.upperHidden, activation: config.activation, flow: flow, rng: &rng)
    }

    public var latentSize: Int { sizes.reduce(0, +) }
    public var parameters: [Parameter] { first.parameters + upper.flatMap(\.parameters) + (topFlow?.parameters ?? []) }
    public var summary: String { "Gauss×\(sizes.count)" + (topFlow.map { "+IAF×\($0.steps.count)" } ?? "") }

    /// q(z_1|x): the upper layers depend on the drawn z_1, so they come with each draw.
    public func encode(_ x: Var, on tape: Tape) -> PosteriorEncoding { first.encode(x, on: tape) }

    public func draw(_ e: PosteriorEncoding, noise: Tensor, on tape: Tape) -> (z: Var, logQUnits: Var) {
        var offset = 0
        func layerNoise(_ l: Int) -> Tensor {
            defer { offset += sizes[l] }
            return noise.columns(offset, sizes[l])
        }
        var (z, units) = GaussianLayer.draw(mean: e.mean, logVariance: e.logVariance, noise: layerNoise(0), on: tape)
        var below = z
        for (l, layer) in upper.enumerated() {
            let (mean, logVariance, h) = layer(below, on: tape)
            var (zl, ul) = GaussianLayer.draw(mean: mean, logVariance: logVariance, noise: layerNoise(l + 1), on: tape)
            if l == upper.count - 1, let topFlow {
                let (moved, logGate) = topFlow.forward(zl, context: h, on: tape)
                zl = moved
                ul = tape.sub(ul, logGate)
            }
            z = tape.concatCols(z, zl)
            units = tape.concatCols(units, ul)
            below = zl
        }
        return (z, units)
    }

    public func logDensity(_ z: Var, _ e: PosteriorEncoding, on tape: Tape) -> Var {
        var total = first.logDensity(tape.sliceCols(z, 0, sizes[0]), e, on: tape)
        var offset = 0
        for (l, layer) in upper.enumerated() {
            let below = tape.sliceCols(z, offset, sizes[l])
            offset += sizes[l]
            let (mean, logVariance, h) = layer(below, on: tape)
            var zl = tape.sliceCols(z, offset, sizes[l + 1])
            if l == upper.count - 1, let topFlow {
                let (z0, logGate) = topFlow.invertForward(zl.value, context: h.value)
                zl = Var(constant: z0)
                total = tape.sub(total, tape.sum(Var(constant: logGate), axis: 1))
            }
            total = tape.add(total,
                             tape.sum(tape.gaussianLogDensity(zl, mean: mean, logVariance: logVariance), axis: 1))
        }
        return total
    }

    public func closedFormKL(_ encoding: PosteriorEncoding, against prior: any Prior, on tape: Tape) -> Var? { nil }

    /// Without a flow the density is a pass of small MLPs, so I_q takes whole batches.
    public var hasCheapDensity: Bool { topFlow == nil }
}

/// p(z_1, …, z_L) = p(z_L) Π_l p(z_l | z_{l+1}): N(0, I) or another prior part on top (the AF prior), each
/// conditional a diagonal Gaussian from an MLP, as in the IWAE paper's two-layer model. z is the layers side
/// by side (z_1's units first).
public final class HierarchicalPrior: Prior {
    let conditionals: [GaussianLayer]   // conditionals[l]: z_{l+2} → z_{l+1}, named `prior.z1`, …
    let top: any Prior
    public let sizes: [Int]

    /// `top` is p(z_L), N(0, I) when nil.
    public init(sizes: [Int], hidden: [Int], activation: Activation, top: (any Prior)? = nil, rng: inout RandomSource) {
        precondition(sizes.count >= 2, "a hierarchy has at least two layers")
        self.sizes = sizes
        conditionals = (0..<(sizes.count - 1)).map { l in
            GaussianLayer("prior.z\(l + 1)", inputs: sizes[l + 1], hidden: hidden, outputs: sizes[l],
                          activation: activation, rng: &rng)
        }
        self.top = top ?? StandardNormalPrior(latentSize: sizes.last!)
        precondition(self.top.latentSize == sizes.last!, "the top prior takes the top layer")
    }

    public var latentSize: Int { sizes.reduce(0, +) }
    public var parameters: [Parameter] { conditionals.flatMap(\.parameters) + top.parameters }
    public var summary: String { top.summary + "→" + String(repeating: "Gauss→", count: sizes.count - 2) + "Gauss" }

    public func logDensityUnits(_ z: Var, on tape: Tape) -> Var {
        let starts = sizes.indices.map { sizes[..<$0].reduce(0, +) }
        let layers = sizes.indices.map { tape.sliceCols(z, starts[$0], sizes[$0]) }
        var units = top.logDensityUnits(layers.last!, on: tape)
        for l in stride(from: sizes.count - 2, through: 0, by: -1) {
            let (mean, logVariance, _) = conditionals[l](layers[l + 1], on: tape)
            units = tape.concatCols(tape.gaussianLogDensity(layers[l], mean: mean, logVariance: logVariance), units)
        }
        return units
    }

    /// z_L from the top prior, then each layer below from its conditional.
    public func sample(_ n: Int, rng: inout RandomSource) -> Tensor {
        let tape = Tape(recording: false)
        var above = Var(constant: top.sample(n, rng: &rng))
        var z = above
        for l in stride(from: sizes.count - 2, through: 0, by: -1) {
            let (mean, logVariance, _) = conditionals[l](above, on: tape)
            above = tape.reparameterize(mean: mean, logVariance: logVariance, noise: rng.normalTensor(n, sizes[l]))
            z = tape.concatCols(above, z)
        }
        return z.value
    }

    public var entropy: Double? { nil }
}

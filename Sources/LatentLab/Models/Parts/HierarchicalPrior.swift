/// p(z_1, …, z_L) = p(z_L) Π_l p(z_l | z_{l+1}): N(0, I) on top, each conditional a diagonal Gaussian from an
/// MLP, as in the IWAE paper's two-layer model. z is the layers side by side (z_1's units first).
public final class HierarchicalPrior: Prior {
    let conditionals: [GaussianLayer]   // conditionals[l]: z_{l+2} → z_{l+1}, named `prior.z1`, …
    public let sizes: [Int]

    public init(sizes: [Int], hidden: [Int], activation: Activation, rng: inout RandomSource) {
        precondition(sizes.count >= 2, "a hierarchy has at least two layers")
        self.sizes = sizes
        conditionals = (0..<(sizes.count - 1)).map { l in
            GaussianLayer("prior.z\(l + 1)", inputs: sizes[l + 1], hidden: hidden, outputs: sizes[l], activation: activation, rng: &rng)
        }
    }

    public var latentSize: Int { sizes.reduce(0, +) }
    public var parameters: [Parameter] { conditionals.flatMap(\.parameters) }
    public var summary: String { "N(0,I)→" + String(repeating: "Gauss→", count: sizes.count - 2) + "Gauss" }

    public func logDensityUnits(_ z: Var, on tape: Tape) -> Var {
        let starts = sizes.indices.map { sizes[..<$0].reduce(0, +) }
        let layers = sizes.indices.map { tape.sliceCols(z, starts[$0], sizes[$0]) }
        var units = tape.standardNormalLogDensity(layers.last!)
        for l in stride(from: sizes.count - 2, through: 0, by: -1) {
            let (mean, logVariance, _) = conditionals[l](layers[l + 1], on: tape)
            units = tape.concatCols(tape.gaussianLogDensity(layers[l], mean: mean, logVariance: logVariance), units)
        }
        return units
    }

    /// z_L ~ N(0, I), then each layer below from its conditional.
    public func sample(_ n: Int, rng: inout RandomSource) -> Tensor {
        let tape = Tape(recording: false)
        var above = Var(constant: rng.normalTensor(n, sizes.last!))
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

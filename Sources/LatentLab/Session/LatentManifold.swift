import Foundation

/// The decoder's mean image over a grid of z for a two-unit latent (Kingma and Welling's figure 4): the grid's
/// coordinates are the prior's quantiles Φ⁻¹((i + ½)/G) on each axis, so every image stands for an equal
/// share of the prior's mass and the q(z|x) drawn over it show how the posteriors tile the prior.
public struct LatentManifold: Sendable, Equatable {
    /// Images along each axis.
    public static let gridSize = 12

    /// z of each column, left to right; rows run the same values from the top down (the second unit falls).
    public var coordinates: [Float] = []
    /// E[x|z] of each grid point, row-major from the top left: [row · G + column][pixel].
    public var images: [[Float]] = []
    public var width = 28
    public var height = 28

    public init() {}

    public var gridSize: Int { coordinates.count }

    /// The grid under `model`, whose latent has two units and whose decoder gives E[x|z] in one pass; nil for
    /// any other (an autoregressive decoder's images are drawn pixel by pixel, not a grid of 144 per refresh).
    static func make(model: VAE, width: Int, height: Int, gridSize g: Int = gridSize) -> LatentManifold? {
        guard model.config.latentSize == 2, !model.likelihood.isAutoregressive,
              width * height == model.config.inputSize else { return nil }
        var m = LatentManifold()
        m.width = width
        m.height = height
        m.coordinates = (0..<g).map { Float(Self.quantile((Double($0) + 0.5) / Double(g))) }
        var z = Tensor(uninitialized: g * g, 2)
        for row in 0..<g {
            for column in 0..<g {
                z[row * g + column, 0] = m.coordinates[column]
                z[row * g + column, 1] = m.coordinates[g - 1 - row]
            }
        }
        let p = model.likelihood.probabilities(nil, given: Var(constant: z), on: Tape(recording: false)).value
        m.images = (0..<(g * g)).map { i in (0..<(width * height)).map { p[i, $0] } }
        return m
    }

    /// Φ(z), the standard normal's distribution function: where z falls on the grid's axis, from 0 to 1.
    public static func cdf(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// Φ⁻¹(p) by bisection on `cdf` (a dozen values per model, so exactness over speed).
    public static func quantile(_ p: Double) -> Double {
        var (low, high) = (-10.0, 10.0)
        for _ in 0..<100 {
            let mid = (low + high) / 2
            if cdf(mid) < p { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }
}

import Foundation

/// p(z) = N(0, I).
public final class StandardNormalPrior: Prior {
    public let latentSize: Int

    public init(latentSize: Int) { self.latentSize = latentSize }

    public var parameters: [Parameter] { [] }
    public var summary: String { "N(0,I)" }

    public func logDensityUnits(_ z: Var, on tape: Tape) -> Var { tape.standardNormalLogDensity(z) }

    public func sample(_ n: Int, rng: inout RandomSource) -> Tensor { rng.normalTensor(n, latentSize) }

    /// d/2 · log(2πe).
    public var entropy: Double? { Double(latentSize) / 2 * (1 + Foundation.log(2 * Double.pi)) }
}

extension StandardNormalPrior: PriorFamily {
    public static let title = "N(0,I)"
    public static func make(size: Int, _ config: VAEConfig, posterior: any Posterior,
                            rng: inout RandomSource) -> any Prior {
        StandardNormalPrior(latentSize: size)
    }
    public static func summary(_ config: VAEConfig) -> String { "" }
    public static func weightMatrixElements(size: Int, _ config: VAEConfig) -> Int { 0 }
}

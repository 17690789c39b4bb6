/// A prior p(z). A new prior is one type conforming to this.
public protocol Prior: AnyObject {
    var latentSize: Int { get }
    var parameters: [Parameter] { get }
    var summary: String { get }
    /// log p(z) of each row split over the units (n×d, summing to log p(z)), as the posterior splits log q,
    /// so that their difference is the KL of each unit.
    func logDensityUnits(_ z: Var, on tape: Tape) -> Var
    /// n draws (n×d).
    func sample(_ n: Int, rng: inout RandomSource) -> Tensor
    /// H(z) in nats where it has a closed form (the Barber–Agakov bound needs it).
    var entropy: Double? { get }
}

extension Prior {
    /// log p(z) of each row (n×1).
    public func logDensity(_ z: Var, on tape: Tape) -> Var { tape.sum(logDensityUnits(z, on: tape), axis: 1) }
}

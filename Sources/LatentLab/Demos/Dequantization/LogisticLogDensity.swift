import Foundation

extension Tape {
    /// log of the standard logistic density per element,
    /// ℓ(y) = log σ(y) + log(1 − σ(y)) = −softplus(y) − softplus(−y).
    ///
    /// Two roles in the dequantization demo, one formula: the logistic base density of the flow's noise, and
    /// the log-determinant of u = sigmoid(y), since du/dy = σ(y)(1 − σ(y)) is the same function.
    public func logisticLogDensity(_ y: Var) -> Var {
        negate(add(softplus(y), softplus(negate(y))))
    }
}

/// The same formulas in Double, for the exact evaluations.
enum Logistic {
    /// softplus(z) = log(1 + e^z) without overflow.
    @inline(__always) static func softplus(_ z: Double) -> Double { max(z, 0) + log1p(exp(-abs(z))) }

    /// ℓ(z) = −softplus(z) − softplus(−z) = −|z| − 2 log(1 + e^−|z|).
    @inline(__always) static func logDensity(_ z: Double) -> Double { -abs(z) - 2 * log1p(exp(-abs(z))) }

    @inline(__always) static func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }

    /// σ(b) − σ(a) for a ≤ b, from the tail where both are small, so it keeps its digits far out.
    @inline(__always) static func sigmoidDifference(_ a: Double, _ b: Double) -> Double {
        a > 0 ? sigmoid(-a) - sigmoid(-b) : sigmoid(b) - sigmoid(a)
    }
}

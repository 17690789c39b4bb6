import Foundation

/// A posterior family whose rate can be held above a floor by construction (δ-VAE).
public protocol MinimumRatePosterior: Posterior {
    /// δ in nats per unit; 0 is off. Read at every encoding, so a change applies at the next step.
    var minimumRate: Float { get set }
}

/// δ-VAE (Razavi et al. 2019) for a Gaussian q against N(0, 1):
/// KL = ½(μ² + σ² − 1 − ln σ²) ≥ ½(σ² − 1 − ln σ²),
/// which falls as σ rises towards 1. Holding σ² at or below the s < 1 where ½(s − 1 − ln s) = δ keeps every
/// unit's KL at least δ whatever the encoder says: the family is the interval σ ∈ (0, √s].
public enum MinimumRate {
    /// The largest variance s < 1 with ½(s − 1 − ln s) ≥ δ, by bisection (the left side falls on (0, 1)).
    public static func varianceCap(rate delta: Float) -> Double {
        precondition(delta > 0, "a positive rate")
        let target = 2 * Double(delta)
        var low = 1e-30, high = 1.0
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if mid - 1 - log(mid) >= target { low = mid } else { high = mid }
        }
        return low
    }

    /// logvar ↦ c − softplus(c − logvar) with c = ln s: smooth, increasing, equal to logvar far below c and
    /// never above it.
    static func capped(_ logVariance: Var, rate delta: Float, on tape: Tape) -> Var {
        let c = Float(log(varianceCap(rate: delta)))
        return tape.addScalar(tape.negate(tape.softplus(tape.addScalar(tape.negate(logVariance), c))), c)
    }
}

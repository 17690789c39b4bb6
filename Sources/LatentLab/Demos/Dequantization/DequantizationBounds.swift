import Foundation

/// The per-cell quantities of docs/THEORY.md section 4 by the midpoint rule on a cell's m×m sub-grid, in nats.
/// Each takes log-densities at the sub-cell centres u_s (one cell's block of a cell-major array), so any
/// density can be scored: the model's, a hand-built one, or q set to the exact p(u|x).
///
/// Everything is exact for the discretised cell (p and q as m² equal-area pieces), so the inequalities hold
/// exactly, not only up to quadrature error: log P(x) ≥ either bound, and log P(x) − bound_q = KL(q ‖ p(u|x)).
public enum DequantizationBounds {
    /// log P(x) = log ∫ p(x + u) du ≈ log (1/m²) Σ_s p(x + u_s).
    public static func logCellProbability(_ logDensity: ArraySlice<Double>) -> Double {
        logMeanExp(logDensity)
    }

    /// The uniform dequantization bound E_{u~U} log p(x + u) ≈ (1/m²) Σ_s log p(x + u_s).
    public static func uniformBound(_ logDensity: ArraySlice<Double>) -> Double {
        logDensity.reduce(0, +) / Double(logDensity.count)
    }

    /// The variational bound E_q[log p(x + u) − log q(u|x)] with q given by its log-density at the sub-cell
    /// centres. q is renormalised on the sub-grid, Q_s = q_s / Σ q, as a density m²·Q_s on the cell: then the
    /// bound is Σ_s Q_s (log p_s − log(m² Q_s)). Sub-cells where q is 0 add nothing.
    public static func variationalBound(logDensity: ArraySlice<Double>, logQ: ArraySlice<Double>) -> Double {
        precondition(logDensity.count == logQ.count, "p and q on different grids")
        let logNormaliser = logMeanExp(logQ)  // log((1/m²) Σ q), so log(m² Q_s) = log q_s − this
        var bound = 0.0
        for (lp, lq) in zip(logDensity, logQ) where lq > -.infinity {
            let logDensityQ = lq - logNormaliser
            bound += Foundation.exp(logDensityQ) * (lp - logDensityQ)
        }
        return bound / Double(logQ.count)
    }

    /// KL(q(u|x) ‖ p(u|x)) directly, with p(u|x) = p(x + u) / P(x) and q renormalised as in `variationalBound`:
    /// Σ_s Q_s log(Q_s / P_s), P_s = p_s / Σ p. It equals log P(x) − the variational bound.
    public static func divergence(logQ: ArraySlice<Double>, logDensity: ArraySlice<Double>) -> Double {
        precondition(logDensity.count == logQ.count, "p and q on different grids")
        let logQNormaliser = logMeanExp(logQ), logPNormaliser = logMeanExp(logDensity)
        var kl = 0.0
        for (lp, lq) in zip(logDensity, logQ) where lq > -.infinity {
            let q = lq - logQNormaliser, p = lp - logPNormaliser
            kl += Foundation.exp(q) * (q - p)
        }
        return kl / Double(logQ.count)
    }

    /// log (1/n) Σ e^{a_i}, max-subtracted.
    static func logMeanExp(_ a: ArraySlice<Double>) -> Double {
        guard let top = a.max(), top > -.infinity else { return -.infinity }
        guard top < .infinity else { return .infinity }
        return top + Foundation.log(a.reduce(0) { $0 + Foundation.exp($1 - top) } / Double(a.count))
    }

    /// nats per example of 2-D data → bits per dimension.
    public static func bitsPerDimension(nats: Double) -> Double { nats / (2 * M_LN2) }
}

import Foundation

/// log Σ exp(v), max-subtracted; −∞ for an empty or all −∞ input. The demos' exact sums are in Double.
func logSumExp(_ v: [Double]) -> Double {
    guard let m = v.max(), m > -.infinity else { return -.infinity }
    return m + log(v.reduce(0) { $0 + exp($1 - m) })
}

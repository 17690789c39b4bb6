/// Loops over contiguous buffers, kept free of calls and allocations so the compiler vectorises them.
public enum Kernels {
    /// out[j] (+)= Σ_i x[i, j].
    @inlinable public static func columnSums(_ x: UnsafePointer<Float>, rows: Int, cols: Int,
                                             into out: UnsafeMutablePointer<Float>, accumulate: Bool) {
        if !accumulate { out.update(repeating: 0, count: cols) }
        for r in 0..<rows {
            let row = x + r * cols
            for c in 0..<cols { out[c] += row[c] }
        }
    }

    /// out[i] (+)= Σ_j x[i, j].
    @inlinable public static func rowSums(_ x: UnsafePointer<Float>, rows: Int, cols: Int,
                                          into out: UnsafeMutablePointer<Float>, accumulate: Bool) {
        for r in 0..<rows {
            let row = x + r * cols
            var s: Float = 0
            for c in 0..<cols { s += row[c] }
            out[r] = accumulate ? out[r] + s : s
        }
    }

    /// log Σ_j exp(x[i, j]) for each row, with the row maximum subtracted first.
    @inlinable public static func rowLogSumExp(_ x: UnsafePointer<Float>, rows: Int, cols: Int,
                                               into out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let row = x + r * cols
            var m = -Float.infinity
            for c in 0..<cols { m = max(m, row[c]) }
            if !m.isFinite { out[r] = m == -.infinity ? -.infinity : m; continue }
            var s: Float = 0
            for c in 0..<cols { s += FastMath.exp(row[c] - m) }
            out[r] = m + FastMath.log(s)
        }
    }
}

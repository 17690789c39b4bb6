/// Scalar Float32 exp and log for the engine's Swift loops (log-sum-exp, random numbers): Cephes
/// polynomials as in VectorKernels.c, so Swift and C agree. Relative error about 2e-7.
///
/// Edge cases follow libm: exp underflows to 0 below -87.3 and overflows to +inf above 88.7;
/// log(0) = -inf, log of a negative number or NaN is NaN, log(+inf) = +inf.
public enum FastMath {
    @inlinable @inline(__always)
    public static func exp(_ xIn: Float) -> Float {
        let x = Swift.min(Swift.max(xIn, -87.33654), 88.72283)
        // n = round(x / ln 2) by the 1.5·2^23 trick (no floor call, which SSE2 lacks), then
        // e^x = 2^n · e^r with |r| <= ln2 / 2.
        let shifted = x * 1.442695041 + 12_582_912
        let fx = shifted - 12_582_912
        let r = x - fx * 0.693359375 + fx * 2.12194440e-4
        let r2 = r * r
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let y = p * r2 + r + 1
        // The low mantissa bits of `shifted` hold n; n = 128 (only at the very top of the range)
        // would overflow the exponent field, so it is applied as 2^127 · 2.
        let n = Int32(bitPattern: shifted.bitPattern &- 0x4B40_0000)
        let top = n > 127
        var out = y * Float(bitPattern: UInt32(bitPattern: ((top ? 127 : n) &+ 127) &<< 23))
        out = top ? out * 2 : out
        out = xIn > 88.72283 ? .infinity : out
        out = xIn < -87.33654 ? 0 : out
        return xIn.isNaN ? xIn : out
    }

    @inlinable @inline(__always)
    public static func log(_ xIn: Float) -> Float {
        let bits = xIn.bitPattern
        // Normal numbers only; subnormals are flushed towards the smallest normal (error < 1e-38 absolute in x).
        let xn = Swift.max(xIn, Float.leastNormalMagnitude)
        let nb = xn.bitPattern
        var e = Float(Int32(truncatingIfNeeded: (nb &>> 23) & 0xFF) &- 126)
        var m = Float(bitPattern: (nb & 0x007F_FFFF) | 0x3F00_0000)  // mantissa in [0.5, 1)
        let small = m < 0.707106781186547524
        e = small ? e - 1 : e
        m = small ? m + m - 1 : m - 1
        let z = m * m
        var y: Float = 7.0376836292e-2
        y = y * m - 1.1514610310e-1
        y = y * m + 1.1676998740e-1
        y = y * m - 1.2420140846e-1
        y = y * m + 1.4249322787e-1
        y = y * m - 1.6668057665e-1
        y = y * m + 2.0000714765e-1
        y = y * m - 2.4999993993e-1
        y = y * m + 3.3333331174e-1
        y = y * m * z
        y = y - 2.12194440e-4 * e
        y = y - 0.5 * z
        var out = m + y + 0.693359375 * e
        out = xIn == 0 ? -.infinity : out
        out = bits == Float.infinity.bitPattern ? .infinity : out
        out = (xIn < 0 || xIn.isNaN) ? .nan : out
        return out
    }
}

import Foundation

/// A seeded xoshiro256** generator: the same seed repeats a run exactly.
///
/// Every random draw in the engine (initialisation, batches, binarisation, reparameterisation
/// noise) comes from one of these, so runs are reproducible on any machine.
public struct RandomSource: RandomNumberGenerator, Sendable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        // SplitMix64 spreads the seed over the 256-bit state, as the xoshiro authors recommend.
        var x = seed
        func next() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = next(); s1 = next(); s2 = next(); s3 = next()
    }

    @inlinable public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inlinable func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 24 random bits.
    @inlinable public mutating func uniform() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// 1 with probability p, else 0.
    @inlinable public mutating func bernoulli(_ p: Float) -> Float {
        uniform() < p ? 1 : 0
    }

    /// Standard normal draw.
    public mutating func normal() -> Float {
        var pair: (Float, Float) = (0, 0)
        withUnsafeMutableBytes(of: &pair) { fillNormal($0.baseAddress!.assumingMemoryBound(to: Float.self), count: 2) }
        return pair.0
    }

    /// Fills `count` floats with standard normal draws (Box–Muller, two per pair of uniforms).
    public mutating func fillNormal(_ p: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i < count {
            let bits = next()
            // u1 in (0, 1] so the log is finite; u2 in [0, 1).
            let u1 = Float((bits >> 40) + 1) * 0x1p-24
            let u2 = Float((bits >> 16) & 0xFF_FFFF) * 0x1p-24
            let radius = (-2 * FastMath.log(u1)).squareRoot()
            let angle = 2 * Float.pi * u2
            p[i] = radius * Foundation.cos(angle)
            if i + 1 < count { p[i + 1] = radius * Foundation.sin(angle) }
            i += 2
        }
    }

    /// Fills `count` floats with uniform draws in [0, 1).
    public mutating func fillUniform(_ p: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { p[i] = uniform() }
    }

    /// A tensor of standard normal draws.
    public mutating func normalTensor(_ rows: Int, _ cols: Int) -> Tensor {
        var t = Tensor(uninitialized: rows, cols)
        t.withMutablePointer { fillNormal($0, count: rows * cols) }
        return t
    }

    /// A tensor of uniform draws in [lower, upper).
    public mutating func uniformTensor(_ rows: Int, _ cols: Int, lower: Float = 0, upper: Float = 1) -> Tensor {
        var t = Tensor(uninitialized: rows, cols)
        t.withMutablePointer { p in
            for i in 0..<(rows * cols) { p[i] = lower + (upper - lower) * uniform() }
        }
        return t
    }

    /// A uniformly random permutation of 0..<n (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var a = Array(0..<n)
        if n < 2 { return a }
        for i in stride(from: n - 1, to: 0, by: -1) {
            let j = Int(next() % UInt64(i + 1))
            a.swapAt(i, j)
        }
        return a
    }
}

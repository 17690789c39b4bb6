import CKernels
import Foundation

/// A seeded xoshiro256** generator: the same seed repeats a run exactly.
///
/// Every random draw in the engine (initialisation, batches, reparameterisation noise) comes from one of
/// these, so runs are reproducible on any machine; a batch's binarisation is keyed by one number from it.
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

    /// The generator's whole state, to save a run and continue it exactly.
    public var state: [UInt64] {
        get { [s0, s1, s2, s3] }
        set {
            precondition(newValue.count == 4, "a xoshiro256** state is four words")
            (s0, s1, s2, s3) = (newValue[0], newValue[1], newValue[2], newValue[3])
        }
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

    /// Fills `count` floats with standard normal draws: Box–Muller on 64 random bits per pair,
    /// vectorised in VectorKernels.c.
    public mutating func fillNormal(_ p: UnsafeMutablePointer<Float>, count: Int) {
        let pairs = (count + 1) / 2
        var bits = [UInt64](repeating: 0, count: pairs)
        for i in 0..<pairs { bits[i] = next() }
        if count % 2 == 0 {
            vk_normals_from_bits(bits, p, pairs)
        } else {
            var scratch = [Float](repeating: 0, count: 2 * pairs)
            vk_normals_from_bits(bits, &scratch, pairs)
            p.update(from: scratch, count: count)
        }
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

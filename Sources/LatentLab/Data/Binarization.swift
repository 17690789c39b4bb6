/// Binary images as the Bernoulli decoder sees them: each pixel 0 or 1.
public struct BinaryImages: Sendable {
    public let count: Int
    public let dimension: Int
    /// count × dimension bytes, each 0 or 1.
    public let bits: [UInt8]
    public let labels: [UInt8]

    /// Binarises once with a fixed seed (test images for the NLL estimate): pixel on with probability p/255.
    public init(fixed data: ImageDataset, seed: UInt64) {
        var rng = RandomSource(seed: seed)
        count = data.count
        dimension = data.dimension
        labels = data.labels
        bits = data.pixels.map { rng.uniform() * 255 < Float($0) ? 1 : 0 }
    }

    /// Rows `range` as a Float tensor.
    public func batch(_ range: Range<Int>) -> Tensor {
        var t = Tensor(uninitialized: range.count, dimension)
        let d = dimension
        bits.withUnsafeBufferPointer { b in
            t.withMutablePointer { p in
                for i in 0..<(range.count * d) { p[i] = Float(b[range.lowerBound * d + i]) }
            }
        }
        return t
    }
}

extension ImageDataset {
    /// Dynamic binarisation (a fresh Bernoulli draw per batch): images at `indices`, pixel on with probability p/255.
    public func binarizedBatch(_ indices: ArraySlice<Int>, rng: inout RandomSource) -> Tensor {
        let d = dimension
        var t = Tensor(uninitialized: indices.count, d)
        pixels.withUnsafeBufferPointer { px in
            t.withMutablePointer { p in
                for (row, index) in indices.enumerated() {
                    let src = px.baseAddress! + index * d, dst = p + row * d
                    for j in 0..<d { dst[j] = rng.uniform() * 255 < Float(src[j]) ? 1 : 0 }
                }
            }
        }
        return t
    }
}

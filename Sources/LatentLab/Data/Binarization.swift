import CKernels

/// Binary images as the Bernoulli decoder sees them: each pixel 0 or 1, held eight to a byte (the test and
/// validation sets are 10,000 images each: 1 MB each packed, 8 MB as a byte per pixel).
public struct BinaryImages: Sendable {
    public let count: Int
    public let dimension: Int
    /// Pixel i of the images laid end to end is bit i % 8 of byte i / 8.
    private let packed: [UInt8]
    public let labels: [UInt8]

    /// Binarises once with a fixed seed (test images for the NLL estimate): pixel on with probability p/255.
    public init(fixed data: ImageDataset, seed: UInt64) {
        var rng = RandomSource(seed: seed)
        count = data.count
        dimension = data.dimension
        labels = data.labels
        var packed = [UInt8](repeating: 0, count: (data.pixels.count + 7) / 8)
        for (i, grey) in data.pixels.enumerated() where rng.uniform() * 255 < Float(grey) {
            packed[i >> 3] |= 1 << UInt8(i & 7)
        }
        self.packed = packed
    }

    /// Rows `range` as a Float tensor.
    public func batch(_ range: Range<Int>) -> Tensor {
        var t = Tensor(uninitialized: range.count, dimension)
        let first = range.lowerBound * dimension
        packed.withUnsafeBufferPointer { b in
            t.withMutablePointer { p in
                for i in 0..<(range.count * dimension) {
                    let bit = first + i
                    p[i] = Float((b[bit >> 3] >> UInt8(bit & 7)) & 1)
                }
            }
        }
        return t
    }
}

extension ImageDataset {
    /// Dynamic binarisation (a fresh Bernoulli draw per batch): images at `indices`, pixel on with probability p/255.
    /// One number from `rng` keys the batch; pixel j of row r then takes SplitMix64's number r·d + j + 1 for that
    /// key (`vk_binarize`), so the draw vectorises and its result never depends on how the rows are cut.
    public func binarizedBatch(_ indices: ArraySlice<Int>, rng: inout RandomSource) -> Tensor {
        let d = dimension, key = rng.next()
        var t = Tensor(uninitialized: indices.count, d)
        pixels.withUnsafeBufferPointer { px in
            t.withMutablePointer { p in
                for (row, index) in indices.enumerated() {
                    vk_binarize(px.baseAddress! + index * d, p + row * d, d, key, UInt64(row * d))
                }
            }
        }
        return t
    }
}

/// Masked weights: an autoregressive layer's weight times its constant 0/1 mask.
extension Tape {
    /// [W₁ ⊙ M₁; W₂ ⊙ M₂; …]: each weight times its mask, stacked by rows in one buffer. Each weight's gradient
    /// is its block of the output's gradient times its mask, written straight into the weight's slot. The
    /// same values as `mul` then `concatRows`, without their copies: those hold every masked weight and its
    /// gradient twice more during a step (12 MB for the MADE decoder's output layer).
    public func maskedRows(_ parts: [(weight: Var, mask: Mask)]) -> Var {
        precondition(!parts.isEmpty, "maskedRows needs a weight")
        let cols = parts[0].weight.cols
        precondition(parts.allSatisfy {
            $0.weight.rows == $0.mask.rows && $0.weight.cols == cols && $0.mask.cols == cols
        },
                     "maskedRows needs masks of their weights' shapes and weights of equal columns")
        var out = Tensor(uninitialized: parts.reduce(0) { $0 + $1.weight.rows }, cols)
        var offsets: [Int] = []
        out.withMutablePointer { op in
            var offset = 0
            for (weight, mask) in parts {
                offsets.append(offset)
                let n = weight.value.count
                weight.value.withPointer { w in mask.entries.withUnsafeBufferPointer { m in
                    for i in 0..<n { op[offset + i] = w[i] * Float(m[i]) }
                } }
                offset += n
            }
        }
        return record(out, inputs: parts.map(\.weight)) { tape, g in
            g.withPointer { gp in
                for ((weight, mask), offset) in zip(parts, offsets) {
                    let n = weight.value.count
                    mask.entries.withUnsafeBufferPointer { m in
                        tape.accumulate(weight) { d, fresh in
                            if fresh {
                                for i in 0..<n { d[i] = gp[offset + i] * Float(m[i]) }
                            } else {
                                for i in 0..<n { d[i] += gp[offset + i] * Float(m[i]) }
                            }
                        }
                    }
                }
            }
        }
    }
}

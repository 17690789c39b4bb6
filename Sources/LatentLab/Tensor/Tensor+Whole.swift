/// Operations on whole tensors outside the tape: copies, means and sums for reports and bookkeeping.
extension Tensor {
    /// A deep copy that shares no storage.
    public func copied() -> Tensor {
        var t = Tensor(uninitialized: rows, cols)
        withPointer { src in t.withMutablePointer { $0.update(from: src, count: count) } }
        return t
    }

    /// Mean of all elements (in Double, for reporting).
    public func mean() -> Float {
        withPointer { p in
            var s: Double = 0
            for i in 0..<count { s += Double(p[i]) }
            return Float(s / Double(Swift.max(count, 1)))
        }
    }

    /// Mean over rows of each row's sum.
    public func rowSumsMean() -> Float { mean() * Float(cols) }

    /// Elementwise sum of two tensors of one shape.
    public func adding(_ other: Tensor) -> Tensor {
        precondition(rows == other.rows && cols == other.cols, "adding \(shape) and \(other.shape)")
        var out = Tensor(uninitialized: rows, cols)
        let n = count
        withPointer { a in
            other.withPointer { b in out.withMutablePointer { o in for i in 0..<n { o[i] = a[i] + b[i] } } }
        }
        return out
    }
}

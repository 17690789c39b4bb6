/// A 0/1 connection mask over a weight's entries, a byte each: a quarter of a Float tensor's memory (the MADE
/// decoder's three masks are 5.6 MB as Floats, 1.4 MB as bytes).
public struct Mask: Sendable {
    public let rows: Int
    public let cols: Int
    /// Row-major, each 0 or 1.
    let entries: [UInt8]

    /// M[i, j] = 1 where `connected(rowKeys[i], colKeys[j])`: a MADE's degrees.
    init(rows rowKeys: [Int], cols colKeys: [Int], _ connected: (Int, Int) -> Bool) {
        rows = rowKeys.count
        cols = colKeys.count
        entries = rowKeys.flatMap { a in colKeys.map { connected(a, $0) ? 1 : 0 } }
    }

    /// W ⊙ M off the tape: the masked weight a sampler reads.
    public func applied(to weight: Tensor) -> Tensor {
        precondition(weight.rows == rows && weight.cols == cols, "a \(rows)x\(cols) mask on a \(weight.shape) weight")
        var out = Tensor(uninitialized: rows, cols)
        weight.withPointer { w in out.withMutablePointer { o in
            for i in 0..<(rows * cols) { o[i] = w[i] * Float(entries[i]) }
        } }
        return out
    }
}

/// add, sub, mul, div with broadcasting: either side may be r×c, 1×c (a row over the batch),
/// r×1 (a column over features) or 1×1. Gradients are summed back over the broadcast axes.
extension Tape {
    public func add(_ a: Var, _ b: Var) -> Var { binary(a, b, { $0 + $1 }, da: { _, _ in 1 }, db: { _, _ in 1 }) }
    public func sub(_ a: Var, _ b: Var) -> Var { binary(a, b, { $0 - $1 }, da: { _, _ in 1 }, db: { _, _ in -1 }) }
    public func mul(_ a: Var, _ b: Var) -> Var { binary(a, b, { $0 * $1 }, da: { _, b in b }, db: { a, _ in a }) }
    public func div(_ a: Var, _ b: Var) -> Var { binary(a, b, { $0 / $1 }, da: { _, b in 1 / b }, db: { a, b in -a / (b * b) }) }

    @inline(__always)
    func binary(_ a: Var, _ b: Var, _ f: (Float, Float) -> Float,
                da: @escaping (Float, Float) -> Float, db: @escaping (Float, Float) -> Float) -> Var {
        let shape = Broadcast(a.value, b.value)
        var out = Tensor(uninitialized: shape.rows, shape.cols)
        a.value.withPointer { ap in b.value.withPointer { bp in out.withMutablePointer { op in
            if shape.same {
                for i in 0..<(shape.rows * shape.cols) { op[i] = f(ap[i], bp[i]) }
            } else {
                shape.forEach { o, ia, ib in op[o] = f(ap[ia], bp[ib]) }
            }
        } } }
        return record(out, inputs: [a, b]) { tape, g in
            for (side, partial) in [(a, da), (b, db)] where side.needsGrad {
                // Local gradient at full output shape, then summed down to the side's own shape.
                var local = Tensor(uninitialized: shape.rows, shape.cols)
                a.value.withPointer { ap in b.value.withPointer { bp in g.withPointer { gp in local.withMutablePointer { lp in
                    shape.forEach { o, ia, ib in lp[o] = gp[o] * partial(ap[ia], bp[ib]) }
                } } } }
                tape.accumulate(side, adding: local.summed(toRows: side.rows, cols: side.cols))
            }
        }
    }
}

/// Index arithmetic for a broadcast binary op.
struct Broadcast {
    let rows, cols: Int
    let aRows, aCols, bRows, bCols: Int
    var same: Bool { aRows == bRows && aCols == bCols }

    init(_ a: Tensor, _ b: Tensor) {
        func fits(_ n: Int, _ m: Int) -> Bool { n == m || n == 1 || m == 1 }
        precondition(fits(a.rows, b.rows) && fits(a.cols, b.cols), "cannot broadcast \(a.shape) with \(b.shape)")
        rows = max(a.rows, b.rows)
        cols = max(a.cols, b.cols)
        (aRows, aCols, bRows, bCols) = (a.rows, a.cols, b.rows, b.cols)
    }

    /// Calls body(output index, a index, b index) for every output element.
    @inline(__always) func forEach(_ body: (Int, Int, Int) -> Void) {
        for r in 0..<rows {
            let ar = aRows == 1 ? 0 : r * aCols, br = bRows == 1 ? 0 : r * bCols
            for c in 0..<cols {
                body(r * cols + c, ar + (aCols == 1 ? 0 : c), br + (bCols == 1 ? 0 : c))
            }
        }
    }
}

extension Tensor {
    /// Sums a broadcast result back down to `rows`×`cols` (each 1 or equal to this tensor's size).
    func summed(toRows newRows: Int, cols newCols: Int) -> Tensor {
        if newRows == rows && newCols == cols { return self }
        var out = Tensor(zeros: newRows, newCols)
        withPointer { p in out.withMutablePointer { o in
            for r in 0..<rows {
                let orow = newRows == 1 ? 0 : r * newCols
                for c in 0..<cols { o[orow + (newCols == 1 ? 0 : c)] += p[r * cols + c] }
            }
        } }
        return out
    }
}

/// add, sub, mul, div with broadcasting: either side may be r×c, 1×c (a row over the batch),
/// r×1 (a column over features) or 1×1. Gradients are summed back over the broadcast axes.
extension Tape {
    public func add(_ a: Var, _ b: Var) -> Var { binary(a, b, .add) }
    public func sub(_ a: Var, _ b: Var) -> Var { binary(a, b, .sub) }
    public func mul(_ a: Var, _ b: Var) -> Var { binary(a, b, .mul) }
    public func div(_ a: Var, _ b: Var) -> Var { binary(a, b, .div) }

    enum BinaryOp {
        case add, sub, mul, div

        /// ∂(a op b)/∂a and ∂(a op b)/∂b.
        @inline(__always) func partials(_ a: Float, _ b: Float) -> (Float, Float) {
            switch self {
            case .add: (1, 1)
            case .sub: (1, -1)
            case .mul: (b, a)
            case .div: (1 / b, -a / (b * b))
            }
        }
    }

    func binary(_ a: Var, _ b: Var, _ op: BinaryOp) -> Var {
        let shape = Broadcast(a.value, b.value)
        var out = Tensor(uninitialized: shape.rows, shape.cols)
        a.value.withPointer { ap in b.value.withPointer { bp in out.withMutablePointer { op2 in
            // The op is switched on once per loop, so each loop is a plain vectorisable one.
            switch op {
            case .add: shape.map(ap, bp, op2) { $0 + $1 }
            case .sub: shape.map(ap, bp, op2) { $0 - $1 }
            case .mul: shape.map(ap, bp, op2) { $0 * $1 }
            case .div: shape.map(ap, bp, op2) { $0 / $1 }
            }
        } } }
        return record(out, inputs: [a, b]) { tape, g in
            // An added side's gradient is g itself where no axis was broadcast: copied, never shared,
            // since either side's buffer may be added to in place later.
            if op == .add && shape.same {
                let n = g.count
                for side in [a, b] {
                    tape.accumulate(side) { d, fresh in
                        g.withPointer { gp in
                            if fresh { d.update(from: gp, count: n) } else { for i in 0..<n { d[i] += gp[i] } }
                        }
                    }
                }
                return
            }
            for (index, side) in [a, b].enumerated() where side.needsGrad {
                // Local gradient at full output shape, then summed down to the side's own shape.
                var local = Tensor(uninitialized: shape.rows, shape.cols)
                a.value.withPointer { ap in b.value.withPointer { bp in
                g.withPointer { gp in local.withMutablePointer { lp in
                    if index == 0 {
                        shape.map(ap, bp, lp, gradient: gp) { op.partials($0, $1).0 }
                    } else {
                        shape.map(ap, bp, lp, gradient: gp) { op.partials($0, $1).1 }
                    }
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

    /// out[o] = f(a[ia], b[ib]) (times gradient[o] when given) over every output element, with a
    /// straight loop when nothing is broadcast.
    @inline(__always)
    func map(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
             gradient: UnsafePointer<Float>? = nil, _ f: (Float, Float) -> Float) {
        if same {
            let n = rows * cols
            if let gradient { for i in 0..<n { out[i] = gradient[i] * f(a[i], b[i]) } }
            else { for i in 0..<n { out[i] = f(a[i], b[i]) } }
            return
        }
        for r in 0..<rows {
            let ar = aRows == 1 ? 0 : r * aCols, br = bRows == 1 ? 0 : r * bCols
            for c in 0..<cols {
                let o = r * cols + c
                let v = f(a[ar + (aCols == 1 ? 0 : c)], b[br + (bCols == 1 ? 0 : c)])
                out[o] = gradient.map { $0[o] * v } ?? v
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

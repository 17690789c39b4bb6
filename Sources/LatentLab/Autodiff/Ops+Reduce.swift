/// Reductions over an axis: 0 sums down the rows (r×c → 1×c), 1 across the columns (r×c → r×1).
extension Tape {
    public func sum(_ x: Var, axis: Int) -> Var {
        precondition(axis == 0 || axis == 1, "axis must be 0 or 1")
        let r = x.rows, c = x.cols
        var out = Tensor(uninitialized: axis == 0 ? 1 : r, axis == 0 ? c : 1)
        x.value.withPointer { xp in out.withMutablePointer { op in
            if axis == 0 { Kernels.columnSums(xp, rows: r, cols: c, into: op, accumulate: false) }
            else { Kernels.rowSums(xp, rows: r, cols: c, into: op, accumulate: false) }
        } }
        return record(out, inputs: [x]) { tape, g in
            tape.accumulate(x) { dx, fresh in
                g.withPointer { gp in
                    for i in 0..<r {
                        for j in 0..<c {
                            let v = gp[axis == 0 ? j : i]
                            dx[i * c + j] = fresh ? v : dx[i * c + j] + v
                        }
                    }
                }
            }
        }
    }

    /// Sum of every element, 1×1.
    public func sum(_ x: Var) -> Var { sum(sum(x, axis: 1), axis: 0) }

    public func mean(_ x: Var, axis: Int) -> Var {
        scale(sum(x, axis: axis), by: 1 / Float(axis == 0 ? x.rows : x.cols))
    }

    /// Mean of every element, 1×1.
    public func mean(_ x: Var) -> Var { scale(sum(x), by: 1 / Float(x.value.count)) }

    /// log Σ exp over an axis, max-subtracted. Its gradient is the softmax over that axis:
    /// for the IWAE bound these are the normalised importance weights, constants in the backward pass.
    public func logSumExp(_ x: Var, axis: Int) -> Var {
        precondition(axis == 0 || axis == 1, "axis must be 0 or 1")
        // Axis 0 is computed on the transpose so the kernel always runs along contiguous rows.
        let rowsView = axis == 1 ? x.value : x.value.transposed()
        var out = Tensor(uninitialized: rowsView.rows, 1)
        rowsView.withPointer { xp in out.withMutablePointer { op in
            Kernels.rowLogSumExp(xp, rows: rowsView.rows, cols: rowsView.cols, into: op)
        } }
        let lse = out
        if axis == 0 { out = out.reshaped(1, out.rows) }
        return record(out, inputs: [x]) { tape, g in
            let (r, c) = (x.rows, x.cols)
            tape.accumulate(x) { dx, fresh in
                x.value.withPointer { xp in g.withPointer { gp in lse.withPointer { lp in
                    for i in 0..<r {
                        for j in 0..<c {
                            let k = axis == 1 ? i : j  // index of the reduced line
                            let w = lp[k].isFinite ? FastMath.exp(xp[i * c + j] - lp[k]) : 0
                            let v = gp[k] * w
                            dx[i * c + j] = fresh ? v : dx[i * c + j] + v
                        }
                    }
                } } }
            }
        }
    }
}

extension Tensor {
    /// A transposed copy.
    public func transposed() -> Tensor {
        var out = Tensor(uninitialized: cols, rows)
        let (r, c) = (rows, cols)
        withPointer { p in out.withMutablePointer { o in
            for i in 0..<r { for j in 0..<c { o[j * r + i] = p[i * c + j] } }
        } }
        return out
    }
}

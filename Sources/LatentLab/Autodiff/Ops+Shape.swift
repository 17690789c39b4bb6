/// Reshapes, slices, concatenations and tiling: data movement whose gradients are the reverse movement.
extension Tape {
    public func reshape(_ x: Var, _ rows: Int, _ cols: Int) -> Var {
        let out = x.value.reshaped(rows, cols)
        return record(out, inputs: [x]) { tape, g in
            tape.accumulate(x, adding: g.reshaped(x.rows, x.cols))
        }
    }

    /// Columns start..<start+count.
    public func sliceCols(_ x: Var, _ start: Int, _ count: Int) -> Var {
        precondition(start >= 0 && start + count <= x.cols, "column slice out of range")
        let out = x.value.columns(start, count)
        return record(out, inputs: [x]) { tape, g in
            let (r, c) = (x.rows, x.cols)
            tape.accumulate(x) { dx, fresh in
                if fresh { dx.update(repeating: 0, count: r * c) }
                g.withPointer { gp in
                    for i in 0..<r { for j in 0..<count { dx[i * c + start + j] += gp[i * count + j] } }
                }
            }
        }
    }

    /// Rows start..<start+count.
    public func sliceRows(_ x: Var, _ start: Int, _ count: Int) -> Var {
        precondition(start >= 0 && start + count <= x.rows, "row slice out of range")
        let out = x.value.rowBlock(start, count)
        return record(out, inputs: [x]) { tape, g in
            let c = x.cols
            tape.accumulate(x) { dx, fresh in
                if fresh { dx.update(repeating: 0, count: x.rows * c) }
                g.withPointer { gp in for i in 0..<(count * c) { dx[start * c + i] += gp[i] } }
            }
        }
    }

    /// Side by side: [a b].
    public func concatCols(_ a: Var, _ b: Var) -> Var {
        precondition(a.rows == b.rows, "concatCols needs equal rows")
        let (r, ca, cb) = (a.rows, a.cols, b.cols)
        var out = Tensor(uninitialized: r, ca + cb)
        a.value.withPointer { ap in b.value.withPointer { bp in out.withMutablePointer { op in
            for i in 0..<r {
                (op + i * (ca + cb)).update(from: ap + i * ca, count: ca)
                (op + i * (ca + cb) + ca).update(from: bp + i * cb, count: cb)
            }
        } } }
        return record(out, inputs: [a, b]) { tape, g in
            tape.accumulate(a, adding: g.columns(0, ca))
            tape.accumulate(b, adding: g.columns(ca, cb))
        }
    }

    /// One above the other.
    public func concatRows(_ a: Var, _ b: Var) -> Var {
        precondition(a.cols == b.cols, "concatRows needs equal columns")
        var out = Tensor(uninitialized: a.rows + b.rows, a.cols)
        out.withMutablePointer { op in
            a.value.withPointer { op.update(from: $0, count: a.value.count) }
            b.value.withPointer { (op + a.value.count).update(from: $0, count: b.value.count) }
        }
        return record(out, inputs: [a, b]) { tape, g in
            tape.accumulate(a, adding: g.rowBlock(0, a.rows))
            tape.accumulate(b, adding: g.rowBlock(a.rows, b.rows))
        }
    }

    /// The whole matrix stacked `times` times: B×d → (times·B)×d, as k samples of a batch are laid out.
    public func tileRows(_ x: Var, _ times: Int) -> Var {
        let out = x.value.tiledRows(times)
        return record(out, inputs: [x]) { tape, g in
            let n = x.value.count
            tape.accumulate(x) { dx, fresh in
                g.withPointer { gp in
                    for t in 0..<times {
                        let block = gp + t * n
                        if fresh && t == 0 {
                            dx.update(from: block, count: n)
                        } else {
                            for i in 0..<n { dx[i] += block[i] }
                        }
                    }
                }
            }
        }
    }
}

extension Tensor {
    /// Columns start..<start+count, copied.
    public func columns(_ start: Int, _ count: Int) -> Tensor {
        var out = Tensor(uninitialized: rows, count)
        let c = cols
        withPointer { p in out.withMutablePointer { o in
            for i in 0..<rows { (o + i * count).update(from: p + i * c + start, count: count) }
        } }
        return out
    }

    /// Rows start..<start+count, copied.
    public func rowBlock(_ start: Int, _ count: Int) -> Tensor {
        var out = Tensor(uninitialized: count, cols)
        withPointer { p in out.withMutablePointer { $0.update(from: p + start * cols, count: count * cols) } }
        return out
    }

    /// Examples start..<start+count of every sample in a sample-major k·batch-row tensor, still sample-major.
    public func sampleRows(_ start: Int, _ count: Int, batch: Int) -> Tensor {
        let k = rows / batch
        var out = Tensor(uninitialized: k * count, cols)
        withPointer { p in out.withMutablePointer { o in
            for s in 0..<k { (o + s * count * cols).update(from: p + (s * batch + start) * cols, count: count * cols) }
        } }
        return out
    }

    /// The matrix stacked `times` times vertically.
    public func tiledRows(_ times: Int) -> Tensor {
        var out = Tensor(uninitialized: rows * times, cols)
        let n = count
        withPointer { p in
            out.withMutablePointer { o in for t in 0..<times { (o + t * n).update(from: p, count: n) } }
        }
        return out
    }
}

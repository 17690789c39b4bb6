/// Matrix products, all through `BLAS.gemm`. Backward passes accumulate straight into the input
/// gradients with beta = 1, so no temporary product is ever materialised.
extension Tape {
    /// a · b.
    public func matmul(_ a: Var, _ b: Var) -> Var {
        let out = a.value.matmul(b.value)
        return record(out, inputs: [a, b]) { tape, g in
            // dA = dC · Bᵀ, dB = Aᵀ · dC
            tape.accumulate(a) { da, fresh in
                g.withPointer { gp in b.value.withPointer { bp in
                    BLAS.gemm(gp, rows: g.rows, cols: g.cols, transposeA: false,
                              bp, rows: b.rows, cols: b.cols, transposeB: true, da, beta: fresh ? 0 : 1)
                } }
            }
            tape.accumulate(b) { db, fresh in
                a.value.withPointer { ap in g.withPointer { gp in
                    BLAS.gemm(ap, rows: a.rows, cols: a.cols, transposeA: true,
                              gp, rows: g.rows, cols: g.cols, transposeB: false, db, beta: fresh ? 0 : 1)
                } }
            }
        }
    }

    /// x · W + b with b a 1×n row broadcast over the batch: one gemm onto the bias rows.
    public func linear(_ x: Var, _ w: Var, _ b: Var) -> Var {
        precondition(b.rows == 1 && b.cols == w.cols, "bias \(b.value.shape) does not fit weight \(w.value.shape)")
        let m = x.rows, n = w.cols
        var out = Tensor(uninitialized: m, n)
        out.withMutablePointer { o in
            b.value.withPointer { bp in for r in 0..<m { (o + r * n).update(from: bp, count: n) } }
            x.value.withPointer { xp in w.value.withPointer { wp in
                BLAS.gemm(xp, rows: x.rows, cols: x.cols, transposeA: false,
                          wp, rows: w.rows, cols: w.cols, transposeB: false, o, beta: 1)
            } }
        }
        return record(out, inputs: [x, w, b]) { tape, g in
            tape.accumulate(x) { dx, fresh in
                g.withPointer { gp in w.value.withPointer { wp in
                    BLAS.gemm(gp, rows: m, cols: n, transposeA: false,
                              wp, rows: w.rows, cols: w.cols, transposeB: true, dx, beta: fresh ? 0 : 1)
                } }
            }
            tape.accumulate(w) { dw, fresh in
                x.value.withPointer { xp in g.withPointer { gp in
                    BLAS.gemm(xp, rows: x.rows, cols: x.cols, transposeA: true,
                              gp, rows: m, cols: n, transposeB: false, dw, beta: fresh ? 0 : 1)
                } }
            }
            tape.accumulate(b) { db, fresh in
                g.withPointer { gp in Kernels.columnSums(gp, rows: m, cols: n, into: db, accumulate: !fresh) }
            }
        }
    }
}

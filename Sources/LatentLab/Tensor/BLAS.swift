import CBLAS
import Synchronization

/// The one door to BLAS: every matrix product in the engine goes through `gemm`.
public enum BLAS {
    /// Sets the engine's threads: for matrix products (OpenBLAS), the large elementwise loops, and
    /// the parts of work that splits (`Parallel.forEachPart`).
    public static func setThreads(_ n: Int) {
        setLibraryThreads(n)
        Parallel.setThreads(n)
    }

    /// OpenBLAS's own thread count, lowered to 1 while `Parallel.forEachPart` runs its parts.
    static func setLibraryThreads(_ n: Int) {
        openblas_set_num_threads(Int32(max(1, n)))
    }

    /// While true, `gemm` adds each product's 2·m·n·k floating-point operations to `flops`: the benchmark's
    /// GFLOP/s of a training step, counted from the products it runs rather than from a formula per model.
    public static var countsFlops: Bool {
        get { counting.load(ordering: .relaxed) }
        set { counting.store(newValue, ordering: .relaxed) }
    }
    /// Operations counted since the last `resetFlops()`.
    public static var flops: Int { flopCount.load(ordering: .relaxed) }
    public static func resetFlops() { flopCount.store(0, ordering: .relaxed) }
    @usableFromInline static let counting = Atomic<Bool>(false)
    @usableFromInline static let flopCount = Atomic<Int>(0)

    /// C = alpha · op(A) · op(B) + beta · C, all row-major and contiguous.
    /// Transposes are passed to BLAS as flags, never materialised.
    @inlinable public static func gemm(
        _ a: UnsafePointer<Float>, rows aRows: Int, cols aCols: Int, transposeA: Bool,
        _ b: UnsafePointer<Float>, rows bRows: Int, cols bCols: Int, transposeB: Bool,
        _ c: UnsafeMutablePointer<Float>, alpha: Float = 1, beta: Float = 0
    ) {
        let m = transposeA ? aCols : aRows
        let k = transposeA ? aRows : aCols
        let kb = transposeB ? bCols : bRows
        let n = transposeB ? bRows : bCols
        precondition(k == kb, "matmul inner dimensions \(k) and \(kb) differ")
        if m == 0 || n == 0 { return }
        if counting.load(ordering: .relaxed) { flopCount.add(2 * m * n * k, ordering: .relaxed) }
        if k == 0 {
            // BLAS leaves C alone when k = 0 only if beta = 1; honour beta ourselves.
            if beta == 0 { c.update(repeating: 0, count: m * n) } else if beta != 1 {
                for i in 0..<(m * n) { c[i] *= beta }
            }
            return
        }
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha,
            a, Int32(aCols), b, Int32(bCols), beta, c, Int32(n))
    }
}

extension Tensor {
    /// op(self) · op(other), a plain product outside any autodiff tape.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        let m = transposeSelf ? cols : rows
        let n = transposeOther ? other.rows : other.cols
        var out = Tensor(uninitialized: m, n)
        withPointer { a in
            other.withPointer { b in
                out.withMutablePointer { c in
                    BLAS.gemm(a, rows: rows, cols: cols, transposeA: transposeSelf,
                              b, rows: other.rows, cols: other.cols, transposeB: transposeOther, c)
                }
            }
        }
        return out
    }
}

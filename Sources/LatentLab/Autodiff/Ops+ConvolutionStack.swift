import CKernels

/// A PixelCNN's masked layers as one op. Built from the separate ops (`maskedConvolution`, `repeatEachRow`,
/// `add`, `tanh`, `add`), a layer leaves five (images·H·W) × C tensors on the tape, 10 MB each for a batch of
/// 100 MNIST images at 32 channels, and the dashboard's PixelCNN peaked at 653 MB. This op keeps each
/// layer's output only and recomputes the rest in the backward pass from what it kept: the tanh from the
/// output less the input (the residual), the patches from the input, a block of pixels at a time.
extension Tape {
    /// h₁ = tanh(convA(x; W₀) + S₀), then h_{l+1} = h_l + tanh(convB(h_l; W_l) + S_l): the masked layers of a
    /// PixelCNN (van den Oord et al. 2016), type A first (no centre tap), type B after, each with a residual.
    ///
    /// x is (images·H·W) × C₀, one row per pixel; W_l is taps·C_l × C; S_l is a row per context, its bias plus
    /// z's projection, (repeats·images) × C. An image's `repeats` draws of z share its first layer's patches, so
    /// the result has repeats·images·H·W rows, row (s·images + i)·H·W + p for draw s of image i.
    ///
    /// The tanh's derivative 1 − a² takes a from the kept output less the kept input, which differs from the
    /// forward pass's a by the rounding of that sum (about 1e-7 of the output): the gradients agree with the
    /// separate ops' to that, which `PixelCNNTests` checks.
    public func maskedConvolutionStack(_ x: Var, weights: [Var], shifts: [Var], height h: Int, width w: Int,
                                       kernel k: Int, rowsPerBlock: Int? = nil) -> Var {
        let layers = weights.count, pixels = h * w
        precondition(layers >= 1 && shifts.count == layers, "a weight and a shift per layer")
        let images = x.rows / pixels, c = weights[0].cols, contexts = shifts[0].rows
        precondition(images * pixels == x.rows && images > 0 && contexts % images == 0,
                     "maskedConvolutionStack: \(x.rows) rows are not whole \(h)×\(w) images for \(contexts) contexts")
        let taps = (0..<layers).map { Self.causalTaps(kernel: k, includeCenter: $0 > 0) }
        for l in 0..<layers {
            let inputs = l == 0 ? x.cols : c
            precondition(weights[l].rows == taps[l].count * inputs && weights[l].cols == c
                            && shifts[l].rows == contexts && shifts[l].cols == c,
                         "maskedConvolutionStack: layer \(l)'s W \(weights[l].value.shape), S \(shifts[l].value.shape)")
        }
        let repeats = contexts / images, imageRows = x.rows, rows = imageRows * repeats
        let widest = taps[layers - 1].count * max(c, x.cols)
        let block = max(1, rowsPerBlock ?? Self.stackBlock(channels: c, patchWidth: widest))
        let keeps = recording && ([x] + weights + shifts).contains { $0.needsGrad }

        var patches = Tensor(uninitialized: min(block, rows), widest)
        var pre = Tensor(uninitialized: min(block, rows), c)
        // Every layer's output when the backward pass will need it, else the last one only.
        var outputs: [Tensor] = []
        patches.withMutablePointer { pp in pre.withMutablePointer { prep in
            var first = Tensor(uninitialized: rows, c)
            x.value.withPointer { xp in weights[0].value.withPointer { wp in shifts[0].value.withPointer { sp in
            first.withMutablePointer { op in
                let kk = taps[0].count * x.cols
                for start in stride(from: 0, to: imageRows, by: block) {
                    let count = min(block, imageRows - start)
                    Self.fillPatches(xp, channels: x.cols, kernel: k, includeCenter: false, height: h, width: w,
                                     rows: start..<(start + count), into: pp)
                    BLAS.gemm(pp, rows: count, cols: kk, transposeA: false, wp, rows: kk, cols: c, transposeB: false,
                              prep)
                    for s in 0..<repeats {
                        vk_tanh_shift_residual(prep, sp + s * images * c, nil, op + (s * imageRows + start) * c,
                                               count, c, pixels, start)
                    }
                }
            } } } }
            outputs.append(first)
            for l in 1..<max(1, layers) {
                var next = Tensor(uninitialized: rows, c)
                let kk = taps[l].count * c
                outputs[outputs.count - 1].withPointer { ip in weights[l].value.withPointer { wp in
                shifts[l].value.withPointer { sp in next.withMutablePointer { op in
                    for start in stride(from: 0, to: rows, by: block) {
                        let count = min(block, rows - start)
                        Self.fillPatches(ip, channels: c, kernel: k, includeCenter: true, height: h, width: w,
                                         rows: start..<(start + count), into: pp)
                        BLAS.gemm(pp, rows: count, cols: kk, transposeA: false, wp, rows: kk, cols: c,
                                  transposeB: false, prep)
                        vk_tanh_shift_residual(prep, sp, ip + start * c, op + start * c, count, c, pixels, start)
                    }
                } } } }
                if !keeps { outputs.removeAll() }
                outputs.append(next)
            }
        } }
        guard keeps else { return Var(constant: outputs[outputs.count - 1]) }

        let kept = outputs
        return record(kept[layers - 1], inputs: [x] + weights + shifts) { tape, g in
            // The gradient with respect to layer l's output, turned in place into that to its input: the
            // residual passes it on, the patches' gradient is added onto the pixels they were read from. A
            // block's patches read only its own and earlier rows, and blocks run in order, so a block's rows
            // hold the output's gradient still when it reads them.
            var dh = g.copied()
            var patches = Tensor(uninitialized: min(block, rows), widest)
            var dpre = Tensor(uninitialized: min(block, rows), c)
            var dsum = Tensor(uninitialized: repeats > 1 ? min(block, imageRows) : 0, c)
            dh.withMutablePointer { dhp in patches.withMutablePointer { pp in dpre.withMutablePointer { dp in
                for l in stride(from: layers - 1, through: 1, by: -1) {
                    let kk = taps[l].count * c
                    var dshift = Tensor(zeros: contexts, c)
                    dshift.withMutablePointer { dsp in kept[l - 1].withPointer { ip in kept[l].withPointer { op in
                    weights[l].value.withPointer { wp in
                        for start in stride(from: 0, to: rows, by: block) {
                            let count = min(block, rows - start)
                            vk_tanh_residual_backward(dhp + start * c, op + start * c, ip + start * c, dp, dsp, count,
                                                      c, pixels, start)
                            tape.accumulate(weights[l]) { dw, fresh in
                                Self.fillPatches(ip, channels: c, kernel: k, includeCenter: true, height: h, width: w,
                                                 rows: start..<(start + count), into: pp)
                                BLAS.gemm(pp, rows: count, cols: kk, transposeA: true, dp, rows: count, cols: c,
                                          transposeB: false, dw, beta: fresh ? 0 : 1)
                            }
                            BLAS.gemm(dp, rows: count, cols: c, transposeA: false, wp, rows: kk, cols: c,
                                      transposeB: true, pp)
                            Self.scatterPatches(pp, channels: c, kernel: k, includeCenter: true, height: h, width: w,
                                                rows: start..<(start + count), into: dhp)
                        }
                    } } } }
                    tape.accumulate(shifts[l], adding: dshift)
                }
                // The first layer: its patches are the image's, shared by the repeats, whose gradients are summed.
                let kk = taps[0].count * x.cols
                var dshift = Tensor(zeros: contexts, c)
                dshift.withMutablePointer { dsp in kept[0].withPointer { op in x.value.withPointer { xp in
                weights[0].value.withPointer { wp in
                dsum.withMutablePointer { sump in
                    let summed = repeats > 1 ? sump : dp
                    for start in stride(from: 0, to: imageRows, by: block) {
                        let count = min(block, imageRows - start)
                        for s in 0..<repeats {
                            let at = (s * imageRows + start) * c
                            vk_tanh_residual_backward(dhp + at, op + at, nil, dp, dsp + s * images * c, count, c,
                                                      pixels, start)
                            if repeats > 1 {
                                if s == 0 { sump.update(from: dp, count: count * c) }
                                else { for i in 0..<(count * c) { sump[i] += dp[i] } }
                            }
                        }
                        tape.accumulate(weights[0]) { dw, fresh in
                            Self.fillPatches(xp, channels: x.cols, kernel: k, includeCenter: false, height: h, width: w,
                                             rows: start..<(start + count), into: pp)
                            BLAS.gemm(pp, rows: count, cols: kk, transposeA: true, summed, rows: count, cols: c,
                                      transposeB: false, dw, beta: fresh ? 0 : 1)
                        }
                        tape.accumulate(x) { dx, fresh in
                            if fresh { dx.update(repeating: 0, count: imageRows * x.cols) }
                            BLAS.gemm(summed, rows: count, cols: c, transposeA: false, wp, rows: kk, cols: c,
                                      transposeB: true, pp)
                            Self.scatterPatches(pp, channels: x.cols, kernel: k, includeCenter: false, height: h,
                                                width: w,
                                                rows: start..<(start + count), into: dx)
                        }
                    }
                } } } } }
                tape.accumulate(shifts[0], adding: dshift)
            } } }
        }
    }

    /// Pixels a layer works on at a time: the most rows whose products stay within OpenBLAS's small-matrix limit
    /// (M·N·K ≤ 10⁶ multiply-adds, which its AVX-512 kernels multiply without packing the operands: 115 GFLOP/s
    /// measured at 192 × 160 · 160 × 32 against 96 at 512 rows), in multiples of 32 and at least 64. For 32
    /// channels that is 192 rows, whose patches (120 KB) stay in the L2 cache from being built to being used.
    static func stackBlock(channels: Int, patchWidth: Int) -> Int {
        max(minimumBlock, smallProductLimit / max(1, channels * patchWidth) / blockStep * blockStep)
    }

    private static let smallProductLimit = 1_000_000, blockStep = 32, minimumBlock = 64
}

import Testing
@testable import LatentLab

/// The PixelCNN's masked layers as one op, which keeps each layer's output only and recomputes the rest
/// backward: against finite differences, and against the separate ops it replaced, values and gradients.
@Suite struct ConvolutionStackTests {
    /// Shapes: 2 images of 4×5 pixels with 2 input channels, 3 layers of 3 channels, 2 draws of z per image.
    static let (images, side, width, channelsIn, channels, layers, repeats) = (2, 4, 5, 2, 3, 3, 2)

    static func inputs(seed: UInt64) -> [Tensor] {
        let pixels = side * width
        let x = randomTensor(images * pixels, channelsIn, seed: seed)
        let weights = (0..<layers).map { l in
            let taps = Tape.causalTaps(kernel: 3, includeCenter: l > 0).count
            return randomTensor(taps * (l == 0 ? channelsIn : channels), channels, seed: seed + 1 + UInt64(l))
        }
        let shifts = (0..<layers).map { randomTensor(repeats * images, channels, seed: seed + 10 + UInt64($0)) }
        return [x] + weights + shifts
    }

    static func stack(_ t: Tape, _ v: [Var], block: Int) -> Var {
        t.maskedConvolutionStack(v[0], weights: Array(v[1...layers]), shifts: Array(v[(layers + 1)...]), height: side,
                                 width: width, kernel: 3, rowsPerBlock: block)
    }

    /// The layers as the PixelCNN wrote them before: a masked convolution, the image's draws tiled, each draw's
    /// shift repeated over its pixels, tanh, and the residual.
    static func separateOps(_ t: Tape, _ v: [Var]) -> Var {
        let pixels = side * width
        var h: Var?
        for l in 0..<layers {
            let zero = Var(constant: Tensor(zeros: 1, channels))
            var pre = t.maskedConvolution(h ?? v[0], v[1 + l], zero, height: side, width: width, kernel: 3,
                                          includeCenter: l > 0)
            if l == 0 { pre = t.tileRows(pre, repeats) }
            let activated = t.tanh(t.add(pre, t.repeatEachRow(v[1 + layers + l], pixels)))
            h = h.map { t.add($0, activated) } ?? activated
        }
        return h!
    }

    /// Blocks of 7 rows stitch the layers from pieces that straddle image rows and images; 512 is one block.
    @Test(arguments: [7, 512]) func gradientsMatchFiniteDifferences(block: Int) {
        checkGradients(Self.inputs(seed: 1)) { t, v in Self.stack(t, v, block: block) }
    }

    /// The same output, and every input's gradient to rounding, as the separate ops: the tanh's derivative is
    /// taken from the kept output less the kept input rather than from a kept activation.
    @Test(arguments: [7, 512]) func agreesWithTheSeparateOps(block: Int) {
        func gradients(_ f: (Tape, [Var]) -> Var) -> (value: [Float], grads: [[Float]]) {
            let params = Self.inputs(seed: 21).enumerated().map { Parameter("input\($0.offset)", $0.element) }
            let tape = Tape()
            let out = f(tape, params.map { tape.param($0) })
            let weights = randomTensor(out.rows, out.cols, seed: 5)
            tape.backward(from: tape.sum(tape.mul(out, Var(constant: weights))))
            return (out.value.scalars, params.map(\.grad.scalars))
        }
        let fused = gradients { t, v in Self.stack(t, v, block: block) }
        let separate = gradients(Self.separateOps)
        #expect(fused.value.count == Self.repeats * Self.images * Self.side * Self.width * Self.channels)
        #expect(zip(fused.value, separate.value).allSatisfy { abs($0 - $1) <= 1e-6 })
        for (i, (a, b)) in zip(fused.grads, separate.grads).enumerated() {
            let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            #expect(worst <= 1e-5, "input \(i): gradients differ by \(worst)")
        }
    }

    /// 32 channels of 5 taps go 192 pixels at a time (192 · 160 · 32 multiply-adds, under OpenBLAS's small-matrix
    /// limit of 10⁶); wide layers never fall below 64.
    @Test func blocksFitTheSmallProductLimit() {
        #expect(Tape.stackBlock(channels: 32, patchWidth: 160) == 192)
        #expect(192 * 160 * 32 <= 1_000_000 && 224 * 160 * 32 > 1_000_000)
        #expect(Tape.stackBlock(channels: 256, patchWidth: 1280) == 64)
    }

    /// Without a tape to record on, the op keeps no layer but the last and gives the same values.
    @Test func evaluationGivesTheRecordedValues() {
        let inputs = Self.inputs(seed: 31)
        let recorded = Tape()
        let params = inputs.enumerated().map { Parameter("input\($0.offset)", $0.element) }
        let a = Self.stack(recorded, params.map { recorded.param($0) }, block: 7).value
        let b = Self.stack(Tape(recording: false), inputs.map { Var(constant: $0) }, block: 7).value
        #expect(a.scalars == b.scalars)
    }
}

import Foundation
import Testing
@testable import LatentLab

/// The masked convolutions and the PixelCNN decoder built on them.
@Suite struct PixelCNNTests {
    @Test(arguments: [false, true]) func causalPatchesGradients(includeCenter: Bool) {
        checkGradients([randomTensor(2 * 4 * 5, 3, seed: 1)]) { t, v in
            t.causalPatches(v[0], height: 4, width: 5, kernel: 3, includeCenter: includeCenter)
        }
    }

    /// The fused convolution against its definition, patches times weights, and its gradients (the block
    /// smaller than the batch's pixels, so several blocks are stitched).
    @Test(arguments: [false, true]) func maskedConvolutionIsPatchesTimesWeights(includeCenter: Bool) {
        let taps = Tape.causalTaps(kernel: 3, includeCenter: includeCenter).count
        let x = randomTensor(3 * 30 * 30, 2, seed: 3), w = randomTensor(taps * 2, 3, seed: 4), b = randomTensor(1, 3, seed: 5)
        #expect(3 * 30 * 30 > Tape.convolutionBlock)
        let t = Tape(recording: false)
        let fused = t.maskedConvolution(Var(constant: x), Var(constant: w), Var(constant: b), height: 30, width: 30, kernel: 3,
                                        includeCenter: includeCenter).value
        let direct = t.linear(t.causalPatches(Var(constant: x), height: 30, width: 30, kernel: 3, includeCenter: includeCenter),
                              Var(constant: w), Var(constant: b)).value
        #expect(zip(fused.scalars, direct.scalars).allSatisfy { abs($0 - $1) < 1e-4 })
        checkGradients([randomTensor(2 * 4 * 5, 2, seed: 6), randomTensor(taps * 2, 3, seed: 7), randomTensor(1, 3, seed: 8)]) { t, v in
            t.maskedConvolution(v[0], v[1], v[2], height: 4, width: 5, kernel: 3, includeCenter: includeCenter)
        }
    }

    @Test func repeatEachRowGradients() {
        checkGradients([randomTensor(3, 4, seed: 2)]) { t, v in t.repeatEachRow(v[0], 5) }
    }

    /// Patches against a direct reading of the image: tap (dy, dx) of pixel (y, x) is pixel (y + dy, x + dx),
    /// zero outside, and the type-A taps never include the pixel itself.
    @Test func patchesReadTheCausalNeighbours() {
        let h = 4, w = 5
        let x = Tensor(rows: h * w, cols: 1, (0..<(h * w)).map { Float($0 + 1) })
        let taps = Tape.causalTaps(kernel: 3, includeCenter: false)
        #expect(taps.count == 4 && !taps.contains { $0.dy == 0 && $0.dx == 0 })
        let p = Tape(recording: false).causalPatches(Var(constant: x), height: h, width: w, kernel: 3, includeCenter: false).value
        for y in 0..<h {
            for xx in 0..<w {
                for (t, tap) in taps.enumerated() {
                    let sy = y + tap.dy, sx = xx + tap.dx
                    let expected: Float = sy >= 0 && sx >= 0 && sx < w ? Float(sy * w + sx + 1) : 0
                    #expect(p[y * w + xx, t] == expected)
                }
            }
        }
    }

    static func decoder(side: Int, layers: Int, seed: UInt64 = 3) -> PixelCNNDecoder {
        var rng = RandomSource(seed: seed)
        let d = PixelCNNDecoder(latentSize: 2, channels: 4, layers: layers, pixels: side * side, outputBias: nil, rng: &rng)
        for p in d.parameters { p.assign(p.value.scaled(2)) }
        d.pixelBias.assign(rng.normalTensor(1, side * side))
        return d
    }

    /// Logit (y, x) depends on no pixel at or after (y, x) in raster order, on none more than L rows above or
    /// L columns aside, on some earlier pixel, and on z.
    @Test(arguments: [1, 2]) func logitsDependOnlyOnEarlierPixelsWithinTheField(layers: Int) {
        let side = 6, d = side * side
        let decoder = Self.decoder(side: side, layers: layers)
        var rng = RandomSource(seed: 4)
        let x = Parameter("x", rng.uniformTensor(1, d)), z = Parameter("z", rng.normalTensor(1, 2))
        for j in 0..<d {
            x.zeroGrad(); z.zeroGrad()
            let tape = Tape()
            tape.backward(from: tape.sum(tape.sliceCols(decoder.logits(tape.param(x), given: tape.param(z), on: tape), j, 1)))
            let grad = x.grad.scalars
            let (y, xx) = (j / side, j % side)
            for i in 0..<d where grad[i] != 0 {
                let (iy, ix) = (i / side, i % side)
                #expect(i < j, "logit \(j) depends on pixel \(i), not before it")
                #expect(y - iy <= layers && abs(xx - ix) <= layers, "logit \(j) depends on pixel \(i), outside \(layers) layers' field")
            }
            if j > 0 { #expect(grad.contains { $0 != 0 }, "logit \(j) sees no pixel") }
            #expect(z.grad.scalars.contains { $0 != 0 }, "logit \(j) ignores z")
        }
        #expect(decoder.receptiveField == (layers == 1 ? 4 : 11))
    }

    /// The sampler's band of rows gives its last row exactly the logits of a pass over the whole image.
    @Test func aBandOfRowsGivesItsLastRowsLogits() {
        let side = 7, layers = 2
        let decoder = Self.decoder(side: side, layers: layers)
        var rng = RandomSource(seed: 10)
        let x = Tensor(rows: 3, cols: side * side, rng.uniformTensor(3, side * side).scalars.map { $0 > 0.5 ? 1 : 0 })
        let z = Var(constant: rng.normalTensor(3, 2)), tape = Tape(recording: false)
        let full = decoder.logits(Var(constant: x), given: z, on: tape).value
        for y in 0..<side {
            let band = max(0, y - layers)..<(y + 1)
            let part = decoder.logits(Var(constant: x.columns(band.lowerBound * side, band.count * side)), given: z, rows: band, on: tape).value
            for r in 0..<3 {
                for c in 0..<side { #expect(abs(part[r, (band.count - 1) * side + c] - full[r, y * side + c]) < 1e-5, "row \(y) column \(c)") }
            }
        }
    }

    /// The decoder's logits as they were computed before its layers became one op (a masked convolution with its
    /// bias, z's projection repeated over the pixels, tanh, the residual), for the comparison below.
    static func separateOpsLogits(_ d: PixelCNNDecoder, _ seen: Var, given z: Var, on tape: Tape) -> Var {
        let pixels = d.height * d.width, repeats = z.rows / seen.rows
        var h: Var?
        for (l, conv) in d.convolutions.enumerated() {
            let source = h ?? tape.reshape(seen, seen.rows * pixels, 1)
            var pre = tape.maskedConvolution(source, tape.param(conv.weight), tape.param(conv.bias), height: d.height,
                                             width: d.width, kernel: 3, includeCenter: l > 0)
            if l == 0 && repeats > 1 { pre = tape.tileRows(pre, repeats) }
            let activated = tape.tanh(tape.add(pre, tape.repeatEachRow(d.projections[l](z, on: tape), pixels)))
            h = h.map { tape.add($0, activated) } ?? activated
        }
        return tape.add(tape.reshape(d.output(h!, on: tape), z.rows, pixels), tape.param(d.pixelBias))
    }

    /// The rewritten decoder (its layers one op that recomputes what it does not keep) gives the logits and every
    /// parameter's and z's gradient of the separate ops, with 3 draws of z per image.
    @Test func theDecoderAgreesWithTheSeparateOps() {
        let side = 6, decoder = Self.decoder(side: side, layers: 3)
        var rng = RandomSource(seed: 11)
        let x = Tensor(rows: 2, cols: side * side, rng.uniformTensor(2, side * side).scalars.map { $0 > 0.5 ? 1 : 0 })
        let z = Parameter("z", rng.normalTensor(6, 2)), weights = rng.uniformTensor(6, side * side, lower: -1, upper: 1)
        func run(_ logits: (Var, Var, Tape) -> Var) -> (value: [Float], grads: [[Float]]) {
            let params = decoder.parameters + [z]
            for p in params { p.zeroGrad() }
            let tape = Tape()
            let out = logits(Var(constant: x), tape.param(z), tape)
            tape.backward(from: tape.sum(tape.mul(out, Var(constant: weights))))
            return (out.value.scalars, params.map(\.grad.scalars))
        }
        let fused = run { decoder.logits($0, given: $1, on: $2) }
        let separate = run { Self.separateOpsLogits(decoder, $0, given: $1, on: $2) }
        #expect(zip(fused.value, separate.value).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
        for (p, (a, b)) in zip(decoder.parameters + [z], zip(fused.grads, separate.grads)) {
            let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            #expect(worst <= 1e-5, "\(p.name): gradients differ by \(worst)")
        }
    }

    /// Every one of the 512 images of 3×3 pixels given one z: the probabilities sum to 1.
    @Test func theExactLikelihoodSumsToOne() {
        var rng = RandomSource(seed: 5)
        AutoregressiveChecks.expectNormalised(Self.decoder(side: 3, layers: 2), pixels: 9, z: rng.normalTensor(1, 2))
    }

    /// Pixel-by-pixel draws of a 2×2 image against its exact probabilities.
    @Test func drawsFollowTheLikelihood() {
        var rng = RandomSource(seed: 7)
        AutoregressiveChecks.expectDrawsFollowTheLikelihood(Self.decoder(side: 2, layers: 2, seed: 6), pixels: 4,
                                                            z: rng.normalTensor(1, 2), draws: 20_000, seed: 8)
    }

    /// A PixelCNN needs square images and at most as many layers as rows; the description states its field.
    @Test func configurationsAndDescription() {
        var config = VAEConfig(inputSize: 6, encoderHidden: [5], latentSize: 2, decoderHidden: [3], decoder: .pixelcnn)
        #expect(config.problem == "a PixelCNN needs square images, not 6 pixels")
        config.inputSize = 16
        config.receptiveField = 5
        #expect(config.problem == "a PixelCNN's receptive field 5 is not between 1 and the 4 rows")
        config.receptiveField = 2
        #expect(config.problem == nil && config.pixelCNNLayers == 2)
        let model = VAE(config, seed: 1)
        #expect(model.description.hasSuffix("PixelCNN 2×3 r\(PixelCNNDecoder.receptiveField(layers: 2, height: 4, width: 4)) p(x|z)"))
    }

    /// The whole loss with the PixelCNN decoder (k draws sharing the image's patches, conditioning dropout)
    /// against finite differences.
    @Test(arguments: [ObjectiveSettings(kind: .elbo, k: 2), ObjectiveSettings(kind: .iwae, k: 2, conditioningDropout: 0.3)])
    func theLossMatchesFiniteDifferences(settings: ObjectiveSettings) {
        let config = VAEConfig(inputSize: 16, encoderHidden: [5], latentSize: 2, decoderHidden: [3, 3], activation: .tanh, decoder: .pixelcnn)
        let model = VAE(config, seed: 8)
        var rng = RandomSource(seed: 9)
        let x = Tensor(rows: 3, cols: 16, rng.uniformTensor(3, 16).scalars.map { $0 > 0.5 ? 1 : 0 })
        let noise = rng.normalTensor(settings.k * 3, 2)
        let seen = Objective.seenPixels(model, x, settings, rng: &rng)
        checkParameterGradients(model.parameters) { tape in
            Objective.loss(model: model, batch: x, settings: settings, klWeight: 1, noise: noise, seen: seen, on: tape).loss
        }
    }
}

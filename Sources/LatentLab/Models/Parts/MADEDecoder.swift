import Foundation

/// An autoregressive p(x|z) = Π_j Bernoulli(x_j; sigmoid(l_j(x_<j, z))): a MADE over the pixels in raster order
/// whose context is z, entering every hidden layer through unmasked weights (THEORY.md section 6). It can
/// model the data without z, which is what lets the ELBO's optimum ignore z (posterior collapse). A receptive
/// field R lets pixel j see only the R pixels before it, so z must carry what the window cannot see.
///
/// Training may hide previous pixels from it (conditioning dropout): `logLikelihood(_:seeing:given:on:)`
/// scores x while the network reads another image as the previous pixels.
public final class MADEDecoder: Likelihood {
    let made: MADE
    let latentWidth: Int
    /// Direct connections from the previous pixels to each logit (pixels×pixels, masked like the MADE: the
    /// window before each pixel), as deep autoregressive networks have: a logistic autoregression the hidden
    /// layer adds to. Zero at the start.
    let direct: Parameter
    let directMask: Tensor

    /// Layers named `decoder.in`, `decoder.context`, `decoder.h1`, `decoder.out0`, …; `outputBias`, when
    /// given, starts every pixel at the data's mean.
    public init(latentSize: Int, hidden: [Int], pixels: Int, receptiveField: Int?, activation: Activation,
                outputBias: [Float]?, rng: inout RandomSource) {
        latentWidth = latentSize
        made = MADE("decoder", size: pixels, hidden: hidden, context: latentSize, heads: 1, reversed: false,
                    receptiveField: receptiveField, activation: activation, rng: &rng)
        if let outputBias {
            precondition(outputBias.count == pixels, "output bias size")
            made.heads[0].bias.assign(Tensor(rows: 1, cols: pixels, outputBias))
        }
        direct = Parameter("decoder.direct.weight", Tensor(zeros: pixels, pixels))
        let window = receptiveField ?? pixels
        directMask = MADE.mask(rows: made.degrees, cols: made.degrees) { $0 < $1 && $1 - $0 <= window }
    }

    public var parameters: [Parameter] { made.parameters + [direct] }
    public var summary: String { made.receptiveField.map { "MADE r\($0)" } ?? "MADE" }
    public var isAutoregressive: Bool { true }

    /// The z a hierarchy's decoder reads: its first layer.
    private func input(_ z: Var, on tape: Tape) -> Var { z.cols == latentWidth ? z : tape.sliceCols(z, 0, latentWidth) }

    public func logLikelihood(_ x: Tensor, given z: Var, on tape: Tape) -> Var {
        logLikelihood(x, seeing: x, given: z, on: tape)
    }

    /// Through the fused output layer: the last hidden layer and the seen pixels side by side, against the
    /// masked head and direct weights stacked.
    public func logLikelihood(_ x: Tensor, seeing seen: Tensor, given z: Var, on tape: Tape) -> Var {
        let (features, weight) = outputInputs(Var(constant: seen), given: z, on: tape)
        return tape.bernoulliOutput(features, weight: weight, bias: tape.param(made.heads[0].bias), targets: x)
    }

    /// The logit of every pixel given the pixels `seen` (B rows, or as many as z) and z.
    func logits(_ seen: Var, given z: Var, on tape: Tape) -> Var {
        let (features, weight) = outputInputs(seen, given: z, on: tape)
        return tape.linear(features, weight, tape.param(made.heads[0].bias))
    }

    /// [h, x] (n × (width + pixels)) and [W_out ⊙ M; D ⊙ M_direct]: the output layer as one product.
    private func outputInputs(_ seen: Var, given z: Var, on tape: Tape) -> (features: Var, weight: Var) {
        let h = made.lastHidden(seen, context: input(z, on: tape), on: tape)
        let pixels = h.rows == seen.rows ? seen : tape.tileRows(seen, h.rows / seen.rows)
        let weight = tape.concatRows(made.maskedHeadWeight(0, on: tape), tape.mul(tape.param(direct), Var(constant: directMask)))
        return (tape.concatCols(h, pixels), weight)
    }

    /// p(x_j = 1 | x_<j, z) with the previous pixels taken from x (teacher forcing).
    public func probabilities(_ x: Tensor?, given z: Var, on tape: Tape) -> Var {
        guard let x else { preconditionFailure("an autoregressive decoder's probabilities need the previous pixels") }
        return tape.sigmoid(logits(Var(constant: x), given: z, on: tape))
    }

    /// x ~ p(x|z) one pixel at a time, all rows of z together. The first layer's pre-activation is linear in x,
    /// so it is kept and updated by pixel j's masked weight row in the rows that drew a 1; the layers above are
    /// recomputed for each pixel (one product per pixel and layer), and only pixel j's logit is formed.
    public func sample(_ z: Var, rng: inout RandomSource) -> Tensor {
        let tape = Tape(recording: false)
        let context = input(z, on: tape)
        let n = z.rows, d = made.size, width = made.inputLayer.weight.cols
        let maskedInput = tape.mul(Var(constant: made.inputLayer.weight.value), Var(constant: made.inputMask)).value
        // The first layer's pre-activation at x = 0: the context's term and the bias.
        var first = tape.add(made.contextLayers[0](context, on: tape), Var(constant: made.inputLayer.bias.value)).value
        let head = made.maskedHeadWeight(0, on: tape).value, headBias = made.heads[0].bias.value
        let directWeight = tape.mul(Var(constant: direct.value), Var(constant: directMask)).value
        var directLogits = Tensor(zeros: n, d)   // Σ_{i<j} x_i D_ij, grown as pixels are drawn
        let upper = made.hiddenLayers.enumerated().map { l, layer in
            (weight: tape.mul(Var(constant: layer.weight.value), Var(constant: made.hiddenMasks[l])),
             bias: tape.add(made.contextLayers[l + 1](context, on: tape), Var(constant: layer.bias.value)))
        }
        var out = Tensor(zeros: n, d)
        for j in 0..<d {
            var h = made.activation.apply(Var(constant: first), on: tape)
            for layer in upper { h = made.activation.apply(tape.add(tape.matmul(h, layer.weight), layer.bias), on: tape) }
            let hidden = h.value
            for r in 0..<n {
                var logit = headBias[0, j] + directLogits[r, j]
                for u in 0..<hidden.cols { logit += hidden[r, u] * head[u, j] }
                let pixel = rng.bernoulli(1 / (1 + Foundation.exp(-logit)))
                out[r, j] = pixel
                if pixel == 1 {
                    for u in 0..<width { first[r, u] += maskedInput[j, u] }
                    for v in (j + 1)..<d { directLogits[r, v] += directWeight[j, v] }
                }
            }
        }
        return out
    }
}

import Foundation

/// An autoregressive p(x|z) = Π_j Bernoulli(x_j; sigmoid(l_j(x_<j, z))): a MADE over the pixels in raster order
/// whose context is z, entering every hidden layer through unmasked weights (docs/THEORY.md section 6). It can
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
    let directMask: Mask

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
        directMask = Mask(rows: made.degrees, cols: made.degrees) { $0 < $1 && $1 - $0 <= window }
    }

    public var parameters: [Parameter] { made.parameters + [direct] }
    /// "MADE r783": the receptive field in pixels.
    public var summary: String { "MADE r\(receptiveFieldPixels!)" }
    public var isAutoregressive: Bool { true }
    /// A row's hidden layer, its pixels and its logits side by side: 1,000 rows keep an evaluation's tensors
    /// near 10 MB each.
    public var evaluationRows: Int { 1000 }
    /// The window, or every pixel before the last one.
    public var receptiveFieldPixels: Int? { made.receptiveField ?? made.size - 1 }

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
        let weight = tape.maskedRows([(tape.param(made.heads[0].weight), made.headMask),
                                      (tape.param(direct), directMask)])
        return (tape.concatCols(h, pixels), weight)
    }

    /// p(x_j = 1 | x_<j, z) with the previous pixels taken from x (teacher forcing).
    public func probabilities(_ x: Tensor?, given z: Var, on tape: Tape) -> Var {
        guard let x else { preconditionFailure("an autoregressive decoder's probabilities need the previous pixels") }
        return tape.sigmoid(logits(Var(constant: x), given: z, on: tape))
    }

    /// x ~ p(x|z) one pixel at a time. The first layer's pre-activation is linear in x, so it starts at the
    /// context's term and grows by pixel j's masked weight row when pixel j draws a 1. A unit of degree m reads
    /// only pixels 1…m, so once they are drawn it is final: it is activated then, once, and read as 0 before
    /// (where every weight out of it to the pixels still to come is masked). With one hidden layer pixel j's
    /// logit is then one dot product; deeper MADEs recompute the layers above the first for every pixel.
    public func sample(_ z: Var, rng: inout RandomSource) -> Tensor {
        let tape = Tape(recording: false)
        let context = input(z, on: tape)
        let n = z.rows, d = made.size, width = made.inputLayer.weight.cols
        let maskedInput = made.inputMask.applied(to: made.inputLayer.weight.value).scalars
        var pre = tape.add(made.contextLayers[0](context, on: tape), Var(constant: made.inputLayer.bias.value))
            .value.scalars
        var active = [Float](repeating: 0, count: n * width)
        var unitsOfDegree = [[Int]](repeating: [], count: d + 1)
        for (u, m) in made.hiddenDegrees[0].enumerated() { unitsOfDegree[m].append(u) }
        let upper = made.hiddenLayers.enumerated().map { l, layer in
            (weight: Var(constant: made.hiddenMasks[l].applied(to: layer.weight.value)),
             bias: tape.add(made.contextLayers[l + 1](context, on: tape), Var(constant: layer.bias.value)))
        }
        let top = made.hiddenLayers.last?.weight.cols ?? width
        // Pixel j's output weights as a contiguous row, and the direct weights from pixel j onwards.
        let headT = made.maskedHeadWeight(0, on: tape).value.transposed().scalars
        let headBias = made.heads[0].bias.value.scalars
        let directWeight = directMask.applied(to: direct.value).scalars
        var directLogits = [Float](repeating: 0, count: n * d)   // Σ_{i<j} x_i D_ij, grown as pixels are drawn
        var out = Tensor(zeros: n, d)
        for j in 0..<d {
            // Pixel j has degree j + 1: the units of degree j have read every pixel they will.
            for r in 0..<n { for u in unitsOfDegree[j] { active[r * width + u] = made.activation(pre[r * width + u]) } }
            // The top hidden layer for every row: the first itself, or the layers above recomputed.
            var hidden = active
            if !upper.isEmpty {
                var h = Var(constant: Tensor(rows: n, cols: width, active))
                for layer in upper {
                    h = made.activation.apply(tape.add(tape.matmul(h, layer.weight), layer.bias), on: tape)
                }
                hidden = h.value.scalars
            }
            for r in 0..<n {
                let logit = headBias[j] + directLogits[r * d + j]
                    + Self.dot(hidden, r * top, headT, j * top, count: top)
                let pixel = rng.bernoulli(1 / (1 + Foundation.exp(-logit)))
                out[r, j] = pixel
                guard pixel == 1 else { continue }
                Self.add(maskedInput, from: j * width, to: &pre, at: r * width, count: width)
                Self.add(directWeight, from: j * d + j + 1, to: &directLogits, at: r * d + j + 1, count: d - j - 1)
            }
        }
        return out
    }
}

extension MADEDecoder {
    /// Σ_i a[i + offsetA] b[i + offsetB] over `count` elements.
    static func dot(_ a: [Float], _ offsetA: Int, _ b: [Float], _ offsetB: Int, count: Int) -> Float {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
            var sum: Float = 0
            for i in 0..<count { sum += pa[offsetA + i] * pb[offsetB + i] }
            return sum
        } }
    }

    /// y[at + i] += x[from + i] over `count` elements.
    static func add(_ x: [Float], from: Int, to y: inout [Float], at: Int, count: Int) {
        x.withUnsafeBufferPointer { px in y.withUnsafeMutableBufferPointer { py in
            for i in 0..<count { py[at + i] += px[from + i] }
        } }
    }
}

extension Activation {
    /// The activation of one value, for loops that update a few units at a time (the kernels' definitions).
    func callAsFunction(_ x: Float) -> Float {
        switch self {
        case .tanh: Foundation.tanh(x)
        case .relu: x < 0 ? 0 : x
        case .elu: x > 0 ? x : Foundation.exp(x) - 1
        case .softplus: x > 20 ? x : Foundation.log1p(Foundation.exp(x))
        case .sigmoid: 1 / (1 + Foundation.exp(-x))
        }
    }
}

extension MADEDecoder: DecoderFamily {
    public static let title = "MADE"
    public static let isAutoregressive = true

    /// One hidden layer of 500, as the collapse lab's decoder.
    public static func defaultHidden(encoderHidden: [Int]) -> [Int] { [500] }

    public static func make(_ config: VAEConfig, outputBias: [Float]?, rng: inout RandomSource) -> any Likelihood {
        MADEDecoder(latentSize: config.layerSizes[0], hidden: config.decoderHidden, pixels: config.inputSize,
                    receptiveField: config.receptiveField, activation: config.activation, outputBias: outputBias,
                    rng: &rng)
    }

    public static func summary(_ config: VAEConfig) -> String {
        let field = config.receptiveField.map { " (receptive field \($0) pixels)" } ?? ""
        return "decoder MADE\(field) \(config.decoderSizes)"
    }

    /// The masked layers, z into every hidden layer, and the direct pixel-to-pixel weights.
    public static func weightMatrixElements(_ config: VAEConfig) -> Int {
        let pixels = config.inputSize, hidden = config.decoderHidden
        return [WeightCount.chain([pixels] + hidden + [pixels]),
                WeightCount.product(config.layerSizes[0], hidden.reduce(0, WeightCount.sum)),
                WeightCount.product(pixels, pixels)].reduce(0, WeightCount.sum)
    }

    public static func problem(_ config: VAEConfig) -> String? {
        if config.decoderHidden.isEmpty { return "an autoregressive decoder needs a hidden layer" }
        if let r = config.receptiveField, !(1...config.inputSize).contains(r) {
            return "the receptive field \(r) is not between 1 and the \(config.inputSize) pixels"
        }
        return nil
    }
}

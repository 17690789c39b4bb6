import Foundation

/// The lecture's autoregressive decoder (van den Oord et al. 2016, docs/THEORY.md section 6): masked 3×3
/// convolutions over the binarised image, a type-A first layer (it cannot see the pixel it predicts) and
/// residual type-B layers after it, z entering every layer through a learned per-channel projection added
/// at every pixel, and a 1×1 output to one logit per pixel plus a per-pixel bias. With L layers pixel (y, x)
/// sees the rows y − L … y − 1 and the L pixels before it on its own row: `receptiveField` counts them.
///
/// Activations are laid out one row per pixel, (images·H·W) × channels, so every convolution is its causal
/// patches times a weight matrix, one BLAS product per block of pixels; the layers run as one op
/// (`maskedConvolutionStack`) that keeps each layer's output only.
public final class PixelCNNDecoder: Likelihood {
    let height: Int, width: Int
    let latentWidth: Int
    let convolutions: [Linear]   // layer l: taps·C_in → C
    let projections: [Linear]    // layer l: z → C
    let output: Linear           // C → 1
    let pixelBias: Parameter     // 1 × pixels
    static let kernel = 3

    /// Layers named `decoder.conv0` … (the convolutions), `decoder.z0` … (z's projections), `decoder.out`,
    /// `decoder.pixel_bias`; `outputBias`, when given, starts each pixel at the data's mean.
    public init(latentSize: Int, channels: Int, layers: Int, pixels: Int, outputBias: [Float]?,
                rng: inout RandomSource) {
        let side = Int(Double(pixels).squareRoot().rounded())
        precondition(side * side == pixels && layers >= 1 && channels >= 1,
                     "a PixelCNN needs a square image and a layer")
        height = side
        width = side
        latentWidth = latentSize
        convolutions = (0..<layers).map { l in
            let taps = Tape.causalTaps(kernel: Self.kernel, includeCenter: l > 0).count
            return Linear("decoder.conv\(l)", inputs: taps * (l == 0 ? 1 : channels), outputs: channels, rng: &rng)
        }
        projections = (0..<layers).map { Linear("decoder.z\($0)", inputs: latentSize, outputs: channels, rng: &rng) }
        output = Linear("decoder.out", inputs: channels, outputs: 1, rng: &rng)
        pixelBias = Parameter("decoder.pixel_bias",
                              Tensor(rows: 1, cols: pixels, outputBias ?? [Float](repeating: 0, count: pixels)))
    }

    public var parameters: [Parameter] {
        (convolutions + projections + [output]).flatMap(\.parameters) + [pixelBias]
    }

    /// How many previous pixels the bottom row's middle pixel depends on: the offsets the type-A taps reach,
    /// grown by the type-B taps once per further layer (the residual keeps the ones reached before),
    /// counted where they fall inside the image.
    public var receptiveField: Int { Self.receptiveField(layers: convolutions.count, height: height, width: width) }
    public var receptiveFieldPixels: Int? { receptiveField }

    public static func receptiveField(layers: Int, height: Int, width: Int) -> Int {
        var reached = Set(Tape.causalTaps(kernel: kernel, includeCenter: false).map { Offset(dy: $0.dy, dx: $0.dx) })
        let b = Tape.causalTaps(kernel: kernel, includeCenter: true)
        for _ in 1..<max(1, layers) {
            reached.formUnion(reached.flatMap { s in b.map { Offset(dy: s.dy + $0.dy, dx: s.dx + $0.dx) } })
        }
        let y = height - 1, x = width / 2
        return reached.filter { y + $0.dy >= 0 && x + $0.dx >= 0 && x + $0.dx < width }.count
    }

    private struct Offset: Hashable { let dy: Int, dx: Int }

    /// "PixelCNN 6×32 r69": layers × channels, and the receptive field in pixels.
    public var summary: String { "PixelCNN \(convolutions.count)×\(convolutions[0].weight.cols) r\(receptiveField)" }
    public var isAutoregressive: Bool { true }
    /// 784 passes a draw: the Barber–Agakov bound takes 16.
    public var affordableDraws: Int { 16 }
    /// 64 images of 784 pixels × 32 channels: 6.4 MB an activation.
    public var evaluationRows: Int { 64 }

    private func input(_ z: Var, on tape: Tape) -> Var { z.cols == latentWidth ? z : tape.sliceCols(z, 0, latentWidth) }

    /// Logits of every pixel, (rows of z) × pixels, reading `seen` (B rows, or as many as z) as the image; or of
    /// the image rows `band` only, `seen` holding just those rows (exact for the band's last row when the band
    /// reaches `convolutions.count` rows above it, or the top).
    func logits(_ seen: Var, given z: Var, rows band: Range<Int>? = nil, on tape: Tape) -> Var {
        let context = input(z, on: tape)
        let rows = band?.count ?? height, pixels = rows * width
        // Each layer's bias and z's projection, one row per draw of z; the image's draws share its patches.
        let shifts = zip(convolutions, projections).map { conv, projection in
            tape.add(projection(context, on: tape), tape.param(conv.bias))
        }
        let h = tape.maskedConvolutionStack(tape.reshape(seen, seen.rows * pixels, 1),
                                            weights: convolutions.map { tape.param($0.weight) }, shifts: shifts,
                                            height: rows, width: width, kernel: Self.kernel)
        let perPixel = output(h, on: tape)
        let bias = band.map { tape.sliceCols(tape.param(pixelBias), $0.lowerBound * width, pixels) }
            ?? tape.param(pixelBias)
        return tape.add(tape.reshape(perPixel, context.rows, pixels), bias)
    }

    public func logLikelihood(_ x: Tensor, given z: Var, on tape: Tape) -> Var {
        logLikelihood(x, seeing: x, given: z, on: tape)
    }

    public func logLikelihood(_ x: Tensor, seeing seen: Tensor, given z: Var, on tape: Tape) -> Var {
        tape.bernoulliLogLikelihood(logits: logits(Var(constant: seen), given: z, on: tape), targets: x)
    }

    public func probabilities(_ x: Tensor?, given z: Var, on tape: Tape) -> Var {
        guard let x else { preconditionFailure("an autoregressive decoder's probabilities need the previous pixels") }
        return tape.sigmoid(logits(Var(constant: x), given: z, on: tape))
    }

    /// x ~ p(x|z) one pixel at a time. Pixel (y, x) reads only the rows y − L … y (L layers), so each pass runs
    /// on that band of rows, not the whole image: about (L + 1)/H of a full pass.
    public func sample(_ z: Var, rng: inout RandomSource) -> Tensor {
        let tape = Tape(recording: false)
        let n = z.rows
        var x = Tensor(zeros: n, height * width)
        for y in 0..<height {
            let band = max(0, y - convolutions.count)..<(y + 1)
            let offset = band.lowerBound * width, last = (band.count - 1) * width
            for column in 0..<width {
                let seen = x.columns(offset, band.count * width)
                let l = logits(Var(constant: seen), given: z, rows: band, on: tape).value
                for r in 0..<n {
                    x[r, y * width + column] = rng.bernoulli(1 / (1 + Foundation.exp(-l[r, last + column])))
                }
            }
        }
        return x
    }
}

extension PixelCNNDecoder: DecoderFamily {
    public static let title = "PixelCNN"
    public static let isAutoregressive = true

    /// Six masked layers of 32 channels, as the collapse lab's decoder.
    public static func defaultHidden(encoderHidden: [Int]) -> [Int] { [Int](repeating: 32, count: 6) }

    public static func make(_ config: VAEConfig, outputBias: [Float]?, rng: inout RandomSource) -> any Likelihood {
        PixelCNNDecoder(latentSize: config.layerSizes[0], channels: config.pixelCNNChannels,
                        layers: config.pixelCNNLayers, pixels: config.inputSize, outputBias: outputBias, rng: &rng)
    }

    public static func summary(_ config: VAEConfig) -> String {
        "decoder PixelCNN \(config.pixelCNNLayers) masked 3x3 layers of \(config.pixelCNNChannels) channels"
    }

    /// The masked 3x3 layers (at least one tap each) and z's projection into each.
    public static func weightMatrixElements(_ config: VAEConfig) -> Int {
        let channels = config.pixelCNNChannels, layers = config.pixelCNNLayers
        return WeightCount.sum(WeightCount.product(layers - 1, WeightCount.product(channels, channels)),
                               WeightCount.product(layers, WeightCount.product(config.layerSizes[0], channels)))
    }

    public static func problem(_ config: VAEConfig) -> String? {
        if config.decoderHidden.isEmpty { return "an autoregressive decoder needs a hidden layer" }
        let side = Int(Double(config.inputSize).squareRoot().rounded())
        if side * side != config.inputSize { return "a PixelCNN needs square images, not \(config.inputSize) pixels" }
        if let r = config.receptiveField, !(1...side).contains(r) {
            return "a PixelCNN's receptive field \(r) is not between 1 and the \(side) rows"
        }
        return nil
    }
}

extension VAEConfig {
    /// A PixelCNN's layers (the receptive field, when given, else one per entry of `decoderHidden`) and channels.
    public var pixelCNNLayers: Int { receptiveField ?? decoderHidden.count }
    public var pixelCNNChannels: Int { decoderHidden.first ?? 1 }
}

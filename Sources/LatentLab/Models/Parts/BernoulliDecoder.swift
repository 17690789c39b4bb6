import Foundation

/// p(x|z) = Π_d Bernoulli(x_d; sigmoid(l_d(z))): an MLP giving logits, scored in the softplus form.
public final class BernoulliDecoder: Likelihood {
    let network: MLP  // z → logits, layers named `decoder.0`, `decoder.1`, …
    /// The units of z it reads: the first `inputWidth` (z_1 of a hierarchy; all of z otherwise).
    let inputWidth: Int

    /// `outputBias`, when given, initialises the last layer's bias, usually to the logit of the mean pixel.
    public init(latentSize: Int, hidden: [Int], outputSize: Int, activation: Activation, outputBias: [Float]?,
                rng: inout RandomSource) {
        inputWidth = latentSize
        network = MLP("decoder", sizes: [latentSize] + hidden + [outputSize], activation: activation, rng: &rng)
        if let outputBias {
            precondition(outputBias.count == outputSize, "output bias size")
            network.layers.last!.bias.assign(Tensor(rows: 1, cols: outputSize, outputBias))
        }
    }

    public var parameters: [Parameter] { network.parameters }
    public var summary: String { "Bern" }

    /// Bernoulli logits of p(x|z).
    public func logits(_ z: Var, on tape: Tape) -> Var { network(input(z, on: tape), on: tape) }

    private func input(_ z: Var, on tape: Tape) -> Var { z.cols == inputWidth ? z : tape.sliceCols(z, 0, inputWidth) }

    /// Through the fused output layer: the same numbers as `bernoulliLogLikelihood(logits:)` without
    /// keeping the logits.
    public func logLikelihood(_ x: Tensor, given z: Var, on tape: Tape) -> Var {
        let output = network.layers.last!
        return tape.bernoulliOutput(network.lastHidden(input(z, on: tape), on: tape), weight: tape.param(output.weight),
                                    bias: tape.param(output.bias), targets: x)
    }

    /// E[x|z]: the pixels do not depend on each other, so x is not needed.
    public func probabilities(_ x: Tensor?, given z: Var, on tape: Tape) -> Var { tape.sigmoid(logits(z, on: tape)) }

    /// logit(clamp(m, 1e-3, 1 − 1e-3)) per pixel: the output bias that starts the decoder at the data mean.
    public static func logitBias(meanIntensity: [Float]) -> [Float] {
        meanIntensity.map { m in
            let c = min(max(m, 1e-3), 1 - 1e-3)
            return Foundation.log(c / (1 - c))
        }
    }
}

extension BernoulliDecoder: DecoderFamily {
    public static let title = "factorised Bernoulli"
    public static let isAutoregressive = false

    /// The encoder's layers mirrored.
    public static func defaultHidden(encoderHidden: [Int]) -> [Int] { encoderHidden.reversed() }

    public static func make(_ config: VAEConfig, outputBias: [Float]?, rng: inout RandomSource) -> any Likelihood {
        BernoulliDecoder(latentSize: config.layerSizes[0], hidden: config.decoderHidden, outputSize: config.inputSize,
                         activation: config.activation, outputBias: outputBias, rng: &rng)
    }

    public static func summary(_ config: VAEConfig) -> String { "decoder \(config.decoderSizes)" }

    public static func weightMatrixElements(_ config: VAEConfig) -> Int {
        WeightCount.chain([config.layerSizes[0]] + config.decoderHidden + [config.inputSize])
    }

    public static func problem(_ config: VAEConfig) -> String? {
        config.receptiveField == nil ? nil : "a receptive field needs an autoregressive decoder"
    }
}

import Foundation

/// A VAE with a diagonal-Gaussian posterior q(z|x) = N(μ(x), diag e^{logvar(x)}), prior N(0, I)
/// and a Bernoulli decoder p(x|z) given by logits.
public final class VAE {
    public let config: VAEConfig
    let encoder: MLP          // x → last hidden layer (activation applied after it too)
    let meanHead: Linear      // hidden → μ
    let logVarianceHead: Linear  // hidden → log σ²
    let decoder: MLP          // z → logits

    /// Fresh weights (Glorot uniform). `outputBias`, when given, initialises the decoder's output
    /// bias, usually to the logit of the mean training pixel.
    public init(_ config: VAEConfig, seed: UInt64, outputBias: [Float]? = nil) {
        self.config = config
        var rng = RandomSource(seed: seed)
        let lastHidden = config.encoderHidden.last ?? config.inputSize
        encoder = MLP("encoder", sizes: [config.inputSize] + config.encoderHidden, activation: config.activation, rng: &rng)
        meanHead = Linear("encoder.mean", inputs: lastHidden, outputs: config.latentSize, rng: &rng)
        logVarianceHead = Linear("encoder.logvar", inputs: lastHidden, outputs: config.latentSize, rng: &rng)
        decoder = MLP("decoder", sizes: [config.latentSize] + config.decoderHidden + [config.inputSize],
                      activation: config.activation, rng: &rng)
        if let outputBias {
            precondition(outputBias.count == config.inputSize, "output bias size")
            decoder.layers.last!.bias.assign(Tensor(rows: 1, cols: config.inputSize, outputBias))
        }
    }

    /// Every trainable parameter, in a fixed order (the checkpoint order).
    public var parameters: [Parameter] {
        encoder.parameters + meanHead.parameters + logVarianceHead.parameters + decoder.parameters
    }

    /// The posterior's parameters for a batch: μ and log σ², each B×latent.
    public func encode(_ x: Var, on tape: Tape) -> (mean: Var, logVariance: Var) {
        var h = x
        if !config.encoderHidden.isEmpty { h = config.activation.apply(encoder(x, on: tape), on: tape) }
        return (meanHead(h, on: tape), logVarianceHead(h, on: tape))
    }

    /// Bernoulli logits of p(x|z).
    public func decode(_ z: Var, on tape: Tape) -> Var { decoder(z, on: tape) }

    /// log p(x|z) for each row of z (k·B rows against B rows of x, sample-major), through the fused output
    /// layer: the same numbers as `bernoulliLogLikelihood(logits: decode(z))` without keeping the logits.
    public func logLikelihood(_ x: Tensor, given z: Var, on tape: Tape) -> Var {
        let output = decoder.layers.last!
        return tape.bernoulliOutput(decoder.lastHidden(z, on: tape), weight: tape.param(output.weight),
                                    bias: tape.param(output.bias), targets: x)
    }

    /// `count` draws from the prior p(z) = N(0, I).
    public func samplePrior(_ count: Int, rng: inout RandomSource) -> Tensor {
        rng.normalTensor(count, config.latentSize)
    }

    /// H(z) of the prior N(0, I) in nats, d/2·log(2πe): the closed form the Barber–Agakov bound needs,
    /// kept beside `samplePrior` so a different prior has to change both.
    public var priorEntropy: Double { Double(config.latentSize) / 2 * (1 + Foundation.log(2 * Double.pi)) }

    /// z = μ + σ·ε for k samples per example, stacked sample-major: row s·B + i is sample s of example i.
    public func sample(mean: Var, logVariance: Var, k: Int, noise: Tensor, on tape: Tape) -> Var {
        precondition(noise.rows == k * mean.rows, "noise \(noise.shape) for \(k) samples of \(mean.rows) examples")
        return tape.reparameterize(mean: mean, logVariance: logVariance, noise: noise)
    }

    /// logit(clamp(m, 1e-3, 1 − 1e-3)) per pixel: the decoder's output bias that starts it at the data mean.
    public static func logitBias(meanIntensity: [Float]) -> [Float] {
        meanIntensity.map { m in
            let c = min(max(m, 1e-3), 1 - 1e-3)
            return Foundation.log(c / (1 - c))
        }
    }
}

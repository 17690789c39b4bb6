import Foundation

/// q(z|x) = N(μ(x), diag e^{logvar(x)}): an MLP with a mean head and a log-variance head.
public final class DiagonalGaussianPosterior: Posterior, MinimumRatePosterior {
    let layer: GaussianLayer
    public let latentSize: Int
    /// δ-VAE's floor on each unit's KL against N(0, 1); 0 is off.
    public var minimumRate: Float = 0

    /// Layers named `encoder.0`, … `encoder.mean`, `encoder.logvar` (the checkpoint names).
    public init(inputSize: Int, hidden: [Int], latentSize: Int, activation: Activation, rng: inout RandomSource) {
        self.latentSize = latentSize
        layer = GaussianLayer("encoder", inputs: inputSize, hidden: hidden, outputs: latentSize, activation: activation,
                              rng: &rng)
    }

    var encoder: MLP? { layer.network }
    var meanHead: Linear { layer.meanHead }
    var logVarianceHead: Linear { layer.logVarianceHead }

    public var parameters: [Parameter] { layer.parameters }
    public var summary: String { "Gauss" }

    public func encode(_ x: Var, on tape: Tape) -> PosteriorEncoding { encode(x, keepingContext: false, on: tape) }

    /// With `keepingContext` the encoder's last hidden layer comes along as the context (for a flow on top).
    func encode(_ x: Var, keepingContext: Bool, on tape: Tape) -> PosteriorEncoding {
        let (mean, rawLogVariance, h) = layer(x, on: tape)
        let logVariance = minimumRate > 0
            ? MinimumRate.capped(rawLogVariance, rate: minimumRate, on: tape) : rawLogVariance
        return PosteriorEncoding(mean: mean, logVariance: logVariance, context: keepingContext ? h : nil)
    }

    public func draw(_ e: PosteriorEncoding, noise: Tensor, on tape: Tape) -> (z: Var, logQUnits: Var) {
        let (z, units) = GaussianLayer.draw(mean: e.mean, logVariance: e.logVariance, noise: noise, on: tape)
        return (z, units)
    }

    public func logDensity(_ z: Var, _ e: PosteriorEncoding, on tape: Tape) -> Var {
        let times = z.rows / max(e.mean.rows, 1)
        let (mean, logVariance) = times == 1
            ? (e.mean, e.logVariance) : (tape.tileRows(e.mean, times), tape.tileRows(e.logVariance, times))
        return tape.sum(tape.gaussianLogDensity(z, mean: mean, logVariance: logVariance), axis: 1)
    }

    /// Σ_d (z_id − μ_jd)² / σ²_jd = (z∘z)·Pᵀ − 2 z·(μ∘P)ᵀ + Σ_d μ²_jd P_jd
    /// with P = e^{−logvar}: three products instead of B² density evaluations.
    public func pairwiseLogDensities(_ z: Tensor, _ e: PosteriorEncoding) -> Tensor {
        Self.pairwiseLogDensities(z, mean: e.mean.value, logVariance: e.logVariance.value)
    }

    static func pairwiseLogDensities(_ z: Tensor, mean mu: Tensor, logVariance lv: Tensor) -> Tensor {
        let b = mu.rows, d = mu.cols
        precondition(z.rows == b && z.cols == d, "one draw per example")
        let mean = mu.scalars, logVariance = lv.scalars
        let precision = logVariance.map { FastMath.exp(-$0) }
        let weightedMean = zip(mean, precision).map { $0 * $1 }
        let constant = densityConstants(mean: mean, weightedMean: weightedMean, logVariance: logVariance, units: d)
        let squares = Tensor(rows: b, cols: d, z.scalars.map { $0 * $0 })
        let quadratic = squares.matmul(Tensor(rows: b, cols: d, precision), transposeOther: true).scalars  // B×B
        let cross = z.matmul(Tensor(rows: b, cols: d, weightedMean), transposeOther: true).scalars        // B×B
        return Tensor(rows: b, cols: b, (0..<(b * b)).map { k in
            -0.5 * (quadratic[k] - 2 * cross[k] + constant[k % b])
        })
    }

    /// Σ_d μ²_jd P_jd + logvar_jd + log 2π for each example j: the part of −2 log q that does not depend on z.
    private static func densityConstants(mean: [Float], weightedMean: [Float], logVariance: [Float],
                                         units d: Int) -> [Float] {
        let log2pi = Float(Foundation.log(2 * Double.pi))
        return (0..<(mean.count / d)).map { j in
            var c: Float = 0
            for k in (j * d)..<((j + 1) * d) { c += mean[k] * weightedMean[k] + logVariance[k] + log2pi }
            return c
        }
    }

    public func moments(_ e: PosteriorEncoding, rng: inout RandomSource) -> PosteriorMoments {
        PosteriorMoments(mean: e.mean.value,
                         deviation: Tape(recording: false).exp(Var(constant: e.logVariance.value.scaled(0.5))).value,
                         draws: 0)
    }

    public var hasCheapDensity: Bool { true }

    public func closedFormKL(_ e: PosteriorEncoding, against prior: any Prior, on tape: Tape) -> Var? {
        prior is StandardNormalPrior ? tape.gaussianKL(mean: e.mean, logVariance: e.logVariance) : nil
    }
}

extension DiagonalGaussianPosterior: PosteriorFamily {
    public static let title = "diagonal Gaussian"

    public static func make(on base: DiagonalGaussianPosterior, _ config: VAEConfig,
                            rng: inout RandomSource) -> any Posterior { base }

    /// Two or more layers are the IWAE paper's hierarchy of diagonal Gaussians.
    public static func make(_ config: VAEConfig, rng: inout RandomSource) -> any Posterior {
        if config.layerSizes.count > 1 { return HierarchicalPosterior(config, flow: nil, rng: &rng) }
        return DiagonalGaussianPosterior(inputSize: config.inputSize, hidden: config.encoderHidden,
                                         latentSize: config.latentSize, activation: config.activation, rng: &rng)
    }

    public static func summary(_ config: VAEConfig) -> String { "" }
    public static func extraWeightMatrixElements(_ config: VAEConfig) -> Int { 0 }
    public static func problem(_ config: VAEConfig) -> String? { nil }
}

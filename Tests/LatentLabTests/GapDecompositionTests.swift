import Foundation
import Testing
@testable import LatentLab

/// p(x|z) = N(x; zW + b, σ²I): the engine's decoders are Bernoulli or autoregressive, and a Gaussian one makes
/// the exact posterior a Gaussian, in closed form, so local inference has a known answer.
final class LinearGaussianLikelihood: Likelihood {
    let weight: Parameter   // d×D: row j is column j of the usual D×d W
    let bias: Parameter     // 1×D
    let logVariance: Float

    init(weight: Tensor, bias: Tensor, logVariance: Float) {
        self.weight = Parameter("decoder.weight", weight)
        self.bias = Parameter("decoder.bias", bias)
        self.logVariance = logVariance
    }

    var parameters: [Parameter] { [weight, bias] }
    var summary: String { "Gauss" }

    func logLikelihood(_ x: Tensor, given z: Var, on tape: Tape) -> Var {
        let mean = tape.linear(z, tape.param(weight), tape.param(bias))
        let targets = Var(constant: z.rows == x.rows ? x : x.tiledRows(z.rows / x.rows))
        let variances = [Float](repeating: logVariance, count: mean.value.count)
        let lv = Var(constant: Tensor(rows: mean.rows, cols: mean.cols, variances))
        return tape.sum(tape.gaussianLogDensity(targets, mean: mean, logVariance: lv), axis: 1)
    }

    func probabilities(_ x: Tensor?, given z: Var, on tape: Tape) -> Var {
        tape.linear(z, tape.param(weight), tape.param(bias))
    }
}

@Suite struct GapDecompositionTests {
    /// W's columns (1, 0, 1, 0) and (0, ½, 0, −½) are orthogonal, so with σ² = ½ the posterior is diagonal with
    /// variances 1/(1 + |w_j|²/σ²) = 0.2 and 0.5.
    static let weight: [Float] = [1, 0, 1, 0, 0, 0.5, 0, -0.5]
    static let bias: [Float] = [0.1, -0.2, 0, 0.3]
    static let noiseVariance = 0.5
    static let images: [[Float]] = [[1, 0.5, 0.8, -0.3], [-1.2, 0.4, -0.7, 0.9], [0.2, -1, 0.1, 1.1]]

    static func linearGaussianModel() -> VAE {
        let config = VAEConfig(inputSize: 4, encoderHidden: [8], latentSize: 2, decoderHidden: [], activation: .tanh)
        var rng = RandomSource(seed: 3)
        let encoder = DiagonalGaussianPosterior(inputSize: 4, hidden: [8], latentSize: 2, activation: .tanh, rng: &rng)
        let decoder = LinearGaussianLikelihood(weight: Tensor(rows: 2, cols: 4, weight),
                                               bias: Tensor(rows: 1, cols: 4, bias),
                                               logVariance: Float(Foundation.log(noiseVariance)))
        return VAE(config: config, posterior: encoder, prior: StandardNormalPrior(latentSize: 2), likelihood: decoder)
    }

    /// The exact posterior's means and log-variances, and log p(x) = log N(x; b, WWᵀ + σ²I) by the determinant
    /// lemma and Woodbury's identity with WᵀW diagonal.
    static func exact(_ x: [Float]) -> (mean: [Double], logVariance: [Double], logMarginal: Double) {
        let s2 = noiseVariance, r = zip(x, bias).map { Double($0 - $1) }
        var mean = [Double](), logVariance = [Double]()
        var logDet = 4 * Foundation.log(s2), quadratic = r.reduce(0) { $0 + $1 * $1 }
        for j in 0..<2 {
            let w = (0..<4).map { Double(weight[j * 4 + $0]) }
            let c = w.reduce(0) { $0 + $1 * $1 }, projection = zip(w, r).reduce(0) { $0 + $1.0 * $1.1 }
            let variance = 1 / (1 + c / s2)
            mean.append(variance * projection / s2)
            logVariance.append(Foundation.log(variance))
            logDet += Foundation.log(1 + c / s2)
            quadratic -= projection * projection / (s2 + c)
        }
        return (mean, logVariance, -0.5 * (4 * Foundation.log(2 * Double.pi) + logDet + quadratic / s2))
    }

    static let local = LocalOptimisationSettings(steps: 3000, learningRate: 0.05, samplesPerStep: 10, window: 50)

    @Test func localInferenceFindsTheExactPosteriorWhenTheFamilyHoldsIt() {
        let model = Self.linearGaussianModel()
        let x = Tensor(rows: 3, cols: 4, Array(Self.images.joined()))
        var rng = RandomSource(seed: 11)
        let result = LocalOptimisation.optimise(model: model, x: x, settings: Self.local, rng: &rng)
        for (i, image) in Self.images.enumerated() {
            let truth = Self.exact(image)
            for j in 0..<2 {
                #expect(abs(Double(result.encoding.mean.value[i, j]) - truth.mean[j]) < 0.05,
                        "image \(i) unit \(j): mean \(result.encoding.mean.value[i, j]) vs \(truth.mean[j])")
                let found = result.encoding.logVariance.value[i, j]
                #expect(abs(Double(found) - truth.logVariance[j]) < 0.1,
                        "image \(i) unit \(j): log-variance \(found) vs \(truth.logVariance[j])")
            }
        }
        let gaps = GapAnalysis.decompose(model: model, x: x, local: Self.local, samples: 1000, importanceSamples: 5000,
                                         seed: 2)
        for (i, image) in Self.images.enumerated() {
            let truth = Self.exact(image).logMarginal, approximation = gaps.approximationGaps[i]
            #expect(abs(Double(gaps.logMarginal[i]) - truth) < 0.02, "L_5000 \(gaps.logMarginal[i]) vs \(truth)")
            #expect(abs(approximation.value) < 4 * approximation.standardError + 0.02, "\(approximation)")
            let optimum = gaps.localELBO[i]
            #expect(abs(Double(optimum.value) - truth) < 4 * Double(optimum.standardError) + 0.01,
                    "L[q*] \(optimum) vs \(truth)")
            #expect(gaps.amortisationGaps[i].value > 0.1, "the random encoder is far off: \(gaps.amortisationGaps[i])")
        }
    }

    /// A 2-D latent and 16 Bernoulli pixels, the decoder sharpened so the posterior is far from the prior.
    static func bernoulliModel(_ posterior: LatentPosterior = .diag, layers: [Int]? = nil) -> VAE {
        let config = VAEConfig(inputSize: 16, encoderHidden: [8], latentSize: 2, decoderHidden: [8], activation: .tanh,
                               posterior: posterior, flowHidden: 8, layers: layers, upperHidden: [4])
        let model = VAE(config, seed: 7)
        for p in model.parameters where p.name.hasPrefix("decoder") { p.assign(p.value.scaled(3)) }
        return model
    }

    /// Binary images drawn from the model itself.
    static func sampledImages(_ model: VAE, count: Int) -> Tensor {
        var rng = RandomSource(seed: 5)
        return model.likelihood.sample(Var(constant: model.samplePrior(count, rng: &rng)), rng: &rng)
    }

    @Test func thePartsAddUpToTheExactInferenceGap() {
        let model = Self.bernoulliModel(), x = Self.sampledImages(model, count: 3)
        let local = LocalOptimisationSettings(steps: 500, learningRate: 0.03)
        let gaps = GapAnalysis.decompose(model: model, x: x, local: local,
                                         samples: 1000, importanceSamples: 5000, seed: 4)
        for i in 0..<x.rows {
            let exact = exactLogMarginal(model, (0..<16).map { x[i, $0] }, halfWidth: 7, points: 281)
            let approximation = gaps.approximationGaps[i], amortisation = gaps.amortisationGaps[i]
            let elbo = gaps.amortisedELBO[i], noise = 4 * Double(amortisation.standardError + elbo.standardError) + 0.02
            let parts = Double(approximation.value + amortisation.value)
            #expect(abs(parts - (exact - Double(elbo.value))) < noise,
                    "image \(i): \(approximation) + \(amortisation) vs log p(x) \(exact) − ELBO \(elbo)")
            #expect(Double(approximation.value) > -4 * Double(approximation.standardError) - 0.02, "\(approximation)")
        }
    }

    /// Each family's local fields move, and no image's ELBO falls beyond noise.
    @Test(arguments: [(LatentPosterior.diag, nil), (.full, nil), (.iaf, nil), (.diag, [2, 1])]
          as [(LatentPosterior, [Int]?)])
    func localInferenceNeverLowersAnELBO(posterior: LatentPosterior, layers: [Int]?) {
        let model = Self.bernoulliModel(posterior, layers: layers), x = Self.sampledImages(model, count: 4)
        let local = LocalOptimisationSettings(steps: 200, learningRate: 0.03)
        let start = model.encode(Var(constant: x), on: Tape(recording: false))
        var rng = RandomSource(seed: 9)
        let result = LocalOptimisation.optimise(model: model, x: x, from: start, settings: local, rng: &rng)
        #expect(result.steps > 0 && result.steps <= local.steps)
        let moved = [(start.mean, result.encoding.mean), (start.context, result.encoding.context),
                     (start.lowerCholesky, result.encoding.lowerCholesky)].compactMap { a, b in a.map { ($0, b!) } }
        for (before, after) in moved {
            #expect(before.value.scalars != after.value.scalars, "a local field stayed put")
        }
        var a = RandomSource(seed: 1), b = RandomSource(seed: 2)
        let optimised = GapAnalysis.elbo(model: model, x: x, encoding: result.encoding, samples: 1000, rng: &a)
        let amortised = GapAnalysis.elbo(model: model, x: x, encoding: start, samples: 1000, rng: &b)
        for (q, phi) in zip(optimised, amortised) {
            let noise = (q.standardError * q.standardError + phi.standardError * phi.standardError).squareRoot()
            #expect(q.value >= phi.value - 4 * noise, "local ELBO \(q) below the encoder's \(phi)")
        }
    }
}

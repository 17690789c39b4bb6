import Foundation

/// What the latent map and the image pane show of the model, rebuilt after each held-out evaluation from one
/// encoding of fixed test images: each q(z|x) as mean and deviation (a flow's from draws, then also drawn as
/// a cloud), a mixture prior's components or prior draws for another prior than N(0, I), reconstructions and
/// samples. Its draws have their
/// own stream, apart from training's, so looking does not change what is trained.
struct SessionPictures {
    /// The screen's own draws are seeded this far from training's.
    static let displayStreamOffset: UInt64 = 77
    /// Prior draws the latent map shows for a prior other than N(0, I).
    static let priorDraws = 400
    /// Draws the latent map shows of each point's q(z|x) when q is not a Gaussian.
    static let cloudDraws = 12
    /// How many test images the image pane shows.
    static let imageCount = 6
    /// Least seconds between two sets of prior samples from an autoregressive decoder.
    static let autoregressiveSampleInterval = 5.0

    /// The first test images, whose posteriors the latent map draws and whose first few the image pane shows.
    private let shown: Tensor
    private let shownLabels: [Int]
    private let imageInputs: [[Float]]
    private var rng: RandomSource
    private let clock = ContinuousClock()
    private var lastAutoregressiveSamples = ContinuousClock().now

    init(test: BinaryImages, images: ImageDataset, mapPoints: Int, seed: UInt64) {
        shown = test.batch(0..<min(max(mapPoints, Self.imageCount), test.count))
        shownLabels = test.labels[0..<min(mapPoints, test.count)].map(Int.init)
        let d = images.dimension
        imageInputs = (0..<min(Self.imageCount, images.count)).map { i in
            (0..<d).map { Float(images.pixels[i * d + $0]) / 255 }
        }
        rng = RandomSource(seed: seed &+ Self.displayStreamOffset)
    }

    /// The snapshot's posterior and images for `model`.
    mutating func update(_ snapshot: inout Snapshot, model: VAE, step: Int, freeRunning: Bool, images: ImageDataset) {
        let tape = Tape(recording: false)
        let encoding = model.encode(Var(constant: shown), on: tape)
        let moments = model.posterior.moments(encoding, rng: &rng)
        snapshot.posterior = posterior(model, mean: moments.mean, deviation: moments.deviation)
        if moments.draws > 0 { snapshot.posterior.draws = cloud(model, encoding, on: tape) }
        snapshot.images = self.images(model, mean: Var(constant: moments.mean), previous: snapshot.images, step: step,
                                      freeRunning: freeRunning, data: images, on: tape)
        snapshot.manifold = LatentManifold.make(model: model, width: images.width, height: images.height)
    }

    /// `cloudDraws` draws from q(z|x) of each point on the map, [point][draw][unit].
    private mutating func cloud(_ model: VAE, _ encoding: PosteriorEncoding, on tape: Tape) -> [[[Float]]] {
        let n = shownLabels.count, b = encoding.mean.rows, d = model.config.latentSize
        let z = model.posterior.draw(encoding, noise: rng.normalTensor(Self.cloudDraws * b, d), on: tape).z.value
        return (0..<n).map { i in (0..<Self.cloudDraws).map { s in (0..<d).map { z[s * b + i, $0] } } }
    }

    private mutating func posterior(_ model: VAE, mean mu: Tensor, deviation: Tensor) -> Snapshot.Posterior {
        var p = Snapshot.Posterior()
        let d = mu.cols
        for i in 0..<shownLabels.count {
            p.means.append((0..<d).map { mu[i, $0] })
            p.deviations.append((0..<d).map { deviation[i, $0] })
        }
        p.labels = shownLabels
        if let mixture = model.prior as? any GaussianMixturePrior {
            let (means, deviations) = mixture.componentMoments()
            p.priorMeans = (0..<means.rows).map { k in (0..<d).map { means[k, $0] } }
            p.priorDeviations = (0..<deviations.rows).map { k in (0..<d).map { deviations[k, $0] } }
        } else if !(model.prior is StandardNormalPrior) {
            let draws = model.samplePrior(Self.priorDraws, rng: &rng)
            p.priorSamples = (0..<draws.rows).map { i in (0..<draws.cols).map { draws[i, $0] } }
        }
        return p
    }

    /// The shown inputs (grey levels), their reconstructions at the posterior mean (for an autoregressive
    /// decoder, its probabilities given the true previous pixels, or free-running its draws given z), and
    /// samples from the prior: E[x|z] for a factorised decoder, draws made pixel by pixel for an
    /// autoregressive one; draws at most every `autoregressiveSampleInterval` seconds.
    private mutating func images(_ model: VAE, mean mu: Var, previous: Snapshot.Images, step: Int, freeRunning: Bool,
                                 data: ImageDataset, on tape: Tape) -> Snapshot.Images {
        var result = previous
        result.width = data.width
        result.height = data.height
        let n = imageInputs.count
        guard n > 0, data.dimension == model.config.inputSize else { return Snapshot.Images() }
        let d = data.dimension
        result.inputs = imageInputs
        let likelihood = model.likelihood
        let drawn = likelihood.isAutoregressive
        let stale = clock.now - lastAutoregressiveSamples >= .seconds(Self.autoregressiveSampleInterval)
        let redraw = !drawn || stale || result.samples.count != n
        let z = tape.sliceRows(mu, 0, n)
        if !(drawn && freeRunning) {
            let reconstruction = likelihood.probabilities(shown.rowBlock(0, n), given: z, on: tape).value
            result.reconstructions = (0..<n).map { i in (0..<d).map { reconstruction[i, $0] } }
        } else if redraw {
            let reconstruction = likelihood.sample(z, rng: &rng)
            result.reconstructions = (0..<n).map { i in (0..<d).map { reconstruction[i, $0] } }
        }
        result.reconstructionsAreDraws = drawn && freeRunning
        if redraw {
            let z = Var(constant: model.samplePrior(n, rng: &rng))
            let prior = drawn
                ? likelihood.sample(z, rng: &rng) : likelihood.probabilities(nil, given: z, on: tape).value
            result.samples = (0..<n).map { i in (0..<d).map { prior[i, $0] } }
            result.samplesStep = step
            result.samplesAreDraws = drawn
            if drawn { lastAutoregressiveSamples = clock.now }
        }
        return result
    }
}

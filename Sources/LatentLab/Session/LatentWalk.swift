import Foundation

/// Where the user stands in latent space: a reference image (one of the image pane's test images) whose
/// posterior mean holds every unit not being moved, a cursor on the latent map's two units, and the unit a
/// traversal sweeps. The screen sends it (`Command.latentWalk`); the engine decodes what it asks for.
public struct LatentWalkRequest: Sendable, Equatable {
    public var reference = 0
    /// The map's units, and the cursor's value in each (in z, the prior's standard deviations).
    public var first = 0, second = 1
    public var cursorFirst: Float = 0, cursorSecond: Float = 0
    /// The unit the traversal sweeps.
    public var traversed = 0

    public init() {}
}

/// What the request decodes to: the image at the cursor and the traversal's row, as E[x|z] (a factorised
/// decoder) or as draws made pixel by pixel (an autoregressive one, refreshed on the images' time budget).
public struct LatentWalk: Sendable, Equatable {
    /// The traversal's values of its unit: the prior's −3σ to +3σ.
    public static let sweep: [Float] = [-3, -2, -1, 0, 1, 2, 3]

    public var request = LatentWalkRequest()
    public var cursorImage: [Float] = []
    public var traversal: [[Float]] = []
    public var areDraws = false
    /// The training step the images were decoded at.
    public var step = 0

    public init() {}

    /// The latent codes of the cursor and of each traversal step: the reference's posterior mean with the
    /// moved units set. Units past the latent's size are left alone.
    static func codes(_ request: LatentWalkRequest, base: [Float]) -> Tensor {
        let d = base.count
        var z = Tensor(uninitialized: 1 + sweep.count, d)
        for r in 0..<z.rows { for j in 0..<d { z[r, j] = base[j] } }
        if request.first < d { z[0, request.first] = request.cursorFirst }
        if request.second < d { z[0, request.second] = request.cursorSecond }
        if request.traversed < d {
            for (i, value) in sweep.enumerated() { z[1 + i, request.traversed] = value }
        }
        return z
    }

    /// The walk under `model` from the posterior means of the reference images ([image][unit]).
    static func make(_ request: LatentWalkRequest, model: VAE, means: [[Float]], step: Int,
                     rng: inout RandomSource) -> LatentWalk? {
        guard !means.isEmpty else { return nil }
        let reference = min(max(request.reference, 0), means.count - 1)
        let z = codes(request, base: means[reference])
        let likelihood = model.likelihood
        let images = likelihood.isAutoregressive
            ? likelihood.sample(Var(constant: z), rng: &rng)
            : likelihood.probabilities(nil, given: Var(constant: z), on: Tape(recording: false)).value
        var walk = LatentWalk()
        walk.request = request
        walk.request.reference = reference
        let n = images.cols
        walk.cursorImage = (0..<n).map { images[0, $0] }
        walk.traversal = (1..<z.rows).map { r in (0..<n).map { images[r, $0] } }
        walk.areDraws = likelihood.isAutoregressive
        walk.step = step
        return walk
    }
}

/// The engine's side of the walk: the last request, and the stream and time budget of an autoregressive
/// decoder's draws.
struct LatentWalker {
    /// The walk's draws are seeded this far from training's.
    static let streamOffset: UInt64 = 79

    var request: LatentWalkRequest?
    private var rng: RandomSource
    private var lastDraws = ContinuousClock.now

    init(seed: UInt64) { rng = RandomSource(seed: seed &+ Self.streamOffset) }

    /// The walk for the last request: decoded at once for a factorised decoder, whose E[x|z] costs one pass;
    /// an autoregressive decoder's draws (a pass per pixel) only at an evaluation (`onRequest` false) and at
    /// most every `SessionPictures.autoregressiveSampleInterval` seconds, as the image pane's samples.
    mutating func refresh(model: VAE, means: [[Float]], step: Int, onRequest: Bool,
                          current: LatentWalk?) -> LatentWalk? {
        guard let request else { return current }
        if model.likelihood.isAutoregressive {
            let due = ContinuousClock.now - lastDraws >= .seconds(SessionPictures.autoregressiveSampleInterval)
            guard !onRequest && (due || current == nil) else { return current }
            lastDraws = .now
        }
        return LatentWalk.make(request, model: model, means: means, step: step, rng: &rng)
    }
}

/// Everything the dashboard shows, as plain values: published by the engine thread every few steps,
/// copied out by the UI, never shared mutably. Arrays are copy-on-write, so publishing is cheap.
public struct Snapshot: Sendable, Equatable {
    /// One point of a curve (a run's history, read back from its log, has the same).
    public typealias Point = CurvePoint

    /// A knob change, marked on the curves' time axis.
    public typealias Marker = CurveMarker

    /// The curves, each a time series over training steps (nats per image).
    public struct Curves: Sendable, Equatable, Codable {
        public var trainLoss: [Point] = []      // −bound on training batches (smoothed over the publish interval)
        public var testLoss: [Point] = []       // −ELBO on the held-out probe set
        public var testRate: [Point] = []       // its rate and distortion, for the rate-distortion plane
        public var testDistortion: [Point] = []
        public var rate: [Point] = []           // KL(q(z|x) ‖ p(z)) on training batches
        public var distortion: [Point] = []     // −E log p(x|z) on training batches
        public var l1: [Point] = []             // L_1, L_5, L_50 on the fixed probe batch
        public var l5: [Point] = []
        public var l50: [Point] = []
        /// Held-out KL of each stochastic layer, bottom first, when there are two or more.
        public var klLayers: [[Point]] = []
        public var markers: [Marker] = []
        public init() {}
    }

    /// The probe points' posteriors, for the latent map: means and standard deviations of every unit.
    public struct Posterior: Sendable, Equatable {
        public var means: [[Float]] = []        // [point][unit]
        public var deviations: [[Float]] = []   // [point][unit]
        public var labels: [Int] = []
        /// Draws from each q(z|x), [point][draw][unit], where q is not a Gaussian (a flow): the map draws
        /// them as a cloud instead of an ellipse.
        public var draws: [[[Float]]] = []
        /// Draws from the prior, [draw][unit], when it is not N(0, I) (a flow, a hierarchy): the map shows
        /// them instead of the standard normal's circles.
        public var priorSamples: [[Float]] = []
        /// A mixture prior's components (the VampPrior's q(z|u_k)), [component][unit]: the map draws their
        /// ellipses instead of draws.
        public var priorMeans: [[Float]] = []
        public var priorDeviations: [[Float]] = []
        public init() {}
    }

    /// 28×28 images as probabilities in [0, 1], row-major.
    public struct Images: Sendable, Equatable {
        public var width = 28
        public var height = 28
        public var inputs: [[Float]] = []
        public var reconstructions: [[Float]] = []
        public var samples: [[Float]] = []
        /// The step the prior samples were drawn at: an autoregressive decoder draws them pixel by pixel,
        /// so they are refreshed on a time budget and may be older than the rest.
        public var samplesStep = 0
        /// True when the samples are binary draws x ~ p(x|z) rather than E[x|z].
        public var samplesAreDraws = false
        /// True when the reconstructions are an autoregressive decoder's free-running draws given z, drawn with
        /// the samples, rather than its probabilities given the true previous pixels.
        public var reconstructionsAreDraws = false
        public init() {}
    }

    // What is running.
    public var dataset = ""
    /// The model's parts, long ("z50 Gauss q · N(0,I) prior · Bern p(x|z)") and short ("z50 Gauss·N(0,I)·Bern").
    public var modelDescription = ""
    public var modelSummary = ""
    /// The BLAS library and kernel, and the CPU, for the help overlay.
    public var platform: [String] = []
    public var latentSize = 0
    public var seed: UInt64 = 0
    public var step = 0
    public var epoch = 0.0
    public var samplesPerSecond = 0.0
    public var running = true

    // The knobs, as the engine applies them.
    public var settings = ObjectiveSettings()
    public var learningRate: Float = 0
    /// The weight the KL carries at this step (beta × warm-up).
    public var klWeight: Float { settings.klWeight(atStep: step) }
    /// Aggressive inference training: asked for, and where its phase stands.
    public var aggressive = AggressiveTraining()
    /// Which remedies the model can take: conditioning dropout needs an autoregressive decoder, the minimum
    /// rate a diagonal Gaussian q against N(0, I).
    public var autoregressiveDecoder = false
    public var minimumRateApplies = false

    // Diagnostics on held-out data.
    public var curves = Curves()
    public var klPerUnit: [Float] = []
    public var activity: [Float] = []
    public var activeUnits = 0
    /// The stochastic layers' sizes, bottom first, and the active units of each (one entry for one layer).
    public var layerSizes: [Int] = []
    public var activeUnitsLayers: [Int] = []
    public var totalKL: Float = 0
    public var mutualInformation: Float = 0
    /// Barber–Agakov lower bound on I(z;x) under the model's joint, nats (may be negative).
    public var mutualInformationBound: Float = 0
    /// The decoder's use of z: E log p(x|z) with z ~ q(z|x) less with z ~ p(z), nats; nil until measured.
    public var zUse: Float?
    public var posterior = Posterior()
    public var images = Images()
    /// The decoder's images over a grid of z, for a two-unit latent with a factorised decoder; nil otherwise.
    public var manifold: LatentManifold?
    /// The images at the latent cursor and along a traversal, once the screen has asked for them.
    public var walk: LatentWalk?
    /// The gap panel's numbers, from the last time it was open; nil until it has been.
    public var gaps: Gaps?

    /// Skipped non-finite steps and recoveries, and the last message for the user (a save, an error).
    public var nonFiniteSteps = 0
    public var message = ""

    public init() {}

    /// The state of the posterior, from the fraction of active units, the total KL, I_q(x;z) and the decoder's
    /// use of z.
    public var collapse: CollapseState {
        CollapseState(activeUnits: activeUnits, latentSize: latentSize, kl: totalKL,
                      mutualInformation: mutualInformation, zUse: zUse)
    }
}

/// How much of the latent space the model uses.
public enum CollapseState: String, Sendable, Equatable {
    case healthy, partial = "partial collapse", collapsed

    /// Below this many nats per image, swapping z ~ q(z|x) for z ~ p(z) hardly changes what the decoder
    /// predicts: it ignores z. (A decoder that uses z loses tens to hundreds of nats on MNIST.) With a rate
    /// below `smallRate` as well, that is collapse; an untrained model, whose decoder has not learnt to read
    /// a still-informative z, is not called collapsed.
    public static let ignoredZUse: Float = 2
    public static let smallRate: Float = 2

    /// Collapsed: no active unit, or almost no rate (KL < 0.1 nats) or information (I_q < 0.05 nats), or a
    /// decoder that ignores a small rate. Partial: fewer than half the units active. Healthy otherwise.
    public init(activeUnits: Int, latentSize: Int, kl: Float, mutualInformation: Float, zUse: Float? = nil) {
        if latentSize == 0 { self = .healthy; return }
        let ignored = zUse.map { $0 < Self.ignoredZUse && kl < Self.smallRate } ?? false
        if activeUnits == 0 || kl < 0.1 || mutualInformation < 0.05 || ignored { self = .collapsed }
        else if activeUnits * 2 < latentSize { self = .partial }
        else { self = .healthy }
    }
}

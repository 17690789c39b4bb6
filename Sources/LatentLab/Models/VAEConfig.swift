/// The shape of a VAE: what a checkpoint records so it can only be loaded into the same architecture.
public struct VAEConfig: Codable, Sendable, Equatable {
    public var inputSize: Int
    public var encoderHidden: [Int]
    public var latentSize: Int
    public var decoderHidden: [Int]
    public var activation: Activation
    public var posterior: LatentPosterior
    public var prior: LatentPrior
    /// Gated MADE steps of a flow part, and the width of each MADE's hidden layer.
    public var flowSteps: Int
    public var flowHidden: Int
    /// The sizes of the stochastic layers, bottom (next to x) first, when there are two or more; their sum
    /// is `latentSize`. nil for one layer.
    public var layers: [Int]?
    /// Hidden layers of each conditional between stochastic layers (the IWAE paper's 100-100).
    public var upperHidden: [Int]
    /// The decoder's family; its hidden layers are `decoderHidden` (a PixelCNN's: the channels of each
    /// masked layer).
    public var decoder: LatentDecoder
    /// How much of the image before each pixel an autoregressive decoder sees; nil for all of it. A MADE:
    /// that many previous pixels. A PixelCNN: that many layers, so that many rows above and columns either side.
    public var receptiveField: Int?
    /// A VampPrior's K: the pseudo-inputs its mixture has a component for.
    public var pseudoInputs: Int

    public static let defaultFlowSteps = 2
    public static let defaultFlowHidden = 320
    public static let defaultUpperHidden = [100, 100]
    /// The VampPrior paper's K for MNIST.
    public static let defaultPseudoInputs = 500

    /// Every stochastic layer's size, bottom first.
    public var layerSizes: [Int] { layers ?? [latentSize] }

    public init(inputSize: Int = 784, encoderHidden: [Int] = [200, 200], latentSize: Int = 50,
                decoderHidden: [Int] = [200, 200], activation: Activation = .tanh, posterior: LatentPosterior = .diag,
                prior: LatentPrior = .normal,
                flowSteps: Int = VAEConfig.defaultFlowSteps, flowHidden: Int = VAEConfig.defaultFlowHidden,
                layers: [Int]? = nil, upperHidden: [Int] = VAEConfig.defaultUpperHidden,
                decoder: LatentDecoder = .factorized, receptiveField: Int? = nil,
                pseudoInputs: Int = VAEConfig.defaultPseudoInputs) {
        self.inputSize = inputSize
        self.encoderHidden = encoderHidden
        self.latentSize = latentSize
        self.decoderHidden = decoderHidden
        self.activation = activation
        self.posterior = posterior
        self.prior = prior
        self.flowSteps = flowSteps
        self.flowHidden = flowHidden
        self.layers = layers.flatMap { $0.count > 1 ? $0 : nil }
        self.upperHidden = upperHidden
        self.decoder = decoder
        self.receptiveField = receptiveField
        self.pseudoInputs = pseudoInputs
        if let l = self.layers { self.latentSize = l.reduce(0, +) }
    }

    /// Checkpoints written before the model had parts carry no posterior, prior or flow settings: the
    /// diagonal Gaussian and N(0, I) then; those from before the VampPrior, no K.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(inputSize: try c.decode(Int.self, forKey: .inputSize),
                  encoderHidden: try c.decode([Int].self, forKey: .encoderHidden),
                  latentSize: try c.decode(Int.self, forKey: .latentSize),
                  decoderHidden: try c.decode([Int].self, forKey: .decoderHidden),
                  activation: try c.decode(Activation.self, forKey: .activation),
                  posterior: try c.decodeIfPresent(LatentPosterior.self, forKey: .posterior) ?? .diag,
                  prior: try c.decodeIfPresent(LatentPrior.self, forKey: .prior) ?? .normal,
                  flowSteps: try c.decodeIfPresent(Int.self, forKey: .flowSteps) ?? Self.defaultFlowSteps,
                  flowHidden: try c.decodeIfPresent(Int.self, forKey: .flowHidden) ?? Self.defaultFlowHidden,
                  layers: try c.decodeIfPresent([Int].self, forKey: .layers),
                  upperHidden: try c.decodeIfPresent([Int].self, forKey: .upperHidden) ?? Self.defaultUpperHidden,
                  decoder: try c.decodeIfPresent(LatentDecoder.self, forKey: .decoder) ?? .factorized,
                  receptiveField: try c.decodeIfPresent(Int.self, forKey: .receptiveField),
                  pseudoInputs: try c.decodeIfPresent(Int.self, forKey: .pseudoInputs) ?? Self.defaultPseudoInputs)
    }

    /// Why this configuration cannot be built, or nil: a checkpoint's metadata is checked with it before
    /// a model is made from it.
    public var problem: String? {
        let sizes = [inputSize, latentSize, flowSteps, flowHidden, pseudoInputs] + encoderHidden + decoderHidden
            + layerSizes + upperHidden
        if sizes.contains(where: { $0 < 1 || $0 > 100_000 }) { return "a size is out of range in \(summary)" }
        if layerSizes.reduce(0, +) != latentSize {
            return "the stochastic layers \(layerSizes) do not add up to \(latentSize) units"
        }
        return decoder.family.problem(self) ?? posterior.family.problem(self) ?? prior.family.problem(self)
    }

    /// The elements of the model's weight matrices, counted from the configuration without building the
    /// model (saturating at Int.max; biases and masks left out, so a lower bound on its weights). A checkpoint
    /// is checked with it before a model is built from its metadata: sizes edited to 100,000 would
    /// otherwise allocate gigabytes for a file of a few kilobytes.
    public var weightMatrixElements: Int {
        let sizes = layerSizes
        var total = WeightCount.gaussianLayer(inputs: inputSize, hidden: encoderHidden, outputs: sizes[0])
        for l in sizes.indices.dropFirst() {  // q(z_l|z_l-1) and p(z_l-1|z_l)
            let up = WeightCount.gaussianLayer(inputs: sizes[l - 1], hidden: upperHidden, outputs: sizes[l])
            let down = WeightCount.gaussianLayer(inputs: sizes[l], hidden: upperHidden, outputs: sizes[l - 1])
            total = WeightCount.sum(total, WeightCount.sum(up, down))
        }
        return [total, posterior.family.extraWeightMatrixElements(self),
                prior.family.weightMatrixElements(size: sizes[sizes.count - 1], self),
                decoder.family.weightMatrixElements(self)].reduce(0, WeightCount.sum)
    }

    /// The IWAE paper's MNIST model: 784-200-200-50 tanh, decoder 50-200-200-784.
    public static let mnist = VAEConfig()

    /// A short human description, e.g. "784-200-200-50 tanh, decoder 50-200-200-784".
    public var summary: String {
        let sizes = layerSizes
        let enc = ([inputSize] + encoderHidden + [sizes[0]]).map(String.init).joined(separator: "-")
            + sizes.dropFirst().map { "→" + (upperHidden + [$0]).map(String.init).joined(separator: "-") }.joined()
        return "\(enc) \(activation.rawValue), \(decoder.family.summary(self))"
            + posterior.family.summary(self) + prior.family.summary(self)
    }

    /// The decoder's layers, "50-200-200-784", for the decoders' summaries.
    var decoderSizes: String { ([layerSizes[0]] + decoderHidden + [inputSize]).map(String.init).joined(separator: "-") }
}

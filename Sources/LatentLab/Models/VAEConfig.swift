/// The posterior families a model can be built with.
public enum LatentPosterior: String, Codable, Sendable, CaseIterable {
    /// A diagonal Gaussian.
    case diag
    /// An inverse autoregressive flow on a diagonal Gaussian (gated MADE steps with the encoder's context).
    case iaf
}

/// The prior families a model can be built with.
public enum LatentPrior: String, Codable, Sendable, CaseIterable {
    /// N(0, I).
    case normal
    /// VLAE's autoregressive-flow prior: gated MADE steps without context.
    case af
}

/// The decoders p(x|z) a model can be built with.
public enum LatentDecoder: String, Codable, Sendable, CaseIterable {
    /// A factorised Bernoulli MLP: every pixel independent given z.
    case factorized
    /// A MADE over the pixels in raster order with z entering every hidden layer: autoregressive.
    case made
    /// Masked convolutions (PixelCNN) over a square image, z added to every layer: autoregressive.
    case pixelcnn
}

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

    /// A PixelCNN's layers and channels.
    public var pixelCNNLayers: Int { receptiveField ?? decoderHidden.count }
    public var pixelCNNChannels: Int { decoderHidden.first ?? 1 }

    public static let defaultFlowSteps = 2
    public static let defaultFlowHidden = 320
    public static let defaultUpperHidden = [100, 100]

    /// Every stochastic layer's size, bottom first.
    public var layerSizes: [Int] { layers ?? [latentSize] }

    public init(inputSize: Int = 784, encoderHidden: [Int] = [200, 200], latentSize: Int = 50,
                decoderHidden: [Int] = [200, 200], activation: Activation = .tanh, posterior: LatentPosterior = .diag,
                prior: LatentPrior = .normal,
                flowSteps: Int = VAEConfig.defaultFlowSteps, flowHidden: Int = VAEConfig.defaultFlowHidden,
                layers: [Int]? = nil, upperHidden: [Int] = VAEConfig.defaultUpperHidden,
                decoder: LatentDecoder = .factorized, receptiveField: Int? = nil) {
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
        if let l = self.layers { self.latentSize = l.reduce(0, +) }
    }

    /// Checkpoints written before the model had parts carry no posterior, prior or flow settings: the
    /// diagonal Gaussian and N(0, I) then.
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
                  receptiveField: try c.decodeIfPresent(Int.self, forKey: .receptiveField))
    }

    /// Why this configuration cannot be built, or nil: a checkpoint's metadata is checked with it before
    /// a model is made from it.
    public var problem: String? {
        let sizes = [inputSize, latentSize, flowSteps, flowHidden] + encoderHidden + decoderHidden + layerSizes + upperHidden
        if sizes.contains(where: { $0 < 1 || $0 > 100_000 }) { return "a size is out of range in \(summary)" }
        if layerSizes.reduce(0, +) != latentSize { return "the stochastic layers \(layerSizes) do not add up to \(latentSize) units" }
        if decoder != .factorized && decoderHidden.isEmpty { return "an autoregressive decoder needs a hidden layer" }
        if decoder == .pixelcnn {
            let side = Int(Double(inputSize).squareRoot().rounded())
            if side * side != inputSize { return "a PixelCNN needs square images, not \(inputSize) pixels" }
            if let r = receptiveField, !(1...side).contains(r) { return "a PixelCNN's receptive field \(r) is not between 1 and the \(side) rows" }
        } else if let r = receptiveField {
            if decoder == .factorized { return "a receptive field needs an autoregressive decoder" }
            if !(1...inputSize).contains(r) { return "the receptive field \(r) is not between 1 and the \(inputSize) pixels" }
        }
        return nil
    }

    /// The elements of the model's weight matrices, counted from the configuration without building the
    /// model (saturating at Int.max; biases and masks left out, so a lower bound on its weights). A checkpoint
    /// is checked with it before a model is built from its metadata: sizes edited to 100,000 would
    /// otherwise allocate gigabytes for a file of a few kilobytes.
    public var weightMatrixElements: Int {
        let sizes = layerSizes, z = sizes[0], top = sizes[sizes.count - 1]
        var total = Self.gaussianLayer(inputs: inputSize, hidden: encoderHidden, outputs: z)
        for l in sizes.indices.dropFirst() {  // q(z_l|z_l-1) and p(z_l-1|z_l)
            total = Self.sum(total, Self.gaussianLayer(inputs: sizes[l - 1], hidden: upperHidden, outputs: sizes[l]))
            total = Self.sum(total, Self.gaussianLayer(inputs: sizes[l], hidden: upperHidden, outputs: sizes[l - 1]))
        }
        let flowStep = Self.product(3, Self.product(top, flowHidden))  // a MADE's input layer and its two heads
        if posterior == .iaf {
            let context = sizes.count > 1 ? upperHidden.last ?? sizes[sizes.count - 2] : encoderHidden.last ?? inputSize
            total = Self.sum(total, Self.product(flowSteps, Self.sum(flowStep, Self.product(context, flowHidden))))
        }
        if prior == .af { total = Self.sum(total, Self.product(flowSteps, flowStep)) }
        switch decoder {
        case .factorized:
            total = Self.sum(total, Self.chain([z] + decoderHidden + [inputSize]))
        case .made:  // the masked layers, z into every hidden layer, and the direct pixel-to-pixel weights
            total = Self.sum(total, Self.chain([inputSize] + decoderHidden + [inputSize]))
            total = Self.sum(total, Self.product(z, decoderHidden.reduce(0, Self.sum)))
            total = Self.sum(total, Self.product(inputSize, inputSize))
        case .pixelcnn:  // the masked 3x3 layers (at least one tap each), z's projection into each, the output
            let channels = pixelCNNChannels, layers = pixelCNNLayers
            total = Self.sum(total, Self.product(layers - 1, Self.product(channels, channels)))
            total = Self.sum(total, Self.product(layers, Self.product(z, channels)))
        }
        return total
    }

    /// A `GaussianLayer`'s matrices: its MLP, then the mean and log-variance heads on its last layer.
    private static func gaussianLayer(inputs: Int, hidden: [Int], outputs: Int) -> Int {
        sum(chain([inputs] + hidden), product(2, product(hidden.last ?? inputs, outputs)))
    }

    /// Σ sizes[i]·sizes[i+1]: the weights of the dense layers between consecutive sizes.
    private static func chain(_ sizes: [Int]) -> Int {
        zip(sizes, sizes.dropFirst()).reduce(0) { sum($0, product($1.0, $1.1)) }
    }

    private static func product(_ a: Int, _ b: Int) -> Int {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : p
    }

    private static func sum(_ a: Int, _ b: Int) -> Int {
        let (s, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : s
    }

    /// The IWAE paper's MNIST model: 784-200-200-50 tanh, decoder 50-200-200-784.
    public static let mnist = VAEConfig()

    /// A short human description, e.g. "784-200-200-50 tanh, decoder 50-200-200-784".
    public var summary: String {
        let sizes = layerSizes
        let enc = ([inputSize] + encoderHidden + [sizes[0]]).map(String.init).joined(separator: "-")
            + sizes.dropFirst().map { "→" + (upperHidden + [$0]).map(String.init).joined(separator: "-") }.joined()
        let dec = ([sizes[0]] + decoderHidden + [inputSize]).map(String.init).joined(separator: "-")
        let onTop = sizes.count > 1 ? " on z\(sizes.count)" : ""
        let posteriorText = posterior == .diag ? "" : ", IAF posterior \(flowSteps)×\(flowHidden)\(onTop)"
        let priorText = prior == .normal ? "" : ", AF prior \(flowSteps)×\(flowHidden)\(onTop)"
        switch decoder {
        case .factorized: return "\(enc) \(activation.rawValue), decoder \(dec)\(posteriorText)\(priorText)"
        case .made:
            let field = receptiveField.map { " (receptive field \($0) pixels)" } ?? ""
            return "\(enc) \(activation.rawValue), decoder MADE\(field) \(dec)\(posteriorText)\(priorText)"
        case .pixelcnn:
            return "\(enc) \(activation.rawValue), decoder PixelCNN \(pixelCNNLayers) masked 3x3 layers of \(pixelCNNChannels) channels\(posteriorText)\(priorText)"
        }
    }
}

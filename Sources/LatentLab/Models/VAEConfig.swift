/// The shape of a VAE: what a checkpoint records so it can only be loaded into the same architecture.
public struct VAEConfig: Codable, Sendable, Equatable {
    public var inputSize: Int
    public var encoderHidden: [Int]
    public var latentSize: Int
    public var decoderHidden: [Int]
    public var activation: Activation

    public init(inputSize: Int = 784, encoderHidden: [Int] = [200, 200], latentSize: Int = 50,
                decoderHidden: [Int] = [200, 200], activation: Activation = .tanh) {
        self.inputSize = inputSize
        self.encoderHidden = encoderHidden
        self.latentSize = latentSize
        self.decoderHidden = decoderHidden
        self.activation = activation
    }

    /// The IWAE paper's MNIST model: 784-200-200-50 tanh, decoder 50-200-200-784.
    public static let mnist = VAEConfig()

    /// A short human description, e.g. "784-200-200-50 tanh, decoder 50-200-200-784".
    public var summary: String {
        let enc = ([inputSize] + encoderHidden + [latentSize]).map(String.init).joined(separator: "-")
        let dec = ([latentSize] + decoderHidden + [inputSize]).map(String.init).joined(separator: "-")
        return "\(enc) \(activation.rawValue), decoder \(dec)"
    }
}

/// Everything needed to start a training run from nothing.
public struct TrainingConfig: Codable, Sendable, Equatable {
    public enum OptimizerKind: String, Codable, Sendable, CaseIterable { case adam, adamax }

    public var model: VAEConfig
    public var objective: ObjectiveSettings
    public var batchSize: Int
    public var optimizer: OptimizerKind
    public var adam: AdamSettings
    /// Global gradient-norm limit; nil for none.
    public var gradientClip: Float?
    public var seed: UInt64
    /// Start in He et al.'s aggressive phase, at most `aggressiveInner` encoder steps per decoder step.
    public var aggressive: Bool
    public var aggressiveInner: Int
    /// How the learning rate (from `adam.learningRate`) moves with the epochs; a cosine runs over `scheduleEpochs`.
    public var learningRateSchedule: LearningRateSchedule
    public var scheduleEpochs: Int

    public init(model: VAEConfig = .mnist, objective: ObjectiveSettings = ObjectiveSettings(), batchSize: Int = 100,
                optimizer: OptimizerKind = .adam, adam: AdamSettings = AdamSettings(), gradientClip: Float? = nil,
                seed: UInt64 = 1, aggressive: Bool = false, aggressiveInner: Int = AggressiveTraining.defaultInnerSteps,
                learningRateSchedule: LearningRateSchedule = .constant, scheduleEpochs: Int = 100) {
        self.model = model
        self.objective = objective
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.adam = adam
        self.gradientClip = gradientClip
        self.seed = seed
        self.aggressive = aggressive
        self.aggressiveInner = aggressiveInner
        self.learningRateSchedule = learningRateSchedule
        self.scheduleEpochs = scheduleEpochs
    }
}

/// The three parts of a data set a run uses: dynamically binarised training images, and validation and
/// test images binarised once with fixed seeds.
public struct DataSplits: Sendable {
    public let name: String
    public let train: ImageDataset
    public let validation: BinaryImages
    public let test: BinaryImages
    /// The first `greyTestImages` test images in grey levels, the inputs the image pane shows. The rest are
    /// not kept: the whole set would hold another 8 MB of MNIST for the run's length.
    public let testImages: ImageDataset

    /// More than the image pane shows.
    public static let greyTestImages = 64

    /// The seed the test set is binarised with, in every command, so their numbers are comparable.
    public static let testSeed: UInt64 = 1234

    /// Holds the last `validationSize` training images out of training; `trainLimit` keeps only the
    /// first images of what remains (for quick runs).
    public init(name: String, train: ImageDataset, test: ImageDataset, validationSize: Int, trainLimit: Int? = nil,
                seed: UInt64 = DataSplits.testSeed) {
        precondition(validationSize >= 0 && validationSize < train.count,
                     "validation split larger than the training set")
        self.name = name
        let cut = train.count - validationSize
        self.train = train.subset(0..<min(cut, trainLimit ?? cut), name: train.name)
        let heldOut = train.subset(cut..<train.count, name: train.name + "-validation")
        validation = BinaryImages(fixed: heldOut, seed: seed &+ 1)
        self.test = BinaryImages(fixed: test, seed: seed)
        testImages = test.subset(0..<min(Self.greyTestImages, test.count), name: test.name)
    }
}

/// Everything a trainer needs, beyond its weights, to continue a run exactly where it stopped: the step and
/// the position in the data order, the random stream, the live settings, and both optimisers' moments.
/// A run of N + M epochs and one of N epochs resumed for M then give the same numbers bit for bit.
public struct TrainingState: Codable, Sendable, Equatable {
    public var step: Int
    public var samplesSeen: Int
    public var order: [Int]
    public var position: Int
    public var random: [UInt64]
    public var objective: ObjectiveSettings
    public var learningRate: Float
    public var aggressive: AggressiveTraining
    /// The optimisers' step counts; their moments travel as tensors (`momentTensors`).
    public var encoderSteps: Int
    public var decoderSteps: Int

    /// The largest count a saved run may hold: far beyond any real run (2^53 steps), and far enough below
    /// Int.max that counting on from it cannot overflow.
    static let maximumCount = 1 << 53

    /// Why a saved run cannot be continued, or nil: a checkpoint's training state is checked with it
    /// before any of it is used. Whether the order fits the data is the trainer's to check.
    public var problem: String? {
        let counts = [step, samplesSeen, position, encoderSteps, decoderSteps]
        if !counts.allSatisfy({ (0...Self.maximumCount).contains($0) }) { return "a counter is negative or too large" }
        if random.count != 4 { return "the random state has \(random.count) words, not 4" }
        if !(learningRate.isFinite && learningRate > 0) {
            return "the learning rate \(learningRate) is not a positive number"
        }
        if !(1...AggressiveTraining.maximumInnerSteps).contains(aggressive.maxInnerSteps) {
            return "aggressive training's inner steps \(aggressive.maxInnerSteps) "
                + "are not between 1 and \(AggressiveTraining.maximumInnerSteps)"
        }
        return objective.problem
    }
}

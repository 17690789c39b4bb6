import Foundation

/// How long each row of a lab trains: whole epochs, or a wall-clock budget. One type for every lab, so their
/// rows train and their captions read the same way.
public enum LabBudget: Sendable, Equatable {
    case epochs(Int)
    case seconds(Double)

    /// The default budget of a lab's rows: small enough for a table in minutes.
    public static let defaultEpochs = 5

    /// Epochs a time budget is planned for: a setting that needs a length in steps (the collapse lab's
    /// warm-up ramps over half of them) gets this many epochs' steps.
    static let plannedEpochs = 5

    /// The steps the budget stands for: its epochs', or `plannedEpochs`' for a time budget.
    public func plannedSteps(trainImages: Int, batchSize: Int) -> Int {
        let stepsPerEpoch = Trainer.stepsPerEpoch(trainImages: trainImages, batchSize: batchSize)
        switch self {
        case .epochs(let e): return e * stepsPerEpoch
        case .seconds: return Self.plannedEpochs * stepsPerEpoch
        }
    }

    /// "5 epochs", "1 epoch", "2.5 minutes": the captions' words.
    public var description: String {
        switch self {
        case .epochs(let e): return e == 1 ? "1 epoch" : "\(e) epochs"
        case .seconds(let s): return String(format: "%g minutes", s / 60)
        }
    }
}

/// One lab row trained: its trainer (the model, its step count, its aggressive phase) and the wall time.
public struct LabTraining {
    public let trainer: Trainer
    public let seconds: Double

    /// Steps between two progress lines.
    static let progressEvery = 50

    /// Trains `config` (the row's settings already applied) on `data` until `budget` is spent. `progress`
    /// hears (fraction done, "step N  rate R") every `progressEvery` steps, the rate averaged since the last.
    public static func train(_ config: TrainingConfig, data: DataSplits, budget: LabBudget,
                             progress: (Double, String) -> Void) -> LabTraining {
        let trainer = Trainer(config: config, data: data)
        let budgetSteps = budget.plannedSteps(trainImages: data.train.count, batchSize: config.batchSize)
        let clock = ContinuousClock(), start = clock.now
        var rate = 0.0, seen = 0
        while true {
            let done: Double
            switch budget {
            case .epochs: done = Double(trainer.step) / Double(max(budgetSteps, 1))
            case .seconds(let s): done = (clock.now - start).seconds / s
            }
            if done >= 1 { break }
            let report = trainer.trainStep()
            if report.applied { rate += Double(report.stats.rate); seen += 1 }
            if trainer.step % progressEvery == 0 {
                progress(done, String(format: "step %d  rate %.2f", trainer.step, rate / Double(max(seen, 1))))
                rate = 0
                seen = 0
            }
        }
        return LabTraining(trainer: trainer, seconds: (clock.now - start).seconds)
    }
}

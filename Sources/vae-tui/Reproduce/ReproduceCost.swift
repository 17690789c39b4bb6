import Foundation
import LatentLab

/// `reproduce TABLE --cost`: what the table costs on paper, from a short measurement of each row on this machine
/// at its preset's settings (batch, k, layers): its training throughput, one epoch's evaluation and the final NLL,
/// scaled to the presets' epochs.
extension Reproduce {
    /// One row's measured rates and what they add up to.
    struct RowCost {
        var name: String
        var objective: String
        var layers: String
        var batch: Int
        var epochs: Int
        var trainImages: Int
        var threads: Int
        var imagesPerSecond: Double
        /// The evaluation after each epoch.
        var evaluationSeconds: Double
        /// The final NLL on the table's test images.
        var nllSeconds: Double

        var trainingHours: Double { Double(epochs) * Double(trainImages) / imagesPerSecond / Self.secondsPerHour }
        var evaluationHours: Double { Double(epochs) * evaluationSeconds / Self.secondsPerHour }
        var wallHours: Double { trainingHours + evaluationHours + nllSeconds / Self.secondsPerHour }
        var cpuHours: Double { wallHours * Double(threads) }

        static let secondsPerHour = 3600.0
    }

    /// Test images the NLL is timed on; its time is scaled to --nll-images.
    static let costNLLImages = 10

    /// The parallel task counts the cost table gives the wall time for.
    static let costParallelTasks = [1, 12, 24]

    func costTable(_ chosen: [String]) throws {
        Platform.lines.forEach { print($0) }
        print("each row's training timed for \(String(format: "%g", costSeconds)) s at its preset's settings on "
              + "\(threading.threads) thread\(threading.threads == 1 ? "" : "s")")
        var costs: [RowCost] = []
        for name in chosen {
            let cost = try measureCost(name)
            print(String(format: "%@: %.0f images/s, evaluation %.2f s an epoch, NLL %.1f s", name,
                         cost.imagesPerSecond, cost.evaluationSeconds, cost.nllSeconds))
            costs.append(cost)
        }
        print("\n" + Self.costMarkdown(costs, nllImages: nllImages, nllK: nllK))
    }

    private func measureCost(_ name: String) throws -> RowCost {
        let (settings, splits) = try newRowSettings(name)
        let config = settings.training
        let trainer = Trainer(config: config, data: splits)
        let stepsPerSecond = Bench.stepsPerSecond(trainer, seconds: costSeconds)
        let probe = RunTraining.probeBatch(splits)
        let clock = ContinuousClock()
        var evaluation = Double.infinity
        for epoch in 1...2 {   // the first pays for the buffers' first allocation
            let start = clock.now
            _ = RunTraining.evaluateEpoch(epoch, trainer: trainer, splits: splits, probe: probe,
                                          limit: settings.evalLimit)
            evaluation = min(evaluation, (clock.now - start).seconds)
        }
        let timed = min(Self.costNLLImages, splits.test.count), start = clock.now
        _ = Evaluator.negativeLogLikelihood(model: trainer.model, data: splits.test, k: nllK, limit: timed)
        let nll = (clock.now - start).seconds / Double(timed) * Double(min(nllImages, splits.test.count))
        let objective = "\(config.objective.kind == .iwae ? "IWAE" : "VAE"), k = \(config.objective.k)"
        return RowCost(name: name, objective: objective,
                       layers: config.model.layerSizes.map(String.init).joined(separator: ","),
                       batch: config.batchSize, epochs: settings.epochs, trainImages: splits.train.count,
                       threads: threading.threads, imagesPerSecond: stepsPerSecond * Double(config.batchSize),
                       evaluationSeconds: evaluation, nllSeconds: nll)
    }

    /// The cost table: each row's hours, the total CPU-hours, and the wall time with 1, 12 and 24 tasks at once.
    static func costMarkdown(_ costs: [RowCost], nllImages: Int, nllK: Int) -> String {
        func hours(_ h: Double) -> String { String(format: h < 1 ? "%.2f" : h < 10 ? "%.1f" : "%.0f", h) }
        var lines = ["| row | objective | latent | batch | epochs × images | images/s | training h | "
                     + "evaluations h | NLL h | CPU-hours |",
                     "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for c in costs {
            lines.append("| \(c.name) | \(c.objective) | \(c.layers) | \(c.batch) | \(c.epochs) × \(c.trainImages) "
                         + "| \(String(format: "%.0f", c.imagesPerSecond)) | \(hours(c.trainingHours)) "
                         + "| \(hours(c.evaluationHours)) | \(hours(c.nllSeconds / RowCost.secondsPerHour)) "
                         + "| \(hours(c.cpuHours)) |")
        }
        let total = costs.reduce(0) { $0 + $1.cpuHours }
        lines.append("| **total** | | | | | | | | | **\(hours(total))** |")
        lines.append("")
        let walls = costParallelTasks.map { tasks in
            let wall = makespan(costs.map(\.wallHours), tasks: tasks)
            let bound = tasks >= costs.count && costs.count > 1 ? " (the longest row: one task per row)" : ""
            return "\(tasks) task\(tasks == 1 ? "" : "s") at once: \(hours(wall)) h (\(days(wall)))\(bound)"
        }
        lines.append("Wall time, " + walls.joined(separator: "; ") + ". The evaluations are each epoch's "
                     + "(\(evalLimit) test images, the probe's bounds); "
                     + "NLL = −L_\(nllK) on \(nllImages) test images.")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The wall time of jobs of these lengths on `tasks` slots, the longest started first, each on the slot
    /// that frees first (what a scheduler does with one array's tasks, near enough).
    static func makespan(_ lengths: [Double], tasks: Int) -> Double {
        var slots = [Double](repeating: 0, count: max(1, tasks))
        for length in lengths.sorted(by: >) {
            let free = slots.indices.min { slots[$0] < slots[$1] }!
            slots[free] += length
        }
        return slots.max() ?? 0
    }

    private static func days(_ hours: Double) -> String {
        String(format: "%.1f day%@", hours / 24, hours / 24 == 1 ? "" : "s")
    }
}

import LatentLab

/// The dequantization demo on screen: the model on its worker, the view options here. While running, each
/// frame queues `speed` steps and an exact evaluation once the previous ones are done.
public final class DequantLiveDemo: Demo {
    private let worker: DemoWorker<DequantDemo, DequantSnapshot>
    public private(set) var options = DequantViewOptions()
    static let runningFrame: Int32 = 30, pausedFrame: Int32 = 200

    public init(_ demo: DequantDemo) {
        worker = DemoWorker(demo, name: "dequantization") { $0.snapshot }
        options.cell = Self.likeliestCell(demo.data)
    }

    public var keys: [DemoKey] { DequantKeys.keys + DemoKey.common }
    public var frameInterval: Int32 { options.running ? Self.runningFrame : Self.pausedFrame }
    public var snapshot: DequantSnapshot { worker.latest }

    public func render(width: Int, height: Int) -> Canvas {
        DequantScreen.render(worker.latest, options: options, width: width, height: height)
    }

    public func handle(_ key: Key) -> DemoKeyOutcome {
        let action = DequantKeys.action(for: key, options: &options, levels: worker.latest.evaluation.data.levels)
        if let work = action.work { worker.perform(work) }
        return action.outcome
    }

    public func tick() {
        guard options.running, !worker.isBusy else { return }
        let speed = options.speed
        worker.perform { $0.advance(speed) }
    }

    public func settle() { worker.wait() }

    /// The cell the data puts most mass on: where the demo opens.
    public static func likeliestCell(_ data: DequantData) -> (x1: Int, x2: Int) {
        let c = data.probabilities.indices.max { data.probabilities[$0] < data.probabilities[$1] } ?? 0
        return (c % data.levels, c / data.levels)
    }
}

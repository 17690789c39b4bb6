import LatentLab

/// The bin-packing demo on screen: the model on its worker, the view options here. While running, each
/// frame queues `speed` steps and an exact evaluation once the previous ones are done.
public final class BinPackLiveDemo: Demo {
    private let worker: DemoWorker<BinPackDemo, BinPackSnapshot>
    public private(set) var options = BinPackViewOptions()
    /// Frame intervals: quick while running, slow when only keys change the picture.
    static let runningFrame: Int32 = 30, pausedFrame: Int32 = 200

    public init(_ demo: BinPackDemo) {
        worker = DemoWorker(demo, name: "bin packing") { $0.snapshot }
    }

    public var keys: [DemoKey] { BinPackKeys.keys + DemoKey.common }
    public var frameInterval: Int32 { options.running ? Self.runningFrame : Self.pausedFrame }
    public var snapshot: BinPackSnapshot { worker.latest }

    public func render(width: Int, height: Int) -> Canvas {
        BinPackScreen.render(worker.latest, options: options, width: width, height: height)
    }

    public func handle(_ key: Key) -> DemoKeyOutcome {
        let action = BinPackKeys.action(for: key, options: &options)
        if let work = action.work { worker.perform(work) }
        return action.outcome
    }

    public func tick() {
        guard options.running, !worker.isBusy else { return }
        let speed = options.speed
        worker.perform { $0.advance(speed) }
    }

    public func settle() { worker.wait() }
}

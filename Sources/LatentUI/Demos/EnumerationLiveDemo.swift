import LatentLab

/// The enumeration demo on screen: the model on its worker; space runs a step every frame.
public final class EnumerationLiveDemo: Demo {
    private let worker: DemoWorker<EnumerationDemo, EnumerationDemo>
    public private(set) var running = false
    static let frame: Int32 = 100

    public init(_ demo: EnumerationDemo) {
        worker = DemoWorker(demo, name: "enumeration") { $0 }
    }

    public var keys: [DemoKey] { EnumerationKeys.keys + DemoKey.common }
    public var frameInterval: Int32 { Self.frame }
    public var state: EnumerationDemo { worker.latest }

    public func render(width: Int, height: Int) -> Canvas {
        EnumerationScreen.render(worker.latest, running: running, width: width, height: height)
    }

    public func handle(_ key: Key) -> DemoKeyOutcome {
        let action = EnumerationKeys.action(for: key, running: &running)
        if let work = action.work { worker.perform(work) }
        return action.outcome
    }

    public func tick() {
        guard running, !worker.isBusy else { return }
        worker.perform { $0.advance() }
    }

    public func settle() { worker.wait() }
}

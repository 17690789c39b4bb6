import LatentLab

/// A demo on screen: its model on a `DemoWorker`, its view options here. Keys change the options at once and
/// queue the model's work; while running, each frame queues the next steps once the previous ones are done,
/// so the model never falls behind the screen. Each demo is this class with its own parts (BinPackLiveDemo,
/// EnumerationLiveDemo, DequantLiveDemo).
public final class LiveDemo<Model, Snapshot: Sendable, Options>: Demo {
    public let keys: [DemoKey]
    public private(set) var options: Options
    private let worker: DemoWorker<Model, Snapshot>
    private let draw: (Snapshot, Options, _ width: Int, _ height: Int) -> Canvas
    private let act: (Key, inout Options, Snapshot) -> DemoKeyAction<Model>
    /// The work of one running frame; nil when paused.
    private let step: (Options) -> DemoWork<Model>?
    private let interval: (Options) -> Int32

    public init(_ model: Model, name: String, keys: [DemoKey], options: Options,
                snapshot: @escaping (Model) -> Snapshot, render: @escaping (Snapshot, Options, Int, Int) -> Canvas,
                action: @escaping (Key, inout Options, Snapshot) -> DemoKeyAction<Model>,
                step: @escaping (Options) -> DemoWork<Model>?, frameInterval: @escaping (Options) -> Int32) {
        worker = DemoWorker(model, name: name, snapshot: snapshot)
        self.keys = keys + DemoKey.common
        self.options = options
        draw = render
        act = action
        self.step = step
        interval = frameInterval
    }

    /// The model's state after the last finished work.
    public var snapshot: Snapshot { worker.latest }
    public var frameInterval: Int32 { interval(options) }

    public func render(width: Int, height: Int) -> Canvas { draw(worker.latest, options, width, height) }

    public func handle(_ key: Key) -> DemoKeyOutcome {
        let action = act(key, &options, worker.latest)
        if let work = action.work { worker.perform(work) }
        return action.outcome
    }

    public func tick() {
        guard !worker.isBusy, let work = step(options) else { return }
        worker.perform(work)
    }

    public func settle() { worker.wait() }

    public func close() {
        worker.dropQueued()
        worker.wait()
    }
}

/// Frame intervals of the demos that run steps: quick while running, slow when only keys change the picture.
enum DemoFrame {
    static let running: Int32 = 30, paused: Int32 = 200
    static let enumeration: Int32 = 100
}

/// `speed` steps (and the evaluation that follows them) while running.
private func steps<Model>(_ running: Bool, _ speed: Int,
                          advance: @escaping @Sendable (inout Model, Int) -> Void) -> DemoWork<Model>? {
    guard running else { return nil }
    return { model in advance(&model, speed) }
}

public typealias BinPackLiveDemo = LiveDemo<BinPackDemo, BinPackSnapshot, BinPackViewOptions>

extension LiveDemo where Model == BinPackDemo, Snapshot == BinPackSnapshot, Options == BinPackViewOptions {
    /// The bin-packing demo: while running, `speed` steps and an exact evaluation a frame.
    public convenience init(_ demo: BinPackDemo) {
        self.init(demo, name: "bin packing", keys: BinPackKeys.keys, options: BinPackViewOptions(),
                  snapshot: { (demo: BinPackDemo) in demo.snapshot },
                  render: { (s: BinPackSnapshot, o: BinPackViewOptions, w: Int, h: Int) in
                      BinPackScreen.render(s, options: o, width: w, height: h)
                  },
                  action: { (key: Key, options: inout BinPackViewOptions, _: BinPackSnapshot) in
                      BinPackKeys.action(for: key, options: &options)
                  },
                  step: { (o: BinPackViewOptions) in
                      steps(o.running, o.speed) { (demo: inout BinPackDemo, n: Int) in demo.advance(n) }
                  },
                  frameInterval: { (o: BinPackViewOptions) in o.running ? DemoFrame.running : DemoFrame.paused })
    }
}

public typealias EnumerationLiveDemo = LiveDemo<EnumerationDemo, EnumerationDemo, Bool>

extension LiveDemo where Model == EnumerationDemo, Snapshot == EnumerationDemo, Options == Bool {
    /// The enumeration demo; its only option is whether it runs, a step every frame.
    public convenience init(_ demo: EnumerationDemo) {
        self.init(demo, name: "enumeration", keys: EnumerationKeys.keys, options: false,
                  snapshot: { (demo: EnumerationDemo) in demo },
                  render: { (s: EnumerationDemo, running: Bool, w: Int, h: Int) in
                      EnumerationScreen.render(s, running: running, width: w, height: h)
                  },
                  action: { (key: Key, running: inout Bool, _: EnumerationDemo) in
                      EnumerationKeys.action(for: key, running: &running)
                  },
                  step: { (running: Bool) in
                      steps(running, 1) { (demo: inout EnumerationDemo, n: Int) in demo.advance(n) }
                  },
                  frameInterval: { (_: Bool) in DemoFrame.enumeration })
    }
}

public typealias DequantLiveDemo = LiveDemo<DequantDemo, DequantSnapshot, DequantViewOptions>

extension LiveDemo where Model == DequantDemo, Snapshot == DequantSnapshot, Options == DequantViewOptions {
    /// The dequantization demo, opened on the cell the data puts most mass on; while running, `speed` steps and
    /// an exact evaluation a frame.
    public convenience init(_ demo: DequantDemo) {
        var options = DequantViewOptions()
        options.cell = DequantViewOptions.likeliestCell(demo.data)
        self.init(demo, name: "dequantization", keys: DequantKeys.keys, options: options,
                  snapshot: { (demo: DequantDemo) in demo.snapshot },
                  render: { (s: DequantSnapshot, o: DequantViewOptions, w: Int, h: Int) in
                      DequantScreen.render(s, options: o, width: w, height: h)
                  },
                  action: { (key: Key, options: inout DequantViewOptions, s: DequantSnapshot) in
                      DequantKeys.action(for: key, options: &options, levels: s.evaluation.data.levels)
                  },
                  step: { (o: DequantViewOptions) in
                      steps(o.running, o.speed) { (demo: inout DequantDemo, n: Int) in demo.advance(n) }
                  },
                  frameInterval: { (o: DequantViewOptions) in o.running ? DemoFrame.running : DemoFrame.paused })
    }
}

import Foundation
import Synchronization

/// Work on a demo's model, run on the demo's worker thread.
public typealias DemoWork<Model> = @Sendable (inout Model) -> Void

/// Runs a demo's model on a thread of its own. The UI thread queues work (a few training steps, a switch
/// of family, a restart) and reads the latest snapshot, so a key press never waits for a step or an exact
/// evaluation: the screen shows the previous picture until the new one is published.
public final class DemoWorker<Model, Snapshot: Sendable>: Sendable {
    private let published: Mutex<Snapshot>
    private let queued = Atomic<Int>(0)
    /// Raised by `dropQueued`: work queued under an older value is skipped.
    private let generation = Atomic<Int>(0)
    private let queue: DispatchQueue
    /// The model belongs to the queue: only work running there touches it.
    private nonisolated(unsafe) var model: Model
    private nonisolated(unsafe) let snapshot: (Model) -> Snapshot
    /// The creating thread's subnormal mode, which the queue's thread (libdispatch's) takes for each work.
    private let flushesSubnormals = Subnormals.flushedOnThisThread

    public init(_ model: Model, name: String, snapshot: @escaping (Model) -> Snapshot) {
        self.model = model
        self.snapshot = snapshot
        published = Mutex(snapshot(model))
        queue = DispatchQueue(label: "vae-tui demo: \(name)", qos: .userInitiated)
    }

    /// The model's state after the last finished work.
    public var latest: Snapshot { published.withLock { $0 } }

    /// Work still queued or running: a running demo waits for it before queuing more steps, so the model
    /// never falls behind the screen.
    public var isBusy: Bool { queued.load(ordering: .acquiring) > 0 }

    /// Queues `work` (run in the order queued); its result is published when it finishes.
    public func perform(_ work: @escaping DemoWork<Model>) {
        queued.add(1, ordering: .acquiringAndReleasing)
        let queuedIn = generation.load(ordering: .acquiring)
        queue.async { [self] in
            defer { queued.subtract(1, ordering: .acquiringAndReleasing) }
            guard generation.load(ordering: .acquiring) == queuedIn else { return }
            Subnormals.flushOnThisThread(flushesSubnormals)
            work(&model)
            let copy = snapshot(model)
            published.withLock { $0 = copy }
        }
    }

    /// Skips the work queued and not yet started: a demo leaving the screen waits only for the work running,
    /// not for the steps a burst of keys queued (a storm's, in a debug build, took longer than a test waits).
    public func dropQueued() { generation.add(1, ordering: .acquiringAndReleasing) }

    /// Waits until every queued work has finished (tests, and a demo handing its screen back).
    public func wait() { queue.sync {} }
}

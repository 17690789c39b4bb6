import Foundation
import Synchronization

/// Runs a `SessionEngine` on its own thread. The UI sends commands and reads the latest snapshot;
/// neither side ever waits for the other: the engine publishes under a lock held only for a copy,
/// and a UI that finds the lock taken simply keeps its previous frame.
public final class TrainingSession: Sendable {
    private let published: Mutex<Snapshot>
    private let inbox = Mutex<[Command]>([])
    private let finished = Atomic<Bool>(false)
    /// The engine belongs to the session thread once started; nothing else touches it.
    private nonisolated(unsafe) let engine: SessionEngine

    public init(engine: SessionEngine) {
        self.engine = engine
        published = Mutex(engine.snapshot)
    }

    /// Starts training on a new thread.
    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "vae-tui engine"
        thread.stackSize = 8 << 20
        thread.start()
    }

    public func send(_ command: Command) {
        inbox.withLock { $0.append(command) }
    }

    /// The latest snapshot, or nil when the engine is publishing at this very moment.
    public func latest() -> Snapshot? {
        published.withLockIfAvailable { $0 }
    }

    /// Asks the engine to stop and waits (up to `timeout` seconds) until it has.
    public func stop(timeout: Double = 5) {
        send(.quit)
        let deadline = Date().addingTimeInterval(timeout)
        while !finished.load(ordering: .acquiring) && Date() < deadline { usleep(2_000) }
    }

    public var isFinished: Bool { finished.load(ordering: .acquiring) }

    /// Why saving the run on quit failed, once the engine has stopped (it no longer touches its state then).
    public var quitSaveFailure: CheckpointError? { isFinished ? engine.quitSaveFailure : nil }

    private func run() {
        var lastPublish = ContinuousClock.now
        while !engine.quitting {
            let commands = inbox.withLock { queue -> [Command] in
                let taken = queue
                queue.removeAll()
                return taken
            }
            for c in commands { engine.apply(c) }
            let worked = engine.tick()
            let now = ContinuousClock.now
            // Publish at most every 30 ms (the screen redraws at up to 30 frames a second), and after commands.
            if !commands.isEmpty || now - lastPublish >= .milliseconds(30) {
                let copy = engine.snapshot
                published.withLock { $0 = copy }
                lastPublish = now
            }
            if !worked { usleep(5_000) }  // paused: wait for a command
        }
        finished.store(true, ordering: .releasing)
    }
}

import Foundation
import Synchronization

/// Runs a `SessionEngine` on its own thread. The UI sends commands and reads the latest snapshot;
/// neither side ever waits for the other: the engine publishes under a lock held only for a copy,
/// and a UI that finds the lock taken simply keeps its previous frame.
public final class TrainingSession: Sendable {
    /// The engine's last snapshot, and the commands sent since that it has not yet published the effect of.
    private struct Published {
        var snapshot: Snapshot
        var unapplied: [Command] = []
    }
    private let published: Mutex<Published>
    private let inbox = Mutex<[Command]>([])
    private let finished = Atomic<Bool>(false)
    /// The engine belongs to the session thread once started; nothing else touches it.
    private nonisolated(unsafe) let engine: SessionEngine

    public init(engine: SessionEngine) {
        self.engine = engine
        published = Mutex(Published(snapshot: engine.snapshot))
    }

    /// Starts training on a new thread.
    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "vae-tui engine"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Sends a command. It is listed as unapplied first, so the engine never publishes one not yet listed.
    public func send(_ command: Command) {
        published.withLock { $0.unapplied.append(command) }
        inbox.withLock { $0.append(command) }
    }

    /// The latest snapshot, or nil when the engine is publishing at this very moment.
    public func latest() -> Snapshot? {
        published.withLockIfAvailable { $0.snapshot }
    }

    /// The latest snapshot as it will read once the commands sent since it was published are applied: what
    /// keys step knobs from. The screen shows `latest()`, what the engine is doing now.
    public func anticipated() -> Snapshot {
        let (snapshot, unapplied) = published.withLock { ($0.snapshot, $0.unapplied) }
        return snapshot.anticipating(unapplied)
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
                published.withLock {
                    $0.snapshot = copy
                    $0.unapplied.removeFirst(min(commands.count, $0.unapplied.count))
                }
                lastPublish = now
            }
            if !worked { usleep(5_000) }  // paused: wait for a command
        }
        finished.store(true, ordering: .releasing)
    }
}

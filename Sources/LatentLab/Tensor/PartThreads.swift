import CKernels
import Dispatch
import Foundation
import Synchronization

/// Threads kept for the parts of split work (`Parallel.forEachPart`), spinning between jobs before they sleep.
///
/// A training step at k = 1 hands its threads three jobs of 0.05 to 1.5 ms (the passes, the gradient
/// reduction, the optimiser update) with about 0.2 ms of serial work between them. libdispatch's threads sleep
/// between jobs, and waking one cost 60 to 150 µs a job on the 2-core machine (a virtual machine): as much as
/// the reduction itself. A thread that spins through the gap starts at once. One that has had no job for
/// `spinTime` sleeps, so an idle engine costs no processor.
final class PartThreads: @unchecked Sendable {
    static let shared = PartThreads()

    /// How long a thread waits for its next job spinning before it sleeps: longer than the serial gaps of a
    /// training step, short against a pause of the engine.
    static let spinTime = Duration.milliseconds(2)

    /// The posted job: a count in the high bits, the job's parts in the low ones, so that a thread reads both
    /// at once.
    private let posted = Atomic<Int>(0)
    private static let partBits = 16
    /// Parts still running on the kept threads.
    private let pending = Atomic<Int>(0)
    /// A job is running: forEachPart called from one of its parts, or from another thread meanwhile, runs its
    /// parts one after another on the calling thread instead.
    private let busy = Atomic<Bool>(false)

    /// A kept thread's way to sleep and be woken.
    private final class Sleeper: Sendable {
        let asleep = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }
    private var sleepers: [Sleeper] = []  // changed only by the thread that holds `busy`
    /// The job's body; written before `posted` is raised and read after it is seen (release and acquire).
    nonisolated(unsafe) private var body: ((Int) -> Void)?
    /// Whether the poster flushes subnormals: its parts compute as it does, whoever first made the kept threads.
    nonisolated(unsafe) private var flushesSubnormals = false

    /// True while a job runs (the elementwise loops of a part then stay on their thread).
    var running: Bool { busy.load(ordering: .relaxed) }

    /// Runs body(part) for every part in 0..<parts, part 0 on the calling thread and the others on kept threads,
    /// and returns when all are done. While another job runs, the parts run one after another here.
    func run(_ parts: Int, _ work: (Int) -> Void) {
        precondition(parts >= 1 && parts < 1 << Self.partBits, "parts of a job")
        guard parts > 1, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for p in 0..<parts { work(p) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        let current = posted.load(ordering: .relaxed)
        while sleepers.count < parts - 1 { spawn(part: sleepers.count + 1, seen: current) }
        withoutActuallyEscaping(work) { work in
            body = work
            flushesSubnormals = Subnormals.flushedOnThisThread
            pending.store(parts - 1, ordering: .relaxed)
            posted.store(((current >> Self.partBits) + 1) << Self.partBits | parts, ordering: .sequentiallyConsistent)
            for s in sleepers.prefix(parts - 1) where s.asleep.exchange(false, ordering: .sequentiallyConsistent) {
                s.wake.signal()
            }
            work(0)
            while pending.load(ordering: .acquiring) > 0 { Self.pauseOrYield() }
            body = nil
        }
    }

    private func spawn(part: Int, seen: Int) {
        let sleeper = Sleeper()
        sleepers.append(sleeper)
        let thread = Thread { [self] in loop(part: part, seen: seen, sleeper: sleeper) }
        thread.stackSize = Self.stackSize
        thread.start()
    }

    /// The stack of a kept thread: the model code of a part runs on it.
    private static let stackSize = 8 << 20
    /// Pauses between two offers of the core while spinning.
    private static let pausesPerYield = 64

    /// A stretch of spinning, then the core offered to any other thread that wants it: on a machine whose cores
    /// are all busy (another process, or the part being waited for not yet running), spinning alone would hold a
    /// core from the very thread it waits for. With nothing else to run, the offer returns at once.
    private static func pauseOrYield() {
        for _ in 0..<pausesPerYield { vk_spin_pause() }
        sched_yield()
    }

    private func loop(part: Int, seen start: Int, sleeper: Sleeper) {
        let clock = ContinuousClock()
        var seen = start
        while true {
            var now = posted.load(ordering: .acquiring)
            if now == seen {
                let since = clock.now
                while now == seen && clock.now - since < Self.spinTime {
                    Self.pauseOrYield()
                    now = posted.load(ordering: .acquiring)
                }
            }
            if now == seen {
                // Asleep is announced before the last look, and the poster clears it before waking: a job posted
                // in between is seen, or its wake-up is waited for, never lost.
                sleeper.asleep.store(true, ordering: .sequentiallyConsistent)
                if posted.load(ordering: .sequentiallyConsistent) == seen
                    || !sleeper.asleep.exchange(false, ordering: .sequentiallyConsistent) {
                    sleeper.wake.wait()
                }
                continue
            }
            seen = now
            if part < now & ((1 << Self.partBits) - 1) {
                Subnormals.flushOnThisThread(flushesSubnormals)
                body!(part)
                pending.subtract(1, ordering: .releasing)
            }
        }
    }
}

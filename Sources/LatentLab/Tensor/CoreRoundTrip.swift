import CKernels
import Foundation
import Synchronization

/// How long a cache line takes to go from this thread to another and back: what every split step pays for the
/// weights both threads read and one writes. On a virtual machine the host places the cores and may move them:
/// on the 2-core Zen 4 of issue 24 the figure read 53–87 ns for minutes, then 316–1,545 ns (the two cores on
/// different dies), and two threads trained at k = 1 at 52,000–60,000 against 33,000 images/s.
public enum CoreRoundTrip {
    /// Round trips timed in one measurement: 1–30 ms.
    static let roundTrips = 20_000
    /// Spins without progress before the core is offered to another thread (one core, or an oversubscribed one).
    private static let spinsBeforeYield = 1 << 12

    /// Round trips timed just before and just after some work, in ns.
    public struct Around: Sendable {
        public var before, after: Double
        /// "before/after ns".
        public var text: String { String(format: "%.0f/%.0f ns", before, after) }
        public var json: JSONValue { .array([.number(before), .number(after)]) }
    }

    /// Runs `work`, timing the round trip before and after it when `when` holds (work on several threads).
    public static func around<T>(when: Bool, _ work: () throws -> T) rethrows -> (T, Around?) {
        let before = when ? measure() : nil
        let result = try work()
        guard let before, let after = measure() else { return (result, nil) }
        return (result, Around(before: before, after: after))
    }

    /// The median of `measurements` timings, in nanoseconds a round trip; nil on one processor.
    public static func measure(measurements: Int = 3) -> Double? {
        guard ProcessInfo.processInfo.activeProcessorCount > 1 else { return nil }
        let times = (0..<measurements).map { _ in once() }.sorted()
        return times[times.count / 2]
    }

    /// One timing: this thread writes an odd number, the other answers with the next even one.
    private static func once() -> Double {
        let flag = Flag()
        let other = Thread {
            for i in 0..<roundTrips {
                flag.await(2 * i + 1)
                flag.value.store(2 * i + 2, ordering: .releasing)
            }
        }
        other.start()
        let clock = ContinuousClock(), start = clock.now
        for i in 0..<roundTrips {
            flag.value.store(2 * i + 1, ordering: .releasing)
            flag.await(2 * i + 2)
        }
        return (clock.now - start).seconds * 1e9 / Double(roundTrips)
    }

    private final class Flag: Sendable {
        let value = Atomic<Int>(0)

        func await(_ expected: Int) {
            var spins = 0
            while value.load(ordering: .acquiring) != expected {
                vk_spin_pause()
                spins += 1
                if spins % CoreRoundTrip.spinsBeforeYield == 0 { sched_yield() }
            }
        }
    }
}

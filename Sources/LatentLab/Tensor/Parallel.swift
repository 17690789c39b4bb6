import Dispatch
import Synchronization

/// Splits the large elementwise loops across the engine's threads (the matrix products are split by BLAS).
public enum Parallel {
    private static let threadCount = Atomic<Int>(1)

    /// Threads for elementwise work; `BLAS.setThreads` sets both.
    public static var threads: Int { threadCount.load(ordering: .relaxed) }

    static func setThreads(_ n: Int) { threadCount.store(max(1, n), ordering: .relaxed) }

    /// Work below this many elements stays on the calling thread: handing it out costs more than it saves.
    static let grain = 1 << 18

    /// Calls body(start, count) on disjoint parts of 0..<count, in parallel when the work is large.
    /// `unit` is the number of elements per index (a row's width when splitting rows).
    static func split(_ count: Int, unit: Int = 1, _ body: (_ start: Int, _ count: Int) -> Void) {
        let parts = min(threads, max(1, count * unit / grain))
        if parts <= 1 { body(0, count); return }
        // The parts touch disjoint ranges of buffers the caller keeps alive until this returns.
        nonisolated(unsafe) let work = body
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            let start = count * p / parts, end = count * (p + 1) / parts
            work(start, end - start)
        }
    }
}

import Dispatch
import Synchronization

/// The engine's threads. Work that splits into independent parts (the examples of a batch, the
/// images of an NLL evaluation) runs one part per thread with single-threaded matrix products:
/// measured on both machines, that beats OpenBLAS's own threading of these small products (docs/benchmarks.md,
/// "Two threads"). The large elementwise loops of a step that does not split are cut across threads too.
public enum Parallel {
    private static let threadCount = Atomic<Int>(1)
    private static let splitting = Atomic<Bool>(true)

    /// How two or more threads are used: split work into parts (the default), or leave the matrix
    /// products to OpenBLAS's own threading, the way measured against it (`vae-tui bench --threading`).
    public enum Strategy: String, Sendable, CaseIterable { case split, blas }

    public static var strategy: Strategy {
        get { splitting.load(ordering: .relaxed) ? .split : .blas }
        set { splitting.store(newValue == .split, ordering: .relaxed) }
    }

    /// Threads the engine may use; `BLAS.setThreads` sets it.
    public static var threads: Int { threadCount.load(ordering: .relaxed) }

    static func setThreads(_ n: Int) { threadCount.store(max(1, n), ordering: .relaxed) }

    /// Work below this many elements stays on the calling thread: handing it out costs more than it saves.
    static let grain = 1 << 18

    /// Calls body(start, count) on disjoint parts of 0..<count, in parallel when the work is large.
    /// `unit` is the number of elements per index (a row's width when splitting rows). Inside a
    /// `forEachPart` part, libdispatch runs a nested split on the calling thread.
    static func split(_ count: Int, unit: Int = 1, _ body: (_ start: Int, _ count: Int) -> Void) {
        // Inside a part of split work the thread is already one of the engine's.
        let parts = PartThreads.shared.running ? 1 : min(threads, max(1, count * unit / grain))
        if parts <= 1 { body(0, count); return }
        // The parts touch disjoint ranges of buffers the caller keeps alive until this returns.
        nonisolated(unsafe) let work = body
        let flush = Subnormals.flushedOnThisThread
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            Subnormals.flushOnThisThread(flush)  // libdispatch's threads: the caller's arithmetic, not their own
            let start = count * p / parts, end = count * (p + 1) / parts
            work(start, end - start)
        }
    }

    /// Parts to cut `count` independent pieces of work into: one per thread, at most one per piece.
    public static func parts(for count: Int, threads: Int = Parallel.threads) -> Int {
        strategy == .split ? max(1, min(threads, count)) : 1
    }

    /// Part `part` of `parts` near-equal slices of 0..<count: a thread's share of a parameter's elements.
    public static func slice(_ count: Int, part: Int, of parts: Int) -> Range<Int> {
        (count * part / parts)..<(count * (part + 1) / parts)
    }

    /// Calls body(part) for every part in 0..<parts at once, one thread each (`PartThreads`), with the matrix
    /// products single-threaded meanwhile (OpenBLAS would otherwise make concurrent callers queue for its pool).
    /// The caller keeps every buffer the parts share alive, and the parts write disjoint state.
    public static func forEachPart(_ parts: Int, _ body: (_ part: Int) -> Void) {
        // Called from a part of split work: its thread is already one of the engine's.
        if parts <= 1 || PartThreads.shared.running { for p in 0..<parts { body(p) }; return }
        BLAS.setLibraryThreads(1)
        defer { BLAS.setLibraryThreads(threads) }
        PartThreads.shared.run(parts, body)
    }
}

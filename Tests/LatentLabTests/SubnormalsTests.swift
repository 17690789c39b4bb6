import Foundation
import Synchronization
import Testing
@testable import LatentLab

/// Subnormal floats are flushed to zero where the program asks for it, on every thread that computes for it,
/// and kept otherwise. Each test restores its thread's mode.
@Suite(.serialized) struct SubnormalsTests {
    /// 2⁻¹²⁹, written as bits: no arithmetic that a flushing thread would round to zero.
    static let subnormal = Float(bitPattern: 0x0010_0000)

    /// 2⁻¹²⁹ · 1 through BLAS: the product's input is read as zero when flushing.
    static func subnormalProduct() -> Float {
        let a = Tensor(rows: 1, cols: 1, [subnormal]), b = Tensor(rows: 1, cols: 1, [1])
        return a.matmul(b)[0, 0]
    }

    #if arch(x86_64) || arch(arm64)
    @Test func flushingTurnsSubnormalsToZeroAndKeepingKeepsThem() {
        let before = Subnormals.flushedOnThisThread
        defer { Subnormals.flushOnThisThread(before) }
        Subnormals.flushOnThisThread(false)
        #expect(!Subnormals.flushedOnThisThread)
        #expect(Self.subnormal.isSubnormal && Self.subnormalProduct() == Self.subnormal)
        Subnormals.flushOnThisThread(true)
        #expect(Subnormals.flushedOnThisThread)
        #expect(Self.subnormalProduct() == 0)
        // A normal number is untouched.
        let normal = Tensor(rows: 1, cols: 1, [Float.leastNormalMagnitude]).matmul(Tensor(rows: 1, cols: 1, [2]))
        #expect(normal[0, 0] == 2 * Float.leastNormalMagnitude)
    }

    /// The parts of split work compute as the thread that splits it, whatever mode the kept threads had.
    @Test(arguments: [true, false, true])
    func thePartsOfSplitWorkTakeTheCallersMode(_ flush: Bool) {
        let before = Subnormals.flushedOnThisThread
        defer { Subnormals.flushOnThisThread(before) }
        Subnormals.flushOnThisThread(flush)
        let parts = 3
        let seen = UnsafeMutableBufferPointer<Float>.allocate(capacity: parts)
        defer { seen.deallocate() }
        Parallel.forEachPart(parts) { p in seen[p] = Self.subnormalProduct() }
        #expect(Array(seen) == Array(repeating: flush ? 0 : Self.subnormal, count: parts))
    }

    /// The large elementwise loops cut across libdispatch's threads compute as the caller does.
    @Test func theLoopsCutAcrossThreadsTakeTheCallersMode() {
        let before = Subnormals.flushedOnThisThread
        defer { Subnormals.flushOnThisThread(before) }
        let threads = Parallel.threads
        BLAS.setThreads(2)
        defer { BLAS.setThreads(threads) }
        for flush in [true, false, true] {
            Subnormals.flushOnThisThread(flush)
            // A loop stays on one thread while another test's split work runs: try until it is cut.
            var seen: [Bool] = []
            for _ in 0..<200 where seen.count < 2 {
                let modes = Mutex<[Bool]>([])
                Parallel.split(2 * Parallel.grain) { _, _ in
                    let mode = Subnormals.flushedOnThisThread
                    modes.withLock { $0.append(mode) }
                }
                seen = modes.withLock { $0 }
                if seen.count < 2 { usleep(1_000) }
            }
            #expect(seen == [flush, flush])
        }
    }

    /// A demo's worker computes as the thread that made it.
    @Test(arguments: [true, false])
    func aDemoWorkerTakesItsMakersMode(_ flush: Bool) {
        let before = Subnormals.flushedOnThisThread
        defer { Subnormals.flushOnThisThread(before) }
        Subnormals.flushOnThisThread(flush)
        let worker = DemoWorker(false, name: "subnormals") { $0 }
        Subnormals.flushOnThisThread(!flush)
        worker.perform { $0 = Subnormals.flushedOnThisThread }
        while worker.isBusy { usleep(1_000) }
        #expect(worker.latest == flush)
    }

    /// Threads made afterwards inherit their creator's mode (the program sets it before making any).
    @Test func aNewThreadInheritsTheMode() {
        let before = Subnormals.flushedOnThisThread
        defer { Subnormals.flushOnThisThread(before) }
        for flush in [true, false] {
            Subnormals.flushOnThisThread(flush)
            let done = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var inherited: Bool?
            Thread {
                inherited = Subnormals.flushedOnThisThread
                done.signal()
            }.start()
            done.wait()
            #expect(inherited == flush)
        }
    }
    #endif

    @Test func theEnvironmentChoosesAndABadValueIsNamed() {
        #expect(Subnormals.flushes(environment: [:]) == true)
        #expect(Subnormals.flushes(environment: [Subnormals.environmentKey: "flush"]) == true)
        #expect(Subnormals.flushes(environment: [Subnormals.environmentKey: "keep"]) == false)
        #expect(Subnormals.flushes(environment: [Subnormals.environmentKey: "off"]) == nil)
    }
}

import Foundation
import Testing
@testable import LatentLab

@Suite struct CoreRoundTripTests {
    /// A round trip is timed on a machine of two or more processors: some nanoseconds, under a millisecond even in a
    /// debug build on a busy machine (it yields the core when the other thread is not running).
    @Test(.enabled(if: ProcessInfo.processInfo.activeProcessorCount > 1, "needs two processors"))
    func aRoundTripTakesNanosecondsToMicroseconds() throws {
        let ns = try #require(CoreRoundTrip.measure(measurements: 1))
        #expect(ns > 1 && ns < 1_000_000, "\(ns) ns")
    }
}

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

    /// `around` times the round trip on both sides of its work only when asked, and runs the work once either way.
    @Test(.enabled(if: ProcessInfo.processInfo.activeProcessorCount > 1, "needs two processors"))
    func aroundMeasuresBothSidesOnlyWhenAsked() throws {
        var runs = 0
        let (none, skipped) = CoreRoundTrip.around(when: false) { runs += 1; return 7 }
        #expect(none == 7 && skipped == nil && runs == 1)
        let (value, trip) = CoreRoundTrip.around(when: true) { runs += 1; return 8 }
        let measured = try #require(trip)
        #expect(value == 8 && runs == 2 && measured.before > 1 && measured.after > 1)
        #expect(measured.text.hasSuffix(" ns") && measured.text.contains("/"))
    }
}

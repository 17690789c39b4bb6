import Foundation
import Testing

/// `vae-tui bench`, end to end on the built-in data set.
@Suite struct BenchCommandTests {
    /// A row of two threads carries the core-to-core round trip around it, in the text and in the JSON; a row of one
    /// thread has none.
    @Test(.enabled(if: ProcessInfo.processInfo.activeProcessorCount > 1, "needs two processors"))
    func twoThreadRowsReportTheCoreRoundTrip() throws {
        let arguments = ["bench", "--dataset", "shapes", "--k-list", "1", "--threads-list", "1,2",
                         "--paper-batch-k-list", "none", "--families", "none", "--nll-images", "0", "--seconds", "0.2"]
        let text = try CLI.run(arguments)
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").filter { $0.hasPrefix("train k=1") }
        #expect(lines.count == 2 && !lines[0].contains("core round trip") && lines[1].contains("core round trip"),
                "\(lines)")
        let json = try CLI.run(arguments + ["--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let rows = try #require(object["train"] as? [[String: Any]])
        #expect(rows.count == 2 && rows[0]["core_round_trip_ns"] is NSNull)
        let trip = try #require(rows.first { $0["threads"] as? Int == 2 }?["core_round_trip_ns"] as? [Double])
        #expect(trip.count == 2 && trip.allSatisfy { $0 > 0 }, "\(trip)")
    }
}

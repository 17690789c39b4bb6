import Foundation
import Testing
import TestSupport

/// The program flushes subnormals to zero unless VAE_TUI_SUBNORMALS=keep, says which in its records and
/// reports, and names a bad value.
@Suite struct SubnormalModeTests {
    @Test(arguments: [(nil, "flush"), ("flush", "flush"), ("keep", "keep")])
    func theRunRecordsItsMode(_ setting: String?, _ recorded: String) throws {
        let log = CLI.temporaryDirectory() + "/run.jsonl"
        let r = try CLI.run(["train", "--epochs", "1", "--eval-limit", "50", "--log", log] + HeadlessCommandTests.small,
                            environment: ["VAE_TUI_SUBNORMALS": setting])
        #expect(r.status == 0, "\(r.stderr)")
        let start = try #require(try CLI.jsonLines(log).first)
        #expect(start["subnormals"] as? String == recorded)
    }

    @Test func aBadValueIsNamed() throws {
        let r = try CLI.run(["train", "--epochs", "0"], environment: ["VAE_TUI_SUBNORMALS": "off"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("VAE_TUI_SUBNORMALS must be keep or flush, got 'off'"))
        #expect(!r.stderr.contains("Fatal error"))
    }
}

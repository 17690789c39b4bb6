import Foundation
import Testing

/// `lab gaps` end to end through the real binary, on the built-in shapes and a tiny budget.
@Suite struct GapLabCommandTests {
    static let tiny = ["--train-limit", "300", "--validation", "100", "--gap-images", "5", "--local-steps", "20",
                       "--gap-samples", "20", "--gap-k", "20"]
    static let rowKeys = ["diag-h100", "diag-h200", "diag-h500", "iaf", "iwae-k5", "aggressive"]

    static func table(_ prefix: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: prefix + ".json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Every row, in Markdown and JSON, with the keys the issue names and gaps that add up.
    @Test func theGapLabWritesItsTable() throws {
        let dir = CLI.temporaryDirectory()
        let run = try CLI.run(["lab", "gaps", "--epochs", "1", "--out", dir + "/gaps"] + Self.tiny)
        #expect(run.status == 0, "\(run.stderr)")
        let markdown = try String(contentsOfFile: dir + "/gaps.md", encoding: .utf8)
        #expect(markdown.hasPrefix("`vae-tui lab gaps` on shapes: 1 epoch per row"), "\(markdown)")
        #expect(markdown.contains("| row | what changes | ELBO | inference gap | approximation | amortisation "
                                  + "| expectation | agreed |"))
        for key in Self.rowKeys { #expect(markdown.contains("| \(key) | "), "the table lacks \(key)") }

        let table = try Self.table(dir + "/gaps")
        #expect((table["caption"] as? String)?.contains("1 epoch per row") == true)
        let rows = try #require(table["rows"] as? [[String: Any]])
        #expect(rows.map { $0["row"] as? String } == Self.rowKeys)
        for row in rows {
            var figures: [String: Double] = [:]
            for key in ["elbo", "inference_gap", "approximation_gap", "amortization_gap"] {
                for name in [key, key + "_se"] {
                    let value = try #require(row[name] as? Double, "\(row["row"] ?? "?") lacks \(name)")
                    #expect(value.isFinite, "\(name) = \(value)")
                    figures[name] = value
                }
            }
            let parts = figures["approximation_gap"]! + figures["amortization_gap"]!
            #expect(abs(parts - figures["inference_gap"]!) < 1e-3, "\(row)")
            #expect((row["local_steps"] as? Int).map { $0 > 0 && $0 <= 20 } == true, "\(row)")
            #expect(row.keys.contains("expectation") && row.keys.contains("agreed"), "\(row)")
            let verdict = try #require(row["verdict"] as? String)
            if row["row"] as? String == "diag-h200" {
                #expect(verdict == "reference" && row["agreed"] is NSNull)
            } else {
                #expect(["agreed", "not agreed", "within noise"].contains(verdict), "\(row)")
                #expect(row["expectation"] is String && (row["agreed"] is Bool) == (verdict != "within noise"))
            }
        }
    }

    /// A time budget, and rows chosen without the reference: no verdict, said so.
    @Test func aTimeBudgetAndNoReferenceRow() throws {
        let dir = CLI.temporaryDirectory()
        let run = try CLI.run(["lab", "gaps", "--minutes", "0.002", "--rows", "iaf", "--out", dir + "/t"] + Self.tiny)
        #expect(run.status == 0, "\(run.stderr)")
        let table = try Self.table(dir + "/t")
        #expect((table["caption"] as? String)?.contains("0.002 minutes per row") == true, "\(table)")
        let rows = try #require(table["rows"] as? [[String: Any]])
        #expect(rows.count == 1 && rows[0]["verdict"] as? String == "no reference row" && rows[0]["agreed"] is NSNull)
    }

    @Test(arguments: [
        (["--epochs", "2", "--minutes", "1"], 64, "give --epochs or --minutes, not both"),
        (["--epochs", "0"], 64, "--epochs must be between 1 and 10000, got 0"),
        (["--minutes", "0"], 64, "--minutes must be > 0, got 0"),
        (["--rows", "iaf,nope"], 64, "--rows: no row 'nope'; the rows are diag-h100, diag-h200"),
        (["--gap-images", "0"], 64, "--gap-images must be between 1 and 10000, got 0"),
        (["--local-steps=-1"], 64, "--local-steps must be between 0 and 1000000, got -1"),
        (["--gap-samples", "1"], 64, "--gap-samples must be between 2 and 1000000, got 1"),
        (["--gap-k", "0"], 64, "--gap-k must be between 1 and 1000000, got 0"),
        (["--epochs", "1", "--out", "/sys/vae-tui-table"], 1, "/sys/vae-tui-table.md: cannot write in /sys"),
    ])
    func badInputGetsAClearMessage(arguments: [String], status: Int32, message: String) throws {
        try BadInputTests.expectFailure(["lab", "gaps"] + arguments + ["--train-limit", "200", "--validation", "100"],
                                        status: status, mentioning: message)
    }
}

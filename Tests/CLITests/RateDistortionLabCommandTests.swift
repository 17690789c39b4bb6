import Foundation
import Testing

/// `lab rate-distortion` end to end through the real binary, on the built-in shapes and a tiny budget.
@Suite struct RateDistortionLabCommandTests {
    static let tiny = ["--train-limit", "200", "--validation", "100", "--nll-images", "5", "--nll-k", "10",
                       "--eval-images", "50"]
    static let rowKeys = ["decoder", "beta", "rate", "distortion", "elbo", "nll", "active_units"]

    static func table(_ prefix: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: prefix + ".json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// One row per (decoder, β) with the issue's keys and −ELBO = D + R, the expectations, and the SVG with a
    /// polyline per decoder through as many points as betas.
    @Test func theLabWritesItsTableAndItsPicture() throws {
        let dir = CLI.temporaryDirectory()
        let run = try CLI.run(["lab", "rate-distortion", "--epochs", "1", "--betas", "2,0.5,1", "--out", dir + "/rd"]
                              + Self.tiny)
        #expect(run.status == 0, "\(run.stderr)")
        let markdown = try String(contentsOfFile: dir + "/rd.md", encoding: .utf8)
        #expect(markdown.hasPrefix("`vae-tui lab rate-distortion` on shapes: 1 epoch per run"), "\(markdown)")
        #expect(markdown.contains("| decoder | β | R (rate) | D (distortion) | −ELBO = D + R | NLL | active units |"))
        #expect(markdown.contains("| expectation | verdict |"))

        let table = try Self.table(dir + "/rd")
        let rows = try #require(table["rows"] as? [[String: Any]])
        let runs = rows.map { "\($0["decoder"] as? String ?? "?") \($0["beta"] as? Double ?? -1)" }
        #expect(runs == ["factorized 2.0", "factorized 0.5", "factorized 1.0", "made 2.0", "made 0.5", "made 1.0"])
        for row in rows {
            for key in Self.rowKeys { #expect(row[key] != nil && !(row[key] is NSNull), "\(row) lacks \(key)") }
            let rate = try #require(row["rate"] as? Double), distortion = try #require(row["distortion"] as? Double)
            let elbo = try #require(row["elbo"] as? Double)
            #expect(rate >= 0 && abs(elbo + rate + distortion) < 1e-3 * abs(elbo), "\(row)")
            #expect((row["nll"] as? Double)?.isFinite == true && row["active_units"] is Int)
        }
        let expectations = try #require(table["expectations"] as? [[String: Any]])
        #expect(expectations.count == 4, "\(expectations)")
        for e in expectations {
            #expect(["agreed", "not agreed", "not comparable"].contains(e["verdict"] as? String ?? ""), "\(e)")
            #expect(e["expectation"] is String && e["detail"] is String)
        }

        let svg = try String(contentsOfFile: dir + "/rd.svg", encoding: .utf8)
        let polylines = svg.components(separatedBy: "<polyline").dropFirst()
        #expect(polylines.count == 2)
        for line in polylines {
            let points = try #require(line.components(separatedBy: "points=\"").dropFirst().first?
                .prefix { $0 != "\"" })
            #expect(points.split(separator: " ").count == 3, "\(points)")
        }
        for beta in ["0.5", "1", "2"] {
            #expect(svg.components(separatedBy: ">β = \(beta)</text>").count - 1 == 2, "β = \(beta) twice")
        }
    }

    /// Decoders separated by commas run in the order given; a time budget is named in the caption.
    @Test func commaSeparatedDecodersAndATimeBudget() throws {
        let dir = CLI.temporaryDirectory()
        let run = try CLI.run(["lab", "rate-distortion", "--minutes", "0.002", "--betas", "1", "--decoder",
                               "made,factorized", "--out", dir + "/t"] + Self.tiny)
        #expect(run.status == 0, "\(run.stderr)")
        let table = try Self.table(dir + "/t")
        #expect((table["caption"] as? String)?.contains("0.002 minutes per run") == true, "\(table)")
        let rows = try #require(table["rows"] as? [[String: Any]])
        #expect(rows.map { $0["decoder"] as? String } == ["made", "factorized"])
        #expect(FileManager.default.fileExists(atPath: dir + "/t.svg"))
    }

    @Test(arguments: [
        (["--epochs", "2", "--minutes", "1"], 64, "give --epochs or --minutes, not both"),
        (["--betas", "0,1"], 64, "--betas takes numbers > 0, comma-separated; '0' is not one"),
        (["--betas=-1"], 64, "--betas takes numbers > 0, comma-separated; '-1' is not one"),
        (["--betas", "1,x"], 64, "--betas takes numbers > 0, comma-separated; 'x' is not one"),
        (["--betas", "1,1.0"], 64, "--betas: 1.0 is given twice"),
        (["--decoder", "pixel"], 64, "no decoder 'pixel'; the decoders are factorized, made, pixelcnn"),
        (["--decoder", "made,nope"], 64, "no decoder 'nope'"),
        (["--decoder", "made", "--decoder", "made"], 64, "--decoder: made is given twice"),
        (["--nll-images", "0"], 64, "--nll-images must be between 1 and 10000, got 0"),
        (["--epochs", "1", "--out", "/sys/vae-tui-table"], 1, "/sys/vae-tui-table.md: cannot write in /sys"),
    ])
    func badInputGetsAClearMessage(arguments: [String], status: Int32, message: String) throws {
        try BadInputTests.expectFailure(["lab", "rate-distortion"] + arguments
                                        + ["--train-limit", "200", "--validation", "100"],
                                        status: status, mentioning: message)
    }
}

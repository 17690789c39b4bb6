import Foundation
import Testing

/// `eval --gaps` end to end through the real binary, on the built-in data set.
@Suite(.serialized) struct GapsCommandTests {
    @Test func evalTakesTheGapApart() throws {
        let dir = CLI.temporaryDirectory()
        let checkpoint = dir + "/model.safetensors"
        let train = try CLI.run(["train", "--epochs", "1", "--eval-limit", "50", "--checkpoint", checkpoint]
                                + HeadlessCommandTests.small)
        #expect(train.status == 0, "\(train.stderr)")
        let eval = try CLI.run(["eval", "--checkpoint", checkpoint, "--k", "50", "--limit", "10", "--gaps",
                                "--local-steps", "100", "--gap-samples", "200", "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
        for key in ["nll", "elbo", "kl", "active_units", "mi", "mi_ba", "nll_seconds"] {
            #expect(result[key] != nil, "eval --gaps --json lost \(key)")
        }
        var figures: [String: Double] = [:]
        for key in ["approximation_gap", "amortization_gap", "inference_gap", "local_elbo", "amortized_elbo",
                    "gap_log_px", "gap_seconds"] {
            for name in key.hasSuffix("gap") || key.hasSuffix("elbo") ? [key, key + "_se"] : [key] {
                let value = try #require(result[name] as? Double, "eval --gaps --json lacks \(name)")
                #expect(value.isFinite, "\(name) = \(value)")
                figures[name] = value
            }
        }
        let steps = try #require(result["local_steps"] as? Int)
        #expect(steps > 0 && steps <= 100 && result["gap_samples"] as? Int == 200)
        let parts = figures["approximation_gap"]! + figures["amortization_gap"]!
        #expect(abs(parts - figures["inference_gap"]!) < 1e-3, "\(parts) vs \(figures["inference_gap"]!)")
        #expect(figures["local_elbo"]! >= figures["amortized_elbo"]! - 4 * figures["amortization_gap_se"]!)

        let text = try CLI.run(["eval", "--checkpoint", checkpoint, "--k", "10", "--limit", "5", "--gaps",
                                "--local-steps", "20", "--gap-samples", "50"])
        #expect(text.status == 0, "\(text.stderr)")
        for line in ["NLL (-L_10)", "ELBO", "inference gap", "approximation", "amortization", "local ELBO"] {
            #expect(text.stdout.contains(line), "the text lacks \(line): \(text.stdout)")
        }
        let plain = try CLI.run(["eval", "--checkpoint", checkpoint, "--k", "10", "--limit", "5", "--json"])
        let without = try #require(try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as? [String: Any])
        #expect(without["approximation_gap"] == nil, "the gaps are only computed when asked")
    }
}

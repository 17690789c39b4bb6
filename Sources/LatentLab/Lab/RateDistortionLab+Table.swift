import Foundation

/// The rate-distortion lab's table, in Markdown and in JSON, each with the expectations' verdicts.
extension RateDistortionLab {
    /// The runs in the order run, then the expectations: the caption first.
    public static func markdown(_ results: [Result], caption: String) -> String {
        var lines = [caption, "",
                     "| decoder | β | R (rate) | D (distortion) | −ELBO = D + R | NLL | active units | time, s |",
                     "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for r in results {
            let e = r.evaluation
            lines.append(String(format: "| %@ | %@ | %.2f | %.2f | %.2f | %.2f | %d/%d | %.0f |", r.decoder.rawValue,
                                betaText(r.beta), e.kl, e.distortion, -e.elbo, r.nll, e.activeUnits,
                                e.klPerUnit.count, r.seconds))
        }
        lines += ["", "| expectation | verdict |", "| --- | --- |"]
        for v in verdicts(results.map(\.point)) { lines.append("| \(v.expectation) | \(v.text) |") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The caption, one object per run (`decoder`, `beta`, `rate`, `distortion`, `elbo` = −(D + R), `nll`,
    /// `active_units` and the rest), and the expectations with their verdicts.
    public static func json(_ results: [Result], caption: String) -> JSONValue {
        let rows: [JSONValue] = results.map { r in
            let e = r.evaluation
            return .object([
                ("decoder", .string(r.decoder.rawValue)), ("beta", .float(r.beta)), ("rate", .float(e.kl)),
                ("distortion", .float(e.distortion)), ("elbo", .float(e.elbo)), ("nll", .float(r.nll)),
                ("active_units", .int(e.activeUnits)), ("latent_units", .int(e.klPerUnit.count)),
                ("mi", .float(e.mutualInformation)), ("z_use", .float(e.zUse)),
                ("seconds", .number(r.seconds)), ("steps", .int(r.steps)), ("nonfinite_steps", .int(r.nonFiniteSteps)),
            ])
        }
        let expectations: [JSONValue] = verdicts(results.map(\.point)).map { v in
            .object([("expectation", .string(v.expectation)), ("verdict", .string(v.outcome.rawValue)),
                      ("detail", .string(v.detail))])
        }
        return .object([("caption", .string(caption)), ("rows", .array(rows)), ("expectations", .array(expectations))])
    }
}

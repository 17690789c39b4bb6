import Foundation

/// The gap lab's table, in Markdown and in JSON.
extension GapLab {
    /// "agreed (Δ −1.20 ± 0.15)": the verdict with the difference it rests on.
    public static func verdictText(_ c: Comparison) -> String {
        switch c.verdict {
        case .reference: return "— (the reference)"
        case .noReference: return c.verdict.rawValue
        case .agreed, .notAgreed, .withinNoise:
            guard let d = c.difference else { return c.verdict.rawValue }
            return c.verdict.rawValue + String(format: " (Δ %+.2f ± %.2f)", d.value, d.standardError)
        }
    }

    static func plusMinus(_ e: Estimate) -> String { String(format: "%.2f ± %.2f", e.value, e.standardError) }

    /// The table as Markdown, the caption first.
    public static func markdown(_ results: [Result], caption: String) -> String {
        var lines = [caption, "",
                     "| row | what changes | ELBO | inference gap | approximation | amortisation | expectation "
                        + "| agreed |",
                     "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for r in results {
            let g = r.gaps
            let cells = [r.row.key, r.row.change, plusMinus(r.elbo), plusMinus(g.inference),
                         plusMinus(g.approximation), plusMinus(g.amortisation),
                         r.row.expectation?.text ?? "the reference the other rows are compared with",
                         verdictText(comparison(for: r, among: results))]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The table as JSON: the caption and one object per row. `agreed` is true or false, or null when the
    /// verdict is neither (within noise, the reference, no reference row); `verdict` says which.
    public static func json(_ results: [Result], caption: String) -> JSONValue {
        func pair(_ name: String, _ e: Estimate) -> [(String, JSONValue)] {
            [(name, .float(e.value)), (name + "_se", .float(e.standardError))]
        }
        return .object([("caption", .string(caption)), ("rows", .array(results.map { r in
            let g = r.gaps, d = r.decomposition, c = comparison(for: r, among: results)
            let agreed: JSONValue = switch c.verdict {
            case .agreed: .bool(true)
            case .notAgreed: .bool(false)
            case .withinNoise, .reference, .noReference: .null
            }
            let fields: [(String, JSONValue)] = [("row", .string(r.row.key)), ("change", .string(r.row.change))]
                + pair("elbo", r.elbo) + pair("inference_gap", g.inference)
                + pair("approximation_gap", g.approximation) + pair("amortization_gap", g.amortisation)
                + [("log_px", .float(d.meanLogMarginal)), ("local_steps", .int(d.localSteps)),
                   ("local_stop", .string(d.localStop.description)),
                   ("expectation", r.row.expectation.map { .string($0.text) } ?? .null),
                   ("agreed", agreed), ("verdict", .string(c.verdict.rawValue))]
                + (c.difference.map { pair("difference", $0) } ?? [])
                + [("seconds", .number(r.seconds)), ("gap_seconds", .number(d.seconds)), ("steps", .int(r.steps)),
                   ("nonfinite_steps", .int(r.nonFiniteSteps)),
                   ("aggressive_ended_epoch", r.aggressiveEnded.map { .int($0) } ?? .null)]
            return .object(fields)
        }))])
    }
}

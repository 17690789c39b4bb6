import Foundation
import Testing
@testable import LatentLab

/// The gap lab's rows and its verdicts, without training: the rules are pure functions of measured gaps.
@Suite struct GapLabTests {
    static func gaps(amortisation: Estimate = Estimate(1, standardError: 0.1),
                     approximation: Estimate = Estimate(1, standardError: 0.1)) -> GapLab.Gaps {
        GapLab.Gaps(inference: Estimate(amortisation.value + approximation.value, standardError: 0.1),
                    approximation: approximation, amortisation: amortisation)
    }

    static let smaller = GapLab.Expectation(.amortisation, .smaller, reason: "test")
    static let larger = GapLab.Expectation(.approximation, .larger, reason: "test")

    @Test func aDifferenceBeyondTwoStandardErrorsInTheExpectedDirectionAgrees() {
        let reference = Self.gaps(amortisation: Estimate(4, standardError: 0.3))
        let row = Self.gaps(amortisation: Estimate(3, standardError: 0.4))
        let c = Self.smaller.compare(row, with: reference)
        #expect(c.verdict == .agreed)
        // The rows are independent runs: the difference's error is the errors' root sum of squares.
        #expect(abs(c.difference!.value + 1) < 1e-6 && abs(c.difference!.standardError - 0.5) < 1e-6)
        let wider = Self.gaps(approximation: Estimate(2, standardError: 0.1))
        #expect(Self.larger.compare(wider, with: Self.gaps()).verdict == .agreed)
    }

    @Test func aDifferenceBeyondTwoStandardErrorsTheOtherWayDoesNotAgree() {
        let reference = Self.gaps(amortisation: Estimate(3, standardError: 0.3))
        let row = Self.gaps(amortisation: Estimate(4, standardError: 0.4))
        #expect(Self.smaller.compare(row, with: reference).verdict == .notAgreed)
        let narrower = Self.gaps(approximation: Estimate(0.5, standardError: 0.1))
        #expect(Self.larger.compare(narrower, with: Self.gaps()).verdict == .notAgreed)
    }

    @Test func aDifferenceUnderTwoStandardErrorsIsWithinNoiseEitherWay() {
        let reference = Self.gaps(amortisation: Estimate(3, standardError: 0.75))
        for value: Float in [1.5, 2.0, 3.0, 4.0, 4.4] {
            let row = Self.gaps(amortisation: Estimate(value, standardError: 1))
            #expect(Self.smaller.compare(row, with: reference).verdict == .withinNoise, "\(value)")
        }
        // Exactly two combined errors (√(0.75² + 1²) = 1.25) is no longer under them.
        let row = Self.gaps(amortisation: Estimate(0.5, standardError: 1))
        #expect(Self.smaller.compare(row, with: reference).verdict == .agreed)
        // Only the named gap counts: the other moving the wrong way does not change the verdict.
        let mixed = Self.gaps(amortisation: Estimate(3.1, standardError: 0.75),
                              approximation: Estimate(9, standardError: 0.1))
        #expect(Self.smaller.compare(mixed, with: reference).verdict == .withinNoise)
    }

    static func result(_ key: String, amortisation: Float) throws -> GapLab.Result {
        let row = try #require(GapLab.rows.first { $0.key == key })
        let decomposition = GapDecomposition(logMarginal: [-90], localELBO: [Estimate(-92, standardError: 0.05)],
                                             amortisedELBO: [Estimate(-92 - amortisation, standardError: 0.05)],
                                             localSteps: 10, localStop: .plateau, seconds: 0, samples: 100,
                                             importanceSamples: 100)
        return GapLab.Result(row: row, decomposition: decomposition, seconds: 0, steps: 0, nonFiniteSteps: 0,
                             aggressiveEnded: nil)
    }

    /// Each row is judged against its reference row when it was run: the reference itself and a row without
    /// its reference get no verdict; the table and the JSON carry every row.
    @Test func rowsAreJudgedAgainstTheReferenceRow() throws {
        let reference = try Self.result(GapLab.referenceKey, amortisation: 4)
        let wide = try Self.result("diag-h500", amortisation: 2), narrow = try Self.result("diag-h100", amortisation: 2)
        let all = [narrow, reference, wide]
        #expect(GapLab.comparison(for: reference, among: all).verdict == .reference)
        #expect(GapLab.comparison(for: wide, among: all).verdict == .agreed)
        #expect(GapLab.comparison(for: narrow, among: all).verdict == .notAgreed)
        #expect(GapLab.comparison(for: wide, among: [wide]).verdict == .noReference)

        let markdown = GapLab.markdown(all, caption: "caption")
        #expect(markdown.hasPrefix("caption\n"))
        for r in all { #expect(markdown.contains("| \(r.row.key) | \(r.row.change) |")) }
        #expect(markdown.contains("| not agreed (Δ -2.00 ± 0.10) |"), "\(markdown)")
        let encoded = Data(GapLab.json(all, caption: "c").encoded.utf8)
        let json = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(rows.map { $0["row"] as? String } == ["diag-h100", "diag-h200", "diag-h500"])
        #expect(rows.map { $0["agreed"] as? Bool } == [false, nil, true])
        #expect(rows[1]["agreed"] is NSNull && rows[1]["expectation"] is NSNull)
    }

    /// A configuration's leaves as "model.encoderHidden" → its JSON value, for comparing two of them.
    static func leaves(_ config: TrainingConfig) throws -> [String: String] {
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(config))
        var out: [String: String] = [:]
        func walk(_ value: Any, _ path: String) {
            if let dictionary = value as? [String: Any] {
                for (key, inner) in dictionary { walk(inner, path.isEmpty ? key : path + "." + key) }
            } else {
                out[path] = "\(value)"
            }
        }
        walk(object, "")
        return out
    }

    /// Each row differs from the reference in exactly the setting its key names.
    @Test func eachRowChangesExactlyWhatItNames() throws {
        let base = GapLab.base(TrainingConfig())
        let expected: [String: Set<String>] = [
            "diag-h100": ["model.encoderHidden"], GapLab.referenceKey: [], "diag-h500": ["model.encoderHidden"],
            "iaf": ["model.posterior"], "iwae-k5": ["objective.kind", "objective.k"], "aggressive": ["aggressive"],
        ]
        #expect(Set(GapLab.rows.map(\.key)) == Set(expected.keys) && GapLab.rows.count == expected.count)
        let before = try Self.leaves(base)
        for row in GapLab.rows {
            let config = row.config(from: base), after = try Self.leaves(config)
            let changed = Set(before.keys.filter { before[$0] != after[$0] })
            #expect(changed == expected[row.key], "\(row.key) changed \(changed)")
            #expect(config.model.problem == nil, "\(row.key): \(config.model.problem ?? "")")
            if let e = row.expectation { #expect(GapLab.rows.contains { $0.key == e.reference }) }
        }
        let c = { (key: String) in GapLab.rows.first { $0.key == key }!.config(from: base) }
        #expect(c("diag-h100").model.encoderHidden == [100, 100] && c("diag-h500").model.encoderHidden == [500, 500])
        #expect(c("diag-h500").model.decoderHidden == base.model.decoderHidden, "the decoder stays")
        #expect(c("iaf").model.posterior == .iaf && c("aggressive").aggressive)
        #expect(c("iwae-k5").objective.kind == .iwae && c("iwae-k5").objective.k == 5)
    }

    /// The base is the reference whatever the command's settings: it undoes what the rows change.
    @Test func theBaseIsTheReference() {
        var config = TrainingConfig()
        config.model.encoderHidden = [64]
        config.model.posterior = .iaf
        config.objective = ObjectiveSettings(kind: .iwae, k: 50)
        config.aggressive = true
        let base = GapLab.base(config)
        #expect(base.model.encoderHidden == [200, 200] && base.model.posterior == .diag && base.model.prior == .normal)
        #expect(base.objective.kind == .elbo && base.objective.k == 1 && !base.aggressive)
    }
}

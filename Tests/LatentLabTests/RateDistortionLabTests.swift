import Foundation
import Testing
@testable import LatentLab

/// The rate-distortion lab's expectations and its table, without training: the rules are pure functions of
/// the measured points.
@Suite struct RateDistortionLabTests {
    typealias Lab = RateDistortionLab

    static func p(_ decoder: LatentDecoder, _ beta: Float, rate: Float, distortion: Float) -> Lab.Point {
        Lab.Point(decoder: decoder, beta: beta, rate: rate, distortion: distortion)
    }

    /// A factorised frontier: R 40, 20, 10 and D 80, 90, 100 at β 0.5, 1, 2.
    static let factorised = [Self.p(.factorized, 1, rate: 20, distortion: 90),
                             Self.p(.factorized, 0.5, rate: 40, distortion: 80),
                             Self.p(.factorized, 2, rate: 10, distortion: 100)]

    @Test func aFrontierThatFallsInRateAndRisesInDistortionAgrees() {
        let v = Lab.monotonicity(Self.factorised, of: .factorized)
        #expect(v.outcome == .agreed, "\(v)")
        // Taken in β order whatever the order run.
        #expect(v.detail == "R 40.00 → 10.00, D 80.00 → 100.00 from β 0.5 to 2", "\(v.detail)")
        #expect(v.expectation == "factorised Bernoulli: R falls and D rises as β grows")
    }

    @Test func theFirstPairThatBreaksItIsNamed() {
        let risingRate = [Self.p(.made, 0.25, rate: 10, distortion: 90), Self.p(.made, 0.5, rate: 11, distortion: 80),
                          Self.p(.made, 1, rate: 12, distortion: 95)]
        let r = Lab.monotonicity(risingRate, of: .made)
        #expect(r.outcome == .notAgreed && r.detail == "R rises from 10.00 to 11.00 from β 0.25 to 0.5", "\(r)")
        let fallingDistortion = [Self.p(.made, 1, rate: 3, distortion: 95), Self.p(.made, 2, rate: 2, distortion: 94),
                                 Self.p(.made, 4, rate: 1, distortion: 93)]
        let d = Lab.monotonicity(fallingDistortion, of: .made)
        #expect(d.outcome == .notAgreed && d.detail == "D falls from 95.00 to 94.00 from β 1 to 2", "\(d)")
    }

    /// A step back smaller than the tie agrees, and is named; exactly the tie is still a tie.
    @Test func aStepBackWithinTheTieAgreesAndIsNamed() {
        let points = [Self.p(.made, 1, rate: 0.9, distortion: 97.5), Self.p(.made, 2, rate: 0.1, distortion: 97.2),
                      Self.p(.made, 4, rate: 0.6, distortion: 97.2)]
        let v = Lab.monotonicity(points, of: .made)
        #expect(v.outcome == .agreed, "\(v)")
        #expect(v.detail.contains("(within the 0.5-nat tie: D falls from 97.50 to 97.20 from β 1 to 2; "
                                  + "R rises from 0.10 to 0.60 from β 2 to 4)"), "\(v.detail)")
        let exactly = [Self.p(.made, 1, rate: 1, distortion: 97), Self.p(.made, 2, rate: 1.5, distortion: 96.5)]
        #expect(Lab.monotonicity(exactly, of: .made).outcome == .agreed)
        let beyond = [Self.p(.made, 1, rate: 1, distortion: 97), Self.p(.made, 2, rate: 1.5625, distortion: 97)]
        #expect(Lab.monotonicity(beyond, of: .made).outcome == .notAgreed)
        let one = Lab.monotonicity([Self.p(.made, 1, rate: 1, distortion: 90)], of: .made)
        #expect(one.outcome == .notComparable)
        #expect(Lab.monotonicity(Self.factorised, of: .made).outcome == .notComparable, "no runs of it")
    }

    /// The factorised frontier as a function of R: linear between the runs around a rate, nil outside them.
    @Test func theFactorisedFrontierIsInterpolatedInRate() throws {
        let frontier = Self.factorised.sorted { $0.rate < $1.rate }
        #expect(Lab.distortion(on: frontier, at: 10) == 100 && Lab.distortion(on: frontier, at: 40) == 80)
        #expect(Lab.distortion(on: frontier, at: 15) == 95 && Lab.distortion(on: frontier, at: 30) == 85)
        #expect(Lab.distortion(on: frontier, at: 9.9) == nil && Lab.distortion(on: frontier, at: 40.1) == nil)
        let single = [Self.p(.factorized, 1, rate: 5, distortion: 70)]
        #expect(Lab.distortion(on: single, at: 5) == 70 && Lab.distortion(on: single, at: 6) == nil)
    }

    @Test func theMADEBelowTheFactorisedFrontierAtEqualRate() {
        let made = [Self.p(.made, 0.25, rate: 15, distortion: 90), Self.p(.made, 1, rate: 0.5, distortion: 96)]
        let v = Lab.belowFactorised(Self.factorised + made, decoder: .made)
        #expect(v.outcome == .agreed, "\(v)")
        #expect(v.detail == "below at β 0.25 (D 90.00 against 95.00 at R 15.00); β 1 outside the factorised R "
                + "range 10.00–40.00", "\(v.detail)")
        #expect(v.expectation == "at equal R, the MADE's D is below the factorised decoder's")

        let above = [Self.p(.made, 0.25, rate: 30, distortion: 86), Self.p(.made, 0.5, rate: 15, distortion: 90)]
        let no = Lab.belowFactorised(Self.factorised + above, decoder: .made)
        #expect(no.outcome == .notAgreed, "\(no)")
        #expect(no.detail == "not below at β 0.25 (D 86.00 against 85.00 at R 30.00); below at β 0.5 (D 90.00 "
                + "against 95.00 at R 15.00)", "\(no.detail)")
    }

    @Test func rangesThatDoNotOverlapAreNotComparable() {
        let collapsed = [Self.p(.made, 1, rate: 0.5, distortion: 96), Self.p(.made, 0.25, rate: 6, distortion: 93)]
        let v = Lab.belowFactorised(Self.factorised + collapsed, decoder: .made)
        #expect(v.outcome == .notComparable)
        #expect(v.detail == "the MADE's R spans 0.50–6.00 nats, the factorised decoder's 10.00–40.00: no overlap")
        #expect(Lab.belowFactorised(collapsed, decoder: .made).detail == "no factorised runs")
        #expect(Lab.belowFactorised(Self.factorised, decoder: .made).detail == "no MADE runs")
    }

    @Test func thePlainMADEIsNearZeroRateBelowTheThreshold() {
        let near = Lab.collapse([Self.p(.made, 1, rate: 0.82, distortion: 97)], decoder: .made)
        #expect(near.outcome == .agreed && near.detail == "R 0.82 nats at β = 1")
        #expect(near.expectation == "the plain MADE (β = 1) sits near R = 0: R below 1 nat")
        let at = Lab.collapse([Self.p(.made, 1, rate: Lab.collapsedRate, distortion: 97)], decoder: .made)
        #expect(at.outcome == .notAgreed && at.detail == "R 1.00 nats at β = 1, not below 1")
        let none = Lab.collapse([Self.p(.made, 2, rate: 0.1, distortion: 97)], decoder: .made)
        #expect(none.outcome == .notComparable && none.detail == "no MADE run at β = 1")
    }

    /// Each decoder's monotonicity in the order run, then each autoregressive decoder's two checks.
    @Test func everyExpectationTheRunsBearOn() {
        let made = [Self.p(.made, 1, rate: 0.5, distortion: 96)]
        #expect(Lab.verdicts(made + Self.factorised).map(\.expectation) == [
            "MADE: R falls and D rises as β grows", "factorised Bernoulli: R falls and D rises as β grows",
            "at equal R, the MADE's D is below the factorised decoder's",
            "the plain MADE (β = 1) sits near R = 0: R below 1 nat",
        ])
        #expect(Lab.verdicts(Self.factorised).count == 1)
    }

    /// A run is the collapse lab's setting of its decoder with β on the KL term, and nothing else.
    @Test func eachRunIsTheCollapseLabsDecoderAtItsBeta() throws {
        var base = TrainingConfig()
        base.model.encoderHidden = [200, 200]
        let made = Lab.config(base, decoder: .made, beta: 2)
        #expect(made.objective.beta == 2 && made.model.decoder == .made && made.model.decoderHidden == [500])
        #expect(made.adam.learningRate == CollapseLab.defaultLearningRate)
        let factorised = Lab.config(base, decoder: .factorized, beta: 0.5)
        #expect(factorised.model.decoder == .factorized && factorised.model.decoderHidden == [200, 200])
        #expect(factorised.adam.learningRate == CollapseLab.factorizedLearningRate)
        // The factorised runs at β = 1 are the collapse lab's reference row, the MADE's its plain row.
        for (decoder, key) in [(LatentDecoder.factorized, "factorized"), (.made, "plain")] {
            var row = CollapseLab.base(base, decoder: .made)
            try #require(CollapseLab.rows.first { $0.key == key }).configure(&row, 1000)
            let run = try GapLabTests.leaves(Lab.config(base, decoder: decoder, beta: 1))
            #expect(try run == GapLabTests.leaves(row), "\(decoder)")
            let changed = try GapLabTests.leaves(Lab.config(base, decoder: decoder, beta: 4))
                .filter { run[$0.key] != $0.value }.map(\.key)
            #expect(changed == ["objective.beta"], "\(decoder): \(changed)")
        }
    }

    static func result(_ decoder: LatentDecoder, _ beta: Float, rate: Float, distortion: Float) -> Lab.Result {
        let evaluation = Evaluation(elbo: -(rate + distortion), distortion: distortion, kl: rate,
                                    klPerUnit: [rate / 2, rate / 2], activity: [0.5, 0], activeUnits: 1,
                                    mutualInformation: 1, mutualInformationBound: 0, priorLikelihood: -distortion - 1,
                                    examples: 10, layerSizes: [2])
        return Lab.Result(decoder: decoder, beta: beta, nll: distortion - 1, evaluation: evaluation, seconds: 3,
                          steps: 10, nonFiniteSteps: 0)
    }

    @Test func theTableAndTheJSONCarryEveryRunAndEveryVerdict() throws {
        let results = [Self.result(.factorized, 0.5, rate: 40, distortion: 80),
                       Self.result(.factorized, 1, rate: 20, distortion: 90),
                       Self.result(.made, 1, rate: 0.5, distortion: 96)]
        let markdown = Lab.markdown(results, caption: "caption")
        #expect(markdown.hasPrefix("caption\n\n| decoder | β | R (rate) | D (distortion) | −ELBO = D + R | NLL "))
        #expect(markdown.contains("| factorized | 0.5 | 40.00 | 80.00 | 120.00 | 79.00 | 1/2 | 3 |"), "\(markdown)")
        #expect(markdown.contains("| made | 1 | 0.50 | 96.00 | 96.50 | 95.00 | 1/2 | 3 |"))
        #expect(markdown.contains("| the plain MADE (β = 1) sits near R = 0: R below 1 nat | agreed: R 0.50 nats "
                                  + "at β = 1 |"), "\(markdown)")

        let encoded = Data(Lab.json(results, caption: "c").encoded.utf8)
        let json = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(rows.map { $0["decoder"] as? String } == ["factorized", "factorized", "made"])
        #expect(rows.map { $0["beta"] as? Double } == [0.5, 1, 1])
        #expect(rows[0]["elbo"] as? Double == -120 && rows[0]["nll"] as? Double == 79)
        #expect(rows[0]["active_units"] as? Int == 1 && rows[2]["rate"] as? Double == 0.5)
        let expectations = try #require(json["expectations"] as? [[String: Any]])
        #expect(expectations.map { $0["verdict"] as? String } == ["agreed", "not comparable", "not comparable",
                                                                  "agreed"])
    }
}

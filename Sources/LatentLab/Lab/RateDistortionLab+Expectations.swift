import Foundation

/// The lab's expectations as pure functions of the measured points, so the rules are tested without training.
extension RateDistortionLab {
    /// What the measurement says about one expectation.
    public enum Outcome: String, Sendable {
        case agreed
        case notAgreed = "not agreed"
        /// The runs cannot say: the ranges they cover do not overlap, or a run the check needs was not made.
        case notComparable = "not comparable"
    }

    /// One expectation, its outcome and the figures it rests on.
    public struct Verdict: Sendable, Equatable {
        public let expectation: String
        public let outcome: Outcome
        public let detail: String

        public init(_ expectation: String, _ outcome: Outcome, _ detail: String) {
            self.expectation = expectation
            self.outcome = outcome
            self.detail = detail
        }

        /// "agreed: R 30.12 → 8.40 …".
        public var text: String { "\(outcome.rawValue): \(detail)" }
    }

    /// Steps in R or D smaller than this, in nats, count as ties when checking that R falls and D rises: fixed
    /// before measuring, so that training noise on a flat stretch of a frontier (a collapsed decoder's D does
    /// not depend on β at all) is not read as a reversal. A reversal within it is still named in the detail.
    public static let tie: Float = 0.5
    /// Below this rate, in nats, a decoder "sits near R = 0": the issue's threshold, and the collapse lab's.
    public static let collapsedRate: Float = 1
    /// The plain ELBO's weight, where an autoregressive decoder is expected to collapse.
    public static let plainBeta: Float = 1

    static func nats(_ v: Float) -> String { String(format: "%.2f", v) }

    /// Per decoder, in β order: R non-increasing and D non-decreasing, up to `tie`. Not agreed names the first
    /// pair of neighbouring β that breaks it.
    public static func monotonicity(_ points: [Point], of decoder: LatentDecoder) -> Verdict {
        let statement = "\(decoder.title): R falls and D rises as β grows"
        let own = points.filter { $0.decoder == decoder }.sorted { $0.beta < $1.beta }
        guard let first = own.first, let last = own.last, own.count >= 2 else {
            return Verdict(statement, .notComparable, "fewer than two β run")
        }
        var slight: [String] = []
        for (a, b) in zip(own, own.dropFirst()) {
            let pair = "from β \(betaText(a.beta)) to \(betaText(b.beta))"
            let rises = "R rises from \(nats(a.rate)) to \(nats(b.rate)) " + pair
            let falls = "D falls from \(nats(a.distortion)) to \(nats(b.distortion)) " + pair
            if b.rate > a.rate + tie { return Verdict(statement, .notAgreed, rises) }
            if b.distortion < a.distortion - tie { return Verdict(statement, .notAgreed, falls) }
            if b.rate > a.rate { slight.append(rises) }
            if b.distortion < a.distortion { slight.append(falls) }
        }
        let span = "R \(nats(first.rate)) → \(nats(last.rate)), D \(nats(first.distortion)) → "
            + "\(nats(last.distortion)) from β \(betaText(first.beta)) to \(betaText(last.beta))"
        let ties = slight.isEmpty ? ""
            : " (within the \(betaText(tie))-nat tie: " + slight.joined(separator: "; ") + ")"
        return Verdict(statement, .agreed, span + ties)
    }

    /// The factorised frontier's D at rate `r`: linear between the two runs whose rates bracket it, nil outside
    /// the rates the runs cover. `frontier` is sorted by rate.
    static func distortion(on frontier: [Point], at r: Float) -> Float? {
        guard let first = frontier.first, let last = frontier.last, r >= first.rate, r <= last.rate else { return nil }
        for (a, b) in zip(frontier, frontier.dropFirst()) where r <= b.rate {
            let span = b.rate - a.rate
            return span > 0 ? a.distortion + (r - a.rate) / span * (b.distortion - a.distortion)
                : min(a.distortion, b.distortion)
        }
        return first.distortion
    }

    /// At equal R, `decoder`'s D below the factorised decoder's: each of its runs whose R lies within the rates
    /// the factorised runs cover against that frontier interpolated there. Not comparable when none does.
    public static func belowFactorised(_ points: [Point], decoder: LatentDecoder) -> Verdict {
        let statement = "at equal R, the \(decoder.title)'s D is below the factorised decoder's"
        let frontier = points.filter { $0.decoder == .factorized }.sorted { $0.rate < $1.rate }
        let own = points.filter { $0.decoder == decoder }.sorted { $0.beta < $1.beta }
        guard let low = frontier.first, let high = frontier.last else {
            return Verdict(statement, .notComparable, "no factorised runs")
        }
        guard let ownLow = own.map(\.rate).min(), let ownHigh = own.map(\.rate).max() else {
            return Verdict(statement, .notComparable, "no \(decoder.title) runs")
        }
        let compared = own.compactMap { p in distortion(on: frontier, at: p.rate).map { (point: p, factorised: $0) } }
        guard !compared.isEmpty else {
            let spans = "the \(decoder.title)'s R spans \(nats(ownLow))–\(nats(ownHigh)) nats, "
                + "the factorised decoder's \(nats(low.rate))–\(nats(high.rate)): no overlap"
            return Verdict(statement, .notComparable, spans)
        }
        let figures = compared.map { c in
            (c.point.distortion < c.factorised ? "below" : "not below") + " at β \(betaText(c.point.beta)) (D "
                + "\(nats(c.point.distortion)) against \(nats(c.factorised)) at R \(nats(c.point.rate)))"
        }
        let outside = own.filter { p in !compared.contains { $0.point == p } }.map { betaText($0.beta) }
        let rest = outside.isEmpty ? [] : ["β \(outside.joined(separator: ", ")) outside the factorised R range "
            + "\(nats(low.rate))–\(nats(high.rate))"]
        let allBelow = compared.allSatisfy { $0.point.distortion < $0.factorised }
        return Verdict(statement, allBelow ? .agreed : .notAgreed, (figures + rest).joined(separator: "; "))
    }

    /// `decoder` at β = 1, the plain ELBO, has R below `collapsedRate`.
    public static func collapse(_ points: [Point], decoder: LatentDecoder) -> Verdict {
        let statement = "the plain \(decoder.title) (β = 1) sits near R = 0: R below \(betaText(collapsedRate)) nat"
        guard let p = points.first(where: { $0.decoder == decoder && $0.beta == plainBeta }) else {
            return Verdict(statement, .notComparable, "no \(decoder.title) run at β = 1")
        }
        let figure = "R \(nats(p.rate)) nats at β = 1"
        return p.rate < collapsedRate ? Verdict(statement, .agreed, figure)
            : Verdict(statement, .notAgreed, figure + ", not below \(betaText(collapsedRate))")
    }

    /// Every expectation the runs bear on: each decoder's monotonicity, then for each autoregressive decoder
    /// its frontier against the factorised one and its collapse at β = 1. Decoders in the order first run.
    public static func verdicts(_ points: [Point]) -> [Verdict] {
        var decoders: [LatentDecoder] = []
        for p in points where !decoders.contains(p.decoder) { decoders.append(p.decoder) }
        let autoregressive = decoders.filter { $0.family.isAutoregressive }
        return decoders.map { monotonicity(points, of: $0) }
            + autoregressive.flatMap { [belowFactorised(points, decoder: $0), collapse(points, decoder: $0)] }
    }
}

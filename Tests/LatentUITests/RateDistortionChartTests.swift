import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import LatentUI

/// The rate-distortion chart read back as XML: a polyline per decoder through its points in β order, each point
/// labelled, lines of constant −ELBO behind them, a legend.
@Suite struct RateDistortionChartTests {
    /// The SVG's elements: name and attributes, and the text inside each.
    final class Elements: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String], text: String)] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements.append((name, attributes, ""))
            open = elements.count - 1
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let open, open < elements.count { elements[open].text += string }
        }

        /// The element whose text is being read: text after an element's end (a newline) is nobody's.
        private var open: Int?

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open = nil
        }

        static func parse(_ svg: String) throws -> Elements {
            let reader = Elements(), parser = XMLParser(data: Data(svg.utf8))
            parser.delegate = reader
            try #require(parser.parse(), "the SVG is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")")
            return reader
        }
    }

    static let series = [
        RateDistortionChart.Series(name: "factorised Bernoulli", points: [
            .init(label: "0.25", rate: 38, distortion: 82), .init(label: "1", rate: 22, distortion: 90),
            .init(label: "4", rate: 8, distortion: 104)]),
        RateDistortionChart.Series(name: "MADE <AR>", points: [
            .init(label: "0.25", rate: 9, distortion: 90), .init(label: "1", rate: 0.4, distortion: 95.5),
            .init(label: "4", rate: 0.05, distortion: 95.7)]),
    ]

    static func pairs(_ points: String) -> [(Double, Double)] {
        points.split(separator: " ").map { pair in
            let xy = pair.split(separator: ",").map { Double($0)! }
            return (xy[0], xy[1])
        }
    }

    @Test func oneFrontierPerDecoderThroughItsPointsWithTheirLabels() throws {
        let svg = RateDistortionChart.render(Self.series, title: "frontiers & <more>")
        let parsed = try Elements.parse(svg).elements
        let lines = parsed.filter { $0.name == "polyline" }
        #expect(lines.map { $0.attributes["data-decoder"] } == ["factorised Bernoulli", "MADE <AR>"])
        for (line, s) in zip(lines, Self.series) {
            let points = Self.pairs(try #require(line.attributes["points"]))
            #expect(points.count == s.points.count)
            // Up is less distortion: the pixel y falls as D falls, and x grows with R.
            for ((a, b), (p, q)) in zip(zip(points, points.dropFirst()), zip(s.points, s.points.dropFirst())) {
                #expect((a.0 < b.0) == (p.rate < q.rate) && (a.1 < b.1) == (p.distortion > q.distortion))
            }
        }
        let labels = parsed.filter { $0.name == "text" && $0.attributes["class"] == "beta" }.map(\.text)
        #expect(labels == ["β = 0.25", "β = 1", "β = 4", "β = 0.25", "β = 1", "β = 4"])
        #expect(parsed.filter { $0.name == "circle" }.count == 6)
        #expect(parsed.contains { $0.name == "text" && $0.text == "frontiers & <more>" })
        let legend = parsed.filter { $0.attributes["class"] == "legend" }.map(\.text)
        #expect(legend == ["factorised Bernoulli", "MADE <AR>", "constant −ELBO = D + R"])
        #expect(parsed.contains { $0.text.hasSuffix(", nats") && $0.text.hasPrefix("rate R") })
        #expect(parsed.contains { $0.text.hasSuffix(", nats") && $0.text.hasPrefix("distortion D") })
    }

    /// The −ELBO lines have slope −1 in nats: both ends on the frame, R + D the same at each.
    @Test func linesOfConstantELBOAreFaintAndHaveSlopeMinusOne() throws {
        let parsed = try Elements.parse(RateDistortionChart.render(Self.series, title: "t")).elements
        let iso = parsed.filter { $0.attributes["class"] == "iso-elbo" }
        #expect(iso.count >= 3, "\(iso.count) lines")
        let x = ChartAxis(covering: Self.series.flatMap(\.points).map(\.rate) + [0], floor: 0,
                          from: RateDistortionChart.left, to: RateDistortionChart.width - RateDistortionChart.right)
        let y = ChartAxis(covering: Self.series.flatMap(\.points).map(\.distortion),
                          from: RateDistortionChart.height - RateDistortionChart.bottom, to: RateDistortionChart.top)
        func nats(_ px: String?, _ axis: ChartAxis) -> Double {
            axis.low + (Double(px!)! - axis.from) / (axis.to - axis.from) * (axis.high - axis.low)
        }
        for line in iso {
            let a = nats(line.attributes["x1"], x) + nats(line.attributes["y1"], y)
            let b = nats(line.attributes["x2"], x) + nats(line.attributes["y2"], y)
            #expect(abs(a - b) < 0.2, "R + D \(a) and \(b) at the ends")
            #expect(line.attributes["stroke"] == RateDistortionChart.isoColor)
        }
    }

    @Test func axesRoundOutToTidySteps() {
        #expect([0.3, 1.2, 7, 10, 11].map(ChartAxis.niceStep) == [0.5, 2, 10, 10, 20])
        let r = ChartAxis(covering: [0, 0.05, 38], floor: 0, from: 0, to: 100)
        #expect(r.low == 0 && r.high >= 38 && r.ticks.first == 0 && r.ticks.last == r.high)
        #expect(r.ticks.allSatisfy { ($0 / r.step).rounded() * r.step == $0 })
        let flat = ChartAxis(covering: [95, 95], from: 0, to: 100)
        #expect(flat.low < 95 && flat.high > 95, "one value still gets a range")
        #expect(ChartAxis(covering: [0.1, 0.9], from: 0, to: 1).label(0.4) == "0.4")
    }

    /// Labels of points that nearly coincide (a collapsed decoder's β 2 and 4) go to different places.
    @Test func labelsOfNearbyPointsDoNotOverlap() {
        var placer = LabelPlacer(bounds: .init(x: 0, y: 0, width: 500, height: 500))
        let spots = ["β = 1", "β = 2", "β = 4"].map { placer.place($0, x: 100, y: 100) }
        #expect(Set(spots.map { "\($0.x),\($0.y)" }).count == 3)
        for (i, a) in placer.taken.enumerated() {
            for b in placer.taken[(i + 1)...] { #expect(!a.overlaps(b)) }
        }
        // Near the frame's right edge a label goes to the left of its point, inside.
        let edge = placer.place("β = 0.25", x: 495, y: 300)
        #expect(edge.anchorEnd && edge.x < 495)
    }
}

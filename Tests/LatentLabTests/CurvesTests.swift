import Foundation
import Testing
@testable import LatentLab

/// A run directory's `curves.json`: files saved before the held-out rate and distortion existed still reopen, and
/// the curves read as the rate-distortion plane's points.
@Suite struct CurvesTests {
    /// `curves.json` as the dashboard wrote it before the plane: no `testRate`, no `testDistortion`.
    static let oldFile = """
        {"trainLoss":[{"step":10,"value":210}],"testLoss":[{"step":0,"value":543},{"step":10,"value":205}],
         "rate":[{"step":10,"value":3.5}],"distortion":[{"step":10,"value":206.5}],"l1":[],"l5":[],"l50":[],
         "klLayers":[],"markers":[{"step":5,"label":"β=1.5"}]}
        """

    @Test func anOldFileStillLoads() throws {
        let curves = try JSONDecoder().decode(Snapshot.Curves.self, from: Data(Self.oldFile.utf8))
        #expect(curves.testLoss.count == 2 && curves.markers.map(\.label) == ["β=1.5"])
        #expect(curves.testRate.isEmpty && curves.testDistortion.isEmpty && curves.heldOutPlane.isEmpty)
        #expect(curves.trainPlane == [RateDistortionPoint(step: 10, rate: 3.5, distortion: 206.5)])
    }

    @Test func theHeldOutSeriesRoundTrip() throws {
        var curves = Snapshot.Curves()
        curves.testRate = [.init(step: 0, value: 0.5), .init(step: 20, value: 4)]
        curves.testDistortion = [.init(step: 0, value: 543), .init(step: 20, value: 190)]
        let read = try JSONDecoder().decode(Snapshot.Curves.self, from: JSONEncoder().encode(curves))
        #expect(read == curves)
        #expect(read.heldOutPlane.map(\.loss) == [543.5, 194])
        // A key the first file had is still required: a file without it is not curves.
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Snapshot.Curves.self, from: Data("{}".utf8)) }
    }

    /// Pairs are made at the steps both series have, in order; a step only one has is left out.
    @Test func rateAndDistortionArePairedByStep() {
        let rate = [CurvePoint(step: 1, value: 1), CurvePoint(step: 2, value: 2), CurvePoint(step: 4, value: 4)]
        let distortion = [CurvePoint(step: 2, value: 20), CurvePoint(step: 3, value: 30), CurvePoint(step: 4, value: 40)]
        #expect(RateDistortionPoint.pairs(rate: rate, distortion: distortion)
                == [RateDistortionPoint(step: 2, rate: 2, distortion: 20), RateDistortionPoint(step: 4, rate: 4, distortion: 40)])
    }
}

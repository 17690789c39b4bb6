import Foundation
import Testing
@testable import LatentLab

/// The latent walk: the codes it decodes, the images the engine makes for a request, a unit the decoder
/// ignores giving one image all along its traversal, and an autoregressive decoder's draws on their budget.
@Suite struct LatentWalkTests {
    static func request(first: Int = 1, second: Int = 3, at cursor: (Float, Float) = (0.5, -1.25),
                        traversed: Int = 2, reference: Int = 1) -> LatentWalkRequest {
        var r = LatentWalkRequest()
        (r.first, r.second, r.traversed, r.reference) = (first, second, traversed, reference)
        (r.cursorFirst, r.cursorSecond) = cursor
        return r
    }

    @Test func theCodesAreTheReferenceWithTheMovedUnitsSet() {
        let base: [Float] = [0.1, 0.2, 0.3, 0.4]
        let z = LatentWalk.codes(Self.request(), base: base)
        #expect(z.rows == 1 + LatentWalk.sweep.count && z.cols == 4)
        #expect((0..<4).map { z[0, $0] } == [0.1, 0.5, 0.3, -1.25], "the cursor sets the map's two units")
        for (i, value) in LatentWalk.sweep.enumerated() {
            #expect((0..<4).map { z[1 + i, $0] } == [0.1, 0.2, value, 0.4], "the traversal sets its unit only")
        }
    }

    @Test func theEngineDecodesARequestAtOnce() throws {
        let e = SessionEngineTests.engine()
        #expect(e.snapshot.walk == nil)
        e.apply(.latentWalk(Self.request()))
        let walk = try #require(e.snapshot.walk)
        #expect(walk.traversal.count == 7 && walk.cursorImage.count == 16 && !walk.areDraws)
        let base = e.snapshot.posterior.means[1]
        let z = LatentWalk.codes(Self.request(), base: base)
        let p = e.trainer.model.likelihood.probabilities(nil, given: Var(constant: z), on: Tape(recording: false)).value
        #expect((0..<16).allSatisfy { p[0, $0] == walk.cursorImage[$0] && p[7, $0] == walk.traversal[6][$0] })
        // Training moves the model: the next evaluation decodes again.
        for _ in 0..<5 { e.tick() }
        e.diagnose()
        #expect(e.snapshot.walk?.step == e.trainer.step && e.snapshot.walk?.cursorImage != walk.cursorImage)
        // The pages closed: nothing more is decoded.
        e.apply(.latentWalk(nil))
        for _ in 0..<5 { e.tick() }
        e.diagnose()
        #expect(e.snapshot.walk == nil)
    }

    /// A unit the decoder does not read (its row of the first layer's weights zero) traverses to one image.
    @Test func anIgnoredUnitTraversesToOneImage() throws {
        let e = SessionEngineTests.engine()
        let weights = try #require(e.trainer.model.parameters.first { $0.name == "decoder.0.weight" })
        var zeroed = weights.value.copied()
        for c in 0..<zeroed.cols { zeroed[2, c] = 0 }
        weights.assign(zeroed)
        e.apply(.latentWalk(Self.request(traversed: 2)))
        let ignored = try #require(e.snapshot.walk).traversal
        #expect(ignored.allSatisfy { $0 == ignored[0] })
        e.apply(.latentWalk(Self.request(traversed: 0)))
        let used = try #require(e.snapshot.walk).traversal
        #expect(used[0] != used[6])
    }

    /// An autoregressive decoder draws pixel by pixel: at an evaluation, not at each key.
    @Test func anAutoregressiveDecoderDrawsAtAnEvaluation() throws {
        var config = Fixtures.smallModel
        config.decoder = .made
        config.decoderHidden = [8]
        let trainer = Trainer(config: TrainingConfig(model: config, batchSize: 20), data: Fixtures.splits())
        let e = SessionEngine(trainer: trainer, probeSize: 8, evaluationSlice: 50, mapPoints: 20)
        e.apply(.latentWalk(Self.request()))
        #expect(e.snapshot.walk == nil)
        e.diagnose()
        let walk = try #require(e.snapshot.walk)
        #expect(walk.areDraws && walk.cursorImage.allSatisfy { $0 == 0 || $0 == 1 })
    }
}

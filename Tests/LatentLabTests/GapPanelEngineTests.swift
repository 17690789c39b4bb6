import Foundation
import Testing
@testable import LatentLab

/// The gap panel's engine side: the probe images' gap taken apart while the panel is open and only then,
/// its parts summing to the inference gap, logged; local inference cut by its time budget and saying so.
@Suite struct GapPanelEngineTests {
    @Test func theEngineTakesTheGapApartWhileThePanelIsOpen() throws {
        let path = Fixtures.temporaryDirectory() + "/run.jsonl"
        let e = SessionEngineTests.engine(log: try RunLog(path: path))
        for _ in 0..<30 { e.tick() }
        e.diagnose()
        #expect(e.snapshot.gaps == nil, "closed: nothing is computed")

        e.apply(.showGaps(true))
        e.diagnose()
        let g = try #require(e.snapshot.gaps)
        #expect(g.approximation.count == 8 && g.amortisation.count == 8, "one bar per probe image")
        #expect(g.step == e.trainer.step && g.localSteps > 0 && g.seconds > 0)
        #expect(g.samples == GapMonitor.samples && g.importanceSamples == GapMonitor.importanceSamples)
        // The parts add up to the inference gap, image by image and on average.
        let sum = zip(g.approximation, g.amortisation).map(+).reduce(0, +) / 8
        #expect(abs(sum - g.meanInference.value) < 1e-3)
        #expect(abs(g.meanApproximation.value + g.meanAmortisation.value - g.meanInference.value) < 1e-3)
        // Local inference does not lower the ELBO beyond noise.
        #expect(g.meanAmortisation.value > -3 * g.meanAmortisation.standardError - 0.01)
        #expect(g.localELBO >= g.amortisedELBO - 3 * g.meanAmortisation.standardError - 0.01)

        let records = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let gapRecords = records.filter { $0.contains(#""event":"gaps""#) }
        #expect(gapRecords.count == 1 && gapRecords[0].contains(#""approximation_gap":"#)
                && gapRecords[0].contains(#""amortization_gap":"#) && gapRecords[0].contains(#""local_steps":"#))
        #expect(records.contains { $0.contains(#""command":"gaps","value":true"#) })

        // Closed again: the last figures stay on screen (the collapse pane's line), none are taken.
        e.apply(.showGaps(false))
        for _ in 0..<5 { e.tick() }
        e.diagnose()
        #expect(e.snapshot.gaps?.step == g.step)
        // A new model's gaps are not the old one's.
        e.apply(.reset(seed: 2))
        #expect(e.snapshot.gaps == nil)
    }

    /// Paused, opening the panel takes the gap apart at once: there is no next evaluation to wait for.
    @Test func pausedTheGapIsTakenOnOpening() {
        let e = SessionEngineTests.engine()
        e.apply(.pause)
        e.apply(.showGaps(true))
        #expect(e.snapshot.gaps?.step == 0)
    }

    @Test func localInferenceStopsAtItsBudgetsAndSaysWhich() {
        let trainer = Fixtures.trainer()
        let x = trainer.data.test.batch(0..<4)
        var rng = RandomSource(seed: 3)
        // A tolerance no window can fail to meet: only the clock stops it.
        let timed = LocalOptimisation.optimise(model: trainer.model, x: x,
                                               settings: LocalOptimisationSettings(steps: 1_000_000, tolerance: -1e9, timeBudget: 0.05),
                                               rng: &rng)
        #expect(timed.stop == .time && timed.steps > 0 && timed.steps < 1_000_000)
        let counted = LocalOptimisation.optimise(model: trainer.model, x: x, settings: LocalOptimisationSettings(steps: 3),
                                                 rng: &rng)
        #expect(counted.stop == .steps && counted.steps == 3)
        let settled = LocalOptimisation.optimise(model: trainer.model, x: x,
                                                 settings: LocalOptimisationSettings(steps: 100_000, window: 5, tolerance: 100),
                                                 rng: &rng)
        // No window gains 100 nats: the first sets the best, the second settles, the third ends it.
        #expect(settled.stop == .plateau && settled.steps == 15)
    }
}

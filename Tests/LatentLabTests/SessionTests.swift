import Foundation
import Testing
@testable import LatentLab

@Suite struct SessionEngineTests {
    static func engine(log: RunLog? = nil) -> SessionEngine {
        let e = SessionEngine(trainer: Fixtures.trainer(), log: log, probeSize: 8, evaluationSlice: 50, mapPoints: 20)
        e.pointEvery = 2
        return e
    }

    @Test func trainingFillsTheSnapshot() {
        let e = Self.engine()
        for _ in 0..<10 { e.tick() }
        e.diagnose()
        let s = e.snapshot
        #expect(s.step == 10)
        #expect(s.modelSummary == "z4 Gauss·N(0,I)·Bern" && s.modelDescription == e.trainer.model.description)
        #expect(s.platform.count == 3 && s.platform[0].hasPrefix("BLAS: ") && s.platform[2].hasPrefix("Subnormals: "))
        #expect(s.curves.trainLoss.count == 5 && s.curves.rate.count == 5 && s.curves.distortion.count == 5)
        #expect(s.curves.testLoss.count >= 2 && s.curves.l1.count == s.curves.l50.count)
        #expect(s.curves.l1.last!.value <= s.curves.l50.last!.value + 0.05, "L_1 below L_50 on the probe batch")
        #expect(s.klPerUnit.count == 4 && s.activity.count == 4)
        #expect(s.posterior.means.count == 20 && s.posterior.means[0].count == 4 && s.posterior.labels.count == 20)
        #expect(s.images.inputs.count == 6 && s.images.reconstructions[0].count == 16 && s.images.samples.count == 6)
        #expect(s.images.reconstructions.allSatisfy { $0.allSatisfy { $0 >= 0 && $0 <= 1 } })
        #expect(s.dataset == "bars" && s.latentSize == 4 && s.samplesPerSecond > 0)
        #expect(s.mutualInformationBound.isFinite && s.mutualInformationBound <= 16 * Foundation.log(2), "BA ≤ H(x) ≤ 16 log 2")
        // The snapshot carries the evaluator's numbers for this model, not defaults.
        let eval = Evaluator.evaluate(model: e.trainer.model, data: e.trainer.data.test, limit: 50, batchSize: 50,
                                      seed: SessionEngine.diagnosticsSeed, boundSamples: SessionEngine.diagnosticsBoundSamples)
        #expect(s.mutualInformationBound == eval.mutualInformationBound && s.mutualInformation == eval.mutualInformation)
        #expect(s.klPerUnit == eval.klPerUnit && s.curves.testLoss.last!.value == -eval.elbo)
        // The map's points are the first test images, encoded by this model.
        let (mu, _) = e.trainer.model.meanAndLogVariance(Var(constant: e.trainer.data.test.batch(0..<20)), on: Tape(recording: false))
        #expect(s.posterior.means[7] == (0..<4).map { mu.value[7, $0] })
        #expect(s.posterior.labels == e.trainer.data.test.labels[0..<20].map(Int.init))
        #expect(s.klWeight == e.trainer.objective.klWeight(atStep: s.step))
    }

    /// Each evaluation adds its rate and distortion to the plane's held-out points, the evaluator's own numbers;
    /// each training point its (R, D) pair.
    @Test func theHeldOutRateAndDistortionAreTheEvaluations() {
        let e = Self.engine()
        for _ in 0..<6 { e.tick() }
        e.diagnose()
        let c = e.snapshot.curves
        let eval = Evaluator.evaluate(model: e.trainer.model, data: e.trainer.data.test, limit: 50, batchSize: 50,
                                      seed: SessionEngine.diagnosticsSeed, boundSamples: SessionEngine.diagnosticsBoundSamples)
        #expect(c.testRate.last == Snapshot.Point(step: 6, value: eval.kl))
        #expect(c.testDistortion.last == Snapshot.Point(step: 6, value: eval.distortion))
        #expect(c.testRate.count == c.testLoss.count && c.testDistortion.map(\.step) == c.testLoss.map(\.step))
        #expect(c.heldOutPlane.count == c.testLoss.count && abs(c.heldOutPlane.last!.loss - c.testLoss.last!.value) < 1e-3,
                "−ELBO = D + R")
        #expect(c.trainPlane.count == c.rate.count && c.trainPlane.last!.rate == c.rate.last!.value)
        e.apply(.reset(seed: 2))
        #expect(e.snapshot.curves.testRate.count == 1, "a reset starts the plane over")
    }

    /// Diagnostics come when due: every tick with no interval and no cost limit, never within a long interval.
    @Test func diagnosticsFollowTheirSchedule() {
        let often = Self.engine()
        often.diagnosticsInterval = 0
        often.diagnosticsShare = 1
        let before = often.snapshot.curves.testLoss.count
        for _ in 0..<5 { often.tick() }
        #expect(often.snapshot.curves.testLoss.count == before + 5)

        let rarely = Self.engine()
        rarely.diagnosticsInterval = 1e6
        let initial = rarely.snapshot.curves.testLoss.count
        for _ in 0..<5 { rarely.tick() }
        #expect(rarely.snapshot.curves.testLoss.count == initial)
    }

    @Test func knobsApplyBetweenStepsAndAreLogged() throws {
        let path = Fixtures.temporaryDirectory() + "/run.jsonl"
        let e = Self.engine(log: try RunLog(path: path))
        e.tick()
        e.apply(.set(.beta, .number(0.5)))
        e.apply(.set(.k, .count(3)))
        e.apply(.set(.objective, .choice("iwae")))
        e.apply(.set(.freeBits, .number(0.25)))
        e.apply(.set(.warmup, .count(100)))
        e.apply(.set(.learningRate, .number(3e-3)))
        #expect(e.trainer.objective.beta == 0.5 && e.trainer.objective.k == 3 && e.trainer.objective.kind == .iwae)
        #expect(e.trainer.objective.freeBits.lambda == 0.25 && e.trainer.objective.warmup.steps == 100 && e.trainer.learningRate == 3e-3)
        #expect(e.snapshot.settings.beta == 0.5 && e.snapshot.learningRate == 3e-3)
        #expect(e.snapshot.curves.markers.map(\.label).first == "β=0.5")
        e.tick()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let commands = lines.filter { $0.contains(#""event":"command""#) }
        #expect(commands.count == 6)
        #expect(commands[0] == #"{"event":"command","step":1,"command":"beta","value":0.5}"#)
        // The held-out evaluation is logged as it is made, with the epoch record's keys, for `vae-tui show`.
        let eval = try #require(lines.first { $0.hasPrefix(#"{"event":"eval","step":0,"test_elbo":"#) })
        for key in ["kl_per_unit", "activity", "active_units", "probe_l50", "z_use"] { #expect(eval.contains("\"\(key)\":")) }
    }

    /// The collapse remedies from the keyboard: each reaches the trainer and the log; a remedy the model cannot
    /// take is said; the m menu's MADE entry builds an autoregressive decoder, after which dropout applies.
    @Test func remediesApplyAndSayWhenTheyCannot() throws {
        let path = Fixtures.temporaryDirectory() + "/run.jsonl"
        let e = Self.engine(log: try RunLog(path: path))
        e.apply(.set(.conditioningDropout, .number(0.25)))
        #expect(e.trainer.objective.conditioningDropout == 0.25 && e.snapshot.message.contains("autoregressive decoder"))
        e.apply(.set(.conditioningDropout, .number(2)))
        #expect(e.trainer.objective.conditioningDropout == ObjectiveSettings.maximumConditioningDropout)
        e.apply(.set(.minimumRate, .number(0.2)))
        #expect(e.trainer.objective.minimumRate == 0.2 && e.snapshot.minimumRateApplies)
        e.tick()
        #expect(e.snapshot.totalKL >= 0.2 * Float(e.snapshot.latentSize) - 1e-3, "the floor holds at the next diagnostics: \(e.snapshot.totalKL)")
        e.apply(.set(.aggressive, .flag(true)))
        e.tick()
        #expect(e.snapshot.aggressive.isOn && e.snapshot.aggressive.lastInnerSteps >= 1)
        e.apply(.setModel(.madeDecoder, seed: 2))
        #expect(e.snapshot.autoregressiveDecoder && e.snapshot.modelSummary.hasSuffix("MADE r15"))
        e.tick()
        #expect(e.snapshot.images.samplesAreDraws && e.snapshot.images.samples.count == SessionPictures.imageCount)
        #expect(!e.snapshot.images.reconstructionsAreDraws && e.snapshot.images.reconstructions.joined().contains { $0 > 0 && $0 < 1 },
                "teacher-forced: probabilities")
        e.apply(.pause)
        e.apply(.set(.freeRunning, .flag(true)))
        #expect(e.snapshot.images.reconstructionsAreDraws && e.snapshot.images.reconstructions.joined().allSatisfy { $0 == 0 || $0 == 1 },
                "free-running: binary draws given z")
        let log = try String(contentsOfFile: path, encoding: .utf8)
        #expect(log.contains(#""command":"ar_dropout","value":0.25"#) && log.contains(#""command":"min_rate","value":0.2"#)
                && log.contains(#""command":"aggressive","value":true"#) && log.contains(#""command":"free_running","value":true"#))
    }

    /// The dashboard's run saved on quit reopens where it was: the trainer's whole state (so the next steps are
    /// the ones the first engine would have taken), the knobs and the curves.
    @Test func aSavedDashboardRunReopensWithItsCurves() throws {
        let dir = Fixtures.temporaryDirectory()
        let first = Self.engine()
        first.stateFiles = (dir + "/checkpoint.safetensors", dir + "/curves.json")
        first.apply(.set(.beta, .number(0.5)))
        for _ in 0..<12 { first.tick() }
        first.apply(.quit)
        let second = Self.engine()
        try second.restore(try Checkpoint.load(dir + "/checkpoint.safetensors"),
                           curves: try JSONDecoder().decode(Snapshot.Curves.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/curves.json"))))
        #expect(second.snapshot.curves.trainLoss == first.snapshot.curves.trainLoss && !second.snapshot.curves.trainLoss.isEmpty)
        #expect(second.snapshot.curves.markers.map(\.label) == ["β=0.5"] && second.trainer.objective.beta == 0.5)
        #expect(second.trainer.savedState().state == first.trainer.savedState().state)
        let a = first.trainer.trainStep(), b = second.trainer.trainStep()
        #expect(a.stats == b.stats, "the next step is the same step")
    }

    /// Another model from the m menu: new parts and weights, the curves over, the knobs kept.
    @Test func anotherModelRestartsWithTheKnobsKept() {
        let e = Self.engine()
        e.apply(.set(.beta, .number(0.5)))
        for _ in 0..<4 { e.tick() }
        #expect(e.snapshot.posterior.draws.isEmpty, "a diagonal Gaussian is drawn as ellipses")
        e.apply(.setModel(.twoLayers, seed: 3))
        #expect(e.trainer.model.config.layerSizes == [8, 4] && e.trainer.step == 0)
        #expect(e.snapshot.modelSummary == e.trainer.model.summary && e.snapshot.latentSize == 12)
        #expect(e.trainer.objective.beta == 0.5)
        #expect(e.snapshot.curves.klLayers.count == 2 && e.snapshot.curves.klLayers.allSatisfy { $0.count == 1 }, "each layer's KL curve")
        #expect(e.snapshot.posterior.priorSamples.count == SessionPictures.priorDraws && e.snapshot.posterior.priorSamples[0].count == 12,
                "the map gets the hierarchy's prior as draws")
        e.apply(.setModel(.iaf, seed: 4))
        #expect(e.snapshot.posterior.priorSamples.isEmpty, "N(0, I) is drawn as circles")
        #expect(e.snapshot.posterior.draws.count == e.snapshot.posterior.means.count
                && e.snapshot.posterior.draws.allSatisfy { $0.count == SessionPictures.cloudDraws && $0[0].count == 4 },
                "a flow's posteriors come as draws")
        #expect(e.trainer.model.config.layerSizes == [4] && e.trainer.model.config.posterior == .iaf)
        for _ in 0..<3 { e.tick() }
        #expect(e.snapshot.step == 3 && e.trainer.nonFiniteSteps == 0)
    }

    @Test func pauseStepResume() {
        let e = Self.engine()
        e.tick()
        e.apply(.pause)
        #expect(!e.tick() && e.snapshot.step == 1 && !e.snapshot.running)
        e.apply(.step)
        #expect(e.snapshot.step == 2, "one step while paused")
        e.apply(.resume)
        #expect(e.tick() && e.snapshot.step == 3)
    }

    @Test func resetAndSave() throws {
        let dir = Fixtures.temporaryDirectory()
        let e = Self.engine()
        for _ in 0..<4 { e.tick() }
        e.apply(.save(path: dir + "/m.safetensors"))
        #expect(e.snapshot.message == "saved \(dir)/m.safetensors at step 4")
        #expect(try Checkpoint.load(dir + "/m.safetensors").step == 4)
        e.apply(.save(path: dir + "/missing/m.safetensors"))
        #expect(e.snapshot.message.hasPrefix("save failed:"), "an engine error is a message, not a crash")
        e.apply(.set(.beta, .number(2)))
        e.apply(.reset(seed: 9))
        #expect(e.snapshot.step == 0 && e.snapshot.curves.trainLoss.isEmpty && e.snapshot.seed == 9)
        #expect(e.trainer.objective.beta == 2, "knobs survive a reset")
    }

    @Test func historyIsThinnedNotUnbounded() {
        let e = Self.engine()
        e.pointEvery = 1
        for _ in 0..<(SessionEngine.maxPoints + 10) { e.tick() }
        #expect(e.snapshot.curves.trainLoss.count <= SessionEngine.maxPoints)
        #expect(e.snapshot.curves.trainLoss.first!.step == 1)
    }
}

@Suite struct TrainingSessionTests {
    @Test func trainsOnItsOwnThreadAndObeysCommands() async throws {
        let session = TrainingSession(engine: SessionEngine(trainer: Fixtures.trainer(), probeSize: 8, evaluationSlice: 50, mapPoints: 20))
        session.start()
        func latestStep() -> Int { session.latest()?.step ?? -1 }
        var waited = 0
        while latestStep() < 5 && waited < 400 { try await Task.sleep(for: .milliseconds(10)); waited += 1 }
        #expect(latestStep() >= 5, "training advances in the background")
        session.send(.pause)
        try await Task.sleep(for: .milliseconds(100))
        let paused = latestStep()
        try await Task.sleep(for: .milliseconds(150))
        #expect(latestStep() == paused && session.latest()?.running == false)
        session.send(.set(.beta, .number(0.3)))
        try await Task.sleep(for: .milliseconds(100))
        #expect(session.latest()?.settings.beta == 0.3)
        session.stop()
        #expect(session.isFinished)
    }

    /// Keys pressed faster than the engine publishes read a snapshot with the commands already sent
    /// anticipated: a toggle pressed twice toggles back and a knob stepped twice moves two rungs, instead of
    /// both presses reading the same stale value. The screen's snapshot stays the engine's own until it has
    /// applied them.
    @Test func commandsNotYetAppliedAreAnticipated() async throws {
        let session = TrainingSession(engine: SessionEngine(trainer: Fixtures.trainer(), probeSize: 8, evaluationSlice: 50, mapPoints: 20))
        // Not started yet: nothing sent is applied, as during a long step or an evaluation.
        for _ in 0..<2 {
            let now = session.anticipated()
            session.send(now.running ? .pause : .resume)
            session.send(.set(.k, .count(now.settings.k * 5)))
            session.send(.set(.objective, .choice((now.settings.kind == .elbo ? ObjectiveKind.iwae : .elbo).rawValue)))
        }
        let anticipated = session.anticipated(), shown = try #require(session.latest())
        #expect(anticipated.running && anticipated.settings.k == 25 && anticipated.settings.kind == .elbo)
        #expect(shown.settings.k == 1, "the screen shows what the engine does")
        session.start()
        var waited = 0
        while (session.latest()?.step ?? 0) < 3 && waited < 400 { try await Task.sleep(for: .milliseconds(10)); waited += 1 }
        let applied = try #require(session.latest())
        #expect(applied.step >= 3 && applied.running && applied.settings.k == 25 && applied.settings.kind == .elbo)
        session.stop()
    }
}

/// The dashboard's engine with `--inject-nan`: each NaN on the message line and in the log, the run going on;
/// NaN at every step pauses training with a message instead of looping.
struct SessionFaultTests {
    @Test func injectedNaNsAreShownLoggedAndTrainingGoesOn() throws {
        let path = Fixtures.temporaryDirectory() + "/run.jsonl"
        let e = SessionEngineTests.engine(log: try RunLog(path: path))
        e.trainer.faultInjection = FaultInjection(steps: [3, 8], target: .gradient)
        for _ in 0..<12 { e.tick() }
        #expect(e.snapshot.nonFiniteSteps == 2 && e.snapshot.message.contains("NaN/Inf at step 8"))
        let records = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").filter { $0.contains(#""event":"nonfinite""#) }
        #expect(records.count == 2 && records[0].contains(#""step":3,"skipped":1"#))
        #expect(e.running && e.trainer.step >= 12)
    }

    @Test func aNaNAtEveryStepPausesWithAMessage() throws {
        let path = Fixtures.temporaryDirectory() + "/run.jsonl"
        let e = SessionEngineTests.engine(log: try RunLog(path: path))
        e.trainer.faultInjection = FaultInjection(everyStep: true)
        var ticks = 0
        while e.running && ticks < 50 { e.tick(); ticks += 1 }
        #expect(!e.running && e.snapshot.message.contains("training stopped: NaN/Inf at every step"))
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains(#""event":"unrecoverable""#))
    }
}

import Testing
@testable import LatentLab

/// He et al.'s aggressive inference training: its inner loop and the rule that ends it.
@Suite struct AggressiveTrainingTests {
    @Test func thePhaseEndsAtTheFirstEpochWhoseInformationDoesNotRise() {
        var a = AggressiveTraining()
        a.isOn = true
        for (epoch, information) in [(1, Float(1.0)), (2, 1.5), (3, 1.7)] { a.epochEnded(epoch, information: information) }
        #expect(a.inPhase && a.endedAtEpoch == nil)
        a.epochEnded(4, information: 1.7)
        #expect(!a.inPhase && a.endedAtEpoch == 4 && a.informationHistory == [1.0, 1.5, 1.7, 1.7])
        a.isOn = false
        a.isOn = true
        #expect(a.inPhase && a.informationHistory.isEmpty, "turning it on again starts a new phase")
    }

    /// A real run: while in the phase, each decoder step follows between 1 and the most encoder steps and
    /// moves p's weights; the phase ends by its own rule, at the first epoch whose I_q did not rise.
    @Test func aRunLeavesThePhaseByItsOwnRule() {
        let model = VAEConfig(inputSize: 16, encoderHidden: [12], latentSize: 4, decoderHidden: [12], decoder: .made)
        let trainer = Trainer(config: TrainingConfig(model: model, batchSize: 25, adam: AdamSettings(learningRate: 1e-2),
                                                     aggressive: true, aggressiveInner: 20),
                              data: Fixtures.splits())
        var epochs = 0
        while trainer.aggressive.inPhase && epochs < 40 {
            let encoderBefore = trainer.model.posterior.parameters[0].value.scalars
            trainer.trainStep()
            #expect((1...20).contains(trainer.aggressive.lastInnerSteps))
            #expect(trainer.model.posterior.parameters[0].value.scalars != encoderBefore, "the inner loop moved q")
            epochs = Int(trainer.epochProgress)
        }
        let history = trainer.aggressive.informationHistory
        let ended = try! #require(trainer.aggressive.endedAtEpoch)
        #expect(history.count == ended && history.count >= 2)
        #expect(history[history.count - 1] <= history[history.count - 2])
        #expect(zip(history.dropLast(), history.dropLast().dropFirst()).allSatisfy { $0 < $1 }, "it rose every epoch before")
        // After the phase a step is a normal one: no inner loop.
        let inner = trainer.aggressive.lastInnerSteps
        trainer.trainStep()
        #expect(trainer.aggressive.lastInnerSteps == inner && !trainer.aggressive.inPhase)
    }
}

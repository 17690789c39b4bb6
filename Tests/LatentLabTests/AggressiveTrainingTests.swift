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

    /// The encoder-only steps' tape: p's weights come on as constants, so they get no gradient, and q's
    /// gradient is exactly the full tape's.
    @Test func aFrozenDecoderPassesGradientsThrough() {
        let model = VAE(VAEConfig(inputSize: 6, encoderHidden: [5], latentSize: 2, decoderHidden: [7], decoder: .made), seed: 3)
        var rng = RandomSource(seed: 4)
        let x = Tensor(rows: 3, cols: 6, [1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1]), noise = rng.normalTensor(3, 2)
        func gradients(frozen: [Parameter]) -> [[Float]] {
            for p in model.parameters { p.zeroGrad() }
            let tape = Tape(frozen: frozen)
            tape.backward(from: Objective.loss(model: model, batch: x, settings: ObjectiveSettings(), klWeight: 1, noise: noise, on: tape).loss)
            return model.parameters.map(\.grad.scalars)
        }
        let generative = model.prior.parameters + model.likelihood.parameters
        let full = gradients(frozen: []), partial = gradients(frozen: generative)
        let q = model.posterior.parameters.count
        #expect(Array(partial.prefix(q)) == Array(full.prefix(q)))
        #expect(partial.dropFirst(q).allSatisfy { $0.allSatisfy { $0 == 0 } } && full.dropFirst(q).contains { $0.contains { $0 != 0 } })
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

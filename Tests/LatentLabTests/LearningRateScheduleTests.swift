import Foundation
import Testing
@testable import LatentLab

/// The learning-rate schedules, and the trainer following one.
@Suite struct LearningRateScheduleTests {
    /// The IWAE paper's staircase: 3^i epochs at 1e-3 · 10^(−i/7), i = 0…7, 3,280 epochs, then the last rate.
    @Test func theIWAEScheduleIsThePapers() {
        #expect(LearningRateSchedule.iwaeEpochs == 3280)
        let s = LearningRateSchedule.iwae
        func rate(_ epoch: Double) -> Float { s.rate(base: 1e-3, epoch: epoch, totalEpochs: 0) }
        var start = 0
        for i in 0..<8 {
            let expected = Float(1e-3 * pow(10, -Double(i) / 7))
            let length = Int(pow(3, Double(i)))
            for epoch in [Double(start), Double(start) + Double(length) - 0.5] {
                #expect(abs(rate(epoch) - expected) < expected * 1e-5, "epoch \(epoch): \(rate(epoch)) vs stage \(i)'s \(expected)")
            }
            start += length
        }
        #expect(abs(rate(5000) - 1e-4) < 1e-9, "after 3,280 epochs the last rate stays")
    }

    @Test func cosineAndConstant() {
        #expect(LearningRateSchedule.cosine.rate(base: 2e-3, epoch: 0, totalEpochs: 10) == 2e-3)
        #expect(abs(LearningRateSchedule.cosine.rate(base: 2e-3, epoch: 5, totalEpochs: 10) - 1e-3) < 1e-9)
        #expect(LearningRateSchedule.cosine.rate(base: 2e-3, epoch: 12, totalEpochs: 10) < 1e-12)
        #expect(LearningRateSchedule.constant.rate(base: 3e-3, epoch: 1000, totalEpochs: 1) == 3e-3)
    }

    /// A trainer on the IWAE schedule steps at the stage's rate for the epoch it is in.
    @Test func theTrainerFollowsItsSchedule() {
        let trainer = Trainer(config: TrainingConfig(model: Fixtures.smallModel, batchSize: 25, learningRateSchedule: .iwae),
                              data: Fixtures.splits())
        trainer.trainStep()
        #expect(trainer.learningRate == 1e-3)
        while trainer.epochProgress < 1 { trainer.trainStep() }
        trainer.trainStep()
        #expect(abs(trainer.learningRate - Float(1e-3 * pow(10, -1.0 / 7))) < 1e-9)
    }
}

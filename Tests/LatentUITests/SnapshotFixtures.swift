import Foundation
@testable import LatentLab
@testable import LatentUI

/// Fixed, deterministic snapshots for rendering tests (no training involved).
enum SnapshotFixtures {
    /// A model mid-training: falling losses, 50 units of which some have collapsed, three labels on the map.
    static func training() -> Snapshot {
        var s = Snapshot()
        s.dataset = "mnist"
        s.latentSize = 50
        s.seed = 1
        s.modelDescription = "z50 Gauss q · N(0,I) prior · Bern p(x|z)"
        s.modelSummary = "z50 Gauss·N(0,I)·Bern"
        s.platform = ["BLAS: OpenBLAS 0.3.21, kernel Cooperlake (AVX-512), chosen by the library",
                      "CPU: AMD EPYC (family 26 model 2), AVX-512 with BF16"]
        s.step = 3000
        s.epoch = 6.0
        s.samplesPerSecond = 41_234
        s.settings = ObjectiveSettings(kind: .elbo, k: 1, beta: 1, freeBits: FreeBits(lambda: 0.25), warmup: KLWarmup(steps: 1000))
        s.learningRate = 1e-3
        for i in 0...300 {
            let step = i * 10, t = Float(i) / 300
            s.curves.trainLoss.append(.init(step: step, value: 200 - 95 * (1 - Foundation.exp(-6 * t))))
            s.curves.rate.append(.init(step: step, value: 5 + 20 * (1 - Foundation.exp(-4 * t))))
            s.curves.distortion.append(.init(step: step, value: 195 - 115 * (1 - Foundation.exp(-5 * t))))
            if i % 10 == 0 {
                s.curves.testLoss.append(.init(step: step, value: 201 - 94 * (1 - Foundation.exp(-6 * t))))
                s.curves.l1.append(.init(step: step, value: -(201 - 94 * (1 - Foundation.exp(-6 * t)))))
                s.curves.l5.append(.init(step: step, value: -(199 - 94 * (1 - Foundation.exp(-6 * t)))))
                s.curves.l50.append(.init(step: step, value: -(198 - 94 * (1 - Foundation.exp(-6 * t)))))
            }
        }
        s.curves.markers = [.init(step: 1500, label: "β=0.5"), .init(step: 2200, label: "β=1")]
        s.klPerUnit = (0..<50).map { u in u % 3 == 0 ? 0.002 : Float(0.2 + Double(u % 7) * 0.25) }
        s.activity = (0..<50).map { u in u % 3 == 0 ? 0.001 : 0.8 }
        s.activeUnits = s.activity.filter { $0 > 0.01 }.count
        s.totalKL = s.klPerUnit.reduce(0, +)
        s.mutualInformation = 6.1
        s.mutualInformationBound = 5.87
        var p = Snapshot.Posterior()
        for i in 0..<30 {
            let label = i % 3, angle = Float(label) * 2.1 + Float(i) * 0.05
            var means = [Float](repeating: 0, count: 50), deviations = [Float](repeating: 1, count: 50)
            means[1] = 1.6 * Foundation.cos(angle)
            means[4] = 1.6 * Foundation.sin(angle)
            deviations[1] = 0.35
            deviations[4] = 0.25
            p.means.append(means)
            p.deviations.append(deviations)
            p.labels.append(label)
        }
        s.posterior = p
        var images = Snapshot.Images()
        for i in 0..<6 {
            let ring = (0..<784).map { j -> Float in
                let x = Float(j % 28) - 13.5, y = Float(j / 28) - 13.5
                let r = (x * x + y * y).squareRoot()
                return max(0, 1 - abs(r - Float(5 + i)) / 2)
            }
            images.inputs.append(ring)
            images.reconstructions.append(ring.map { $0 * 0.8 })
            images.samples.append(ring.reversed())
        }
        s.images = images
        return s
    }

    /// A run whose β goes from 1 to 3 at step 1800: until then the rate rises as the distortion falls, after it
    /// the rate falls back and the distortion rises a little, so the trajectory turns at the marker. Held-out
    /// points every 100 steps sit a few nats above the training ones.
    static func ratePlane() -> Snapshot {
        var s = training()
        s.settings.beta = 3
        s.curves = Snapshot.Curves()
        func point(_ step: Int) -> (rate: Float, distortion: Float) {
            let t = Float(step) / 3000, turn: Float = 0.6
            let early = 1 - Foundation.exp(-5 * min(t, turn))
            let rate = 2 + 20 * early, distortion = 195 - 110 * early
            guard t > turn else { return (rate, distortion) }
            let late = 1 - Foundation.exp(-8 * (t - turn))
            return (rate - (rate - 9) * late, distortion + 16 * late)
        }
        for i in 0...300 {
            let step = i * 10, p = point(step)
            s.curves.rate.append(.init(step: step, value: p.rate))
            s.curves.distortion.append(.init(step: step, value: p.distortion))
            s.curves.trainLoss.append(.init(step: step, value: p.rate + p.distortion))
            if i % 10 == 0 {
                let rate = p.rate * 0.95, distortion = p.distortion + 3
                s.curves.testRate.append(.init(step: step, value: rate))
                s.curves.testDistortion.append(.init(step: step, value: distortion))
                s.curves.testLoss.append(.init(step: step, value: rate + distortion))
            }
        }
        s.curves.markers = [.init(step: 1800, label: "β=3")]
        return s
    }

    /// Every unit collapsed.
    static func collapsed() -> Snapshot {
        var s = training()
        s.klPerUnit = Array(repeating: 0.0005, count: 50)
        s.activity = Array(repeating: 0.0001, count: 50)
        s.activeUnits = 0
        s.totalKL = 0.025
        s.mutualInformation = 0.01
        s.mutualInformationBound = -0.42
        return s
    }

    /// A MADE decoder that learnt to ignore z: a nat of rate, one active unit, the decoder's use of z under
    /// 2 nats; conditioning dropout on and aggressive training running.
    static func autoregressiveCollapse() -> Snapshot {
        var s = training()
        s.modelDescription = "z50 Gauss q · N(0,I) prior · MADE r783 p(x|z)"
        s.modelSummary = "z50 Gauss·N(0,I)·MADE r783"
        s.autoregressiveDecoder = true
        s.minimumRateApplies = true
        s.settings.conditioningDropout = 0.25
        s.aggressive.isOn = true
        s.aggressive.lastInnerSteps = 30
        s.klPerUnit = (0..<50).map { $0 == 7 ? 0.9 : 0.003 }
        s.activity = (0..<50).map { $0 == 7 ? 0.2 : 0.0002 }
        s.activeUnits = 1
        s.totalKL = 1.05
        s.mutualInformation = 0.42
        s.zUse = 1.29
        return s
    }
}

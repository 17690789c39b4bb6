import Foundation
import LatentLab
import LatentUI

/// `vae-tui bench --dequant`: the dequantization demo headless. For each dequantizer, seeds trained for a fixed
/// number of steps, then the exact cross-entropy and both bounds; the lecture's claim (the variational bound is
/// tighter, and a model trained through it is the better discrete model) checked on the means; and the demo's
/// costs: steps per second, one exact evaluation, one frame.
enum DequantBench {
    static func run(steps: Int, seeds: [UInt64], shape: DequantDataShape, json: Bool) -> JSONValue {
        let clock = ContinuousClock()
        var rows: [JSONValue] = []
        var means: [DequantizerKind: (crossEntropy: Double, uniform: Double, variational: Double)] = [:]
        var stepsPerSecond: [DequantizerKind: Double] = [:]
        if !json {
            let seedList = seeds.map(String.init).joined(separator: ",")
            print("data \(shape.rawValue), L = \(DequantData.defaultLevels), \(steps) steps, seeds \(seedList); "
                  + "bits per dimension")
            print("trained with   seed  entropy  exact CE  uniform bound (gap)  variational bound (gap)  "
                  + "E KL(q‖p(u|x))")
        }
        for kind in DequantizerKind.allCases {
            var evaluations: [DequantEvaluation] = []
            var seconds = 0.0
            for seed in seeds {
                let demo = DequantDemo(seed: seed, shape: shape, kind: kind)
                let start = clock.now
                for _ in 0..<(steps / 100) { demo.advance(100) }
                seconds += (clock.now - start).seconds
                let e = demo.evaluation
                evaluations.append(e)
                rows.append(.object([
                    ("dequantizer", .string(kind.rawValue)), ("seed", .int(Int(seed))), ("steps", .int(steps)),
                    ("entropy", .number(e.entropy)), ("cross_entropy", .number(e.crossEntropy)),
                    ("uniform_bound", .number(e.uniformBound)), ("variational_bound", .number(e.variationalBound)),
                    ("variational_kl", .number(e.variationalDivergence)),
                ]))
                if !json {
                    print(kind.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)
                          + String(format: "%-5d %7.4f  %8.4f  %7.4f (%.4f)     %7.4f (%.4f)         %.4f",
                                   Int(seed), e.entropy, e.crossEntropy, e.uniformBound, e.uniformGap,
                                   e.variationalBound, e.variationalGap, e.variationalDivergence))
                }
            }
            func mean(_ f: (DequantEvaluation) -> Double) -> Double {
                evaluations.map(f).reduce(0, +) / Double(evaluations.count)
            }
            means[kind] = (mean(\.crossEntropy), mean(\.uniformBound), mean(\.variationalBound))
            stepsPerSecond[kind] = Double(steps / 100 * 100 * seeds.count) / seconds
        }
        let u = means[.uniform]!, v = means[.variational]!
        let tighter = v.variational < u.uniform, better = v.crossEntropy < u.crossEntropy
        // The median of 20 exact evaluations, and the mean 120×40 frame.
        let demo = DequantDemo(seed: 1, shape: shape, kind: .variational)
        var options = DequantViewOptions()
        options.cell = DequantViewOptions.likeliestCell(demo.data)
        let (evaluationSeconds, frameSeconds) = DemoCosts.measure(evaluate: demo.refresh) {
            _ = DequantScreen.render(demo.snapshot, options: options, width: 120, height: 40)
        }
        if !json {
            print(String(format: "means: trained with uniform, exact CE %.4f and its bound %.4f; "
                                 + "trained with variational, exact CE %.4f and its bound %.4f",
                         u.crossEntropy, u.uniform, v.crossEntropy, v.variational))
            print("the variational bound is tighter than the uniform one: \(tighter ? "yes" : "NO"); "
                  + "training through it gives the lower exact cross-entropy: \(better ? "yes" : "NO")")
            print(String(format: "training %.0f steps/s (uniform), %.0f (variational), with an evaluation every 100; "
                                 + "one exact evaluation %.1f ms (median of 20); a 120x40 frame %.1f ms",
                         stepsPerSecond[.uniform]!, stepsPerSecond[.variational]!, evaluationSeconds * 1000,
                         frameSeconds * 1000))
        }
        return .object([("runs", .array(rows)), ("variational_bound_tighter", .bool(tighter)),
                        ("variational_model_better", .bool(better)),
                        ("steps_per_s_uniform", .number(stepsPerSecond[.uniform]!)),
                        ("steps_per_s_variational", .number(stepsPerSecond[.variational]!)),
                        ("evaluation_ms", .number(evaluationSeconds * 1000)),
                        ("frame_ms", .number(frameSeconds * 1000))])
    }
}

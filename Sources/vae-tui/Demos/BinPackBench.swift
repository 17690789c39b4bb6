import Foundation
import LatentLab
import LatentUI

/// `vae-tui bench --binpack`: the bin-packing demo headless. For each posterior family and prior, a few
/// seeds trained for a fixed number of steps, with the exact total gap and mutual information at the end;
/// and the demo's costs: training steps per second and the time of one exact evaluation and one frame.
enum BinPackBench {
    static func run(steps: Int, seeds: [UInt64], k: Int, json: Bool) -> JSONValue {
        var rows: [JSONValue] = []
        let clock = ContinuousClock()
        var trainSeconds = 0.0, trainSteps = 0
        if !json {
            print("family                    prior            k   gap (mean, per seed)              "
                  + "ELBO     log p(x)  I(x;z)  BA     I_q")
        }
        for prior in LatentPrior.allCases {
            for family in LatentPosterior.allCases {
                var evaluations: [BinPackEvaluation] = []
                for seed in seeds {
                    let demo = BinPackDemo(seed: seed, family: family, prior: prior)
                    demo.settings.objective.k = k
                    let start = clock.now
                    for _ in 0..<(steps / 100) { demo.advance(100) }
                    trainSeconds += (clock.now - start).seconds
                    trainSteps += steps / 100 * 100
                    evaluations.append(demo.evaluation)
                }
                func mean(_ f: (BinPackEvaluation) -> Double) -> Double {
                    evaluations.map(f).reduce(0, +) / Double(evaluations.count)
                }
                let gaps = evaluations.map(\.gap)
                rows.append(.object([
                    ("family", .string(family.title)), ("prior", .string(prior.title)), ("k", .int(k)),
                    ("steps", .int(steps)),
                    ("gap", .number(mean(\.gap))), ("gaps", .array(gaps.map { .number($0) })),
                    ("elbo", .number(mean(\.elbo))), ("log_px", .number(mean(\.logMarginal))),
                    ("mi", .number(mean(\.exactInformation))), ("mi_ba", .number(mean(\.barberAgakov))),
                    ("mi_q", .number(mean(\.encoderInformation))),
                ]))
                if !json {
                    let perSeed = gaps.map { String(format: "%.2f", $0) }.joined(separator: " ")
                    print(family.title.padding(toLength: 26, withPad: " ", startingAt: 0)
                          + prior.title.padding(toLength: 16, withPad: " ", startingAt: 0)
                          + String(format: "%-3d %.2f (%@)", k, mean(\.gap), perSeed)
                              .padding(toLength: 34, withPad: " ", startingAt: 0)
                          + String(format: "%8.3f %8.3f  %.3f  %6.3f %.3f", mean(\.elbo), mean(\.logMarginal),
                                   mean(\.exactInformation), mean(\.barberAgakov), mean(\.encoderInformation)))
                }
            }
        }
        // The median of 20 exact evaluations, and the mean 120×40 frame, for the IAF with the learned prior.
        let demo = BinPackDemo(seed: 1, family: .iaf, prior: .af)
        let (evaluationSeconds, frameSeconds) = DemoCosts.measure(evaluate: demo.refresh) {
            _ = BinPackScreen.render(demo.snapshot, options: BinPackViewOptions(showSamples: true, showExact: true),
                                     width: 120, height: 40)
        }
        let stepsPerSecond = Double(trainSteps) / trainSeconds
        if !json {
            print(String(format: "training with an evaluation every 100 steps: %.0f steps/s; "
                                 + "one exact evaluation (IAF, flow prior, median of 20) %.1f ms; "
                                 + "a 120x40 frame %.1f ms",
                         stepsPerSecond, evaluationSeconds * 1000, frameSeconds * 1000))
        }
        return .object([("runs", .array(rows)), ("steps_per_s", .number(stepsPerSecond)),
                        ("evaluation_ms", .number(evaluationSeconds * 1000)),
                        ("frame_ms", .number(frameSeconds * 1000))])
    }
}

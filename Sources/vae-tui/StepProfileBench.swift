import Foundation
import LatentLab

/// `vae-tui bench --step-profile`: a training step's wall time phase by phase (`StepProfile`) for each thread
/// count, and the share of it that runs on one thread: what caps the speed-up of a second one.
enum StepProfileBench {
    struct Row {
        var k: Int, threads: Int, profile: StepProfile
        /// `CoreRoundTrip` around a profile of two or more threads.
        var coreRoundTrip: CoreRoundTrip.Around?
    }

    static func run(splits: DataSplits, ks: [Int], threads: [Int], seconds: Double, echo: Bool) -> JSONValue {
        let model = VAEConfig(inputSize: splits.train.dimension)
        var rows: [Row] = []
        for k in ks {
            for t in threads {
                BLAS.setThreads(t)
                let config = TrainingConfig(model: model, objective: ObjectiveSettings(kind: .iwae, k: k),
                                            batchSize: SpeedBench.batch)
                let trainer = Trainer(config: config, data: splits)
                _ = Bench.stepsPerSecond(trainer, seconds: min(seconds, warmUpSeconds))
                trainer.profile = StepProfile()
                let (_, trip) = CoreRoundTrip.around(when: t > 1) { Bench.stepsPerSecond(trainer, seconds: seconds) }
                rows.append(Row(k: k, threads: t, profile: trainer.profile!, coreRoundTrip: trip))
            }
        }
        BLAS.setThreads(1)
        if echo { printTable(rows) }
        return .array(rows.map { r in
            .object([("k", .int(r.k)), ("threads", .int(r.threads)), ("steps", .int(r.profile.steps)),
                     ("step_ms", .number(1000 * r.profile.stepSeconds)),
                     ("one_thread_share", .number(oneThreadShare(r.profile))),
                     ("core_round_trip_ns", r.coreRoundTrip?.json ?? .null),
                     ("phases_ms", .object(StepProfile.Phase.allCases.map {
                         ($0.key, .number(1000 * r.profile.perStep($0)))
                     }))])
        })
    }

    /// The share of a step in the phases that run on one thread only.
    static func oneThreadShare(_ p: StepProfile) -> Double {
        StepProfile.Phase.allCases.filter { !$0.splitsAcrossThreads }.map(p.perStep).reduce(0, +) / p.stepSeconds
    }

    static let warmUpSeconds = 1.0

    static func printTable(_ rows: [Row]) {
        for k in Array(Set(rows.map(\.k))).sorted() {
            let group = rows.filter { $0.k == k }
            print("\nstep profile, k=\(k), batch \(SpeedBench.batch), IWAE objective: "
                  + "ms per step (share of the step)\n")
            print("| phase | " + group.map { "\($0.threads) thread\($0.threads == 1 ? "" : "s")" }
                .joined(separator: " | ") + " |")
            print("| --- |" + String(repeating: " --- |", count: group.count))
            for phase in StepProfile.Phase.allCases {
                let cells = group.map { r in
                    String(format: "%.3f (%.0f%%)", 1000 * r.profile.perStep(phase),
                           100 * r.profile.perStep(phase) / r.profile.stepSeconds)
                }
                let mark = phase.splitsAcrossThreads ? "" : " (one thread)"
                print("| \(phase.name)\(mark) | " + cells.joined(separator: " | ") + " |")
            }
            print("| step | " + group.map { String(format: "%.3f", 1000 * $0.profile.stepSeconds) }
                .joined(separator: " | ") + " |")
            print("| on one thread | " + group.map { String(format: "%.0f%%", 100 * oneThreadShare($0.profile)) }
                .joined(separator: " | ") + " |")
            if group.contains(where: { $0.coreRoundTrip != nil }) {
                print("| core round trip before/after | " + group.map { $0.coreRoundTrip?.text ?? "" }
                    .joined(separator: " | ") + " |")
            }
        }
    }
}

import Foundation
import LatentLab

/// `vae-tui bench`'s main figures: training images/s at batch 100 (IWAE objective) for each k and
/// thread count and at the IWAE paper's batch of 20 on one thread, the time of L_5000 on a few test images
/// per thread count, and the sgemm peak.
struct SpeedBench {
    struct TrainRow {
        var k: Int, threads: Int, threading: Parallel.Strategy, samplesPerSecond: Double
        var batch = SpeedBench.batch
        /// The matrix products' GFLOP/s while training (all threads together).
        var gflops = 0.0
        /// Nanoseconds a cache line takes to another core and back around a row of two or more threads.
        var coreRoundTrip: CoreRoundTrip.Around?
    }
    /// The other model families, by the names the table, the reference and `--families` use.
    static let otherFamilies = [("iaf", ModelFamily.iaf), ("two-layer", .twoLayers), ("made", .madeDecoder),
                                ("pixelcnn", .pixelCNNDecoder), ("vamp", .vampPrior)]
    static let familyNames = otherFamilies.map(\.0)

    /// The benchmark's batch, and the IWAE paper's (every table of Burda et al. 2015 trains at 20).
    static let batch = 100, paperBatch = 20
    struct NLLRow { var threads: Int, threading: Parallel.Strategy, images: Int, seconds: Double }

    var train: [TrainRow] = []
    /// The other model families at k = 1 on one thread (ELBO, as their reference trains them), images/s.
    var families: [(name: String, samplesPerSecond: Double, gflops: Double)] = []
    var nll: [NLLRow] = []
    var sgemmPeak = 0.0
    /// The matrix products' GFLOP/s while training at k = 1 on one thread.
    var trainingGFLOPS: Double { trainGFLOPS(k: 1, threads: 1) ?? 0 }
    /// That as a share of `sgemmPeak`.
    var fractionOfPeak: Double { trainingGFLOPS / sgemmPeak }

    /// A row's GFLOP/s as a share of what its threads could reach at the sgemm peak.
    func shareOfPeak(gflops: Double, threads: Int = 1) -> Double { gflops / (sgemmPeak * Double(threads)) }

    /// Every strategy at every thread count; one thread is the same for all, so it is timed once.
    static func measure(splits: DataSplits, ks: [Int], threads: [Int], strategies: [Parallel.Strategy],
                        paperBatchKs: [Int], families: [String] = familyNames, nllImages: Int, seconds: Double,
                        echo: Bool) -> SpeedBench {
        var result = SpeedBench()
        let model = VAEConfig(inputSize: splits.train.dimension)
        for strategy in strategies {
            Parallel.strategy = strategy
            for t in threads where t > 1 || strategy == strategies[0] {
                BLAS.setThreads(t)
                for k in ks {
                    let config = TrainingConfig(model: model, objective: ObjectiveSettings(kind: .iwae, k: k),
                                                batchSize: batch)
                    let trainer = Trainer(config: config, data: splits)
                    let ((stepRate, gflops), trip) = CoreRoundTrip.around(when: t > 1) {
                        Bench.timeSteps(trainer, seconds: seconds)
                    }
                    result.train.append(TrainRow(k: k, threads: t, threading: strategy,
                                                 samplesPerSecond: stepRate * Double(batch), gflops: gflops,
                                                 coreRoundTrip: trip))
                    if echo {
                        print(String(format: "train k=%-3d threads=%d %-5@  %8.0f images/s  %5.1f GFLOP/s",
                                     k, t, strategy.rawValue, stepRate * Double(batch), gflops)
                              + (trip.map { "  core round trip \($0.text)" } ?? ""))
                    }
                }
                if nllImages > 0 {
                    let vae = VAE(model, seed: 1)
                    _ = Evaluator.negativeLogLikelihood(model: vae, data: splits.test, k: 5000, limit: 2)  // warm-up
                    let clock = ContinuousClock(), start = clock.now
                    _ = Evaluator.negativeLogLikelihood(model: vae, data: splits.test, k: 5000, limit: nllImages)
                    let s = (clock.now - start).seconds
                    result.nll.append(NLLRow(threads: t, threading: strategy, images: nllImages, seconds: s))
                    if echo {
                        print(String(format: "NLL L_5000 on %d images, threads=%d %-5@  %.2f s",
                                     nllImages, t, strategy.rawValue, s))
                    }
                }
            }
        }
        Parallel.strategy = .split
        BLAS.setThreads(1)
        for k in paperBatchKs {
            let config = TrainingConfig(model: model, objective: ObjectiveSettings(kind: .iwae, k: k),
                                        batchSize: paperBatch)
            let (stepRate, gflops) = Bench.timeSteps(Trainer(config: config, data: splits), seconds: seconds)
            let rate = stepRate * Double(paperBatch)
            result.train.append(TrainRow(k: k, threads: 1, threading: .split, samplesPerSecond: rate,
                                         batch: paperBatch, gflops: gflops))
            if echo {
                print(String(format: "train k=%-3d batch=%d threads=1  %8.0f images/s  %5.1f GFLOP/s",
                             k, paperBatch, rate, gflops))
            }
        }
        for (name, family) in otherFamilies where families.contains(name) {
            let config = TrainingConfig(model: family.applied(to: model),
                                        objective: ObjectiveSettings(kind: .elbo, k: 1), batchSize: batch)
            let (stepRate, gflops) = Bench.timeSteps(Trainer(config: config, data: splits), seconds: seconds)
            let rate = stepRate * Double(batch)
            result.families.append((name, rate, gflops))
            if echo {
                print(String(format: "train %@ k=1 threads=1  %8.0f images/s  %5.1f GFLOP/s", name, rate, gflops))
            }
        }
        result.sgemmPeak = Bench.sgemmPeak()
        if echo {
            // The share needs the k = 1 row, which --k-list may leave out.
            let share = result.trainGFLOPS(k: 1, threads: 1) == nil ? ""
                : String(format: "; training at k=1 runs at %.0f%% of it", 100 * result.fractionOfPeak)
            print(String(format: "sgemm peak (1 thread, 1024^3): %.1f GFLOP/s", result.sgemmPeak) + share)
        }
        return result
    }

    /// A training configuration's row, nil when it was not measured.
    func trainRow(k: Int, threads: Int, threading: Parallel.Strategy = .split,
                  batch: Int = SpeedBench.batch) -> TrainRow? {
        train.first {
            $0.k == k && $0.threads == threads && $0.batch == batch && ($0.threading == threading || threads == 1)
        }
    }

    /// Images/s of a training configuration, nil when it was not measured.
    func trainRate(k: Int, threads: Int, threading: Parallel.Strategy = .split,
                   batch: Int = SpeedBench.batch) -> Double? {
        trainRow(k: k, threads: threads, threading: threading, batch: batch)?.samplesPerSecond
    }

    /// GFLOP/s of a training configuration, nil when it was not measured.
    func trainGFLOPS(k: Int, threads: Int, batch: Int = SpeedBench.batch) -> Double? {
        trainRow(k: k, threads: threads, batch: batch)?.gflops
    }

    func nllSeconds(threads: Int, threading: Parallel.Strategy = .split) -> Double? {
        nll.first { $0.threads == threads && ($0.threading == threading || threads == 1) }?.seconds
    }

    var json: JSONValue {
        let nllOne = nll.first { $0.threads == 1 }
        func nllObject(_ r: NLLRow) -> JSONValue {
            .object([("images", .int(r.images)), ("k", .int(5000)), ("threads", .int(r.threads)),
                     ("threading", .string(r.threading.rawValue)), ("seconds", .number(r.seconds)),
                     ("images_per_s", .number(Double(r.images) / r.seconds))])
        }
        return .object(Platform.fields + [
            ("train", .array(train.map { r in
                .object([("k", .int(r.k)), ("batch", .int(r.batch)), ("threads", .int(r.threads)),
                         ("threading", .string(r.threading.rawValue)), ("samples_per_s", .number(r.samplesPerSecond)),
                         ("gflops", .number(r.gflops)),
                         ("core_round_trip_ns", r.coreRoundTrip?.json ?? .null)])
            })),
            ("train_families", .array(families.map { .object([("model", .string($0.name)), ("threads", .int(1)),
                                                             ("samples_per_s", .number($0.samplesPerSecond)),
                                                             ("gflops", .number($0.gflops))]) })),
            ("nll_eval", nllOne.map(nllObject) ?? .null),
            ("nll_eval_by_threads", .array(nll.map(nllObject))),
            ("sgemm_gflops_1thread", .number(sgemmPeak)),
            // null when --k-list left k = 1 out
            ("train_gflops_k1_1thread", trainGFLOPS(k: 1, threads: 1).map { .number($0) } ?? .null),
            ("fraction_of_peak_k1", trainGFLOPS(k: 1, threads: 1) == nil ? .null : .number(fractionOfPeak)),
        ])
    }
}

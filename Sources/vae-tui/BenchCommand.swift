import ArgumentParser
import Foundation
import LatentLab

/// `vae-tui bench`: this engine's side of the speed comparison (bench/compare.py runs the PyTorch side
/// in the same session and prints the ratios).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure training throughput, NLL-evaluation time and sgemm peak (see bench/compare.py).")

    @OptionGroup var data: DataOptions
    @OptionGroup var split: SplitOptions

    @Option(help: ArgumentHelp("Seconds to time each configuration.", valueName: "S"))
    var seconds: Double = 4

    @Option(name: .customLong("k-list"), help: ArgumentHelp("Sample counts to time.", valueName: "K,K"))
    var kList: String = "1,5,50"

    @Option(name: .customLong("threads-list"), help: ArgumentHelp("Thread counts to time.", valueName: "T,T"))
    var threadsList: String = "1,2"

    @Option(name: .customLong("nll-images"), help: ArgumentHelp("Test images for the L_5000 timing.", valueName: "N"))
    var nllImages: Int = 20

    @Flag(help: "Print one JSON object.")
    var json = false

    @Flag(help: "Measure the dashboard instead: throughput attached against headless, frame time at 200x60, peak memory.")
    var dashboard = false

    @Flag(help: "Run the bin-packing demo headless instead: exact gap and I(x;z) per posterior family and prior after --binpack-steps steps, and its costs.")
    var binpack = false

    @Option(name: .customLong("binpack-steps"), help: ArgumentHelp("Training steps per bin-packing run.", valueName: "N"))
    var binpackSteps: Int = 3000

    @Option(name: .customLong("binpack-k"), help: ArgumentHelp("Samples per point in the bin-packing runs' ELBO.", valueName: "K"))
    var binpackK: Int = 8

    func validate() throws {
        if binpackSteps < 100 { throw ValidationError("--binpack-steps must be at least 100") }
        if !(1...1000).contains(binpackK) { throw ValidationError("--binpack-k must be between 1 and 1000") }
        if !(seconds > 0) { throw ValidationError("--seconds must be > 0") }
        if nllImages < 0 { throw ValidationError("--nll-images must be >= 0") }
        if Self.ints(kList) == nil || Self.ints(threadsList) == nil { throw ValidationError("--k-list and --threads-list take comma-separated positive integers") }
    }

    static func ints(_ s: String) -> [Int]? {
        let v = s.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return v.isEmpty || v.contains(where: { $0 == nil || $0! < 1 }) ? nil : v.map { $0! }
    }

    func run() throws {
        try reportingUserErrors {
            if binpack {
                BLAS.setThreads(1)  // its products are small: more threads only spin
                let result = BinPackBench.run(steps: binpackSteps, seeds: [1, 2, 3], k: binpackK, json: json)
                if json { print(result.encoded) }
                return
            }
            let splits = try split.load(data)
            if !json { Platform.lines.forEach { print($0) } }
            if dashboard {
                let result = DashboardBench.run(splits: splits, seconds: seconds, json: json)
                if json { print(result.encoded) }
                return
            }
            var train: [JSONValue] = []
            var flopsK1 = 0.0, rateK1 = 0.0
            for threads in Self.ints(threadsList)! {
                BLAS.setThreads(threads)
                for k in Self.ints(kList)! {
                    let config = TrainingConfig(model: VAEConfig(inputSize: splits.train.dimension),
                                                objective: ObjectiveSettings(kind: .iwae, k: k), batchSize: 100)
                    let stepRate = Self.stepsPerSecond(Trainer(config: config, data: splits), seconds: seconds)
                    let rate = stepRate * Double(config.batchSize)
                    train.append(.object([("k", .int(k)), ("threads", .int(threads)), ("samples_per_s", .number(rate))]))
                    if k == 1 && threads == 1 { flopsK1 = Self.trainingFlops(config.model, batch: 100, k: 1); rateK1 = stepRate }
                    if !json { print(String(format: "train k=%-3d threads=%d  %8.0f samples/s", k, threads, rate)) }
                }
            }
            BLAS.setThreads(1)
            let peak = Self.sgemmPeak()
            let achieved = flopsK1 * rateK1 / 1e9
            var nll: JSONValue = .null
            if nllImages > 0 {
                let model = VAE(VAEConfig(inputSize: splits.train.dimension), seed: 1)
                let clock = ContinuousClock()
                let start = clock.now
                _ = Evaluator.negativeLogLikelihood(model: model, data: splits.test, k: 5000, limit: nllImages)
                let s = (clock.now - start).seconds
                nll = .object([("images", .int(nllImages)), ("k", .int(5000)), ("seconds", .number(s)),
                               ("images_per_s", .number(Double(nllImages) / s))])
                if !json { print(String(format: "NLL L_5000 on %d images: %.2f s (%.2f images/s)", nllImages, s, Double(nllImages) / s)) }
            }
            if json {
                print(JSONValue.object(Platform.fields + [
                    ("train", .array(train)), ("nll_eval", nll), ("sgemm_gflops_1thread", .number(peak)),
                    ("train_gflops_k1_1thread", .number(achieved)), ("fraction_of_peak_k1", .number(achieved / peak)),
                ]).encoded)
            } else {
                print(String(format: "sgemm peak (1 thread, 1024^3): %.1f GFLOP/s; training at k=1 runs %.1f GFLOP/s = %.0f%% of it", peak, achieved, 100 * achieved / peak))
            }
        }
    }

    /// Training steps per second over `seconds` (at least 3 steps), after 3 untimed warm-up steps.
    static func stepsPerSecond(_ trainer: Trainer, seconds: Double) -> Double {
        for _ in 0..<3 { trainer.trainStep() }
        let clock = ContinuousClock()
        let start = clock.now
        var steps = 0
        while (clock.now - start).seconds < seconds || steps < 3 {
            trainer.trainStep()
            steps += 1
        }
        return Double(steps) / (clock.now - start).seconds
    }

    /// Matrix-product FLOPs of one training step: forward, weight gradients, and input gradients
    /// for every layer but the first (the data needs none).
    static func trainingFlops(_ c: VAEConfig, batch: Int, k: Int) -> Double {
        var total = 0.0
        func layer(_ rows: Int, _ i: Int, _ o: Int, first: Bool) { total += Double(2 * rows * i * o) * (first ? 2 : 3) }
        let enc = [c.inputSize] + c.encoderHidden
        for j in 0..<(enc.count - 1) { layer(batch, enc[j], enc[j + 1], first: j == 0) }
        layer(batch, enc.last!, c.latentSize, first: enc.count == 1)
        layer(batch, enc.last!, c.latentSize, first: enc.count == 1)
        let dec = [c.latentSize] + c.decoderHidden + [c.inputSize]
        for j in 0..<(dec.count - 1) { layer(batch * k, dec[j], dec[j + 1], first: false) }
        return total
    }

    /// GFLOP/s of one large square product on the current thread count.
    static func sgemmPeak(n: Int = 1024) -> Double {
        var rng = RandomSource(seed: 3)
        let a = rng.uniformTensor(n, n), b = rng.uniformTensor(n, n)
        _ = a.matmul(b)
        let clock = ContinuousClock()
        var best = Double.infinity
        for _ in 0..<5 {
            let start = clock.now
            _ = a.matmul(b)
            best = min(best, (clock.now - start).seconds)
        }
        return 2 * Double(n * n * n) / best / 1e9
    }
}

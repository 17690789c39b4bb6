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

    @Option(name: .customLong("threads-list"),
            help: ArgumentHelp("Thread counts to time (default 1,2; with --dashboard 1).", valueName: "T,T"))
    var threadsListOption: String?

    /// 1,2 for the training benchmark; the dashboard's is timed on one thread unless a list is given.
    var threadsList: String { threadsListOption ?? (dashboard ? "1" : "1,2") }

    @Option(name: .customLong("paper-batch-k-list"),
            help: ArgumentHelp("Sample counts also timed at the IWAE paper's batch of 20, one thread "
                               + "(none: not timed).", valueName: "K,K"))
    var paperBatchKList: String = "1,50"

    /// The paper-batch sample counts; "none" times none.
    var paperBatchKs: [Int] { paperBatchKList == "none" ? [] : Self.ints(paperBatchKList) ?? [] }

    @Option(help: ArgumentHelp("The other model families timed at k = 1 on one thread (none: no family).",
                               valueName: SpeedBench.familyNames.joined(separator: ",")))
    var families: String = SpeedBench.familyNames.joined(separator: ",")

    /// The families asked for, in the table's order.
    var familyList: [String] {
        let asked = Set(families.split(separator: ",").map(String.init))
        return SpeedBench.familyNames.filter(asked.contains)
    }

    @Option(name: .customLong("nll-images"), help: ArgumentHelp("Test images for the L_5000 timing.", valueName: "N"))
    var nllImages: Int = 20

    @Option(help: ArgumentHelp("How two or more threads are used: split (each thread a part of the batch "
                               + "or of the images, one-thread products) or blas (OpenBLAS's own threading); "
                               + "a list times both.",
                               valueName: "split|blas"))
    var threading: String = "split"

    @Flag(help: ArgumentHelp("Also run the PyTorch reference (bench/reference_vae.py) with the same settings and print "
                             + "one table of both, with the ratios, the CPU and both sides' kernels."))
    var compare = false

    @Option(name: .customLong("reference"),
            help: ArgumentHelp("The PyTorch reference script for --compare (default: bench/reference_vae.py "
                               + "of the working directory or of the build's checkout).", valueName: "FILE"))
    var referenceScript: String?

    @Flag(name: .customLong("step-profile"),
          help: ArgumentHelp("Time a training step phase by phase instead (batch, passes, gradient reduction, norm, "
                             + "optimiser update, bookkeeping) for --k-list and --threads-list, and the share that "
                             + "runs on one thread."))
    var stepProfile = false

    @Flag(help: "Print one JSON object.")
    var json = false

    @Flag(help: ArgumentHelp("Measure the dashboard instead: throughput attached against headless, "
                             + "frame time at 200x60, peak memory."))
    var dashboard = false

    @Option(help: ArgumentHelp("The decoder of the model --dashboard trains "
                               + "(the collapse lab's sizes for made and pixelcnn).",
                               valueName: "factorized|made|pixelcnn"))
    var decoder: LatentDecoder = .factorized

    @Option(help: ArgumentHelp("With --dashboard: the page shown, its work running in the engine "
                               + "(manifold: the two-unit model's latent map page).",
                               valueName: DashboardPage.allCases.map(\.rawValue).joined(separator: "|")))
    var page: DashboardPage = .overview

    @Flag(name: .customLong("rd-plane"),
          help: ArgumentHelp("With --dashboard: the curves pane showing the rate-distortion plane (p)."))
    var ratePlane = false

    @Flag(help: ArgumentHelp("Run the bin-packing demo headless instead: exact gap and I(x;z) per posterior family "
                             + "and prior after --binpack-steps steps, and its costs."))
    var binpack = false

    @Option(name: .customLong("binpack-steps"),
            help: ArgumentHelp("Training steps per bin-packing run.", valueName: "N"))
    var binpackSteps: Int = 3000

    @Option(name: .customLong("binpack-k"),
            help: ArgumentHelp("Samples per point in the bin-packing runs' ELBO.", valueName: "K"))
    var binpackK: Int = 8

    @Flag(help: ArgumentHelp("Run the dequantization demo headless instead: exact cross-entropy and both bounds "
                             + "after --dequant-steps steps with each dequantizer, seeds 1-3, and its costs."))
    var dequant = false

    @Option(name: .customLong("dequant-steps"),
            help: ArgumentHelp("Training steps per dequantization run.", valueName: "N"))
    var dequantSteps: Int = 2000

    @Option(name: .customLong("dequant-shape"), help: "The dequantization runs' data: mixture, smiley or checker.")
    var dequantShape: DequantDataShape = .mixture

    func validate() throws {
        if dequantSteps < 100 { throw ValidationError("--dequant-steps must be at least 100") }
        if binpackSteps < 100 { throw ValidationError("--binpack-steps must be at least 100") }
        if !(1...1000).contains(binpackK) { throw ValidationError("--binpack-k must be between 1 and 1000") }
        if !(seconds > 0) { throw ValidationError("--seconds must be > 0") }
        if nllImages < 0 { throw ValidationError("--nll-images must be >= 0") }
        let strategies = threading.split(separator: ",")
        if strategies.isEmpty || strategies.contains(where: { Parallel.Strategy(rawValue: String($0)) == nil }) {
            throw ValidationError("--threading takes split, blas or both (split,blas), got \(threading)")
        }
        if families != "none",
           let unknown = families.split(separator: ",").first(where: { !SpeedBench.familyNames.contains(String($0)) }) {
            let names = SpeedBench.familyNames.joined(separator: ", ")
            throw ValidationError("--families: no family '\(unknown)' (\(names))")
        }
        if decoder != .factorized && !dashboard {
            throw ValidationError("--decoder goes with --dashboard (the training benchmark times every decoder)")
        }
        if page != .overview && !dashboard { throw ValidationError("--page goes with --dashboard") }
        if ratePlane && !dashboard { throw ValidationError("--rd-plane goes with --dashboard") }
        if stepProfile && (compare || dashboard || binpack || dequant) {
            throw ValidationError("--step-profile goes with the training benchmark alone")
        }
        if compare && (dashboard || binpack || dequant) {
            throw ValidationError("--compare goes with the training benchmark, not --dashboard, --binpack or --dequant")
        }
        // Resolves the data a second time (run does it again), but only for --compare, which then runs for minutes.
        if compare && (try? data.source())?.directory == nil {
            throw ValidationError("--compare needs --data DIR or MNIST fetched by `vae-tui data fetch mnist`: "
                                  + "the PyTorch reference trains on MNIST")
        }
        if Self.ints(kList) == nil || Self.ints(threadsList) == nil
            || (paperBatchKList != "none" && Self.ints(paperBatchKList) == nil) {
            throw ValidationError("--k-list, --threads-list and --paper-batch-k-list take comma-separated positive "
                                  + "integers (--paper-batch-k-list also none)")
        }
    }

    static func ints(_ s: String) -> [Int]? {
        let v = s.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return v.isEmpty || v.contains(where: { $0 == nil || $0! < 1 }) ? nil : v.map { $0! }
    }

    func run() throws {
        try reportingUserErrors {
            if dequant {
                BLAS.setThreads(1)  // its products are small: more threads only spin
                let result = DequantBench.run(steps: dequantSteps, seeds: [1, 2, 3], shape: dequantShape, json: json)
                if json { print(result.encoded) }
                return
            }
            if binpack {
                BLAS.setThreads(1)  // its products are small: more threads only spin
                let result = BinPackBench.run(steps: binpackSteps, seeds: [1, 2, 3], k: binpackK, json: json)
                if json { print(result.encoded) }
                return
            }
            let source = try data.source()
            let splits = try split.load(source)
            if !json { Platform.lines.forEach { print($0) } }
            if dashboard {
                let runs = Self.ints(threadsList)!.map { threads in
                    BLAS.setThreads(threads)
                    if !json { print("threads=\(threads)") }
                    return DashboardBench.run(splits: splits, decoder: decoder, page: page, ratePlane: ratePlane,
                                              seconds: seconds, json: json)
                }
                if json { print((runs.count == 1 ? runs[0] : .object([("by_threads", .array(runs))])).encoded) }
                return
            }
            if stepProfile {
                let profile = StepProfileBench.run(splits: splits, ks: Self.ints(kList)!,
                                                   threads: Self.ints(threadsList)!, seconds: seconds, echo: !json)
                if json { print(profile.encoded) }
                return
            }
            let reference = compare ? try ReferenceBench.prepare(script: referenceScript) : nil
            let strategies = threading.split(separator: ",").compactMap { Parallel.Strategy(rawValue: String($0)) }
            let speed = SpeedBench.measure(splits: splits, ks: Self.ints(kList)!, threads: Self.ints(threadsList)!,
                                           strategies: strategies, paperBatchKs: paperBatchKs, families: familyList,
                                           nllImages: nllImages,
                                           seconds: seconds, echo: !json)
            if let reference, let directory = source.directory {
                let theirs = try ReferenceBench.run(path: reference, data: directory, seconds: seconds, kList: kList,
                                                    threadsList: threadsList, paperBatchKs: paperBatchKs,
                                                    nllImages: nllImages)
                ReferenceBench.printTable(ours: speed, theirs: theirs)
            }
            if json { print(speed.json.encoded) }
        }
    }

    /// Training steps per second over `seconds` (at least 3 steps), after 3 untimed warm-up steps, and the
    /// GFLOP/s of the matrix products those steps ran (counted by `BLAS.gemm`).
    static func timeSteps(_ trainer: Trainer, seconds: Double) -> (stepsPerSecond: Double, gflops: Double) {
        for _ in 0..<3 { trainer.trainStep() }
        BLAS.resetFlops()
        BLAS.countsFlops = true
        defer { BLAS.countsFlops = false }
        let clock = ContinuousClock()
        let start = clock.now
        var steps = 0
        while (clock.now - start).seconds < seconds || steps < 3 {
            trainer.trainStep()
            steps += 1
        }
        let elapsed = (clock.now - start).seconds
        return (Double(steps) / elapsed, Double(BLAS.flops) / elapsed / 1e9)
    }

    static func stepsPerSecond(_ trainer: Trainer, seconds: Double) -> Double {
        timeSteps(trainer, seconds: seconds).stepsPerSecond
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

import Foundation
import LatentLab

/// `vae-tui bench --compare`: runs the PyTorch reference (bench/reference_vae.py, plain idiomatic
/// PyTorch with its default kernels) with the same k, thread counts and seconds, and prints one table.
enum ReferenceBench {
    struct Result {
        var version: String
        var blas: String
        var cpuCapability: String
        var train: [String: Double]   // "k/threads" → images/s
        var paperBatch: [Int: Double] // k → images/s at the paper's batch, one thread
        var families: [String: Double] // model → images/s, k = 1, one thread
        var nll: [Int: Double]        // threads → seconds
        var sgemm: Double
        var flushesDenormals: Bool
        /// `CoreRoundTrip` around the reference's run, when it timed two or more threads.
        var coreRoundTrip: CoreRoundTrip.Around?
    }

    /// The reference script, once it is found and PyTorch imports: checked before vae-tui's own minutes of timing.
    static func prepare(script: String?) throws -> String {
        let path = try locate(script)
        guard (try? python(["-c", "import torch"], quiet: true))?.status == 0 else {
            throw UserError("--compare needs PyTorch, and python3 cannot import torch (pip install torch)")
        }
        return path
    }

    /// Runs the prepared script `path` with the same settings as vae-tui's side, subnormals included: PyTorch
    /// flushes them (`torch.set_flush_denormal`) when vae-tui does, so neither side pays assists the other skips.
    static func run(path: String, data: String, seconds: Double, kList: String, threadsList: String,
                    paperBatchKs: [Int], nllImages: Int) throws -> Result {
        let severalThreads = Bench.ints(threadsList)?.contains { $0 > 1 } ?? false
        let arguments = [path, "--bench", "--data", data, "--bench-seconds", String(seconds), "--k-list", kList,
                         "--threads-list", threadsList, "--bench-nll-images", String(max(nllImages, 1)),
                         "--paper-batch-k-list", paperBatchKs.map(String.init).joined(separator: ",")]
            + (Subnormals.flushedOnThisThread ? ["--flush-denormal"] : [])
        let (out, trip) = try CoreRoundTrip.around(when: severalThreads) { try python(arguments, quiet: false) }
        guard out.status == 0,
              let start = out.stdout.firstIndex(of: "{"),
              let object = try? JSONSerialization.jsonObject(with: Data(out.stdout[start...].utf8)) as? [String: Any]
        else { throw UserError("the PyTorch reference \(path) failed (exit status \(out.status))") }
        var train: [String: Double] = [:]
        for row in object["train"] as? [[String: Any]] ?? [] {
            if let k = row["k"] as? Int, let t = row["threads"] as? Int,
               let rate = (row["samples_per_s_mean"] ?? row["samples_per_s"]) as? Double { train["\(k)/\(t)"] = rate }
        }
        var paperBatch: [Int: Double] = [:]
        for row in object["train_paper_batch"] as? [[String: Any]] ?? [] {
            if let k = row["k"] as? Int, let rate = row["samples_per_s_mean"] as? Double { paperBatch[k] = rate }
        }
        var families: [String: Double] = [:]
        for row in object["train_families"] as? [[String: Any]] ?? [] {
            if let name = row["model"] as? String,
               let rate = (row["samples_per_s_mean"] ?? row["samples_per_s"]) as? Double { families[name] = rate }
        }
        var nll: [Int: Double] = [:]
        for row in object["nll_eval_by_threads"] as? [[String: Any]] ?? [] {
            if let t = row["threads"] as? Int, let s = row["seconds"] as? Double { nll[t] = s }
        }
        return Result(version: object["torch_version"] as? String ?? "?", blas: object["blas"] as? String ?? "?",
                      cpuCapability: object["cpu_capability"] as? String ?? "?", train: train,
                      paperBatch: paperBatch, families: families,
                      nll: nll,
                      sgemm: object["sgemm_gflops_1thread"] as? Double ?? .nan,
                      flushesDenormals: object["flush_denormal"] as? Bool ?? false,
                      coreRoundTrip: trip)
    }

    static func printTable(ours: SpeedBench, theirs: Result) {
        print("""

        vae-tui against PyTorch \(theirs.version) on the same machine, same thread counts, batch 100, IWAE objective
        (rows without a batch: batch 100; the batch-\(SpeedBench.paperBatch) rows: the IWAE paper's)
        CPU: \(CPUInfo.current.summary)
        vae-tui: \(BLASKernel.summary); threads split the batch
        PyTorch: BLAS \(theirs.blas), CPU capability \(theirs.cpuCapability)
        Subnormals: vae-tui \(Subnormals.modeName()), PyTorch \(Subnormals.modeName(flushing: theirs.flushesDenormals))
        GFLOP/s: vae-tui's matrix products while training, counted as they run; the share is of the sgemm peak
        below times the threads

        | measure | vae-tui | PyTorch | ratio | vae-tui GFLOP/s | share of sgemm peak |
        | --- | --- | --- | --- | --- | --- |
        """)
        func row(_ name: String, _ a: Double?, _ b: Double?, format: String, higherIsBetter: Bool = true,
                 gflops: Double? = nil, threads: Int = 1) {
            guard let a, let b else { return }
            let ratio = higherIsBetter ? a / b : b / a
            let work = gflops.map {
                String(format: "%.1f | %.0f%%", $0, 100 * ours.shareOfPeak(gflops: $0, threads: threads))
            } ?? " | "
            print("| \(name) | \(String(format: format, a)) | \(String(format: format, b)) "
                  + "| \(String(format: "%.2fx", ratio)) | \(work) |")
        }
        let threads = Array(Set(ours.train.map(\.threads))).sorted()
        for t in threads {
            for k in Array(Set(ours.train.map(\.k))).sorted() {
                row("train k=\(k), \(t) thread\(t == 1 ? "" : "s"), images/s", ours.trainRate(k: k, threads: t),
                    theirs.train["\(k)/\(t)"], format: "%.0f", gflops: ours.trainGFLOPS(k: k, threads: t), threads: t)
            }
        }
        for k in ours.train.filter({ $0.batch == SpeedBench.paperBatch }).map(\.k) {
            row("train k=\(k), batch \(SpeedBench.paperBatch), 1 thread, images/s",
                ours.trainRate(k: k, threads: 1, batch: SpeedBench.paperBatch), theirs.paperBatch[k], format: "%.0f",
                gflops: ours.trainGFLOPS(k: k, threads: 1, batch: SpeedBench.paperBatch))
        }
        let titles = ["iaf": "IAF posterior (2 steps, width 320)", "two-layer": "two stochastic layers 100,50",
                      "made": "MADE decoder (hidden 500, direct connections)",
                      "pixelcnn": "PixelCNN decoder (6 masked 3x3 layers of 32)",
                      "vamp": "VampPrior (K = \(VAEConfig.defaultPseudoInputs) pseudo-inputs)"]
        for (name, rate, gflops) in ours.families {
            row("train \(titles[name] ?? name), k=1 ELBO, 1 thread, images/s", rate, theirs.families[name],
                format: "%.0f", gflops: gflops)
        }
        for t in threads {
            row("L_5000 on \(ours.nll.first?.images ?? 0) test images, \(t) thread\(t == 1 ? "" : "s"), s",
                ours.nllSeconds(threads: t), theirs.nll[t], format: "%.2f", higherIsBetter: false)
        }
        row("sgemm 1024^3, 1 thread, GFLOP/s", ours.sgemmPeak, theirs.sgemm, format: "%.0f")
        if let most = threads.last, most > 1 {
            print("\nEach side's \(most) threads against its own 1 thread:\n")
            print("| measure | vae-tui | PyTorch |")
            print("| --- | --- | --- |")
            for k in Array(Set(ours.train.map(\.k))).sorted() {
                let a = ours.trainRate(k: k, threads: most).flatMap { x in
                    ours.trainRate(k: k, threads: 1).map { x / $0 }
                }
                let b = theirs.train["\(k)/\(most)"].flatMap { x in theirs.train["\(k)/1"].map { x / $0 } }
                print("| train k=\(k) | \(a.map { String(format: "%.2fx", $0) } ?? "") "
                      + "| \(b.map { String(format: "%.2fx", $0) } ?? "") |")
            }
            let a = ours.nllSeconds(threads: 1).flatMap { x in ours.nllSeconds(threads: most).map { x / $0 } }
            let b = theirs.nll[1].flatMap { x in theirs.nll[most].map { x / $0 } }
            print("| L_5000 | \(a.map { String(format: "%.2fx", $0) } ?? "") "
                  + "| \(b.map { String(format: "%.2fx", $0) } ?? "") |")
            printRoundTrips(ours: ours, theirs: theirs)
        }
    }

    /// The core-to-core round trips around each side's rows of several threads: the host of a virtual machine
    /// places its cores, and far apart (hundreds of ns) they slow every split step (docs/benchmarks.md).
    private static func printRoundTrips(ours: SpeedBench, theirs: Result) {
        var parts = ours.train.compactMap { row in
            row.coreRoundTrip.map { "vae-tui k=\(row.k), \(row.threads) threads \($0.text)" }
        }
        if let r = theirs.coreRoundTrip { parts.append("PyTorch's whole run \(r.text)") }
        guard !parts.isEmpty else { return }
        print("\nCore-to-core round trip (a cache line to another core and back), before/after: "
              + parts.joined(separator: "; "))
    }

    /// The script: as given, else bench/reference_vae.py of the working directory or of the checkout
    /// the binary was built in (it sits in .build/<configuration>/ below it).
    static func locate(_ given: String?) throws -> String {
        let fm = FileManager.default
        if let given {
            guard fm.fileExists(atPath: given) else { throw UserError("no reference script at \(given)") }
            return given
        }
        do {
            return try RepositoryFile.locate("bench/reference_vae.py", what: "the PyTorch reference")
        } catch {
            throw UserError("cannot find bench/reference_vae.py: run from the repository or give --reference FILE")
        }
    }

    /// Runs python3 with `arguments`; stdout is returned, stderr shown unless `quiet`.
    static func python(_ arguments: [String], quiet: Bool) throws -> (status: Int32, stdout: String) {
        let out = try ExternalProgram.run("/usr/bin/env", ["python3"] + arguments,
                                          errors: quiet ? .discarded : .shown)
        return (out.status, out.stdout)
    }
}

/// A file of the repository (the PyTorch reference): in the working directory, or above the running binary (a
/// build inside the checkout).
enum RepositoryFile {
    static func locate(_ relative: String, what: String) throws -> String {
        let fm = FileManager.default
        var candidates = [fm.currentDirectoryPath + "/" + relative]
        var dir = URL(fileURLWithPath: ExternalProgram.ownPath)
        for _ in 0..<5 {
            dir.deleteLastPathComponent()
            candidates.append(dir.path + "/" + relative)
        }
        guard let found = candidates.first(where: fm.fileExists(atPath:)) else {
            throw UserError("cannot find \(what) (\(relative)): run from the repository")
        }
        return found
    }
}

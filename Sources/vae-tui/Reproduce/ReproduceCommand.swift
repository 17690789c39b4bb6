import ArgumentParser
import Foundation
import LatentLab

/// `vae-tui reproduce iwae|iaf|collapse`: a lecture table, one run directory per row (its preset) under one
/// parent, trained one after the other and resumable (run it again and it continues where it stopped), then
/// the table with the paper's figures beside the measured ones. The same rows go to a Slurm cluster with
/// `--slurm` (one array task per row, `--row`, then a `--collect` job), `--status` reads where they stand, and
/// `--cost` prices them from a short measurement.
struct Reproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train every row of one of the lecture's tables (iwae, iaf, collapse) from its preset, resumably, "
            + "here or on a Slurm cluster (--slurm), and print the table beside the paper's figures.")

    enum Table: String, ExpressibleByArgument, CaseIterable {
        case iwae, iaf, collapse

        /// The presets of its rows: `iwae-…` and `iwae2-…`, `iaf-…`, `collapse-…`.
        func rows() -> [String] {
            Presets.names().filter { name in
                switch self {
                case .iwae: name.hasPrefix("iwae-") || name.hasPrefix("iwae2-")
                case .iaf: name.hasPrefix("iaf-")
                case .collapse: name.hasPrefix("collapse-")
                }
            }
        }
    }

    @Argument(help: "The table: iwae, iaf or collapse.")
    var table: Table

    @OptionGroup var data: DataOptions
    @OptionGroup var threading: ThreadOptions

    @Option(help: ArgumentHelp("Epochs per row instead of the presets' (a reduced budget: compare the orderings).",
                               valueName: "N"))
    var epochs: Int?

    @Option(help: ArgumentHelp("Minutes of training per row instead of the presets' epochs: a row stops after "
                               + "the first epoch that ends past them (a reduced budget: compare the orderings).",
                               valueName: "M"))
    var minutes: Double?

    @Option(help: ArgumentHelp("A preset whose settings apply to every row, over the row's own "
                               + "(the flags here override both).", valueName: "NAME"),
            completion: .custom { _, _, _ in Presets.names() })
    var preset: String?

    @Option(help: ArgumentHelp("Only these rows (preset names), comma-separated.", valueName: "NAMES"))
    var rows: String?

    @Option(help: ArgumentHelp("The parent directory of the rows' runs (default runs/reproduce-<table>).",
                               valueName: "DIR"),
            completion: .directory)
    var dir: String?

    @Option(name: .customLong("train-limit"),
            help: ArgumentHelp("Train each row on the first N training images only (quick runs).", valueName: "N"))
    var trainLimit: Int?

    @Option(help: ArgumentHelp("Held-out training images, instead of the presets' (0 for the IWAE rows).",
                               valueName: "N"))
    var validation: Int?

    @Option(name: .customLong("nll-images"),
            help: ArgumentHelp("Test images the NLL is taken on (all 10,000 for the papers' figures).", valueName: "N"))
    var nllImages: Int = Reproduce.defaultNLLImages

    @Option(name: .customLong("nll-k"), help: ArgumentHelp("Importance samples of the NLL.", valueName: "K"))
    var nllK: Int = Reproduce.defaultNLLK

    static let defaultNLLImages = 1000, defaultNLLK = 5000

    @Option(help: ArgumentHelp("Train and evaluate this one row (a preset name) in its run directory under --dir, "
                               + "and write no table: what each Slurm task runs; works by hand too.",
                               valueName: "NAME"))
    var row: String?

    @Flag(help: ArgumentHelp("Train nothing: evaluate the finished rows not yet evaluated and write the table, "
                             + "the rows not finished listed with why (the Slurm collect job; status 1 if any)."))
    var collect = false

    @Flag(help: ArgumentHelp("One line per row from the run directories: pending, running (epoch i/N, time left), "
                             + "stopped, requeued, done (NLL) or failed (why); and squeue's view when squeue "
                             + "is on PATH."))
    var status = false

    @OptionGroup var cluster: SlurmOptions

    @Flag(help: ArgumentHelp("Price the table instead: each row's training and evaluation timed for --cost-seconds "
                             + "at its preset's settings, its CPU-hours for the presets' epochs, the total, "
                             + "and the wall time with 1, 12 and 24 tasks in parallel."))
    var cost = false

    @Option(name: .customLong("cost-seconds"),
            help: ArgumentHelp("With --cost: seconds of training timed per row.", valueName: "S"))
    var costSeconds: Double = 10

    /// For the tests: raises SIGUSR1 before this step, as Slurm's warning would.
    @Option(name: .customLong("stop-at-step"), help: .hidden)
    var stopAtStep: Int?

    func validate() throws {
        if let epochs, !(1...100_000).contains(epochs) {
            throw ValidationError("--epochs must be between 1 and 100000, got \(epochs)")
        }
        if let minutes, !(minutes > 0 && minutes <= 100_000) {
            throw ValidationError("--minutes must be above 0, got \(minutes)")
        }
        if minutes != nil && epochs != nil { throw ValidationError("--epochs and --minutes are two budgets: give one") }
        if !(1...10_000).contains(nllImages) {
            throw ValidationError("--nll-images must be between 1 and 10000, got \(nllImages)")
        }
        if !(1...100_000).contains(nllK) { throw ValidationError("--nll-k must be between 1 and 100000, got \(nllK)") }
        let modes = [("--row", row != nil), ("--collect", collect), ("--status", status), ("--slurm", cluster.slurm),
                     ("--cost", cost)].filter(\.1).map(\.0)
        if modes.count > 1 {
            throw ValidationError("\(modes.joined(separator: " and ")) are different tasks: give one")
        }
        if row != nil && rows != nil { throw ValidationError("--row trains one row: leave out --rows") }
        if let row, !table.rows().contains(row) {
            throw ValidationError("--row: no row '\(row)' in the \(table) table "
                                  + "(\(table.rows().joined(separator: ", ")))")
        }
        if !(costSeconds > 0 && costSeconds <= 3600) {
            throw ValidationError("--cost-seconds must be above 0 and at most 3600, got \(costSeconds)")
        }
        if let stopAtStep, stopAtStep < 0 { throw ValidationError("--stop-at-step must be at least 0") }
        try cluster.check(threads: threading.threads)
    }

    func run() throws {
        try reportingUserErrors {
            threading.apply()
            let chosen = try chosenRows()
            let parent = dir ?? "runs/reproduce-\(table.rawValue)"
            if status { return try RowStatus.report(table: table, rows: chosen, parent: parent) }
            if cost { return try costTable(chosen) }
            if cluster.slurm { return try submit(chosen, parent: parent) }
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw UserError("cannot create \(parent): \(error.localizedDescription)")
            }
            StopRequest.install()
            let report = SaveReport()
            if let row {
                if case .stopped = try runRow(row, parent: parent, report: report, training: true) {
                    throw stopped()
                }
                return try report.finish()
            }
            try AtomicFile.checkWritable(parent + "/table.md")   // now rather than after the whole table has trained
            var result = ReproduceTable(caption: caption)
            for (i, name) in chosen.enumerated() {
                print("[\(i + 1)/\(chosen.count)] \(name)")
                switch try runRow(name, parent: parent, report: report, training: !collect) {
                case .measured(let measured): result.rows.append((name, measured))
                case .missing(let reason): result.missing.append((name, reason))
                case .stopped: throw stopped()
                }
            }
            try result.write(to: parent)
            try report.finish()
            if !result.missing.isEmpty {
                throw UserError("the table lacks \(result.missing.count) row(s): "
                                + result.missing.map(\.name).joined(separator: ", "))
            }
        }
    }

    /// The rows --rows names (each checked), else the whole table's.
    func chosenRows() throws -> [String] {
        if let row { return [row] }
        let all = table.rows()
        return try rows.map { list in
            try list.split(separator: ",").map { name in
                guard all.contains(String(name)) else {
                    throw UserError("--rows: no row '\(name)' in the \(table) table (\(all.joined(separator: ", ")))")
                }
                return String(name)
            }
        } ?? all
    }

    /// The table's caption: the budget and what the figures were taken on.
    private var caption: String {
        let reduced = "a reduced budget, so compare the orderings, not the figures"
        let budget = epochs.map { "\($0) epochs per row instead of the presets': \(reduced)" }
            ?? minutes.map {
                "\(String(format: "%g", $0)) minutes of training per row instead of the presets' epochs: \(reduced)"
            }
            ?? "the presets' budgets"
        return "`vae-tui reproduce \(table.rawValue)`: \(budget); "
            + "NLL = −L_\(nllK), ELBO (L_1) and KL on the first \(nllImages) test images."
    }

    /// A signal stopped a row: its state is saved, and the exit status says "continue me" (the batch script
    /// requeues the task on it after a time-limit warning).
    private func stopped() -> ExitCode {
        Terminal.error("vae-tui: stopped by \(StopRequest.signalName) at a step boundary, the row's whole state saved: "
                       + "the same command continues it")
        return ExitCode(StopRequest.stoppedStatus)
    }
}

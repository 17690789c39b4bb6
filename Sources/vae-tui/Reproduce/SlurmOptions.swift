import ArgumentParser
import Foundation

/// `reproduce --slurm`'s options: how the rows' job array and the collect job are asked of Slurm.
struct SlurmOptions: ParsableArguments {
    @Flag(help: ArgumentHelp("Submit the rows to Slurm instead of training here: a batch script in the parent "
                             + "directory (which every node must see), one job-array task per row, "
                             + "then a job that collects the table once they have all ended."))
    var slurm = false

    @Option(help: ArgumentHelp("With --slurm: the partition to run in (default: the cluster's).", valueName: "P"))
    var partition: String?

    @Option(help: ArgumentHelp("With --slurm: each task's time limit (Slurm's forms, e.g. 48:00:00 or 2-00:00:00); "
                               + "a task warned of it saves its row and is requeued, so the limit may be short "
                               + "of a row's whole training.", valueName: "HH:MM:SS"))
    var time: String?

    @Option(name: .customLong("cpus-per-task"),
            help: ArgumentHelp("With --slurm: CPUs per task, and the threads each row trains on "
                               + "(default: --threads).", valueName: "T"))
    var cpusPerTask: Int?

    @Option(name: .customLong("max-parallel"),
            help: ArgumentHelp("With --slurm: at most N rows' tasks running at once (default: all).", valueName: "N"))
    var maxParallel: Int?

    @Option(name: .customLong("sbatch-arg"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("With --slurm: a further sbatch option for both jobs, as one argument "
                               + "(e.g. --sbatch-arg --account=lab); repeat it for more.", valueName: "ARG"))
    var sbatchArgs: [String] = []

    @Flag(name: .customLong("dry-run"),
          help: ArgumentHelp("With --slurm: print the batch scripts and the sbatch commands; "
                             + "write and submit nothing."))
    var dryRun = false

    /// Slurm's time forms: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS.
    static func isSlurmTime(_ time: String) -> Bool { time.wholeMatch(of: #/(\d+-)?\d+(:\d+){0,2}/#) != nil }

    /// The most CPUs a task may ask for: the threads `--threads` accepts.
    static let maximumCPUs = 256

    func check(threads: Int) throws {
        let given = [("--partition", partition != nil), ("--time", time != nil),
                     ("--cpus-per-task", cpusPerTask != nil), ("--max-parallel", maxParallel != nil),
                     ("--sbatch-arg", !sbatchArgs.isEmpty), ("--dry-run", dryRun)].filter(\.1).map(\.0)
        if !slurm, let first = given.first { throw ValidationError("\(first) goes with --slurm") }
        if let partition, partition.isEmpty || partition.contains(where: \.isWhitespace) {
            throw ValidationError("--partition must be one partition's name, got '\(partition)'")
        }
        if let time, !Self.isSlurmTime(time) {
            throw ValidationError("--time must be a Slurm time limit such as 48:00:00 or 2-00:00:00, got '\(time)'")
        }
        if let cpusPerTask, !(1...Self.maximumCPUs).contains(cpusPerTask) {
            throw ValidationError("--cpus-per-task must be between 1 and \(Self.maximumCPUs), got \(cpusPerTask)")
        }
        if let cpusPerTask, threads != 1, threads != cpusPerTask {
            throw ValidationError("--threads \(threads) and --cpus-per-task \(cpusPerTask) disagree: "
                                  + "each row trains on its task's CPUs, give one of them")
        }
        if let maxParallel, maxParallel < 1 {
            throw ValidationError("--max-parallel must be at least 1, got \(maxParallel)")
        }
        if let bad = sbatchArgs.first(where: { !$0.hasPrefix("-") || $0.contains("\n") }) {
            throw ValidationError("--sbatch-arg takes one sbatch option such as --account=lab, got '\(bad)'")
        }
    }

    /// The threads (and CPUs) of each task.
    func cpus(threads: Int) -> Int { cpusPerTask ?? threads }
}

import ArgumentParser
import Foundation
import LatentLab

/// `reproduce TABLE --slurm`: the rows handed to Slurm rather than trained here.
extension Reproduce {
    /// The job ids a submission got, kept in the parent (`slurm-jobs.json`) for `--status` to ask squeue about.
    struct SlurmJobs: Codable {
        var array: String
        var collect: String
        static let fileName = "slurm-jobs.json"
    }

    /// Writes the batch scripts into `parent` and submits them (`--dry-run`: prints them and the commands instead).
    func submit(_ chosen: [String], parent: String) throws {
        let scripts = try slurmScripts(chosen, parent: parent)
        if cluster.dryRun {
            print("# \(scripts.rowsPath)\n\(scripts.rowsScript)")
            print("# \(scripts.collectPath)\n\(scripts.collectScript)")
            print("# submitted with:")
            for command in scripts.submissions(arrayID: "<array job id>") {
                print(command.map(SlurmScripts.quoted).joined(separator: " "))
            }
            return
        }
        guard let sbatch = ExternalProgram.find("sbatch") else {
            throw UserError("sbatch is not on PATH: --slurm submits from a Slurm cluster's login node "
                            + "(--dry-run shows the scripts anywhere)")
        }
        do {
            try FileManager.default.createDirectory(atPath: scripts.logsPath, withIntermediateDirectories: true)
        } catch {
            throw UserError("cannot create \(scripts.logsPath): \(error.localizedDescription)")
        }
        try AtomicFile.write(Data(scripts.rowsScript.utf8), to: scripts.rowsPath)
        try AtomicFile.write(Data(scripts.collectScript.utf8), to: scripts.collectPath)
        let submissions = scripts.submissions(arrayID: "")
        let array = try Self.sbatch(sbatch, Array(submissions[0].dropFirst()), what: "the rows' job array")
        let collect: String
        do {
            collect = try Self.sbatch(sbatch, Array(scripts.submissions(arrayID: array)[1].dropFirst()),
                                      what: "the collect job")
        } catch let error as UserError {
            throw UserError("\(error.description) (the rows' job array \(array) is submitted: "
                            + "`scancel \(array)` withdraws it, or collect later with "
                            + "`vae-tui reproduce \(table.rawValue) --collect --dir \(scripts.parent)`)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(SlurmJobs(array: array, collect: collect)),
                             to: parent + "/" + SlurmJobs.fileName)
        print("submitted the \(table.rawValue) table's \(chosen.count) row(s) as job array \(array) "
              + "(\(scripts.rowsPath)), and the collect job \(collect) to run after it")
        print("logs: \(scripts.logsPath)/\(array)_<task>.out; where the rows stand: "
              + "vae-tui reproduce \(table.rawValue) --status --dir \(scripts.parent)")
        print("\(scripts.parent) must be on a file system every node sees")
    }

    /// The scripts for these rows: every option that shapes a row or its evaluation passed on to the tasks and the
    /// collect job, the data resolved here (so every task reads the same files), paths made absolute.
    func slurmScripts(_ chosen: [String], parent: String) throws -> SlurmScripts {
        let cpus = cluster.cpus(threads: threading.threads)
        var evaluation: [String] = []
        if nllImages != Self.defaultNLLImages { evaluation += ["--nll-images", String(nllImages)] }
        if nllK != Self.defaultNLLK { evaluation += ["--nll-k", String(nllK)] }
        var budget: [String] = []
        if let epochs { budget += ["--epochs", String(epochs)] }
        if let minutes { budget += ["--minutes", String(minutes)] }
        var row = ["--threads", String(cpus)] + budget
        let source = try data.source()
        if let directory = source.directory { row += ["--data", Self.absolute(directory)] }
        row += ["--dataset", source.name]
        if let preset {
            row += ["--preset", FileManager.default.fileExists(atPath: preset) ? Self.absolute(preset) : preset]
        }
        if let trainLimit { row += ["--train-limit", String(trainLimit)] }
        if let validation { row += ["--validation", String(validation)] }
        let collect = ["--threads", String(cpus)] + budget + (rows.map { ["--rows", $0] } ?? []) + evaluation
        return SlurmScripts(table: table.rawValue, rows: chosen, parent: Self.absolute(parent),
                            executable: ExternalProgram.ownPath, rowArguments: row + evaluation,
                            collectArguments: collect, partition: cluster.partition, time: cluster.time,
                            cpusPerTask: cpus, maxParallel: min(cluster.maxParallel ?? chosen.count, chosen.count),
                            extra: cluster.sbatchArgs)
    }

    /// Runs sbatch --parsable and returns the job id it prints ("ID" or "ID;CLUSTER").
    private static func sbatch(_ path: String, _ arguments: [String], what: String) throws -> String {
        let result = try ExternalProgram.run(path, arguments)
        let id = result.stdout.split(separator: "\n").last?.split(separator: ";").first
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard result.status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            let said = (result.stderr + result.stdout).trimmingCharacters(in: .whitespacesAndNewlines)
            throw UserError("sbatch refused \(what) (status \(result.status)): \(said.isEmpty ? "no message" : said)")
        }
        return id
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL.path
    }
}

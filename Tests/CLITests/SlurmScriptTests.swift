import Foundation
import Testing
@testable import vae_tui

/// `reproduce --slurm`'s batch scripts, line by line, as the command builds them from its options.
@Suite struct SlurmScriptTests {
    /// The scripts the command would write for these arguments (after `reproduce`).
    static func scripts(_ arguments: [String], dir: String = "/shared/runs/iwae") throws -> SlurmScripts {
        let command = try Reproduce.parse(arguments + ["--slurm", "--dir", dir, "--dataset", "shapes"])
        return try command.slurmScripts(command.chosenRows(), parent: dir)
    }

    static func lines(_ script: String) -> [String] { script.split(separator: "\n").map(String.init) }

    /// One task per row with at most N at once, logs by array and task id, the time-limit warning to the batch
    /// shell, requeueable, the user's partition, time, CPUs and extra options, and the row runner.
    @Test func theRowsScriptIsAJobArrayOfRowRunners() throws {
        let s = try Self.scripts(["iwae", "--partition", "cpu", "--time", "48:00:00", "--cpus-per-task", "2",
                                  "--max-parallel", "6", "--sbatch-arg", "--mem=4G", "--sbatch-arg",
                                  "--account=lab", "--epochs", "3"])
        let lines = Self.lines(s.rowsScript)
        #expect(lines.first == "#!/bin/bash")
        for line in ["#SBATCH --array=0-11%6", "#SBATCH --output=/shared/runs/iwae/logs/%A_%a.out",
                     "#SBATCH --signal=B:USR1@120", "#SBATCH --requeue", "#SBATCH --open-mode=append",
                     "#SBATCH --partition=cpu", "#SBATCH --time=48:00:00", "#SBATCH --cpus-per-task=2",
                     "#SBATCH --mem=4G", "#SBATCH --account=lab", "#SBATCH --job-name=vae-tui-iwae"] {
            #expect(lines.contains(line), "\(line) in\n\(s.rowsScript)")
        }
        // Every #SBATCH line comes before the first command, or sbatch ignores it.
        let firstCommand = try #require(lines.firstIndex { !$0.hasPrefix("#") })
        #expect(lines.lastIndex { $0.hasPrefix("#SBATCH") }! < firstCommand)
        let rows = Reproduce.Table.iwae.rows()
        #expect(rows.count == 12 && rows.allSatisfy { lines.contains("    \($0)") }, "each row in the array")
        let runner = try #require(lines.first { $0.contains(" reproduce iwae --row \"$row\" ") })
        #expect(runner.hasPrefix(SlurmScripts.quoted(s.executable) + " ") && runner.hasSuffix(" &"), "\(runner)")
        #expect(runner.contains("--dir /shared/runs/iwae --threads 2 --epochs 3") && runner.contains("--dataset shapes"),
                "\(runner)")
        #expect(lines.contains("row=${rows[$SLURM_ARRAY_TASK_ID]}"))
        #expect(lines.contains(#"    scontrol requeue "$task""#) && lines.contains(#"exit "$status""#))
        #expect(lines.contains(#"if [ "$status" -eq 75 ] && [ -n "$warned" ]; then"#), "requeued only when warned")
    }

    /// The collect job: the same resources, its own log, `--collect` on the same parent with the evaluation's
    /// options; submitted after the array with `afterany`, so that a failed row does not cancel the table.
    @Test func theCollectJobRunsAfterEveryTaskHasEnded() throws {
        let s = try Self.scripts(["iaf", "--rows", "iaf-diag-normal,iaf-diag-af", "--nll-images", "500",
                                  "--time", "1:00:00"])
        let lines = Self.lines(s.collectScript)
        #expect(lines.contains("#SBATCH --output=/shared/runs/iwae/logs/collect-%j.out"))
        #expect(lines.contains("#SBATCH --time=1:00:00") && lines.contains("#SBATCH --cpus-per-task=1"))
        #expect(lines.contains("exec \(SlurmScripts.quoted(s.executable)) reproduce iaf --collect --dir /shared/runs/iwae "
                               + "--threads 1 --rows iaf-diag-normal,iaf-diag-af --nll-images 500"), "\(s.collectScript)")
        #expect(Self.lines(s.rowsScript).contains("#SBATCH --array=0-1%2"), "two rows, both at once by default")
        #expect(s.rowsScript.contains("--nll-images 500"), "the tasks evaluate as the collect job reads")
        let submissions = s.submissions(arrayID: "4242")
        #expect(submissions == [["sbatch", "--parsable", "/shared/runs/iwae/slurm-rows.sbatch"],
                                ["sbatch", "--parsable", "--dependency=afterany:4242",
                                 "/shared/runs/iwae/slurm-collect.sbatch"]])
    }

    /// A path or option with spaces and quotes reaches the program as one word.
    @Test(arguments: ["plain", "with space", "it's", "$HOME", "a\"b", ""]) func wordsAreQuotedForTheShell(word: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "printf '%s' " + SlurmScripts.quoted(word)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(String(decoding: out, as: UTF8.self) == word)
    }

    /// Bad cluster options are refused before anything is written.
    @Test(arguments: [
        (["--partition", "cpu"], "--partition goes with --slurm"),
        (["--slurm", "--time", "two days"], "--time must be a Slurm time limit"),
        (["--slurm", "--cpus-per-task", "0"], "--cpus-per-task must be between 1 and 256"),
        (["--slurm", "--cpus-per-task", "2", "--threads", "3"], "--threads 3 and --cpus-per-task 2 disagree"),
        (["--slurm", "--max-parallel", "0"], "--max-parallel must be at least 1"),
        (["--slurm", "--sbatch-arg", "mem=4G"], "--sbatch-arg takes one sbatch option"),
        (["--slurm", "--status"], "--status and --slurm are different tasks"),
        (["--row", "iwae-vae-k1", "--rows", "iwae-vae-k1"], "--row trains one row"),
        (["--row", "iaf-diag-normal"], "--row: no row 'iaf-diag-normal' in the iwae table"),
    ]) func badClusterOptionsAreRefused(arguments: [String], message: String) {
        #expect {
            _ = try Reproduce.parse(["iwae"] + arguments)
        } throws: { error in
            Reproduce.message(for: error).contains(message)
        }
    }

    /// Slurm's time forms pass; others do not.
    @Test func timeLimitsInSlurmsForms() {
        for good in ["90", "90:00", "48:00:00", "2-00", "2-12:00", "2-12:00:00"] { #expect(SlurmOptions.isSlurmTime(good)) }
        for bad in ["", "1h", "48:00:00:00", "-1", "2-"] { #expect(!SlurmOptions.isSlurmTime(bad), "\(bad)") }
    }
}

import Foundation

/// The two batch scripts `reproduce --slurm` writes into the table's parent directory: a job array with one task
/// per row, each running `reproduce TABLE --row NAME --dir PARENT`, and the collect job
/// (`reproduce TABLE --collect`), submitted to start once every task has ended. Plain text, built here alone, so
/// that tests read each line.
struct SlurmScripts {
    var table: String
    var rows: [String]
    /// Absolute: the scripts run on other machines, from other directories.
    var parent: String
    var executable: String
    /// What follows `--row NAME --dir PARENT` in a task, and `--collect --dir PARENT` in the collect job.
    var rowArguments: [String]
    var collectArguments: [String]
    var partition: String?
    var time: String?
    var cpusPerTask: Int
    var maxParallel: Int
    var extra: [String]

    /// Seconds before its time limit that Slurm warns a task (SIGUSR1 to the batch shell): time to finish the
    /// step, save the state (a few MB) and requeue, with room for Slurm's coarse timing of the signal.
    static let warningSeconds = 120
    static let rowsFile = "slurm-rows.sbatch"
    static let collectFile = "slurm-collect.sbatch"
    /// The directory of the tasks' logs, `ARRAY_TASK.out`, and the collect job's, `collect-JOB.out`.
    static let logsDirectory = "logs"

    var rowsPath: String { parent + "/" + Self.rowsFile }
    var collectPath: String { parent + "/" + Self.collectFile }
    var logsPath: String { parent + "/" + Self.logsDirectory }

    /// The job array: the row of `SLURM_ARRAY_TASK_ID`, its process in the background so that the shell can
    /// forward Slurm's signals to it, and a requeue when a time-limit warning stopped it (status 75).
    var rowsScript: String {
        let row = [executable, "reproduce", table, "--row"].map(Self.quoted).joined(separator: " ") + " \"$row\" "
            + (["--dir", parent] + rowArguments).map(Self.quoted).joined(separator: " ")
        return """
            #!/bin/bash
            # vae-tui reproduce \(table) --slurm: one task of this array per row of the table, each training and
            # evaluating its row in its own run directory under \(parent),
            # resumably. That directory must be on a file system every node sees.
            #SBATCH --job-name=vae-tui-\(table)
            #SBATCH --array=0-\(rows.count - 1)%\(maxParallel)
            #SBATCH --output=\(logsPath)/%A_%a.out
            #SBATCH --open-mode=append
            #SBATCH --requeue
            #SBATCH --signal=B:USR1@\(Self.warningSeconds)
            \(sbatchLines.joined(separator: "\n"))

            rows=(
            \(rows.map { "    " + Self.quoted($0) }.joined(separator: "\n"))
            )
            row=${rows[$SLURM_ARRAY_TASK_ID]}
            task="${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
            echo "vae-tui: task $task (restart ${SLURM_RESTART_COUNT:-0}) on $(hostname): row $row, $(date -u +%FT%TZ)"

            # The row stops at its next step boundary on USR1 or TERM, saves its whole state and exits 75.
            child=
            warned=
            trap 'warned=1; interrupted=1; [ -n "$child" ] && kill -USR1 "$child" 2>/dev/null' USR1
            trap 'interrupted=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' TERM
            \(row) &
            child=$!
            while :; do
                interrupted=
                wait "$child"
                status=$?
                [ -n "$interrupted" ] || break
                kill -0 "$child" 2>/dev/null || { wait "$child"; status=$?; break; }
            done

            # 75 after the time-limit warning: requeued, the row resumes where it stopped. 75 after a TERM: Slurm
            # decides (a requeue or a preemption runs it again, scancel ends it). Any other status is the row's
            # own failure, its message in its row.json: not requeued.
            if [ "$status" -eq 75 ] && [ -n "$warned" ]; then
                echo "vae-tui: task $task stopped before its time limit, saved: requeued"
                scontrol requeue "$task"
            fi
            exit "$status"

            """
    }

    /// The collect job: after every task of the array has ended, however (`afterany`), the table.
    var collectScript: String {
        let collect = ([executable, "reproduce", table, "--collect", "--dir", parent] + collectArguments)
            .map(Self.quoted).joined(separator: " ")
        return """
            #!/bin/bash
            # vae-tui reproduce \(table) --slurm: once every row's task has ended, evaluates the finished rows not
            # yet evaluated and writes table.md and table.json in \(parent)
            # (status 1 when a row is missing: the table lists it with why).
            #SBATCH --job-name=vae-tui-\(table)-collect
            #SBATCH --output=\(logsPath)/collect-%j.out
            \(sbatchLines.joined(separator: "\n"))

            exec \(collect)

            """
    }

    /// The options both jobs share.
    private var sbatchLines: [String] {
        (["--cpus-per-task=\(cpusPerTask)"] + (partition.map { ["--partition=\($0)"] } ?? [])
         + (time.map { ["--time=\($0)"] } ?? []) + extra).map { "#SBATCH \($0)" }
    }

    /// The submissions, in order: the array, then the collect job after it (its id known only then).
    func submissions(arrayID: String) -> [[String]] {
        [["sbatch", "--parsable", rowsPath],
         ["sbatch", "--parsable", "--dependency=afterany:\(arrayID)", collectPath]]
    }

    /// `word` as one shell word: bare when that is safe, else in single quotes.
    static func quoted(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=,@%+-")
        if !word.isEmpty && word.allSatisfy(safe.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}

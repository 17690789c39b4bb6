import Foundation
import LatentLab

/// `reproduce TABLE --status`: where each row stands, read from its run directory alone (row.json, config.json,
/// metrics.jsonl, nll.json), so that it works the same for a table trained here and one on a cluster; then
/// squeue's view of the submitted jobs when squeue is on PATH.
enum RowStatus {
    static func report(table: Reproduce.Table, rows: [String], parent: String,
                       environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let now = Date().timeIntervalSince1970
        let states = rows.map { name in (name, describe(RunDirectory(path: parent + "/" + name), now: now)) }
        let counts = Dictionary(grouping: states, by: \.1.word).mapValues(\.count)
        let summary = ["done", "running", "stopped", "interrupted", "failed", "pending"]
            .compactMap { word in counts[word].map { "\($0) \(word)" } }.joined(separator: ", ")
        print("reproduce \(table.rawValue) in \(parent): \(summary)")
        let width = rows.map(\.count).max() ?? 0
        for (name, state) in states {
            print(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + state.line)
        }
        guard let squeue = ExternalProgram.find("squeue", environment: environment) else { return }
        print("")
        guard let saved = FileManager.default.contents(atPath: parent + "/" + Reproduce.SlurmJobs.fileName),
              let jobs = try? JSONDecoder().decode(Reproduce.SlurmJobs.self, from: saved) else {
            return print("squeue: no Slurm submission recorded in \(parent)")
        }
        let result = try ExternalProgram.run(squeue, ["--array", "--jobs", "\(jobs.array),\(jobs.collect)",
                                                      "--format", "%.16i %.10T %.10M %.10L %R"])
        let lines = result.stdout.split(separator: "\n")
        if result.status != 0 {
            print("squeue (job array \(jobs.array), collect \(jobs.collect)): "
                  + result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        } else if lines.count <= 1 {
            print("squeue: neither job array \(jobs.array) nor the collect job \(jobs.collect) is queued or running")
        } else {
            print("squeue (job array \(jobs.array), collect \(jobs.collect)):")
            lines.forEach { print($0) }
        }
    }

    /// One row's state: the word the summary counts, and its line.
    struct State {
        var word: String
        var line: String
    }

    /// What the row's files say at `now`.
    static func describe(_ directory: RunDirectory, now: Double, host: String = RowState.hostName) -> State {
        let fm = FileManager.default
        let row = RowState.read(from: directory)
        let figures = (fm.contents(atPath: directory.path + "/" + Reproduce.Row.fileName))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        if let nll = figures?["nll"] as? Double, row.map({ $0.state == .done }) ?? true {
            let epochs = row?.epochs ?? (try? RunConfig.read(from: directory.config))?.epochs
            return State(word: "done", line: "done: NLL \(String(format: "%.2f", nll))"
                         + (epochs.map { " after \($0) epochs" } ?? "") + requeued(row))
        }
        guard let row else {
            guard let config = try? RunConfig.read(from: directory.config) else {
                return State(word: "pending", line: "pending")
            }
            let epoch = lastEpoch(directory)?.epoch ?? 0
            return State(word: "stopped", line: "stopped at epoch \(epoch)/\(config.epochs): continues when run again")
        }
        let epoch = max(row.epoch, lastEpoch(directory)?.epoch ?? 0)
        let progress = "epoch \(epoch)/\(row.epochs)"
        switch row.state {
        case .failed:
            return State(word: "failed", line: "failed: \(row.message ?? "no message")" + requeued(row))
        case .stopped:
            return State(word: "stopped", line: "stopped at \(progress) (step \(row.step)), its state saved: "
                         + "continues when run again or requeued" + requeued(row))
        case .done:
            return State(word: "done", line: "done after \(row.epochs) epochs (no nll.json)" + requeued(row))
        case .running:
            if row.host == host && kill(row.pid, 0) != 0 && errno == ESRCH {
                return State(word: "interrupted",
                             line: "interrupted at \(progress): its process \(row.pid) is gone; "
                                 + "continues from its last checkpoint when run again" + requeued(row))
            }
            if epoch >= row.epochs {
                return State(word: "running", line: "running: evaluating after \(row.epochs) epochs" + requeued(row))
            }
            return State(word: "running", line: "running: \(progress), \(timeLeft(row, directory, now: now))"
                         + requeued(row))
        }
    }

    /// ", requeued n times (job J)" under Slurm, "" outside it.
    private static func requeued(_ row: RowState?) -> String {
        guard let row, let job = row.job else { return "" }
        return row.requeues > 0
            ? "; job \(job), requeued \(row.requeues) time\(row.requeues == 1 ? "" : "s")" : "; job \(job)"
    }

    /// The time left, from the steps this process has made since it started and the time they took (evaluations
    /// included), else from the last epoch's training time alone.
    private static func timeLeft(_ row: RowState, _ directory: RunDirectory, now: Double) -> String {
        let remainingSteps = Double(row.epochs * row.stepsPerEpoch)
        guard let last = lastEpoch(directory) else { return "no epoch finished yet" }
        let modified = (try? FileManager.default.attributesOfItem(atPath: directory.metrics)[.modificationDate]
                        as? Date)?.timeIntervalSince1970
        if let modified, last.step > row.startStep, modified > row.started {
            let perStep = (modified - row.started) / Double(last.step - row.startStep)
            let left = (remainingSteps - Double(last.step)) * perStep - (now - modified)
            let epoch = String(format: "%.3g", perStep * Double(row.stepsPerEpoch))
            return "about \(Terminal.duration(left)) left at \(epoch) s an epoch"
        }
        guard let seconds = last.seconds else { return "no rate yet" }
        let left = (remainingSteps - Double(last.step)) / Double(max(1, row.stepsPerEpoch)) * seconds
        return "about \(Terminal.duration(left)) left (its last epoch's training time, evaluations not counted)"
    }

    /// The run log's last epoch record: its epoch, step and training seconds.
    private static func lastEpoch(_ directory: RunDirectory) -> (epoch: Int, step: Int, seconds: Double?)? {
        guard let text = try? String(contentsOfFile: directory.metrics, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n").reversed() where line.contains(#""event":"epoch""#) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let epoch = object["epoch"] as? Int, let step = object["step"] as? Int else { continue }
            return (epoch, step, object["seconds"] as? Double)
        }
        return nil
    }
}

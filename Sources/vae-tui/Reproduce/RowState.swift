import Foundation
import LatentLab

/// What a `reproduce` row is doing, as `row.json` in its run directory says: written when its training starts,
/// stops, finishes or fails, so that `--status` can tell the rows apart without a scheduler, and a failed row
/// keeps its message. The run's other files (config.json, metrics.jsonl, nll.json) say the rest.
struct RowState: Codable, Equatable {
    enum Phase: String, Codable {
        /// Training or evaluating; `host` and `pid` say where.
        case running
        /// Stopped by a signal at a step boundary, its whole state saved: it continues when run again.
        case stopped
        /// Trained and evaluated: nll.json holds its figures.
        case done
        /// Failed for a reason of its own (a bad preset, NaN at every step): `message` says which.
        case failed
    }

    var state: Phase
    var message: String?
    /// Whole epochs done, and the run's budget.
    var epoch: Int
    var epochs: Int
    var step: Int
    var stepsPerEpoch: Int
    /// Times Slurm requeued the task ($SLURM_RESTART_COUNT), 0 outside Slurm.
    var requeues: Int
    /// The Slurm task, "ARRAY_TASK" (or the job id), nil outside Slurm.
    var job: String?
    var host: String
    var pid: Int32
    /// When this process began training (seconds since 1970), and at which step: the rate `--status` estimates
    /// the time left from.
    var started: Double
    var startStep: Int
    var updated: Double

    static let fileName = "row.json"

    static func path(in directory: RunDirectory) -> String { directory.path + "/" + fileName }

    /// The file's state, nil when there is none or it cannot be read (a row from before the file).
    static func read(from directory: RunDirectory) -> RowState? {
        guard let data = FileManager.default.contents(atPath: path(in: directory)) else { return nil }
        return try? JSONDecoder().decode(RowState.self, from: data)
    }

    func write(to directory: RunDirectory) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try AtomicFile.write(try encoder.encode(self), to: Self.path(in: directory))
        } catch let e as CheckpointError {
            throw UserError(e.description)
        }
    }

    /// This process, now, in `phase`, under Slurm's ids when the environment has them.
    static func current(_ phase: Phase, epoch: Int, epochs: Int, step: Int, stepsPerEpoch: Int,
                        started: Double, startStep: Int, message: String? = nil,
                        environment: [String: String] = ProcessInfo.processInfo.environment) -> RowState {
        let job = environment["SLURM_ARRAY_JOB_ID"].flatMap { array in
            environment["SLURM_ARRAY_TASK_ID"].map { "\(array)_\($0)" }
        } ?? environment["SLURM_JOB_ID"]
        return RowState(state: phase, message: message, epoch: epoch, epochs: epochs, step: step,
                        stepsPerEpoch: stepsPerEpoch,
                        requeues: environment["SLURM_RESTART_COUNT"].flatMap { Int($0) } ?? 0, job: job,
                        host: hostName, pid: getpid(), started: started,
                        startStep: startStep, updated: Date().timeIntervalSince1970)
    }

    /// This machine's name as gethostname gives it (Foundation's hostName may ask the DNS).
    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: Int(HOST_NAME_MAX) + 1)
        guard gethostname(&buffer, buffer.count) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

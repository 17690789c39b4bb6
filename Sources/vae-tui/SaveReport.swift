import Foundation
import LatentLab

/// The files a headless run writes again and again (its logs, its checkpoints), whose failures (a full disk,
/// a directory gone read-only) must not stop training: a failed save leaves the file as it was and training
/// goes on. Each file is reported on stderr in one line the first time it fails and the first time it is written
/// again after that, never at every epoch (nor at every turn of a disk that is full one moment and not the next);
/// `finish()` then makes the command exit 1 when a file's last write failed, so that a script does not take a
/// run for saved.
final class SaveReport {
    /// The files whose last write failed (a log is named "log PATH", apart from a checkpoint at the same path,
    /// as with `--log /dev/full --checkpoint /dev/full`), in the order they first failed, with why.
    private var failing: [(file: String, failure: CheckpointError)] = []
    /// The files reported failing, and those reported written again, once each.
    private var reportedFailing: Set<String> = [], reportedRecovered: Set<String> = []

    /// Runs `save`; a failure is reported rather than thrown. Returns whether it saved.
    @discardableResult
    func attempt(_ path: String, _ save: () throws(CheckpointError) -> Void) -> Bool {
        do {
            try save()
            note(path, failure: nil)
            return true
        } catch {
            note(path, failure: error)
            return false
        }
    }

    /// Reports a log's failures the same way.
    func watch(_ log: RunLog) {
        log.onFailureChange = { [weak self, path = log.path] failure in self?.note("log \(path)", failure: failure) }
    }

    /// Records the outcome of a write to `file`, printing a line the first time it fails and the first time it
    /// works after.
    func note(_ file: String, failure: CheckpointError?) {
        let index = failing.firstIndex { $0.file == file }
        switch (failure, index) {
        case (let failure?, nil):
            failing.append((file, failure))
            if reportedFailing.insert(file).inserted {
                Terminal.error("vae-tui: warning: \(failure.description); "
                               + "training goes on, the file keeps what it last held")
            }
        case (nil, let index?):
            failing.remove(at: index)
            if reportedRecovered.insert(file).inserted { Terminal.error("vae-tui: \(file) is written again") }
        default:
            return
        }
    }

    /// After the run: an error naming the files whose last write failed, if any.
    func finish() throws {
        guard !failing.isEmpty else { return }
        let files = failing.map(\.file).joined(separator: ", ")
        throw UserError("training finished, but the last write of \(files) failed (see above)")
    }
}

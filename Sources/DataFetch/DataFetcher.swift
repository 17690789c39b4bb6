import Foundation
import LatentLab

/// What `DataFetcher.fetch` reports as it goes, for a progress bar or a log line.
public enum FetchEvent: Sendable {
    /// The file was already there and verified: nothing to fetch.
    case present(file: String, bytes: Int)
    /// A download from `url` begins, going on from `resumeAt` bytes kept by an earlier one.
    case trying(file: String, url: String, resumeAt: Int)
    case progress(file: String, bytes: Int, total: Int?)
    /// That mirror did not give the file; the next one is tried.
    case failed(file: String, url: String, reason: String)
    /// Verified and in place.
    case placed(file: String, url: String, bytes: Int, seconds: Double)
}

/// Why a set could not be fetched: one line, naming each mirror and what it answered.
public struct FetchError: Error, CustomStringConvertible {
    public let description: String
}

/// Fetches a data set's files into a directory: each from the first mirror that gives it whole and with the
/// published checksum, downloaded into `.NAME.part` beside its place (kept when a download is cut, so a rerun
/// goes on from there), and renamed into place only once verified, so a file under its own name is always whole.
public enum DataFetcher {
    public static func fetch(_ set: DataSet, into directory: String, mirrors: [String], timeout: Double,
                             events: @escaping @Sendable (FetchEvent) -> Void) throws(FetchError) {
        let created = try makeDirectory(directory)
        let lock = try lockDirectory(directory)
        defer { close(lock) }
        do throws(FetchError) {
            try HTTPDownload.leavingNoFoundationCache { () throws(FetchError) in
                for file in set.files {
                    try fetch(file, of: set, into: directory, mirrors: mirrors, timeout: timeout, events: events)
                }
            }
        } catch {
            removeIfEmpty(created)
            throw error
        }
    }

    /// The hidden file a download goes into until it is verified.
    public static func partPath(of file: DataSetFile, in directory: String) -> String {
        directory + "/." + file.name + ".part"
    }

    static let lockName = ".fetch.lock"

    private static func fetch(_ file: DataSetFile, of set: DataSet, into directory: String, mirrors: [String],
                              timeout: Double, events: @escaping @Sendable (FetchEvent) -> Void) throws(FetchError) {
        switch file.check(in: directory) {
        case .verified(_, let bytes):
            events(.present(file: file.name, bytes: bytes))
            return
        case .wrong(let path, let reason):
            throw FetchError(description: "\(path) is there but is not \(set.title)'s \(file.name) (\(reason)): "
                                          + "move it away, or fetch into another --dir")
        case .missing:
            break
        }
        let part = partPath(of: file, in: directory)
        let target = directory + "/" + file.name
        var answers: [String] = []
        for mirror in mirrors {
            let url = mirror.hasSuffix("/") ? mirror + file.name : mirror + "/" + file.name
            guard let address = URL(string: url), address.scheme == "http" || address.scheme == "https" else {
                answers.append("\(url): not an http(s) URL")
                continue
            }
            // A kept part that fails the checksum may be of another copy than this mirror's: once more from zero.
            for attempt in 0..<2 {
                let kept = HTTPDownload.fileSize(part)
                events(.trying(file: file.name, url: url, resumeAt: kept))
                let start = Date()
                let bytes: Int
                do throws(DownloadFailure) {
                    bytes = try HTTPDownload.fetch(address, into: part, timeout: timeout) { done, total in
                        events(.progress(file: file.name, bytes: done, total: total))
                    }
                } catch {
                    if error.isLocal {
                        unlink(part)
                        throw FetchError(description: "\(part): \(error.description)")
                    }
                    answers.append("\(url): \(error.description)")
                    events(.failed(file: file.name, url: url, reason: error.description))
                    break
                }
                if case .wrong(_, let reason) = file.check(at: part, compressed: true) {
                    unlink(part)
                    let answer = "wrong checksum (\(reason))"
                    if attempt == 0 && kept > 0 { continue }
                    answers.append("\(url): \(answer)")
                    events(.failed(file: file.name, url: url, reason: answer))
                    break
                }
                guard rename(part, target) == 0 else {
                    let reason = String(cString: strerror(errno))
                    unlink(part)
                    throw FetchError(description: "\(target): cannot place the file (\(reason))")
                }
                syncDirectory(directory)
                events(.placed(file: file.name, url: url, bytes: bytes, seconds: Date().timeIntervalSince(start)))
                return
            }
        }
        let kept = HTTPDownload.fileSize(part)
        if kept == 0 { unlink(part) }
        let keptNote = kept > 0 ? " (\(kept) bytes kept in \(part): a rerun goes on from there)" : ""
        let names = set.files.map(\.name).joined(separator: ", ")
        throw FetchError(description: "cannot fetch \(file.name): \(answers.joined(separator: "; "))\(keptNote). "
                         + "Place the four files (\(names)) in \(directory) by hand, "
                         + "or name a mirror with --mirror URL")
    }

    /// Creates the directory and its missing parents; returns those it created, deepest first.
    private static func makeDirectory(_ directory: String) throws(FetchError) -> [String] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw FetchError(description: "\(directory) is a file, not a directory")
            }
            return []
        }
        var missing: [String] = []
        var url = URL(fileURLWithPath: directory).standardizedFileURL
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.path) {
            missing.append(url.path)
            url.deleteLastPathComponent()
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw FetchError(description: "cannot create \(directory) (\(HTTPDownload.reason(error)))")
        }
        return missing
    }

    /// One fetch at a time into a directory: two would write the same part files.
    private static func lockDirectory(_ directory: String) throws(FetchError) -> Int32 {
        let path = directory + "/" + lockName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw FetchError(description: "cannot write in \(directory) (\(String(cString: strerror(errno))))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw FetchError(description: "another `vae-tui data fetch` is writing \(directory): wait for it")
        }
        return fd
    }

    /// Removes the directories this fetch created (deepest first) while nothing was placed in them (its lock aside).
    private static func removeIfEmpty(_ created: [String]) {
        guard let directory = created.first else { return }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        guard names.allSatisfy({ $0 == lockName }) else { return }
        unlink(directory + "/" + lockName)
        for path in created where rmdir(path) != 0 { break }
    }

    private static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

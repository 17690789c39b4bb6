import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file so that readers see either the old contents or the new, never a partial, mixed or empty
/// file, even when the process is killed mid-save or the machine loses power: the data go to a temporary
/// file beside the target (`.NAME.tmp-PID`), are flushed to the disk, and only then renamed over the target;
/// the directory is flushed after, so that the rename itself is on disk. A failed save leaves the old file as
/// it was and removes its temporary file; the temporary files of killed processes are removed by the next
/// save to the same target.
public enum AtomicFile {
    /// What a temporary file's name adds to the target's: `.checkpoint.safetensors.tmp-4242`.
    static let temporaryMarker = ".tmp-"

    public static func write(_ data: Data, to path: String) throws(CheckpointError) {
        let target = resolved(path)
        if isSpecialFile(target) {
            // /dev/null, /dev/full, a FIFO: written through, never replaced by a regular file.
            do throws(IOFailure) {
                try writeInPlace(data, to: target)
            } catch {
                throw CheckpointError("\(path): cannot write (\(error.reason))")
            }
            return
        }
        let directory = try existingDirectory(of: target, for: path)
        removeStaleTemporaries(of: target)
        let temporary = temporaryPath(of: target, pid: getpid())
        do throws(IOFailure) {
            try writeSynced(data, to: temporary)
            guard rename(temporary, target) == 0 else { throw IOFailure.current }
        } catch {
            unlink(temporary)
            throw CheckpointError("\(path): cannot write (\(error.reason))")
        }
        syncDirectory(directory)
    }

    /// Fails now, with the reason, when a later `write(_:to:)` to `path` would fail for lack of a directory
    /// or of the right to write in it, so that a long run does not find out at its end. It creates and removes
    /// the temporary file a save would use: that answers for root, read-only mounts and immutable directories,
    /// where permission bits alone do not.
    public static func checkWritable(_ path: String) throws(CheckpointError) {
        let target = resolved(path)
        if isSpecialFile(target) { return }   // written in place: its own errors come when it is written
        let directory = try existingDirectory(of: target, for: path)
        let probe = temporaryPath(of: target, pid: getpid())
        let fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            throw CheckpointError("\(path): cannot write in \(directory) (\(IOFailure.current.reason))")
        }
        close(fd)
        unlink(probe)
    }

    /// The temporary file of a save to `target` by process `pid`.
    static func temporaryPath(of target: String, pid: pid_t) -> String {
        let url = URL(fileURLWithPath: target)
        return url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent)\(temporaryMarker)\(pid)").path
    }

    /// The temporary files left beside `target` by saves of processes that are gone (killed mid-save, or whose
    /// directory went read-only before they could remove them) are removed; those of live processes, which may be
    /// saving this very moment, are left alone.
    public static func removeStaleTemporaries(of target: String) {
        let url = URL(fileURLWithPath: target)
        let directory = url.deletingLastPathComponent().path
        let prefix = ".\(url.lastPathComponent)\(temporaryMarker)"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count)), pid != getpid(), !isAlive(pid) else { continue }
            unlink(directory + "/" + name)
        }
    }

    private static func isAlive(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 || errno != ESRCH }

    /// The file a symbolic link points to (it is that file that is replaced, the link stays), else `path`.
    private static func resolved(_ path: String) -> String {
        guard let real = realpath(path, nil) else { return path }
        defer { free(real) }
        return String(cString: real)
    }

    /// An existing target that is neither a regular file nor a directory: a device or a FIFO.
    private static func isSpecialFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let type = info.st_mode & S_IFMT
        return type != S_IFREG && type != S_IFDIR
    }

    private static func existingDirectory(of target: String, for path: String) throws(CheckpointError) -> String {
        let directory = URL(fileURLWithPath: target).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            let given = URL(fileURLWithPath: path).deletingLastPathComponent().path
            throw CheckpointError("\(path): directory \(given) does not exist")
        }
        return directory
    }

    /// Writes `data` to a new file at `path` and flushes it to the disk before returning.
    private static func writeSynced(_ data: Data, to path: String) throws(IOFailure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw IOFailure.current }
        do throws(IOFailure) {
            try writeAll(data, to: fd)
            guard fsync(fd) == 0 else { throw IOFailure.current }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw IOFailure.current }
    }

    private static func writeInPlace(_ data: Data, to path: String) throws(IOFailure) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOFailure.current }
        defer { close(fd) }
        try writeAll(data, to: fd)
    }

    /// `write(2)` until every byte is out: it may take less than asked, or be interrupted by a signal.
    private static func writeAll(_ data: Data, to fd: Int32) throws(IOFailure) {
        let failure: IOFailure? = data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return nil }
            var offset = 0
            while offset < raw.count {
                let n = systemWrite(fd, base + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return IOFailure.current
                }
                offset += n
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// Flushes a directory's entries (a rename) to the disk; file systems that cannot do it are left as they are.
    private static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

/// `write(2)`, named apart from `AtomicFile.write`.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}

/// A failed system call, as the system words it ("No space left on device").
struct IOFailure: Error {
    let reason: String
    static var current: IOFailure { IOFailure(reason: String(cString: strerror(errno))) }
}

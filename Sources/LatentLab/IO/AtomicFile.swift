import Foundation

/// Writes a file so that readers see either the old contents or the new, never a partial file.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws(CheckpointError) {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CheckpointError("\(path): directory \(dir.path) does not exist")
        }
        let temporary = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        do {
            try data.write(to: temporary)
            if rename(temporary.path, url.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                throw CheckpointError("\(path): cannot write (\(reason))")
            }
        } catch let e as CheckpointError {
            throw e
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw CheckpointError("\(path): cannot write (\(error.localizedDescription))")
        }
    }
}

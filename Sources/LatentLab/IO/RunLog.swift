import Foundation

/// A JSON-lines run log: one object per line, keys in the order given, flushed line by line so a
/// reader (or a crash) never sees half a record. An existing file is appended to, never truncated.
///
/// A run goes on when its log cannot be written (a full disk, a file-size limit, a directory gone read-only):
/// the record is lost, a partly written line is cut off again so the lines already there stay whole, and
/// `onFailureChange` tells the run's owner when writes start failing and when they work again, not at every
/// record.
public final class RunLog {
    private let handle: FileHandle
    public let path: String
    /// Why the last write failed; nil when it succeeded.
    public private(set) var failure: CheckpointError?
    /// Called with the reason when a write fails after one that did not, and with nil when a write works after
    /// one that failed.
    public var onFailureChange: ((CheckpointError?) -> Void)?

    public init(path: String) throws(CheckpointError) {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            throw CheckpointError("\(path): cannot open the log file for writing (\(String(cString: strerror(errno))))")
        }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        _ = try? handle.seekToEnd()   // a device such as /dev/full has no end to seek to
    }

    public func write(_ fields: [(String, JSONValue)]) {
        let line = Data((JSONValue.object(fields).encoded + "\n").utf8)
        let start = try? handle.offset()
        do {
            try handle.write(contentsOf: line)   // the legacy write(_:) traps on an I/O error
            if failure != nil { changeFailure(to: nil) }
        } catch {
            // No half record for the next one to run into.
            if let start { try? handle.truncate(atOffset: start) }
            if failure == nil {
                changeFailure(to: CheckpointError("\(path): cannot write the log (\(Self.reason(error)))"))
            }
        }
    }

    private func changeFailure(to new: CheckpointError?) {
        failure = new
        onFailureChange?(new)
    }

    /// The system's words for a failed write ("No space left on device"), not Foundation's sentence.
    private static func reason(_ error: any Error) -> String {
        if let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
           posix.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(posix.code)))
        }
        return error.localizedDescription
    }
}

/// A JSON value that keeps object keys in order.
public enum JSONValue: Sendable, Equatable {
    case number(Double)
    case int(Int)
    case string(String)
    case bool(Bool)
    case array([JSONValue])
    case object([(String, JSONValue)])
    case null

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.encoded == b.encoded }

    public static func float(_ v: Float) -> JSONValue { .number(Double(v)) }

    public var encoded: String {
        switch self {
        case .number(let v):
            guard v.isFinite else { return "null" }
            // Six significant digits is what Float carries; shortest form otherwise.
            return v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(format: "%.7g", v)
        case .int(let v): return String(v)
        case .string(let s): return JSONValue.quote(s)
        case .bool(let b): return b ? "true" : "false"
        case .array(let a): return "[" + a.map(\.encoded).joined(separator: ",") + "]"
        case .object(let fields):
            return "{" + fields.map { JSONValue.quote($0.0) + ":" + $0.1.encoded }.joined(separator: ",") + "}"
        case .null: return "null"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 { out += String(format: "\\u%04x", c.value) } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }
}

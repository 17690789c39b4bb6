import Foundation

/// A JSON-lines run log: one object per line, keys in the order given, flushed line by line so a
/// reader (or a crash) never sees half a record. An existing file is appended to, never truncated.
public final class RunLog {
    private let handle: FileHandle
    public let path: String

    public init(path: String) throws(CheckpointError) {
        self.path = path
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CheckpointError("\(path): cannot create the log file")
            }
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw CheckpointError("\(path): cannot open the log file for writing") }
        h.seekToEndOfFile()
        handle = h
    }

    public func write(_ fields: [(String, JSONValue)]) {
        handle.write(Data((JSONValue.object(fields).encoded + "\n").utf8))
    }

    deinit { try? handle.close() }
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
        case .object(let fields): return "{" + fields.map { JSONValue.quote($0.0) + ":" + $0.1.encoded }.joined(separator: ",") + "}"
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

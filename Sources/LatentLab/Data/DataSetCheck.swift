import Foundation

/// What a data set's file in a directory turned out to be.
public enum FileCheck: Sendable, Equatable {
    /// There, and the published checksum matches (of the .gz, or of the IDX bytes inside).
    case verified(path: String, bytes: Int)
    case missing
    /// There, but not the published file: the reason says how (its MD5, a broken gzip stream).
    case wrong(path: String, reason: String)

    public var isVerified: Bool { if case .verified = self { true } else { false } }
}

extension DataSetFile {
    /// Looks for the file gzipped (`name`) or raw (`rawName`) in `directory`, preferring the .gz as published.
    public func check(in directory: String) -> FileCheck {
        for candidate in [name, rawName] {
            let path = directory + "/" + candidate
            if FileManager.default.fileExists(atPath: path) { return check(at: path) }
        }
        return .missing
    }

    /// Checks one file: the MD5 of a .gz against the published one, and failing that (a copy gzipped again) the MD5
    /// of what it inflates to; a raw file by the IDX bytes' MD5. Gzipped or not by its name, unless `compressed` says.
    public func check(at path: String, compressed: Bool? = nil) -> FileCheck {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let compressed = compressed ?? path.hasSuffix(".gz")
        var fileDigest = ""
        if compressed {
            guard let digest = MD5.hex(ofFile: path) else { return .wrong(path: path, reason: "cannot be read") }
            if digest == md5 { return .verified(path: path, bytes: size) }
            guard rawMD5 != nil else { return .wrong(path: path, reason: "MD5 \(digest), expected \(md5)") }
            fileDigest = digest
        }
        guard let rawMD5 else {
            return .wrong(path: path, reason: "uncompressed, and only the .gz file's checksum is published")
        }
        do throws(DataError) {
            let bytes = try IDXReader.contents(path)
            let raw: [UInt8]
            if compressed {
                guard try Gzip.inflatedSize(of: bytes, limit: rawBytes + 1) == rawBytes else {
                    return .wrong(path: path, reason: "does not inflate to the \(rawBytes) bytes of the published file")
                }
                raw = try Gzip.decompress(bytes, count: rawBytes)
            } else {
                raw = bytes
            }
            let digest = MD5.hex(of: raw)
            return digest == rawMD5 ? .verified(path: path, bytes: size)
                : .wrong(path: path,
                         reason: compressed
                            ? "MD5 \(fileDigest), expected \(md5), and its contents' MD5 \(digest), expected \(rawMD5)"
                            : "MD5 \(digest), expected \(rawMD5)")
        } catch {
            return .wrong(path: path, reason: error.description)
        }
    }
}

extension DataSet {
    /// Each file's state in `directory`, in the set's order.
    public func check(in directory: String) -> [FileCheck] { files.map { $0.check(in: directory) } }

    /// All four files there and verified.
    public func isComplete(in directory: String) -> Bool { check(in: directory).allSatisfy(\.isVerified) }

    /// The set a directory holds, told by its training labels alone (28 KB): enough to tell MNIST from
    /// Fashion-MNIST without hashing 50 MB of images at every start; nil for neither.
    public static func recognise(_ directory: String) -> DataSet? {
        all.first { $0.labelsFile.check(in: directory).isVerified }
    }
}

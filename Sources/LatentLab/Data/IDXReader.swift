import Foundation

/// Reads the IDX files MNIST is distributed in: a big-endian header (magic, counts, sizes) and then
/// one byte per pixel or label. Files may be raw or gzipped (`name` or `name.gz`).
enum IDXReader {
    static let imagesMagic: UInt32 = 0x0000_0803
    static let labelsMagic: UInt32 = 0x0000_0801

    struct Images {
        let count, rows, cols: Int
        let pixels: [UInt8]
    }

    /// Finds `name` or `name.gz` in `directory`, preferring the raw file.
    static func locate(_ name: String, in directory: String) throws(DataError) -> String {
        let raw = directory + "/" + name
        if FileManager.default.fileExists(atPath: raw) { return raw }
        if FileManager.default.fileExists(atPath: raw + ".gz") { return raw + ".gz" }
        throw DataError("\(raw)(.gz): file not found in \(directory) (either the raw or the gzipped file will do)")
    }

    /// The file's bytes, gunzipped when it ends in .gz.
    static func contents(_ path: String) throws(DataError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw DataError("\(path): cannot read the file") }
        guard path.hasSuffix(".gz") else { return [UInt8](data) }
        switch Gzip.decompress(data) {
        case .success(let bytes): return bytes
        case .failure(let e): throw DataError("\(path): \(e.description)")
        }
    }

    static func images(_ path: String) throws(DataError) -> Images {
        var bytes = try contents(path)
        guard bytes.count >= 16 else { throw DataError("\(path): header too short (\(bytes.count) bytes, an IDX image file needs 16)") }
        let magic = word(bytes, 0)
        guard magic == imagesMagic else {
            throw DataError("\(path): wrong magic number \(hex(magic)), expected \(hex(imagesMagic)) (IDX images)")
        }
        let count = Int(word(bytes, 4)), rows = Int(word(bytes, 8)), cols = Int(word(bytes, 12))
        let needed = count * rows * cols
        guard bytes.count - 16 >= needed else {
            throw DataError("\(path): truncated: header promises \(count) images of \(rows)x\(cols) (\(needed) bytes) but the file holds \(bytes.count - 16)")
        }
        // In place: the images are most of the file, and a copy would double the peak memory.
        bytes.removeSubrange((16 + needed)...)
        bytes.removeSubrange(..<16)
        return Images(count: count, rows: rows, cols: cols, pixels: bytes)
    }

    static func labels(_ path: String) throws(DataError) -> [UInt8] {
        let bytes = try contents(path)
        guard bytes.count >= 8 else { throw DataError("\(path): header too short (\(bytes.count) bytes, an IDX label file needs 8)") }
        let magic = word(bytes, 0)
        guard magic == labelsMagic else {
            throw DataError("\(path): wrong magic number \(hex(magic)), expected \(hex(labelsMagic)) (IDX labels)")
        }
        let count = Int(word(bytes, 4))
        guard bytes.count - 8 >= count else {
            throw DataError("\(path): truncated: header promises \(count) labels but the file holds \(bytes.count - 8)")
        }
        return Array(bytes[8..<(8 + count)])
    }

    private static func word(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    private static func hex(_ v: UInt32) -> String { "0x" + String(format: "%08X", v) }
}

import Foundation

/// Reads the IDX files MNIST is distributed in: a big-endian header (magic, counts, sizes) and then
/// one byte per pixel or label. Files may be raw or gzipped (`name` or `name.gz`).
///
/// Nothing in a header is trusted before it is checked: its sizes are multiplied with overflow checks and
/// bounded by `maximumBytes`, a file must hold exactly the bytes its header promises, and a gzipped file
/// is inflated once without keeping the output to learn its true size before any memory is set aside
/// for it, so a small .gz that inflates to gigabytes costs neither memory nor more than a moment.
enum IDXReader {
    static let imagesMagic: UInt32 = 0x0000_0803
    static let labelsMagic: UInt32 = 0x0000_0801
    /// The most bytes one IDX file may hold, raw, gzipped or inflated: 256 MiB, over five times MNIST's
    /// 47 MB of training images. It bounds what a header can ask for and how long a gzip bomb can take.
    static let maximumBytes = 256 << 20

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

    static func images(_ path: String) throws(DataError) -> Images {
        let (sizes, pixels) = try read(path, magic: imagesMagic)
        return Images(count: sizes[0], rows: sizes[1], cols: sizes[2], pixels: pixels)
    }

    static func labels(_ path: String) throws(DataError) -> [UInt8] {
        try read(path, magic: labelsMagic).payload
    }

    /// An IDX file's sizes (as many as the magic number's last byte says) and exactly the bytes they
    /// promise: a file holding fewer (truncated) or more (trailing bytes) is an error.
    static func read(_ path: String, magic: UInt32) throws(DataError) -> (sizes: [Int], payload: [UInt8]) {
        let dimensions = Int(magic & 0xFF)
        let headerSize = 4 + 4 * dimensions
        let compressed = path.hasSuffix(".gz")
        var bytes = try contents(path)
        let header = compressed
            ? try inPath(path) { () throws(DataError) in try Gzip.prefix(of: bytes, count: headerSize) }
            : Array(bytes.prefix(headerSize))
        guard header.count >= headerSize else {
            throw DataError("\(path): header too short "
                            + "(\(header.count) bytes, an IDX \(noun(magic)) file needs \(headerSize))")
        }
        let found = word(header, 0)
        guard found == magic else {
            throw DataError("\(path): wrong magic number \(hex(found)), expected \(hex(magic)) (IDX \(noun(magic)))")
        }
        let sizes = (0..<dimensions).map { Int(word(header, 4 + 4 * $0)) }
        let promise = describe(sizes, magic: magic)
        guard let payloadSize = product(sizes[...]), payloadSize <= maximumBytes - headerSize else {
            throw DataError("\(path): header promises \(promise), "
                            + "more than the \(maximumBytes) bytes vae-tui reads from one IDX file")
        }
        let expected = headerSize + payloadSize
        if compressed {
            let size = try inPath(path) { () throws(DataError) in
                try Gzip.inflatedSize(of: bytes, limit: expected + 1)
            }
            if size > expected {
                throw DataError("\(path): inflates to more than the \(expected) bytes its header promises "
                                + "(\(promise)): a gzip bomb or trailing data")
            }
            try checkSize(size, expected: expected, headerSize: headerSize, promise: promise, path)
            bytes = try inPath(path) { () throws(DataError) in try Gzip.decompress(bytes, count: expected) }
        } else {
            try checkSize(bytes.count, expected: expected, headerSize: headerSize, promise: promise, path)
        }
        // In place: the payload is most of the file, and a copy would double the peak memory.
        bytes.removeSubrange(..<headerSize)
        return (sizes, bytes)
    }

    /// A regular file's bytes, read straight into one buffer; a file larger than any IDX file vae-tui
    /// reads is refused unread.
    static func contents(_ path: String) throws(DataError) -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw DataError("\(path): cannot read the file (\(String(cString: strerror(errno))))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw DataError("\(path): not a regular file") }
        let size = Int(info.st_size)
        guard size <= maximumBytes else {
            throw DataError("\(path): \(size) bytes, "
                            + "more than the \(maximumBytes) bytes vae-tui reads from one IDX file")
        }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw DataError("\(path): cannot read the file (\(String(cString: strerror(errno))))")
        }
        defer { close(descriptor) }
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            while initialized < size {
                let n = Foundation.read(descriptor, buffer.baseAddress! + initialized, size - initialized)
                guard n > 0 else { break }
                initialized += n
            }
        }
        guard bytes.count == size else { throw DataError("\(path): cannot read the whole file") }
        return bytes
    }

    /// The same check for raw and inflated files: exactly the header and the payload it promises.
    private static func checkSize(_ size: Int, expected: Int, headerSize: Int, promise: String,
                                  _ path: String) throws(DataError) {
        if size < expected {
            throw DataError("\(path): truncated: header promises \(promise) but the file holds \(size - headerSize)")
        }
        if size > expected {
            throw DataError("\(path): \(size - expected) bytes after the \(promise) its header promises")
        }
    }

    /// Runs `body`, naming the file in its error.
    private static func inPath<T>(_ path: String, _ body: () throws(DataError) -> T) throws(DataError) -> T {
        do { return try body() } catch { throw DataError("\(path): \(error.description)") }
    }

    /// "5 images of 28x28 (3920 bytes)", "5 labels": what a header promises, for messages.
    private static func describe(_ sizes: [Int], magic: UInt32) -> String {
        guard magic == imagesMagic, sizes.count == 3 else { return "\(sizes.first ?? 0) labels" }
        let bytes = product(sizes[...]).map(String.init) ?? "more than \(Int.max)"
        return "\(sizes[0]) images of \(sizes[1])x\(sizes[2]) (\(bytes) bytes)"
    }

    /// The product of `sizes`, or nil when it overflows Int (the sizes come from the file).
    private static func product(_ sizes: ArraySlice<Int>) -> Int? {
        var total = 1
        for size in sizes {
            let (next, overflow) = total.multipliedReportingOverflow(by: size)
            if overflow { return nil }
            total = next
        }
        return total
    }

    private static func noun(_ magic: UInt32) -> String { magic == imagesMagic ? "image" : "label" }

    private static func word(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    private static func hex(_ v: UInt32) -> String { "0x" + String(format: "%08X", v) }
}

import CZlib
import Foundation

/// Gunzip through zlib for files whose inflated size is known in advance (an IDX header says it), so
/// that a stream inflating to more, a "zip bomb", is refused without ever holding its output.
enum Gzip {
    /// The scratch buffer `inflatedSize` inflates into and throws away.
    static let scratchBytes = 1 << 16

    /// The first `count` bytes of the stream's output (all of it when the stream is shorter): a header.
    static func prefix(of input: [UInt8], count: Int) throws(DataError) -> [UInt8] {
        try decompress(input, count: count)
    }

    /// How many bytes the whole stream inflates to, counted up to `limit` and no further: the stream is
    /// checked to its end (its CRC and length) when it is shorter, and its output is never kept.
    static func inflatedSize(of input: [UInt8], limit: Int) throws(DataError) -> Int {
        var scratch = [UInt8](repeating: 0, count: scratchBytes)
        return try scratch.withUnsafeMutableBytes { window in inflate(input, limit: limit, into: window) }.get()
    }

    /// The stream's first `count` bytes, in a buffer of exactly that size (no growing, no copies).
    static func decompress(_ input: [UInt8], count: Int) throws(DataError) -> [UInt8] {
        var result: Result<Int, DataError> = .success(0)
        let output = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            result = inflate(input, limit: count, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = (try? result.get()) ?? 0
        }
        _ = try result.get()
        return output
    }

    /// Inflates `input` until it ends or `limit` bytes came out, writing into `window` and starting over at
    /// its beginning whenever it is full (a window as large as `limit` keeps everything). Returns the bytes
    /// produced. Concatenated gzip members are one stream, as gunzip reads them; anything else after the
    /// end is an error.
    private static func inflate(_ input: [UInt8], limit: Int,
                                into window: UnsafeMutableRawBufferPointer) -> Result<Int, DataError> {
        guard input.count <= Int(UInt32.max) else { return .failure(DataError("gzip file too large")) }
        var stream = z_stream()
        // 15 window bits + 32: accept gzip (and zlib) headers.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return .failure(DataError("zlib could not start"))
        }
        defer { inflateEnd(&stream) }
        return input.withUnsafeBytes { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(source.count)
            var produced = 0, position = 0
            while produced < limit {
                if position == window.count { position = 0 }
                let room = min(window.count - position, limit - produced)
                stream.next_out = window.baseAddress!.assumingMemoryBound(to: Bytef.self) + position
                stream.avail_out = uInt(room)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                let wrote = room - Int(stream.avail_out)
                produced += wrote
                position += wrote
                switch status {
                case Z_OK:
                    continue
                case Z_STREAM_END:
                    let rest = Int(stream.avail_in)
                    if rest == 0 { return .success(produced) }
                    let next = source.count - rest
                    guard rest >= 2 && source[next] == 0x1F && source[next + 1] == 0x8B else {
                        return .failure(DataError("\(rest) bytes of garbage after the gzip stream"))
                    }
                    inflateReset(&stream)  // the next member of a concatenated file
                case Z_BUF_ERROR:
                    return .failure(DataError("gzip stream ends early (truncated file?)"))
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    return .failure(DataError("not a valid gzip file (\(reason))"))
                }
            }
            return .success(produced)
        }
    }
}

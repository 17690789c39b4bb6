import CZlib
import Foundation

/// Whole-file gunzip through zlib, into one buffer grown geometrically (no per-byte appends).
enum Gzip {
    /// The decompressed bytes, or a message saying what is wrong with the stream.
    static func decompress(_ input: Data) -> Result<[UInt8], DataError> {
        var stream = z_stream()
        // 15 window bits + 32: accept gzip (and zlib) headers.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return .failure(DataError("zlib could not start"))
        }
        defer { inflateEnd(&stream) }
        // The gzip trailer's last four bytes hold the size mod 2^32: the buffer is usually exact at once.
        let stated = input.count >= 18 ? input.suffix(4).reversed().reduce(0) { $0 << 8 | Int($1) } : 0
        var output = [UInt8](repeating: 0, count: max(1 << 16, stated + 1, input.count * 4))
        var produced = 0
        var status: Int32 = Z_OK
        input.withUnsafeBytes { (source: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: source.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(source.count)
            while status == Z_OK {
                if produced == output.count { output.append(contentsOf: repeatElement(0, count: output.count)) }
                output.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = uInt(out.count - produced)
                    status = inflate(&stream, Z_NO_FLUSH)
                    produced = out.count - Int(stream.avail_out)
                }
                if status == Z_BUF_ERROR && stream.avail_in == 0 { break }  // input ran out before the end
                if status == Z_BUF_ERROR { status = Z_OK }                  // output full: grow and go on
            }
        }
        if status == Z_STREAM_END {
            output.removeSubrange(produced...)
            return .success(output)
        }
        if status == Z_BUF_ERROR { return .failure(DataError("gzip stream ends early (truncated file?)")) }
        let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
        return .failure(DataError("not a valid gzip file (\(reason))"))
    }
}

import Foundation

/// A file problem a user can fix, printed as one line.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header naming
/// each tensor's dtype, shape and byte range, then the raw little-endian data. PyTorch users open it
/// with `safetensors.torch.load_file`. Only F32 tensors are written and read.
public enum SafeTensors {
    /// Writes atomically: a temporary file beside the target, then rename, so a crash never leaves half a file.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String], to path: String) throws(CheckpointError) {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, t) in tensors {
            let bytes = t.count * 4
            header[name] = ["dtype": "F32", "shape": [t.rows, t.cols], "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        guard var json = try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]) else {
            throw CheckpointError("\(path): could not encode the header")
        }
        while json.count % 8 != 0 { json.append(0x20) }  // pad with spaces so the data is 8-byte aligned
        var file = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        for (_, t) in tensors {
            t.withPointer { p in file.append(UnsafeBufferPointer(start: p, count: t.count)) }  // x86/ARM are little-endian
        }
        try AtomicFile.write(file, to: path)
    }

    public static func read(_ path: String) throws(CheckpointError) -> (tensors: [String: Tensor], metadata: [String: String]) {
        guard FileManager.default.fileExists(atPath: path) else { throw CheckpointError("\(path): checkpoint not found") }
        guard let file = FileManager.default.contents(atPath: path) else { throw CheckpointError("\(path): cannot read the file") }
        guard file.count >= 8 else { throw CheckpointError("\(path): not a safetensors file (too short)") }
        let headerLength = file.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(file.count - 8) else {
            throw CheckpointError("\(path): not a safetensors file (header length \(headerLength) exceeds the file)")
        }
        let dataStart = 8 + Int(headerLength)
        guard let header = try? JSONSerialization.jsonObject(with: file.subdata(in: 8..<dataStart)) as? [String: Any] else {
            throw CheckpointError("\(path): not a safetensors file (header is not JSON)")
        }
        var metadata: [String: String] = [:]
        var tensors: [String: Tensor] = [:]
        for (name, entry) in header {
            if name == "__metadata__" {
                metadata = entry as? [String: String] ?? [:]
                continue
            }
            guard let e = entry as? [String: Any], let dtype = e["dtype"] as? String,
                  let shape = e["shape"] as? [Int], let range = e["data_offsets"] as? [Int], range.count == 2 else {
                throw CheckpointError("\(path): malformed entry for tensor \(name)")
            }
            guard dtype == "F32" else { throw CheckpointError("\(path): tensor \(name) is \(dtype); only F32 is supported") }
            let (rows, cols) = shape.count == 2 ? (shape[0], shape[1]) : shape.count == 1 ? (1, shape[0]) : (-1, -1)
            guard rows >= 0, cols >= 0 else { throw CheckpointError("\(path): tensor \(name) has unsupported shape \(shape)") }
            let start = dataStart + range[0], end = dataStart + range[1]
            guard range[0] >= 0, end <= file.count, end - start == rows * cols * 4 else {
                throw CheckpointError("\(path): tensor \(name) lies outside the file (truncated?)")
            }
            var t = Tensor(zeros: rows, cols)
            t.withMutablePointer { p in
                file.withUnsafeBytes { raw in
                    UnsafeMutableRawPointer(p).copyMemory(from: raw.baseAddress! + start, byteCount: end - start)
                }
            }
            tensors[name] = t
        }
        return (tensors, metadata)
    }
}

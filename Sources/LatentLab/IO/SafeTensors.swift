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
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String],
                             to path: String) throws(CheckpointError) {
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
            // x86/ARM are little-endian.
            t.withPointer { p in file.append(UnsafeBufferPointer(start: p, count: t.count)) }
        }
        try AtomicFile.write(file, to: path)
    }

    /// Reads every tensor and the metadata. Nothing the file says is trusted before it is checked against
    /// the file itself: the header's length against the file's size, every tensor's byte range against the
    /// data (in range, no overlaps, no gaps, no trailing bytes), every shape against its range with
    /// overflow-checked arithmetic, so a hostile file costs no more memory than its own size and never traps.
    public static func read(_ path: String) throws(CheckpointError)
        -> (tensors: [String: Tensor], metadata: [String: String]) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CheckpointError("\(path): checkpoint not found")
        }
        guard let file = FileManager.default.contents(atPath: path) else {
            throw CheckpointError("\(path): cannot read the file")
        }
        let headerText = try headerBytes(of: file, path)
        let header = try Header.decode(headerText, path)
        let dataStart = lengthSize + headerText.count
        let layouts = try TensorLayout.check(header.entries, dataSize: file.count - dataStart, path)
        var tensors: [String: Tensor] = [:]
        file.withUnsafeBytes { raw in
            for layout in layouts {
                var t = Tensor(zeros: layout.rows, layout.cols)
                t.withMutablePointer { p in
                    UnsafeMutableRawPointer(p).copyMemory(from: raw.baseAddress! + dataStart + layout.bytes.lowerBound,
                                                          byteCount: layout.bytes.count)
                }
                tensors[layout.name] = t
            }
        }
        return (tensors, header.metadata)
    }

    /// Bytes of the little-endian header length that starts every file.
    static let lengthSize = 8
    /// Bytes of one F32 element.
    static let elementSize = 4
    /// The header key that holds string metadata instead of a tensor.
    static let metadataKey = "__metadata__"

    /// The header's bytes: the 8-byte length checked against the file before it is used.
    private static func headerBytes(of file: Data, _ path: String) throws(CheckpointError) -> [UInt8] {
        guard file.count >= lengthSize else { throw CheckpointError("\(path): not a safetensors file (too short)") }
        let stated = file.prefix(lengthSize).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard stated <= UInt64(file.count - lengthSize) else {
            throw CheckpointError("\(path): not a safetensors file "
                                  + "(header length \(stated) exceeds the file's \(file.count) bytes)")
        }
        return [UInt8](file[lengthSize..<(lengthSize + Int(stated))])
    }

    /// The longest text from a file that a message quotes.
    static let printableLength = 80

    /// A tensor name or dtype from the file, fit for a one-line message: control characters and line
    /// separators escaped, long text cut.
    static func printable(_ text: String) -> String {
        let breaking: Set<Unicode.GeneralCategory> = [.control, .lineSeparator, .paragraphSeparator]
        let escaped = text.unicodeScalars.map {
            breaking.contains($0.properties.generalCategory) ? $0.escaped(asASCII: true) : String($0)
        }.joined()
        return escaped.count > printableLength ? String(escaped.prefix(printableLength)) + "…" : escaped
    }
}

/// The JSON header, its types checked: each tensor's entry, and the metadata.
private struct Header: Decodable {
    /// A tensor's entry as written, not yet checked against the data.
    struct Entry: Decodable {
        let dtype: String
        let shape: [Int]
        let dataOffsets: [Int]
        enum CodingKeys: String, CodingKey { case dtype, shape, dataOffsets = "data_offsets" }
    }

    var entries: [(name: String, entry: Entry)] = []
    var metadata: [String: String] = [:]

    /// A problem found while decoding, with the message to show.
    struct Problem: Error { let message: String }

    /// Any key of the top-level object.
    struct Name: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The metadata first, then the tensors by name, so the same file always gets the same message.
    init(from decoder: any Decoder) throws {
        let object = try decoder.container(keyedBy: Name.self)
        let metadataKey = Name(stringValue: SafeTensors.metadataKey)
        if object.contains(metadataKey) {
            guard let values = try? object.decode([String: String].self, forKey: metadataKey) else {
                throw Problem(message: "\(SafeTensors.metadataKey) is not an object of strings")
            }
            metadata = values
        }
        let keys = object.allKeys.sorted(by: { $0.stringValue < $1.stringValue })
        for key in keys where key.stringValue != SafeTensors.metadataKey {
            guard let entry = try? object.decode(Entry.self, forKey: key) else {
                throw Problem(message: "malformed entry for tensor \(SafeTensors.printable(key.stringValue)) "
                                       + "(it needs a dtype, a shape and data_offsets)")
            }
            entries.append((key.stringValue, entry))
        }
    }

    /// The header from its bytes: UTF-8 text starting with `{` as the format requires, without NUL bytes
    /// (JSON parsers would also take UTF-16 or UTF-32, whose NULs give them away), a JSON object, no key
    /// twice in one object (a parser keeps one of the two silently, so tools could disagree on the file).
    static func decode(_ bytes: [UInt8], _ path: String) throws(CheckpointError) -> Header {
        guard bytes.first == UInt8(ascii: "{"), !bytes.contains(0),
              String(validating: bytes, as: UTF8.self) != nil else {
            throw CheckpointError("\(path): not a safetensors file (header is not UTF-8 JSON text starting with '{')")
        }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(bytes))
        } catch let problem as Problem {
            throw CheckpointError("\(path): \(problem.message)")
        } catch DecodingError.dataCorrupted {
            throw CheckpointError("\(path): not a safetensors file (header is not JSON)")
        } catch {
            throw CheckpointError("\(path): not a safetensors file (header is not a JSON object)")
        }
        if let key = JSONKeys.firstDuplicate(in: bytes) {
            throw CheckpointError("\(path): the header names \(SafeTensors.printable(key)) twice")
        }
        return header
    }
}

/// A tensor's place in the data, checked: an F32 matrix whose byte range lies in the data and matches its shape.
private struct TensorLayout {
    let name: String
    let rows, cols: Int
    let bytes: Range<Int>

    /// Every entry checked on its own, then all together: the ranges must tile the data exactly, as the
    /// safetensors format requires, so no byte is read twice and none is left over.
    static func check(_ entries: [(name: String, entry: Header.Entry)], dataSize: Int,
                      _ path: String) throws(CheckpointError) -> [TensorLayout] {
        var layouts: [TensorLayout] = []
        for (name, entry) in entries { layouts.append(try check(name, entry, dataSize: dataSize, path)) }
        layouts.sort { ($0.bytes.lowerBound, $0.bytes.upperBound) < ($1.bytes.lowerBound, $1.bytes.upperBound) }
        var covered = 0
        var previous: TensorLayout?
        for layout in layouts {
            if layout.bytes.lowerBound < covered, let previous {
                throw CheckpointError("\(path): tensors \(SafeTensors.printable(previous.name)) "
                                      + "and \(SafeTensors.printable(layout.name)) overlap")
            }
            if layout.bytes.lowerBound > covered {
                throw CheckpointError("\(path): bytes \(covered)..<\(layout.bytes.lowerBound) "
                                      + "of the data belong to no tensor")
            }
            covered = layout.bytes.upperBound
            previous = layout
        }
        if covered != dataSize {
            throw CheckpointError("\(path): \(dataSize - covered) bytes after the last tensor belong to no tensor")
        }
        return layouts
    }

    private static func check(_ name: String, _ entry: Header.Entry, dataSize: Int,
                              _ path: String) throws(CheckpointError) -> TensorLayout {
        let shown = SafeTensors.printable(name)
        guard entry.dtype == "F32" else {
            throw CheckpointError("\(path): tensor \(shown) is \(SafeTensors.printable(entry.dtype)); "
                                  + "only F32 is supported")
        }
        let shape = entry.shape
        guard (1...2).contains(shape.count) else {
            throw CheckpointError("\(path): tensor \(shown) has \(shape.count) dimensions; "
                                  + "only vectors and matrices are supported")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw CheckpointError("\(path): tensor \(shown) has a negative size in its shape \(shape)")
        }
        let (rows, cols) = shape.count == 2 ? (shape[0], shape[1]) : (1, shape[0])
        let (count, countOverflow) = rows.multipliedReportingOverflow(by: cols)
        let (byteCount, bytesOverflow) = count.multipliedReportingOverflow(by: SafeTensors.elementSize)
        guard !countOverflow && !bytesOverflow && byteCount <= dataSize else {
            throw CheckpointError("\(path): tensor \(shown) of shape \(shape) "
                                  + "is larger than the file's \(dataSize) bytes of data")
        }
        let offsets = entry.dataOffsets
        guard offsets.count == 2 else {
            throw CheckpointError("\(path): tensor \(shown) has \(offsets.count) data_offsets, not 2")
        }
        guard 0 <= offsets[0], offsets[0] <= offsets[1], offsets[1] <= dataSize else {
            throw CheckpointError("\(path): tensor \(shown) has data_offsets \(offsets) "
                                  + "outside the file's \(dataSize) bytes of data (truncated?)")
        }
        guard offsets[1] - offsets[0] == byteCount else {
            throw CheckpointError("\(path): tensor \(shown) of shape \(shape) needs \(byteCount) bytes "
                                  + "but its data_offsets \(offsets) hold \(offsets[1] - offsets[0])")
        }
        return TensorLayout(name: name, rows: rows, cols: cols, bytes: offsets[0]..<offsets[1])
    }
}

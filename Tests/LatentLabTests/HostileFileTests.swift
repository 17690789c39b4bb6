import CZlib
import Foundation
import Testing
import TestSupport
@testable import LatentLab

/// A safetensors file taken apart for mutation: its header text and its data.
struct SafetensorsParts {
    var header: String
    var data: Data

    init(_ file: Data) {
        let length = Int(file.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        header = String(decoding: file[8..<(8 + length)], as: UTF8.self)
        data = file[(8 + length)...]
    }

    /// The file again, with `header` as given (padded to 8 bytes with spaces) and `length` in front of it.
    func file(length: UInt64? = nil, header rawHeader: [UInt8]? = nil) -> Data {
        var text = rawHeader ?? Array(header.utf8)
        while text.count % 8 != 0 { text.append(0x20) }
        var file = Data()
        withUnsafeBytes(of: (length ?? UInt64(text.count)).littleEndian) { file.append(contentsOf: $0) }
        return file + text + data
    }

    /// The header with one text replaced (which must be there).
    func replacing(_ old: String, with new: String) -> SafetensorsParts {
        if !header.contains(old) { Issue.record("no \(old) in the header \(header)") }
        var copy = self
        copy.header = header.replacingOccurrences(of: old, with: new)
        return copy
    }
}

/// Hostile checkpoints (fault 2): each kind of mutation a few times against the readers, which must
/// throw one line naming the file, never trap, and never allocate from a size the file has not backed.
@Suite struct HostileCheckpointTests {
    /// A small legitimate checkpoint with a trainer's state, and the parts of it.
    static let legitimate: Data = {
        let trainer = Fixtures.trainer()
        trainer.trainStep()
        let path = Fixtures.temporaryDirectory() + "/m.safetensors"
        try! Checkpoint.save(model: trainer.model, step: trainer.step, objective: trainer.objective, dataset: "bars", to: path,
                             training: trainer.savedState())
        return try! Data(contentsOf: URL(fileURLWithPath: path))
    }()
    static var parts: SafetensorsParts { SafetensorsParts(legitimate) }

    /// Loads `file` and expects a one-line error naming the file and saying `fragment`.
    func expectRefused(_ file: Data, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let path = Fixtures.temporaryDirectory() + "/hostile.safetensors"
        try! file.write(to: URL(fileURLWithPath: path))
        do {
            _ = try Checkpoint.load(path)
            Issue.record("loaded; expected an error saying \(fragment)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.description.hasPrefix(path + ": "), "\(error.description)", sourceLocation: sourceLocation)
            #expect(error.description.contains(fragment), "\(error.description)", sourceLocation: sourceLocation)
            #expect(!error.description.contains("\n"), "one line: \(error.description)", sourceLocation: sourceLocation)
        }
    }

    @Test func theLegitimateFileLoads() throws {
        let path = Fixtures.temporaryDirectory() + "/m.safetensors"
        try Self.legitimate.write(to: URL(fileURLWithPath: path))
        let loaded = try Checkpoint.load(path)
        #expect(loaded.trainingState != nil && !loaded.stateTensors.isEmpty)
        _ = try loaded.makeModel()
    }

    /// Byte flips anywhere: the file loads (a flipped float is still a file) or is refused in one line.
    @Test func byteFlipsAnywhere() {
        var rng = RandomSource(seed: 2)
        for _ in 0..<150 {
            var file = Self.legitimate
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let at = Int(rng.next() % UInt64(Self.parts.data.isEmpty ? file.count : 8 + Self.parts.header.utf8.count))
                file[at] ^= UInt8(1 + rng.next() % 255)
            }
            let path = Fixtures.temporaryDirectory() + "/flipped.safetensors"
            try! file.write(to: URL(fileURLWithPath: path))
            do { _ = try Checkpoint.load(path) } catch { #expect(!error.description.contains("\n")) }
        }
    }

    @Test func truncationInEveryRegion() {
        let file = Self.legitimate, headerEnd = 8 + Self.parts.header.utf8.count
        for cut in [0, 3, 7] { expectRefused(file.prefix(cut), "too short") }
        for cut in [8, 9, headerEnd / 2, headerEnd - 1] { expectRefused(file.prefix(cut), "exceeds the file") }
        for cut in [headerEnd, headerEnd + 1, (headerEnd + file.count) / 2, file.count - 1] {
            expectRefused(file.prefix(cut), "bytes of data")
        }
    }

    @Test func headerLengthsBeyondTheFile() {
        let parts = Self.parts
        for length: UInt64 in [UInt64(Self.legitimate.count), 1 << 32, 1 << 63, .max] {
            expectRefused(parts.file(length: length), "header length \(length) exceeds the file")
        }
    }

    @Test func dataOffsetsOutOfRangeNegativeOrReversed() {
        let parts = Self.parts
        let name = "encoder.mean.bias"  // 1x4 floats: 16 bytes
        let entry = try! #require(parts.header.range(of: "\"\(name)\":{\"data_offsets\":["))
        let rest = parts.header[entry.upperBound...]
        let offsets = String(rest[..<rest.firstIndex(of: "]")!])
        let numbers = offsets.split(separator: ",").map { Int($0)! }
        let (begin, end) = (numbers[0], numbers[1])
        let old = "\"\(name)\":{\"data_offsets\":[\(offsets)]"
        for (new, fragment) in [("[-16,\(begin)]", "outside"), ("[\(end),\(begin)]", "outside"), ("[\(begin),\(begin + (1 << 62))]", "outside"),
                                ("[\(begin - 8),\(end - 8)]", "overlap"), ("[\(begin + 8),\(end + 8)]", "belong to no tensor"),
                                ("[\(begin)]", "1 data_offsets"),
                                ("[\(begin),\(end),\(end)]", "3 data_offsets"), ("[9223372036854775807,9223372036854775807]", "outside"),
                                ("[18446744073709551615,0]", "malformed entry")] {
            expectRefused(parts.replacing(old, with: "\"\(name)\":{\"data_offsets\":\(new)").file(), fragment)
        }
    }

    /// The format requires the tensors to tile the data: no gap, no overlap, nothing after the last one.
    @Test func tensorsThatDoNotTileTheData() {
        var trailing = Self.parts
        trailing.data.append(contentsOf: [1, 2, 3, 4])
        expectRefused(trailing.file(), "4 bytes after the last tensor belong to no tensor")
        func file(_ header: String, dataBytes: Int) -> Data {
            Self.parts.with(header: header).with(data: Data(count: dataBytes)).file()
        }
        let a = "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}"
        expectRefused(file("{\(a),\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", dataBytes: 12),
                      "bytes 4..<8 of the data belong to no tensor")
        expectRefused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                           dataBytes: 8), "overlap")
        expectRefused(file("{\(a),\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", dataBytes: 4), "overlap")
        expectRefused(file("{\(a)}", dataBytes: 0), "larger than the file's 0 bytes of data")
    }

    /// A real checkpoint with four bytes slipped in before its last tensor, whose offsets move with them: every
    /// range in bounds, no overlap, the shapes and the metadata intact, so only the tiling rule can refuse it, and
    /// it must, both in the reader and through `Checkpoint.load`, whatever the message says.
    @Test func aGapBeforeTheLastTensorIsRefusedByTheReaderItself() throws {
        let parts = Self.parts
        var header = try #require(try JSONSerialization.jsonObject(with: Data(parts.header.utf8)) as? [String: Any])
        let (name, offsets) = try #require(header.compactMap { key, value -> (String, [Int])? in
            ((value as? [String: Any])?["data_offsets"] as? [Int]).map { (key, $0) }
        }.max { $0.1[0] < $1.1[0] })
        var entry = try #require(header[name] as? [String: Any])
        entry["data_offsets"] = [offsets[0] + 4, offsets[1] + 4]
        header[name] = entry
        let text = String(decoding: try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]), as: UTF8.self)
        let data = parts.data.prefix(offsets[0]) + Data([1, 2, 3, 4]) + parts.data.dropFirst(offsets[0])
        let path = Fixtures.temporaryDirectory() + "/gap.safetensors"
        try parts.with(header: text).with(data: data).file().write(to: URL(fileURLWithPath: path))
        #expect(throws: CheckpointError.self, "the reader accepted a gap before \(name)") { try SafeTensors.read(path) }
        #expect(throws: CheckpointError.self, "a checkpoint with a gap before \(name) loaded") { try Checkpoint.load(path) }
    }

    @Test func shapesThatOverflowOrAreNegative() {
        let old = "\"shape\":[1,4]"  // encoder.mean.bias and its moments
        for (shape, fragment) in [("[1099511627776,1099511627776]", "larger than the file"), ("[9223372036854775807,2]", "larger than the file"),
                                  ("[4611686018427387904,4]", "larger than the file"), ("[-1,4]", "negative size"),
                                  ("[-1,-4]", "negative size"), ("[]", "0 dimensions"), ("[1,2,2]", "3 dimensions"),
                                  ("[1.5,4]", "malformed entry"), ("[true,4]", "malformed entry"), ("[5]", "needs 20 bytes")] {
            expectRefused(Self.parts.replacing(old, with: "\"shape\":\(shape)").file(), fragment)
        }
    }

    @Test func dtypesOtherThanF32() {
        let first = "\"dtype\":\"F32\""
        for (dtype, fragment) in [("\"F16\"", "is F16; only F32"), ("\"BF16\"", "only F32"), ("\"\"", "only F32"), ("32", "malformed entry"),
                                  ("\"F32\\n\"", "is F32\\n; only F32")] {
            var parts = Self.parts
            parts.header = parts.header.replacingOccurrences(of: first, with: "\"dtype\":\(dtype)", options: [], range: parts.header.range(of: first))
            expectRefused(parts.file(), fragment)
        }
    }

    @Test func headersThatAreNotUTF8JSONObjects() {
        let parts = Self.parts, text = Array(parts.header.utf8)
        let notUTF8 = Array(text.prefix(20)) + [0xFF, 0xFE, 0xC0, 0x80] + Array(text.dropFirst(24))
        let utf16 = parts.header.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let bom = [0xEF, 0xBB, 0xBF] + text
        for header in [notUTF8, utf16, bom, Array("{\"a\":".utf8), Array("\"text\"".utf8), Array("null".utf8), Array("{".utf8)] {
            expectRefused(parts.file(header: header), "not a safetensors file (header is not")
        }
        expectRefused(parts.file(header: Array("[\(parts.header)]".utf8)), "starting with '{'")
        let deep = Array(repeating: UInt8(ascii: "{"), count: 1) + Array("\"a\":".utf8) + Array(repeating: UInt8(ascii: "["), count: 100_000)
            + Array(repeating: UInt8(ascii: "]"), count: 100_000) + [UInt8(ascii: "}")]
        expectRefused(parts.file(header: deep), "header is not JSON")
    }

    /// JSON parsers keep one of two equal keys without a word: the text must be checked for them.
    @Test func duplicateKeys() {
        let parts = Self.parts
        let entry = "\"encoder.mean.bias\":{"
        let secondEntry = parts.header.replacingOccurrences(of: "\"decoder.0.bias\":{", with: "\(entry)\"data_offsets\":[0,16],\"dtype\":\"F32\",\"shape\":[1,4]},\"decoder.0.bias\":{")
        expectRefused(parts.with(header: secondEntry).file(), "names encoder.mean.bias twice")
        // The same name with a letter escaped is the same key.
        let escaped = parts.header.replacingOccurrences(of: "\"decoder.0.bias\":{", with: "\"\\u0065ncoder.mean.bias\":{\"data_offsets\":[0,16],\"dtype\":\"F32\",\"shape\":[1,4]},\"decoder.0.bias\":{")
        expectRefused(parts.with(header: escaped).file(), "names encoder.mean.bias twice")
        expectRefused(parts.replacing("\"format\":\"vae-tui\\/2\"", with: "\"format\":\"vae-tui\\/2\",\"format\":\"vae-tui\\/1\"").file(), "names format twice")
        expectRefused(parts.replacing("\"dtype\":\"F32\"", with: "\"dtype\":\"F32\",\"dtype\":\"F16\"").file(), "names dtype twice")
    }

    @Test func metadataThatIsNotAnObjectOfStrings() {
        let parts = Self.parts
        expectRefused(parts.replacing("\"step\":\"1\"", with: "\"step\":1").file(), "__metadata__ is not an object of strings")
        expectRefused(parts.replacing("\"step\":\"1\"", with: "\"step\":null").file(), "__metadata__ is not an object of strings")
        expectRefused(parts.replacing("\"dataset\":\"bars\"", with: "\"dataset\":[\"bars\"]").file(), "__metadata__ is not an object of strings")
        expectRefused(parts.replacing("\"__metadata__\":{", with: "\"__metadata__\":\"none\",\"__metadata__ \":{").file(),
                      "__metadata__ is not an object of strings")
    }

    /// The configuration, step, objective and training state the checkpoint layer reads: present means valid.
    @Test func checkpointMetadataMissingOrGarbage() {
        let parts = Self.parts
        expectRefused(parts.replacing("\"format\":\"vae-tui\\/2\"", with: "\"format\":\"vae-tui\\/9\"").file(), "not a vae-tui checkpoint")
        expectRefused(parts.replacing("\"model\":\"{", with: "\"model\":\"[{").file(), "not a vae-tui checkpoint")
        expectRefused(parts.replacing("\\\"latentSize\\\":4", with: "\\\"latentSize\\\":-4").file(), "not a model vae-tui can build")
        expectRefused(parts.replacing("\"step\":\"1\"", with: "\"step\":\"-1\"").file(), "the step in its metadata is not a count")
        expectRefused(parts.replacing("\"step\":\"1\"", with: "\"step\":\"1e9\"").file(), "the step in its metadata is not a count")
        expectRefused(parts.replacing("\"objective\":\"{", with: "\"objective\":\"[{").file(), "the objective in its metadata is not valid")
        expectRefused(parts.replacing("\\\"k\\\":1,", with: "\\\"k\\\":1000000000,").file(), "k 1000000000 is not between 1 and")
        expectRefused(parts.replacing("\\\"samplesSeen\\\":20", with: "\\\"samplesSeen\\\":-20").file(), "a counter is negative or too large")
        expectRefused(parts.replacing("\\\"encoderSteps\\\":1", with: "\\\"encoderSteps\\\":9223372036854775807").file(), "a counter is negative")
        expectRefused(parts.replacing("\\\"learningRate\\\":0.01", with: "\\\"learningRate\\\":-1").file(), "the learning rate -1.0")
        // Inside a metadata document, a key twice is as ambiguous as in the header.
        expectRefused(parts.replacing("\\\"latentSize\\\":4", with: "\\\"latentSize\\\":4,\\\"latentSize\\\":5").file(), "not a vae-tui checkpoint")
        expectRefused(parts.replacing("\\\"k\\\":1,", with: "\\\"k\\\":1,\\\"k\\\":2,").file(), "the objective in its metadata is not valid (it names k twice)")
    }

    /// Sizes edited to 100,000 would build a model of gigabytes from a file of kilobytes: refused first.
    @Test func aConfigurationFarLargerThanItsWeights() {
        let parts = Self.parts
        for edits in [[("\\\"encoderHidden\\\":[12]", "\\\"encoderHidden\\\":[100000]")],
                      [("\\\"decoderHidden\\\":[12]", "\\\"decoderHidden\\\":[100000,100000]")],
                      [("\\\"inputSize\\\":16", "\\\"inputSize\\\":100000")],
                      [("\\\"flowHidden\\\":320", "\\\"flowHidden\\\":100000"), ("\\\"posterior\\\":\\\"diag\\\"", "\\\"posterior\\\":\\\"iaf\\\"")]] {
            let edited = edits.reduce(parts) { $0.replacing($1.0, with: $1.1) }
            expectRefused(edited.file(), "needs at least")
        }
    }

    /// The bound the check above relies on: never above a real model's weights (or legitimate files would
    /// be refused), and close enough below them to stop what matters (every large matrix counted).
    @Test(arguments: [
        VAEConfig(inputSize: 16, encoderHidden: [12], latentSize: 4, decoderHidden: [12]),
        VAEConfig(inputSize: 784, encoderHidden: [], latentSize: 3, decoderHidden: []),
        VAEConfig(inputSize: 64, encoderHidden: [20, 10], latentSize: 6, decoderHidden: [10, 20], posterior: .iaf, prior: .af, flowSteps: 2, flowHidden: 30),
        VAEConfig(inputSize: 64, encoderHidden: [20], latentSize: 9, decoderHidden: [20], posterior: .iaf, prior: .af, flowSteps: 3, flowHidden: 16, layers: [6, 3], upperHidden: [15, 10]),
        VAEConfig(inputSize: 64, encoderHidden: [20], latentSize: 9, decoderHidden: [20], layers: [3, 6], upperHidden: []),
        VAEConfig(inputSize: 49, encoderHidden: [20], latentSize: 4, decoderHidden: [30, 10], decoder: .made, receptiveField: 5),
        VAEConfig(inputSize: 49, encoderHidden: [20], latentSize: 4, decoderHidden: [8, 8, 8], decoder: .pixelcnn),
        VAEConfig(inputSize: 64, encoderHidden: [20], latentSize: 12, decoderHidden: [20], posterior: .full),
        VAEConfig(inputSize: 64, encoderHidden: [20], latentSize: 4, decoderHidden: [20], prior: .vamp,
                  pseudoInputs: 30),
    ])
    func theWeightCountIsATightLowerBound(config: VAEConfig) {
        #expect(config.problem == nil)
        let actual = VAE(config, seed: 1).parameters.reduce(0) { $0 + $1.value.count }
        #expect(config.weightMatrixElements <= actual, "\(config.summary): \(config.weightMatrixElements) > \(actual)")
        #expect(config.weightMatrixElements * 3 >= actual, "\(config.summary): \(config.weightMatrixElements) is far below \(actual)")
    }

    /// Names and dtypes come from the file: escaped in messages, so a newline in one cannot break the line.
    @Test func namesInMessagesStayOnOneLine() throws {
        let header = "{\"a\\nb\":{\"dtype\":\"F\\n16\",\"shape\":[1],\"data_offsets\":[0,4]}}"
        expectRefused(Self.parts.with(header: header).with(data: Data(count: 4)).file(), "tensor a\\nb is F\\n16")
        // A valid file with one tensor too many, named with a newline: refused when the model takes its weights.
        var extra = Self.parts
        extra.header = String(extra.header.trimmingCharacters(in: .whitespaces).dropLast())
            + ",\"x\\ny\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\(extra.data.count),\(extra.data.count + 4)]}}"
        extra.data.append(Data(count: 4))
        let path = Fixtures.temporaryDirectory() + "/extra.safetensors"
        try extra.file().write(to: URL(fileURLWithPath: path))
        #expect(throws: CheckpointError("checkpoint is for another model: unexpected tensor x\\ny (this model is \(Fixtures.smallModel.summary))")) {
            _ = try Checkpoint.load(path).makeModel()
        }
    }
}

extension SafetensorsParts {
    func with(header: String) -> SafetensorsParts {
        var copy = self
        copy.header = header
        return copy
    }

    func with(data: Data) -> SafetensorsParts {
        var copy = self
        copy.data = data
        return copy
    }
}

@Suite struct JSONKeysTests {
    @Test(arguments: [
        ("{\"a\":1,\"b\":2}", nil), ("{\"a\":1,\"a\":2}", "a"), ("{\"a\":{\"b\":1},\"c\":{\"b\":2}}", nil),
        ("{\"a\":{\"b\":1,\"b\":2}}", "b"), ("{\"a\":[{\"x\":1},{\"x\":1}]}", nil), ("{\"a\":[{\"x\":1,\"x\":1}]}", "x"),
        ("{\"a\":\"a\",\"b\":\"a\"}", nil), ("{\"a\\\"b\":1,\"a\\u0022b\":2}", "a\"b"), ("{\"s\":\"{\\\"a\\\":1,\\\"a\\\":2}\"}", nil),
    ] as [(String, String?)])
    func firstDuplicate(json: String, duplicate: String?) {
        #expect(JSONKeys.firstDuplicate(in: Array(json.utf8)) == duplicate)
    }
}

/// Hostile data files (fault 3): IDX files raw and gzipped, each kind of mutation a few times.
@Suite struct HostileDataTests {
    /// One member of a gzip file (zlib with a gzip wrapper).
    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        precondition(deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
        var input = bytes
        let written = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return out.count - Int(stream.avail_out)
            }
        }
        return Array(output.prefix(written))
    }

    /// `header` and then zeros to `total` bytes, as concatenated gzip members: about 1 MB per GB.
    static func bomb(header: [UInt8], total: Int) -> [UInt8] {
        let chunk = 16 << 20
        let member = gzip([UInt8](repeating: 0, count: chunk))
        var file = gzip(header)
        for _ in 0..<((total - header.count) / chunk) { file += member }
        return file
    }

    static func write(_ bytes: [UInt8], _ name: String) -> String {
        let path = Fixtures.temporaryDirectory() + "/" + name
        try! Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Reads `bytes` as images (or labels) from a file named `name` and expects a one-line error saying `fragment`.
    func expectRefused(_ bytes: [UInt8], as name: String = "train-images-idx3-ubyte", _ fragment: String,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        let path = Self.write(bytes, name)
        expectRefused(path: path, images: !name.contains("labels"), fragment, sourceLocation: sourceLocation)
    }

    func expectRefused(path: String, images: Bool = true, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            if images { _ = try IDXReader.images(path) } else { _ = try IDXReader.labels(path) }
            Issue.record("read; expected an error saying \(fragment)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.description.hasPrefix(path + ": "), "\(error.description)", sourceLocation: sourceLocation)
            #expect(error.description.contains(fragment), "\(error.description)", sourceLocation: sourceLocation)
            #expect(!error.description.contains("\n"), "one line", sourceLocation: sourceLocation)
        }
    }

    static let images = [UInt8](IDXFixture.images(count: 5))
    static let labels = [UInt8](IDXFixture.labels(count: 5))

    @Test func legitimateFilesRawAndGzipped() throws {
        for (bytes, name) in [(Self.images, "i"), (Self.gzip(Self.images), "i.gz")] {
            let read = try IDXReader.images(Self.write(bytes, name))
            #expect(read.count == 5 && read.pixels == Array(Self.images.dropFirst(16)))
        }
        // Two gzip members are one stream, as gunzip reads them.
        let split = Self.gzip(Array(Self.images.prefix(100))) + Self.gzip(Array(Self.images.dropFirst(100)))
        #expect(try IDXReader.images(Self.write(split, "split.gz")).pixels == Array(Self.images.dropFirst(16)))
    }

    /// Byte flips in raw and gzipped files: read (a flipped pixel is still a file) or refused in one line.
    @Test func byteFlips() {
        var rng = RandomSource(seed: 3)
        for zipped in [false, true] {
            for _ in 0..<60 {
                var bytes = zipped ? Self.gzip(Self.images) : Self.images
                bytes[Int(rng.next() % UInt64(min(bytes.count, 40)))] ^= UInt8(1 + rng.next() % 255)
                let path = Self.write(bytes, zipped ? "f.gz" : "f")
                do { _ = try IDXReader.images(path) } catch { #expect(!error.description.contains("\n")) }
            }
        }
    }

    @Test func truncationAnywhere() {
        for cut in [0, 3, 15] { expectRefused(Array(Self.images.prefix(cut)), "header too short") }
        for cut in [16, 17, Self.images.count - 1] { expectRefused(Array(Self.images.prefix(cut)), "truncated: header promises 5 images") }
        let zipped = Self.gzip(Self.images)
        for cut in [0, 10, zipped.count / 2, zipped.count - 1] { expectRefused(Array(zipped.prefix(cut)), as: "t.gz", "ends early") }
        expectRefused(Array(Self.labels.prefix(10)), as: "train-labels", "truncated: header promises 5 labels but the file holds 2")
    }

    @Test func trailingBytesRawAndGzipped() {
        expectRefused(Self.images + [1, 2, 3], "3 bytes after the 5 images of 28x28 (3920 bytes) its header promises")
        expectRefused(Self.gzip(Self.images + [1, 2, 3]), as: "t.gz", "inflates to more than the 3936 bytes its header promises")
        expectRefused(Self.gzip(Self.images) + Array("garbage".utf8), as: "t.gz", "7 bytes of garbage after the gzip stream")
        expectRefused(Self.gzip(Self.images) + Self.gzip(Self.images), as: "t.gz", "inflates to more than")
        expectRefused(Self.labels + [7], as: "train-labels", "1 bytes after the 5 labels")
    }

    @Test func magicNumbersAndDimensionCounts() {
        for (at, value) in [(0, UInt8(1)), (2, 9), (3, 1), (3, 4)] {
            var bytes = Self.images
            bytes[at] = value
            expectRefused(bytes, "wrong magic number")
        }
    }

    /// Sizes whose product overflows Int, or that promise more than the cap: refused before anything is read.
    @Test func sizesThatOverflowOrPromiseTooMuch() {
        let max = IDXFixture.be(Int(UInt32.max))
        expectRefused([0, 0, 8, 3] + max + max + max + [0], "more than the \(IDXReader.maximumBytes) bytes")
        expectRefused([0, 0, 8, 3] + max + IDXFixture.be(28) + IDXFixture.be(28), "4294967295 images of 28x28 (3367254359280 bytes), more than")
        expectRefused(Self.gzip([0, 0, 8, 3] + max + max + max), as: "m.gz", "more than the \(IDXReader.maximumBytes) bytes")
        expectRefused([0, 0, 8, 1] + max + [1, 2], as: "train-labels", "4294967295 labels, more than")
        expectRefused([0, 0, 8, 3] + IDXFixture.be(6) + IDXFixture.be(28) + IDXFixture.be(28) + Array(Self.images.dropFirst(16)), "truncated")
    }

    @Test func labelsCountsAndEmptySetsThroughMNIST() throws {
        let mnist = MNISTTests()
        mnist.expectError(try IDXFixture.directory(trainImages: IDXFixture.images(count: 0), trainLabels: IDXFixture.labels(count: 0)), ["holds no images"])
        mnist.expectError(try IDXFixture.directory(gzip: true, trainImages: IDXFixture.images(count: 0), trainLabels: IDXFixture.labels(count: 0)),
                          ["holds no images"])
        mnist.expectError(try IDXFixture.directory(trainLabels: IDXFixture.labels(count: 5, value: 10)), ["label 10 is not a digit"])
        mnist.expectError(try IDXFixture.directory(gzip: true, trainLabels: IDXFixture.labels(count: 6)), ["5 images", "but 6 labels"])
    }

    @Test func notRegularFilesOrTooLarge() throws {
        let directory = Fixtures.temporaryDirectory() + "/train-images-idx3-ubyte"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        expectRefused(path: directory, "not a regular file")
        // A sparse file beyond the cap: refused from its size, without reading 300 MB.
        let sparse = Self.write([], "sparse")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: sparse))
        try handle.truncate(atOffset: 300 << 20)
        try handle.close()
        expectRefused(path: sparse, "314572800 bytes, more than the \(IDXReader.maximumBytes) bytes")
    }

    @Test func corruptGzipStreams() {
        var flipped = Self.gzip(Self.images)
        flipped[flipped.count / 2] ^= 0x55
        expectRefused(flipped, as: "c.gz", "not a valid gzip file")
        var crc = Self.gzip(Self.images)
        crc[crc.count - 6] ^= 1
        expectRefused(crc, as: "c.gz", "incorrect data check")
        var size = Self.gzip(Self.images)
        size[size.count - 3] ^= 1
        expectRefused(size, as: "c.gz", "incorrect length check")
        expectRefused([], as: "e.gz", "ends early")
        expectRefused(Self.gzip([]), as: "e.gz", "header too short (0 bytes")
    }

    /// A ~1 MB file that inflates to 1 GB behind an honest header: refused once the output passes the
    /// header's 3,936 bytes, without the gigabyte.
    @Test func aGzipBombIsRefusedWithoutItsMemory() {
        let bomb = Self.bomb(header: Array(Self.images.prefix(16)), total: 1 << 30)
        let before = Self.peakResidentBytes()
        #expect(bomb.count < 2 << 20, "the bomb is small: \(bomb.count) bytes")
        expectRefused(bomb, as: "bomb.gz", "inflates to more than the 3936 bytes its header promises (5 images of 28x28 (3920 bytes)): a gzip bomb")
        let grown = Self.peakResidentBytes() - before
        #expect(grown < 512 << 20, "peak memory grew by \(grown >> 20) MB")
    }

    /// A header promising 250 MB (under the cap) over a 1 GB bomb: only the stream can tell, and it is
    /// counted through a small window before anything is set aside for it.
    @Test func aBombUnderALyingHeaderIsCountedNotKept() {
        let count = 300_000
        let header: [UInt8] = [0, 0, 8, 3] + IDXFixture.be(count) + IDXFixture.be(28) + IDXFixture.be(28)
        expectRefused(Self.bomb(header: header, total: 1 << 30), as: "lying.gz", "inflates to more than the \(16 + count * 784) bytes")
    }

    /// The inflated-size cap itself, not the refusal it leads to (a bomb is refused without the cap too, only
    /// after all of it): inflating stops after `limit` bytes of output. A stream of 64 KiB counts as exactly the
    /// limit when that is smaller, and as its own size only when the limit is above it; the same stream cut in
    /// half (an error at its end) still counts as a limit of 1,000 bytes, and gives its first 1,000 bytes, since
    /// nothing past them is inflated.
    @Test func inflatingStopsAtTheLimit() throws {
        var rng = RandomSource(seed: 9)
        let raw = (0..<(64 << 10)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }   // incompressible
        let zipped = Self.gzip(raw), cut = Array(zipped.prefix(zipped.count / 2))
        #expect(try Gzip.inflatedSize(of: zipped, limit: 1000) == 1000)
        #expect(try Gzip.inflatedSize(of: zipped, limit: raw.count) == raw.count)
        #expect(try Gzip.inflatedSize(of: zipped, limit: raw.count + 1) == raw.count)
        #expect(try Gzip.inflatedSize(of: cut, limit: 1000) == 1000)
        #expect(try Gzip.decompress(cut, count: 1000) == Array(raw.prefix(1000)))
        #expect(throws: DataError.self) { try Gzip.inflatedSize(of: cut, limit: raw.count + 1) }
    }

    /// The reader inflates a gzipped IDX file to at most one byte past what its header promises: a stream of
    /// 5 images followed by 64 KiB more, cut off within those 64 KiB, is refused for inflating past the 3,936
    /// bytes promised, which it finds after 3,937; it never reaches the cut, which a reader inflating on (to the
    /// 256 MiB cap, or to the end) would report as a truncated stream.
    @Test func theReaderInflatesAtMostOneBytePastThePromise() {
        var rng = RandomSource(seed: 10)
        let extra = (0..<(64 << 10)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let zipped = Self.gzip(Self.images + extra)
        let path = Self.write(Array(zipped.prefix(zipped.count * 3 / 4)), "cut-after-the-promise.gz")
        do {
            _ = try IDXReader.images(path)
            Issue.record("read a stream that inflates past its header's promise")
        } catch {
            #expect(error.description.contains("inflates to more than the 3936 bytes its header promises"), "\(error.description)")
            #expect(!error.description.contains("ends early"), "inflated past the promise to the cut: \(error.description)")
        }
    }

    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024  // KB on Linux
    }
}

import Foundation

/// Small files in MNIST's IDX format, raw or gzipped, for every test that reads a data directory.
public enum IDXFixture {
    public static func images(count: Int, rows: Int = 28, cols: Int = 28, magic: UInt8 = 3, bodyBytes: Int? = nil) -> Data {
        var d = Data([0, 0, 8, magic]) + be(count) + be(rows) + be(cols)
        d.append(Data((0..<(bodyBytes ?? count * rows * cols)).map { UInt8($0 % 256) }))
        return d
    }

    public static func labels(count: Int, value: UInt8 = 3) -> Data {
        Data([0, 0, 8, 1]) + be(count) + Data(repeating: value, count: count)
    }

    /// A 32-bit big-endian number, as IDX headers hold them.
    public static func be(_ v: Int) -> Data { Data([UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]) }

    /// A directory with all four files (train: 5 images, test: 3), optionally gzipped.
    public static func directory(gzip: Bool = false, trainImages: Data? = nil, trainLabels: Data? = nil) throws -> String {
        let dir = temporaryDirectory()
        try write(trainImages ?? images(count: 5), as: "train-images-idx3-ubyte", in: dir, gzip: gzip)
        try write(trainLabels ?? labels(count: 5), as: "train-labels-idx1-ubyte", in: dir, gzip: gzip)
        try writeTestFiles(in: dir, gzip: gzip)
        return dir
    }

    /// The test images and labels (3 of each) into `dir`: with training files of the test's own, a data directory.
    public static func writeTestFiles(in dir: String, gzip: Bool = false) throws {
        try write(images(count: 3), as: "t10k-images-idx3-ubyte", in: dir, gzip: gzip)
        try write(labels(count: 3), as: "t10k-labels-idx1-ubyte", in: dir, gzip: gzip)
    }

    /// `data` as `dir/name`, or gzipped as `dir/name.gz`.
    public static func write(_ data: Data, as name: String, in dir: String, gzip: Bool = false) throws {
        let path = dir + "/" + name
        try data.write(to: URL(fileURLWithPath: path))
        if gzip { try run("/bin/gzip", ["-n", path]) }
    }

    /// `bytes` as one gzip member, through /bin/gzip.
    public static func gzipped(_ bytes: Data) throws -> Data {
        let path = temporaryDirectory() + "/data"
        try write(bytes, as: "data", in: URL(fileURLWithPath: path).deletingLastPathComponent().path, gzip: true)
        return try Data(contentsOf: URL(fileURLWithPath: path + ".gz"))
    }

    public static func run(_ tool: String, _ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        try p.run()
        p.waitUntilExit()
    }

    /// A fresh folder under this process's own, which is removed when the process exits.
    public static func temporaryDirectory() -> String {
        let dir = fixtureRoot + "/" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

private let fixtureRoot: String = {
    atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "vae-tui-fixtures-\(getpid())") }
    return NSTemporaryDirectory() + "vae-tui-fixtures-\(getpid())"
}()

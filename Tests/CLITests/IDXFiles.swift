import Foundation

/// Small files in MNIST's IDX format, for the commands that read a data directory (a test target cannot
/// use LatentLabTests' IDXFixture).
enum IDXFiles {
    static func header(magic: UInt8, sizes: [Int]) -> Data {
        sizes.reduce(into: Data([0, 0, 8, magic])) { data, size in withUnsafeBytes(of: UInt32(size).bigEndian) { data.append(contentsOf: $0) } }
    }

    static func images(count: Int) -> Data { header(magic: 3, sizes: [count, 28, 28]) + Data((0..<count * 784).map { UInt8($0 % 256) }) }
    static func labels(count: Int) -> Data { header(magic: 1, sizes: [count]) + Data((0..<count).map { UInt8($0 % 10) }) }

    /// Writes the training labels (`trainCount` of them) and the test images and labels (3) into `dir`: all of
    /// a data directory but the training images, which the test writes.
    static func writeAllButTheTrainingImages(in dir: String, trainCount: Int) throws {
        try labels(count: trainCount).write(to: URL(fileURLWithPath: dir + "/train-labels-idx1-ubyte"))
        try images(count: 3).write(to: URL(fileURLWithPath: dir + "/t10k-images-idx3-ubyte"))
        try labels(count: 3).write(to: URL(fileURLWithPath: dir + "/t10k-labels-idx1-ubyte"))
    }
}

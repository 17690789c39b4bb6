import CKernels
import Foundation
import Testing
import TestSupport
@testable import LatentLab

@Suite struct MNISTTests {
    @Test(.enabled(if: RealMNIST.isAvailable, "needs the real MNIST files: set VAE_TUI_DATA or run `vae-tui data fetch mnist`"))
    func loadsTheRealFiles() throws {
        let (train, test) = try MNIST.load(directory: try #require(RealMNIST.directory))
        #expect(train.count == 60_000 && test.count == 10_000)
        #expect(train.height == 28 && train.width == 28 && train.dimension == 784)
        #expect(train.labels[0] == 5 && test.labels[0] == 7, "the well-known first labels")
        #expect(train.labels.allSatisfy { $0 <= 9 })
        #expect(train.pixels.max() == 255 && train.pixels.min() == 0)
        let mean = train.meanIntensity().reduce(0, +) / 784
        #expect(abs(mean - 0.1307) < 0.001, "MNIST's mean pixel is 0.1307, got \(mean)")
    }

    @Test(arguments: [false, true])
    func readsRawAndGzippedFiles(gzip: Bool) throws {
        let (train, test) = try MNIST.load(directory: try IDXFixture.directory(gzip: gzip))
        #expect(train.count == 5 && test.count == 3)
        #expect(train.pixels[0..<4] == [0, 1, 2, 3])
        #expect(train.labels == [3, 3, 3, 3, 3])
    }

    func expectError(_ directory: String, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try MNIST.load(directory: directory)
            Issue.record("no error", sourceLocation: sourceLocation)
        } catch {
            for f in fragments { #expect(error.description.contains(f), "\(error.description)", sourceLocation: sourceLocation) }
            #expect(!error.description.contains("\n"), "one line", sourceLocation: sourceLocation)
        }
    }

    @Test func badInputsAreClearErrors() throws {
        expectError("/no/such/dir", ["data directory not found: /no/such/dir"])
        let empty = Fixtures.temporaryDirectory()
        expectError(empty, ["train-images-idx3-ubyte(.gz): file not found"])
        expectError(try IDXFixture.directory(trainImages: IDXFixture.images(count: 5, bodyBytes: 100)),
                    ["train-images-idx3-ubyte", "truncated", "5 images of 28x28 (3920 bytes) but the file holds 100"])
        expectError(try IDXFixture.directory(trainImages: IDXFixture.images(count: 5, magic: 1)),
                    ["wrong magic number 0x00000801, expected 0x00000803"])
        expectError(try IDXFixture.directory(trainImages: Data([0, 0, 8])), ["header too short"])
        expectError(try IDXFixture.directory(trainLabels: IDXFixture.labels(count: 4)), ["train: 5 images", "but 4 labels"])
        expectError(try IDXFixture.directory(trainLabels: IDXFixture.labels(count: 5, value: 12)), ["label 12 is not a digit"])
        expectError(try IDXFixture.directory(trainImages: IDXFixture.images(count: 2, rows: 10, cols: 10)), ["10x10", "28x28"])
    }

    @Test func brokenGzipIsAClearError() throws {
        let dir = try IDXFixture.directory(gzip: true)
        let path = dir + "/train-images-idx3-ubyte.gz"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        expectError(dir, ["train-images-idx3-ubyte.gz", "ends early"])
        try Data("definitely not gzip".utf8).write(to: URL(fileURLWithPath: path))
        expectError(dir, ["train-images-idx3-ubyte.gz", "not a valid gzip file"])
    }
}

@Suite struct ShapesTests {
    @Test func deterministicPerSeed() {
        let a = Shapes.generate(count: 50, seed: 1, name: "a"), b = Shapes.generate(count: 50, seed: 1, name: "b")
        let c = Shapes.generate(count: 50, seed: 2, name: "c")
        #expect(a.pixels == b.pixels && a.labels == b.labels)
        #expect(a.pixels != c.pixels)
    }

    @Test func imagesAreVisibleShapesOfEveryClass() {
        let data = Shapes.generate(count: 500, seed: 3, name: "s")
        #expect(data.count == 500 && data.height == 28 && data.width == 28 && data.pixels.count == 500 * 784)
        #expect(Set(data.labels) == Set(0..<5), "every shape appears")
        for i in 0..<data.count {
            let image = data.pixels[(i * 784)..<((i + 1) * 784)]
            let lit = image.filter { $0 > 128 }.count
            #expect(lit > 20 && lit < 600, "image \(i) has \(lit) lit pixels")
            // Nothing touches the border: the shape stays inside the frame.
            #expect((0..<28).allSatisfy { data.pixels[i * 784 + $0] == 0 && data.pixels[i * 784 + 27 * 28 + $0] == 0 })
        }
        #expect(data.pixels.contains { $0 > 0 && $0 < 255 }, "antialiased edges give grey levels")
    }

    @Test func shapesDifferFromEachOther() {
        // A filled circle covers more of its radius² than a ring or a cross.
        func area(_ shape: Int) -> Int {
            var image = [UInt8](repeating: 0, count: 784)
            image.withUnsafeMutableBufferPointer {
                Shapes.draw(Shapes.Factors(shape: shape, centerX: 14, centerY: 14, radius: 10, rotation: 0), into: $0.baseAddress!)
            }
            return image.reduce(0) { $0 + Int($1) } / 255
        }
        let circle = area(1), ring = area(4), cross = area(3), square = area(0)
        #expect(abs(Double(circle) - Double.pi * 100) < 15, "circle area \(circle)")
        #expect(ring < circle && cross < circle && square > cross)
    }
}

@Suite struct BinaryImagesTests {
    /// Eight pixels to a byte changes nothing the decoder sees: every row range, starting anywhere in a byte,
    /// reads back the draws made one pixel at a time (pixel on with probability grey/255, in pixel order).
    @Test func packedBitsReadBackTheDraws() {
        let height = 3, width = 5, count = 7   // 15 pixels an image: rows start at every offset within a byte
        var source = RandomSource(seed: 9)
        let pixels = (0..<(count * height * width)).map { _ in UInt8(source.next() % 256) }
        let data = ImageDataset(name: "grey", count: count, height: height, width: width, pixels: pixels,
                                labels: [UInt8](repeating: 0, count: count), labelNames: ["none"])
        let images = BinaryImages(fixed: data, seed: 4)
        var rng = RandomSource(seed: 4)
        let expected: [Float] = pixels.map { rng.uniform() * 255 < Float($0) ? 1 : 0 }
        #expect(expected.contains(0) && expected.contains(1))
        for start in 0..<count {
            for end in start...count {
                let d = height * width
                #expect(images.batch(start..<end).scalars == Array(expected[(start * d)..<(end * d)]))
            }
        }
    }
}

@Suite struct DynamicBinarizationTests {
    static func greyImages(_ grey: [UInt8], count: Int) -> ImageDataset {
        ImageDataset(name: "grey", count: count, height: 1, width: grey.count,
                     pixels: Array((0..<count).map { _ in grey }.joined()),
                     labels: [UInt8](repeating: 0, count: count), labelNames: ["none"])
    }

    /// Pixel on with probability grey/255: never at 0, always at 255, and in between within four standard errors.
    @Test func pixelsAreOnWithTheirGreyOver255() {
        let grey: [UInt8] = [0, 1, 64, 128, 200, 254, 255], images = 400
        let data = Self.greyImages(grey, count: images)
        var rng = RandomSource(seed: 3)
        var on = [Int](repeating: 0, count: grey.count)
        for _ in 0..<5 {
            let batch = data.binarizedBatch(ArraySlice(0..<images), rng: &rng)
            for row in 0..<images { for j in grey.indices where batch[row, j] == 1 { on[j] += 1 } }
        }
        let draws = Float(images * 5)
        #expect(on[0] == 0 && on[grey.count - 1] == Int(draws))
        for (j, g) in grey.enumerated() {
            let p = Float(g) / 255, seen = Float(on[j]) / draws
            #expect(abs(seen - p) <= 4 * (p * (1 - p) / draws).squareRoot() + 1e-6, "grey \(g): \(seen) against \(p)")
        }
    }

    /// One number from the stream keys a batch: the next batch's draws differ, the stream then goes on one number
    /// further, and the same state repeats the batch exactly.
    @Test func aBatchTakesOneNumberFromTheStream() {
        let data = Self.greyImages([UInt8](repeating: 128, count: 64), count: 8)
        var rng = RandomSource(seed: 11), copy = rng
        let first = data.binarizedBatch(ArraySlice(0..<8), rng: &rng)
        _ = copy.next()
        #expect(rng.next() == copy.next())
        var again = RandomSource(seed: 11)
        #expect(data.binarizedBatch(ArraySlice(0..<8), rng: &again).scalars == first.scalars)
        #expect(data.binarizedBatch(ArraySlice(0..<8), rng: &again).scalars != first.scalars)
    }

    /// Each pixel's draw is a function of the batch's key and its position alone: a row binarised by itself, at its
    /// offset, is that row of the whole batch (so a batch may be cut anywhere and binarised in parts).
    @Test func aRowDependsOnlyOnTheKeyAndItsPosition() {
        let d = 50, rows = 6
        var source = RandomSource(seed: 2)
        let pixels = (0..<(rows * d)).map { _ in UInt8(source.next() % 256) }
        let data = ImageDataset(name: "grey", count: rows, height: 1, width: d, pixels: pixels,
                                labels: [UInt8](repeating: 0, count: rows), labelNames: ["none"])
        let order = [4, 0, 5, 2]
        var rng = RandomSource(seed: 8), keyed = rng
        let batch = data.binarizedBatch(ArraySlice(order), rng: &rng), key = keyed.next()
        for (row, image) in order.enumerated() {
            var alone = [Float](repeating: -1, count: d)
            pixels.withUnsafeBufferPointer { vk_binarize($0.baseAddress! + image * d, &alone, d, key, UInt64(row * d)) }
            #expect(batch.rowBlock(row, 1).scalars == alone)
        }
    }
}

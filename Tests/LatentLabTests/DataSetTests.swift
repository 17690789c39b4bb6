import Foundation
import Testing
import TestSupport
@testable import LatentLab

@Suite struct MD5Tests {
    /// RFC 1321's test suite, section A.5.
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"), ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"), ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
    ])
    func theRFCsDigests(text: String, digest: String) {
        #expect(MD5.hex(of: Array(text.utf8)) == digest)
    }

    /// A file read in 1 MiB chunks hashes as the whole: lengths around the chunk and the 64-byte block.
    @Test func aFileChunkByChunkEqualsTheWhole() throws {
        for count in [MD5.chunkBytes - 1, MD5.chunkBytes, MD5.chunkBytes + 65, 3 * MD5.chunkBytes + 7] {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
            let path = Fixtures.temporaryDirectory() + "/file"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(MD5.hex(ofFile: path) == MD5.hex(of: bytes), "\(count) bytes")
        }
        #expect(MD5.hex(ofFile: "/no/such/file") == nil)
    }
}

@Suite struct DataSetCheckTests {
    /// A one-file set of a fixture IDX file, gzipped with `gzip -n` (`level`), checksummed as published.
    func published(level: String = "-6") throws -> (directory: String, file: DataSetFile, raw: Data) {
        let directory = Fixtures.temporaryDirectory()
        let raw = IDXFixture.labels(count: 300, value: 4)
        let path = directory + "/train-labels-idx1-ubyte"
        try raw.write(to: URL(fileURLWithPath: path))
        try IDXFixture.run("/bin/gzip", ["-n", level, path])
        let file = DataSetFile(name: "train-labels-idx1-ubyte.gz", md5: MD5.hex(ofFile: path + ".gz")!, rawMD5: MD5.hex(of: raw), rawBytes: raw.count)
        return (directory, file, raw)
    }

    @Test func thePublishedFileIsVerified() throws {
        let (directory, file, _) = try published()
        #expect(file.check(in: directory).isVerified)
    }

    @Test func aCopyGzippedAgainIsVerifiedByWhatItHolds() throws {
        let (directory, file, _) = try published()
        let path = directory + "/" + file.name
        try IDXFixture.run("/bin/gzip", ["-d", path])
        try IDXFixture.run("/bin/gzip", ["-n", "-1", directory + "/" + file.rawName])
        #expect(MD5.hex(ofFile: path) != file.md5, "other bytes")
        #expect(file.check(in: directory).isVerified)
    }

    @Test func theFileUncompressedIsVerifiedByItsBytes() throws {
        let (directory, file, _) = try published()
        try IDXFixture.run("/bin/gzip", ["-d", directory + "/" + file.name])
        #expect(file.check(in: directory) == .verified(path: directory + "/" + file.rawName, bytes: 308))
    }

    @Test func otherContentsAreWrongAndSayWhy() throws {
        let (directory, file, _) = try published()
        let other = try published()
        try FileManager.default.removeItem(atPath: directory + "/" + file.name)
        let path = directory + "/" + file.name
        try IDXFixture.run("/bin/cp", [other.directory + "/" + file.name, path])
        // The same fixture: identical. Change one label and gzip it again.
        try IDXFixture.run("/bin/gzip", ["-d", path])
        var changed = other.raw
        changed[changed.count - 1] = 9
        try changed.write(to: URL(fileURLWithPath: directory + "/" + file.rawName))
        try IDXFixture.run("/bin/gzip", ["-n", directory + "/" + file.rawName])
        guard case .wrong(let wrongPath, let reason) = file.check(in: directory) else {
            Issue.record("verified a changed file")
            return
        }
        #expect(wrongPath == path && reason.contains("expected \(file.md5)") && reason.contains("expected \(file.rawMD5!)"), "\(reason)")
        #expect(DataSetFile(name: file.name, md5: file.md5, rawMD5: nil, rawBytes: 308).check(in: directory) != .missing)
        #expect(DataSetFile(name: "t10k-images-idx3-ubyte.gz", md5: "", rawMD5: nil, rawBytes: 1).check(in: directory) == .missing)
    }

    @Test func aGzipThatInflatesTooFarIsWrongNotRead() throws {
        let (directory, file, _) = try published()
        let small = DataSetFile(name: file.name, md5: "0", rawMD5: file.rawMD5, rawBytes: 100)
        guard case .wrong(_, let reason) = small.check(in: directory) else {
            Issue.record("verified")
            return
        }
        #expect(reason.contains("does not inflate to the 100 bytes"), "\(reason)")
    }
}

@Suite struct DataLocationTests {
    @Test func theCacheFollowsXDGThenHome() {
        #expect(DataLocation.cache(for: .mnist, environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]) == "/x/vae-tui/mnist")
        #expect(DataLocation.cache(for: .fashionMNIST, environment: ["HOME": "/h"]) == "/h/.cache/vae-tui/fashion-mnist")
        #expect(DataLocation.cache(for: .mnist, environment: ["XDG_CACHE_HOME": "", "HOME": "/h"]) == "/h/.cache/vae-tui/mnist")
        #expect(DataLocation.cache(for: .mnist, environment: [:]) == nil)
    }

    @Test func fetchingGoesToDirThenTheVariableThenTheCache() throws {
        let environment = ["VAE_TUI_DATA": "/v", "HOME": "/h"]
        #expect(try DataLocation.fetchDirectory(for: .mnist, given: "/d", environment: environment) == "/d")
        #expect(try DataLocation.fetchDirectory(for: .mnist, given: nil, environment: environment) == "/v")
        #expect(try DataLocation.fetchDirectory(for: .mnist, given: nil, environment: ["HOME": "/h"]) == "/h/.cache/vae-tui/mnist")
        #expect(throws: DataError.self) { try DataLocation.fetchDirectory(for: .mnist, given: nil, environment: [:]) }
    }

    @Test func withNothingCachedCommandsReadTheShapes() throws {
        let empty = Fixtures.temporaryDirectory()
        #expect(try DataLocation.resolve(directory: nil, dataset: nil, environment: ["HOME": empty]) == .shapes)
        #expect(try DataLocation.resolve(directory: nil, dataset: "shapes", environment: ["VAE_TUI_DATA": "/v"]) == .shapes)
        #expect(throws: DataError.self) { try DataLocation.resolve(directory: "/d", dataset: "shapes", environment: [:]) }
        #expect(throws: DataError.self) { try DataLocation.resolve(directory: nil, dataset: "cifar", environment: [:]) }
        #expect(throws: DataError.self) { try DataLocation.resolve(directory: nil, dataset: "fashion-mnist", environment: ["HOME": empty]) }
    }

    @Test func aDirectoryIsNamedByDatasetOrRecognisedElseCalledMNIST() throws {
        let fixture = try IDXFixture.directory(gzip: true)
        let given = try DataLocation.resolve(directory: fixture, dataset: nil, environment: [:])
        #expect(given == .files(directory: fixture, set: nil) && given.name == "mnist")
        let named = try DataLocation.resolve(directory: fixture, dataset: "fashion-mnist", environment: [:])
        #expect(named.name == "fashion-mnist")
        let (train, _) = try named.load()
        #expect(train.name == "fashion-mnist-train" && train.labelNames[9] == "Ankle boot")
        #expect(try DataLocation.resolve(directory: nil, dataset: nil, environment: ["VAE_TUI_DATA": fixture]).directory == fixture)
    }

    @Test(.enabled(if: RealMNIST.directory != nil, "needs the real MNIST files: set VAE_TUI_DATA or run `vae-tui data fetch mnist`"))
    func theRealMNISTIsRecognisedAndACachedCopyIsTheDefault() throws {
        let real = RealMNIST.directory!
        #expect(DataSet.recognise(real) == .mnist)
        #expect(DataSet.mnist.isComplete(in: real), "every file verified: \(DataSet.mnist.check(in: real))")
        // The real files in an XDG cache: what commands read without --data.
        let home = Fixtures.temporaryDirectory()
        let cache = home + "/vae-tui/mnist"
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        for file in DataSet.mnist.files { try FileManager.default.createSymbolicLink(atPath: cache + "/" + file.name, withDestinationPath: real + "/" + file.name) }
        #expect(try DataLocation.resolve(directory: nil, dataset: nil, environment: ["XDG_CACHE_HOME": home]) == .files(directory: cache, set: .mnist))
        #expect(try DataLocation.resolve(directory: nil, dataset: "mnist", environment: ["XDG_CACHE_HOME": home]).directory == cache)
    }
}

import Foundation
import Synchronization
import Testing
import TestSupport
@testable import DataFetch
@testable import LatentLab

/// A small data set in MNIST's layout (four gzipped IDX files) served by the fixture server, and fetched with
/// its own checksums: each test gets fresh directories.
struct FetchFixture {
    let served: String
    let target: String
    let set: DataSet

    /// `files` picks which of the four the set has (the stall test takes one, to wait once).
    init(files: Int = 4) throws {
        let root = NSTemporaryDirectory() + "vae-tui-fetch-tests-\(getpid())/" + UUID().uuidString
        served = root + "/served"
        target = root + "/cache/mnist"
        try FileManager.default.createDirectory(atPath: served, withIntermediateDirectories: true)
        let contents: [(String, Data)] = [
            ("train-images-idx3-ubyte", Self.images(count: 40, seed: 1)), ("train-labels-idx1-ubyte", IDXFixture.labels(count: 40)),
            ("t10k-images-idx3-ubyte", Self.images(count: 10, seed: 2)), ("t10k-labels-idx1-ubyte", IDXFixture.labels(count: 10)),
        ]
        var entries: [DataSetFile] = []
        for (name, raw) in contents.prefix(files) {
            try IDXFixture.write(raw, as: name, in: served, gzip: true)
            entries.append(DataSetFile(name: name + ".gz", md5: MD5.hex(ofFile: served + "/" + name + ".gz")!, rawMD5: MD5.hex(of: raw), rawBytes: raw.count))
        }
        set = DataSet(name: "mnist", title: "Fixture", mirrors: [], files: entries, labelNames: DataSet.mnist.labelNames)
    }

    /// Noise images: gzip cannot shrink them much, so a cut halfway is well inside the file.
    static func images(count: Int, seed: UInt64) -> Data {
        var state = seed
        let pixels = (0..<count * 784).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        return IDXFixture.images(count: count, bodyBytes: 0) + Data(pixels)
    }

    /// Fetches with the events collected.
    func fetch(_ mirrors: [String], timeout: Double = 10) -> (error: FetchError?, events: [FetchEvent]) {
        let events = Mutex<[FetchEvent]>([])
        do {
            try DataFetcher.fetch(set, into: target, mirrors: mirrors, timeout: timeout) { event in events.withLock { $0.append(event) } }
            return (nil, events.withLock { $0 })
        } catch {
            return (error, events.withLock { $0 })
        }
    }

    /// What the target directory holds, lock file aside.
    var placed: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []).filter { $0 != DataFetcher.lockName }.sorted()
    }

    func failures(_ events: [FetchEvent]) -> [String] {
        events.compactMap { if case .failed(_, let url, let reason) = $0 { "\(url) \(reason)" } else { nil } }
    }
}

@Suite(.serialized) struct FetchTests {
    @Test func aGoodMirrorGivesEveryFileVerifiedAndInPlace() throws {
        let fixture = try FetchFixture()
        let server = try FixtureServer(serving: fixture.served)
        defer { server.stop() }
        let (error, events) = fixture.fetch([server.url("good")])
        #expect(error == nil, "\(String(describing: error))")
        #expect(fixture.placed == fixture.set.files.map(\.name).sorted(), "the four files and nothing else (no .part left)")
        #expect(fixture.set.isComplete(in: fixture.target))
        #expect(events.filter { if case .placed = $0 { true } else { false } }.count == 4)
        // A second fetch finds them there and downloads nothing.
        let before = server.requests.count
        let (again, rerun) = fixture.fetch([server.url("good")])
        #expect(again == nil && server.requests.count == before)
        #expect(rerun.allSatisfy { if case .present = $0 { true } else { false } })
    }

    @Test(arguments: [("bad", "wrong checksum"), ("missing", "HTTP 404")])
    func aFailingMirrorIsPassedForTheNext(mode: String, reason: String) throws {
        let fixture = try FetchFixture()
        let server = try FixtureServer(serving: fixture.served)
        defer { server.stop() }
        let (error, events) = fixture.fetch([server.url(mode), server.url("good")])
        #expect(error == nil, "\(String(describing: error))")
        #expect(fixture.set.isComplete(in: fixture.target))
        let failures = fixture.failures(events)
        #expect(failures.count == 4 && failures.allSatisfy { $0.contains(server.url(mode)) && $0.contains(reason) }, "\(failures)")
    }

    @Test func aRefusedConnectionIsPassedForTheNext() throws {
        let fixture = try FetchFixture()
        let server = try FixtureServer(serving: fixture.served)
        defer { server.stop() }
        let closed = "http://127.0.0.1:\(try FixtureServer.closedPort())/"
        let (error, events) = fixture.fetch([closed, server.url("good")])
        #expect(error == nil, "\(String(describing: error))")
        #expect(fixture.failures(events).allSatisfy { $0.contains("connection refused") }, "\(fixture.failures(events))")
        #expect(fixture.set.isComplete(in: fixture.target))
    }

    @Test func aStalledServerTimesOutAndTheNextMirrorIsTried() throws {
        let fixture = try FetchFixture(files: 1)
        let server = try FixtureServer(serving: fixture.served)
        defer { server.stop() }
        let start = Date()
        let (error, events) = fixture.fetch([server.url("stall"), server.url("good")], timeout: 1)
        #expect(error == nil, "\(String(describing: error))")
        #expect(fixture.failures(events).first?.contains("timed out") == true, "\(fixture.failures(events))")
        #expect(Date().timeIntervalSince(start) < 20, "gave up after the timeout, not the server's 60 s")
        #expect(fixture.set.isComplete(in: fixture.target))
    }

    @Test func aDownloadCutHalfwayIsKeptAndARerunResumesIt() throws {
        let fixture = try FetchFixture(files: 1)
        let server = try FixtureServer(serving: fixture.served)
        defer { server.stop() }
        let (error, _) = fixture.fetch([server.url("cut")])
        let file = fixture.set.files[0]
        let part = DataFetcher.partPath(of: file, in: fixture.target)
        let kept = HTTPDownload.fileSize(part)
        let whole = HTTPDownload.fileSize(fixture.served + "/" + file.name)
        #expect(error?.description.contains("a rerun goes on from there") == true, "\(String(describing: error))")
        #expect(kept == whole / 2, "half of \(whole) bytes kept, got \(kept)")
        #expect(!FileManager.default.fileExists(atPath: fixture.target + "/" + file.name), "nothing under the file's own name")

        let (rerun, events) = fixture.fetch([server.url("cut")])
        #expect(rerun == nil, "\(String(describing: rerun))")
        #expect(fixture.set.isComplete(in: fixture.target))
        #expect(server.requests.contains("/cut/\(file.name) bytes=\(kept)-"), "resumed with a Range request: \(server.requests)")
        #expect(events.contains { if case .trying(_, _, let resumeAt) = $0 { resumeAt == kept } else { false } })
    }

    @Test func aKeptPartOfAnotherCopyIsStartedOverWhenItsChecksumFails() throws {
        let fixture = try FetchFixture(files: 1)
        let server = try FixtureServer(serving: fixture.served)
        defer { server.stop() }
        try FileManager.default.createDirectory(atPath: fixture.target, withIntermediateDirectories: true)
        let part = DataFetcher.partPath(of: fixture.set.files[0], in: fixture.target)
        try Data(repeating: 7, count: 10).write(to: URL(fileURLWithPath: part))
        let (error, _) = fixture.fetch([server.url("good")])
        #expect(error == nil, "\(String(describing: error))")
        #expect(fixture.set.isComplete(in: fixture.target))
        #expect(server.requests.suffix(2).map { $0.hasSuffix(" -") } == [false, true], "a Range request, then the whole file: \(server.requests)")
    }

    @Test func aServerIgnoringTheRangeSendsTheWholeFileAgain() throws {
        let fixture = try FetchFixture(files: 1)
        let server = try FixtureServer(serving: fixture.served)
        defer { server.stop() }
        try FileManager.default.createDirectory(atPath: fixture.target, withIntermediateDirectories: true)
        let whole = try Data(contentsOf: URL(fileURLWithPath: fixture.served + "/" + fixture.set.files[0].name))
        try whole.prefix(30).write(to: URL(fileURLWithPath: DataFetcher.partPath(of: fixture.set.files[0], in: fixture.target)))
        let (error, _) = fixture.fetch([server.url("norange")])
        #expect(error == nil, "\(String(describing: error))")
        #expect(fixture.set.isComplete(in: fixture.target))
    }

    @Test func noMirrorAnsweringLeavesNothingAndSaysWhatEachAnswered() throws {
        let fixture = try FetchFixture()
        let server = try FixtureServer(serving: fixture.served)
        defer { server.stop() }
        let closed = "http://127.0.0.1:\(try FixtureServer.closedPort())/"
        let (error, _) = fixture.fetch([server.url("missing"), closed])
        let message = error?.description ?? ""
        for fragment in ["cannot fetch train-images-idx3-ubyte.gz", "\(server.url("missing"))train-images-idx3-ubyte.gz: HTTP 404",
                         "connection refused", "by hand", fixture.target] {
            #expect(message.contains(fragment), "\(message)")
        }
        #expect(!message.contains("\n"))
        #expect(!FileManager.default.fileExists(atPath: fixture.target), "the directory it made is removed again")
        #expect(!FileManager.default.fileExists(atPath: fixture.target + "/.."), "and so is its parent, made for it")
        #expect(FileManager.default.fileExists(atPath: fixture.served), "but not the folders that were there before")
    }

    @Test func aFileThatIsNotTheSetsIsNeverOverwritten() throws {
        let fixture = try FetchFixture()
        let server = try FixtureServer(serving: fixture.served)
        defer { server.stop() }
        try FileManager.default.createDirectory(atPath: fixture.target, withIntermediateDirectories: true)
        let mine = fixture.target + "/" + fixture.set.files[0].name
        try Data("my own file".utf8).write(to: URL(fileURLWithPath: mine))
        let (error, _) = fixture.fetch([server.url("good")])
        #expect(error?.description.contains("is there but is not Fixture's") == true, "\(String(describing: error))")
        #expect(try String(contentsOfFile: mine, encoding: .utf8) == "my own file")
        #expect(server.requests.isEmpty)
    }

    @Test func anUnwritableDirectoryIsAClearError() throws {
        guard getuid() != 0 else { return try unwritableAsRoot() }
        let fixture = try FetchFixture()
        try FileManager.default.createDirectory(atPath: fixture.target, withIntermediateDirectories: true)
        chmod(fixture.target, 0o555)
        defer { chmod(fixture.target, 0o755) }
        let (error, _) = fixture.fetch(["http://127.0.0.1:1/"])
        #expect(error?.description.contains("cannot write in \(fixture.target)") == true, "\(String(describing: error))")
    }

    /// Root writes through permission bits: a path through a regular file stands in for an unwritable place.
    private func unwritableAsRoot() throws {
        let fixture = try FetchFixture()
        let file = fixture.served + "/train-images-idx3-ubyte.gz"
        do {
            try DataFetcher.fetch(fixture.set, into: file + "/below", mirrors: [], timeout: 1) { _ in }
            Issue.record("fetched below a regular file")
        } catch {
            #expect(error.description.contains("cannot create \(file)/below"), "\(error.description)")
        }
    }
}

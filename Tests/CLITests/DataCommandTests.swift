import Foundation
import Testing
import TestSupport

/// `vae-tui data` through the binary, and a binary that works away from the repository.
@Suite struct DataCommandTests {
    /// A home with nothing in it: no cache, no $VAE_TUI_DATA.
    static func emptyHome() -> [String: String?] {
        let home = CLI.temporaryDirectory()
        return ["HOME": home, "XDG_CACHE_HOME": nil, "VAE_TUI_DATA": nil]
    }

    @Test func listingShowsEachSetAndWhatCommandsRead() throws {
        let environment = Self.emptyHome()
        let list = try CLI.run(["data", "list"], environment: environment)
        let home = (environment["HOME"]! ?? "")
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("mnist          \(home)/.cache/vae-tui/mnist          absent"), "\(list.stdout)")
        #expect(list.stdout.contains("fashion-mnist  \(home)/.cache/vae-tui/fashion-mnist  absent"), "\(list.stdout)")
        #expect(list.stdout.hasSuffix("commands read: shapes\n"), "\(list.stdout)")
        let named = try CLI.run(["train", "--dataset", "fashion-mnist", "--epochs", "0"], environment: environment)
        #expect(named.status == 1 && named.stderr == "vae-tui: error: Fashion-MNIST is not here: run `vae-tui data fetch fashion-mnist`, or give --data DIR\n",
                "\(named.stderr)")
    }

    @Test func noMirrorAnsweringIsOneLineAndLeavesNothing() throws {
        let root = CLI.temporaryDirectory()
        let closed = "http://127.0.0.1:\(try FixtureServer.closedPort())/"
        let fetch = try CLI.run(["data", "fetch", "mnist", "--mirror", closed, "--no-default-mirrors", "--dir", root + "/a/b"],
                                environment: Self.emptyHome())
        let last = fetch.stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(fetch.status == 1)
        #expect(last.hasPrefix("vae-tui: error: cannot fetch train-images-idx3-ubyte.gz: \(closed)train-images-idx3-ubyte.gz: connection refused"), "\(last)")
        #expect(last.contains("in \(root)/a/b by hand"), "\(last)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).isEmpty, "nothing made, nothing half-written")
        let flags = try CLI.run(["data", "fetch", "mnist", "--no-default-mirrors"])
        #expect(flags.status != 0 && flags.stderr.contains("--no-default-mirrors needs at least one --mirror URL"))
    }

    /// Must-show: the real files from a local mirror into the cache, verified; then `train` without --data trains on
    /// them; and a download cut halfway is resumed by a rerun.
    @Test(.enabled(if: RealMNIST.directory != nil, "needs the real MNIST files: set VAE_TUI_DATA or run `vae-tui data fetch mnist`"))
    func fetchedMNISTIsWhatTrainReadsWithoutData() throws {
        let server = try FixtureServer(serving: RealMNIST.directory!)
        defer { server.stop() }
        let environment = Self.emptyHome()
        let cache = (environment["HOME"]! ?? "") + "/.cache/vae-tui/mnist"

        let fetch = try CLI.run(["data", "fetch", "mnist", "--mirror", server.url("good"), "--no-default-mirrors"], environment: environment)
        #expect(fetch.status == 0, "\(fetch.stderr)")
        #expect(fetch.stdout == "MNIST: the four files are in \(cache), verified\n")
        #expect(fetch.stderr.components(separatedBy: "MD5 verified").count == 5, "one line per file: \(fetch.stderr)")
        let list = try CLI.run(["data", "list"], environment: environment)
        #expect(list.stdout.contains("mnist          \(cache)          verified"), "\(list.stdout)")

        let runDir = CLI.temporaryDirectory() + "/run"
        let train = try CLI.run(["train", "--epochs", "1", "--train-limit", "200", "--validation", "100", "--eval-limit", "20", "--run-dir", runDir],
                                environment: environment)
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.hasPrefix("vae-tui: mnist, 200 training / 100 validation / 10000 test images"), "\(train.stdout)")
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: runDir + "/config.json"))) as? [String: Any])
        #expect(config["data"] as? String == cache && config["dataset"] as? String == "mnist")
        let log = try CLI.jsonLines(runDir + "/metrics.jsonl")
        #expect(log.first?["dataset"] as? String == "mnist", "the log names the data set: \(log.first ?? [:])")

        let again = environment.merging(["HOME": CLI.temporaryDirectory()]) { $1 }
        let cut = try CLI.run(["data", "fetch", "mnist", "--mirror", server.url("cut"), "--no-default-mirrors"], environment: again)
        #expect(cut.status == 1 && cut.stderr.contains("a rerun goes on from there"), "\(cut.stderr)")
        let resumed = try CLI.run(["data", "fetch", "mnist", "--mirror", server.url("good"), "--no-default-mirrors"], environment: again)
        #expect(resumed.status == 0 && resumed.stderr.contains("train-images-idx3-ubyte.gz: from \(server.url("good"))train-images-idx3-ubyte.gz, going on after"),
                "\(resumed.stderr)")
        #expect(server.requests.contains { $0.hasPrefix("/good/train-images-idx3-ubyte.gz bytes=") }, "\(server.requests)")
    }

    /// Must-show: the binary copied into an empty folder and run from another lists every preset of assets/presets and
    /// uses them, for `train` and for `demo binpack`.
    @Test func aCopiedBinaryCarriesEveryPreset() throws {
        let elsewhere = CLI.temporaryDirectory(), binary = CLI.temporaryDirectory() + "/vae-tui"
        try FileManager.default.copyItem(atPath: CLI.binary, toPath: binary)
        let environment = Self.emptyHome()
        let list = try CLI.run(["presets"], executable: binary, environment: environment, directory: elsewhere)
        let listed = list.stdout.split(separator: "\n").map { String($0.split(separator: " ")[0]) }
        let files = try FileManager.default.contentsOfDirectory(atPath: CLI.packageRoot.appendingPathComponent("assets/presets").path)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
        #expect(list.status == 0 && listed == files, "every file in assets/presets is compiled in (EmbeddedPresets lists it): \(list.stderr)")
        let train = try CLI.run(["train", "--preset", "iwae-vae-k5", "--epochs", "1", "--train-limit", "40", "--validation", "20", "--eval-limit", "10",
                                 "--run-dir", elsewhere + "/run"], executable: binary, environment: environment, directory: elsewhere)
        #expect(train.status == 0 && train.stdout.contains("k=5, batch 20"), "\(train.stdout) \(train.stderr)")
        try Tmux.running("demo binpack --preset binpack-iwae-k50 --steps 20", in: elsewhere, executable: binary) { tmux, status in
            let screen = try tmux.waitFor("the preset's demo at step 20") { Tmux.step(in: $0) == 20 }
            #expect(screen.contains("IWAE") && Tmux.line(containing: "k/K", in: screen)?.contains("50") == true, "\(screen)")
            tmux.send("q")
            _ = try Tmux.waitForFile(status) { $0.contains("EXIT=0") }
        }
    }

    /// A disk that fills during a download (a file-size limit) and a cache that cannot be made (under /sys): one line
    /// each, exit 1, and no part file left to pass for data.
    @Test func aFullDiskOrAnUnwritableCacheIsOneLine() throws {
        let served = CLI.temporaryDirectory()
        try Data(repeating: 1, count: 1_000_000).write(to: URL(fileURLWithPath: served + "/train-images-idx3-ubyte.gz"))
        let server = try FixtureServer(serving: served)
        defer { server.stop() }
        let target = CLI.temporaryDirectory() + "/mnist"
        let full = try CLI.run(DiskFaultTests.limitedFileSize(300_000) + [CLI.binary, "data", "fetch", "mnist", "--mirror", server.url("good"),
                                                                          "--no-default-mirrors", "--dir", target],
                               executable: "/usr/bin/env", environment: Self.emptyHome())
        #expect(full.status == 1 && full.stderr.hasSuffix("/.train-images-idx3-ubyte.gz.part: cannot write (File too large)\n"), "\(full.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target), "the part removed, and the directory made for it")

        let sys = try CLI.run(["data", "fetch", "mnist", "--dir", "/sys/vae-tui-cache/mnist"], environment: Self.emptyHome())
        #expect(sys.status == 1 && sys.stderr.hasPrefix("vae-tui: error: cannot create /sys/vae-tui-cache/mnist ("), "\(sys.stderr)")
    }

    /// `eval` given no data scores a model on the set its checkpoint names: a shapes model on the shapes even where
    /// $VAE_TUI_DATA points at MNIST-format files, a Fashion-MNIST model nowhere when no Fashion-MNIST is here.
    @Test func evalScoresAModelOnTheSetItWasTrainedOn() throws {
        let dir = CLI.temporaryDirectory()
        let small = ["--epochs", "1", "--train-limit", "20", "--validation", "2", "--eval-limit", "2", "--latent", "2", "--hidden", "8"]
        let shapes = try CLI.run(["train"] + small + ["--run-dir", dir + "/shapes"])
        #expect(shapes.status == 0, "\(shapes.stderr)")
        let files = try IDXFixture.directory(gzip: true)
        let eval = try CLI.run(["eval", "--checkpoint", dir + "/shapes/checkpoint.safetensors", "--k", "2", "--limit", "3"],
                               environment: ["VAE_TUI_DATA": files])
        #expect(eval.status == 0 && eval.stdout.contains("on 3 shapes test images"), "\(eval.stdout) \(eval.stderr)")

        let fashion = try CLI.run(["train", "--data", files, "--dataset", "fashion-mnist"] + small + ["--run-dir", dir + "/fashion"])
        #expect(fashion.status == 0 && fashion.stdout.hasPrefix("vae-tui: fashion-mnist, 3 training / 2 validation"), "\(fashion.stdout) \(fashion.stderr)")
        let missing = try CLI.run(["eval", "--checkpoint", dir + "/fashion/checkpoint.safetensors"], environment: Self.emptyHome())
        #expect(missing.stderr == "vae-tui: error: the model was trained on fashion-mnist: Fashion-MNIST is not here: run `vae-tui data fetch fashion-mnist`, or give --data DIR\n",
                "\(missing.stderr)")
        let named = try CLI.run(["eval", "--checkpoint", dir + "/fashion/checkpoint.safetensors", "--data", files, "--k", "2"])
        #expect(named.status == 0 && named.stdout.contains("3 mnist test images"), "--data given: read as given, \(named.stdout) \(named.stderr)")
    }
}

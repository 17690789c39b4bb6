import Foundation
import Testing
import TestSupport

/// Every bad input gets one clear line and a non-zero exit, never a crash or a stack trace.
@Suite struct BadInputTests {
    static func expectFailure(_ arguments: [String], status: Int32, mentioning text: String,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try CLI.run(arguments)
        #expect(r.status == status, "\(arguments): status \(r.status), stderr \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(text), "\(arguments): stderr was \(r.stderr)", sourceLocation: sourceLocation)
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump"), sourceLocation: sourceLocation)
    }

    @Test(arguments: [
        (["train", "--k", "0"], "--k must be between 1 and 100000"),
        (["train", "--beta=-1"], "--beta must be a finite number >= 0"),
        (["train", "--lr", "0"], "--lr must be > 0"),
        (["train", "--batch", "0"], "--batch must be between"),
        (["train", "--threads", "0"], "--threads must be between 1 and 256"),
        (["train", "--epochs=-2"], "--epochs must be between"),
        (["train", "--free-bits=-0.5"], "--free-bits must be a finite number >= 0"),
        (["train", "--warmup-start", "2"], "--warmup-start must be between 0 and 1"),
        (["train", "--hidden", "200,x"], "--hidden must be comma-separated positive sizes"),
        (["train", "--objective", "vlb"], "objective"),
        (["train", "--free-bits-groups", "60"], "--free-bits-groups 60 exceeds the 50 latent units"),
        (["train", "--latent", "100,x"], "--latent takes sizes between 1 and 10000"),
        (["train", "--prior", "gmm"], "prior"),
        (["train", "--prior", "vamp", "--pseudo-inputs", "0"], "--pseudo-inputs must be between 1 and 10000, got 0"),
        (["train", "--flow-steps", "0"], "--flow-steps must be between 1 and 16"),
        (["train", "--decoder", "pixel"], "decoder"),
        (["train", "--ar-dropout", "0.5"], "--receptive-field and --ar-dropout need an autoregressive decoder"),
        (["train", "--decoder", "made", "--ar-dropout", "1"], "--ar-dropout must be in [0, 1)"),
        (["train", "--decoder", "made", "--receptive-field", "0"], "--receptive-field must be at least 1"),
        (["train", "--decoder", "made", "--receptive-field", "900"], "the receptive field 900 is not between 1 and the 784 pixels"),
        (["train", "--min-rate", "0.5", "--prior", "af"], "--min-rate holds a diagonal Gaussian q against N(0, I)"),
        (["train", "--aggressive-inner", "0"], "--aggressive-inner must be between 1 and 10000"),
        (["lab", "collapse", "--rows", "plain,nope"], "--rows: no row 'nope'"),
        (["lab", "collapse", "--epochs", "2", "--minutes", "1"], "give --epochs or --minutes, not both"),
        (["lab", "collapse", "--decoder", "factorized"], "--decoder takes an autoregressive decoder"),
        (["bench", "--compare"], "--compare needs --data"),
        (["bench", "--threading", "gpu"], "--threading takes split, blas or both"),
        (["bench", "--paper-batch-k-list", "0"], "--paper-batch-k-list also none"),
        (["eval", "--checkpoint", "x", "--k", "0"], "--k must be between"),
        (["train", "--no-such-flag"], "Unknown option '--no-such-flag'"),
        (["demo", "enumerate", "--states", "1"], "--states must be between 2 and 200, got 1"),
        (["demo", "enumerate", "--states", "1000"], "--states must be between 2 and 200, got 1000"),
    ])
    func impossibleFlagValues(arguments: [String], message: String) throws {
        try Self.expectFailure(arguments, status: 64, mentioning: message)
    }

    @Test(arguments: [
        (["demo", "binpack", "--posterior", "gaussian"], "The value 'gaussian' is invalid for '--posterior <posterior>'. Please provide one of 'diagonal', 'full' or 'iaf'."),
        (["demo", "binpack", "--prior", "laplace"],
         "The value 'laplace' is invalid for '--prior <prior>'. Please provide one of 'normal', 'flow' or 'vamp'."),
        (["bench", "--binpack", "--binpack-k", "0"], "--binpack-k must be between 1 and 1000"),
        (["bench", "--binpack", "--binpack-steps", "10"], "--binpack-steps must be at least 100"),
        (["demo", "binpack", "--steps", "200000"], "--steps must be between 0 and 100000, got 200000"),
        (["demo", "binpack", "--k", "0"], "--k must be between 1 and 1000, got 0"),
    ])
    func impossibleBinPackDemoFlags(arguments: [String], message: String) throws {
        try Self.expectFailure(arguments, status: 64, mentioning: message)
    }

    @Test func theBinPackDemoWithoutATerminal() throws {
        try Self.expectFailure(["demo", "binpack"], status: 1, mentioning: "the demo needs a terminal")
    }

    @Test func theDashboardWithoutATerminal() throws {
        try Self.expectFailure(["run", "--train-limit", "100"], status: 1, mentioning: "the dashboard needs a terminal")
    }

    @Test func theDemoWithoutATerminal() throws {
        try Self.expectFailure(["demo", "enumerate"], status: 1, mentioning: "the demo needs a terminal")
    }

    @Test func missingDataDirectory() throws {
        try Self.expectFailure(["train", "--data", "/nonexistent/mnist"], status: 1, mentioning: "data directory not found: /nonexistent/mnist")
        // VAE_TUI_DATA is --data's default, and --data wins over it.
        let fromEnvironment = try CLI.run(["train", "--epochs", "0"], environment: ["VAE_TUI_DATA": "/nonexistent/env-mnist"])
        #expect(fromEnvironment.status == 1 && fromEnvironment.stderr.contains("data directory not found: /nonexistent/env-mnist"))
    }

    @Test func brokenDataFiles() throws {
        let dir = CLI.temporaryDirectory()
        // An empty directory: the first file is missing.
        try Self.expectFailure(["train", "--data", dir], status: 1, mentioning: "train-images-idx3-ubyte")
        // Every file present (60,000 training labels, as the images' header says) but the training images truncated.
        try IDXFixture.write(IDXFixture.labels(count: 60_000), as: "train-labels-idx1-ubyte", in: dir)
        try IDXFixture.writeTestFiles(in: dir)
        var header = Data([0, 0, 8, 3, 0, 0, 0xEA, 0x60, 0, 0, 0, 28, 0, 0, 0, 28])
        header.append(Data(repeating: 0, count: 1000))
        try header.write(to: URL(fileURLWithPath: dir + "/train-images-idx3-ubyte"))
        try Self.expectFailure(["train", "--data", dir], status: 1, mentioning: "truncated")
        // Wrong magic number.
        var wrong = header
        wrong[3] = 1
        try wrong.write(to: URL(fileURLWithPath: dir + "/train-images-idx3-ubyte"))
        try Self.expectFailure(["train", "--data", dir], status: 1, mentioning: "magic")
    }

    @Test func badCheckpoints() throws {
        let dir = CLI.temporaryDirectory()
        try Self.expectFailure(["eval", "--checkpoint", dir + "/none.safetensors"], status: 1, mentioning: "checkpoint not found")
        try Data("not a checkpoint at all".utf8).write(to: URL(fileURLWithPath: dir + "/junk"))
        try Self.expectFailure(["eval", "--checkpoint", dir + "/junk"], status: 1, mentioning: "not a safetensors file")
        try Self.expectFailure(["train", "--epochs", "1", "--checkpoint", dir + "/no/such/dir/m.safetensors"], status: 1,
                               mentioning: "does not exist")
    }

    /// Exit 1 and exactly one stderr line, `vae-tui: error: …` saying `text`.
    static func expectOneLineError(_ arguments: [String], mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try CLI.run(arguments)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(r.status == 1, "\(arguments): status \(r.status), stderr \(r.stderr)", sourceLocation: sourceLocation)
        #expect(lines.count == 1 && lines[0].hasPrefix("vae-tui: error: ") && lines[0].contains(text),
                "\(arguments): stderr was \(r.stderr)", sourceLocation: sourceLocation)
    }

    /// A checkpoint whose tensor shape overflows Int (this once trapped), and one naming a tensor twice.
    @Test func hostileCheckpoints() throws {
        let dir = CLI.temporaryDirectory()
        func checkpoint(_ header: String, dataBytes: Int) throws -> String {
            var text = Data(header.utf8)
            while text.count % 8 != 0 { text.append(0x20) }
            var file = Data()
            withUnsafeBytes(of: UInt64(text.count).littleEndian) { file.append(contentsOf: $0) }
            let path = dir + "/\(UUID().uuidString).safetensors"
            try (file + text + Data(count: dataBytes)).write(to: URL(fileURLWithPath: path))
            return path
        }
        let overflow = try checkpoint(#"{"a":{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,4]}}"#, dataBytes: 4)
        try Self.expectOneLineError(["eval", "--checkpoint", overflow, "--limit", "10"], mentioning: "tensor a of shape [1099511627776, 1099511627776] is larger")
        let twice = try checkpoint(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, dataBytes: 8)
        try Self.expectOneLineError(["eval", "--checkpoint", twice, "--limit", "10"], mentioning: "the header names a twice")
    }

    /// A gzip bomb beside well-formed files (60,000 training labels, as its header says): 1 GB of zeros behind an
    /// honest header, in a file of about a megabyte, refused once the output passes the 47 MB the header promises
    /// (it once inflated it all).
    @Test func aGzipBombAsTrainingImages() throws {
        let dir = CLI.temporaryDirectory()
        try IDXFixture.write(IDXFixture.labels(count: 60_000), as: "train-labels-idx1-ubyte", in: dir)
        try IDXFixture.writeTestFiles(in: dir)
        let header = Data([0, 0, 8, 3, 0, 0, 0xEA, 0x60, 0, 0, 0, 28, 0, 0, 0, 28])  // 60,000 images of 28x28
        let zeros = try IDXFixture.gzipped(Data(count: 16 << 20))
        var bomb = try IDXFixture.gzipped(header)
        for _ in 0..<64 { bomb.append(zeros) }  // concatenated members: one stream of 1 GB
        try bomb.write(to: URL(fileURLWithPath: dir + "/train-images-idx3-ubyte.gz"))
        try Self.expectOneLineError(["train", "--data", dir, "--epochs", "1", "--train-limit", "100", "--validation", "10"],
                                    mentioning: "inflates to more than the 47040016 bytes its header promises")
    }

    /// A run's checkpoint whose configuration names another model than config.json (relu for tanh: the same
    /// shapes, so its weights would load): refused, not resumed as if nothing were wrong.
    @Test func aRunCheckpointNamingAnotherModel() throws {
        let run = CLI.temporaryDirectory() + "/run"
        let first = try CLI.run(["train", "--epochs", "1", "--train-limit", "100", "--validation", "50", "--latent", "4",
                                 "--hidden", "16", "--eval-limit", "50", "--run-dir", run])
        #expect(first.status == 0, "\(first.stderr)")
        let path = run + "/checkpoint.safetensors"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let range = try #require(bytes.range(of: Data(#"\"activation\":\"tanh\""#.utf8)), "no activation in the metadata")
        bytes.replaceSubrange(range, with: Data(#"\"activation\":\"relu\""#.utf8))
        try bytes.write(to: URL(fileURLWithPath: path))
        try Self.expectOneLineError(["train", "--resume", run, "--epochs", "1"], mentioning: "is not the run's")
    }

    /// A checkpoint whose configuration disagrees with its tensors' shapes (its metadata edited, same length):
    /// a one-line error naming the tensor, exit 1, never a trap.
    @Test func aCheckpointWhoseShapesDisagreeWithItsModel() throws {
        let dir = CLI.temporaryDirectory()
        let path = dir + "/m.safetensors"
        let train = try CLI.run(["train", "--epochs", "1", "--train-limit", "100", "--validation", "50", "--latent", "6",
                                 "--hidden", "16", "--eval-limit", "50", "--checkpoint", path])
        #expect(train.status == 0, "\(train.stderr)")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let from = Data(#"\"latentSize\":6"#.utf8), to = Data(#"\"latentSize\":5"#.utf8)
        let range = try #require(bytes.range(of: from), "no latentSize in the metadata")
        bytes.replaceSubrange(range, with: to)
        try bytes.write(to: URL(fileURLWithPath: path))
        try Self.expectFailure(["eval", "--checkpoint", path, "--limit", "10"], status: 1, mentioning: "checkpoint is for another model")
    }
}

import Foundation
import Testing

/// The headless commands, end to end through the real binary, on the built-in data set.
@Suite(.serialized) struct HeadlessCommandTests {
    /// A small model on a slice of the built-in shapes, so a debug build trains an epoch in seconds.
    static let small = ["--train-limit", "400", "--latent", "6", "--hidden", "32", "--validation", "100", "--batch", "50"]

    /// Every family from the command line: two stochastic layers report each layer's KL and active units,
    /// the flows train, and eval reads the parts from the checkpoint.
    @Test(arguments: [(["--latent", "4,2"], "→100-100-2"), (["--posterior", "iaf", "--flow-hidden", "16"], "IAF posterior 2×16"),
                      (["--posterior", "full"], "full-covariance posterior"),
                      (["--prior", "af", "--flow-hidden", "16"], "AF prior 2×16"),
                      (["--prior", "vamp", "--pseudo-inputs", "20"], "VampPrior K=20"),
                      (["--latent", "4,2", "--posterior", "iaf", "--prior", "af", "--flow-hidden", "16"], "IAF posterior 2×16 on z2, AF prior 2×16 on z2"),
                      (["--decoder", "made", "--decoder-hidden", "32", "--receptive-field", "28"], "decoder MADE (receptive field 28 pixels)"),
                      (["--decoder", "pixelcnn", "--decoder-hidden", "4,4"], "decoder PixelCNN 2 masked 3x3 layers of 4 channels")])
    func everyFamilyTrainsAndEvaluates(family: [String], model: String) throws {
        let dir = CLI.temporaryDirectory()
        let log = dir + "/run.jsonl", checkpoint = dir + "/model.safetensors"
        let small = ["--train-limit", "200", "--hidden", "16", "--validation", "100", "--batch", "50", "--latent", "6"]
        let train = try CLI.run(["train", "--epochs", "1", "--eval-limit", "100", "--log", log, "--checkpoint", checkpoint] + small + family)
        #expect(train.status == 0, "\(train.stderr)")
        let records = try CLI.jsonLines(log)
        #expect((records.first?["model"] as? String)?.contains(model) == true, "the run built \(records.first?["model"] ?? "?")")
        let epoch = try #require(records.last)
        let layers = family.contains("4,2") ? 2 : 1
        #expect((epoch["kl_layers"] as? [Double])?.count == layers && (epoch["active_units_layers"] as? [Int])?.count == layers)
        let eval = try CLI.run(["eval", "--checkpoint", checkpoint, "--k", "10", "--limit", "20", "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let described = try CLI.run(["eval", "--checkpoint", checkpoint, "--k", "10", "--limit", "5"])
        #expect(described.stdout.contains(model), "eval reads the parts from the checkpoint: \(described.stdout)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
        #expect((result["nll"] as? Double).map { $0.isFinite && $0 > 0 } == true, "\(result)")
    }

    /// `lab collapse` on the built-in shapes: a row per chosen setting, the table in Markdown and JSON.
    @Test func theCollapseLabWritesItsTable() throws {
        let dir = CLI.temporaryDirectory()
        let run = try CLI.run(["lab", "collapse", "--epochs", "1", "--rows", "factorized,plain,min-rate", "--train-limit", "300",
                               "--validation", "100", "--nll-images", "5", "--nll-k", "10", "--eval-images", "50", "--out", dir + "/lab"])
        #expect(run.status == 0, "\(run.stderr)")
        let markdown = try String(contentsOfFile: dir + "/lab.md", encoding: .utf8)
        #expect(markdown.contains("| factorised decoder, plain ELBO, Adam 1e-3 |") && markdown.contains("| MADE, minimum rate δ = 0.2 nats per unit |"))
        let table = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/lab.json"))) as? [String: Any])
        let rows = try #require(table["rows"] as? [[String: Any]])
        #expect(rows.map { $0["key"] as? String } == ["factorized", "plain", "min-rate"])
        // The minimum rate holds by construction: at least 0.2 nats on each of the 50 units.
        #expect((rows[2]["rate"] as? Double).map { $0 >= 0.2 * 50 - 1e-3 } == true, "\(rows[2])")
        #expect(rows.allSatisfy { ($0["z_use"] as? Double)?.isFinite == true && ($0["nll"] as? Double)?.isFinite == true })
    }

    /// A run of 2 epochs and a run of 1 epoch resumed for 1 more give the same numbers bit for bit: the same
    /// epoch-2 record (bar the timings) and byte-identical checkpoints (weights, optimiser moments, stream).
    /// The run directory holds its four files; config.json alone is enough to resume; eval reads the checkpoint.
    @Test func aResumedRunIsTheSameRun() throws {
        let dir = CLI.temporaryDirectory()
        let small = ["--train-limit", "300", "--validation", "100", "--latent", "4", "--hidden", "16", "--batch", "50",
                     "--eval-limit", "50", "--seed", "7"]
        let whole = try CLI.run(["train", "--epochs", "2", "--run-dir", dir + "/whole"] + small)
        #expect(whole.status == 0, "\(whole.stderr)")
        let first = try CLI.run(["train", "--epochs", "1", "--run-dir", dir + "/split"] + small)
        #expect(first.status == 0, "\(first.stderr)")
        let again = try CLI.run(["train", "--epochs", "1", "--run-dir", dir + "/split"] + small)
        #expect(again.status != 0 && again.stderr.contains("already holds a run"), "a run directory is not overwritten")
        let resumed = try CLI.run(["train", "--resume", dir + "/split", "--epochs", "1"])
        #expect(resumed.status == 0 && resumed.stdout.contains("resumed after epoch 1"), "\(resumed.stderr)")

        for name in ["config.json", "metrics.jsonl", "checkpoint.safetensors", "best.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/split/" + name), "run directory lacks \(name)")
        }
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/split/config.json"))) as? [String: Any])
        let training = try #require(config["training"] as? [String: Any])
        #expect(config["validation"] as? Int == 100 && config["trainLimit"] as? Int == 300 && config["epochs"] as? Int == 1)
        #expect(training["seed"] as? Int == 7 && training["batchSize"] as? Int == 50 && (training["model"] as? [String: Any])?["latentSize"] as? Int == 4)

        func epochTwo(_ run: String) throws -> [String: Any] {
            try #require(try CLI.jsonLines(dir + "/" + run + "/metrics.jsonl").first { $0["event"] as? String == "epoch" && $0["epoch"] as? Int == 2 })
        }
        let a = try epochTwo("whole"), b = try epochTwo("split")
        for key in ["step", "train_objective", "train_loss", "test_elbo", "kl", "kl_per_unit", "probe_l50", "validation_elbo", "lr"] {
            #expect(String(describing: a[key]) == String(describing: b[key]), "\(key): \(String(describing: a[key])) vs \(String(describing: b[key]))")
        }
        let wholeBytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/whole/checkpoint.safetensors"))
        let splitBytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/split/checkpoint.safetensors"))
        // One Bool: a failing == of two 300 KB Data values has Swift Testing diff them byte by byte, for many minutes.
        let identical = wholeBytes == splitBytes
        let firstDifference = zip(wholeBytes, splitBytes).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(identical, "the resumed run's checkpoint differs: \(wholeBytes.count) and \(splitBytes.count) bytes, first difference at byte \(firstDifference.map(String.init) ?? "none")")
        let eval = try CLI.run(["eval", "--checkpoint", dir + "/split/checkpoint.safetensors", "--k", "5", "--limit", "5"])
        #expect(eval.status == 0, "eval reads a run's checkpoint, state and all: \(eval.stderr)")
    }

    /// Every preset in assets/presets parses and starts a run (its run directory written); `vae-tui presets` lists
    /// them with the papers' figures; a flag on the command line overrides the preset's setting.
    @Test func everyPresetStartsAndFlagsOverrideIt() throws {
        let list = try CLI.run(["presets"])
        #expect(list.status == 0 && list.stdout.contains("iwae-vae-k1") && list.stdout.contains("nll 86.76"), "\(list.stderr)")
        let lines = list.stdout.split(separator: "\n")
        let names = lines.filter { !$0.contains("[demo binpack]") }.map { String($0.split(separator: " ")[0]) }
        let demoNames = lines.filter { $0.contains("[demo binpack]") }.map { String($0.split(separator: " ")[0]) }
        #expect(names.count >= 26 && demoNames.count >= 6)
        let dir = CLI.temporaryDirectory()
        for name in names {
            let run = try CLI.run(["train", "--preset", name, "--epochs", "0", "--validation", "100", "--run-dir", dir + "/" + name])
            #expect(run.status == 0, "\(name): \(run.stderr)")
        }
        // A demo's preset parses and passes the demo's checks, which then asks for a terminal (tmux tests the rest).
        for name in demoNames {
            let demo = try CLI.run(["demo", "binpack", "--preset", name])
            #expect(demo.status == 1 && demo.stderr == "vae-tui: error: the demo needs a terminal\n", "\(name): \(demo.stderr)")
        }
        let wrong = try CLI.run(["train", "--preset", demoNames[0]])
        #expect(wrong.status == 1 && wrong.stderr.contains("a preset for `demo binpack`, not `train`"))
        let overridden = try CLI.run(["train", "--preset=iwae-iwae-k5", "--k", "2", "--epochs", "1", "--train-limit", "100",
                                      "--validation", "100", "--eval-limit", "10", "--run-dir", dir + "/override"])
        #expect(overridden.status == 0, "\(overridden.stderr)")
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/override/config.json"))) as? [String: Any])
        let training = try #require(config["training"] as? [String: Any]), objective = try #require(training["objective"] as? [String: Any])
        #expect(objective["k"] as? Int == 2 && objective["kind"] as? String == "iwae", "the flag wins, the rest is the preset's")
        #expect(training["learningRateSchedule"] as? String == "iwae" && training["batchSize"] as? Int == 20)
    }

    /// An unknown preset, a file that is not a preset, and a preset with a setting train does not take: one line
    /// naming the file (and the setting), exit status 1.
    @Test func badPresetsAreRefusedWithTheirFile() throws {
        let dir = CLI.temporaryDirectory()
        let unknown = try CLI.run(["train", "--preset", "no-such-preset"])
        #expect(unknown.status == 1 && unknown.stderr.contains("no preset 'no-such-preset'") && unknown.stderr.contains("iwae-vae-k1"))
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: dir + "/broken.json"))
        let broken = try CLI.run(["train", "--preset", dir + "/broken.json"])
        #expect(broken.status == 1 && broken.stderr.contains(dir + "/broken.json: not a preset"), "\(broken.stderr)")
        try Data(#"{"description": "x", "settings": {"kk": 5}}"#.utf8).write(to: URL(fileURLWithPath: dir + "/field.json"))
        let field = try CLI.run(["train", "--preset", dir + "/field.json"])
        #expect(field.status == 1 && field.stderr.contains(dir + "/field.json") && field.stderr.contains("--kk"), "\(field.stderr)")
        #expect(field.stderr.split(separator: "\n").count == 1, "one line")
    }

    /// `reproduce` trains each chosen row from its preset in its own run directory, prints and writes the table
    /// (the IAF rows without the papers' figures, which are of larger models), skips a finished row when run again, and continues a row that stopped before
    /// its last epoch (simulated: a finished 1-epoch row whose config is given a second epoch).
    @Test func reproduceTrainsResumesAndPrintsTheTable() throws {
        let dir = CLI.temporaryDirectory()
        let args = ["reproduce", "iaf", "--epochs", "1", "--rows", "iaf-diag-normal,iaf-iaf-normal", "--train-limit", "200",
                    "--validation", "100", "--nll-images", "5", "--nll-k", "10", "--dir", dir + "/table"]
        let first = try CLI.run(args)
        #expect(first.status == 0, "\(first.stderr)")
        let table = try String(contentsOfFile: dir + "/table/table.md", encoding: .utf8)
        #expect(table.contains("| iaf-diag-normal | 1 |") && table.contains("| iaf-iaf-normal | 1 |") && table.contains("reduced budget"), "\(table)")
        #expect(!table.contains("79.88"), "no paper figure of a ResNet-scale model beside an MLP's: \(table)")
        let again = try CLI.run(args)
        #expect(again.status == 0 && again.stdout.components(separatedBy: "finished and evaluated").count == 3, "\(again.stdout)")

        let config = dir + "/table/iaf-iaf-normal/config.json"
        var settings = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: config))) as? [String: Any])
        settings["epochs"] = 2
        try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: config))
        let resumed = try CLI.run(args)
        #expect(resumed.status == 0 && resumed.stdout.contains("resumed after epoch 1") && resumed.stdout.contains("epoch 2"), "\(resumed.stdout)")
        #expect(try String(contentsOfFile: dir + "/table/table.md", encoding: .utf8).contains("| iaf-iaf-normal | 2 |"))
    }

    /// `reproduce --minutes` stops each row after the first epoch past its time and counts the row finished there;
    /// `--preset` applies a preset's settings to every row; the two budgets together are refused.
    @Test func reproduceOnATimeBudgetWithASharedPreset() throws {
        let dir = CLI.temporaryDirectory()
        try Data(#"{"description": "smaller batches", "settings": {"batch": 50}}"#.utf8).write(to: URL(fileURLWithPath: dir + "/batch.json"))
        let args = ["reproduce", "iaf", "--minutes", "0.0001", "--preset", dir + "/batch.json", "--rows", "iaf-diag-normal",
                    "--train-limit", "200", "--validation", "100", "--nll-images", "5", "--nll-k", "10", "--dir", dir + "/table"]
        let run = try CLI.run(args)
        #expect(run.status == 0 && run.stdout.contains("stopped after epoch 1"), "\(run.stdout) \(run.stderr)")
        let table = try String(contentsOfFile: dir + "/table/table.md", encoding: .utf8)
        #expect(table.contains("| iaf-diag-normal | 1 |") && table.contains("minutes of training per row"), "\(table)")
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/table/iaf-diag-normal/config.json"))) as? [String: Any])
        let training = try #require(config["training"] as? [String: Any])
        #expect(config["epochs"] as? Int == 1 && training["batchSize"] as? Int == 50)
        let again = try CLI.run(args)
        #expect(again.status == 0 && again.stdout.contains("finished and evaluated"), "the row is finished where the time stopped it")
        let both = try CLI.run(["reproduce", "iaf", "--minutes", "1", "--epochs", "2"])
        #expect(both.status == 64 && both.stderr.contains("--epochs and --minutes are two budgets"))
    }

    /// `train --inject-nan`: each NaN caught, counted in the epoch record and recovered from, the run finished
    /// with finite numbers; NaN at every step stops with one line and status 1 instead of looping.
    @Test func injectedNaNsInTrainingAreCaughtAndAHopelessRunStops() throws {
        let dir = CLI.temporaryDirectory()
        let run = try CLI.run(["train", "--epochs", "2", "--eval-limit", "100", "--inject-nan", "3,9,14:weight", "--run-dir", dir + "/run"] + Self.small)
        #expect(run.status == 0, "\(run.stderr)")
        let epochs = try CLI.jsonLines(dir + "/run/metrics.jsonl").filter { $0["event"] as? String == "epoch" }
        #expect(epochs.last?["nonfinite_steps"] as? Int == 3 && epochs.last?["recoveries"] as? Int == 3)
        #expect((epochs.last?["test_elbo"] as? Double)?.isFinite == true)
        let hopeless = try CLI.run(["train", "--epochs", "2", "--inject-nan", "every", "--run-dir", dir + "/hopeless"] + Self.small)
        #expect(hopeless.status == 1 && hopeless.stderr.hasPrefix("vae-tui: error: training cannot recover: NaN or Inf at every step"))
        let bad = try CLI.run(["train", "--inject-nan", "3:bias"] + Self.small)
        #expect(bad.status == 64 && bad.stderr.contains("--inject-nan"))
    }

    /// The shells' completion scripts: every command, directories completed for --data and --run-dir, the
    /// presets' names asked of the program itself.
    @Test(arguments: ["bash", "zsh", "fish"]) func completionScripts(shell: String) throws {
        let script = try CLI.run(["--generate-completion-script", shell])
        #expect(script.status == 0 && script.stdout.contains("presets") && script.stdout.contains("run-dir") && script.stdout.contains("--preset"))
    }

    @Test func trainWritesTheLogAndACheckpointThatEvalReads() throws {
        let dir = CLI.temporaryDirectory()
        let log = dir + "/run.jsonl", checkpoint = dir + "/model.safetensors"
        let train = try CLI.run(["train", "--epochs", "2", "--eval-limit", "200", "--log", log, "--checkpoint", checkpoint, "--seed", "3"] + Self.small)
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("shapes"))
        #expect(train.stdout.contains("epoch 2"))
        let records = try CLI.jsonLines(log)
        #expect(records.first?["event"] as? String == "start")
        for key in ["blas", "blas_kernel", "cpu", "version"] { #expect(records.first?[key] is String, "start record lacks \(key)") }
        let epochs = records.filter { $0["event"] as? String == "epoch" }
        #expect(epochs.count == 2)
        for key in ["epoch", "step", "train_objective", "test_elbo", "kl", "active_units", "samples_per_s", "seconds",
                    "mi", "mi_ba", "probe_l1", "probe_l5", "probe_l50", "kl_per_unit"] {
            #expect(epochs[1][key] != nil, "epoch record lacks \(key)")
        }
        #expect(epochs[1]["step"] as? Int == 16, "400 images / batch 50 = 8 steps an epoch")
        let l1 = try #require(epochs[1]["probe_l1"] as? Double), l50 = try #require(epochs[1]["probe_l50"] as? Double)
        #expect(l1 <= l50, "L_1 \(l1) should not exceed L_50 \(l50)")

        let eval = try CLI.run(["eval", "--checkpoint", checkpoint, "--k", "20", "--limit", "30", "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
        for key in ["nll", "elbo", "kl", "active_units", "mi", "mi_ba"] { #expect(result[key] != nil, "eval --json lacks \(key)") }
        let bound = try #require(result["mi_ba"] as? Double)
        #expect(bound <= 784 * Foundation.log(2.0), "the BA bound is below H(x): \(bound)")
        let nll = try #require(result["nll"] as? Double), elbo = try #require(result["elbo"] as? Double)
        #expect(nll > 0 && -nll >= elbo - 1, "-NLL (L_20) should be about or above the ELBO: \(nll) vs \(elbo)")

        // The same seed repeats the run exactly.
        let again = dir + "/again.jsonl"
        _ = try CLI.run(["train", "--epochs", "2", "--eval-limit", "200", "--log", again, "--seed", "3"] + Self.small)
        let a = try CLI.jsonLines(again).filter { $0["event"] as? String == "epoch" }
        #expect(a[1]["train_objective"] as? Double == epochs[1]["train_objective"] as? Double)
    }

    @Test func aLogIsAppendedToNeverTruncated() throws {
        let dir = CLI.temporaryDirectory()
        let log = dir + "/run.jsonl"
        try Data("{\"mine\":1}\n".utf8).write(to: URL(fileURLWithPath: log))
        let r = try CLI.run(["train", "--epochs", "1", "--eval-limit", "50", "--log", log] + Self.small)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = try CLI.jsonLines(log)
        #expect(lines.first?["mine"] as? Int == 1)
        #expect(lines.count == 3)
    }

    @Test func helpListsEveryCommand() throws {
        let r = try CLI.run(["--help"])
        #expect(r.status == 0)
        for command in ["run", "train", "eval", "bench"] { #expect(r.stdout.contains(command)) }
    }
}

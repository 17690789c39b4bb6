import Foundation
import Testing

/// `vae-tui show`: runs written out as SVG without a terminal, and followed live in tmux.
@Suite(.serialized) struct ShowTests {
    @Test func exportWritesEveryMetricThePlaneAndEachRunsUnits() throws {
        let dir = CLI.temporaryDirectory()
        for (name, beta) in [("a", "1"), ("b", "3")] {
            let train = try CLI.run(["train", "--epochs", "2", "--eval-limit", "200", "--beta", beta, "--run-dir", dir + "/" + name] + HeadlessCommandTests.small)
            #expect(train.status == 0, "\(train.stderr)")
        }
        let show = try CLI.run(["show", dir + "/a", dir + "/b", "--export", dir + "/out"])
        #expect(show.status == 0, "\(show.stderr)")
        let written = show.stdout.split(separator: "\n").map(String.init)
        #expect(written.contains(dir + "/out/curves-elbo-test.svg") && written.contains(dir + "/out/units-2-b.svg"))
        #expect(written.count == 9 + 1 + 2, "every metric of an epoch record, the plane, and both runs' unit bars")
        let plane = try String(contentsOfFile: dir + "/out/rate-distortion.svg", encoding: .utf8)
        #expect(plane.contains("fill=\"#ff4040\"") && plane.contains("fill=\"#00ff00\"") && plane.contains("−ELBO"))
        let planeText = try String(contentsOfFile: dir + "/out/rate-distortion.txt", encoding: .utf8)
        #expect(planeText.contains("2 runs │ rate-distortion plane") && planeText.contains("× held-out"))
        let curves = try String(contentsOfFile: dir + "/out/curves-elbo-test.svg", encoding: .utf8)
        // Both runs' curves, each in its colour (categories 0 and 1: bright red and bright green).
        #expect(curves.contains("fill=\"#ff4040\"") && curves.contains("fill=\"#00ff00\"") && curves.contains("<circle"))
        let text = try String(contentsOfFile: dir + "/out/curves-elbo-test.txt", encoding: .utf8)
        #expect(text.contains("2 runs │ -ELBO test") && text.contains("1 a ") && text.contains("2 b "))

        let missing = try CLI.run(["show", dir + "/nothing"])
        #expect(missing.status == 1 && missing.stderr == "vae-tui: error: \(dir)/nothing: no such run directory or log\n")
        let noTerminal = try CLI.run(["show", dir + "/a"])
        #expect(noTerminal.status == 1 && noTerminal.stderr.contains("show needs a terminal"))
    }

    /// A log that grows while show --follow is open: the new point reaches the screen; keys switch the metric.
    @Test(.enabled(if: Tmux.available, "needs tmux")) func followReadsNewRecords() throws {
        let dir = CLI.temporaryDirectory(), log = dir + "/live.jsonl"
        try (#"{"event":"start","parts":"z2 test"}"# + "\n" + #"{"event":"eval","step":10,"test_elbo":-150,"kl":2}"# + "\n")
            .write(toFile: log, atomically: true, encoding: .utf8)
        try Tmux.running("show --follow \(log)", in: dir) { tmux, status in
            _ = try tmux.waitFor("the run") { $0.contains("1 live 150 · step 10") && $0.contains("following") }
            let handle = try #require(FileHandle(forWritingAtPath: log))
            handle.seekToEndOfFile()
            handle.write(Data((#"{"event":"eval","step":20,"test_elbo":-120.5,"kl":3}"# + "\n").utf8))
            try handle.close()
            _ = try tmux.waitFor("the new record") { $0.contains("1 live 120 · step 20") }
            tmux.send("Right")
            _ = try tmux.waitFor("the rate") { $0.contains("1 run │ rate (KL)") && $0.contains("1 live 3.00") }
            tmux.send("q")
            let exit = try Tmux.waitForFile(status) { $0.contains("EXIT=") }
            #expect(exit.trimmingCharacters(in: .whitespacesAndNewlines) == "EXIT=0")
        }
    }
}

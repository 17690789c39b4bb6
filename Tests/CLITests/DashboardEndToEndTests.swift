import Foundation
import Testing

/// The real binary in a real terminal: tmux on a private socket, keys sent with send-keys and the
/// screen read back with capture-pane. Every wait is for text on screen, never a fixed sleep.
@Suite(.serialized, .enabled(if: Tmux.available, "needs tmux"))
struct DashboardEndToEndTests {
    @Test func theDashboardTrainsRespondsToKeysResizesAndQuits() throws {
        let dir = CLI.temporaryDirectory()
        let log = dir + "/run.jsonl"
        try Tmux.running("run --train-limit 3000 --validation 200 --latent 8 --hidden 64 --log \(log)", in: dir) { tmux, status in

            // Training starts at once: the step counter appears and advances.
            let first = try tmux.waitFor("step counter") { Tmux.step(in: $0).map { $0 > 0 } ?? false }
            let s1 = Tmux.step(in: first)!
            let later = try tmux.waitFor("step counter to advance") { (Tmux.step(in: $0) ?? 0) > s1 + 5 }
            #expect(later.contains("curves") && later.contains("knobs") && later.contains("q(z|x)"))

            // B raises beta from 1 to 1.5: on screen, and in the engine (the log records the applied command).
            tmux.send("B")
            _ = try tmux.waitFor("beta 1.5 on screen") { $0.contains("beta") && Tmux.line(containing: "beta", in: $0)?.contains("1.5") == true }
            _ = try Tmux.waitForFile(log) { $0.contains(#""command":"beta","value":1.5"#) }

            // Space pauses: the step counter stops; space again resumes.
            tmux.send("Space")
            let pausedScreen = try tmux.waitFor("paused") { $0.contains("paused") }
            let pausedStep = Tmux.step(in: pausedScreen)!
            Thread.sleep(forTimeInterval: 1)
            #expect(Tmux.step(in: tmux.capture()) == pausedStep, "no steps while paused")
            tmux.send("Space")
            _ = try tmux.waitFor("running again") { (Tmux.step(in: $0) ?? 0) > pausedStep && $0.contains("running") }

            // Too small, then back.
            tmux.resize(width: 60, height: 20)
            _ = try tmux.waitFor("too-small message") { $0.contains("terminal too small") }
            tmux.resize(width: 120, height: 40)
            _ = try tmux.waitFor("dashboard back") { $0.contains("knobs") && $0.contains("q(z|x)") && !$0.contains("too small") }

            // d opens the demo menu, each demo's key the demo on the same screen; its leaving key comes back to the
            // dashboard, whose training went on meanwhile. Every demo of the one registry, the same way.
            let demos: [(key: String, line: String, screen: [String], leave: String)] = [
                ("e", "e    marginal by enumeration", ["marginal by enumeration │ K=4 │ step 0", "L_1000"], "Escape"),
                ("b", "b    bin packing", ["demo: bin packing │ step 0", "Barber-Agakov"], "Escape"),
                ("u", "u    dequantization", ["dequantization │ step 0", "bits per dimension"], "q"),
            ]
            for demo in demos {
                let before = Tmux.step(in: tmux.capture()) ?? 0
                tmux.send("d")
                _ = try tmux.waitFor("demo menu with \(demo.line)") { $0.contains("demos") && $0.contains(demo.line) }
                tmux.send(demo.key)
                _ = try tmux.waitFor("the demo of \(demo.key)") { screen in demo.screen.allSatisfy { screen.contains($0) } }
                tmux.send(demo.leave)
                _ = try tmux.waitFor("dashboard after the demo of \(demo.key)") {
                    $0.contains("knobs") && $0.contains("q(z|x)") && !$0.contains(demo.screen[0]) && (Tmux.step(in: $0) ?? 0) > before
                }
            }

            // q quits with status 0 and gives the terminal back.
            tmux.send("q")
            let exit = try Tmux.waitForFile(status) { $0.contains("EXIT=") }
            #expect(exit.trimmingCharacters(in: .whitespacesAndNewlines) == "EXIT=0")
            let after = tmux.capture()
            #expect(!after.contains("knobs"), "the dashboard is gone from the restored screen")
        }
    }

    /// An IAF run names its parts on the status line; m then 5 and y restart it with two stochastic layers,
    /// whose units pane counts each layer, and the log records the model command.
    /// Keys already waiting are handled before the next frame, not a frame each: q after a paste of 3,000 keys on
    /// a 300×100 screen quits at once (measured, release build: 0.1 s; with a frame per key, 3.5 s).
    @Test func qAfterAPasteQuitsAtOnce() throws {
        try Tmux.running("run --train-limit 1000 --validation 100 --latent 4 --hidden 16", width: 300, height: 100) {
            tmux, status in
            _ = try tmux.waitFor("training") { (Tmux.step(in: $0) ?? 0) > 0 }
            let (exit, seconds) = try tmux.exit(afterPasting: 3000, of: "z", then: "q", status: status)
            #expect(exit == "EXIT=0")
            #expect(seconds < 3, "q after the paste took \(seconds) s")
        }
    }

    @Test func theModelMenuSwitchesAnIAFRunToTwoLayers() throws {
        let dir = CLI.temporaryDirectory()
        let log = dir + "/run.jsonl"
        try Tmux.running(
            "run --train-limit 2000 --validation 200 --latent 4 --hidden 32 --posterior iaf --flow-hidden 16 --log \(log)", in: dir) { tmux, status in
            _ = try tmux.waitFor("an IAF run training") { $0.contains("z4 IAF×2·N(0,I)·Bern") && (Tmux.step(in: $0) ?? 0) > 3 }
            tmux.send("m")
            _ = try tmux.waitFor("model menu") { $0.contains("5    two stochastic layers") }
            tmux.send("5")
            _ = try tmux.waitFor("confirmation") { $0.contains("Restart training with two stochastic layers") }
            tmux.send("y")
            _ = try tmux.waitFor("two layers training") { $0.contains("Gauss×2") && $0.contains("AU z1") && (Tmux.step(in: $0) ?? 0) > 3 }
            _ = try Tmux.waitForFile(log) { $0.contains(#""command":"model","value":"twoLayers""#) }
            tmux.send("q")
            let exit = try Tmux.waitForFile(status) { $0.contains("EXIT=") }
            #expect(exit.trimmingCharacters(in: .whitespacesAndNewlines) == "EXIT=0")
        }
    }

    /// A MADE-decoder run collapses on screen: the banner names the remedies' keys. Beta 5 makes it collapse
    /// in a few steps on the built-in shapes (the unforced collapse on MNIST takes the release build a couple
    /// of epochs: `vae-tui lab collapse`). C turns conditioning dropout up and A aggressive training on: both on
    /// the knobs pane and in the log.
    @Test func aMADERunCollapsesAndTakesItsRemedies() throws {
        let dir = CLI.temporaryDirectory()
        let log = dir + "/run.jsonl"
        try Tmux.running(
            "run --train-limit 3000 --validation 200 --latent 8 --hidden 64 --decoder made --decoder-hidden 64 --beta 5 --log \(log)", in: dir) { tmux, status in
            _ = try tmux.waitFor("the collapse banner") { $0.contains("z8 Gauss·N(0,I)·MADE r783") && $0.contains("POSTERIOR COLLAPSE") && $0.contains("C AR dropout") }
            tmux.send("C")
            _ = try tmux.waitFor("AR dropout 0.1 on screen") { Tmux.line(containing: "c/C AR dropout", in: $0)?.contains("0.1") == true }
            _ = try Tmux.waitForFile(log) { $0.contains(#""command":"ar_dropout","value":0.1"#) }
            tmux.send("A")
            _ = try tmux.waitFor("aggressive training on screen") { Tmux.line(containing: "A   aggressive", in: $0)?.contains("enc steps") == true }
            _ = try Tmux.waitForFile(log) { $0.contains(#""command":"aggressive","value":true"#) }
            tmux.send("q")
            let exit = try Tmux.waitForFile(status) { $0.contains("EXIT=") }
            #expect(exit.trimmingCharacters(in: .whitespacesAndNewlines) == "EXIT=0")
        }
    }

    /// A dashboard run is kept in its run directory: quitting saves it with a picture of the final screen,
    /// S saves the screen there any time, and `run --resume` reopens it at the step it reached, with its knobs.
    @Test func aDashboardRunResumes() throws {
        let dir = CLI.temporaryDirectory(), runDir = dir + "/run"
        let small = "--train-limit 1000 --validation 200 --latent 4 --hidden 16"
        let saved = try Tmux.running("run \(small) --run-dir \(runDir)") { first, firstStatus in
            _ = try first.waitFor("training") { (Tmux.step(in: $0) ?? 0) > 20 }
            first.send("B")
            _ = try first.waitFor("beta 1.5") { Tmux.line(containing: "b/B beta", in: $0)?.contains("1.5") == true }
            first.send("S")
            _ = try first.waitFor("the screenshot's notice") { $0.contains("saved \(runDir)/screen-") }
            let shots = try FileManager.default.contentsOfDirectory(atPath: runDir).filter { $0.hasPrefix("screen-") }.sorted()
            #expect(shots.count == 2 && shots[0].hasSuffix(".svg") && shots[1].hasSuffix(".txt"))
            let text = try String(contentsOfFile: runDir + "/" + shots[1], encoding: .utf8)
            #expect(text.contains("b/B beta") && text.split(separator: "\n").count == 40)
            first.send("q")
            _ = try Tmux.waitForFile(firstStatus) { $0.contains("EXIT=0") }
            let finalScreen = try String(contentsOfFile: runDir + "/final-screen.svg", encoding: .utf8)
            #expect(finalScreen.hasPrefix("<svg") && finalScreen.hasSuffix("</svg>\n") && finalScreen.contains("<circle"))
            #expect(FileManager.default.fileExists(atPath: runDir + "/final-screen.txt"))
            #expect(FileManager.default.fileExists(atPath: runDir + "/checkpoint.safetensors") && FileManager.default.fileExists(atPath: runDir + "/curves.json"))
            return try #require(try CLI.jsonLines(runDir + "/metrics.jsonl").last { $0["command"] as? String == "quit" }?["step"] as? Int)
        }

        try Tmux.running("run --resume \(runDir)") { second, secondStatus in
            _ = try second.waitFor("the run reopened") {
                $0.contains("resumed at step \(saved)") && Tmux.line(containing: "b/B beta", in: $0)?.contains("1.5") == true
            }
            _ = try second.waitFor("training on from there") { (Tmux.step(in: $0) ?? 0) > saved }
            second.send("q")
            _ = try Tmux.waitForFile(secondStatus) { $0.contains("EXIT=0") }
        }
    }
}

import Foundation
import Testing

/// The fault suite's terminal faults, a few tries each (bench/faults/terminal_faults.py runs the full counts):
/// hostile terminals, key and resize storms, signals, and NaNs injected into the dashboard's training.
@Suite(.serialized, .enabled(if: Tmux.available, "needs tmux"))
struct TerminalFaultTests {
    static let small = "--train-limit 1000 --validation 100 --latent 4 --hidden 16"

    /// `command` in tmux, bounded, in a directory of its own; its exit status goes to the file `body` is given.
    static func session(_ command: String, _ body: (Tmux, _ status: String) throws -> Void) throws {
        let dir = CLI.temporaryDirectory(), status = dir + "/status"
        try Tmux.session("cd \(dir) && \(Tmux.bounded) \(command); echo EXIT=$? > \(status)") { try body($0, status) }
    }

    /// TERM unset, dumb or unknown: one line saying why, exit 1, for the dashboard, a demo and show alike.
    @Test(arguments: [("env -u TERM", "TERM is not set"), ("env TERM=dumb", "TERM=dumb cannot place the cursor"),
                      ("env TERM=no-such-terminal", "TERM=no-such-terminal is a terminal this system's terminfo does not know")])
    func hostileTerminalsAreRefusedInOneLine(environment: String, message: String) throws {
        for command in ["run \(Self.small)", "demo enumerate", "show /nonexistent"] {
            try Self.session("\(environment) \(CLI.binary) \(command) 2>err") { _, status in
                let exit = try Tmux.waitForFile(status) { $0.contains("EXIT=") }
                let error = try String(contentsOfFile: URL(fileURLWithPath: status).deletingLastPathComponent().path + "/err", encoding: .utf8)
                if command.hasPrefix("show") {
                    #expect(error.contains("no such run directory"), "show checks its runs first: \(error)")
                } else {
                    #expect(exit.contains("EXIT=1") && error.hasPrefix("vae-tui: error: " + message) && error.split(separator: "\n").count == 1, "\(command): \(error)")
                }
            }
        }
    }

    /// LANG=C and NO_COLOR: the bin-packing demo in ASCII with no colour escapes, its points still marked.
    @Test func aPlainTerminalGetsASCIIWithoutColour() throws {
        try Self.session("env LANG=C LC_ALL=C NO_COLOR=1 \(CLI.binary) demo binpack --steps 200") { tmux, status in
            let screen = try tmux.waitFor("the demo") { $0.contains("step 200") && $0.contains("total") }
            let ascii = screen.unicodeScalars.allSatisfy { $0.isASCII }
            #expect(ascii, "ASCII only")
            #expect(screen.contains("+-") && screen.contains("|"), "boxes in ASCII")
            let escapes = tmux.run(["capture-pane", "-p", "-e", "-t", "t"])
            #expect(!escapes.contains("[38;") && !escapes.contains("[48;") && escapes.range(of: #"\[(3|4)[0-7]m"#, options: .regularExpression) == nil,
                    "no colour escapes")
            #expect(escapes.contains("[1m") || escapes.contains("[1;"), "bold and faint say what colour said")
            tmux.send("q")
            _ = try Tmux.waitForFile(status) { $0.contains("EXIT=0") }
        }
    }

    /// Random keys, pastes of text and resizes down to 1×1 and up to 300×100 against the dashboard: no crash,
    /// no hang (training still moves afterwards), and q still quits.
    @Test func aKeyAndResizeStormLeavesTheDashboardWorking() throws {
        try Self.session("\(CLI.binary) run \(Self.small)") { tmux, status in
            _ = try tmux.waitFor("training") { (Tmux.step(in: $0) ?? 0) > 5 }
            var rng = SystemRandomNumberGenerator()
            let keys = ["b", "B", "k", "K", "o", "w", "W", "f", "F", "u", "l", "L", "c", "C", "n", "N", "A", "x", ".", "Tab", "Left",
                        "Right", "Up", "Down", "e", "g", "h", "a", "i", "?", "Escape", "d", "m", "r", "n", "F1", "é", "€"]
            for i in 0..<120 {
                if i % 15 == 0 { tmux.resize(width: Int.random(in: 1...300, using: &rng), height: Int.random(in: 1...100, using: &rng)) }
                if i % 40 == 39 { tmux.run(["send-keys", "-t", "t", "-l", String(repeating: "paste ", count: 50)]) }
                tmux.send(keys.randomElement(using: &rng)!)
            }
            tmux.resize(width: 120, height: 40)
            let before = try Self.backToTheDashboard(tmux)
            // Paused by the storm ('.' and space pause): space resumes, pressed again only once the screen has
            // settled on paused for a few seconds.
            var pausedSince = Date()
            _ = try tmux.waitFor("training still moving", timeout: 30) { screen in
                guard screen.split(separator: "\n").first?.contains("paused") == true else {
                    pausedSince = Date()
                    return (Tmux.step(in: screen) ?? 0) > (Tmux.step(in: before) ?? 0) + 5
                }
                if Date().timeIntervalSince(pausedSince) > 0 { tmux.send(" "); pausedSince = Date().addingTimeInterval(4) }
                return false
            }
            tmux.send("q")
            let exit = try Tmux.waitForFile(status) { $0.contains("EXIT=") }
            #expect(exit.contains("EXIT=0"))
        }
    }

    /// Three presses of Esc, a moment apart, reach the dashboard from anywhere the storm can leave it (the
    /// deepest is a demo with its help open; Esc on the bare dashboard only returns to the overview). They are
    /// spaced because the storm's last keys may still be on their way. The settled dashboard is returned.
    static func backToTheDashboard(_ tmux: Tmux) throws -> String {
        for _ in 0..<3 {
            Thread.sleep(forTimeInterval: 0.7)
            tmux.send("Escape")
        }
        Thread.sleep(forTimeInterval: 0.7)
        return try tmux.waitFor("the dashboard back", timeout: 20) { $0.hasPrefix(" vae-tui │") && $0.contains("knobs") && Tmux.step(in: $0) != nil }
    }

    /// SIGTERM saves the run and gives the terminal back; Ctrl-Z restores the terminal and fg redraws.
    /// The dashboard is the shell's own job, as in a user's shell (under `timeout` the Ctrl-Z would stop timeout
    /// too, and fg would not bring the dashboard back); the shell is bounded, and the session ends both.
    @Test func signalsRestoreTheTerminalAndKeepTheRun() throws {
        let dir = CLI.temporaryDirectory()
        try Tmux.session("cd \(dir) && \(Tmux.bounded) bash --norc --noprofile -i") { tmux in
            tmux.run(["send-keys", "-t", "t", "\(CLI.binary) run \(Self.small) --run-dir \(dir)/run", "Enter"])
            _ = try tmux.waitFor("training") { (Tmux.step(in: $0) ?? 0) > 5 }
            tmux.run(["send-keys", "-t", "t", "C-z"])
            _ = try tmux.waitFor("the shell back") { !$0.contains("knobs") && $0.contains("bash") }
            tmux.run(["send-keys", "-t", "t", "fg", "Enter"])
            _ = try tmux.waitFor("the dashboard redrawn") { $0.contains("knobs") && Tmux.step(in: $0) != nil }
            let pid = try #require(Self.pid(of: "\(dir)/run"))
            kill(pid, SIGTERM)
            _ = try tmux.waitFor("the terminal restored") { !$0.contains("knobs") && $0.contains("bash") }
            #expect(FileManager.default.fileExists(atPath: dir + "/run/checkpoint.safetensors"), "the run saved")
            let log = try String(contentsOfFile: dir + "/run/metrics.jsonl", encoding: .utf8)
            #expect(log.contains(#""command":"quit""#))
        }
    }

    /// The process whose command line runs the dashboard on `runDirectory`.
    static func pid(of runDirectory: String) -> pid_t? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.first { pid in
            guard let line = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8) else { return false }
            let arguments = line.split(separator: "\0")
            return arguments.first.map { $0.hasSuffix("vae-tui") } == true && arguments.contains { $0 == runDirectory }
        }
    }

    /// `--inject-nan` in the dashboard: the NaNs on the message line and in the log, training going on.
    @Test func injectedNaNsInTheDashboardAreCaughtAndTrainingGoesOn() throws {
        let dir = CLI.temporaryDirectory()
        try Self.session("\(CLI.binary) run \(Self.small) --inject-nan 50,120:weight --run-dir \(dir)/run") { tmux, status in
            _ = try tmux.waitFor("past the NaNs") { (Tmux.step(in: $0) ?? 0) > 200 }
            tmux.send("q")
            _ = try Tmux.waitForFile(status) { $0.contains("EXIT=0") }
            let records = try CLI.jsonLines(dir + "/run/metrics.jsonl").filter { $0["event"] as? String == "nonfinite" }
            #expect(records.map { $0["step"] as? Int } == [50, 120] && records.last?["recoveries"] as? Int == 2)
        }
    }
}

import Foundation
import Testing

/// `vae-tui demo binpack` in tmux: n steps and the ellipses move, p switches the posterior family, q quits.
@Suite(.serialized, .enabled(if: Tmux.available, "needs tmux"))
struct BinPackEndToEndTests {
    @Test func stepsRedrawTheEllipsesAndSwitchTheFamily() throws {
        try Tmux.running("demo binpack --seed 3") { tmux, status in

            let start = try tmux.waitFor("step 0") { Tmux.step(in: $0) == 0 && $0.contains("diagonal Gaussian") }
            tmux.send("n")
            let one = try tmux.waitFor("step 1") { Tmux.step(in: $0) == 1 }
            // A hundred steps move the posteriors and change the numbers (waited for: tmux may read a frame half drawn).
            tmux.send("M")
            _ = try tmux.waitFor("step 101 with new ellipses and numbers") {
                Tmux.step(in: $0) == 101 && Self.map(of: $0) != Self.map(of: start) && Self.table(of: $0) != Self.table(of: one)
            }

            tmux.send("p")
            let full = try tmux.waitFor("full covariance") { $0.contains("q: full-covariance Gaussian") }
            #expect(Tmux.step(in: full) == 101, "switching the family keeps the run")
            tmux.send("p")
            _ = try tmux.waitFor("IAF") { $0.contains("q: IAF") }
            tmux.send("N")
            _ = try tmux.waitFor("step 111") { Tmux.step(in: $0) == 111 && $0.contains("q: IAF") }

            tmux.send("q")
            let exit = try Tmux.waitForFile(status) { $0.contains("EXIT=") }
            #expect(exit.trimmingCharacters(in: .whitespacesAndNewlines) == "EXIT=0")
        }
    }

    /// A preset opens the demo in its state: the posterior, the objective and k it names, after its steps (here
    /// fewer: a flag after the preset wins).
    /// Leaving drops the steps still queued: Esc after 200 presses of M (20,000 steps) returns at once. The demo
    /// waited for them before (release build: 1.2 s for 5,000 steps), and a storm test then timed out.
    @Test func escLeavesWithoutTheQueuedSteps() throws {
        try Tmux.running("demo binpack") { tmux, status in
            _ = try tmux.waitFor("step 0") { Tmux.step(in: $0) == 0 }
            let (exit, seconds) = try tmux.exit(afterPasting: 200, of: "M", then: "Escape", status: status)
            #expect(exit == "EXIT=0")
            #expect(seconds < 3, "Esc after the steps took \(seconds) s")
        }
    }

    @Test func aPresetOpensTheDemoInItsState() throws {
        try Tmux.running("demo binpack --preset binpack-iwae-k50 --steps 20") { tmux, status in
            let screen = try tmux.waitFor("step 20 on L_50") { Tmux.step(in: $0) == 20 }
            #expect(screen.contains("IWAE") && Tmux.line(containing: "k/K", in: screen)?.contains("50") == true, "\(screen)")
            // ? shows the demo's keys from the same list as its footer; Esc closes it, q leaves the demo.
            tmux.send("?")
            _ = try tmux.waitFor("the help") { $0.contains("posterior family: diagonal, full covariance, IAF") && $0.contains("save the screen") }
            tmux.send("Escape")
            _ = try tmux.waitFor("the help closed") { !$0.contains("posterior family: diagonal") && Tmux.step(in: $0) == 20 }
            tmux.send("q")
            _ = try Tmux.waitForFile(status) { $0.contains("EXIT=0") }
        }
    }

    /// The latent map: the left 70 columns below the status line.
    static func map(of screen: String) -> String {
        screen.split(separator: "\n").dropFirst().map { String($0.prefix(70)) }.joined(separator: "\n")
    }

    /// The per-point table's rows.
    static func table(of screen: String) -> [String] {
        screen.split(separator: "\n").filter { $0.contains("⣿") || $0.contains("total") }.map(String.init)
    }
}

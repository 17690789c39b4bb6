import Foundation
import Testing

/// `vae-tui demo enumerate` in a real terminal (tmux, as the dashboard's end-to-end test): it starts at
/// step 0, n and N step q, c switches to K=100, q leaves with status 0.
@Suite(.enabled(if: Tmux.available, "needs tmux"))
struct EnumerationEndToEndTests {
    @Test func theDemoStepsSwitchesKAndQuits() throws {
        try Tmux.running("demo enumerate") { tmux, status in

            _ = try tmux.waitFor("step 0", timeout: 20) { Tmux.step(in: $0) == 0 && $0.contains("K=4") && $0.contains("L_1000") }
            tmux.send("n")
            _ = try tmux.waitFor("step 1", timeout: 20) { Tmux.step(in: $0) == 1 }
            tmux.send("N")
            _ = try tmux.waitFor("step 11", timeout: 20) { Tmux.step(in: $0) == 11 }
            tmux.send("c")
            // The status line can reach the screen a frame before the bars: wait for the whole K=100 screen.
            let switched = try tmux.waitFor("K=100 with z labelled up to 100", timeout: 20) { screen in
                screen.contains("K=100") && screen.split(separator: "\n").contains { $0.contains(" 90 ") && $0.contains(" 100 ") }
            }
            #expect(Tmux.step(in: switched) == 0, "a new K starts again")

            tmux.send("q")
            let exit = try Tmux.waitForFile(status, timeout: 20) { $0.contains("EXIT=") }
            #expect(exit.trimmingCharacters(in: .whitespacesAndNewlines) == "EXIT=0")
            #expect(!tmux.capture().contains("marginal by enumeration"), "the terminal is restored")
        }
    }
}

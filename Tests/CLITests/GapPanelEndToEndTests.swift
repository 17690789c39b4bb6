import Foundation
import Testing

/// The gap panel in the real binary: G opens it while training, the engine takes the probe images' gap apart
/// and takes it again as the model trains, the collapse pane names the dominant part once back on the
/// overview, and the log has the figures.
@Suite(.serialized, .enabled(if: Tmux.available, "needs tmux"))
struct GapPanelEndToEndTests {
    /// "step N" in the panel's title.
    static func panelStep(in screen: String) -> Int? {
        guard let line = Tmux.line(containing: "variational gap", in: screen),
              let range = line.range(of: "· step ") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    @Test func theGapPanelOpensMeasuresAndFollowsTraining() throws {
        let dir = CLI.temporaryDirectory()
        let log = dir + "/run.jsonl"
        try Tmux.running("run --train-limit 3000 --validation 200 --latent 8 --hidden 64 --log \(log)", in: dir) { tmux, status in
            _ = try tmux.waitFor("training") { (Tmux.step(in: $0) ?? 0) > 5 }
            tmux.send("G")
            let first = try tmux.waitFor("the panel's first figures") {
                $0.contains("dominates") && $0.contains("local steps") && Self.panelStep(in: $0) != nil
            }
            #expect(first.contains("approximation log p(x) − L[q*]") && first.contains("#1 "))
            let step = Self.panelStep(in: first)!
            _ = try tmux.waitFor("the gap taken again later in training") { (Self.panelStep(in: $0) ?? 0) > step }
            _ = try Tmux.waitForFile(log) { $0.contains(#""command":"gaps","value":true"#) && $0.contains(#""event":"gaps""#) }

            tmux.send("Tab")
            _ = try tmux.waitFor("the overview, the gap named in the collapse pane") {
                $0.contains("knobs") && !$0.contains("variational gap") && Tmux.line(containing: "gap ", in: $0)?.contains("%") == true
            }
            _ = try Tmux.waitForFile(log) { $0.contains(#""command":"gaps","value":false"#) }
            tmux.send("q")
            let exit = try Tmux.waitForFile(status) { $0.contains("EXIT=") }
            #expect(exit.trimmingCharacters(in: .whitespacesAndNewlines) == "EXIT=0")
        }
    }
}

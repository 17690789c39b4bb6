import Foundation
import Testing

/// The rate-distortion plane in the real binary: p switches the curves pane to it while training, β turned up
/// shows as a labelled knob change on the trajectory and the current point moves to a lower rate; p again brings
/// the curves back.
@Suite(.serialized, .enabled(if: Tmux.available, "needs tmux"))
struct RatePlaneEndToEndTests {
    /// The current point's rate, from the plane's legend ("● R 12.3 D 85.1").
    static func currentRate(in screen: String) -> Float? {
        guard let line = Tmux.line(containing: "● R ", in: screen), let range = line.range(of: "● R ") else { return nil }
        return Float(line[range.upperBound...].prefix { $0.isNumber || $0 == "." })
    }

    @Test func thePlaneOpensAndTheTrajectoryTurnsWithBeta() throws {
        let dir = CLI.temporaryDirectory()
        let log = dir + "/run.jsonl"
        try Tmux.running("run --train-limit 3000 --validation 200 --latent 8 --hidden 64 --log \(log)", in: dir) { tmux, status in
            _ = try tmux.waitFor("training") { (Tmux.step(in: $0) ?? 0) > 5 }
            tmux.send("p")
            let opened = try tmux.waitFor("the plane") { $0.contains("rate-distortion plane") && Self.currentRate(in: $0) != nil }
            #expect(opened.contains("× held-out") && opened.contains("D↑ R→") && !opened.contains("L5-L1"), "the plane, not the curves")
            // Once the encoder carries 10 nats (about 13 by step 300 at β = 1), β = 10 (five presses: 1.5, 2, 3, 5,
            // 10) makes it give most of them up: it settles near 4.5 nats on this model, where β = 5 keeps about 8,
            // too close to the margin below.
            let before = try tmux.waitFor("a rate of 10 nats", timeout: 120) {
                (Tmux.step(in: $0) ?? 0) > 300 && (Self.currentRate(in: $0) ?? 0) > 10
            }
            let rate = try #require(Self.currentRate(in: before))
            for _ in 0..<5 { tmux.send("B") }
            _ = try Tmux.waitForFile(log) { $0.contains(#""command":"beta","value":10"#) }
            _ = try tmux.waitFor("the β change marked on the trajectory") { $0.contains("β=10") }
            _ = try tmux.waitFor("the current point at a lower rate", timeout: 120) {
                (Self.currentRate(in: $0) ?? .infinity) < rate * 0.6
            }
            tmux.send("p")
            _ = try tmux.waitFor("the curves back") { !$0.contains("rate-distortion plane") && $0.contains("L5-L1") }
            tmux.send("q")
            let exit = try Tmux.waitForFile(status) { $0.contains("EXIT=") }
            #expect(exit.trimmingCharacters(in: .whitespacesAndNewlines) == "EXIT=0")
        }
    }
}

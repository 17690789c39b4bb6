import Foundation
import Testing

/// The latent walk in the real binary: on the latent map's page the arrows move the cursor and the image
/// decoded there changes; on the images page the traversal is drawn and the arrows choose its unit.
@Suite(.serialized, .enabled(if: Tmux.available, "needs tmux"))
struct LatentWalkEndToEndTests {
    /// The cursor pane's image rows, colours and all: what lies right of the map's box (the two boxes' edges
    /// meet as "││"); empty strings where a row does not split so.
    static func cursorImage(_ screen: String) -> [String] {
        screen.split(separator: "\n").dropFirst(2).prefix(12).map { row in
            let parts = row.components(separatedBy: "││")
            return parts.count == 2 ? parts[1] : ""
        }
    }

    @Test func theCursorMovesAndItsImageChanges() throws {
        let dir = CLI.temporaryDirectory()
        let log = dir + "/run.jsonl"
        try Tmux.running("run --train-limit 3000 --validation 200 --latent 8 --hidden 64 --log \(log)", in: dir) { tmux, status in
            _ = try tmux.waitFor("training") { (Tmux.step(in: $0) ?? 0) > 50 }
            tmux.send("Space")
            _ = try tmux.waitFor("paused") { $0.contains("paused") }
            tmux.send("Tab")
            let first = try tmux.waitFor("the cursor's pane") { $0.contains("at the cursor") && $0.contains(" = 0.00  z") }
            #expect(first.contains("✛"))
            let before = Self.cursorImage(tmux.captureWithColours())
            for _ in 0..<12 { tmux.send("Right") }
            _ = try tmux.waitFor("the cursor 3σ to the right") { Tmux.line(containing: " = 3.00  z", in: $0) != nil }
            _ = try Tmux.waitForFile(log) { $0.contains(#""command":"latent_walk""#) }
            let after = Self.cursorImage(tmux.captureWithColours())
            #expect(before.count == 12 && !before.contains("") && before != after, "the decoded image changed with the cursor")

            tmux.send("Tab")
            _ = try tmux.waitFor("the traversal") { $0.contains("traversal · z0 from −3σ to +3σ") && $0.contains("+3σ") }
            tmux.send("Right")
            _ = try tmux.waitFor("the next unit's traversal") { $0.contains("traversal · z1 from −3σ to +3σ") }
            tmux.send("q")
            let exit = try Tmux.waitForFile(status) { $0.contains("EXIT=") }
            #expect(exit.trimmingCharacters(in: .whitespacesAndNewlines) == "EXIT=0")
        }
    }
}

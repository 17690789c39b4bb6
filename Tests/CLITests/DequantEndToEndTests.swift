import Foundation
import Testing

/// `vae-tui demo dequant` in tmux: n and M step, v switches the dequantizer, the arrows move the cell, q quits;
/// and the dashboard's d menu opens it.
@Suite(.serialized, .enabled(if: Tmux.available, "needs tmux"))
struct DequantEndToEndTests {
    @Test func theDemoStepsSwitchesMovesAndQuits() throws {
        try Tmux.running("demo dequant --seed 2") { tmux, status in
            let start = try tmux.waitFor("step 0") { Tmux.step(in: $0) == 0 && $0.contains("dequantizer uniform") }
            let cell = try #require(Self.cell(in: start))
            tmux.send("n")
            _ = try tmux.waitFor("step 1") { Tmux.step(in: $0) == 1 }
            tmux.send("M")
            let hundred = try tmux.waitFor("step 101") { Tmux.step(in: $0) == 101 }
            tmux.send("v")
            _ = try tmux.waitFor("the variational dequantizer") { $0.contains("dequantizer variational") && $0.contains("train: variational") }
            tmux.send("Left")
            tmux.send("Up")
            _ = try tmux.waitFor("the cell moved") { Self.cell(in: $0).map { $0 == (cell.0 - 1, cell.1 + 1) } ?? false }
            tmux.send("M")
            let trained = try tmux.waitFor("step 201") { Tmux.step(in: $0) == 201 }
            #expect(Self.number("model −E log P(x)", in: trained) != Self.number("model −E log P(x)", in: hundred))
            tmux.send("q")
            let exit = try Tmux.waitForFile(status) { $0.contains("EXIT=") }
            #expect(exit.trimmingCharacters(in: .whitespacesAndNewlines) == "EXIT=0")
        }
    }

    /// Keys already waiting are handled before the next frame, not a frame each: Esc after a paste of 3,000 keys
    /// on a 300×100 screen leaves at once. With a frame per key it came seconds late, and a storm's own Esc then
    /// ended the demo after the fault script had started checking it (issue 20).
    @Test func escAfterAPasteLeavesAtOnce() throws {
        try Tmux.running("demo dequant", width: 300, height: 100) { tmux, status in
            _ = try tmux.waitFor("step 0") { Tmux.step(in: $0) == 0 }
            let (exit, seconds) = try tmux.exit(afterPasting: 3000, of: "x", then: "Escape", status: status)
            #expect(exit == "EXIT=0")
            #expect(seconds < 3, "Esc after the paste took \(seconds) s")
        }
    }

    /// "cell x = (a, b)" on screen.
    static func cell(in screen: String) -> (Int, Int)? {
        guard let range = screen.range(of: #"cell x = \(\d+, \d+\)"#, options: .regularExpression) else { return nil }
        let numbers = screen[range].split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        return numbers.count == 2 ? (numbers[0], numbers[1]) : nil
    }

    /// The first number after `label` on its line.
    static func number(_ label: String, in screen: String) -> Double? {
        guard let line = Tmux.line(containing: label, in: screen), let range = line.range(of: label) else { return nil }
        return line[range.upperBound...].split(separator: " ").first.flatMap { Double($0) }
    }
}

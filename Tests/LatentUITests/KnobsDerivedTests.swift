import LatentLab
import Testing
@testable import LatentUI

/// The dashboard's keys, help overlay and knobs panel come from the knobs' table (`Knob`): a knob added to it
/// appears in each without another edit.
@Suite struct KnobsDerivedTests {
    static let snapshot = SnapshotFixtures.training()

    @Test func everyKnobHasItsKeysItsHelpLineAndItsRow() {
        var help = ViewState()
        help.overlay = .help
        let helpLines = Dashboard.render(Self.snapshot, view: help, width: 120, height: 40).text.split(separator: "\n")
        let dashboard = Dashboard.render(Self.snapshot, view: ViewState(), width: 120, height: 40).text
        let rows = KnobsPanel.rows(Self.snapshot)
        for knob in Knob.allCases {
            let d = knob.definition, keys = d.keys.characters.map(String.init)
            #expect(helpLines.contains { $0.contains(keys.joined(separator: " / ") + " ") && $0.contains(d.help) },
                    "help lacks \(knob)")
            for key in d.keys.characters {
                let sent = KeyMap.handle(.character(key), view: ViewState(), snapshot: Self.snapshot,
                                         checkpointPath: "m") { 1 }
                guard case .set(let target, _)? = sent.commands.first else {
                    Issue.record("\(key) sends no knob")
                    continue
                }
                #expect(target == knob && sent.commands.count == 1, "\(key) sets \(target), not \(knob)")
            }
            guard knob.shown(in: Self.snapshot) != nil else { continue }
            #expect(rows.contains { $0.keys == keys.joined(separator: "/") && $0.name == d.label }, "no row: \(knob)")
            #expect(dashboard.contains(d.label), "the panel on the dashboard lacks \(knob)")
        }
        #expect(Knob.allCases.filter { $0.shown(in: Self.snapshot) == nil } == [.freeBitsPerUnit, .freeRunning],
                "only u (on the free bits row) and x (on the images pane) have no row of their own")
    }

    /// No two knobs share a key, and no knob takes a key the dashboard uses for something else.
    @Test func knobKeysAreTheirsAlone() {
        let knobKeys = Knob.allCases.flatMap { $0.definition.keys.characters }.map(String.init)
        #expect(Set(knobKeys).count == knobKeys.count)
        let others = KeyMap.help.dropFirst(Knob.allCases.count).flatMap { $0.keys.components(separatedBy: " / ") }
        #expect(Set(knobKeys).isDisjoint(with: others), "\(others)")
    }
}

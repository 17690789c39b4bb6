import Testing
@testable import LatentLab

/// The knobs' table (`Knob`) is the one place a knob's range is checked: the engine and the anticipation
/// take a value from it exactly as the command line and a saved run's settings are checked by it.
@Suite struct KnobTableTests {
    /// A value outside each ranged knob's range, on each side where it has one. CLITests' `KnobRangeTests`
    /// types the same values on the command line.
    static let outside: [(Knob, KnobValue)] = [
        (.beta, .number(-1)), (.beta, .number(.nan)), (.freeBits, .number(-0.5)), (.warmup, .count(-1)),
        (.k, .count(0)), (.k, .count(Knob.maximumK + 1)), (.learningRate, .number(0)),
        (.learningRate, .number(Knob.learningRateLimit)), (.conditioningDropout, .number(-0.1)),
        (.conditioningDropout, .number(1)), (.minimumRate, .number(Knob.maximumMinimumRate + 1)),
    ]

    /// Every knob that holds a number has a value outside its range listed above.
    @Test func everyNumericKnobIsTriedOutOfRange() {
        for knob in Knob.allCases {
            switch knob.value(in: KnobSettings()) {
            case .number, .count: #expect(Self.outside.contains { $0.0 == knob }, "no out-of-range value for \(knob)")
            case .flag, .choice: #expect(knob.outOfRange(knob.value(in: KnobSettings())) == nil)
            }
        }
    }

    /// The engine brings an out-of-range value into the range (or keeps the knob) and says so with the table's
    /// words; the anticipation predicts the very same settings; the default settings are in range.
    @Test func theEngineRefusesARangeAsTheCommandLineDoes() throws {
        #expect(Knob.problem(in: KnobSettings()) == nil && ObjectiveSettings().problem == nil)
        for (knob, value) in Self.outside {
            let e = SessionEngineTests.engine()
            let before = e.snapshot
            e.apply(.set(knob, value))
            let problem = try #require(knob.problem(value), "\(knob) \(value) is out of range")
            let option = try #require(knob.commandLineProblem(value))
            #expect(option.hasPrefix(knob.option + " must be "))
            #expect(problem.hasPrefix("\(knob.rawValue) \(value) is not "))
            #expect(e.snapshot.message.hasPrefix(problem + ": "), "\(e.snapshot.message)")
            #expect(Knob.problem(in: e.snapshot.knobs) == nil, "\(knob) left in range")
            #expect(before.anticipating([.set(knob, value)]).knobs == e.snapshot.knobs, "\(knob): anticipated")
        }
    }

    /// A value past an open bound is set to the value named for it, or the knob is kept; values in range are applied
    /// as they are, anticipated alike, and logged under the knob's name.
    @Test func aValueInRangeIsAppliedAsItIs() {
        let e = SessionEngineTests.engine()
        e.apply(.set(.conditioningDropout, .number(2)))
        #expect(e.trainer.objective.conditioningDropout == ObjectiveSettings.maximumConditioningDropout)
        #expect(e.snapshot.message == "ar_dropout 2.0 is not in [0, 1): set to 0.95")
        let rate = e.trainer.learningRate
        e.apply(.set(.learningRate, .number(0)))
        #expect(e.trainer.learningRate == rate, "an open bound with nothing near it keeps the knob")
        #expect(e.snapshot.message == "lr 0.0 is not > 0 and < 10: kept at \(rate)")
        // x's value on the snapshot is what the images pane draws: free-running only with an autoregressive decoder.
        for knob in Knob.allCases where knob != .freeRunning {
            let current = knob.value(in: e.snapshot.knobs)
            let next = knob.value(afterKey: knob.keyUp, from: e.snapshot.knobs)
            let before = e.snapshot
            e.apply(.set(knob, next))
            #expect(knob.value(in: e.snapshot.knobs) == next, "\(knob): \(current) → \(next)")
            #expect(before.anticipating([.set(knob, next)]).knobs == e.snapshot.knobs)
            #expect(Command.set(knob, next).name == knob.rawValue && Command.set(knob, next).value == next.json)
        }
    }

    /// Every rung of every ladder lies in its knob's range: a key never asks for what the engine would refuse.
    @Test func everyRungIsInRange() {
        for knob in Knob.allCases {
            var settings = KnobSettings()
            for up in [true, false] {
                for _ in 0..<Self.enoughPresses {
                    let key = up ? knob.keyUp : knob.definition.keys.characters[0]
                    let next = knob.value(afterKey: key, from: settings)
                    #expect(knob.outOfRange(next) == nil, "\(knob) steps to \(next)")
                    settings = knob.setting(next, in: settings).settings
                }
            }
        }
    }

    /// More presses than any ladder has rungs.
    static let enoughPresses = 20
}

extension Knob {
    /// The key that steps it up, or its one key.
    var keyUp: Character { definition.keys.characters.last! }
}

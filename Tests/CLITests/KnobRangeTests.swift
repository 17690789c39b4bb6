import Foundation
import LatentLab
import Testing

/// The command line refuses a knob's out-of-range value with the words of the knobs' table, the one range check
/// the engine also applies (LatentLabTests' `KnobTableTests` sends the engine the same values).
@Suite struct KnobRangeTests {
    @Test(arguments: [
        (Knob.beta, "-1"), (.freeBits, "-0.5"), (.warmup, "-1"), (.k, "0"), (.k, "100001"), (.learningRate, "0"),
        (.learningRate, "10"), (.conditioningDropout, "1"), (.minimumRate, "11"),
    ])
    func theCommandLineRefusesWithTheTablesWords(knob: Knob, typed: String) throws {
        let value: KnobValue = if case .count = knob.value(in: KnobSettings()) {
            .count(Int(typed)!)
        } else {
            .number(Float(typed)!)
        }
        let message = try #require(knob.commandLineProblem(value))
        try BadInputTests.expectFailure(["train", "\(knob.option)=\(typed)"], status: 64, mentioning: message)
    }
}

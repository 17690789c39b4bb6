import ArgumentParser
import Foundation
import LatentLab

/// The budget and seed every lab's rows share: `--epochs N` or `--minutes M` per row, and `--seed S`.
struct LabBudgetOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Epochs each row trains (default \(LabBudget.defaultEpochs)).", valueName: "N"))
    var epochs: Int?

    @Option(help: ArgumentHelp("Minutes each row trains, instead of --epochs.", valueName: "M"))
    var minutes: Double?

    @Option(help: ArgumentHelp("Random seed, the same for every row.", valueName: "S"))
    var seed: UInt64 = 1

    static let maximumEpochs = 10_000
    static let maximumMinutes = 10_000.0

    func validate() throws {
        if epochs != nil && minutes != nil { throw ValidationError("give --epochs or --minutes, not both") }
        if let epochs, !(1...Self.maximumEpochs).contains(epochs) {
            throw ValidationError("--epochs must be between 1 and \(Self.maximumEpochs), got \(epochs)")
        }
        if let minutes, !(minutes > 0 && minutes <= Self.maximumMinutes) {
            throw ValidationError("--minutes must be > 0, got \(minutes)")
        }
    }

    var budget: LabBudget { minutes.map { .seconds($0 * 60) } ?? .epochs(epochs ?? LabBudget.defaultEpochs) }
}

/// What a lab command does the same way whatever its rows: picking rows by key, training them one after the
/// other with a progress bar, and writing the table to PREFIX.md and PREFIX.json.
enum LabTable {
    /// The rows `keys` names (comma-separated, in that order), or all of them.
    static func choose<Row>(_ keys: String?, from all: [Row], key: (Row) -> String) throws -> [Row] {
        guard let keys else { return all }
        return try keys.split(separator: ",").map { given in
            let wanted = given.trimmingCharacters(in: .whitespaces)
            guard let row = all.first(where: { key($0) == wanted }) else {
                throw ValidationError("--rows: no row '\(given)'; the rows are \(all.map(key).joined(separator: ", "))")
            }
            return row
        }
    }

    /// Both files can be written: checked before training, not after hours of it.
    static func checkWritable(_ prefix: String) throws {
        for path in [prefix + ".md", prefix + ".json"] { try AtomicFile.checkWritable(path) }
    }

    /// Runs each row under a progress bar ("[2/6] key"), then prints its summary line.
    static func run<Row, Result>(_ rows: [Row], key: (Row) -> String,
                                 summary: (Result) -> String,
                                 _ body: (Row, (Double, String) -> Void) -> Result) -> [Result] {
        rows.enumerated().map { i, row in
            let label = "[\(i + 1)/\(rows.count)] \(key(row))"
            let result = body(row) { done, line in
                Terminal.progress(label, done: Int(done * 1000), total: 1000, extra: line)
            }
            Terminal.clearProgress()
            print(summary(result))
            return result
        }
    }

    /// Prints the Markdown table and writes it and the JSON beside it.
    static func write(markdown: String, json: JSONValue, to prefix: String) throws {
        print("\n" + markdown)
        try AtomicFile.write(Data(markdown.utf8), to: prefix + ".md")
        try AtomicFile.write(Data(json.encoded.utf8), to: prefix + ".json")
        print("wrote \(prefix).md and \(prefix).json")
    }
}

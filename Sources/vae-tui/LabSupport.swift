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

/// How a lab's models are scored after training: NLL = −L_k on the first test images, the other columns on more.
struct LabEvaluationOptions: ParsableArguments {
    @Option(name: .customLong("nll-images"),
            help: ArgumentHelp("Test images the NLL (-L_k) is taken on.", valueName: "N"))
    var nllImages: Int = 500

    @Option(name: .customLong("nll-k"), help: ArgumentHelp("Importance samples of the NLL.", valueName: "K"))
    var nllK: Int = 5000

    @Option(name: .customLong("eval-images"),
            help: ArgumentHelp("Test images the other columns are taken on.", valueName: "N"))
    var evalImages: Int = 2000

    static let maximumImages = 10_000
    static let maximumK = 100_000

    func validate() throws {
        if !(1...Self.maximumImages).contains(nllImages) {
            throw ValidationError("--nll-images must be between 1 and \(Self.maximumImages), got \(nllImages)")
        }
        if !(1...Self.maximumK).contains(nllK) {
            throw ValidationError("--nll-k must be between 1 and \(Self.maximumK), got \(nllK)")
        }
        if !(2...Self.maximumImages).contains(evalImages) {
            throw ValidationError("--eval-images must be between 2 and \(Self.maximumImages), got \(evalImages)")
        }
    }

    /// "NLL = −L_5000 on the first 500 test images, the other columns on the first 2000": the captions' words.
    var description: String {
        "NLL = −L_\(nllK) on the first \(nllImages) test images, the other columns on the first \(evalImages)"
    }
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

    /// The table's files, PREFIX.md and PREFIX.json, and a lab's picture beside them when it draws one.
    static let tableExtensions = ["md", "json"]

    /// Every file can be written: checked before training, not after hours of it.
    static func checkWritable(_ prefix: String, extensions: [String] = tableExtensions) throws {
        for ext in extensions { try AtomicFile.checkWritable(prefix + "." + ext) }
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

    /// Prints the Markdown table and writes it and the JSON beside it, and the SVG picture when there is one.
    static func write(markdown: String, json: JSONValue, svg: String? = nil, to prefix: String) throws {
        print("\n" + markdown)
        try AtomicFile.write(Data(markdown.utf8), to: prefix + ".md")
        try AtomicFile.write(Data(json.encoded.utf8), to: prefix + ".json")
        if let svg { try AtomicFile.write(Data(svg.utf8), to: prefix + ".svg") }
        let files = [prefix + ".md", prefix + ".json"] + (svg == nil ? [] : [prefix + ".svg"])
        print("wrote " + files.dropLast().joined(separator: ", ") + " and " + files[files.count - 1])
    }
}

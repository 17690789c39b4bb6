import ArgumentParser
import Foundation
import LatentLab

/// Where the images come from, shared by every command.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: ArgumentHelp("MNIST directory (the four IDX files, .gz or raw). Default: $VAE_TUI_DATA, else the built-in shapes dataset.", valueName: "DIR"), completion: .directory)
    var given: String?

    /// `--data`, else `VAE_TUI_DATA`, else nil: the built-in shapes.
    var directory: String? {
        given ?? ProcessInfo.processInfo.environment[Self.environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
    }
    static let environmentVariable = "VAE_TUI_DATA"

    /// The data set's name with its training and test images.
    func load() throws -> (name: String, train: ImageDataset, test: ImageDataset) { try Self.load(directory: directory) }

    /// MNIST from `directory`, or the built-in shapes without one.
    static func load(directory: String?) throws -> (name: String, train: ImageDataset, test: ImageDataset) {
        if let directory {
            let (train, test) = try MNIST.load(directory: directory)
            return ("mnist", train, test)
        }
        let (train, test) = Shapes.standard()
        return ("shapes", train, test)
    }

    /// The test images, binarised as in training runs.
    func loadTest() throws -> (name: String, images: BinaryImages) {
        let (name, _, test) = try load()
        return (name, BinaryImages(fixed: test, seed: DataSplits.testSeed))
    }
}

/// How the training images are split, for the commands that train.
struct SplitOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Training images held out for validation (default: 10000 for MNIST, 2000 for shapes; 0 trains on all, as the IWAE paper did).", valueName: "N"))
    var validation: Int?

    @Option(name: .customLong("train-limit"), help: ArgumentHelp("Train on only the first N training images (for quick runs).", valueName: "N"))
    var trainLimit: Int?

    func validate() throws {
        if let validation, validation < 0 { throw ValidationError("--validation must be at least 0, got \(validation)") }
        if let trainLimit, trainLimit < 1 { throw ValidationError("--train-limit must be at least 1, got \(trainLimit)") }
    }

    /// Loads the data and splits off the validation set.
    func load(_ data: DataOptions) throws -> DataSplits {
        try Self.load(directory: data.directory, validation: validation, trainLimit: trainLimit)
    }

    static func load(directory: String?, validation: Int?, trainLimit: Int?) throws -> DataSplits {
        let (name, train, test) = try DataOptions.load(directory: directory)
        let v = validation ?? (name == "mnist" ? 10_000 : 2_000)
        guard v < train.count else {
            throw UserError("--validation \(v) leaves no training images (the \(name) training set has \(train.count))")
        }
        let splits = DataSplits(name: name, train: train, test: test, validationSize: v, trainLimit: trainLimit)
        Allocator.releaseFreeMemory()
        return splits
    }
}

/// Threads for BLAS products.
struct ThreadOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Threads for matrix products.", valueName: "T"))
    var threads: Int = 1

    func validate() throws {
        if threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256, got \(threads)") }
    }

    func apply() { BLAS.setThreads(threads) }
}

/// Writes to the terminal's streams.
enum Terminal {
    /// A line on stderr; a stderr that cannot be written (a full disk) is no reason to stop.
    static func error(_ line: String) {
        try? FileHandle.standardError.write(contentsOf: Data((line + "\n").utf8))
    }

    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// A one-line progress bar on stderr, redrawn in place; nothing when stderr is not a terminal.
    /// 42s, 3:07, 1:02:09.
    static func duration(_ seconds: Double) -> String {
        let s = Int(max(0, seconds).rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%d:%02d", s / 60, s % 60) }
        return String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
    }

    static func progress(_ label: String, done: Int, total: Int, extra: String = "") {
        guard stderrIsTerminal else { return }
        let width = 30
        let filled = total > 0 ? min(width, done * width / total) : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        try? FileHandle.standardError.write(contentsOf: Data("\r\(label) \(bar) \(done)/\(total) \(extra)\u{1B}[K".utf8))
    }

    static func clearProgress() {
        guard stderrIsTerminal else { return }
        try? FileHandle.standardError.write(contentsOf: Data("\r\u{1B}[K".utf8))
    }
}

/// An error in words for a message: ours (a save that failed) by their own description, which names the file and
/// the reason, Foundation's by its sentence. (`localizedDescription` of ours says only "error 1".)
func describe(_ error: any Error) -> String {
    (error as? CheckpointError)?.description ?? error.localizedDescription
}

/// How the full-screen commands (the dashboard, the demos, show) draw.
struct ScreenOptions: ParsableArguments {
    @Flag(name: .customLong("no-color"), help: "No colours: what they mark shown by glyphs, bold and faint text instead (also when NO_COLOR is set).")
    var noColor = false

    /// Colour unless --no-color or a non-empty NO_COLOR (no-color.org).
    var color: Bool { !noColor && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty }

    /// The terminal, started as these options say.
    func start() throws -> CursesScreen { try CursesScreen(color: color) }
}

import ArgumentParser
import Foundation
import LatentLab

/// Where the images come from, shared by every command.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data"),
            help: ArgumentHelp("A directory of MNIST-format IDX files (the four files, .gz or raw). "
                               + "Default: $VAE_TUI_DATA, else MNIST fetched by `vae-tui data fetch mnist`, "
                               + "else the built-in shapes.", valueName: "DIR"),
            completion: .directory)
    var given: String?

    @Option(help: ArgumentHelp("The data set: "
                               + "\((DataSet.all.map(\.name) + [DataSource.shapesName]).joined(separator: ", ")). "
                               + "Names what --data holds (else recognised by its files), "
                               + "or alone picks a fetched set or the built-in shapes.", valueName: "NAME"))
    var dataset: String?

    /// What the options and the environment choose (`DataLocation.resolve`).
    func source() throws -> DataSource {
        do {
            return try DataLocation.resolve(directory: given, dataset: dataset,
                                            environment: ProcessInfo.processInfo.environment)
        } catch {
            throw UserError(error.description)
        }
    }

    /// The data to evaluate a model trained on the set named `trained` (a checkpoint's): what the options say; without
    /// them, that set rather than what the defaults pick (a shapes model is not scored on a cached MNIST).
    func source(trainedOn trained: String) throws -> DataSource {
        let chosen = try source()
        guard given == nil, dataset == nil, chosen.name != trained,
              trained == DataSource.shapesName || DataSet.named(trained) != nil else { return chosen }
        do {
            return try DataLocation.resolve(directory: nil, dataset: trained,
                                            environment: ProcessInfo.processInfo.environment)
        } catch {
            throw UserError("the model was trained on \(trained): \(error.description)")
        }
    }

    /// The test images of `source`, binarised as in training runs.
    static func loadTest(_ source: DataSource) throws -> BinaryImages {
        BinaryImages(fixed: try source.load().test, seed: DataSplits.testSeed)
    }
}

/// How the training images are split, for the commands that train.
struct SplitOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Training images held out for validation (default: 10000 for MNIST-format sets, "
                               + "2000 for shapes; 0 trains on all, as the IWAE paper did).", valueName: "N"))
    var validation: Int?

    @Option(name: .customLong("train-limit"),
            help: ArgumentHelp("Train on only the first N training images (for quick runs).", valueName: "N"))
    var trainLimit: Int?

    func validate() throws {
        if let validation, validation < 0 {
            throw ValidationError("--validation must be at least 0, got \(validation)")
        }
        if let trainLimit, trainLimit < 1 {
            throw ValidationError("--train-limit must be at least 1, got \(trainLimit)")
        }
    }

    /// Loads the data and splits off the validation set.
    func load(_ source: DataSource) throws -> DataSplits {
        try Self.load(source, validation: validation, trainLimit: trainLimit)
    }

    static func load(_ source: DataSource, validation: Int?, trainLimit: Int?) throws -> DataSplits {
        let (train, test) = try source.load()
        let v = validation ?? (source == .shapes ? 2_000 : 10_000)
        guard v < train.count else {
            throw UserError("--validation \(v) leaves no training images "
                            + "(the \(source.name) training set has \(train.count))")
        }
        let splits = DataSplits(name: source.name, train: train, test: test, validationSize: v, trainLimit: trainLimit)
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

/// How the full-screen commands (the dashboard, the demos, show) draw.
struct ScreenOptions: ParsableArguments {
    @Flag(name: .customLong("no-color"),
          help: "No colours: what they mark shown by glyphs, bold and faint text instead (also when NO_COLOR is set).")
    var noColor = false

    /// Colour unless --no-color or a non-empty NO_COLOR (no-color.org).
    var color: Bool { !noColor && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty }

    /// The terminal, started as these options say.
    func start() throws -> CursesScreen { try CursesScreen(color: color) }
}

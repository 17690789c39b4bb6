import Foundation

/// Where data sets live and which one a command reads when it is not told.
public enum DataLocation {
    /// The directory of a data set a user points at; also where `data fetch` puts files when no --dir is given.
    public static let environmentVariable = "VAE_TUI_DATA"

    /// The cache of fetched sets: `$XDG_CACHE_HOME/vae-tui/<set>`, else `~/.cache/vae-tui/<set>` (the XDG Base
    /// Directory default); nil with neither variable set.
    public static func cache(for set: DataSet, environment: [String: String]) -> String? {
        if let xdg = nonEmpty(environment["XDG_CACHE_HOME"]) { return xdg + "/vae-tui/" + set.name }
        if let home = nonEmpty(environment["HOME"]) { return home + "/.cache/vae-tui/" + set.name }
        return nil
    }

    /// Where `data fetch` puts a set: `--dir`, else `$VAE_TUI_DATA`, else the cache.
    public static func fetchDirectory(for set: DataSet, given: String?,
                                      environment: [String: String]) throws(DataError) -> String {
        if let given = nonEmpty(given) ?? nonEmpty(environment[environmentVariable])
            ?? cache(for: set, environment: environment) {
            return given
        }
        throw DataError("no directory for \(set.title): give --dir DIR "
                        + "(neither $\(environmentVariable), $XDG_CACHE_HOME nor $HOME is set)")
    }

    /// The data a command reads. `directory` is `--data`, `dataset` is `--dataset` (a fetchable set or `shapes`).
    /// Without either: `$VAE_TUI_DATA`, else the cached MNIST when it is complete and verified, else the built-in
    /// shapes. With `--dataset` alone: `$VAE_TUI_DATA` when it holds that set, else the set's cache.
    public static func resolve(directory: String?, dataset: String?,
                               environment: [String: String]) throws(DataError) -> DataSource {
        let environmentDirectory = nonEmpty(environment[environmentVariable])
        switch dataset {
        case nil:
            if let chosen = nonEmpty(directory) ?? environmentDirectory {
                return .files(directory: chosen, set: DataSet.recognise(chosen))
            }
            if let cache = cache(for: .mnist, environment: environment), DataSet.mnist.isComplete(in: cache) {
                return .files(directory: cache, set: .mnist)
            }
            return .shapes
        case DataSource.shapesName?:
            guard directory == nil else { throw DataError("--dataset shapes is built in: it takes no --data") }
            return .shapes
        case let name?:
            guard let set = DataSet.named(name) else {
                let choices = (DataSet.all.map(\.name) + [DataSource.shapesName]).joined(separator: ", ")
                throw DataError("no data set '\(name)': the choices are \(choices)")
            }
            if let chosen = nonEmpty(directory) { return .files(directory: chosen, set: set) }
            if let environmentDirectory, DataSet.recognise(environmentDirectory) == set {
                return .files(directory: environmentDirectory, set: set)
            }
            if let cache = cache(for: set, environment: environment), FileManager.default.fileExists(atPath: cache) {
                return .files(directory: cache, set: set)
            }
            throw DataError("\(set.title) is not here: run `vae-tui data fetch \(set.name)`, or give --data DIR")
        }
    }

    private static func nonEmpty(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
}

/// The images a command trains or evaluates on.
public enum DataSource: Sendable, Equatable {
    /// The built-in shapes, which need no files.
    case shapes
    /// IDX files in a directory; `set` is what they were named or recognised as (nil: MNIST-format files of
    /// another source, read and named as MNIST).
    case files(directory: String, set: DataSet?)

    public static let shapesName = "shapes"

    /// The name in logs, status lines and run directories.
    public var name: String {
        switch self {
        case .shapes: Self.shapesName
        case .files(_, let set): (set ?? .mnist).name
        }
    }

    public var directory: String? {
        if case .files(let directory, _) = self { directory } else { nil }
    }

    /// The training and test images.
    public func load() throws(DataError) -> (train: ImageDataset, test: ImageDataset) {
        switch self {
        case .shapes: Shapes.standard()
        case .files(let directory, let set): try MNIST.load(directory: directory, as: set ?? .mnist)
        }
    }
}

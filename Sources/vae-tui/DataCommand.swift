import ArgumentParser
import DataFetch
import Foundation
import LatentLab

/// `vae-tui data`: the data sets vae-tui can fetch, and where they are.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Fetch MNIST or Fashion-MNIST, and see where the data sets are.",
        subcommands: [FetchData.self, ListData.self])
}

extension DataSet: ExpressibleByArgument {
    public init?(argument: String) {
        guard let set = DataSet.named(argument) else { return nil }
        self = set
    }

    public static var allValueStrings: [String] { all.map(\.name) }
}

/// `vae-tui data fetch mnist|fashion-mnist`.
struct FetchData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download a data set's four IDX files, check their published MD5s, and place them.",
        discussion: """
        Each file comes from the first mirror that gives it whole with the published checksum (MNIST: torchvision's \
        mirrors; Fashion-MNIST: Zalando's), goes into DIR/.NAME.part while it downloads, and is renamed into place \
        once verified. A download cut short is kept there, and the next run goes on from where it stopped (HTTP Range).
        """)

    @Argument(help: ArgumentHelp("The data set: \(DataSet.all.map(\.name).joined(separator: " or ")).",
                                 valueName: "SET"))
    var set: DataSet

    @Option(help: ArgumentHelp("Put the files here. Default: $VAE_TUI_DATA, "
                               + "else $XDG_CACHE_HOME/vae-tui/SET (~/.cache/vae-tui/SET).", valueName: "DIR"),
            completion: .directory)
    var dir: String?

    @Option(name: .customLong("mirror"),
            help: ArgumentHelp("A base URL under which the four .gz files are found by their names, "
                               + "tried before the built-in mirrors (repeatable).", valueName: "URL"))
    var mirrors: [String] = []

    @Flag(name: .customLong("no-default-mirrors"), help: "Only the --mirror URLs, none of the built-in ones.")
    var noDefaultMirrors = false

    @Option(help: ArgumentHelp("Seconds a connection may stay silent before the next mirror is tried.", valueName: "S"))
    var timeout: Double = 30

    func validate() throws {
        if noDefaultMirrors && mirrors.isEmpty {
            throw ValidationError("--no-default-mirrors needs at least one --mirror URL")
        }
        if !(timeout > 0 && timeout <= 3600) {
            throw ValidationError("--timeout must be between 0 and 3600 seconds, got \(timeout)")
        }
    }

    func run() throws {
        try reportingUserErrors {
            let directory = try DataLocation.fetchDirectory(for: set, given: dir,
                                                            environment: ProcessInfo.processInfo.environment)
            let chosen = mirrors + (noDefaultMirrors ? [] : set.mirrors)
            let display = FetchDisplay(onTerminal: Terminal.stderrIsTerminal)
            do throws(FetchError) {
                try DataFetcher.fetch(set, into: directory, mirrors: chosen, timeout: timeout) { display.show($0) }
            } catch {
                display.finishLine()
                throw UserError(error.description)
            }
            print("\(set.title): the four files are in \(directory), verified")
        }
    }
}

/// `vae-tui data list`.
struct ListData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Each data set: where it is looked for, whether it is there and verified, its size.")

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        var rows: [(String, String, String, String)] = []
        if let chosen = environment[DataLocation.environmentVariable], !chosen.isEmpty {
            let set = DataSet.recognise(chosen)
            rows.append(Self.row(name: "$\(DataLocation.environmentVariable)", set: set ?? .mnist, directory: chosen,
                                 known: set != nil))
        }
        for set in DataSet.all {
            guard let cache = DataLocation.cache(for: set, environment: environment) else { continue }
            rows.append(Self.row(name: set.name, set: set, directory: cache, known: true))
        }
        rows.append((DataSource.shapesName, "built in", "present", "20000 + 2000 images, made at start"))
        let widths = (0..<3).map { column in rows.map { [$0.0, $0.1, $0.2][column].count }.max()! }
        func pad(_ text: String, _ column: Int) -> String {
            text.padding(toLength: widths[column] + 2, withPad: " ", startingAt: 0)
        }
        for (name, place, state, size) in rows { print(pad(name, 0) + pad(place, 1) + pad(state, 2) + size) }
        let source = try? DataLocation.resolve(directory: nil, dataset: nil, environment: environment)
        let chosen = source.map { source in source.directory.map { "\(source.name) in \($0)" } ?? source.name } ?? "?"
        print("without --data or --dataset, commands read: \(chosen)")
    }

    /// One set's line: its directory, and the state of its files.
    static func row(name: String, set: DataSet, directory: String, known: Bool) -> (String, String, String, String) {
        let checks = set.check(in: directory)
        let bytes = checks.reduce(0) { total, check in
            switch check {
            case .verified(_, let bytes): total + bytes
            case .wrong(let path, _):
                total + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
            case .missing: total
            }
        }
        let present = checks.filter { $0 != .missing }.count
        let state: String
        if present == 0 {
            state = "absent"
        } else if present < checks.count {
            state = "\(present) of \(checks.count) files"
        } else if checks.allSatisfy(\.isVerified) {
            state = "verified"
        } else {
            state = known ? "not verified" : "unknown set"
        }
        return (name, directory, state, present == 0 ? "-" : ByteCount.text(bytes))
    }
}

/// Sizes for people: 9.9 MB, 28.9 kB.
enum ByteCount {
    static func text(_ bytes: Int) -> String {
        let value = Double(bytes)
        if value >= 1e9 { return String(format: "%.2f GB", value / 1e9) }
        if value >= 1e6 { return String(format: "%.1f MB", value / 1e6) }
        if value >= 1e3 { return String(format: "%.1f kB", value / 1e3) }
        return "\(bytes) B"
    }
}

import ArgumentParser
import Foundation
import LatentLab

/// `vae-tui fault`: hidden commands for the reliability checks (`bench/faults/disk_faults.py` and the CLI
/// tests). `save-loop` saves two states in turn without pause, to be killed in the middle of a save;
/// `check-save` says which state a file holds, or that it does not load or mixes the two.
struct Fault: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Debugging: drive and check killed saves (see bench/faults).",
        shouldDisplay: false,
        subcommands: [SaveLoop.self, CheckSave.self])
}

/// The two states `save-loop` writes: a checkpoint whose every weight is `value` and whose step is `step`, and a
/// JSON file beside it (`FILE.json`) naming the same state, written the way a run's config.json or curves.json is.
enum SavedState: String, CaseIterable {
    case a = "A", b = "B"

    var value: Float { self == .a ? 1 : 2 }
    var step: Int { self == .a ? 1 : 2 }

    /// A model the size of the default MNIST one (a 4.5 MB file), so that a save takes long enough to be killed in.
    static let model = VAEConfig.mnist

    static func jsonPath(for checkpoint: String) -> String { checkpoint + ".json" }

    func json(padding: Int) -> Data {
        Data(JSONValue.object([("state", .string(rawValue)), ("step", .int(step)),
                               ("padding", .string(String(repeating: rawValue, count: padding)))]).encoded.utf8)
    }

    /// The state whose weights and step these are; nil for anything else (a mix of the two).
    static func of(_ checkpoint: Checkpoint) -> SavedState? {
        allCases.first { state in
            checkpoint.step == state.step && checkpoint.weights.values.allSatisfy { tensor in
                (0..<tensor.rows).allSatisfy { r in (0..<tensor.cols).allSatisfy { tensor[r, $0] == state.value } }
            }
        }
    }
}

struct SaveLoop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save-loop",
        abstract: "Save state A and state B in turn, as fast as possible, to FILE and FILE.json (kill it mid-save).")

    @Option(help: ArgumentHelp("The checkpoint to write; FILE.json is written beside it.", valueName: "FILE"))
    var checkpoint: String

    @Option(help: ArgumentHelp("Saves to make (A, B, A, …); 0 saves until killed.", valueName: "N"))
    var count: Int = 0

    /// Bytes of the JSON file's padding: large enough that its write is not over in an instant.
    static let jsonPadding = 100_000

    func validate() throws {
        if count < 0 { throw ValidationError("--count must be at least 0, got \(count)") }
    }

    func run() throws {
        try reportingUserErrors {
            let model = VAE(SavedState.model, seed: 1)
            var saves = 0
            while count == 0 || saves < count {
                let state = SavedState.allCases[saves % 2]
                for p in model.parameters { p.assign(Tensor(rows: p.rows, cols: p.cols, repeating: state.value)) }
                try Checkpoint.save(model: model, step: state.step, objective: nil, dataset: "fault", to: checkpoint)
                try AtomicFile.write(state.json(padding: Self.jsonPadding), to: SavedState.jsonPath(for: checkpoint))
                saves += 1
                if saves == 1 {   // the killer waits for this line: the files exist from here on
                    print("saved once")
                    fflush(nil)   // every stream: stdout is a pipe here, block-buffered
                }
            }
        }
    }
}

struct CheckSave: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-save",
        abstract: "Print the state (A or B) FILE and FILE.json hold; exit 1 if either does not load or mixes the two.")

    @Argument(help: ArgumentHelp("A checkpoint written by save-loop (with --any: any checkpoint or JSON file).",
                                 valueName: "FILE"))
    var files: [String]

    @Flag(help: "Only check that each file loads (a checkpoint, or JSON for .json files), whatever it holds.")
    var any = false

    func run() throws {
        try reportingUserErrors {
            for file in files {
                if any {
                    print("\(file): \(try Self.loads(file))")
                } else {
                    let checkpointState = try Self.checkpointState(file)
                    print("\(file): \(checkpointState), \(try Self.jsonState(SavedState.jsonPath(for: file)))")
                }
            }
        }
    }

    static func checkpointState(_ path: String) throws -> String {
        let saved = try Checkpoint.load(path)
        guard let state = SavedState.of(saved) else {
            throw UserError("\(path): a mix of the two states (step \(saved.step))")
        }
        return state.rawValue
    }

    static func jsonState(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let name = object["state"] as? String, let state = SavedState(rawValue: name),
              object["step"] as? Int == state.step,
              object["padding"] as? String == String(repeating: name, count: SaveLoop.jsonPadding) else {
            throw UserError("\(path): not one of the two states (missing, cut short or mixed)")
        }
        return "json " + state.rawValue
    }

    /// "loads (step N)" for a checkpoint, "loads (JSON)" for a JSON file; an error otherwise.
    static func loads(_ path: String) throws -> String {
        guard path.hasSuffix(".json") else { return "loads (step \(try Checkpoint.load(path).step))" }
        guard let data = FileManager.default.contents(atPath: path),
              (try? JSONSerialization.jsonObject(with: data)) != nil else {
            throw UserError("\(path): missing or not JSON")
        }
        return "loads (JSON)"
    }
}

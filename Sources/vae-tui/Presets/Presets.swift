import ArgumentParser
import Foundation
import LatentLab

/// A preset: a small JSON file in `assets/presets/` of settings, named by the long options of `train` without
/// their dashes (`"k": 5`, `"lr-schedule": "iwae"`, `"aggressive": true`), and, where the lecture gives one,
/// the paper's figure for that setting. `--preset NAME` puts its settings before the command line's flags,
/// so a flag given on the command line overrides the preset's (for `reproduce`: over every row's own).
struct Preset: Decodable {
    let description: String
    /// The command the settings are for: `train` (also `run` and `reproduce`) when absent, or `demo binpack`.
    let command: String?
    let settings: [String: Setting]
    /// The paper's figures for this setting: `nll`, `active_units`, `source`, ….
    let paper: [String: Setting]?

    /// A setting's value: a string, a number or a flag.
    enum Setting: Decodable, CustomStringConvertible {
        case text(String), number(Double), flag(Bool)

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) {
                self = .flag(b)
            } else if let n = try? c.decode(Double.self) {
                self = .number(n)
            } else {
                self = .text(try c.decode(String.self))
            }
        }

        var description: String {
            switch self {
            case .text(let s): s
            case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
            case .flag(let b): String(b)
            }
        }
    }

    /// The settings as command-line arguments, in a fixed order: `--k 5`, a true flag as `--aggressive`.
    var arguments: [String] {
        settings.keys.sorted().flatMap { key -> [String] in
            switch settings[key]! {
            case .flag(let on): on ? ["--" + key] : []
            case let value: ["--" + key, value.description]
            }
        }
    }
}

enum Presets {
    /// Commands a preset applies to, the preset command they take settings of, and the keys they do not take.
    static let commands: [String: (presetCommand: String, skipped: Set<String>)] = [
        "train": ("train", []), "run": ("train", ["epochs", "eval-limit", "run-dir"]),
        "demo binpack": ("demo binpack", []),
    ]

    /// Every preset's name, sorted: those compiled in (assets/presets).
    static func names() -> [String] { EmbeddedPresets.files.keys.sorted() }

    /// The preset NAME (compiled in) or a preset file's path (`….json`), checked: it parses, and its command takes
    /// every setting. `path` names it in messages: the file, or the preset's place in the repository.
    static func load(_ name: String) throws -> (path: String, preset: Preset) {
        let path = name.hasSuffix(".json") ? name : "assets/presets/\(name).json"
        let contents = name.hasSuffix(".json")
            ? FileManager.default.contents(atPath: name) : EmbeddedPresets.files[name].map({ Data($0) })
        guard let data = contents else {
            throw UserError("no preset '\(name)'; the presets are: \(names().joined(separator: ", "))")
        }
        let preset: Preset
        do {
            preset = try JSONDecoder().decode(Preset.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw UserError("\(path): the preset has no \"\(key.stringValue)\"")
        } catch {
            throw UserError("\(path): not a preset (a JSON object with \"description\" and \"settings\")")
        }
        do {
            switch preset.command ?? "train" {
            case "train": _ = try Train.parse(preset.arguments)
            case "demo binpack": _ = try Binpack.parse(preset.arguments)
            case let other: throw UserError("\(path): \"command\" must be train or demo binpack, got \(other)")
            }
        } catch let error as UserError {
            throw error
        } catch {
            throw UserError("\(path): \(Train.message(for: error))")
        }
        return (path, preset)
    }

    /// The command line with `--preset NAME` replaced by the preset's settings, placed right after the
    /// command so that the flags after them win.
    static func expand(_ arguments: [String]) throws -> [String] {
        // `reproduce` takes its --preset itself: settings over every row's own.
        guard arguments.first != "reproduce",
              let i = arguments.firstIndex(where: { $0 == "--preset" || $0.hasPrefix("--preset=") }) else {
            return arguments
        }
        let name: String
        var rest = arguments
        if arguments[i] == "--preset" {
            guard i + 1 < arguments.count else { throw UserError("--preset needs a name (vae-tui presets lists them)") }
            name = arguments[i + 1]
            rest.removeSubrange(i...(i + 1))
        } else {
            name = String(arguments[i].dropFirst("--preset=".count))
            rest.remove(at: i)
        }
        // The command's words: `train`, or `demo binpack`.
        guard let words = commands.keys.map({ $0.split(separator: " ").map(String.init) })
                .filter({ rest.starts(with: $0) }).max(by: { $0.count < $1.count }),
              let (presetCommand, skipped) = commands[words.joined(separator: " ")] else {
            throw UserError("--preset goes with \(commands.keys.sorted().joined(separator: ", "))")
        }
        let (path, preset) = try load(name)
        guard preset.command ?? "train" == presetCommand else {
            throw UserError("\(path): a preset for `\(preset.command ?? "train")`, "
                            + "not `\(words.joined(separator: " "))`")
        }
        let kept = Preset(description: preset.description, command: nil,
                          settings: preset.settings.filter { !skipped.contains($0.key) }, paper: nil)
        return words + kept.arguments + rest.dropFirst(words.count)
    }
}

/// `vae-tui presets`: every preset, one line each.
struct PresetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presets", abstract: "List the presets (compiled in from assets/presets), one line each.")

    func run() throws {
        try reportingUserErrors {
            for name in Presets.names() {
                let (_, preset) = try Presets.load(name)
                let paper = preset.paper.map { p in
                    "  [paper: "
                        + p.keys.sorted().filter { $0 != "source" }.map { "\($0) \(p[$0]!)" }.joined(separator: ", ")
                        + "]"
                } ?? ""
                let command = preset.command.map { "[\($0)] " } ?? ""
                print(name.padding(toLength: 24, withPad: " ", startingAt: 0) + command + preset.description + paper)
            }
        }
    }
}

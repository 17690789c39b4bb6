import Foundation
import LatentLab

/// The table a `reproduce` writes into its parent: each measured row beside the paper's figures (table.md and
/// table.json), and, after a `--collect`, the rows still missing with why.
struct ReproduceTable {
    var caption: String
    var rows: [(name: String, row: Reproduce.Row)] = []
    var missing: [(name: String, reason: String)] = []

    var markdown: String {
        var lines = ["| row | epochs | NLL | paper NLL | ELBO | KL | active units | paper active units |",
                     "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for (name, row) in rows {
            let paper = Self.paper(name)
            lines.append("| \(name) | \(row.epochs) | \(String(format: "%.2f", row.nll)) | \(paper.nll ?? "") "
                         + "| \(String(format: "%.2f", row.elbo)) | \(String(format: "%.2f", row.kl)) "
                         + "| \(row.activeUnits) | \(paper.activeUnits ?? "") |")
        }
        if !missing.isEmpty {
            lines += ["", "Not in the table yet:"] + missing.map { "- \($0.name): \($0.reason)" }
        }
        return ([caption, ""] + lines).joined(separator: "\n") + "\n"
    }

    var json: JSONValue {
        let measured: [JSONValue] = rows.map { name, row in
            let paper = Self.paper(name)
            return .object([("row", .string(name)), ("epochs", .int(row.epochs)), ("nll", .float(row.nll)),
                            ("elbo", .float(row.elbo)), ("kl", .float(row.kl)),
                            ("active_units", .int(row.activeUnits)),
                            ("paper_nll", paper.nll.map { .string($0) } ?? .null),
                            ("paper_active_units", paper.activeUnits.map { .string($0) } ?? .null)])
        }
        var fields: [(String, JSONValue)] = [("caption", .string(caption)), ("rows", .array(measured))]
        if !missing.isEmpty {
            fields.append(("missing", .array(missing.map {
                .object([("row", .string($0.name)), ("reason", .string($0.reason))])
            })))
        }
        return .object(fields)
    }

    /// Prints the table and writes table.md and table.json into `parent`.
    func write(to parent: String) throws {
        print("\n" + markdown)
        try AtomicFile.write(Data(markdown.utf8), to: parent + "/table.md")
        try AtomicFile.write(Data(json.encoded.utf8), to: parent + "/table.json")
        print("wrote \(parent)/table.md and \(parent)/table.json")
    }

    /// The paper's NLL and active units of a row, as its preset carries them.
    private static func paper(_ name: String) -> (nll: String?, activeUnits: String?) {
        let paper = (try? Presets.load(name).preset.paper ?? [:]) ?? [:]
        return (paper["nll"]?.description, paper["active_units"]?.description)
    }
}

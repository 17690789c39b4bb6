import Foundation

/// Keys of JSON objects as written in the text. JSON parsers keep one of two equal keys in an object
/// and drop the other without a word, so two tools can read one file two ways: a file that says the
/// same key twice is better refused, and only the text can tell.
enum JSONKeys {
    /// The first key that appears twice in one object, at any depth, of `json` (text a JSON parser has
    /// already accepted), or nil. Keys are compared as decoded strings, so `"a"` and `"\u0061"` are the same.
    static func firstDuplicate(in json: [UInt8]) -> String? {
        // One entry per open object or array: the keys seen so far (nil for an array).
        var open: [Set<String>?] = []
        var expectingKey = false
        var i = 0
        while i < json.count {
            switch json[i] {
            case UInt8(ascii: "{"):
                open.append([])
                expectingKey = true
            case UInt8(ascii: "["):
                open.append(nil)
                expectingKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = open.popLast()
                expectingKey = false
            case UInt8(ascii: ","):
                expectingKey = open.last.map { $0 != nil } ?? false
            case UInt8(ascii: "\""):
                let end = closingQuote(json, from: i)
                if expectingKey, let keys = open.last ?? nil {
                    let key = string(json[i...min(end, json.count - 1)])
                    if keys.contains(key) { return key }
                    open[open.count - 1]?.insert(key)
                    expectingKey = false
                }
                i = end
            default:
                break
            }
            i += 1
        }
        return nil
    }

    /// The index of the quote that closes the string opening at `start` (past the end if none does).
    private static func closingQuote(_ json: [UInt8], from start: Int) -> Int {
        var i = start + 1
        while i < json.count && json[i] != UInt8(ascii: "\"") {
            i += json[i] == UInt8(ascii: "\\") ? 2 : 1
        }
        return i
    }

    /// A string literal's value: its bytes as they stand unless it has escapes, which JSON then decodes.
    private static func string(_ literal: ArraySlice<UInt8>) -> String {
        let inner = literal.dropFirst().dropLast()
        if !inner.contains(UInt8(ascii: "\\")) { return String(decoding: inner, as: UTF8.self) }
        return (try? JSONDecoder().decode(String.self, from: Data(literal))) ?? String(decoding: inner, as: UTF8.self)
    }
}

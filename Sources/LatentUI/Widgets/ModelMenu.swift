import LatentLab

/// The dashboard's m menu: the model families by number, then a y/n confirmation, since choosing one
/// restarts training (the knobs are kept).
public enum ModelMenu {
    /// The keys that pick the families, in their order: the digits, then letters (a tenth family gets `a`, where
    /// a number would have two digits); no `y`, which confirms.
    static let keys = Array("123456789abcdefghijklmnopqrstuvwxz")

    /// The key that picks a family: 1, 2, …
    public static func key(of family: ModelFamily) -> Character {
        keys[ModelFamily.allCases.firstIndex(of: family)!]
    }

    public static func family(forKey key: Character) -> ModelFamily? {
        ModelFamily.allCases.first { Self.key(of: $0) == key }
    }

    public static func draw(current: String, into canvas: inout Canvas) {
        let lines = ModelFamily.allCases.map { ("\(key(of: $0))    \($0.title)", Style.plain) }
            + [("", .plain), ("now: \(current)", .dim), ("Esc  close", .dim)]
        Overlays.dialog(lines, title: "model", into: &canvas)
    }

    public static func confirm(_ family: ModelFamily, into canvas: inout Canvas) {
        Overlays.dialog([("Restart training with \(family.title)?", .plain),
                         ("The knobs are kept; the curves start over.", .dim),
                         ("y: restart    any other key: keep training", .highlight)], title: "model", into: &canvas)
    }
}

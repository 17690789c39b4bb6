import LatentLab

/// The dashboard's m menu: the model families by number, then a y/n confirmation, since choosing one
/// restarts training (the knobs are kept).
public enum ModelMenu {
    /// The key that picks each family: 1, 2, …
    public static func key(of family: ModelFamily) -> Character {
        Character(String(ModelFamily.allCases.firstIndex(of: family)! + 1))
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
        Overlays.dialog([("Restart training with \(family.title)?", .plain), ("The knobs are kept; the curves start over.", .dim),
                         ("y: restart    any other key: keep training", .highlight)], title: "model", into: &canvas)
    }
}

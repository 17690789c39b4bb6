/// The dashboard's d menu: one line per demo with the key that opens it; Esc closes the menu.
/// The entries come from the caller, which alone knows how to run a demo on its screen.
public enum DemoMenu {
    public struct Item: Equatable, Sendable {
        public let key: Character
        public let title: String
        public init(key: Character, title: String) {
            self.key = key
            self.title = title
        }
    }

    public static func draw(_ items: [Item], into canvas: inout Canvas) {
        let lines = items.map { ("\($0.key)    \($0.title)", Style.plain) }
            + [("", .plain), ("Esc  close; in a demo, q or Esc comes back here", .dim)]
        Overlays.dialog(lines, title: "demos", into: &canvas)
    }
}

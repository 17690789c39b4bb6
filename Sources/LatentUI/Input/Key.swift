/// A key press, as the terminal layer reports it.
public enum Key: Equatable, Sendable {
    /// Closes a help overlay, on every screen that has one.
    public var closesHelp: Bool { self == .escape || self == .character("?") || self == .f1 || self == .character("q") }

    case character(Character)
    case up, down, left, right
    case f1
    case escape
    case tab
    case controlC
    case resize
}

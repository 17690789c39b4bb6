/// A key press, as the terminal layer reports it.
public enum Key: Equatable, Sendable {
    case character(Character)
    case up, down, left, right
    case f1
    case escape
    case tab
    case controlC
    case resize
}

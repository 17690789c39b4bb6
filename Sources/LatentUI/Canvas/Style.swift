/// A terminal colour: the 16 named ones, or a grey level for images.
public enum Color: Hashable, Sendable {
    case standard
    case black, red, green, yellow, blue, magenta, cyan, white
    case brightBlack, brightRed, brightGreen, brightYellow, brightBlue, brightMagenta, brightCyan, brightWhite
    /// 0 (black) … 23 (white): xterm-256's grey ramp.
    case grey(Int)

    /// Colours for categories (labels, latent units), distinct on dark and light backgrounds.
    public static let palette: [Color] = [.brightRed, .brightGreen, .brightYellow, .brightBlue, .brightMagenta,
                                          .brightCyan, .red, .green, .yellow, .blue]

    public static func category(_ i: Int) -> Color { palette[((i % palette.count) + palette.count) % palette.count] }

    /// The non-bright variant of category i's colour (for the first six), for a second layer of the same item.
    public static func dimCategory(_ i: Int) -> Color {
        switch category(i) {
        case .brightRed: .red
        case .brightGreen: .green
        case .brightYellow: .yellow
        case .brightBlue: .blue
        case .brightMagenta: .magenta
        case .brightCyan: .cyan
        case let other: other
        }
    }

    /// The nearest grey for a brightness in [0, 1].
    public static func grey(brightness: Float) -> Color { .grey(Int((min(max(brightness, 0), 1) * 23).rounded())) }
}

/// How a cell is drawn.
public struct Style: Hashable, Sendable {
    public var foreground: Color
    public var background: Color
    public var bold: Bool
    public var reverse: Bool
    /// Faint and underlined: what colours become on a terminal without them (see `Fallback`).
    public var dim: Bool
    public var underline: Bool

    public init(_ foreground: Color = .standard, background: Color = .standard, bold: Bool = false,
                reverse: Bool = false, dim: Bool = false, underline: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.reverse = reverse
        self.dim = dim
        self.underline = underline
    }

    public static let plain = Style()
    public static let title = Style(.brightWhite, bold: true)
    public static let dim = Style(.brightBlack)
    public static let border = Style(.brightBlack)
    public static let highlight = Style(.brightYellow, bold: true)
    public static let warning = Style(.brightRed, bold: true)
}

/// A rectangle of cells.
public struct Rect: Equatable, Sendable {
    public var x, y, width, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// The rectangle less `n` cells on every side.
    public func inset(_ n: Int) -> Rect { Rect(x: x + n, y: y + n, width: width - 2 * n, height: height - 2 * n) }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
}

/// One terminal cell: a single-width character and its style.
public struct Cell: Equatable, Sendable {
    public var character: Unicode.Scalar
    public var style: Style
    public init(_ character: Unicode.Scalar = " ", _ style: Style = .plain) {
        self.character = character
        self.style = style
    }
}

/// A grid of cells that screens draw into. Pure data: the curses layer only copies it to the terminal,
/// and tests read it back as text. Everything drawn outside the grid is clipped.
public struct Canvas: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { if x >= 0 && y >= 0 && x < width && y < height { cells[y * width + x] = newValue } }
    }

    /// Writes `text` from (x, y) to the right, clipped to `clip` (default: the whole canvas).
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .plain, clip: Rect? = nil) {
        let c = clip ?? bounds
        guard y >= c.y && y < c.maxY else { return }
        var cx = x
        for scalar in text.unicodeScalars {
            if cx >= c.maxX { break }
            if cx >= c.x { self[cx, y] = Cell(scalar, style) }
            cx += 1
        }
    }

    /// Writes `text` so it ends at column `right` (exclusive).
    public mutating func putRight(_ text: String, right: Int, y: Int, style: Style = .plain, clip: Rect? = nil) {
        put(text, x: right - text.unicodeScalars.count, y: y, style: style, clip: clip)
    }

    public mutating func fill(_ rect: Rect, _ character: Unicode.Scalar = " ", style: Style = .plain) {
        for y in rect.y..<rect.maxY { for x in rect.x..<rect.maxX { self[x, y] = Cell(character, style) } }
    }

    /// A box of Unicode line characters with an optional title in its top edge.
    public mutating func box(_ rect: Rect, title: String = "", style: Style = .border, titleStyle: Style = .title) {
        guard rect.width >= 2 && rect.height >= 2 else { return }
        for x in (rect.x + 1)..<(rect.maxX - 1) {
            self[x, rect.y] = Cell("─", style)
            self[x, rect.maxY - 1] = Cell("─", style)
        }
        for y in (rect.y + 1)..<(rect.maxY - 1) {
            self[rect.x, y] = Cell("│", style)
            self[rect.maxX - 1, y] = Cell("│", style)
        }
        self[rect.x, rect.y] = Cell("┌", style)
        self[rect.maxX - 1, rect.y] = Cell("┐", style)
        self[rect.x, rect.maxY - 1] = Cell("└", style)
        self[rect.maxX - 1, rect.maxY - 1] = Cell("┘", style)
        if !title.isEmpty {
            put(" \(title) ", x: rect.x + 2, y: rect.y, style: titleStyle,
                clip: Rect(x: rect.x + 1, y: rect.y, width: rect.width - 2, height: 1))
        }
    }

    /// The characters, one line per row (trailing spaces kept), for snapshot tests.
    public var text: String {
        (0..<height).map { y in
            String(String.UnicodeScalarView(cells[(y * width)..<((y + 1) * width)].map(\.character)))
        }
        .joined(separator: "\n")
    }
}

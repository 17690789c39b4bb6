/// A dot grid drawn with braille characters: each cell holds 2×4 dots (U+2800 + a bit per dot), so a
/// w×h cell area is a 2w×4h plot with nearly square dots. Each cell takes the colour of its last dot.
public struct BrailleGrid: Sendable {
    public let cellWidth: Int
    public let cellHeight: Int
    private var masks: [UInt8]
    private var colors: [Color?]

    public init(cellWidth: Int, cellHeight: Int) {
        self.cellWidth = max(0, cellWidth)
        self.cellHeight = max(0, cellHeight)
        masks = Array(repeating: 0, count: self.cellWidth * self.cellHeight)
        colors = Array(repeating: nil, count: self.cellWidth * self.cellHeight)
    }

    public var dotWidth: Int { cellWidth * 2 }
    public var dotHeight: Int { cellHeight * 4 }

    /// Dot bits by (column in cell, row in cell).
    static let bits: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

    /// Sets the dot at (x, y), y growing downwards; dots outside are ignored.
    public mutating func set(_ x: Int, _ y: Int, color: Color = .standard) {
        guard x >= 0 && y >= 0 && x < dotWidth && y < dotHeight else { return }
        let i = (y / 4) * cellWidth + x / 2
        masks[i] |= Self.bits[x % 2][y % 4]
        colors[i] = color
    }

    /// A straight line between two dots (Bresenham).
    public mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, color: Color = .standard) {
        Self.walk(x0, y0, x1, y1) { x, y in set(x, y, color: color) }
    }

    /// A dashed line: its dots in every other cell along its longer direction, so each dash is one whole glyph
    /// (a dash cut across two cells reads as noise). Told apart from a solid line (a trajectory) without colour.
    public mutating func dashedLine(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, color: Color = .standard) {
        let across = abs(x1 - x0) >= abs(y1 - y0)
        Self.walk(x0, y0, x1, y1) { x, y in
            let cell = across ? x >> 1 : y >> 2
            if cell & 1 == 0 { set(x, y, color: color) }
        }
    }

    /// Each dot of the line from (x0, y0) to (x1, y1) (Bresenham).
    private static func walk(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ visit: (Int, Int) -> Void) {
        var x = x0, y = y0
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        while true {
            visit(x, y)
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// Copies the dots into `canvas` at (x, y); empty cells are left as they are, and a dotted cell keeps its
    /// background (dots drawn over shading).
    public func render(into canvas: inout Canvas, x: Int, y: Int) {
        for cy in 0..<cellHeight {
            for cx in 0..<cellWidth {
                let i = cy * cellWidth + cx
                guard masks[i] != 0, x + cx < canvas.width, y + cy < canvas.height, x + cx >= 0, y + cy >= 0 else {
                    continue
                }
                let back = canvas[x + cx, y + cy].style.background
                canvas[x + cx, y + cy] = Cell(Unicode.Scalar(0x2800 + UInt32(masks[i]))!,
                                              Style(colors[i] ?? .standard, background: back))
            }
        }
    }
}

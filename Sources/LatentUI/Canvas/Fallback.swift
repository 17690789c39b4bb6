/// How a cell is shown on a terminal without colour (`NO_COLOR`, `--no-color`, a monochrome terminal) or
/// without UTF-8 (a locale such as `LANG=C`). Screens are drawn once, in colour and Unicode; the terminal
/// layer passes each cell through here, so what the colours say survives in glyphs and attributes:
/// - the greys of borders, axes and the prior's contours turn faint, the bright colours bold;
/// - red (collapsed units, warnings): text underlined, bars drawn in a light shade instead of solid;
/// - a coloured background (the status line, notices) becomes reverse video, a grey one (the aggregate
///   posterior's shading) is dropped;
/// - half-block images become an ASCII brightness ramp;
/// - without UTF-8, braille, blocks, box lines and symbols become ASCII.
public enum Fallback {
    /// A brightness ramp, dark to light.
    static let ramp: [Unicode.Scalar] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]

    public static func cell(_ cell: Cell, color: Bool, unicode: Bool) -> Cell {
        var out = color ? cell : monochrome(cell, unicode: unicode)
        if !unicode { out.character = ascii(out.character) }
        return out
    }

    static func monochrome(_ cell: Cell, unicode: Bool) -> Cell {
        let s = cell.style, c = cell.character
        var style = Style(bold: s.bold, reverse: s.reverse, underline: s.underline)
        if c == "▀", let top = level(s.foreground) {
            // A half-block pixel pair: the mean brightness of the two as a ramp character.
            let bottom = level(s.background) ?? 0
            let mean = Double(top + bottom) / 2 / 23
            return Cell(ramp[min(ramp.count - 1, Int(mean * Double(ramp.count - 1) + 0.5))], Style())
        }
        let red = s.foreground == .red || s.foreground == .brightRed
        if red && isBar(c) { return Cell(unicode ? "░" : ":", style) }
        switch s.foreground {
        case .brightBlack, .grey: style.dim = true
        case .red, .brightRed: style.underline = true
        case .brightGreen, .brightYellow, .brightBlue, .brightMagenta, .brightCyan, .brightWhite: style.bold = true
        default: break
        }
        switch s.background {
        case .standard, .grey: break
        default: style.reverse.toggle()
        }
        return Cell(c, style)
    }

    /// 0…23 for a grey, nil for any other colour.
    static func level(_ color: Color) -> Int? {
        if case .grey(let l) = color { return l }
        return color == .black ? 0 : color == .white || color == .brightWhite ? 23 : nil
    }

    /// The lower eighths (▁…█) and left eighths (▏…▉) that draw bars.
    static func isBar(_ c: Unicode.Scalar) -> Bool {
        (0x2581...0x2588).contains(c.value) || (0x2589...0x258F).contains(c.value)
    }

    /// The nearest ASCII character.
    public static func ascii(_ c: Unicode.Scalar) -> Unicode.Scalar {
        if c.isASCII { return c }
        switch c.value {
        case 0x2800...0x28FF:   // braille: by the number of dots
            let dots = (c.value - 0x2800).nonzeroBitCount
            return dots == 0 ? " " : dots <= 2 ? "." : dots <= 4 ? ":" : "#"
        case 0x2581...0x2583: return "_"
        case 0x2584...0x2586: return "o"
        case 0x2587...0x2588, 0x2589...0x258B, 0x2593: return "#"
        case 0x258C...0x258F: return "|"
        case 0x2580: return "\""
        case 0x2591, 0x2592: return ":"
        default: break
        }
        let table: [Unicode.Scalar: Unicode.Scalar] = [
            "─": "-", "━": "-", "╌": "-", "│": "|", "┃": "|", "┌": "+", "┐": "+", "└": "+",
            "┘": "+", "├": "+", "┤": "+", "┬": "+", "┴": "+", "┼": "+", "·": ".", "•": "*", "●": "*",
            "◌": "o", "▲": "^", "▴": "^", "▶": ">", "▸": ">", "■": "#", "⏸": "=", "≥": ">",
            "≤": "<", "‖": "|", "→": ">", "←": "<", "↑": "^", "↓": "v", "↔": "-", "−": "-",
            "–": "-", "—": "-", "×": "x", "…": ".", "²": "2", "σ": "s", "β": "b", "λ": "l", "δ": "d",
            "∝": "~", "Σ": "E", "ε": "e", "μ": "u", "≈": "~", "±": "+", "▐": "|", "▔": "-", "▕": "|",
            "◆": "@",
        ]
        return table[c] ?? "?"
    }
}

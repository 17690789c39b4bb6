import Foundation

/// A canvas as an SVG picture, for screenshots and `vae-tui show --export`: a dark terminal of fixed
/// cells, text in a monospace font, and braille dots, block elements and box lines drawn as shapes, so the
/// plots look right whatever fonts the viewer has.
public enum SVG {
    /// One cell's size in pixels: a typical 2:1 terminal cell.
    static let cellWidth = 9, cellHeight = 18
    static let fontSize = 15
    static let background = "#1c1c1c", foreground = "#d0d0d0"

    public static func render(_ canvas: Canvas) -> String {
        let w = canvas.width * cellWidth, h = canvas.height * cellHeight
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(w)" height="\(h)" viewBox="0 0 \(w) \(h)">
        <rect width="100%" height="100%" fill="\(background)"/>
        <g font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="\(fontSize)" xml:space="preserve">

        """
        for y in 0..<canvas.height {
            backgrounds(canvas, row: y, into: &out)
            var x = 0
            while x < canvas.width {
                let cell = canvas[x, y]
                let (fg, _) = colors(cell.style)
                if shape(cell.character, x: x, y: y, color: fg, into: &out) {
                    x += 1
                    continue
                }
                // A run of plain characters in one style becomes one text element.
                var run = "", end = x
                while end < canvas.width, canvas[end, y].style == cell.style, !isShape(canvas[end, y].character) {
                    run.unicodeScalars.append(canvas[end, y].character)
                    end += 1
                }
                if run.contains(where: { $0 != " " }) {
                    let trimmed = String(run.reversed().drop { $0 == " " }.reversed())
                    let weight = cell.style.bold ? " font-weight=\"bold\"" : ""
                    out += "<text x=\"\(x * cellWidth)\" y=\"\(y * cellHeight + baseline)\" fill=\"\(fg)\"\(weight)"
                        + " textLength=\"\(trimmed.unicodeScalars.count * cellWidth)\""
                        + " lengthAdjust=\"spacingAndGlyphs\">"
                        + escape(trimmed) + "</text>\n"
                }
                x = end
            }
        }
        return out + "</g>\n</svg>\n"
    }

    static let baseline = 14

    /// One rectangle per run of cells with the same non-default background.
    private static func backgrounds(_ canvas: Canvas, row y: Int, into out: inout String) {
        var x = 0
        while x < canvas.width {
            let (_, bg) = colors(canvas[x, y].style)
            var end = x + 1
            while end < canvas.width, colors(canvas[end, y].style).background == bg { end += 1 }
            if bg != background {
                out += rect(x: x * cellWidth, y: y * cellHeight, width: (end - x) * cellWidth, height: cellHeight,
                            fill: bg)
            }
            x = end
        }
    }

    private static func isShape(_ c: Unicode.Scalar) -> Bool {
        (0x2800...0x28FF).contains(c.value) || (0x2580...0x259F).contains(c.value) || boxArms[c] != nil
    }

    /// Draws braille, blocks and box lines as shapes; false for any other character.
    private static func shape(_ c: Unicode.Scalar, x: Int, y: Int, color: String, into out: inout String) -> Bool {
        let left = x * cellWidth, top = y * cellHeight
        switch c.value {
        case 0x2800...0x28FF:
            let mask = c.value - 0x2800
            for (column, bits) in [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]].enumerated() {
                for (row, bit) in bits.enumerated() where mask & UInt32(bit) != 0 {
                    let cx = Double(left) + (Double(column) + 0.5) * Double(cellWidth) / 2
                    let cy = Double(top) + (Double(row) + 0.5) * Double(cellHeight) / 4
                    out += "<circle cx=\"\(cx)\" cy=\"\(cy)\" r=\"1.6\" fill=\"\(color)\"/>\n"
                }
            }
            return true
        case 0x2580...0x259F:
            guard let (fx, fy, fw, fh, opacity) = blocks[c] else { return false }
            out += "<rect x=\"\(Double(left) + fx * Double(cellWidth))\" y=\"\(Double(top) + fy * Double(cellHeight))\""
                + " width=\"\(fw * Double(cellWidth))\" height=\"\(fh * Double(cellHeight))\" fill=\"\(color)\""
                + (opacity < 1 ? " fill-opacity=\"\(opacity)\"" : "") + "/>\n"
            return true
        default:
            guard let arms = boxArms[c] else { return false }
            let cx = Double(left) + Double(cellWidth) / 2, cy = Double(top) + Double(cellHeight) / 2
            let ends = [(cx, Double(top)), (Double(left + cellWidth), cy), (cx, Double(top + cellHeight)),
                        (Double(left), cy)]
            for (i, end) in ends.enumerated() where arms.directions & (1 << i) != 0 {
                out += "<line x1=\"\(cx)\" y1=\"\(cy)\" x2=\"\(end.0)\" y2=\"\(end.1)\" stroke=\"\(color)\""
                    + " stroke-width=\"\(arms.heavy ? 2.5 : 1.2)\"/>\n"
            }
            return true
        }
    }

    /// Block elements as (x, y, width, height) fractions of the cell and an opacity (the shades).
    private static let blocks: [Unicode.Scalar: (Double, Double, Double, Double, Double)] = {
        var b: [Unicode.Scalar: (Double, Double, Double, Double, Double)] = [
            "▀": (0, 0, 1, 0.5, 1), "▐": (0.5, 0, 0.5, 1, 1), "░": (0, 0, 1, 1, 0.25), "▒": (0, 0, 1, 1, 0.5),
            "▓": (0, 0, 1, 1, 0.75), "▔": (0, 0, 1, 0.125, 1), "▕": (0.875, 0, 0.125, 1, 1),
        ]
        for eighths in 1...8 {
            let f = Double(eighths) / 8
            b[Unicode.Scalar(0x2580 + UInt32(eighths))!] = (0, 1 - f, 1, f, 1)  // ▁ … █, lower eighths
            // ▏ … ▉, left eighths
            if eighths < 8 { b[Unicode.Scalar(0x2590 - UInt32(eighths))!] = (0, 0, f, 1, 1) }
        }
        return b
    }()

    /// Box-drawing characters by the arms they draw from the centre (bits: up, right, down, left) and weight.
    private static let boxArms: [Unicode.Scalar: (directions: Int, heavy: Bool)] = [
        "─": (0b1010, false), "│": (0b0101, false), "┌": (0b0110, false), "┐": (0b1100, false),
        "└": (0b0011, false), "┘": (0b1001, false), "├": (0b0111, false), "┤": (0b1101, false),
        "┬": (0b1110, false), "┴": (0b1011, false), "┼": (0b1111, false), "━": (0b1010, true),
        "┃": (0b0101, true),
    ]

    /// The style's colours as SVG colours, reverse video swapped.
    static func colors(_ style: Style) -> (foreground: String, background: String) {
        let fg = hex(style.foreground) ?? foreground, bg = hex(style.background) ?? background
        return style.reverse ? (bg, fg) : (fg, bg)
    }

    /// xterm's palette for the named colours and its 232…255 grey ramp; nil for the terminal default.
    static func hex(_ color: Color) -> String? {
        switch color {
        case .standard: return nil
        case .grey(let level):
            let v = 8 + 10 * min(max(level, 0), 23)
            return String(format: "#%02x%02x%02x", v, v, v)
        default:
            let named: [Color: String] = [
                .black: "#000000", .red: "#cd0000", .green: "#00cd00", .yellow: "#cdcd00", .blue: "#3b6bee",
                .magenta: "#cd00cd", .cyan: "#00cdcd", .white: "#e5e5e5", .brightBlack: "#7f7f7f",
                .brightRed: "#ff4040", .brightGreen: "#00ff00", .brightYellow: "#ffff00", .brightBlue: "#6b8cff",
                .brightMagenta: "#ff00ff", .brightCyan: "#00ffff", .brightWhite: "#ffffff",
            ]
            return named[color]
        }
    }

    private static func rect(x: Int, y: Int, width: Int, height: Int, fill: String) -> String {
        "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(width)\" height=\"\(height)\" fill=\"\(fill)\"/>\n"
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

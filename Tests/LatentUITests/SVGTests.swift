import Testing
@testable import LatentUI

/// The SVG screenshot: text as text, and the plot glyphs as shapes so no font is needed for them.
struct SVGTests {
    @Test func textIsEscapedAndPlacedOnTheCellGrid() {
        var c = Canvas(width: 12, height: 2)
        c.put("a<b & \"c\"", x: 1, y: 1, style: Style(.brightRed, bold: true))
        let svg = SVG.render(c)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(12 * SVG.cellWidth)\" height=\"\(2 * SVG.cellHeight)\""))
        #expect(svg.contains("<text x=\"\(SVG.cellWidth)\" y=\"\(SVG.cellHeight + SVG.baseline)\" fill=\"#ff4040\" font-weight=\"bold\" textLength=\"\(9 * SVG.cellWidth)\""))
        #expect(svg.contains(">a&lt;b &amp; &quot;c&quot;</text>"))
        #expect(svg.hasSuffix("</svg>\n"))
    }

    @Test func brailleDotsBecomeCircles() {
        var grid = BrailleGrid(cellWidth: 2, cellHeight: 1)
        for (x, y) in [(0, 0), (1, 3), (3, 1)] { grid.set(x, y, color: .brightGreen) }
        var c = Canvas(width: 2, height: 1)
        grid.render(into: &c, x: 0, y: 0)
        let svg = SVG.render(c)
        #expect(svg.components(separatedBy: "<circle").count - 1 == 3)
        #expect(svg.contains("fill=\"#00ff00\""))
        #expect(!svg.unicodeScalars.contains { (0x2800...0x28FF).contains($0.value) })
    }

    @Test func halfBlocksAndBarsAreRectanglesInTheirColours() {
        var c = Canvas(width: 3, height: 1)
        c[0, 0] = Cell("▀", Style(.grey(23), background: .grey(0)))
        c[1, 0] = Cell("▄", Style(.blue))
        c[2, 0] = Cell("▏", Style(.red))
        let svg = SVG.render(c)
        // The lower pixel is the cell's background, the upper the block in the foreground colour.
        #expect(svg.contains("<rect x=\"0\" y=\"0\" width=\"\(SVG.cellWidth)\" height=\"\(SVG.cellHeight)\" fill=\"#080808\"/>"))
        #expect(svg.contains("<rect x=\"0.0\" y=\"0.0\" width=\"\(Double(SVG.cellWidth))\" height=\"\(Double(SVG.cellHeight) / 2)\" fill=\"#eeeeee\"/>"))
        #expect(svg.contains("y=\"\(Double(SVG.cellHeight) / 2)\" width=\"\(Double(SVG.cellWidth))\" height=\"\(Double(SVG.cellHeight) / 2)\" fill=\"#3b6bee\""))
        #expect(svg.contains("width=\"\(Double(SVG.cellWidth) / 8)\" height=\"\(Double(SVG.cellHeight))\" fill=\"#cd0000\""))
        #expect(!svg.contains("<text"))
    }

    @Test func boxesAreLinesAndReverseVideoSwapsColours() {
        var c = Canvas(width: 4, height: 3)
        c.box(c.bounds)
        c[1, 1] = Cell("x", Style(.brightWhite, background: .blue, reverse: true))
        let svg = SVG.render(c)
        // Corners draw two arms, edges two: 4 × 2 + 4 edge cells × 2 (the 3-high box has 2 top/bottom edge cells and 2 side cells).
        #expect(svg.components(separatedBy: "<line").count - 1 == 8 + 2 * 2 * 2 + 2 * 1 * 2)
        #expect(svg.contains("fill=\"#ffffff\"/>"))  // the background of the reversed cell
        // Reverse video: the blue background becomes the text's colour, the white foreground its cell.
        #expect(svg.contains("<text x=\"\(SVG.cellWidth)\" y=\"\(SVG.cellHeight + SVG.baseline)\" fill=\"#3b6bee\" textLength"))
    }
}

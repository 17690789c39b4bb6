/// Greyscale images in half blocks: "▀" with the upper pixel as foreground and the lower as background,
/// so a 28×28 image fills 28×14 cells.
public enum HalfBlockImage {
    public static func draw(_ pixels: [Float], width: Int, height: Int, into canvas: inout Canvas, x: Int, y: Int) {
        guard pixels.count >= width * height else { return }
        for row in stride(from: 0, to: height, by: 2) {
            for col in 0..<width {
                let top = pixels[row * width + col]
                let bottom = row + 1 < height ? pixels[(row + 1) * width + col] : 0
                canvas[x + col, y + row / 2] = Cell("▀", Style(.grey(brightness: top),
                                                              background: .grey(brightness: bottom)))
            }
        }
    }
}

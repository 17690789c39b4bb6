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

    /// The image averaged down (or repeated up) to `side`×`side` pixels, each output pixel the mean of the
    /// input pixels its square covers.
    public static func shrink(_ image: [Float], width: Int, height: Int, to side: Int) -> [Float] {
        (0..<(side * side)).map { i in
            let (r, col) = (i / side, i % side)
            let rows = (r * height / side)..<max(r * height / side + 1, (r + 1) * height / side)
            let columns = (col * width / side)..<max(col * width / side + 1, (col + 1) * width / side)
            var sum: Float = 0
            for y in rows { for x in columns { sum += image[y * width + x] } }
            return sum / Float(rows.count * columns.count)
        }
    }
}

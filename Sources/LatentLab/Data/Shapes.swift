import Foundation

/// The built-in data set: 28×28 greyscale shapes drawn procedurally, so `vae-tui` runs anywhere with
/// no files. Each image has known factors of variation (the shape, its position, scale and rotation),
/// which makes it a good first thing for a VAE's latent space to discover. The label is the shape.
public enum Shapes {
    public static let labelNames = ["square", "circle", "triangle", "cross", "ring"]

    /// The factors one image was drawn with.
    public struct Factors: Sendable, Equatable {
        public var shape: Int
        public var centerX: Float
        public var centerY: Float
        public var radius: Float
        public var rotation: Float
    }

    /// `count` images drawn from `seed`.
    public static func generate(count: Int, seed: UInt64, name: String) -> ImageDataset {
        var rng = RandomSource(seed: seed)
        var pixels = [UInt8](repeating: 0, count: count * 784)
        var labels = [UInt8](repeating: 0, count: count)
        pixels.withUnsafeMutableBufferPointer { buffer in
            for i in 0..<count {
                let f = randomFactors(&rng)
                labels[i] = UInt8(f.shape)
                draw(f, into: buffer.baseAddress! + i * 784)
            }
        }
        return ImageDataset(name: name, count: count, height: 28, width: 28, pixels: pixels, labels: labels,
                            labelNames: labelNames)
    }

    /// 20,000 training images (seed 1) and 2,000 test images (seed 2).
    public static func standard() -> (train: ImageDataset, test: ImageDataset) {
        (generate(count: 20_000, seed: 1, name: "shapes-train"), generate(count: 2_000, seed: 2, name: "shapes-test"))
    }

    static func randomFactors(_ rng: inout RandomSource) -> Factors {
        let shape = Int(rng.next() % UInt64(labelNames.count))
        let radius = 6 + 5 * rng.uniform()
        // Keep the shape inside the frame: its farthest point is at most `radius` from the centre.
        let margin = radius + 1
        let cx = margin + (27 - 2 * margin) * rng.uniform()
        let cy = margin + (27 - 2 * margin) * rng.uniform()
        return Factors(shape: shape, centerX: cx, centerY: cy, radius: radius, rotation: 2 * Float.pi * rng.uniform())
    }

    /// Renders with 2×2 samples per pixel for antialiased edges; only the shape's bounding box is visited.
    static func draw(_ f: Factors, into image: UnsafeMutablePointer<UInt8>) {
        let c = Foundation.cos(-f.rotation), s = Foundation.sin(-f.rotation)
        let inverseRadius = 1 / f.radius
        let lowX = max(0, Int(f.centerX - f.radius) - 1), highX = min(27, Int(f.centerX + f.radius) + 1)
        let lowY = max(0, Int(f.centerY - f.radius) - 1), highY = min(27, Int(f.centerY + f.radius) + 1)
        for y in lowY...highY {
            for x in lowX...highX {
                var hits = 0
                for sy in 0..<2 {
                    for sx in 0..<2 {
                        let px = Float(x) + 0.25 + 0.5 * Float(sx) - f.centerX
                        let py = Float(y) + 0.25 + 0.5 * Float(sy) - f.centerY
                        // Into the shape's own frame: unrotated, unit radius.
                        let qx = (c * px - s * py) * inverseRadius, qy = (s * px + c * py) * inverseRadius
                        if inside(f.shape, qx, qy) { hits += 1 }
                    }
                }
                image[y * 28 + x] = UInt8(hits * 255 / 4)
            }
        }
    }

    /// Whether the point (x, y) of the unit-radius frame lies in the shape.
    static func inside(_ shape: Int, _ x: Float, _ y: Float) -> Bool {
        switch shape {
        case 0: return max(abs(x), abs(y)) <= 0.75
        case 1: return x * x + y * y <= 1
        case 2:
            // Equilateral triangle with circumradius 1: inside all three edges (inradius 1/2).
            return y >= -0.5 && 0.866_025 * x - 0.5 * y >= -0.5 && -0.866_025 * x - 0.5 * y >= -0.5
        case 3: return (abs(x) <= 0.28 && abs(y) <= 1) || (abs(y) <= 0.28 && abs(x) <= 1)
        default:
            let r2 = x * x + y * y
            return r2 <= 1 && r2 >= 0.36
        }
    }
}

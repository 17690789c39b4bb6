/// An n×n midpoint grid over the square [−extent, extent]², row-major with z_1 varying fastest,
/// as the cells of a quadrature rule: ∫ f(z) dz ≈ Σ_g f(z_g) · cellArea.
public struct QuadratureGrid: Sendable, Equatable {
    public let size: Int
    public let extent: Float

    /// 160² cells of side 1/16 over [−5, 5]²: a q(z|x) with σ ≥ 0.1 spans several cells, and N(0, I) puts
    /// all but about 1e-6 of its mass inside.
    public static let standard = QuadratureGrid(size: 160, extent: 5)

    public init(size: Int, extent: Float) {
        self.size = size
        self.extent = extent
    }

    public var spacing: Float { 2 * extent / Float(size) }
    public var cellArea: Float { spacing * spacing }
    public var count: Int { size * size }

    /// The centre of cell i along one axis.
    public func coordinate(_ i: Int) -> Float { -extent + (Float(i) + 0.5) * spacing }

    /// Every cell centre, count×2.
    var points: Tensor {
        var t = Tensor(uninitialized: count, 2)
        t.withMutablePointer { p in
            for row in 0..<size {
                for column in 0..<size {
                    let g = row * size + column
                    p[2 * g] = coordinate(column)
                    p[2 * g + 1] = coordinate(row)
                }
            }
        }
        return t
    }

    /// The cell holding z, or nil outside the grid.
    public func index(_ z1: Float, _ z2: Float) -> Int? {
        let column = Int(((z1 + extent) / spacing).rounded(.down)), row = Int(((z2 + extent) / spacing).rounded(.down))
        guard (0..<size).contains(column) && (0..<size).contains(row) else { return nil }
        return row * size + column
    }
}

/// The midpoint rule inside every cell: each unit cell split into m×m sub-cells, the integrand read at their
/// centres u_s = ((s1 + ½)/m, (s2 + ½)/m), so ∫_cell f(x + u) du ≈ (1/m²) Σ_s f(x + u_s).
///
/// Sub-cell s = s2·m + s1 (s1 fastest, s2 upwards). Arrays over the whole plane are cell-major: point s of
/// cell c sits at c·m² + s, so each cell's quadrature is one contiguous block.
public struct SubcellGrid: Sendable, Equatable {
    public let levels: Int
    /// m, the sub-cells along each side of a cell.
    public let subdivisions: Int

    /// Quadrature points along each side of the whole square in the standard grid: m = 16 at L = 16. Fewer
    /// per cell at larger L keeps the evaluation's cost the same; the model's finest bump follows the grid
    /// (`LogisticMixtureDensity.minimumScale`), so the rule resolves whatever the model can draw.
    public static let pointsPerSide = 256
    /// m never drops below this, however large L is.
    public static let minimumSubdivisions = 4

    public init(levels: Int, subdivisions: Int) {
        precondition(levels >= 1 && subdivisions >= 1, "a grid needs cells and sub-cells")
        self.levels = levels
        self.subdivisions = subdivisions
    }

    /// About `pointsPerSide` quadrature points along each side.
    public static func standard(levels: Int) -> SubcellGrid {
        SubcellGrid(levels: levels, subdivisions: max(minimumSubdivisions, pointsPerSide / levels))
    }

    public var cellCount: Int { levels * levels }
    public var pointsPerCell: Int { subdivisions * subdivisions }
    public var pointCount: Int { cellCount * pointsPerCell }
    /// L·m: quadrature points along one side of the square.
    public var side: Int { levels * subdivisions }

    /// The centre of sub-cell i along one side of a cell, in (0, 1).
    public func offset(_ i: Int) -> Double { (Double(i) + 0.5) / Double(subdivisions) }

    /// The sub-cell centres u_s of one cell, m²×2, in sub-cell order.
    public var offsets: Tensor {
        var t = Tensor(uninitialized: pointsPerCell, 2)
        t.withMutablePointer { p in
            for s in 0..<pointsPerCell {
                p[2 * s] = Float(offset(s % subdivisions))
                p[2 * s + 1] = Float(offset(s / subdivisions))
            }
        }
        return t
    }

    /// The cell-major array index of the quadrature point in column t1 and row t2 of the whole square
    /// (t = cell·m + sub-cell along each axis).
    @inline(__always) public func index(column t1: Int, row t2: Int) -> Int {
        let m = subdivisions
        return ((t2 / m) * levels + t1 / m) * pointsPerCell + (t2 % m) * m + t1 % m
    }
}

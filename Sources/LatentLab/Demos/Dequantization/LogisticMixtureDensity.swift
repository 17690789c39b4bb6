import Foundation

/// The continuous model p(v) on the square [0, L)²: a mixture of K products of logistics, each truncated to the
/// square. In unit coordinates w = v/L,
///     p(v) = L⁻² Σ_k π_k Π_d f(w_d; μ_kd, s_kd) / Z_kd,   Z_kd = F(1; μ_kd, s_kd) − F(0; μ_kd, s_kd),
/// with f and F the logistic density and CDF. Why this family:
/// - the normalisation on the square is exact (Z in closed form), so every bound is a bound on a true density;
/// - each cell's mass P(x) has a closed form too (`cellProbabilities`), which checks the quadrature;
/// - a component narrower than a cell puts its mass unevenly inside the cell, which is what variational
///   dequantization rewards and uniform dequantization punishes.
/// Parameters are raw: π = softmax(logits), μ = sigmoid(·) keeps every centre inside the square (so Z is never
/// the difference of two tails, which would cancel in Float), s = `minimumScale` + softplus(·).
public final class LogisticMixtureDensity {
    public static let defaultComponents = 32
    /// The narrowest component, in quadrature sub-cells: the midpoint rule gets a bump this narrow right to a few
    /// tenths of a percent in any cell it straddles and to about 1e-5 over the square, and at L = 16 it is still
    /// a tenth of a cell wide, narrow enough to put a cell's mass in one corner.
    static let minimumScaleInSubcells = 1.5
    /// Components start about this wide (in units of the side) at random centres in the middle 70%.
    static let initialScale: Float = 0.08, initialSpread: Float = 0.7

    public let levels: Int
    public let components: Int
    /// The floor on every s, in unit coordinates.
    public let minimumScale: Float
    /// 1×K.
    public let logits: Parameter
    /// 2×K: row d holds the K raw centres along axis d.
    public let means: Parameter
    /// 2×K: row d holds the K raw widths along axis d.
    public let scales: Parameter

    /// A model for `grid` (its resolution sets the floor on the widths).
    public init(grid: SubcellGrid, components: Int = defaultComponents, rng: inout RandomSource) {
        precondition(components >= 1, "a mixture needs a component")
        levels = grid.levels
        self.components = components
        minimumScale = Float(Self.minimumScaleInSubcells / Double(grid.side))
        logits = Parameter("dequant.model.logits", Tensor(zeros: 1, components))
        let margin = (1 - Self.initialSpread) / 2
        var centres = rng.uniformTensor(2, components, lower: margin, upper: 1 - margin)
        centres.withMutablePointer { p in for i in 0..<(2 * components) { p[i] = Foundation.log(p[i] / (1 - p[i])) } }
        means = Parameter("dequant.model.means", centres)
        // softplus⁻¹(s − floor) = log(e^{s − floor} − 1)
        let rawScale = Foundation.log(Foundation.exp(Self.initialScale - minimumScale) - 1)
        scales = Parameter("dequant.model.scales", Tensor(rows: 2, cols: components, repeating: rawScale))
    }

    public var parameters: [Parameter] { [logits, means, scales] }

    /// log p(v) for each row of v (n×2, in cell units): n×1.
    public func logDensity(_ v: Var, on tape: Tape) -> Var {
        precondition(v.cols == 2, "v is n×2")
        let w = tape.scale(v, by: 1 / Float(levels))
        let rawMeans = tape.param(means), rawScales = tape.param(scales), rawLogits = tape.param(logits)
        var joint = tape.sub(rawLogits, tape.logSumExp(rawLogits, axis: 1))  // log π_k, 1×K
        for d in 0..<2 {
            let mu = tape.sigmoid(tape.sliceRows(rawMeans, d, 1))
            let s = tape.addScalar(tape.softplus(tape.sliceRows(rawScales, d, 1)), minimumScale)
            let z = tape.div(tape.sub(tape.sliceCols(w, d, 1), mu), s)  // n×K
            let inside = tape.sub(tape.sigmoid(tape.div(tape.addScalar(tape.negate(mu), 1), s)),
                                  tape.sigmoid(tape.div(tape.negate(mu), s)))
            let logNormaliser = tape.add(tape.log(s), tape.log(inside))  // 1×K
            joint = tape.add(joint, tape.sub(tape.logisticLogDensity(z), logNormaliser))
        }
        return tape.addScalar(tape.logSumExp(joint, axis: 1), -2 * Foundation.log(Float(levels)))
    }

    /// The mixture's current numbers in Double, for the exact evaluations.
    var snapshot: Components { Components(self) }

    /// P(x) for every cell in closed form: Σ_k π_k Π_d (F_kd(upper) − F_kd(lower)) / Z_kd.
    public func cellProbabilities() -> [Double] { snapshot.cellProbabilities(levels: levels) }

    /// log p at every quadrature point of `grid`, cell-major.
    public func logDensities(on grid: SubcellGrid) -> [Double] { snapshot.logDensities(on: grid) }

    /// π, μ, s and log Z of every component in Double.
    struct Components {
        let count: Int
        let logWeights: [Double]
        /// [axis][component], unit coordinates.
        let mean: [[Double]], scale: [[Double]], logInside: [[Double]]

        init(_ model: LogisticMixtureDensity) {
            count = model.components
            let logits = model.logits.value.scalars.map(Double.init)
            let top = logits.max()!
            let logTotal = top + Foundation.log(logits.reduce(0) { $0 + Foundation.exp($1 - top) })
            logWeights = logits.map { $0 - logTotal }
            let rawMeans = model.means.value, rawScales = model.scales.value, floor = Double(model.minimumScale)
            let mean = (0..<2).map { d in (0..<model.components).map { Logistic.sigmoid(Double(rawMeans[d, $0])) } }
            let scale = (0..<2).map { d in
                (0..<model.components).map { floor + Logistic.softplus(Double(rawScales[d, $0])) }
            }
            logInside = (0..<2).map { d in
                (0..<model.components).map { k in
                    Foundation.log(Logistic.sigmoidDifference(-mean[d][k] / scale[d][k],
                                                              (1 - mean[d][k]) / scale[d][k]))
                }
            }
            (self.mean, self.scale) = (mean, scale)
        }

        /// log f(w; μ_kd, s_kd) − log Z_kd − log L for every point of `points` (unit coordinates), laid out
        /// [point·K + k]: one axis's factor of every component's density in cell units.
        func axisLogDensities(_ d: Int, at points: [Double], levels: Int) -> [Double] {
            let logSide = Foundation.log(Double(levels))
            var out = [Double](repeating: 0, count: points.count * count)
            for (t, w) in points.enumerated() {
                for k in 0..<count {
                    out[t * count + k] = Logistic.logDensity((w - mean[d][k]) / scale[d][k])
                        - Foundation.log(scale[d][k]) - logInside[d][k] - logSide
                }
            }
            return out
        }

        /// log p(v) at every quadrature point, cell-major. Each component is a product over the axes, so with
        /// a_k component k's log-factor along x1 at the point's column, b_k = log π_k + its log-factor along x2 at
        /// the point's row, M the column's largest a_k and R the row's largest b_k:
        ///     p = e^{M + R} Σ_k e^{a_k − M} e^{b_k − R},
        /// which takes 2·L·m·K exponentials instead of (L·m)²·K. A point where the scaled sum underflows (one
        /// component wins the column, a far-away one the row) is redone by a plain log-sum-exp.
        func logDensities(on grid: SubcellGrid) -> [Double] {
            let n = grid.side, k = count, levels = grid.levels
            let coordinates = (0..<n).map {
                (Double($0 / grid.subdivisions) + grid.offset($0 % grid.subdivisions)) / Double(levels)
            }
            let columns = axisLogDensities(0, at: coordinates, levels: levels)
            var rows = axisLogDensities(1, at: coordinates, levels: levels)
            for t in 0..<n { for j in 0..<k { rows[t * k + j] += logWeights[j] } }
            func scaled(_ a: [Double]) -> (factors: [Double], maxima: [Double]) {
                var factors = a, maxima = [Double](repeating: 0, count: n)
                for t in 0..<n {
                    let top = a[(t * k)..<((t + 1) * k)].max()!
                    maxima[t] = top
                    for j in 0..<k { factors[t * k + j] = Foundation.exp(a[t * k + j] - top) }
                }
                return (factors, maxima)
            }
            let (columnFactors, columnMaxima) = scaled(columns), (rowFactors, rowMaxima) = scaled(rows)
            var out = [Double](repeating: 0, count: n * n)
            columnFactors.withUnsafeBufferPointer { cf in rowFactors.withUnsafeBufferPointer { rf in
                out.withUnsafeMutableBufferPointer { o in
                    for t2 in 0..<n {
                        for t1 in 0..<n {
                            var sum = 0.0
                            for j in 0..<k { sum += cf[t1 * k + j] * rf[t2 * k + j] }
                            let value = sum > Self.underflow
                                ? rowMaxima[t2] + columnMaxima[t1] + Foundation.log(sum)
                                : logSumExp((0..<k).map { columns[t1 * k + $0] + rows[t2 * k + $0] })
                            o[grid.index(column: t1, row: t2)] = value
                        }
                    }
                } } }
            return out
        }

        /// Below this the scaled sum has lost digits to underflow.
        static let underflow = 1e-280

        func cellProbabilities(levels: Int) -> [Double] {
            func masses(_ d: Int) -> [Double] {  // [cell·K + k]
                var out = [Double](repeating: 0, count: levels * count)
                for i in 0..<levels {
                    for k in 0..<count {
                        let a = (Double(i) / Double(levels) - mean[d][k]) / scale[d][k]
                        let b = (Double(i + 1) / Double(levels) - mean[d][k]) / scale[d][k]
                        out[i * count + k] = Logistic.sigmoidDifference(a, b) / Foundation.exp(logInside[d][k])
                    }
                }
                return out
            }
            let along1 = masses(0), along2 = masses(1), weights = logWeights.map { Foundation.exp($0) }
            return (0..<(levels * levels)).map { c in
                let (x1, x2) = (c % levels, c / levels)
                return (0..<count).reduce(0) { $0 + weights[$1] * along1[x1 * count + $1] * along2[x2 * count + $1] }
            }
        }
    }
}

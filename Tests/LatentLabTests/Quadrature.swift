import Foundation
@testable import LatentLab

/// log ∫ exp(f(z)) dz over the square [−a, a]² by an n×n grid: `logIntegrand` gets the grid's points
/// (n²×2) and returns f at each (n²×1).
func logIntegral2D(halfWidth a: Double, points n: Int, _ logIntegrand: (Tensor) -> Tensor) -> Double {
    let h = 2 * a / Double(n - 1)
    var grid = Tensor(zeros: n * n, 2)
    for i in 0..<n { for j in 0..<n { grid[i * n + j, 0] = Float(-a + Double(i) * h); grid[i * n + j, 1] = Float(-a + Double(j) * h) } }
    let values = logIntegrand(grid).scalars.map(Double.init)
    let m = values.max()!
    return m + Foundation.log(values.reduce(0) { $0 + Foundation.exp($1 - m) } * h * h)
}

/// log p(x) = log ∫ p(x|z) p(z) dz by the model's own parts, for a model whose z has two units (one
/// layer of 2, or two layers of 1: the grid's columns are z's units in order).
func exactLogMarginal(_ model: VAE, _ x: [Float], halfWidth: Double, points: Int) -> Double {
    logIntegral2D(halfWidth: halfWidth, points: points) { grid in
        let tape = Tape(recording: false)
        let z = Var(constant: grid)
        return tape.add(model.likelihood.logLikelihood(Tensor(rows: 1, cols: x.count, x), given: z, on: tape),
                        model.prior.logDensity(z, on: tape)).value
    }
}

import Foundation

/// A diagonal Gaussian whose mean and log-variance are heads on an MLP of its input: q(z|x) of the
/// encoder, and each conditional q(z_{l+1}|z_l) and p(z_l|z_{l+1}) of a hierarchy.
/// Layers named `NAME.0`, `NAME.1`, … (the MLP), `NAME.mean`, `NAME.logvar`.
final class GaussianLayer {
    let network: MLP?  // input → last hidden (activation after it too); nil without hidden layers
    let meanHead: Linear
    let logVarianceHead: Linear
    let activation: Activation

    init(_ name: String, inputs: Int, hidden: [Int], outputs: Int, activation: Activation, rng: inout RandomSource) {
        self.activation = activation
        network = hidden.isEmpty ? nil : MLP(name, sizes: [inputs] + hidden, activation: activation, rng: &rng)
        let last = hidden.last ?? inputs
        meanHead = Linear("\(name).mean", inputs: last, outputs: outputs, rng: &rng)
        logVarianceHead = Linear("\(name).logvar", inputs: last, outputs: outputs, rng: &rng)
    }

    var parameters: [Parameter] { (network?.parameters ?? []) + meanHead.parameters + logVarianceHead.parameters }

    /// The last hidden layer of `x` (x itself without hidden layers), then the two heads on it.
    func callAsFunction(_ x: Var, on tape: Tape) -> (mean: Var, logVariance: Var, hidden: Var) {
        let h = network.map { activation.apply($0(x, on: tape), on: tape) } ?? x
        return (meanHead(h, on: tape), logVarianceHead(h, on: tape), h)
    }

    /// z = μ + σε for k draws per row of μ (noise k·n×d, sample-major), and log N(z_d; μ_d, σ_d²) per unit
    /// written in the noise, −½ (log 2π + logvar_d + ε_d²): the same function of the weights as the
    /// density with z substituted.
    static func draw(mean: Var, logVariance: Var, noise: Tensor, on tape: Tape) -> (z: Var, logDensityUnits: Var) {
        let k = noise.rows / max(mean.rows, 1)
        let z = tape.reparameterize(mean: mean, logVariance: logVariance, noise: noise)
        let halfLog2pi = Float(0.5 * Foundation.log(2 * Double.pi))
        var constant = Tensor(uninitialized: noise.rows, noise.cols)  // −½ (log 2π + ε²)
        let n = noise.count
        noise.withPointer { p in
            constant.withMutablePointer { c in for i in 0..<n { c[i] = -halfLog2pi - 0.5 * p[i] * p[i] } }
        }
        let halfLogVariance = tape.scale(logVariance, by: -0.5)
        return (z, tape.add(k == 1 ? halfLogVariance : tape.tileRows(halfLogVariance, k), Var(constant: constant)))
    }
}

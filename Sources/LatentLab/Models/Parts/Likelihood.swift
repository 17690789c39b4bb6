/// A decoder p(x|z). A new likelihood is one type conforming to this.
public protocol Likelihood: AnyObject {
    var parameters: [Parameter] { get }
    var summary: String { get }
    /// log p(x|z) for each row of z (n×1), row i scored against row i mod B of x (B rows): k draws of a
    /// batch stacked sample-major score against the batch itself.
    func logLikelihood(_ x: Tensor, given z: Var, on tape: Tape) -> Var
    /// E[x|z] for each row of z, pixel probabilities for the images pane and for sampling.
    func mean(_ z: Var, on tape: Tape) -> Var
}

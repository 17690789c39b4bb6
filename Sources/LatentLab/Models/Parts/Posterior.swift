/// q(z|x) for a batch, as the encoder gives it: the Gaussian every family starts from, and for the flow
/// families the encoder's context h.
public struct PosteriorEncoding {
    public var mean: Var          // B×d
    public var logVariance: Var   // B×d
    public var context: Var?      // B×c, for the families that have one

    public init(mean: Var, logVariance: Var, context: Var? = nil) {
        self.mean = mean
        self.logVariance = logVariance
        self.context = context
    }
}

/// A family of approximate posteriors q(z|x). A new family is one type conforming to this.
public protocol Posterior: AnyObject {
    var latentSize: Int { get }
    var parameters: [Parameter] { get }
    /// A few words for status lines and logs.
    var summary: String { get }
    func encode(_ x: Var, on tape: Tape) -> PosteriorEncoding
    /// k draws per example from k·B×d standard normals, stacked sample-major (row s·B + i is draw s of
    /// example i), with log q(z|x) of each draw split over the units (k·B×d, summing to log q): for a
    /// factorised q its own factors, for a flow the chain rule's terms along its order.
    func draw(_ encoding: PosteriorEncoding, noise: Tensor, on tape: Tape) -> (z: Var, logQUnits: Var)
    /// log q(z|x) of given points, one row of z per row of the encoding (n×1).
    func logDensity(_ z: Var, _ encoding: PosteriorEncoding, on tape: Tape) -> Var
    /// KL(q(z|x) ‖ p(z)) per unit (B×d) where the pair has a closed form; nil where it must be sampled.
    func closedFormKL(_ encoding: PosteriorEncoding, against prior: any Prior, on tape: Tape) -> Var?
}

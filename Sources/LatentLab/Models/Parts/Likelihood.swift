/// A decoder p(x|z). A new likelihood is one type conforming to this.
public protocol Likelihood: AnyObject {
    var parameters: [Parameter] { get }
    var summary: String { get }
    /// True when pixel j depends on the pixels before it: sampling is one pass per pixel, and the ELBO's
    /// optimum may ignore z.
    var isAutoregressive: Bool { get }
    /// log p(x|z) for each row of z (n×1), row i scored against row i mod B of x (B rows): k draws of a
    /// batch stacked sample-major score against the batch itself.
    func logLikelihood(_ x: Tensor, given z: Var, on tape: Tape) -> Var
    /// The same while an autoregressive decoder reads `seen` (B rows) as the previous pixels instead of x:
    /// conditioning dropout in training. A factorised decoder has nothing to hide.
    func logLikelihood(_ x: Tensor, seeing seen: Tensor, given z: Var, on tape: Tape) -> Var
    /// p(x_j = 1 | x_<j, z) for each row of z, the previous pixels taken from x (teacher forcing); a
    /// factorised decoder's E[x|z], for which x may be nil.
    func probabilities(_ x: Tensor?, given z: Var, on tape: Tape) -> Var
    /// Binary x ~ p(x|z) for each row of z.
    func sample(_ z: Var, rng: inout RandomSource) -> Tensor
    /// Most draws an evaluation should ask of `sample` at once: a PixelCNN makes a whole pass per pixel, so
    /// the Barber–Agakov bound takes fewer of its draws.
    var affordableDraws: Int { get }
    /// Most rows of z an evaluation scores in one pass (memory): a PixelCNN's activations are a whole
    /// image of channels per row.
    var evaluationRows: Int { get }
    /// How many previous pixels the most-informed pixel reads, for an autoregressive decoder; nil for a
    /// factorised one.
    var receptiveFieldPixels: Int? { get }
}

extension Likelihood {
    public var isAutoregressive: Bool { false }
    public var affordableDraws: Int { .max }
    public var evaluationRows: Int { 5000 }
    public var receptiveFieldPixels: Int? { nil }

    public func logLikelihood(_ x: Tensor, seeing seen: Tensor, given z: Var, on tape: Tape) -> Var {
        logLikelihood(x, given: z, on: tape)
    }

    /// Each pixel drawn from its probability: exact for a factorised decoder.
    public func sample(_ z: Var, rng: inout RandomSource) -> Tensor {
        var x = probabilities(nil, given: z, on: Tape(recording: false)).value
        let pixels = x.count
        x.withMutablePointer { p in for i in 0..<pixels { p[i] = rng.bernoulli(p[i]) } }
        return x
    }
}

extension Likelihood {
    /// log p(x|z) without a tape, `evaluationRows` rows of z at a time (row i against row i mod B of x, as
    /// `logLikelihood`), so an evaluation's memory does not grow with its batch.
    func logLikelihoodInChunks(_ x: Tensor, given z: Tensor) -> Tensor {
        let n = z.rows, b = x.rows, chunk = max(1, evaluationRows)
        let tape = Tape(recording: false)
        guard n > chunk else { return logLikelihood(x, given: Var(constant: z), on: tape).value }
        var out = Tensor(uninitialized: n, 1)
        for start in stride(from: 0, to: n, by: chunk) {
            let count = min(chunk, n - start)
            var xs = Tensor(uninitialized: count, x.cols)
            x.withPointer { src in xs.withMutablePointer { dst in
                for r in 0..<count { (dst + r * x.cols).update(from: src + ((start + r) % b) * x.cols, count: x.cols) }
            } }
            let part = logLikelihood(xs, given: Var(constant: z.rowBlock(start, count)), on: tape).value
            for r in 0..<count { out[start + r, 0] = part[r, 0] }
        }
        return out
    }
}

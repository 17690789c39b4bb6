/// A masked autoencoder for distribution estimation (Germain et al. 2015) over d variables: every
/// output head gives d values, and value j depends only on the variables that come before j in the
/// network's order, never on j itself or later ones. An optional context (the encoder's h for an IAF)
/// reaches every hidden layer through unmasked weights.
///
/// Degrees (THEORY.md section 6): variable v gets degree 1…d by its place in the order; hidden units get
/// degrees 0…d−1 in turn (degree 0 sees only the context, so the first variable's outputs can still
/// depend on it); a unit of degree k sees units of degree ≤ k below it, and output j sees hidden units of
/// degree < its variable's degree. The masks multiply the weights on the tape, so the gradient of a
/// masked-out weight is zero and it never moves.
public final class MADE {
    public let size: Int
    /// degree[v] of variable v, 1…size.
    public let degrees: [Int]
    let inputLayer: Linear
    let contextLayer: Linear?
    let hiddenLayers: [Linear]
    let heads: [Linear]
    let inputMask: Tensor
    let hiddenMasks: [Tensor]
    let headMask: Tensor
    let activation: Activation

    /// `reversed` takes the variables in the order d…1 instead of 1…d.
    public init(_ name: String, size: Int, hidden: [Int], context: Int, heads headCount: Int, reversed: Bool,
                activation: Activation = .tanh, rng: inout RandomSource) {
        precondition(size >= 1 && !hidden.isEmpty && headCount >= 1, "a MADE needs variables, a hidden layer and an output")
        self.size = size
        self.activation = activation
        degrees = (0..<size).map { reversed ? size - $0 : $0 + 1 }
        let hiddenDegrees = hidden.map { width in (0..<width).map { $0 % size } }
        inputLayer = Linear("\(name).in", inputs: size, outputs: hidden[0], rng: &rng)
        contextLayer = context > 0 ? Linear("\(name).context", inputs: context, outputs: hidden[0], rng: &rng) : nil
        hiddenLayers = (1..<hidden.count).map { Linear("\(name).h\($0)", inputs: hidden[$0 - 1], outputs: hidden[$0], rng: &rng) }
        heads = (0..<headCount).map { Linear("\(name).out\($0)", inputs: hidden.last!, outputs: size, rng: &rng) }
        let variableDegrees = degrees
        inputMask = Self.mask(rows: variableDegrees, cols: hiddenDegrees[0]) { $1 >= $0 }
        hiddenMasks = (1..<hidden.count).map { Self.mask(rows: hiddenDegrees[$0 - 1], cols: hiddenDegrees[$0]) { $1 >= $0 } }
        headMask = Self.mask(rows: hiddenDegrees.last!, cols: variableDegrees) { $1 > $0 }
    }

    /// M[i, j] = 1 where `connected(degree of row i, degree of column j)`.
    static func mask(rows: [Int], cols: [Int], _ connected: (Int, Int) -> Bool) -> Tensor {
        var m = Tensor(zeros: rows.count, cols.count)
        for (i, a) in rows.enumerated() { for (j, b) in cols.enumerated() where connected(a, b) { m[i, j] = 1 } }
        return m
    }

    public var parameters: [Parameter] {
        ([inputLayer] + (contextLayer.map { [$0] } ?? []) + hiddenLayers + heads).flatMap(\.parameters)
    }

    /// The heads' outputs for each row of z (n×d each); `context` is n×c, or nil without one.
    public func callAsFunction(_ z: Var, context: Var?, on tape: Tape) -> [Var] {
        var h = masked(inputLayer, inputMask, z, on: tape)
        if let contextLayer, let context { h = tape.add(h, contextLayer(context, on: tape)) }
        h = activation.apply(h, on: tape)
        for (layer, mask) in zip(hiddenLayers, hiddenMasks) { h = activation.apply(masked(layer, mask, h, on: tape), on: tape) }
        return heads.map { masked($0, headMask, h, on: tape) }
    }

    private func masked(_ layer: Linear, _ mask: Tensor, _ x: Var, on tape: Tape) -> Var {
        tape.linear(x, tape.mul(tape.param(layer.weight), Var(constant: mask)), tape.param(layer.bias))
    }

    /// Starts every head's outputs near `biases[head]` whatever the input: weights shrunk by `scale`.
    func startHeads(near biases: [Float], scale: Float) {
        for (head, bias) in zip(heads, biases) {
            head.weight.assign(head.weight.value.scaled(scale))
            head.bias.assign(Tensor(rows: 1, cols: size, repeating: bias))
        }
    }
}

/// A masked autoencoder for distribution estimation (Germain et al. 2015) over d variables: every
/// output head gives d values, and value j depends only on the variables that come before j in the
/// network's order, never on j itself or later ones. An optional context (the encoder's h for an IAF, z for
/// an autoregressive decoder) reaches every hidden layer through unmasked weights.
///
/// Degrees (docs/THEORY.md section 6): variable v gets degree 1…d by its place in the order; hidden units get
/// degrees 0…d−1 (in turn when a layer has at least d units, spread evenly when it has fewer; degree 0
/// sees only the context, so the first variable's outputs can still depend on it); a unit of degree k sees
/// units of degree ≤ k below it, and output j sees hidden units of degree < its variable's degree. The masks
/// multiply the weights on the tape (`Tape.maskedRows`), so the gradient of a masked-out weight is zero and it
/// never moves.
///
/// A receptive field R narrows every mask to a window of degrees, so output j sees only the R variables
/// before it (degrees j−R … j−1): each of the L masked steps below the output may climb at most
/// (R − 1)/(L + 1) degrees and the output step the rest, so no path spans more than R.
public final class MADE {
    public let size: Int
    /// degree[v] of variable v, 1…size.
    public let degrees: [Int]
    /// The degree of every hidden unit, layer by layer.
    let hiddenDegrees: [[Int]]
    /// How many variables before j output j may see; nil for all of them.
    public let receptiveField: Int?
    let inputLayer: Linear
    /// One per hidden layer, unmasked: the context's way into every layer.
    let contextLayers: [Linear]
    let hiddenLayers: [Linear]
    let heads: [Linear]
    let inputMask: Mask
    let hiddenMasks: [Mask]
    let headMask: Mask
    let activation: Activation

    /// `reversed` takes the variables in the order d…1 instead of 1…d.
    public init(_ name: String, size: Int, hidden: [Int], context: Int, heads headCount: Int, reversed: Bool,
                receptiveField: Int? = nil, activation: Activation = .tanh, rng: inout RandomSource) {
        precondition(size >= 1 && !hidden.isEmpty && headCount >= 1,
                     "a MADE needs variables, a hidden layer and an output")
        precondition(receptiveField.map { $0 >= 1 } ?? true, "a receptive field of at least one variable")
        self.size = size
        self.activation = activation
        self.receptiveField = receptiveField
        degrees = (0..<size).map { reversed ? size - $0 : $0 + 1 }
        let hiddenDegrees = hidden.map { width in (0..<width).map { width >= size ? $0 % size : $0 * size / width } }
        self.hiddenDegrees = hiddenDegrees
        inputLayer = Linear("\(name).in", inputs: size, outputs: hidden[0], rng: &rng)
        let firstContext = context > 0
            ? [Linear("\(name).context", inputs: context, outputs: hidden[0], rng: &rng)] : []
        hiddenLayers = (1..<hidden.count).map {
            Linear("\(name).h\($0)", inputs: hidden[$0 - 1], outputs: hidden[$0], rng: &rng)
        }
        heads = (0..<headCount).map { Linear("\(name).out\($0)", inputs: hidden.last!, outputs: size, rng: &rng) }
        contextLayers = context > 0
            ? firstContext + (1..<hidden.count).map {
                Linear("\(name).context\($0)", inputs: context, outputs: hidden[$0], rng: &rng)
            }
            : []
        // The climb each masked step may take: unbounded without a receptive field.
        let climb = receptiveField.map { ($0 - 1) / (hidden.count + 1) } ?? Int.max
        let outputClimb = receptiveField.map { $0 - hidden.count * climb } ?? Int.max
        let variableDegrees = degrees
        inputMask = Mask(rows: variableDegrees, cols: hiddenDegrees[0]) { $1 >= $0 && $1 - $0 <= climb }
        hiddenMasks = (1..<hidden.count).map {
            Mask(rows: hiddenDegrees[$0 - 1], cols: hiddenDegrees[$0]) { $1 >= $0 && $1 - $0 <= climb }
        }
        headMask = Mask(rows: hiddenDegrees.last!, cols: variableDegrees) { $1 > $0 && $1 - $0 <= outputClimb }
    }

    public var parameters: [Parameter] {
        ([inputLayer] + contextLayers.prefix(1) + hiddenLayers + heads + contextLayers.dropFirst())
            .flatMap(\.parameters)
    }

    /// The heads' outputs for each row of z (n×d each); `context` is n×c, or nil without one.
    public func callAsFunction(_ z: Var, context: Var?, on tape: Tape) -> [Var] {
        let h = lastHidden(z, context: context, on: tape)
        return heads.map { masked($0, headMask, h, on: tape) }
    }

    /// The last hidden layer for each row of the context. `x` may have fewer rows than the context, as many as
    /// a batch whose k draws of the context are stacked sample-major: its masked product is taken once and
    /// repeated k times.
    func lastHidden(_ x: Var, context: Var?, on tape: Tape) -> Var {
        var h = masked(inputLayer, inputMask, x, on: tape)
        if let context, context.rows > x.rows { h = tape.tileRows(h, context.rows / x.rows) }
        for (l, mask) in ([nil] + hiddenMasks).enumerated() {
            if l > 0 { h = masked(hiddenLayers[l - 1], mask!, h, on: tape) }
            if let context, l < contextLayers.count { h = tape.add(h, contextLayers[l](context, on: tape)) }
            h = activation.apply(h, on: tape)
        }
        return h
    }

    /// Head `i`'s weight with its mask applied, on the tape.
    func maskedHeadWeight(_ i: Int, on tape: Tape) -> Var {
        tape.maskedRows([(tape.param(heads[i].weight), headMask)])
    }

    private func masked(_ layer: Linear, _ mask: Mask, _ x: Var, on tape: Tape) -> Var {
        tape.linear(x, tape.maskedRows([(tape.param(layer.weight), mask)]), tape.param(layer.bias))
    }

    /// Starts every head's outputs near `biases[head]` whatever the input: weights shrunk by `scale`.
    func startHeads(near biases: [Float], scale: Float) {
        for (head, bias) in zip(heads, biases) {
            head.weight.assign(head.weight.value.scaled(scale))
            head.bias.assign(Tensor(rows: 1, cols: size, repeating: bias))
        }
    }
}

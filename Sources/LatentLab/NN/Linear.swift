/// y = x·W + b, with W stored in×out so the forward product needs no transpose.
public final class Linear {
    public let weight: Parameter
    public let bias: Parameter

    /// Glorot (Xavier) uniform initialisation, zero bias.
    public init(_ name: String, inputs: Int, outputs: Int, rng: inout RandomSource) {
        let limit = (6 / Float(inputs + outputs)).squareRoot()
        weight = Parameter("\(name).weight", rng.uniformTensor(inputs, outputs, lower: -limit, upper: limit))
        bias = Parameter("\(name).bias", Tensor(zeros: 1, outputs))
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func callAsFunction(_ x: Var, on tape: Tape) -> Var {
        tape.linear(x, tape.param(weight), tape.param(bias))
    }
}

/// A stack of Linear layers with one activation between them (none after the last).
public final class MLP {
    public let layers: [Linear]
    public let activation: Activation

    /// sizes = [input, hidden..., output].
    public init(_ name: String, sizes: [Int], activation: Activation, rng: inout RandomSource) {
        precondition(sizes.count >= 2, "an MLP needs at least an input and an output size")
        var layers: [Linear] = []
        for i in 0..<(sizes.count - 1) {
            layers.append(Linear("\(name).\(i)", inputs: sizes[i], outputs: sizes[i + 1], rng: &rng))
        }
        self.layers = layers
        self.activation = activation
    }

    public var parameters: [Parameter] { layers.flatMap(\.parameters) }

    public func callAsFunction(_ x: Var, on tape: Tape) -> Var {
        layers.last!(lastHidden(x, on: tape), on: tape)
    }

    /// The input of the last layer: every layer but the last, each followed by the activation.
    public func lastHidden(_ x: Var, on tape: Tape) -> Var {
        var h = x
        for layer in layers.dropLast() { h = activation.apply(layer(h, on: tape), on: tape) }
        return h
    }
}

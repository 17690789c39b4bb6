import Testing
@testable import LatentLab

/// A finite-difference check for every differentiable op.
@Suite struct GradientTests {
    let a = randomTensor(3, 4, seed: 1)
    let b = randomTensor(3, 4, seed: 2)

    @Test func matmul() { checkGradients([randomTensor(3, 5, seed: 3), randomTensor(5, 2, seed: 4)]) { t, v in t.matmul(v[0], v[1]) } }
    @Test func linear() {
        checkGradients([randomTensor(4, 3, seed: 5), randomTensor(3, 6, seed: 6), randomTensor(1, 6, seed: 7)]) { t, v in
            t.linear(v[0], v[1], v[2])
        }
    }
    @Test func add() { checkGradients([a, b]) { t, v in t.add(v[0], v[1]) } }
    @Test func sub() { checkGradients([a, b]) { t, v in t.sub(v[0], v[1]) } }
    @Test func mul() { checkGradients([a, b]) { t, v in t.mul(v[0], v[1]) } }
    @Test func div() { checkGradients([a, randomTensor(3, 4, seed: 8, lower: 0.5, upper: 2)]) { t, v in t.div(v[0], v[1]) } }
    @Test func broadcastRow() { checkGradients([a, randomTensor(1, 4, seed: 9)]) { t, v in t.mul(v[0], v[1]) } }
    @Test func broadcastColumn() { checkGradients([randomTensor(3, 1, seed: 10), b]) { t, v in t.sub(v[0], v[1]) } }
    @Test func broadcastScalar() {
        checkGradients([a, randomTensor(1, 1, seed: 11, lower: 0.5, upper: 2)]) { t, v in t.div(v[0], v[1]) }
    }
    @Test func exp() { checkGradients([a]) { t, v in t.exp(v[0]) } }
    @Test func log() { checkGradients([randomTensor(3, 4, seed: 12, lower: 0.5, upper: 3)]) { t, v in t.log(v[0]) } }
    @Test func softplus() { checkGradients([a.scaled(4)]) { t, v in t.softplus(v[0]) } }
    @Test func sigmoid() { checkGradients([a.scaled(4)]) { t, v in t.sigmoid(v[0]) } }
    @Test func tanh() { checkGradients([a.scaled(2)]) { t, v in t.tanh(v[0]) } }
    @Test func relu() { checkGradients([awayFromZero(3, 4, seed: 13)]) { t, v in t.relu(v[0]) } }
    @Test func elu() { checkGradients([awayFromZero(3, 4, seed: 14).scaled(2)]) { t, v in t.elu(v[0]) } }
    @Test func square() { checkGradients([a]) { t, v in t.square(v[0]) } }
    @Test func negateScaleShift() { checkGradients([a]) { t, v in t.addScalar(t.scale(t.negate(v[0]), by: 3), 0.5) } }
    @Test func clampMin() { checkGradients([awayFromZero(3, 4, seed: 15)]) { t, v in t.clampMin(v[0], 0) } }
    @Test func sumAxes() {
        checkGradients([a]) { t, v in t.sum(v[0], axis: 0) }
        checkGradients([a]) { t, v in t.sum(v[0], axis: 1) }
        checkGradients([a]) { t, v in t.sum(v[0]) }
    }
    @Test func meanAxes() {
        checkGradients([a]) { t, v in t.mean(v[0], axis: 0) }
        checkGradients([a]) { t, v in t.mean(v[0], axis: 1) }
        checkGradients([a]) { t, v in t.mean(v[0]) }
    }
    @Test func logSumExp() {
        checkGradients([a.scaled(3)]) { t, v in t.logSumExp(v[0], axis: 0) }
        checkGradients([a.scaled(3)]) { t, v in t.logSumExp(v[0], axis: 1) }
    }
    /// Unit-by-unit chain-rule terms of a 4-component mixture, through z, the means and the log-variances.
    @Test func gaussianMixtureLogDensityUnits() {
        let (z, mean, logVariance) = (randomTensor(3, 4, seed: 30).scaled(2), randomTensor(4, 4, seed: 31),
                                      randomTensor(4, 4, seed: 32))
        checkGradients([z, mean, logVariance]) { t, v in
            t.gaussianMixtureLogDensityUnits(v[0], mean: v[1], logVariance: v[2])
        }
        // 37 components: the reductions' 16-wide lanes and their tail.
        let (mean37, logVariance37) = (randomTensor(37, 3, seed: 33).scaled(2), randomTensor(37, 3, seed: 34))
        checkGradients([randomTensor(2, 3, seed: 35).scaled(2), mean37, logVariance37]) { t, v in
            t.gaussianMixtureLogDensityUnits(v[0], mean: v[1], logVariance: v[2])
        }
    }
    @Test func reshape() { checkGradients([a]) { t, v in t.square(t.reshape(v[0], 2, 6)) } }
    @Test func slices() {
        checkGradients([a]) { t, v in t.square(t.sliceCols(v[0], 1, 2)) }
        checkGradients([a]) { t, v in t.square(t.sliceRows(v[0], 1, 2)) }
    }
    @Test func concatenations() {
        checkGradients([a, randomTensor(3, 2, seed: 16)]) { t, v in t.square(t.concatCols(v[0], v[1])) }
        checkGradients([a, randomTensor(2, 4, seed: 17)]) { t, v in t.square(t.concatRows(v[0], v[1])) }
    }
    /// Two masked weights stacked, the first also used on its own so its slot is added to, not only written.
    @Test func maskedRows() {
        let (maskA, maskB) = (Self.mask(3, 4, seed: 40), Self.mask(2, 4, seed: 41))
        checkGradients([a, randomTensor(2, 4, seed: 42)]) { t, v in
            t.add(t.sum(t.square(t.maskedRows([(v[0], maskA), (v[1], maskB)]))), t.sum(t.exp(v[0])))
        }
    }
    /// The same numbers, bit for bit, as multiplying by the masks and stacking: values and both gradients.
    @Test func maskedRowsEqualsMaskThenStack() {
        let (maskA, maskB) = (Self.mask(3, 4, seed: 40), Self.mask(2, 4, seed: 41))
        let weights = [a, randomTensor(2, 4, seed: 42)]
        func run(_ fused: Bool) -> (value: [Float], grads: [[Float]]) {
            let parameters = weights.enumerated().map { Parameter("w\($0.offset)", $0.element) }
            let tape = Tape()
            let (wa, wb) = (tape.param(parameters[0]), tape.param(parameters[1]))
            let stacked = fused ? tape.maskedRows([(wa, maskA), (wb, maskB)])
                : tape.concatRows(tape.mul(wa, Var(constant: Self.ones(maskA))),
                                  tape.mul(wb, Var(constant: Self.ones(maskB))))
            tape.backward(from: tape.add(tape.sum(tape.square(stacked)), tape.sum(tape.tanh(wa))))
            return (stacked.value.scalars, parameters.map(\.grad.scalars))
        }
        let (fused, plain) = (run(true), run(false))
        #expect(fused.value == plain.value && fused.grads == plain.grads)
        #expect(fused.value.contains(0) && fused.grads[1].contains(0), "some weights masked out")
    }
    /// A 0/1 mask, about half of it zero.
    static func mask(_ rows: Int, _ cols: Int, seed: UInt64) -> Mask {
        let draws = randomTensor(rows, cols, seed: seed)
        return Mask(rows: Array(0..<rows), cols: Array(0..<cols)) { draws[$0, $1] > 0 }
    }
    /// The mask as a 0/1 tensor.
    static func ones(_ mask: Mask) -> Tensor { mask.applied(to: Tensor(rows: mask.rows, cols: mask.cols, repeating: 1)) }
    @Test func tileRows() { checkGradients([a]) { t, v in t.square(t.tileRows(v[0], 3)) } }
    @Test func bernoulliLogLikelihood() {
        var targets = randomTensor(2, 4, seed: 18, lower: 0, upper: 1)
        for i in 0..<2 { for j in 0..<4 { targets[i, j] = targets[i, j] > 0.5 ? 1 : 0 } }
        // Six rows of logits = three samples of a two-example batch.
        checkGradients([randomTensor(6, 4, seed: 19).scaled(3)]) { t, v in t.bernoulliLogLikelihood(logits: v[0], targets: targets) }
    }
    @Test func gaussianKL() { checkGradients([a, b]) { t, v in t.gaussianKL(mean: v[0], logVariance: v[1]) } }
    @Test func gaussianLogDensity() {
        checkGradients([randomTensor(3, 4, seed: 20), a, b]) { t, v in t.gaussianLogDensity(v[0], mean: v[1], logVariance: v[2]) }
    }
    @Test func bernoulliOutput() {
        // Six rows against three target rows (two samples), as the objective stacks them.
        var targets = randomTensor(3, 4, seed: 33)
        for i in 0..<3 { for j in 0..<4 { targets[i, j] = targets[i, j] > 0 ? 1 : 0 } }
        let h = randomTensor(6, 5, seed: 34), w = randomTensor(5, 4, seed: 35).scaled(2), bias = randomTensor(1, 4, seed: 36)
        checkGradients([h, w, bias]) { t, v in t.bernoulliOutput(v[0], weight: v[1], bias: v[2], targets: targets) }
        // The same numbers as the unfused layer and likelihood.
        let tape = Tape(recording: false)
        let fused = tape.bernoulliOutput(Var(constant: h), weight: Var(constant: w), bias: Var(constant: bias), targets: targets)
        let plain = tape.bernoulliLogLikelihood(logits: tape.linear(Var(constant: h), Var(constant: w), Var(constant: bias)), targets: targets)
        for (a, b) in zip(fused.value.scalars, plain.value.scalars) { #expect(abs(a - b) < 1e-5 * max(1, abs(b))) }
    }
    @Test func reparameterize() {
        let noise = randomTensor(9, 4, seed: 31)  // three samples of a 3-row batch
        checkGradients([a, b]) { t, v in t.reparameterize(mean: v[0], logVariance: v[1], noise: noise) }
    }
    @Test func standardNormalLogDensity() { checkGradients([a]) { t, v in t.standardNormalLogDensity(v[0]) } }
    @Test func composedMLP() {
        // A whole two-layer network: the ops compose, and shared inputs accumulate.
        checkGradients([randomTensor(4, 3, seed: 21), randomTensor(3, 5, seed: 22), randomTensor(1, 5, seed: 23)]) { t, v in
            let h = t.tanh(t.linear(v[0], v[1], v[2]))
            return t.add(h, t.sigmoid(h))
        }
    }
}

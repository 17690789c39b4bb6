/// Weight-matrix sizes counted from a configuration without building the model, saturating at Int.max so
/// that sizes edited to 100,000 in a checkpoint's metadata give a large number rather than a trap.
enum WeightCount {
    /// A `GaussianLayer`'s matrices: its MLP, then the mean and log-variance heads on its last layer.
    static func gaussianLayer(inputs: Int, hidden: [Int], outputs: Int) -> Int {
        sum(chain([inputs] + hidden), product(2, product(hidden.last ?? inputs, outputs)))
    }

    /// Σ sizes[i]·sizes[i+1]: the weights of the dense layers between consecutive sizes.
    static func chain(_ sizes: [Int]) -> Int {
        zip(sizes, sizes.dropFirst()).reduce(0) { sum($0, product($1.0, $1.1)) }
    }

    /// A gated MADE step over `size` units: its input layer and its two heads (m and s).
    static func flowStep(size: Int, hidden: Int) -> Int { product(3, product(size, hidden)) }

    static func product(_ a: Int, _ b: Int) -> Int {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : p
    }

    static func sum(_ a: Int, _ b: Int) -> Int {
        let (s, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : s
    }
}

import CKernels
import Foundation

/// Optimisers differ only in their per-parameter update; moments live beside each parameter.
public protocol Optimizer: AnyObject {
    var learningRate: Float { get set }
    /// Applies one update from the gradients now in each parameter's `grad`.
    func step()
    /// A step split across threads: `advance()` once, then `update(part:of:)` for every part at once, each part
    /// a slice of every parameter's elements (the update is elementwise, so the slices are independent).
    func advance()
    func update(part: Int, of parts: Int)
    /// Forgets the moment estimates (after a model reset).
    func reset()
    /// The step count and the moments beside each parameter, to save a run and continue it exactly.
    var moments: OptimizerMoments { get set }
}

/// An optimiser's state: its step count and two moment tensors per parameter, in the parameters' order.
public struct OptimizerMoments {
    public var steps: Int
    public var first: [Tensor]
    public var second: [Tensor]
}

/// Settings shared by Adam and Adamax. The IWAE paper used beta1 0.9, beta2 0.999, epsilon 1e-4.
public struct AdamSettings: Codable, Sendable, Equatable {
    public var learningRate: Float = 1e-3
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-4
    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-4) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }
}

/// Adam and Adamax (Kingma & Ba 2015): the same first moment, and either a bias-corrected second
/// moment (Adam) or an exponentially weighted infinity norm (Adamax, section 7) beside each parameter.
public final class Adam: Optimizer {
    public enum Variant: Sendable { case adam, adamax }

    public let parameters: [Parameter]
    public let variant: Variant
    public var settings: AdamSettings
    public var learningRate: Float {
        get { settings.learningRate }
        set { settings.learningRate = newValue }
    }
    private var first: [Tensor] = []
    private var second: [Tensor] = []
    private var t = 0

    public init(_ parameters: [Parameter], settings: AdamSettings = AdamSettings(), variant: Variant = .adam) {
        self.parameters = parameters
        self.settings = settings
        self.variant = variant
        reset()
    }

    public func step() {
        advance()
        update(part: 0, of: 1)
    }

    /// Counts the step, and makes every value and moment buffer the optimiser's own before parts write them.
    public func advance() {
        t += 1
        for p in parameters { p.ownValue() }
        for i in first.indices {
            first[i].withMutablePointer { _ in }
            second[i].withMutablePointer { _ in }
        }
    }

    public func update(part: Int, of parts: Int) {
        let s = settings
        let stepSize = s.learningRate / (1 - Foundation.pow(s.beta1, Float(t)))
        let correction2 = 1 - Foundation.pow(s.beta2, Float(t))
        for (i, p) in parameters.enumerated() {
            let range = Parallel.slice(p.value.count, part: part, of: parts)
            first[i].withSharedMutablePointer { m in second[i].withSharedMutablePointer { v in
                p.update(range) { w, g, n in
                    let (m, v) = (m + range.lowerBound, v + range.lowerBound)
                    switch variant {
                    case .adam: vk_adam(w, g, m, v, n, s.beta1, s.beta2, stepSize, correction2, s.epsilon)
                    case .adamax: vk_adamax(w, g, m, v, n, s.beta1, s.beta2, stepSize, s.epsilon)
                    }
                }
            } }
        }
    }

    public var moments: OptimizerMoments {
        get { OptimizerMoments(steps: t, first: first.map { $0.copied() }, second: second.map { $0.copied() }) }
        set {
            precondition(newValue.first.count == parameters.count && newValue.second.count == parameters.count,
                         "moments for every parameter")
            t = newValue.steps
            first = newValue.first.map { $0.copied() }
            second = newValue.second.map { $0.copied() }
        }
    }

    public func reset() {
        t = 0
        first = parameters.map { Tensor(zeros: $0.rows, $0.cols) }
        second = parameters.map { Tensor(zeros: $0.rows, $0.cols) }
    }
}

/// Gradient-norm clipping: scales every gradient so the global L2 norm is at most `maxNorm`.
/// Returns the norm before clipping (reported, and checked for NaN).
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float?) -> Float {
    var sumSquares: Double = 0
    for p in parameters {
        sumSquares += p.grad.withPointer { vk_sum_squares($0, p.grad.count) }
    }
    return clipGradients(parameters, sumOfSquares: sumSquares, maxNorm: maxNorm)
}

/// The same, given the gradients' sum of squares (the parts of a split step sum it as they reduce).
@discardableResult
public func clipGradients(_ parameters: [Parameter], sumOfSquares sumSquares: Double, maxNorm: Float?) -> Float {
    let norm = Float(sumSquares.squareRoot())
    if let maxNorm, norm > maxNorm, norm.isFinite {
        let scale = maxNorm / norm
        for p in parameters {
            p.grad.withSharedMutablePointer { vk_scale($0, p.grad.count, scale) }
        }
    }
    return norm
}

import CKernels
import Foundation

/// Optimisers differ only in their per-parameter update; moments live beside each parameter.
public protocol Optimizer: AnyObject {
    var learningRate: Float { get set }
    /// Applies one update from the gradients now in each parameter's `grad`.
    func step()
    /// Forgets the moment estimates (after a model reset).
    func reset()
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

/// Adam (Kingma & Ba 2015) with bias-corrected moments.
public final class Adam: Optimizer {
    public let parameters: [Parameter]
    public var settings: AdamSettings
    public var learningRate: Float {
        get { settings.learningRate }
        set { settings.learningRate = newValue }
    }
    private var m: [Tensor]
    private var v: [Tensor]
    private var t = 0

    public init(_ parameters: [Parameter], settings: AdamSettings = AdamSettings()) {
        self.parameters = parameters
        self.settings = settings
        m = parameters.map { Tensor(zeros: $0.rows, $0.cols) }
        v = m
        for i in v.indices { v[i] = Tensor(zeros: parameters[i].rows, parameters[i].cols) }
    }

    public func step() {
        t += 1
        let s = settings
        let c1 = 1 - Foundation.pow(s.beta1, Float(t)), c2 = 1 - Foundation.pow(s.beta2, Float(t))
        let stepSize = s.learningRate / c1
        for (i, p) in parameters.enumerated() {
            m[i].withMutablePointer { mp in v[i].withMutablePointer { vp in
                p.update { w, g, n in vk_adam(w, g, mp, vp, n, s.beta1, s.beta2, stepSize, c2, s.epsilon) }
            } }
        }
    }

    public func reset() {
        t = 0
        for i in parameters.indices {
            m[i] = Tensor(zeros: parameters[i].rows, parameters[i].cols)
            v[i] = Tensor(zeros: parameters[i].rows, parameters[i].cols)
        }
    }
}

/// Adamax (Kingma & Ba 2015, section 7): Adam with the infinity norm in place of the second moment.
public final class Adamax: Optimizer {
    public let parameters: [Parameter]
    public var settings: AdamSettings
    public var learningRate: Float {
        get { settings.learningRate }
        set { settings.learningRate = newValue }
    }
    private var m: [Tensor]
    private var u: [Tensor]
    private var t = 0

    public init(_ parameters: [Parameter], settings: AdamSettings = AdamSettings(learningRate: 2e-3, epsilon: 1e-8)) {
        self.parameters = parameters
        self.settings = settings
        m = parameters.map { Tensor(zeros: $0.rows, $0.cols) }
        u = parameters.map { Tensor(zeros: $0.rows, $0.cols) }
    }

    public func step() {
        t += 1
        let s = settings
        let stepSize = s.learningRate / (1 - Foundation.pow(s.beta1, Float(t)))
        for (i, p) in parameters.enumerated() {
            m[i].withMutablePointer { mp in u[i].withMutablePointer { up in
                p.update { w, g, n in vk_adamax(w, g, mp, up, n, s.beta1, s.beta2, stepSize, s.epsilon) }
            } }
        }
    }

    public func reset() {
        t = 0
        for i in parameters.indices {
            m[i] = Tensor(zeros: parameters[i].rows, parameters[i].cols)
            u[i] = Tensor(zeros: parameters[i].rows, parameters[i].cols)
        }
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
    let norm = Float(sumSquares.squareRoot())
    if let maxNorm, norm > maxNorm, norm.isFinite {
        let scale = maxNorm / norm
        for p in parameters {
            p.grad.withSharedMutablePointer { vk_scale($0, p.grad.count, scale) }
        }
    }
    return norm
}

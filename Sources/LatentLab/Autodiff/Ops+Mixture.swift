import CKernels
import Foundation

/// A mixture of diagonal Gaussians' log density split over the units by the chain rule, as one fused op (a
/// VampPrior's log p(z)). A mixture does not factorise over the units, so each unit gets
///     log p(z_j | z_<j) = log p(z_≤j) − log p(z_<j),
///     log p(z_≤j) = LSE_k Σ_{i≤j} log N(z_i; μ_ki, σ²_ki) − log K,
/// terms that sum to log p(z). Composed of the tape's ops this would keep n×K×d prefix sums and their gradient;
/// fused, each pass is O(n·K·d) arithmetic with a K-float running sum per row, and the backward pass recomputes
/// each row's sums instead of keeping them.
extension Tape {
    /// z is n×d, μ and logvar are K×d (one component a row); the result is n×d.
    public func gaussianMixtureLogDensityUnits(_ z: Var, mean mu: Var, logVariance lv: Var) -> Var {
        let (n, d, k) = (z.rows, z.cols, mu.rows)
        precondition(k >= 1 && mu.cols == d && lv.rows == k && lv.cols == d,
                     "mixture: z \(z.value.shape), mean \(mu.value.shape), log-variance \(lv.value.shape)")
        let table = MixtureTable(mean: mu.value, logVariance: lv.value)
        // LSE_k of each row's prefix sums, without the −log K: the backward pass's softmax weights need them.
        var lse = Tensor(uninitialized: n, d)
        var out = Tensor(uninitialized: n, d)
        let logK = Float(Foundation.log(Double(k)))
        z.value.withPointer { zp in lse.withMutablePointer { lp in out.withMutablePointer { op in
            Parallel.split(n, unit: k * d) { start, count in
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 3 * k)
                defer { scratch.deallocate() }
                for r in start..<(start + count) {
                    table.prefixLogSumExps(zp + r * d, scratch: scratch, into: lp + r * d)
                    for j in 0..<d { op[r * d + j] = lp[r * d + j] - (j == 0 ? logK : lp[r * d + j - 1]) }
                }
            }
        } } }
        let prefix = lse
        return record(out, inputs: [z, mu, lv]) { tape, g in
            // Rows in parts, each part's component gradients its own, summed after. `split` over the parts
            // (one grain each) runs them one a thread, and nested in a split batch on the calling thread.
            let parts = min(Parallel.threads, max(1, n * k * d / Parallel.grain), max(n, 1))
            let grads = (0..<parts).map { _ in MixtureGradient(units: d, components: k) }
            var dz = Tensor(uninitialized: n, d)
            z.value.withPointer { zp in prefix.withPointer { lp in g.withPointer { gp in dz.withMutablePointer { dzp in
                Parallel.split(parts, unit: Parallel.grain) { first, count in
                    for part in first..<(first + count) {
                        for r in (n * part / parts)..<(n * (part + 1) / parts) {
                            table.backward(zp + r * d, lse: lp + r * d, gradient: gp + r * d, dz: dzp + r * d,
                                           into: grads[part])
                        }
                    }
                }
            } } } }
            tape.accumulate(z, adding: dz)
            for part in grads.indices.dropFirst() { grads[0].add(grads[part]) }
            tape.accumulate(mu, adding: grads[0].mean.transposed())
            tape.accumulate(lv, adding: grads[0].logVariance.transposed())
        }
    }
}

/// The mixture's components unit-major (d×K), so the loops over the components run along contiguous memory.
private final class MixtureTable: @unchecked Sendable {
    let units: Int, components: Int
    let mean: Tensor, precision: Tensor
    /// −½(log 2π + logvar): log N(z; μ, σ²) = offset − ½(z − μ)² · precision.
    let offset: Tensor
    static let halfLog2Pi = Float(0.5 * Foundation.log(2 * Double.pi))

    init(mean mu: Tensor, logVariance lv: Tensor) {
        (units, components) = (mu.cols, mu.rows)
        mean = mu.transposed()
        var p = lv.transposed(), c = lv.transposed()
        let count = p.count
        p.withMutablePointer { pp in c.withMutablePointer { cp in
            for i in 0..<count { (pp[i], cp[i]) = (FastMath.exp(-pp[i]), -Self.halfLog2Pi - 0.5 * cp[i]) }
        } }
        (precision, offset) = (p, c)
    }

    /// Adds unit j's log N(z_j; μ_kj, σ²_kj) to every component's running sum s.
    @inline(__always)
    func addUnit(_ j: Int, _ zj: Float, to s: UnsafeMutablePointer<Float>, _ m: UnsafePointer<Float>,
                 _ p: UnsafePointer<Float>, _ c: UnsafePointer<Float>) {
        let (k, m, p, c) = (components, m + j * components, p + j * components, c + j * components)
        var i = 0
        while i + Lanes.width <= k {
            let e = zj - Lanes.load(m + i)
            Lanes.store(Lanes.load(s + i) + Lanes.load(c + i) - 0.5 * e * e * Lanes.load(p + i), s + i)
            i += Lanes.width
        }
        while i < k { let e = zj - m[i]; s[i] += c[i] - 0.5 * e * e * p[i]; i += 1 }
    }

    /// lse[j] = LSE_k Σ_{i≤j} log N(z_i; μ_ki, σ²_ki) for one row z; `scratch` is 3K floats.
    func prefixLogSumExps(_ z: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                          into lse: UnsafeMutablePointer<Float>) {
        let k = components
        let (s, shifted, exps) = (scratch, scratch + k, scratch + 2 * k)
        s.update(repeating: 0, count: k)
        mean.withPointer { m in precision.withPointer { p in offset.withPointer { c in
            for j in 0..<units {
                addUnit(j, z[j], to: s, m, p, c)
                let top = Lanes.maximum(s, k)
                Lanes.subtract(top, from: s, into: shifted, k)
                vk_unary_forward(UnaryFunction.exp.rawValue, shifted, exps, k, 0, 0)
                lse[j] = top + FastMath.log(Lanes.sum(exps, k))
            }
        } } }
    }

    /// One row's backward pass. The output's gradient g gives each prefix ∂/∂L_j = g_j − g_{j+1}, spread over
    /// the components by their softmax weights at j; a component's log N at unit i feeds every prefix j ≥ i,
    /// so its gradient is the suffix sum of those, accumulated walking the units backwards.
    func backward(_ z: UnsafePointer<Float>, lse: UnsafePointer<Float>, gradient g: UnsafePointer<Float>,
                  dz: UnsafeMutablePointer<Float>, into out: MixtureGradient) {
        let (d, k) = (units, components)
        let weights = out.weights, s = out.sums, a = out.suffix, shifted = out.shifted
        mean.withPointer { m in precision.withPointer { p in offset.withPointer { c in
            out.mean.withSharedMutablePointer { dm in out.logVariance.withSharedMutablePointer { dv in
                // Forward again: the softmax weights of every prefix.
                s.update(repeating: 0, count: k)
                for j in 0..<d {
                    addUnit(j, z[j], to: s, m, p, c)
                    Lanes.subtract(lse[j], from: s, into: shifted, k)
                    vk_unary_forward(UnaryFunction.exp.rawValue, shifted, weights + j * k, k, 0, 0)
                }
                a.update(repeating: 0, count: k)
                for j in stride(from: d - 1, through: 0, by: -1) {
                    let dL = g[j] - (j + 1 < d ? g[j + 1] : 0), zj = z[j], base = j * k
                    let (w, mj, pj, dmj, dvj) = (weights + base, m + base, p + base, dm + base, dv + base)
                    for i in 0..<k {
                        a[i] += dL * w[i]
                        let e = zj - mj[i], t = e * pj[i]
                        dmj[i] += a[i] * t
                        dvj[i] += a[i] * 0.5 * (e * t - 1)
                    }
                    dz[j] = -Lanes.weightedResiduals(a, mj, pj, zj, k)
                }
            } }
        } } }
    }
}

/// Loops along K in 16-float vectors: a plain loop keeps a float sum or maximum in order, one lane at a time.
private enum Lanes {
    typealias Vector = SIMD16<Float>
    static let width = Vector.scalarCount

    @inline(__always) static func load(_ x: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(x).loadUnaligned(as: Vector.self)
    }

    @inline(__always) static func store(_ v: Vector, _ x: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(x).storeBytes(of: v, as: Vector.self)
    }

    /// out = x − shift.
    static func subtract(_ shift: Float, from x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                         _ n: Int) {
        var i = 0
        while i + width <= n { store(load(x + i) - shift, out + i); i += width }
        while i < n { out[i] = x[i] - shift; i += 1 }
    }

    static func maximum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var lanes = Vector(repeating: -.infinity), i = 0
        // A compare and a select: pointwiseMax's NaN-aware lanes measured 80 times slower.
        while i + Vector.scalarCount <= n {
            let v = load(x + i)
            lanes.replace(with: v, where: v .> lanes)
            i += Vector.scalarCount
        }
        var top = lanes.max()
        while i < n { top = max(top, x[i]); i += 1 }
        return top
    }

    static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var lanes = Vector(), i = 0
        while i + Vector.scalarCount <= n { lanes += load(x + i); i += Vector.scalarCount }
        var total = lanes.sum()
        while i < n { total += x[i]; i += 1 }
        return total
    }

    /// Σ_i a_i (z − μ_i) p_i.
    static func weightedResiduals(_ a: UnsafePointer<Float>, _ mu: UnsafePointer<Float>, _ p: UnsafePointer<Float>,
                                  _ z: Float, _ n: Int) -> Float {
        var lanes = Vector(), i = 0
        while i + Vector.scalarCount <= n {
            lanes += load(a + i) * ((z - load(mu + i)) * load(p + i))
            i += Vector.scalarCount
        }
        var total = lanes.sum()
        while i < n { total += a[i] * (z - mu[i]) * p[i]; i += 1 }
        return total
    }
}

/// One thread's share of the backward pass: the components' gradients (unit-major, d×K) and its scratch.
private final class MixtureGradient: @unchecked Sendable {
    let mean: Tensor, logVariance: Tensor
    let weights: UnsafeMutablePointer<Float>
    let sums: UnsafeMutablePointer<Float>, suffix: UnsafeMutablePointer<Float>, shifted: UnsafeMutablePointer<Float>

    init(units d: Int, components k: Int) {
        (mean, logVariance) = (Tensor(zeros: d, k), Tensor(zeros: d, k))
        weights = .allocate(capacity: d * k)
        sums = .allocate(capacity: k)
        suffix = .allocate(capacity: k)
        shifted = .allocate(capacity: k)
    }

    deinit {
        weights.deallocate()
        sums.deallocate()
        suffix.deallocate()
        shifted.deallocate()
    }

    func add(_ other: MixtureGradient) {
        for (mine, theirs) in [(mean, other.mean), (logVariance, other.logVariance)] {
            let n = mine.count
            mine.withSharedMutablePointer { dst in theirs.withPointer { src in for i in 0..<n { dst[i] += src[i] } } }
        }
    }
}

import CKernels
import Foundation

/// Log-densities and divergences as fused ops: each is one pass forward and one backward,
/// written in the numerically safe form (logits, log-variances), never through log(sigmoid).
extension Tape {
    /// log p(x|logits) for a Bernoulli decoder, summed over each row: Σ_d x_d·l_d − softplus(l_d). r×d → r×1.
    /// `targets` may have fewer rows than `logits` when the logits hold k samples of the same batch
    /// stacked (k·B rows): row i is scored against target row i mod B.
    public func bernoulliLogLikelihood(logits: Var, targets: Tensor) -> Var {
        let (r, d) = (logits.rows, logits.cols)
        let b = targets.rows
        precondition(targets.cols == d && r % b == 0, "targets \(targets.shape) do not fit logits \(logits.value.shape)")
        var out = Tensor(uninitialized: r, 1)
        logits.value.withPointer { lp in targets.withPointer { xp in out.withMutablePointer { op in
            vk_bernoulli_loglik(lp, xp, op, r, d, b)
        } } }
        return record(out, inputs: [logits]) { tape, g in
            tape.accumulate(logits) { dl, fresh in
                logits.value.withPointer { lp in targets.withPointer { xp in g.withPointer { gp in
                    vk_bernoulli_loglik_backward(lp, xp, gp, dl, r, d, b, fresh ? 0 : 1)
                } } }
            }
        }
    }

    /// KL(N(μ, e^{logvar}) ‖ N(0, 1)) per element: ½(μ² + e^{logvar} − 1 − logvar). r×d → r×d.
    public func gaussianKL(mean mu: Var, logVariance lv: Var) -> Var {
        precondition(mu.rows == lv.rows && mu.cols == lv.cols, "mean and log-variance shapes differ")
        let n = mu.value.count
        var out = Tensor(uninitialized: mu.rows, mu.cols)
        mu.value.withPointer { m in lv.value.withPointer { v in out.withMutablePointer { o in
            for i in 0..<n { o[i] = 0.5 * (m[i] * m[i] + FastMath.exp(v[i]) - 1 - v[i]) }
        } } }
        return record(out, inputs: [mu, lv]) { tape, g in
            tape.accumulate(mu) { dm, fresh in
                mu.value.withPointer { m in g.withPointer { gp in
                    for i in 0..<n { dm[i] = (fresh ? 0 : dm[i]) + gp[i] * m[i] }
                } }
            }
            tape.accumulate(lv) { dv, fresh in
                lv.value.withPointer { v in g.withPointer { gp in
                    for i in 0..<n { dv[i] = (fresh ? 0 : dv[i]) + gp[i] * 0.5 * (FastMath.exp(v[i]) - 1) }
                } }
            }
        }
    }

    /// log N(z; μ, e^{logvar}) per element: −½(log 2π + logvar + (z−μ)² e^{−logvar}). All r×d.
    public func gaussianLogDensity(_ z: Var, mean mu: Var, logVariance lv: Var) -> Var {
        precondition(z.rows == mu.rows && z.cols == mu.cols && mu.rows == lv.rows && mu.cols == lv.cols,
                     "gaussianLogDensity shapes differ")
        let n = z.value.count
        let log2pi = Float(Foundation.log(2 * Double.pi))
        var out = Tensor(uninitialized: z.rows, z.cols)
        z.value.withPointer { zp in mu.value.withPointer { m in lv.value.withPointer { v in out.withMutablePointer { o in
            for i in 0..<n {
                let d = zp[i] - m[i]
                o[i] = -0.5 * (log2pi + v[i] + d * d * FastMath.exp(-v[i]))
            }
        } } } }
        return record(out, inputs: [z, mu, lv]) { tape, g in
            // d/dz = −(z−μ)e^{−v}; d/dμ = +(z−μ)e^{−v}; d/dv = ½((z−μ)² e^{−v} − 1)
            z.value.withPointer { zp in mu.value.withPointer { m in lv.value.withPointer { v in g.withPointer { gp in
                tape.accumulate(z) { dz, fresh in
                    for i in 0..<n { dz[i] = (fresh ? 0 : dz[i]) - gp[i] * (zp[i] - m[i]) * FastMath.exp(-v[i]) }
                }
                tape.accumulate(mu) { dm, fresh in
                    for i in 0..<n { dm[i] = (fresh ? 0 : dm[i]) + gp[i] * (zp[i] - m[i]) * FastMath.exp(-v[i]) }
                }
                tape.accumulate(lv) { dv, fresh in
                    for i in 0..<n {
                        let d = zp[i] - m[i]
                        dv[i] = (fresh ? 0 : dv[i]) + gp[i] * 0.5 * (d * d * FastMath.exp(-v[i]) - 1)
                    }
                }
            } } } }
        }
    }

    /// log N(z; 0, 1) per element: −½(log 2π + z²).
}


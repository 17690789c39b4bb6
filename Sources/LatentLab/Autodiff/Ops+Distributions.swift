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
        precondition(targets.cols == d && r % b == 0,
                     "targets \(targets.shape) do not fit logits \(logits.value.shape)")
        var out = Tensor(uninitialized: r, 1)
        logits.value.withPointer { lp in targets.withPointer { xp in out.withMutablePointer { op in
            Parallel.split(r, unit: d) { i, c in vk_bernoulli_loglik(lp + i * d, xp, op + i, c, d, b, i) }
        } } }
        return record(out, inputs: [logits]) { tape, g in
            tape.accumulate(logits) { dl, fresh in
                logits.value.withPointer { lp in targets.withPointer { xp in g.withPointer { gp in
                    Parallel.split(r, unit: d) { i, c in
                        vk_bernoulli_loglik_backward(lp + i * d, xp, gp + i, dl + i * d, c, d, b, i, fresh ? 0 : 1)
                    }
                } } }
            }
        }
    }

    /// log p(x|z) of a Bernoulli decoder's output layer, fused: logits = h·W + b, scored against the targets
    /// as in `bernoulliLogLikelihood` (r×1). The logits are never kept: the forward pass overwrites them
    /// with their gradient t − sigmoid(l), and the backward pass scales the narrow side (h, or the
    /// product with Wᵀ) by each row's incoming gradient instead of the wide logits, so the r×d tensor is
    /// written once and read three times (the two products and the bias's sum) instead of about nine.
    public func bernoulliOutput(_ h: Var, weight w: Var, bias b: Var, targets: Tensor) -> Var {
        let (r, d) = (h.rows, w.cols)
        let rowsOfTargets = targets.rows
        precondition(h.cols == w.rows && b.rows == 1 && b.cols == d && targets.cols == d && r % rowsOfTargets == 0,
                     "bernoulliOutput: h \(h.value.shape), W \(w.value.shape), b \(b.value.shape), "
                        + "targets \(targets.shape)")
        // The logits less the bias, until the kernel turns them into t − σ(l).
        let gradient = h.value.matmul(w.value)
        var out = Tensor(uninitialized: r, 1)
        gradient.withSharedMutablePointer { a in b.value.withPointer { bp in
        targets.withPointer { xp in out.withMutablePointer { op in
            Parallel.split(r, unit: d) { i, c in
                vk_bernoulli_output(a + i * d, bp, xp, op + i, c, d, rowsOfTargets, i)
            }
        } } } }
        return record(out, inputs: [h, w, b]) { tape, g in
            // With G = diag(g) and D the stored t − σ(l): dh = G·(D·Wᵀ), dW = (G·h)ᵀ·D, db = gᵀ·D.
            tape.accumulate(h) { dh, fresh in
                let product = gradient.matmul(w.value, transposeOther: true)
                product.withPointer { p in g.withPointer { gp in vk_scale_rows(p, gp, dh, r, h.cols, fresh ? 0 : 1) } }
            }
            tape.accumulate(w) { dw, fresh in
                var scaled = Tensor(uninitialized: r, h.cols)
                h.value.withPointer { hp in
                    g.withPointer { gp in scaled.withMutablePointer { vk_scale_rows(hp, gp, $0, r, h.cols, 0) } }
                }
                scaled.withPointer { sp in gradient.withPointer { dp in
                    BLAS.gemm(sp, rows: r, cols: h.cols, transposeA: true, dp, rows: r, cols: d, transposeB: false, dw,
                              beta: fresh ? 0 : 1)
                } }
            }
            tape.accumulate(b) { db, fresh in
                g.withPointer { gp in gradient.withPointer { dp in
                    BLAS.gemm(gp, rows: 1, cols: r, transposeA: false, dp, rows: r, cols: d, transposeB: false, db,
                              beta: fresh ? 0 : 1)
                } }
            }
        }
    }

    /// KL(N(μ, e^{logvar}) ‖ N(0, 1)) per element: ½(μ² + e^{logvar} − 1 − logvar). r×d → r×d.
    public func gaussianKL(mean mu: Var, logVariance lv: Var) -> Var {
        precondition(mu.rows == lv.rows && mu.cols == lv.cols, "mean and log-variance shapes differ")
        let n = mu.value.count
        var out = Tensor(uninitialized: mu.rows, mu.cols)
        mu.value.withPointer { m in
            lv.value.withPointer { v in out.withMutablePointer { o in vk_gaussian_kl(m, v, o, n) } }
        }
        return record(out, inputs: [mu, lv]) { tape, g in
            mu.value.withPointer { m in lv.value.withPointer { v in g.withPointer { gp in
                tape.accumulate(mu) { dm, fresh in vk_gaussian_kl_backward(m, v, gp, dm, nil, n, fresh ? 0 : 1, 0) }
                tape.accumulate(lv) { dv, fresh in vk_gaussian_kl_backward(m, v, gp, nil, dv, n, 0, fresh ? 0 : 1) }
            } } }
        }
    }

    /// z = μ + e^{½ logvar} · ε for k samples of the batch, stacked sample-major (row s·B + i is sample s of
    /// example i): μ and logvar are B×d, the noise k·B×d. One pass each way; the gradient sums over samples.
    public func reparameterize(mean mu: Var, logVariance lv: Var, noise: Tensor) -> Var {
        precondition(mu.rows == lv.rows && mu.cols == lv.cols && noise.cols == mu.cols
                        && noise.rows % max(mu.rows, 1) == 0,
                     "reparameterize: mean \(mu.value.shape), log-variance \(lv.value.shape), noise \(noise.shape)")
        let n = mu.value.count, k = mu.rows == 0 ? 0 : noise.rows / mu.rows
        var out = Tensor(uninitialized: noise.rows, noise.cols)
        mu.value.withPointer { m in lv.value.withPointer { v in noise.withPointer { e in out.withMutablePointer { o in
            vk_reparameterize(m, v, e, o, k, n)
        } } } }
        return record(out, inputs: [mu, lv]) { tape, g in
            lv.value.withPointer { v in noise.withPointer { e in g.withPointer { gp in
                tape.accumulate(mu) { dm, fresh in
                    vk_reparameterize_backward(v, e, gp, dm, nil, k, n, fresh ? 0 : 1, 0)
                }
                tape.accumulate(lv) { dv, fresh in
                    vk_reparameterize_backward(v, e, gp, nil, dv, k, n, 0, fresh ? 0 : 1)
                }
            } } }
        }
    }

    /// log N(z; μ, e^{logvar}) per element: −½(log 2π + logvar + (z−μ)² e^{−logvar}). All r×d.
    public func gaussianLogDensity(_ z: Var, mean mu: Var, logVariance lv: Var) -> Var {
        precondition(z.rows == mu.rows && z.cols == mu.cols && mu.rows == lv.rows && mu.cols == lv.cols,
                     "gaussianLogDensity shapes differ")
        let n = z.value.count
        var out = Tensor(uninitialized: z.rows, z.cols)
        z.value.withPointer { zp in mu.value.withPointer { m in
        lv.value.withPointer { v in out.withMutablePointer { o in
            vk_gaussian_logpdf(zp, m, v, o, n)
        } } } }
        return record(out, inputs: [z, mu, lv]) { tape, g in
            // d/dz = −(z−μ)e^{−v}; d/dμ = +(z−μ)e^{−v}; d/dv = ½((z−μ)² e^{−v} − 1)
            z.value.withPointer { zp in mu.value.withPointer { m in lv.value.withPointer { v in g.withPointer { gp in
                tape.accumulate(z) { dz, fresh in
                    vk_gaussian_logpdf_backward(zp, m, v, gp, dz, nil, nil, n, fresh ? 0 : 1, 0, 0)
                }
                tape.accumulate(mu) { dm, fresh in
                    vk_gaussian_logpdf_backward(zp, m, v, gp, nil, dm, nil, n, 0, fresh ? 0 : 1, 0)
                }
                tape.accumulate(lv) { dv, fresh in
                    vk_gaussian_logpdf_backward(zp, m, v, gp, nil, nil, dv, n, 0, 0, fresh ? 0 : 1)
                }
            } } } }
        }
    }
}

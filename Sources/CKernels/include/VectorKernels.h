// Elementwise and reduction kernels of the engine, the loops that dominate a training step
// after the matrix products. They are C so that clang vectorises them (float reductions,
// no-alias buffers) and can build AVX2 and AVX-512 clones chosen at run time; see VectorKernels.c.
#ifndef VECTOR_KERNELS_H
#define VECTOR_KERNELS_H

#include <stdint.h>

/// The elementwise functions, by number (mirrored by the engine's UnaryFunction).
enum vk_unary {
    VK_EXP = 0, VK_LOG, VK_TANH, VK_SIGMOID, VK_SOFTPLUS, VK_RELU, VK_ELU, VK_SQUARE,
    VK_AFFINE,          // a·x + b
    VK_CLAMP_MIN,       // max(x, a)
    VK_STD_NORMAL_LOGPDF // −½(log 2π + x²)
};

/// y[i] = f(x[i]).
void vk_unary_forward(int op, const float *x, float *y, long n, float a, float b);
/// dx[i] (+)= g[i] · f'(x[i]) given y = f(x); accumulate = 0 overwrites dx.
void vk_unary_backward(int op, const float *x, const float *y, const float *g, float *dx, long n,
                       int accumulate, float a, float b);

/// out[i] = Σ_j t·l − softplus(l) over row i of logits (rows × d), scored against target row
/// (firstRow + i) mod targetRows (the logits may be a block of rows starting at firstRow).
void vk_bernoulli_loglik(const float *logits, const float *targets, float *out, long rows, long d, long targetRows,
                         long firstRow);
/// The decoder's output layer fused with its likelihood: for logits l = a[i, j] + bias[j], out[i] =
/// Σ_j t·l − softplus(l), and a[i, j] is overwritten with t − sigmoid(l), the gradient of out[i] with
/// respect to l. Rows as in vk_bernoulli_loglik.
void vk_bernoulli_output(float *a, const float *bias, const float *targets, float *out, long rows, long d,
                         long targetRows, long firstRow);
/// y[i, j] (+)= s[i] · x[i, j]: rows scaled by a per-row factor.
void vk_scale_rows(const float *x, const float *s, float *y, long rows, long cols, int accumulate);
/// A masked layer's activation (PixelCNN): out[i, j] = residual[i, j] + tanh(pre[i, j] + shift[(firstRow + i) /
/// rowsPerShift, j]), without the residual when it is NULL; the shift is a row per image (its bias and z's term).
void vk_tanh_shift_residual(const float *pre, const float *shift, const float *residual, float *out, long rows,
                            long c, long rowsPerShift, long firstRow);
/// The same layer backward: dpre[i, j] = dout[i, j] · (1 − a²), a = out − residual (out without a residual): tanh's
/// derivative from the layer's output and input, so the activation itself need not be kept; and dshift[(firstRow +
/// i) / rowsPerShift, j] += dpre[i, j], each image's pixel rows summed onto its shift's row.
void vk_tanh_residual_backward(const float *dout, const float *out, const float *residual, float *dpre,
                               float *dshift, long rows, long c, long rowsPerShift, long firstRow);
/// The causal patches of a k×k mask (the taps of Tape.causalTaps, in its order: every row above the centre, then
/// the centre row to its left, then the centre itself when includeCenter) for the pixel rows firstRow ..< firstRow +
/// rows of src, (images·h·w) × c: dst row i holds its taps' c channels side by side, zeros where a tap falls outside
/// the image. A run of taps along an image row is one copy where it lies inside the image.
void vk_causal_patches(const float *src, float *dst, long c, long k, int includeCenter, long h, long w,
                       long firstRow, long rows);
/// The reverse: each patch entry of those rows added onto the pixel it was read from.
void vk_causal_scatter(const float *patches, float *dst, long c, long k, int includeCenter, long h, long w,
                       long firstRow, long rows);
/// dl[i, j] (+)= g[i] · (t − sigmoid(l)), rows as in vk_bernoulli_loglik.
void vk_bernoulli_loglik_backward(const float *logits, const float *targets, const float *g, float *dl,
                                  long rows, long d, long targetRows, long firstRow, int accumulate);

/// Standard normal draws by Box–Muller, two per 64 random bits: 24 bits give u1 in (0, 1], 24 more u2 in [0, 1);
/// out[2i], out[2i+1] = √(−2 log u1) · (cos, sin)(2π u2 − π). Writes 2·pairs floats.
void vk_normals_from_bits(const uint64_t *bits, float *out, long pairs);

/// Dynamic binarisation of n grey pixels: out[i] = 1 with probability grey[i] / 255, else 0. Pixel i's 24 random
/// bits are SplitMix64's output number first + i + 1 for the seed key (each a function of its counter alone).
void vk_binarize(const uint8_t *grey, float *out, long n, uint64_t key, uint64_t first);

/// KL(N(μ, e^v) ‖ N(0, 1)) per element: ½(μ² + e^v − 1 − v).
void vk_gaussian_kl(const float *mu, const float *logvar, float *out, long n);
/// z[s·n + i] = mu[i] + exp(½ logvar[i]) · eps[s·n + i] for k blocks s of n elements: k samples of a
/// batch's posterior in one pass, with no tiled copies of mu and sigma.
void vk_reparameterize(const float *mu, const float *logvar, const float *eps, float *z, long k, long n);
/// dmu[i] (+)= Σ_s g[s·n + i]; dlogvar[i] (+)= Σ_s g[s·n + i] · ½ exp(½ logvar[i]) · eps[s·n + i]. Either may be NULL.
void vk_reparameterize_backward(const float *logvar, const float *eps, const float *g, float *dmu, float *dlogvar,
                                long k, long n, int accumulateMu, int accumulateLogvar);
/// dμ (+)= g·μ, dv (+)= g·½(e^v − 1); either may be null.
void vk_gaussian_kl_backward(const float *mu, const float *logvar, const float *g, float *dmu, float *dlogvar,
                             long n, int accumulateMu, int accumulateLogvar);

/// log N(z; μ, e^v) per element: −½(log 2π + v + (z−μ)² e^{−v}).
void vk_gaussian_logpdf(const float *z, const float *mu, const float *logvar, float *out, long n);
/// dz (+)= −g(z−μ)e^{−v}, dμ (+)= g(z−μ)e^{−v}, dv (+)= ½g((z−μ)²e^{−v} − 1); any output may be null.
void vk_gaussian_logpdf_backward(const float *z, const float *mu, const float *logvar, const float *g,
                                 float *dz, float *dmu, float *dlogvar, long n,
                                 int accumulateZ, int accumulateMu, int accumulateLogvar);

/// One Adam update of n weights with bias-corrected moments.
void vk_adam(float *w, const float *g, float *m, float *v, long n,
             float beta1, float beta2, float stepSize, float biasCorrection2, float epsilon);
/// One Adamax update (infinity-norm second moment).
void vk_adamax(float *w, const float *g, float *m, float *u, long n,
               float beta1, float beta2, float stepSize, float epsilon);

/// Σ x[i]², accumulated in double.
double vk_sum_squares(const float *x, long n);
/// g[i] += b[i] and b[i] = 0 (a part's gradient added in and its buffer cleared for the next step); returns Σ g[i]²
/// after the addition, as vk_sum_squares does. With b NULL, only the sum.
double vk_add_clear_sum_squares(float *g, float *b, long n);
/// y[i] *= s.
void vk_scale(float *y, long n, float s);

/// Raises glibc's mmap and trim thresholds so freed tensor buffers stay in the heap for reuse
/// (no-op elsewhere). See Allocator.swift.
void vk_keep_freed_buffers(long mmapThreshold, long trimThreshold);
/// Returns the heap's free pages to the kernel (glibc's malloc_trim; no-op elsewhere).
void vk_release_free_memory(void);

#endif

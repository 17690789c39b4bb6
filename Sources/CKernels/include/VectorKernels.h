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

/// out[i] = Σ_j t·l − softplus(l) over row i of logits (rows × d), target row i mod targetRows.
void vk_bernoulli_loglik(const float *logits, const float *targets, float *out, long rows, long d, long targetRows);
/// dl[i, j] (+)= g[i] · (t − sigmoid(l)).
void vk_bernoulli_loglik_backward(const float *logits, const float *targets, const float *g, float *dl,
                                  long rows, long d, long targetRows, int accumulate);

/// One Adam update of n weights with bias-corrected moments.
void vk_adam(float *w, const float *g, float *m, float *v, long n,
             float beta1, float beta2, float stepSize, float biasCorrection2, float epsilon);
/// One Adamax update (infinity-norm second moment).
void vk_adamax(float *w, const float *g, float *m, float *u, long n,
               float beta1, float beta2, float stepSize, float epsilon);

/// Σ x[i]², accumulated in double.
double vk_sum_squares(const float *x, long n);
/// y[i] *= s.
void vk_scale(float *y, long n, float s);

#endif

// The calling thread's handling of subnormal floats (below 1.2e-38 in single precision).
//
// Intel cores take a microcode assist, a hundred cycles or more, for each vector instruction that reads or
// makes a subnormal. The gradients of an importance-weighted bound are scaled by normalised weights that are
// often that small, so at k = 50 about a third of a training step went to assists. Flushing
// treats subnormal inputs as zero and rounds subnormal results to zero (x86-64: MXCSR's DAZ and FTZ bits;
// AArch64: FPCR's FZ bit); normal numbers are untouched.
#ifndef FLOAT_MODE_H
#define FLOAT_MODE_H

/// Sets whether this thread flushes subnormals to zero. Threads created afterwards inherit the setting.
void vk_set_flush_subnormals(int on);

/// 1 when this thread flushes subnormals to zero, else 0 (always 0 where the architecture has no such mode).
int vk_flushes_subnormals(void);

#endif

/* conv.h - the inner kernel of Conv and ConvTranspose's plane and taps algorithms
 * (ops/nn/conv.c), with one variant per instruction set (ops/nn/conv.c portable,
 * ops/nn/conv_avx2.c AVX2 + FMA, x86-64 only; ops/nn/conv_neon.c NEON, ARM only;
 * ops/nn/conv_wasm.c SIMD128, wasm32 only), held by the kernel tables of ops/cpu.h.
 *
 * y[o] = bias + sum_q w[q] * x[o + off[q]] for o in [0, n), q = 0..nq-1 in order: every
 * tap of every input channel is one offset into zero-padded input planes, so one
 * long contiguous run of outputs covers many short rows. The variants differ only by
 * fused multiply-adds. */
#ifndef OPS_CONV_H
#define OPS_CONV_H

#include <stdint.h>

/* slope: NULL, or a fused PRelu: y[o] = slope[0] * y[o] where y[o] < 0 (exactly
 * what op_epilogue computes). */
typedef void (*conv_plane_f32_fn)(float *y, int64_t n, const float *x, const int64_t *off,
                                  const float *w, int64_t nq, float bias,
                                  const float *slope);

void conv_plane_f32_portable(float *y, int64_t n, const float *x, const int64_t *off,
                             const float *w, int64_t nq, float bias, const float *slope);
/* x86-64 only; only where the CPU has AVX2 and FMA (kernels_avx2). */
void conv_plane_f32_avx2(float *y, int64_t n, const float *x, const int64_t *off,
                         const float *w, int64_t nq, float bias, const float *slope);
/* wasm32 only (kernels_wasm_simd128); so are the other _wasm kernels below */
void conv_plane_f32_wasm(float *y, int64_t n, const float *x, const int64_t *off,
                         const float *w, int64_t nq, float bias, const float *slope);
/* The same for 4 output channels j at once (y + j * ys, input x + j * xs, weights
 * w + j * nq, bias[j], slope NULL or slope[j]): xs = 0 shares the loads of x
 * (channels of one group); else 4 depthwise groups with the same taps. */
typedef void (*conv_plane4_f32_fn)(float *y, int64_t ys, int64_t n, const float *x,
                                   int64_t xs, const int64_t *off, const float *w,
                                   int64_t nq, const float *bias, const float *slope);

void conv_plane4_f32_portable(float *y, int64_t ys, int64_t n, const float *x, int64_t xs,
                              const int64_t *off, const float *w, int64_t nq,
                              const float *bias, const float *slope);
void conv_plane4_f32_avx2(float *y, int64_t ys, int64_t n, const float *x, int64_t xs,
                          const int64_t *off, const float *w, int64_t nq, const float *bias,
                          const float *slope);
void conv_plane4_f32_wasm(float *y, int64_t ys, int64_t n, const float *x, int64_t xs,
                          const int64_t *off, const float *w, int64_t nq, const float *bias,
                          const float *slope);
/* The same for 2 output channels sharing x (xs = 0). */
typedef void (*conv_plane2_f32_fn)(float *y, int64_t ys, int64_t n, const float *x,
                                   const int64_t *off, const float *w, int64_t nq,
                                   const float *bias, const float *slope);

void conv_plane2_f32_portable(float *y, int64_t ys, int64_t n, const float *x,
                              const int64_t *off, const float *w, int64_t nq,
                              const float *bias, const float *slope);
void conv_plane2_f32_avx2(float *y, int64_t ys, int64_t n, const float *x,
                          const int64_t *off, const float *w, int64_t nq, const float *bias,
                          const float *slope);
void conv_plane2_f32_wasm(float *y, int64_t ys, int64_t n, const float *x,
                          const int64_t *off, const float *w, int64_t nq, const float *bias,
                          const float *slope);

/* The copies around the stride-2 phases: deinterleave e[i] = x[2 i], o[i] = x[2 i + 1]
 * for i < n (Conv's input phases); interleave y[2 i] = e[i], y[2 i + 1] = o[i] for
 * 2 i (+ 1) < n (ConvTranspose's output phases; o[n / 2] is not read). */
typedef void (*conv_deint2_f32_fn)(float *e, float *o, const float *x, int64_t n);
typedef void (*conv_int2_f32_fn)(float *y, const float *e, const float *o, int64_t n);

void conv_deint2_f32_portable(float *e, float *o, const float *x, int64_t n);
void conv_deint2_f32_avx2(float *e, float *o, const float *x, int64_t n);
void conv_deint2_f32_wasm(float *e, float *o, const float *x, int64_t n);
void conv_int2_f32_portable(float *y, const float *e, const float *o, int64_t n);
void conv_int2_f32_avx2(float *y, const float *e, const float *o, int64_t n);
void conv_int2_f32_wasm(float *y, const float *e, const float *o, int64_t n);

/* ARM only; only where the CPU has NEON (kernels_neon, ops/nn/conv_neon.c) */
void conv_plane_f32_neon(float *y, int64_t n, const float *x, const int64_t *off,
                         const float *w, int64_t nq, float bias, const float *slope);
void conv_plane4_f32_neon(float *y, int64_t ys, int64_t n, const float *x, int64_t xs,
                          const int64_t *off, const float *w, int64_t nq, const float *bias,
                          const float *slope);
void conv_plane2_f32_neon(float *y, int64_t ys, int64_t n, const float *x,
                          const int64_t *off, const float *w, int64_t nq, const float *bias,
                          const float *slope);
void conv_deint2_f32_neon(float *e, float *o, const float *x, int64_t n);
void conv_int2_f32_neon(float *y, const float *e, const float *o, int64_t n);

#endif

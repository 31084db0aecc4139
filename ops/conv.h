/* conv.h - the inner kernel of Conv and ConvTranspose's plane and taps algorithms
 * (ops/conv.c), with one variant per instruction set (ops/conv.c portable,
 * ops/conv_avx2.c AVX2 + FMA), chosen once at plan time.
 *
 * y[o] = bias + sum_q w[q] * x[o + off[q]] for o in [0, n), q = 0..nq-1 in order: every
 * tap of every input channel is one offset into zero-padded input planes, so one
 * long contiguous run of outputs covers many short rows. The variants differ only by
 * fused multiply-adds. */
#ifndef OPS_CONV_H
#define OPS_CONV_H

#include <stdint.h>

typedef void (*conv_plane_f32_fn)(float *y, int64_t n, const float *x, const int64_t *off,
                                  const float *w, int64_t nq, float bias);

void conv_plane_f32_portable(float *y, int64_t n, const float *x, const int64_t *off,
                             const float *w, int64_t nq, float bias);
/* Only where conv_avx2_ok() says the CPU has AVX2 and FMA. */
void conv_plane_f32_avx2(float *y, int64_t n, const float *x, const int64_t *off,
                         const float *w, int64_t nq, float bias);
/* The same for 4 output channels j at once (y + j * ys, input x + j * xs, weights
 * w + j * nq, bias[j]): xs = 0 shares the loads of x (channels of one group); else
 * 4 depthwise groups with the same taps. */
typedef void (*conv_plane4_f32_fn)(float *y, int64_t ys, int64_t n, const float *x,
                                   int64_t xs, const int64_t *off, const float *w,
                                   int64_t nq, const float *bias);

void conv_plane4_f32_portable(float *y, int64_t ys, int64_t n, const float *x, int64_t xs,
                              const int64_t *off, const float *w, int64_t nq,
                              const float *bias);
void conv_plane4_f32_avx2(float *y, int64_t ys, int64_t n, const float *x, int64_t xs,
                          const int64_t *off, const float *w, int64_t nq, const float *bias);
int conv_avx2_ok(void);

#endif

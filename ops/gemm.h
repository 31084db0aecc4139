/* gemm.h - the float matrix product under Conv, ConvTranspose and MatMul, with one
 * variant per instruction set (ops/gemm.c portable, ops/gemm_avx2.c AVX2 + FMA),
 * chosen once at plan time by gemm_f32_pick().
 *
 * C[m][n] += A[m][k] B[k][n]. Element (i, p) of A is a[i * a_rs + p * a_cs] (so a
 * transposed A costs nothing); B and C are row-major with row strides ldb and ldc.
 * Every element's sum runs over p = 0..k-1 in order, starting from 0, and is added
 * to C once: the variants differ only by fused multiply-adds. */
#ifndef OPS_GEMM_H
#define OPS_GEMM_H

#include <stdint.h>

typedef void (*gemm_f32_fn)(int64_t m, int64_t n, int64_t k, const float *a, int64_t a_rs,
                            int64_t a_cs, const float *b, int64_t ldb, float *c, int64_t ldc);

void gemm_f32_portable(int64_t m, int64_t n, int64_t k, const float *a, int64_t a_rs,
                       int64_t a_cs, const float *b, int64_t ldb, float *c, int64_t ldc);
/* Only where gemm_f32_avx2_ok() says the CPU has AVX2 and FMA. */
void gemm_f32_avx2(int64_t m, int64_t n, int64_t k, const float *a, int64_t a_rs,
                   int64_t a_cs, const float *b, int64_t ldb, float *c, int64_t ldc);
int gemm_f32_avx2_ok(void);

/* The fastest variant this CPU runs. */
gemm_f32_fn gemm_f32_pick(void);

#endif

/* gemm.h - the float matrix product under Conv, ConvTranspose, MatMul, Einsum and GRU:
 * one row-blocking driver, gemm_f32_run() (ops/math/gemm.c), over a micro-kernel per
 * instruction set (struct gemm_ukernel: ops/math/gemm.c portable, ops/math/gemm_avx2.c AVX2 +
 * FMA, ops/math/gemm_neon.c NEON, ops/math/gemm_wasm.c SIMD128), which the kernel tables
 * of ops/cpu.h hold.
 *
 * C[m][n] += A[m][k] B[k][n]. Element (i, p) of A is a[i * a_rs + p * a_cs] (so a
 * transposed A costs nothing); B and C are row-major with row strides ldb and ldc.
 * Every element's sum runs over p = 0..k-1 in order, starting from 0, and is added
 * to C once: the micro-kernels differ only by fused multiply-adds. */
#ifndef OPS_GEMM_H
#define OPS_GEMM_H

#include <stdint.h>

/* C[r][n] += A[r][k] B[k][n] for a fixed number of rows r (1 to 4) and n a multiple
 * of the micro-kernel's vector width, the sums in registers. */
typedef void (*gemm_rows_fn)(int64_t n, int64_t k, const float *a, int64_t a_rs,
                             int64_t a_cs, const float *b, int64_t ldb, float *c,
                             int64_t ldc);
/* C[m][cols] += A[m][k] B[k][cols] for the last cols (1 to nv - 1) columns, every row. */
typedef void (*gemm_tail_fn)(int64_t m, int64_t cols, int64_t k, const float *a,
                             int64_t a_rs, int64_t a_cs, const float *b, int64_t ldb,
                             float *c, int64_t ldc);

/* B packed for products with few rows of A (gemm_pack_b): panels of GEMM_PANEL
 * columns, B[p][q * GEMM_PANEL + i] at bp[(q * k + p) * GEMM_PANEL + i], the columns of
 * the last panel past n zero. A product then reads B once, each panel from its start
 * to its end: weights that do not stay in cache stream in memory order. */
#define GEMM_PANEL 16
/* C[m][n] += A[m][k] B[k][n] with B packed (any m; fastest for m <= 4): the same sums
 * as gemm_f32_run's, the packing only changes where B's elements lie. */
typedef void (*gemm_packed_fn)(int64_t m, int64_t n, int64_t k, const float *a,
                               int64_t a_rs, int64_t a_cs, const float *bp, float *c,
                               int64_t ldc);

/* One instruction set's part of the product. */
struct gemm_ukernel {
	int64_t nv;              /* floats per vector: rows[] take n - n % nv columns */
	gemm_rows_fn rows[4];    /* [r - 1]: r rows of C */
	gemm_tail_fn tail;       /* the n % nv columns left */
	gemm_packed_fn packed;   /* the product with a packed B */
};

/* floats of B [k][n] packed: ceil(n / GEMM_PANEL) panels of k * GEMM_PANEL */
int64_t gemm_packed_floats(int64_t n, int64_t k);
/* Packs B [k][n], element (p, j) at b[p * b_rs + j * b_cs] (so a transposed B costs
 * nothing), into bp [gemm_packed_floats(n, k)]. */
void gemm_pack_b(float *bp, const float *b, int64_t b_rs, int64_t b_cs, int64_t n, int64_t k);

extern const struct gemm_ukernel gemm_ukernel_portable;
extern const struct gemm_ukernel gemm_ukernel_avx2;     /* x86-64 only (ops/cpu_x86.c) */
extern const struct gemm_ukernel gemm_ukernel_neon;     /* ARM only (ops/cpu_arm.c) */
extern const struct gemm_ukernel gemm_ukernel_wasm;     /* wasm32 only (ops/cpu_wasm.c) */

/* The product with micro-kernel uk: blocks of 4 rows, then the 1 to 3 left, over the
 * columns in whole vectors; then the tail columns. */
void gemm_f32_run(const struct gemm_ukernel *uk, int64_t m, int64_t n, int64_t k,
                  const float *a, int64_t a_rs, int64_t a_cs, const float *b, int64_t ldb,
                  float *c, int64_t ldc);

/* The same product in double (Conv, ConvTranspose and MatMul), plain loops: one sum
 * per element of C, over p in order from 0, added to C once. */
void gemm_f64_run(int64_t m, int64_t n, int64_t k, const double *a, int64_t a_rs,
                  int64_t a_cs, const double *b, int64_t ldb, double *c, int64_t ldc);

#endif

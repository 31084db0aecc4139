/* gemm_packed_rows.h - packed_rows() of a micro-kernel's packed product (ops/math/gemm.h):
 * C[rows][n] += A[rows][k] B[k][n], B packed, np panels at a time then one, over the
 * including file's packed_block(rows, np, k, a, a_rs, a_cs, bp, ps, cols, c, ldc).
 * No include guard: ops/math/gemm_avx2.c and ops/math/gemm_neon.c include it once,
 * after their packed_block. */

/* rows and np constants where inlined */
static inline __attribute__((always_inline)) void
packed_rows(const int rows, const int np, int64_t n, int64_t k, const float *a, int64_t a_rs,
            int64_t a_cs, const float *bp, float *c, int64_t ldc)
{
	const int64_t ps = k * GEMM_PANEL;
	int64_t j = 0;

	for (; j + (np - 1) * GEMM_PANEL < n; j += np * GEMM_PANEL, bp += np * ps)
		packed_block(rows, np, k, a, a_rs, a_cs, bp, ps, n - j, c + j, ldc);
	for (; j < n; j += GEMM_PANEL, bp += ps)
		packed_block(rows, 1, k, a, a_rs, a_cs, bp, ps, n - j, c + j, ldc);
}

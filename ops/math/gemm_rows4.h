/* gemm_rows4.h - gemm_rows() and gemm_tail() of a micro-kernel in 4-float vectors
 * (ops/math/gemm_ukernel.h) over the including file's gemm_block(rows, nv, cols, k, a,
 * a_rs, a_cs, b, ldb, c, ldc) (rows <= 4 and nv <= 4 constants where inlined; cols 1 to
 * 3 with nv = 1: only that many columns, 0: all) and SUM_REGS, the vectors of sums in
 * flight. No include guard: ops/math/gemm_neon.c and ops/math/gemm_wasm.c include it
 * once, after their gemm_block. */

/* C[rows][n] += A[rows][k] B[k][n] for n a multiple of 4 and rows <= 4 (a
 * constant where inlined): blocks of up to 16 columns while they fit, then 4. */
static inline __attribute__((always_inline)) void
gemm_rows(const int rows, int64_t n, int64_t k, const float *a, int64_t a_rs, int64_t a_cs,
          const float *b, int64_t ldb, float *c, int64_t ldc)
{
	const int wide = SUM_REGS / rows < 4 ? SUM_REGS / rows : 4;
	int64_t j = 0;

	for (; j + 4 * wide <= n; j += 4 * wide)
		gemm_block(rows, wide, 0, k, a, a_rs, a_cs, b + j, ldb, c + j, ldc);
	for (; j < n; j += 4)
		gemm_block(rows, 1, 0, k, a, a_rs, a_cs, b + j, ldb, c + j, ldc);
}

/* The last 1 to 3 columns, every row: 4 rows at a time, then one. */
static void gemm_tail(int64_t m, int64_t cols, int64_t k, const float *a, int64_t a_rs,
                      int64_t a_cs, const float *b, int64_t ldb, float *c, int64_t ldc)
{
	int64_t i = 0;

	for (; i + 4 <= m; i += 4)
		gemm_block(4, 1, cols, k, a + i * a_rs, a_rs, a_cs, b, ldb, c + i * ldc, ldc);
	for (; i < m; i++)
		gemm_block(1, 1, cols, k, a + i * a_rs, a_rs, a_cs, b, ldb, c + i * ldc, ldc);
}

/* gemm.c - the row-blocking driver of the float matrix product (contract in ops/math/gemm.h)
 * and its portable micro-kernel. Blocks of up to 4 rows by 8 to 16 columns of C stay in
 * registers (GNU C vectors of 4 floats: SSE2 on x86-64, NEON on arm64, scalar code
 * elsewhere) while the sum runs over k; narrower blocks and single columns finish
 * the row. */
#include <string.h>
#include "ops/math/gemm.h"

typedef float v4f __attribute__((vector_size(16)));

static inline __attribute__((always_inline)) v4f load4(const float *p)
{
	v4f v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline __attribute__((always_inline)) void add_store4(float *p, v4f v)
{
	v += load4(p);
	memcpy(p, &v, sizeof(v));
}

/* C[rows][nv*4 columns] += A[rows][k] B[k][those columns], the sums in registers:
 * rows <= 4 and nv <= 4 are constants where inlined, and the loops over them are
 * unrolled. */
static inline __attribute__((always_inline)) void
gemm_block(const int rows, const int nv, int64_t k, const float *a, int64_t a_rs,
           int64_t a_cs, const float *b, int64_t ldb, float *c, int64_t ldc)
{
	v4f s[4][4];

#pragma GCC unroll 4
	for (int i = 0; i < rows; i++)
#pragma GCC unroll 4
		for (int v = 0; v < nv; v++)
			s[i][v] = (v4f){ 0, 0, 0, 0 };
	for (int64_t p = 0; p < k; p++, a += a_cs, b += ldb) {
		v4f bv[4];
#pragma GCC unroll 4
		for (int v = 0; v < nv; v++)
			bv[v] = load4(b + 4 * v);
#pragma GCC unroll 4
		for (int i = 0; i < rows; i++) {
			float av = a[i * a_rs];
#pragma GCC unroll 4
			for (int v = 0; v < nv; v++)
				s[i][v] += av * bv[v];
		}
	}
#pragma GCC unroll 4
	for (int i = 0; i < rows; i++)
#pragma GCC unroll 4
		for (int v = 0; v < nv; v++)
			add_store4(c + i * ldc + 4 * v, s[i][v]);
}

/* C[rows][n] += A[rows][k] B[k][n] for n a multiple of 4 and rows <= 4 (a
 * constant where inlined): blocks of 8 (4 rows) to 16 columns while they fit,
 * then 4. */
static inline __attribute__((always_inline)) void
gemm_rows(const int rows, int64_t n, int64_t k, const float *a, int64_t a_rs, int64_t a_cs,
          const float *b, int64_t ldb, float *c, int64_t ldc)
{
	const int wide = rows == 4 ? 2 : rows == 3 ? 3 : 4;     /* vectors: 12 sums at most */
	int64_t j = 0;

	for (; j + 4 * wide <= n; j += 4 * wide)
		gemm_block(rows, wide, k, a, a_rs, a_cs, b + j, ldb, c + j, ldc);
	for (; j < n; j += 4)
		gemm_block(rows, 1, k, a, a_rs, a_cs, b + j, ldb, c + j, ldc);
}

/* The last 1 to 3 columns, every row: 8 rows at a time so that the sums do not
 * wait on each other. */
static void gemm_tail(int64_t m, int64_t cols, int64_t k, const float *a, int64_t a_rs,
                      int64_t a_cs, const float *b, int64_t ldb, float *c, int64_t ldc)
{
	for (int64_t j = 0; j < cols; j++)
		for (int64_t i0 = 0; i0 < m; i0 += 8) {
			const int64_t rows = m - i0 < 8 ? m - i0 : 8;
			float s[8] = { 0, 0, 0, 0, 0, 0, 0, 0 };
			const float *ap = a + i0 * a_rs, *bp = b + j;
			for (int64_t p = 0; p < k; p++, ap += a_cs, bp += ldb)
				for (int64_t i = 0; i < rows; i++)
					s[i] += ap[i * a_rs] * bp[0];
			for (int64_t i = 0; i < rows; i++)
				c[(i0 + i) * ldc + j] += s[i];
		}
}

/* C[rows][cols] += A[rows][k] P[k][GEMM_PANEL] for one panel P of a packed B, of whose
 * columns the first cols (1 to GEMM_PANEL) are stored; rows <= 2 a constant where
 * inlined (8 vectors of sums). */
static inline __attribute__((always_inline)) void
packed_block(const int rows, int64_t k, const float *a, int64_t a_rs, int64_t a_cs,
             const float *bp, int64_t cols, float *c, int64_t ldc)
{
	v4f s[2][4];

#pragma GCC unroll 2
	for (int i = 0; i < rows; i++)
#pragma GCC unroll 4
		for (int v = 0; v < 4; v++)
			s[i][v] = (v4f){ 0, 0, 0, 0 };
	for (int64_t p = 0; p < k; p++, a += a_cs, bp += GEMM_PANEL) {
		v4f bv[4];
#pragma GCC unroll 4
		for (int v = 0; v < 4; v++)
			bv[v] = load4(bp + 4 * v);
#pragma GCC unroll 2
		for (int i = 0; i < rows; i++) {
			float av = a[i * a_rs];
#pragma GCC unroll 4
			for (int v = 0; v < 4; v++)
				s[i][v] += av * bv[v];
		}
	}
	for (int i = 0; i < rows; i++) {
		float t[GEMM_PANEL];
		memcpy(t, s[i], sizeof(t));
		for (int64_t j = 0; j < cols; j++)
			c[i * ldc + j] += t[j];
	}
}

/* gemm_packed_fn: per panel, rows two at a time. */
static void gemm_packed(int64_t m, int64_t n, int64_t k, const float *a, int64_t a_rs,
                        int64_t a_cs, const float *bp, float *c, int64_t ldc)
{
	for (int64_t j = 0; j < n; j += GEMM_PANEL, bp += k * GEMM_PANEL) {
		const int64_t cols = n - j < GEMM_PANEL ? n - j : GEMM_PANEL;
		int64_t i = 0;
		for (; i + 2 <= m; i += 2)
			packed_block(2, k, a + i * a_rs, a_rs, a_cs, bp, cols, c + i * ldc + j,
			             ldc);
		if (i < m)
			packed_block(1, k, a + i * a_rs, a_rs, a_cs, bp, cols, c + i * ldc + j,
			             ldc);
	}
}

#define GEMM_UKERNEL gemm_ukernel_portable
#define GEMM_NV 4
#include "ops/math/gemm_ukernel.h"

void gemm_f32_run(const struct gemm_ukernel *uk, int64_t m, int64_t n, int64_t k,
                  const float *a, int64_t a_rs, int64_t a_cs, const float *b, int64_t ldb,
                  float *c, int64_t ldc)
{
	const int64_t nf = n - n % uk->nv;        /* columns in full vectors */
	int64_t i = 0;

	for (; i + 4 <= m; i += 4)
		uk->rows[3](nf, k, a + i * a_rs, a_rs, a_cs, b, ldb, c + i * ldc, ldc);
	if (i < m)
		uk->rows[m - i - 1](nf, k, a + i * a_rs, a_rs, a_cs, b, ldb, c + i * ldc, ldc);
	if (nf < n)
		uk->tail(m, n - nf, k, a, a_rs, a_cs, b + nf, ldb, c + nf, ldc);
}

int64_t gemm_packed_floats(int64_t n, int64_t k)
{
	return (n + GEMM_PANEL - 1) / GEMM_PANEL * GEMM_PANEL * k;
}

void gemm_pack_b(float *bp, const float *b, int64_t b_rs, int64_t b_cs, int64_t n, int64_t k)
{
	for (int64_t j0 = 0; j0 < n; j0 += GEMM_PANEL)
		for (int64_t p = 0; p < k; p++)
			for (int64_t i = 0; i < GEMM_PANEL; i++, bp++)
				*bp = j0 + i < n ? b[p * b_rs + (j0 + i) * b_cs] : 0;
}

void gemm_f64_run(int64_t m, int64_t n, int64_t k, const double *a, int64_t a_rs,
                  int64_t a_cs, const double *b, int64_t ldb, double *c, int64_t ldc)
{
	for (int64_t i = 0; i < m; i++)
		for (int64_t j = 0; j < n; j++) {
			double s = 0;
			for (int64_t p = 0; p < k; p++)
				s += a[i * a_rs + p * a_cs] * b[p * ldb + j];
			c[i * ldc + j] += s;
		}
}

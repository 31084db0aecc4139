/* gemm_avx2.c - the float matrix product's micro-kernel (ops/math/gemm.h) for x86-64 CPUs
 * with AVX2 and FMA: 8-float vectors (up to 4 rows by 16 to 32 columns of C in
 * registers), fused multiply-adds, and masked loads and stores for the last 1 to 7
 * columns (8 rows at a time). Built on x86-64 only, for those instructions
 * (-mavx2 -mfma: libgrt-avx2.la in Makefile.am); kernels_avx2 (ops/cpu_x86.c)
 * holds it, chosen only when the CPU reports both. */
#include <string.h>
#include "ops/math/gemm.h"

#include <immintrin.h>

typedef float v8f __attribute__((vector_size(32)));

static inline v8f load8(const float *p)
{
	v8f v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void add_store8(float *p, v8f v)
{
	v += load8(p);
	memcpy(p, &v, sizeof(v));
}

/* C[rows][nv*8 columns] += A[rows][k] B[k][those columns]; rows <= 8 and nv <= 4
 * (rows * nv <= 12) constants where inlined. masked: one vector (nv = 1) of which
 * only the lanes set in mask are loaded and stored. */
static inline __attribute__((always_inline)) void
gemm_block(const int rows, const int nv, const int masked, __m256i mask, int64_t k,
           const float *a, int64_t a_rs, int64_t a_cs, const float *b, int64_t ldb,
           float *c, int64_t ldc)
{
	v8f s[8][4];

#pragma GCC unroll 8
	for (int i = 0; i < rows; i++)
#pragma GCC unroll 4
		for (int v = 0; v < nv; v++)
			s[i][v] = (v8f){ 0 };
	for (int64_t p = 0; p < k; p++, a += a_cs, b += ldb) {
		v8f bv[4];
#pragma GCC unroll 4
		for (int v = 0; v < nv; v++)
			bv[v] = masked ? (v8f)_mm256_maskload_ps(b, mask) : load8(b + 8 * v);
#pragma GCC unroll 8
		for (int i = 0; i < rows; i++) {
			float av = a[i * a_rs];
#pragma GCC unroll 4
			for (int v = 0; v < nv; v++)
				s[i][v] += av * bv[v];
		}
	}
#pragma GCC unroll 8
	for (int i = 0; i < rows; i++)
#pragma GCC unroll 4
		for (int v = 0; v < nv; v++) {
			float *cp = c + i * ldc + 8 * v;
			if (masked)
				_mm256_maskstore_ps(cp, mask,
				                    (__m256)(s[i][v] + (v8f)_mm256_maskload_ps(cp, mask)));
			else
				add_store8(cp, s[i][v]);
		}
}

/* C[rows][n] += A[rows][k] B[k][n] for n a multiple of 8 and rows <= 4 (a
 * constant where inlined): blocks of 16 (4 rows) to 32 columns while they fit,
 * then 8. */
static inline __attribute__((always_inline)) void
gemm_rows(const int rows, int64_t n, int64_t k, const float *a, int64_t a_rs, int64_t a_cs,
          const float *b, int64_t ldb, float *c, int64_t ldc)
{
	const int wide = rows == 4 ? 2 : rows == 3 ? 3 : 4;     /* vectors: 12 sums at most */
	const __m256i all = _mm256_set1_epi32(-1);
	int64_t j = 0;

	for (; j + 8 * wide <= n; j += 8 * wide)
		gemm_block(rows, wide, 0, all, k, a, a_rs, a_cs, b + j, ldb, c + j, ldc);
	for (; j < n; j += 8)
		gemm_block(rows, 1, 0, all, k, a, a_rs, a_cs, b + j, ldb, c + j, ldc);
}

/* The last 1 to 7 columns, every row: masked vectors, 8 rows at a time so that
 * the sums do not wait on each other. */
static void gemm_tail(int64_t m, int64_t cols, int64_t k, const float *a, int64_t a_rs,
                      int64_t a_cs, const float *b, int64_t ldb, float *c, int64_t ldc)
{
	const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)cols),
	                                        _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
	int64_t i = 0;

	for (; i + 8 <= m; i += 8)
		gemm_block(8, 1, 1, mask, k, a + i * a_rs, a_rs, a_cs, b, ldb, c + i * ldc, ldc);
	if (i + 4 <= m) {
		gemm_block(4, 1, 1, mask, k, a + i * a_rs, a_rs, a_cs, b, ldb, c + i * ldc, ldc);
		i += 4;
	}
	switch (m - i) {
	case 3:
		gemm_block(3, 1, 1, mask, k, a + i * a_rs, a_rs, a_cs, b, ldb, c + i * ldc, ldc);
		break;
	case 2:
		gemm_block(2, 1, 1, mask, k, a + i * a_rs, a_rs, a_cs, b, ldb, c + i * ldc, ldc);
		break;
	case 1:
		gemm_block(1, 1, 1, mask, k, a + i * a_rs, a_rs, a_cs, b, ldb, c + i * ldc, ldc);
		break;
	default:
		break;
	}
}

/* C[rows][cols] += A[rows][k] P[k][np * GEMM_PANEL] for np panels of a packed B, ps
 * floats apart, of whose columns the first cols are stored; rows * np <= 4 (8 vectors
 * of sums) constants where inlined. */
static inline __attribute__((always_inline)) void
packed_block(const int rows, const int np, int64_t k, const float *a, int64_t a_rs,
             int64_t a_cs, const float *bp, int64_t ps, int64_t cols, float *c, int64_t ldc)
{
	v8f s[4][8];

#pragma GCC unroll 4
	for (int i = 0; i < rows; i++)
#pragma GCC unroll 8
		for (int u = 0; u < 2 * np; u++)
			s[i][u] = (v8f){ 0 };
	for (int64_t p = 0; p < k; p++, a += a_cs, bp += GEMM_PANEL) {
		v8f bv[8];
#pragma GCC unroll 8
		for (int u = 0; u < 2 * np; u++)
			bv[u] = load8(bp + u / 2 * ps + 8 * (u % 2));
#pragma GCC unroll 4
		for (int i = 0; i < rows; i++) {
			float av = a[i * a_rs];
#pragma GCC unroll 8
			for (int u = 0; u < 2 * np; u++)
				s[i][u] += av * bv[u];
		}
	}
#pragma GCC unroll 4
	for (int i = 0; i < rows; i++)
#pragma GCC unroll 8
		for (int u = 0; u < 2 * np; u++) {
			float *cp = c + i * ldc + 8 * u;
			if (8 * u + 8 <= cols) {
				add_store8(cp, s[i][u]);
			} else if (8 * u < cols) {
				const __m256i mask = _mm256_cmpgt_epi32(
					_mm256_set1_epi32((int)(cols - 8 * u)),
					_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
				const v8f old = (v8f)_mm256_maskload_ps(cp, mask);
				_mm256_maskstore_ps(cp, mask, (__m256)(s[i][u] + old));
			}
		}
}

#include "ops/math/gemm_packed_rows.h"

/* gemm_packed_fn: 4 rows at a time; one row over 4 panels and two over 2, so
 * that 8 vectors of sums are in flight. */
static void gemm_packed(int64_t m, int64_t n, int64_t k, const float *a, int64_t a_rs,
                        int64_t a_cs, const float *bp, float *c, int64_t ldc)
{
	for (int64_t i = 0; i < m; i += 4, a += 4 * a_rs, c += 4 * ldc)
		switch (m - i) {
		case 1:
			packed_rows(1, 4, n, k, a, a_rs, a_cs, bp, c, ldc);
			break;
		case 2:
			packed_rows(2, 2, n, k, a, a_rs, a_cs, bp, c, ldc);
			break;
		case 3:
			packed_rows(3, 1, n, k, a, a_rs, a_cs, bp, c, ldc);
			break;
		default:
			packed_rows(4, 1, n, k, a, a_rs, a_cs, bp, c, ldc);
			break;
		}
}

#define GEMM_UKERNEL gemm_ukernel_avx2
#define GEMM_NV 8
#include "ops/math/gemm_ukernel.h"


/* gemm_neon.c - the float matrix product's micro-kernel (ops/math/gemm.h) for ARM with
 * NEON: 4-float vectors and fused multiply-adds, up to 4 rows by 16 columns of C in
 * registers on aarch64 (32 vector registers), 8 vectors of sums on 32-bit ARM (16);
 * the last 1 to 3 columns through vectors whose other lanes are zero. Built on
 * ARM only (libgrt-neon.la in Makefile.am, with -mfpu=neon-vfpv4 on 32-bit ARM);
 * kernels_neon (ops/cpu_arm.c) holds it, chosen there only when the CPU has NEON. */
#include "ops/math/gemm.h"

#include <arm_neon.h>

#ifdef __aarch64__
#define SUM_REGS 16     /* vectors of sums in flight: half the registers */
#else
#define SUM_REGS 8
#endif

static inline void add_store4(float *p, float32x4_t v)
{
	vst1q_f32(p, vaddq_f32(v, vld1q_f32(p)));
}

/* p[0..lanes) += v's first lanes (1 to 3) */
static inline void add_store_lanes(float *p, float32x4_t v, int64_t lanes)
{
	float t[4];

	vst1q_f32(t, v);
	for (int64_t j = 0; j < lanes; j++)
		p[j] += t[j];
}

/* b[0..cols) and zeros (NEON has no masked loads) */
static inline float32x4_t load_part(const float *b, int64_t cols)
{
	float t[4] = { 0, 0, 0, 0 };

	for (int64_t j = 0; j < cols; j++)
		t[j] = b[j];
	return vld1q_f32(t);
}

/* C[rows][nv*4 columns] += A[rows][k] B[k][those columns], the sums in registers:
 * rows <= 4 and nv <= 4 constants where inlined. cols (1 to 3, nv = 1): only that
 * many columns are read and stored; 0: all. */
static inline __attribute__((always_inline)) void
gemm_block(const int rows, const int nv, int64_t cols, int64_t k, const float *a,
           int64_t a_rs, int64_t a_cs, const float *b, int64_t ldb, float *c, int64_t ldc)
{
	float32x4_t s[4][4];

#pragma GCC unroll 4
	for (int i = 0; i < rows; i++)
#pragma GCC unroll 4
		for (int v = 0; v < nv; v++)
			s[i][v] = vdupq_n_f32(0.0f);
	for (int64_t p = 0; p < k; p++, a += a_cs, b += ldb) {
		float32x4_t bv[4];
#pragma GCC unroll 4
		for (int v = 0; v < nv; v++)
			bv[v] = cols ? load_part(b, cols) : vld1q_f32(b + 4 * v);
#pragma GCC unroll 4
		for (int i = 0; i < rows; i++) {
			const float32x4_t av = vdupq_n_f32(a[i * a_rs]);
#pragma GCC unroll 4
			for (int v = 0; v < nv; v++)
				s[i][v] = vfmaq_f32(s[i][v], av, bv[v]);
		}
	}
#pragma GCC unroll 4
	for (int i = 0; i < rows; i++)
#pragma GCC unroll 4
		for (int v = 0; v < nv; v++)
			if (cols)
				add_store_lanes(c + i * ldc, s[i][v], cols);
			else
				add_store4(c + i * ldc + 4 * v, s[i][v]);
}

#include "ops/math/gemm_rows4.h"

/* C[rows][cols] += A[rows][k] P[k][np * GEMM_PANEL] for np panels of a packed B, ps
 * floats apart, of whose columns the first cols are stored; rows * np * 4 <=
 * SUM_REGS, constants where inlined. */
static inline __attribute__((always_inline)) void
packed_block(const int rows, const int np, int64_t k, const float *a, int64_t a_rs,
             int64_t a_cs, const float *bp, int64_t ps, int64_t cols, float *c, int64_t ldc)
{
	float32x4_t s[4][16];

#pragma GCC unroll 4
	for (int i = 0; i < rows; i++)
#pragma GCC unroll 16
		for (int u = 0; u < 4 * np; u++)
			s[i][u] = vdupq_n_f32(0.0f);
	for (int64_t p = 0; p < k; p++, a += a_cs, bp += GEMM_PANEL) {
		float32x4_t bv[16];
#pragma GCC unroll 16
		for (int u = 0; u < 4 * np; u++)
			bv[u] = vld1q_f32(bp + u / 4 * ps + 4 * (u % 4));
#pragma GCC unroll 4
		for (int i = 0; i < rows; i++) {
			const float32x4_t av = vdupq_n_f32(a[i * a_rs]);
#pragma GCC unroll 16
			for (int u = 0; u < 4 * np; u++)
				s[i][u] = vfmaq_f32(s[i][u], av, bv[u]);
		}
	}
#pragma GCC unroll 4
	for (int i = 0; i < rows; i++)
#pragma GCC unroll 16
		for (int u = 0; u < 4 * np; u++) {
			float *cp = c + i * ldc + 4 * u;
			if (4 * u + 4 <= cols)
				add_store4(cp, s[i][u]);
			else if (4 * u < cols)
				add_store_lanes(cp, s[i][u], cols - 4 * u);
		}
}

#include "ops/math/gemm_packed_rows.h"

/* gemm_packed_fn: SUM_REGS / 4 rows at a time (a panel is 4 vectors), one row over
 * as many panels as fit. */
static void gemm_packed(int64_t m, int64_t n, int64_t k, const float *a, int64_t a_rs,
                        int64_t a_cs, const float *bp, float *c, int64_t ldc)
{
	const int rb = SUM_REGS / 4;
	int64_t i = 0;

	for (; i + rb <= m; i += rb)
		packed_rows(SUM_REGS / 4, 1, n, k, a + i * a_rs, a_rs, a_cs, bp, c + i * ldc, ldc);
	for (; i < m; i++)
		packed_rows(1, SUM_REGS / 4, n, k, a + i * a_rs, a_rs, a_cs, bp, c + i * ldc, ldc);
}

#define GEMM_UKERNEL gemm_ukernel_neon
#define GEMM_NV 4
#include "ops/math/gemm_ukernel.h"

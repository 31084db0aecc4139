/* gemm_wasm.c - the float matrix product's micro-kernel (ops/math/gemm.h) for
 * WebAssembly SIMD128: 4-float vectors, A's elements splatted straight from memory
 * (v128.load32_splat), up to 8 vectors of sums in flight (an engine maps them onto
 * the 16 vector registers of x86-64 or the 32 of arm64, with B's vectors beside
 * them); the last 1 to 3 columns through vectors whose other lanes are zero. SIMD128
 * has no fused multiply-add: each sum is a multiply then an add, so the results
 * are the portable kernel's, bit for bit. Built for wasm32 only (libgrt-simd128.la
 * in Makefile.am); kernels_wasm_simd128 (ops/cpu_wasm.c) holds it. */
#include "ops/math/gemm.h"

#include <wasm_simd128.h>

#define SUM_REGS 8      /* vectors of sums in flight */

static inline __attribute__((always_inline)) void add_store4(float *p, v128_t v)
{
	wasm_v128_store(p, wasm_f32x4_add(v, wasm_v128_load(p)));
}

/* p[0..lanes) += v's first lanes (1 to 3), straight from the register (not through
 * an array on the stack) */
static inline __attribute__((always_inline)) void
add_store_lanes(float *p, v128_t v, int64_t lanes)
{
	p[0] += wasm_f32x4_extract_lane(v, 0);
	if (lanes > 1)
		p[1] += wasm_f32x4_extract_lane(v, 1);
	if (lanes > 2)
		p[2] += wasm_f32x4_extract_lane(v, 2);
}

/* b[0..cols) (1 to 3) and zeros: SIMD128 has no masked loads, but loads of one or
 * two lanes that zero the rest */
static inline __attribute__((always_inline)) v128_t load_part(const float *b, int64_t cols)
{
	if (cols == 1)
		return wasm_v128_load32_zero(b);
	if (cols == 2)
		return wasm_v128_load64_zero(b);
	return wasm_v128_load32_lane(b + 2, wasm_v128_load64_zero(b), 2);
}

/* C[rows][nv*4 columns] += A[rows][k] B[k][those columns], the sums in registers:
 * rows <= 4 and nv <= 4 constants where inlined. cols (1 to 3, nv = 1): only that
 * many columns are read and stored; 0: all. */
static inline __attribute__((always_inline)) void
gemm_block(const int rows, const int nv, int64_t cols, int64_t k, const float *a,
           int64_t a_rs, int64_t a_cs, const float *b, int64_t ldb, float *c, int64_t ldc)
{
	v128_t s[4][4];

#pragma clang loop unroll(full)
	for (int i = 0; i < rows; i++)
#pragma clang loop unroll(full)
		for (int v = 0; v < nv; v++)
			s[i][v] = wasm_f32x4_splat(0.0f);
	for (int64_t p = 0; p < k; p++, a += a_cs, b += ldb) {
		v128_t bv[4];
#pragma clang loop unroll(full)
		for (int v = 0; v < nv; v++)
			bv[v] = cols ? load_part(b, cols) : wasm_v128_load(b + 4 * v);
#pragma clang loop unroll(full)
		for (int i = 0; i < rows; i++) {
			const v128_t av = wasm_v128_load32_splat(a + i * a_rs);
#pragma clang loop unroll(full)
			for (int v = 0; v < nv; v++)
				s[i][v] = wasm_f32x4_add(s[i][v], wasm_f32x4_mul(av, bv[v]));
		}
	}
#pragma clang loop unroll(full)
	for (int i = 0; i < rows; i++)
#pragma clang loop unroll(full)
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
	v128_t s[2][8];

#pragma clang loop unroll(full)
	for (int i = 0; i < rows; i++)
#pragma clang loop unroll(full)
		for (int u = 0; u < 4 * np; u++)
			s[i][u] = wasm_f32x4_splat(0.0f);
	for (int64_t p = 0; p < k; p++, a += a_cs, bp += GEMM_PANEL) {
		v128_t bv[8];
#pragma clang loop unroll(full)
		for (int u = 0; u < 4 * np; u++)
			bv[u] = wasm_v128_load(bp + u / 4 * ps + 4 * (u % 4));
#pragma clang loop unroll(full)
		for (int i = 0; i < rows; i++) {
			const v128_t av = wasm_v128_load32_splat(a + i * a_rs);
#pragma clang loop unroll(full)
			for (int u = 0; u < 4 * np; u++)
				s[i][u] = wasm_f32x4_add(s[i][u], wasm_f32x4_mul(av, bv[u]));
		}
	}
#pragma clang loop unroll(full)
	for (int i = 0; i < rows; i++)
#pragma clang loop unroll(full)
		for (int u = 0; u < 4 * np; u++) {
			float *cp = c + i * ldc + 4 * u;
			if (4 * u + 4 <= cols)
				add_store4(cp, s[i][u]);
			else if (4 * u < cols)
				add_store_lanes(cp, s[i][u], cols - 4 * u);
		}
}

#include "ops/math/gemm_packed_rows.h"

/* gemm_packed_fn: rows two at a time over one panel, one row over two. */
static void gemm_packed(int64_t m, int64_t n, int64_t k, const float *a, int64_t a_rs,
                        int64_t a_cs, const float *bp, float *c, int64_t ldc)
{
	int64_t i = 0;

	for (; i + 2 <= m; i += 2)
		packed_rows(2, 1, n, k, a + i * a_rs, a_rs, a_cs, bp, c + i * ldc, ldc);
	if (i < m)
		packed_rows(1, 2, n, k, a + i * a_rs, a_rs, a_cs, bp, c + i * ldc, ldc);
}

#define GEMM_UKERNEL gemm_ukernel_wasm
#define GEMM_NV 4
#include "ops/math/gemm_ukernel.h"

/* conv_wasm.c - the plane kernels of ops/nn/conv.h for WebAssembly SIMD128: 16 outputs
 * (four 4-float vectors) of one channel, 8 of four channels or 16 of two in
 * registers while the taps run, the input vectors shared where the channels read
 * the same plane; then single vectors, the last 1 to 3 as an overlapping vector; the
 * fused PRelu on the way out; the stride-2 phase copies as shuffles. SIMD128 has no
 * fused multiply-add: the sums are the portable kernel's, bit for bit. Built for
 * wasm32 only (libgrt-simd128.la in Makefile.am); kernels_wasm_simd128
 * (ops/cpu_wasm.c) holds them. */
#include "ops/nn/conv.h"

#include <stddef.h>
#include <wasm_simd128.h>

#define INLINE static inline __attribute__((always_inline))

/* s + w * x, the portable kernel's multiply then add */
INLINE v128_t madd(v128_t s, v128_t w, v128_t x)
{
	return wasm_f32x4_add(s, wasm_f32x4_mul(w, x));
}

/* the fused PRelu of ops/nn/conv.h on s: a * s where s < 0 (the same product and
 * selection as op_epilogue's) */
INLINE v128_t prelu4(v128_t s, v128_t a)
{
	return wasm_v128_bitselect(wasm_f32x4_mul(a, s), s,
	                           wasm_f32x4_lt(s, wasm_f32x4_splat(0.0f)));
}

/* bias + sum_q w[q] * x[off[q] .. off[q] + 4) */
INLINE v128_t plane4v(v128_t s, const float *x, const int64_t *off, const float *w, int64_t nq)
{
	for (int64_t q = 0; q < nq; q++)
		s = madd(s, wasm_v128_load32_splat(w + q), wasm_v128_load(x + off[q]));
	return s;
}

/* act (a constant where inlined): each vector through prelu4(., a) before its store */
INLINE void plane_run(const int act, float *y, int64_t n, const float *x, const int64_t *off,
                      const float *w, int64_t nq, float bias, v128_t a)
{
	const v128_t b = wasm_f32x4_splat(bias);
	int64_t o = 0;

	for (; o + 16 <= n; o += 16) {
		v128_t s0 = b, s1 = b, s2 = b, s3 = b;
		for (int64_t q = 0; q < nq; q++) {
			const v128_t wv = wasm_v128_load32_splat(w + q);
			const float *xp = x + o + off[q];
			s0 = madd(s0, wv, wasm_v128_load(xp));
			s1 = madd(s1, wv, wasm_v128_load(xp + 4));
			s2 = madd(s2, wv, wasm_v128_load(xp + 8));
			s3 = madd(s3, wv, wasm_v128_load(xp + 12));
		}
		if (act) {
			s0 = prelu4(s0, a);
			s1 = prelu4(s1, a);
			s2 = prelu4(s2, a);
			s3 = prelu4(s3, a);
		}
		wasm_v128_store(y + o, s0);
		wasm_v128_store(y + o + 4, s1);
		wasm_v128_store(y + o + 8, s2);
		wasm_v128_store(y + o + 12, s3);
	}
	for (; o + 4 <= n; o += 4) {
		const v128_t s = plane4v(b, x + o, off, w, nq);
		wasm_v128_store(y + o, act ? prelu4(s, a) : s);
	}
	if (o < n && n >= 4) {
		/* the last 1 to 3 as the 4 outputs that end at n, computed again (they are
		 * written, not accumulated) */
		const v128_t s = plane4v(b, x + n - 4, off, w, nq);
		wasm_v128_store(y + n - 4, act ? prelu4(s, a) : s);
		o = n;
	}
	for (; o < n; o++) {
		/* n < 4: one lane at a time, the other lanes neither read nor written */
		float s = bias;
		for (int64_t q = 0; q < nq; q++)
			s += w[q] * x[o + off[q]];
		y[o] = act && s < 0 ? wasm_f32x4_extract_lane(a, 0) * s : s;
	}
}

void conv_plane_f32_wasm(float *y, int64_t n, const float *x, const int64_t *off,
                         const float *w, int64_t nq, float bias, const float *slope)
{
	if (slope)
		plane_run(1, y, n, x, off, w, nq, bias, wasm_f32x4_splat(slope[0]));
	else
		plane_run(0, y, n, x, off, w, nq, bias, wasm_f32x4_splat(0.0f));
}

/* 4 * nv outputs from o (nv = 1 or 2) of 4 channels; xs = 0 (shared): one input
 * vector feeds the 4 channels; act: through prelu4 with slope[j]; nv, shared and act
 * constants where inlined */
INLINE void plane4_vecs(const int nv, const int shared, const int act, float *y, int64_t ys,
                        int64_t o, const float *x, int64_t xs, const int64_t *off,
                        const float *w, int64_t nq, const float *bias, const float *slope)
{
	v128_t s[4][2];

#pragma clang loop unroll(full)
	for (int j = 0; j < 4; j++)
		s[j][0] = s[j][1] = wasm_v128_load32_splat(bias + j);
	for (int64_t q = 0; q < nq; q++) {
		const float *xp = x + o + off[q];
		v128_t x0 = wasm_v128_load(xp), x1 = nv > 1 ? wasm_v128_load(xp + 4) : x0;
#pragma clang loop unroll(full)
		for (int j = 0; j < 4; j++) {
			const v128_t wv = wasm_v128_load32_splat(w + j * nq + q);
			if (!shared && j) {
				x0 = wasm_v128_load(xp + j * xs);
				if (nv > 1)
					x1 = wasm_v128_load(xp + j * xs + 4);
			}
			s[j][0] = madd(s[j][0], wv, x0);
			if (nv > 1)
				s[j][1] = madd(s[j][1], wv, x1);
		}
	}
#pragma clang loop unroll(full)
	for (int j = 0; j < 4; j++) {
		if (act) {
			const v128_t sv = wasm_v128_load32_splat(slope + j);
			s[j][0] = prelu4(s[j][0], sv);
			s[j][1] = prelu4(s[j][1], sv);
		}
		wasm_v128_store(y + j * ys + o, s[j][0]);
		if (nv > 1)
			wasm_v128_store(y + j * ys + o + 4, s[j][1]);
	}
}

/* 8 outputs from o of 4 channels: 2 loads of x (xs = 0) and 4 of weights feed 8
 * multiply-adds */
INLINE void plane4_block(const int shared, const int act, float *y, int64_t ys, int64_t o,
                         const float *x, int64_t xs, const int64_t *off, const float *w,
                         int64_t nq, const float *bias, const float *slope)
{
	plane4_vecs(2, shared, act, y, ys, o, x, xs, off, w, nq, bias, slope);
}

/* 16 outputs from o of 2 channels sharing x: 4 loads of x and 2 of weights feed 8
 * multiply-adds; act as in plane4_block */
INLINE void plane2_block(const int act, float *y, int64_t ys, int64_t o, const float *x,
                         const int64_t *off, const float *w, int64_t nq, const float *bias,
                         const float *slope)
{
	v128_t s[2][4];

#pragma clang loop unroll(full)
	for (int j = 0; j < 2; j++)
		s[j][0] = s[j][1] = s[j][2] = s[j][3] = wasm_v128_load32_splat(bias + j);
	for (int64_t q = 0; q < nq; q++) {
		const float *xp = x + o + off[q];
		v128_t xv[4];
#pragma clang loop unroll(full)
		for (int v = 0; v < 4; v++)
			xv[v] = wasm_v128_load(xp + 4 * v);
#pragma clang loop unroll(full)
		for (int j = 0; j < 2; j++) {
			const v128_t wv = wasm_v128_load32_splat(w + j * nq + q);
#pragma clang loop unroll(full)
			for (int v = 0; v < 4; v++)
				s[j][v] = madd(s[j][v], wv, xv[v]);
		}
	}
#pragma clang loop unroll(full)
	for (int j = 0; j < 2; j++)
#pragma clang loop unroll(full)
		for (int v = 0; v < 4; v++)
			wasm_v128_store(y + j * ys + o + 4 * v,
			                act ? prelu4(s[j][v], wasm_v128_load32_splat(slope + j))
			                    : s[j][v]);
}

#include "ops/nn/conv_planes.h"

void conv_plane4_f32_wasm(float *y, int64_t ys, int64_t n, const float *x, int64_t xs,
                          const int64_t *off, const float *w, int64_t nq, const float *bias,
                          const float *slope)
{
	/* n = 8i + 1 to 4 (33, 65 in GTCRN): the last 4 as one vector per channel, not as
	 * the 8 that end at n (computed again, so written with the same values) */
	const int64_t r = n > 8 && n % 8 <= 4 ? n % 8 : 0;

	plane4_run(8, conv_plane_f32_wasm, y, ys, n - r, x, xs, off, w, nq, bias, slope);
	if (r && xs && slope)
		plane4_vecs(1, 0, 1, y, ys, n - 4, x, xs, off, w, nq, bias, slope);
	else if (r && xs)
		plane4_vecs(1, 0, 0, y, ys, n - 4, x, xs, off, w, nq, bias, slope);
	else if (r && slope)
		plane4_vecs(1, 1, 1, y, ys, n - 4, x, 0, off, w, nq, bias, slope);
	else if (r)
		plane4_vecs(1, 1, 0, y, ys, n - 4, x, 0, off, w, nq, bias, slope);
}

void conv_plane2_f32_wasm(float *y, int64_t ys, int64_t n, const float *x,
                          const int64_t *off, const float *w, int64_t nq, const float *bias,
                          const float *slope)
{
	plane2_run(16, conv_plane_f32_wasm, y, ys, n, x, off, w, nq, bias, slope);
}

void conv_deint2_f32_wasm(float *e, float *o, const float *x, int64_t n)
{
	int64_t i = 0;

	for (; i + 4 <= n; i += 4) {
		const v128_t v0 = wasm_v128_load(x + 2 * i), v1 = wasm_v128_load(x + 2 * i + 4);
		wasm_v128_store(e + i, wasm_i32x4_shuffle(v0, v1, 0, 2, 4, 6));
		wasm_v128_store(o + i, wasm_i32x4_shuffle(v0, v1, 1, 3, 5, 7));
	}
	conv_deint2_f32_portable(e + i, o + i, x + 2 * i, n - i);
}

void conv_int2_f32_wasm(float *y, const float *e, const float *o, int64_t n)
{
	int64_t i = 0;

	for (; 2 * i + 8 <= n; i += 4) {
		const v128_t ev = wasm_v128_load(e + i), od = wasm_v128_load(o + i);
		wasm_v128_store(y + 2 * i, wasm_i32x4_shuffle(ev, od, 0, 4, 1, 5));
		wasm_v128_store(y + 2 * i + 4, wasm_i32x4_shuffle(ev, od, 2, 6, 3, 7));
	}
	conv_int2_f32_portable(y + 2 * i, e + i, o + i, n - 2 * i);
}

/* conv_avx2.c - the plane kernel of ops/nn/conv.h for x86-64 CPUs with AVX2 and FMA: 32
 * outputs (four 8-float vectors) in registers while the taps run, then single vectors,
 * the last 1 to 7 as an overlapping vector (masked only below 8 outputs: masked loads
 * are slow on some CPUs); the fused PRelu on the way out; the stride-2 phase copies as
 * shuffles. Built on x86-64 only, for those instructions (-mavx2 -mfma:
 * libgrt-avx2.la in Makefile.am); kernels_avx2 (ops/cpu_x86.c) holds them, chosen
 * only when the CPU reports both. */
#include "ops/nn/conv.h"

#include <immintrin.h>

/* the fused PRelu of ops/nn/conv.h on s: a * s where s < 0 (the same product and
 * selection as op_epilogue's) */
static inline __m256 prelu8(__m256 s, __m256 a)
{
	return _mm256_blendv_ps(s, _mm256_mul_ps(a, s), _mm256_cmp_ps(s, _mm256_setzero_ps(),
	                                                               _CMP_LT_OQ));
}

/* bias + sum_q w[q] * x[off[q] .. off[q] + 8) */
static inline __m256 plane8(__m256 s, const float *x, const int64_t *off, const float *w,
                            int64_t nq)
{
	for (int64_t q = 0; q < nq; q++)
		s = _mm256_fmadd_ps(_mm256_broadcast_ss(w + q), _mm256_loadu_ps(x + off[q]), s);
	return s;
}

/* act (a constant where inlined): each vector through prelu8(., a) before its store */
static inline __attribute__((always_inline)) void
plane_run(const int act, float *y, int64_t n, const float *x, const int64_t *off,
          const float *w, int64_t nq, float bias, __m256 a)
{
	const __m256 b = _mm256_set1_ps(bias);
	int64_t o = 0;

	for (; o + 32 <= n; o += 32) {
		__m256 s0 = b, s1 = b, s2 = b, s3 = b;
		for (int64_t q = 0; q < nq; q++) {
			const __m256 wv = _mm256_broadcast_ss(w + q);
			const float *xp = x + o + off[q];
			s0 = _mm256_fmadd_ps(wv, _mm256_loadu_ps(xp), s0);
			s1 = _mm256_fmadd_ps(wv, _mm256_loadu_ps(xp + 8), s1);
			s2 = _mm256_fmadd_ps(wv, _mm256_loadu_ps(xp + 16), s2);
			s3 = _mm256_fmadd_ps(wv, _mm256_loadu_ps(xp + 24), s3);
		}
		if (act) {
			s0 = prelu8(s0, a);
			s1 = prelu8(s1, a);
			s2 = prelu8(s2, a);
			s3 = prelu8(s3, a);
		}
		_mm256_storeu_ps(y + o, s0);
		_mm256_storeu_ps(y + o + 8, s1);
		_mm256_storeu_ps(y + o + 16, s2);
		_mm256_storeu_ps(y + o + 24, s3);
	}
	for (; o + 8 <= n; o += 8) {
		const __m256 s = plane8(b, x + o, off, w, nq);
		_mm256_storeu_ps(y + o, act ? prelu8(s, a) : s);
	}
	if (o < n && n >= 8) {
		/* the last 1 to 7 as the 8 outputs that end at n, computed again (they are
		 * written, not accumulated): no masked loads, which are slow on some CPUs */
		const __m256 s = plane8(b, x + n - 8, off, w, nq);
		_mm256_storeu_ps(y + n - 8, act ? prelu8(s, a) : s);
		o = n;
	}
	if (o < n) {
		/* lanes [0, n - o): the others are neither read nor written */
		const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n - o)),
		                                        _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
		__m256 s = b;
		for (int64_t q = 0; q < nq; q++)
			s = _mm256_fmadd_ps(_mm256_broadcast_ss(w + q),
			                    _mm256_maskload_ps(x + o + off[q], mask), s);
		_mm256_maskstore_ps(y + o, mask, act ? prelu8(s, a) : s);
	}
}

void conv_plane_f32_avx2(float *y, int64_t n, const float *x, const int64_t *off,
                         const float *w, int64_t nq, float bias, const float *slope)
{
	if (slope)
		plane_run(1, y, n, x, off, w, nq, bias, _mm256_set1_ps(slope[0]));
	else
		plane_run(0, y, n, x, off, w, nq, bias, _mm256_setzero_ps());
}

/* 16 outputs from o of 4 channels; xs = 0 (a constant where inlined): 2 loads of x and
 * 4 of weights feed 8 FMAs; act (a constant too): through prelu8 with slope[j] */
static inline __attribute__((always_inline)) void
plane4_block(const int shared, const int act, float *y, int64_t ys, int64_t o,
             const float *x, int64_t xs, const int64_t *off, const float *w, int64_t nq,
             const float *bias, const float *slope)
{
	/* named accumulators: GCC keeps an array of them in memory */
	__m256 a0 = _mm256_set1_ps(bias[0]), a1 = a0, b0 = _mm256_set1_ps(bias[1]), b1 = b0;
	__m256 c0 = _mm256_set1_ps(bias[2]), c1 = c0, d0 = _mm256_set1_ps(bias[3]), d1 = d0;

	for (int64_t q = 0; q < nq; q++) {
		const float *xp = x + o + off[q];
		__m256 x0 = _mm256_loadu_ps(xp), x1 = _mm256_loadu_ps(xp + 8);
		__m256 wv = _mm256_broadcast_ss(w + q);
		a0 = _mm256_fmadd_ps(wv, x0, a0);
		a1 = _mm256_fmadd_ps(wv, x1, a1);
		if (!shared) {
			x0 = _mm256_loadu_ps(xp + xs);
			x1 = _mm256_loadu_ps(xp + xs + 8);
		}
		wv = _mm256_broadcast_ss(w + nq + q);
		b0 = _mm256_fmadd_ps(wv, x0, b0);
		b1 = _mm256_fmadd_ps(wv, x1, b1);
		if (!shared) {
			x0 = _mm256_loadu_ps(xp + 2 * xs);
			x1 = _mm256_loadu_ps(xp + 2 * xs + 8);
		}
		wv = _mm256_broadcast_ss(w + 2 * nq + q);
		c0 = _mm256_fmadd_ps(wv, x0, c0);
		c1 = _mm256_fmadd_ps(wv, x1, c1);
		if (!shared) {
			x0 = _mm256_loadu_ps(xp + 3 * xs);
			x1 = _mm256_loadu_ps(xp + 3 * xs + 8);
		}
		wv = _mm256_broadcast_ss(w + 3 * nq + q);
		d0 = _mm256_fmadd_ps(wv, x0, d0);
		d1 = _mm256_fmadd_ps(wv, x1, d1);
	}
	if (act) {
		__m256 sv = _mm256_broadcast_ss(slope);
		a0 = prelu8(a0, sv);
		a1 = prelu8(a1, sv);
		sv = _mm256_broadcast_ss(slope + 1);
		b0 = prelu8(b0, sv);
		b1 = prelu8(b1, sv);
		sv = _mm256_broadcast_ss(slope + 2);
		c0 = prelu8(c0, sv);
		c1 = prelu8(c1, sv);
		sv = _mm256_broadcast_ss(slope + 3);
		d0 = prelu8(d0, sv);
		d1 = prelu8(d1, sv);
	}
	_mm256_storeu_ps(y + o, a0);
	_mm256_storeu_ps(y + o + 8, a1);
	_mm256_storeu_ps(y + ys + o, b0);
	_mm256_storeu_ps(y + ys + o + 8, b1);
	_mm256_storeu_ps(y + 2 * ys + o, c0);
	_mm256_storeu_ps(y + 2 * ys + o + 8, c1);
	_mm256_storeu_ps(y + 3 * ys + o, d0);
	_mm256_storeu_ps(y + 3 * ys + o + 8, d1);
}


/* 32 outputs from o of 2 channels sharing x: 4 loads of x and 2 of weights feed 8
 * FMAs; act as in plane4_block */
static inline __attribute__((always_inline)) void
plane2_block(const int act, float *y, int64_t ys, int64_t o, const float *x,
             const int64_t *off, const float *w, int64_t nq, const float *bias,
             const float *slope)
{
	__m256 a0 = _mm256_set1_ps(bias[0]), a1 = a0, a2 = a0, a3 = a0;
	__m256 b0 = _mm256_set1_ps(bias[1]), b1 = b0, b2 = b0, b3 = b0;

	for (int64_t q = 0; q < nq; q++) {
		const float *xp = x + o + off[q];
		const __m256 x0 = _mm256_loadu_ps(xp), x1 = _mm256_loadu_ps(xp + 8);
		const __m256 x2 = _mm256_loadu_ps(xp + 16), x3 = _mm256_loadu_ps(xp + 24);
		__m256 wv = _mm256_broadcast_ss(w + q);
		a0 = _mm256_fmadd_ps(wv, x0, a0);
		a1 = _mm256_fmadd_ps(wv, x1, a1);
		a2 = _mm256_fmadd_ps(wv, x2, a2);
		a3 = _mm256_fmadd_ps(wv, x3, a3);
		wv = _mm256_broadcast_ss(w + nq + q);
		b0 = _mm256_fmadd_ps(wv, x0, b0);
		b1 = _mm256_fmadd_ps(wv, x1, b1);
		b2 = _mm256_fmadd_ps(wv, x2, b2);
		b3 = _mm256_fmadd_ps(wv, x3, b3);
	}
	if (act) {
		__m256 sv = _mm256_broadcast_ss(slope);
		a0 = prelu8(a0, sv);
		a1 = prelu8(a1, sv);
		a2 = prelu8(a2, sv);
		a3 = prelu8(a3, sv);
		sv = _mm256_broadcast_ss(slope + 1);
		b0 = prelu8(b0, sv);
		b1 = prelu8(b1, sv);
		b2 = prelu8(b2, sv);
		b3 = prelu8(b3, sv);
	}
	_mm256_storeu_ps(y + o, a0);
	_mm256_storeu_ps(y + o + 8, a1);
	_mm256_storeu_ps(y + o + 16, a2);
	_mm256_storeu_ps(y + o + 24, a3);
	_mm256_storeu_ps(y + ys + o, b0);
	_mm256_storeu_ps(y + ys + o + 8, b1);
	_mm256_storeu_ps(y + ys + o + 16, b2);
	_mm256_storeu_ps(y + ys + o + 24, b3);
}

#include "ops/nn/conv_planes.h"

void conv_plane4_f32_avx2(float *y, int64_t ys, int64_t n, const float *x, int64_t xs,
                          const int64_t *off, const float *w, int64_t nq, const float *bias,
                          const float *slope)
{
	plane4_run(16, conv_plane_f32_avx2, y, ys, n, x, xs, off, w, nq, bias, slope);
}

void conv_plane2_f32_avx2(float *y, int64_t ys, int64_t n, const float *x,
                          const int64_t *off, const float *w, int64_t nq, const float *bias,
                          const float *slope)
{
	plane2_run(32, conv_plane_f32_avx2, y, ys, n, x, off, w, nq, bias, slope);
}

void conv_deint2_f32_avx2(float *e, float *o, const float *x, int64_t n)
{
	int64_t i = 0;

	for (; i + 8 <= n; i += 8) {
		const __m256 v0 = _mm256_loadu_ps(x + 2 * i), v1 = _mm256_loadu_ps(x + 2 * i + 8);
		/* per 128-bit lane: x0 x2 x8 x10 | x4 x6 x12 x14, then the 64-bit pairs in
		 * order */
		const __m256 ev = _mm256_shuffle_ps(v0, v1, 0x88), od = _mm256_shuffle_ps(v0, v1, 0xdd);
		_mm256_storeu_ps(e + i, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(ev), 0xd8)));
		_mm256_storeu_ps(o + i, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(od), 0xd8)));
	}
	for (; i < n; i++) {
		e[i] = x[2 * i];
		o[i] = x[2 * i + 1];
	}
}

void conv_int2_f32_avx2(float *y, const float *e, const float *o, int64_t n)
{
	int64_t i = 0;

	for (; 2 * i + 16 <= n; i += 8) {
		const __m256 ev = _mm256_loadu_ps(e + i), od = _mm256_loadu_ps(o + i);
		/* per 128-bit lane: e0 o0 e1 o1 | e4 o4 e5 o5 and e2 o2 e3 o3 | e6 o6 e7 o7 */
		const __m256 lo = _mm256_unpacklo_ps(ev, od), hi = _mm256_unpackhi_ps(ev, od);
		_mm256_storeu_ps(y + 2 * i, _mm256_permute2f128_ps(lo, hi, 0x20));
		_mm256_storeu_ps(y + 2 * i + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
	}
	conv_int2_f32_portable(y + 2 * i, e + i, o + i, n - 2 * i);
}


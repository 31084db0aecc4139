/* conv_avx2.c - the plane kernel of ops/conv.h for x86-64 CPUs with AVX2 and FMA: 32
 * outputs (four 8-float vectors) in registers while the taps run, then single vectors,
 * the last 1 to 7 as an overlapping vector (masked only below 8 outputs: masked loads
 * are slow on some CPUs). Only this file is compiled for those instructions (target
 * pragma); Conv's prepare calls it only when the CPU reports both. */
#include "ops/conv.h"

#if defined(__x86_64__) && defined(__GNUC__)

#include <immintrin.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

/* bias + sum_q w[q] * x[off[q] .. off[q] + 8) */
static inline __m256 plane8(__m256 s, const float *x, const int64_t *off, const float *w,
                            int64_t nq)
{
	for (int64_t q = 0; q < nq; q++)
		s = _mm256_fmadd_ps(_mm256_broadcast_ss(w + q), _mm256_loadu_ps(x + off[q]), s);
	return s;
}

void conv_plane_f32_avx2(float *y, int64_t n, const float *x, const int64_t *off,
                         const float *w, int64_t nq, float bias)
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
		_mm256_storeu_ps(y + o, s0);
		_mm256_storeu_ps(y + o + 8, s1);
		_mm256_storeu_ps(y + o + 16, s2);
		_mm256_storeu_ps(y + o + 24, s3);
	}
	for (; o + 8 <= n; o += 8)
		_mm256_storeu_ps(y + o, plane8(b, x + o, off, w, nq));
	if (o < n && n >= 8) {
		/* the last 1 to 7 as the 8 outputs that end at n, computed again (they are
		 * written, not accumulated): no masked loads, which are slow on some CPUs */
		_mm256_storeu_ps(y + n - 8, plane8(b, x + n - 8, off, w, nq));
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
		_mm256_maskstore_ps(y + o, mask, s);
	}
}

/* 16 outputs from o of 4 channels; xs = 0 (a constant where inlined): 2 loads of x and
 * 4 of weights feed 8 FMAs */
static inline __attribute__((always_inline)) void
plane4_block(const int shared, float *y, int64_t ys, int64_t o, const float *x, int64_t xs,
             const int64_t *off, const float *w, int64_t nq, const float *bias)
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
	_mm256_storeu_ps(y + o, a0);
	_mm256_storeu_ps(y + o + 8, a1);
	_mm256_storeu_ps(y + ys + o, b0);
	_mm256_storeu_ps(y + ys + o + 8, b1);
	_mm256_storeu_ps(y + 2 * ys + o, c0);
	_mm256_storeu_ps(y + 2 * ys + o + 8, c1);
	_mm256_storeu_ps(y + 3 * ys + o, d0);
	_mm256_storeu_ps(y + 3 * ys + o + 8, d1);
}

void conv_plane4_f32_avx2(float *y, int64_t ys, int64_t n, const float *x, int64_t xs,
                          const int64_t *off, const float *w, int64_t nq, const float *bias)
{
	int64_t o = 0;

	/* the last 1 to 15 as the 16 that end at n, computed again */
	for (; o < n && n >= 16; o += 16) {
		o = o + 16 > n ? n - 16 : o;
		if (xs)
			plane4_block(0, y, ys, o, x, xs, off, w, nq, bias);
		else
			plane4_block(1, y, ys, o, x, 0, off, w, nq, bias);
	}
	if (o < n)   /* n < 16 */
		for (int j = 0; j < 4; j++)
			conv_plane_f32_avx2(y + j * ys + o, n - o, x + j * xs + o, off, w + j * nq,
			                    nq, bias[j]);
}

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

int conv_avx2_ok(void)
{
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

#else

void conv_plane_f32_avx2(float *y, int64_t n, const float *x, const int64_t *off,
                         const float *w, int64_t nq, float bias)
{
	conv_plane_f32_portable(y, n, x, off, w, nq, bias);
}

void conv_plane4_f32_avx2(float *y, int64_t ys, int64_t n, const float *x, int64_t xs,
                          const int64_t *off, const float *w, int64_t nq, const float *bias)
{
	conv_plane4_f32_portable(y, ys, n, x, xs, off, w, nq, bias);
}

int conv_avx2_ok(void)
{
	return 0;
}

#endif

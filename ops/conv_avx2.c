/* conv_avx2.c - the plane kernel of ops/conv.h for x86-64 CPUs with AVX2 and FMA: 32
 * outputs (four 8-float vectors) in registers while the taps run, then single vectors,
 * then one masked vector for the last 1 to 7. Only this file is compiled for those
 * instructions (target pragma); Conv's prepare calls it only when the CPU reports both. */
#include "ops/conv.h"

#if defined(__x86_64__) && defined(__GNUC__)

#include <immintrin.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

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
	for (; o + 8 <= n; o += 8) {
		__m256 s = b;
		for (int64_t q = 0; q < nq; q++)
			s = _mm256_fmadd_ps(_mm256_broadcast_ss(w + q),
			                    _mm256_loadu_ps(x + o + off[q]), s);
		_mm256_storeu_ps(y + o, s);
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

void conv_plane4_f32_avx2(float *y, int64_t ys, int64_t n, const float *x,
                          const int64_t *off, const float *w, int64_t nq, const float *bias)
{
	int64_t o = 0;

	/* 16 outputs of 4 channels: 2 loads of x and 4 of weights feed 8 FMAs */
	for (; o + 16 <= n; o += 16) {
		__m256 s[4][2];
		for (int j = 0; j < 4; j++)
			s[j][0] = s[j][1] = _mm256_set1_ps(bias[j]);
		for (int64_t q = 0; q < nq; q++) {
			const float *xp = x + o + off[q];
			const __m256 x0 = _mm256_loadu_ps(xp), x1 = _mm256_loadu_ps(xp + 8);
#pragma GCC unroll 4
			for (int j = 0; j < 4; j++) {
				const __m256 wv = _mm256_broadcast_ss(w + j * nq + q);
				s[j][0] = _mm256_fmadd_ps(wv, x0, s[j][0]);
				s[j][1] = _mm256_fmadd_ps(wv, x1, s[j][1]);
			}
		}
		for (int j = 0; j < 4; j++) {
			_mm256_storeu_ps(y + j * ys + o, s[j][0]);
			_mm256_storeu_ps(y + j * ys + o + 8, s[j][1]);
		}
	}
	if (o < n)
		for (int j = 0; j < 4; j++)
			conv_plane_f32_avx2(y + j * ys + o, n - o, x + o, off, w + j * nq, nq, bias[j]);
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

void conv_plane4_f32_avx2(float *y, int64_t ys, int64_t n, const float *x,
                          const int64_t *off, const float *w, int64_t nq, const float *bias)
{
	conv_plane4_f32_portable(y, ys, n, x, off, w, nq, bias);
}

int conv_avx2_ok(void)
{
	return 0;
}

#endif

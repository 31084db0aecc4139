/* winograd_avx2.c - the Winograd kernels of ops/nn/winograd.h for x86-64 CPUs with AVX2
 * and FMA (ops/nn/winograd_kernel.h compiled for them), with the rows of groups inside
 * the plane copied by in-lane 4x4 transposes: 8 tiles' 4-float rows in four vectors
 * become four vectors of one element of each tile, in wino_slot order, and back. Built
 * on x86-64 only (-mavx2 -mfma: libgrt-avx2.la in Makefile.am); kernels_avx2
 * (ops/cpu_x86.c) holds them, chosen only when the CPU reports both. */
#include <string.h>
#include "ops/nn/winograd.h"

#include <immintrin.h>

/* a, b, c, d: two tiles each (lanes); their elements 0..3 become o[0..3] */
static inline void tr4(__m256 a, __m256 b, __m256 c, __m256 d, __m256 o[4])
{
	const __m256 t0 = _mm256_unpacklo_ps(a, b), t1 = _mm256_unpackhi_ps(a, b);
	const __m256 t2 = _mm256_unpacklo_ps(c, d), t3 = _mm256_unpackhi_ps(c, d);

	o[0] = _mm256_shuffle_ps(t0, t2, 0x44);
	o[1] = _mm256_shuffle_ps(t0, t2, 0xee);
	o[2] = _mm256_shuffle_ps(t1, t3, 0x44);
	o[3] = _mm256_shuffle_ps(t1, t3, 0xee);
}

typedef float v8f __attribute__((vector_size(32)));

/* d[j] = lane 4 k + j of the loads l at r, r + 8, r + 16, r + 24 and at r + 2, r + 10,
 * r + 18, r + 26 */
static inline void row_in(const __m256 l[8], v8f d[6])
{
	__m256 o[4], e[4];

	tr4(l[0], l[1], l[2], l[3], o);
	tr4(l[4], l[5], l[6], l[7], e);
#pragma GCC unroll 4
	for (int j = 0; j < 4; j++)
		d[j] = (v8f)o[j];
	d[4] = (v8f)e[2];
	d[5] = (v8f)e[3];
}

/* d[j] = r[4 k + j], j < 6, for the 8 tiles k of a group (r[0 .. 34) read) */
static inline void wino_row_in(const float *r, v8f d[6])
{
	__m256 l[8];

#pragma GCC unroll 8
	for (int i = 0; i < 8; i++)
		l[i] = _mm256_loadu_ps(r + (i & 3) * 8 + (i >> 2) * 2);
	row_in(l, d);
}

/* the same from r = x + at, only positions lo <= 4 k + j < hi, else 0; x holds n
 * floats. Whole loads masked by AND where r[0 .. 34) lies in x, else a zero-padded
 * copy of the positions (only at the first and last rows of a plane) */
static inline void wino_row_in_part(const float *x, int64_t n, int64_t at, int64_t lo,
                                    int64_t hi, v8f d[6])
{
	const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
	const __m256i vlo = _mm256_set1_epi32((int)lo - 1), vhi = _mm256_set1_epi32((int)hi);
	float tmp[40];
	__m256 l[8];

	if (at < 0 || at + 34 > n) {
		memset(tmp, 0, sizeof(tmp));
		for (int64_t p = lo; p < hi; p++)
			tmp[p] = x[at + p];
		wino_row_in(tmp, d);
		return;
	}
#pragma GCC unroll 8
	for (int i = 0; i < 8; i++) {
		const int o = (i & 3) * 8 + (i >> 2) * 2;
		const __m256i pos = _mm256_add_epi32(idx, _mm256_set1_epi32(o));
		const __m256i m = _mm256_and_si256(_mm256_cmpgt_epi32(pos, vlo),
		                                   _mm256_cmpgt_epi32(vhi, pos));
		l[i] = _mm256_and_ps(_mm256_loadu_ps(x + at + o), _mm256_castsi256_ps(m));
	}
	row_in(l, d);
}

/* r[4 k + j] = o[j], j < 4: the transpose undoes itself */
static inline void wino_row_out(float *r, const v8f o[4])
{
	__m256 t[4];

	tr4((__m256)o[0], (__m256)o[1], (__m256)o[2], (__m256)o[3], t);
	for (int i = 0; i < 4; i++)
		_mm256_storeu_ps(r + 8 * i, t[i]);
}

#define WK(name) name##_avx2
#include "ops/nn/winograd_kernel.h"

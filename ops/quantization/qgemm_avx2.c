/* qgemm_avx2.c - the integer inner products (ops/quantization/qgemm.h) with AVX2:
 * _mm256_madd_epi16 multiplies 16 pairs of int16 and adds adjacent products into 8
 * int32 (exact: |a b| <= 255 * 255); blocks of 2 rows of a by 4 rows of b keep 8 sums
 * in registers. */
#include <immintrin.h>
#include <stddef.h>
#include "ops/quantization/qgemm.h"

/* the sums of s0 .. s3's 8 lanes each, as 4 int32 */
static inline __m128i hsum4(__m256i s0, __m256i s1, __m256i s2, __m256i s3)
{
	__m256i t = _mm256_hadd_epi32(_mm256_hadd_epi32(s0, s1), _mm256_hadd_epi32(s2, s3));

	return _mm_add_epi32(_mm256_castsi256_si128(t), _mm256_extracti128_si256(t, 1));
}

static inline __m256i ld(const int16_t *p)
{
	return _mm256_loadu_si256((const __m256i *)p);
}

/* rows a0 (and a1 unless NULL) against the 4 rows b .. b + 3 * kp */
static void block_2x4(int32_t *y0, int32_t *y1, const int16_t *a0, const int16_t *a1,
                      const int16_t *b, int64_t kp)
{
	__m256i s00 = _mm256_setzero_si256(), s01 = s00, s02 = s00, s03 = s00;
	__m256i s10 = s00, s11 = s00, s12 = s00, s13 = s00;
	const int16_t *b1 = b + kp, *b2 = b1 + kp, *b3 = b2 + kp;

	for (int64_t p = 0; p < kp; p += QGEMM_KSTEP) {
		__m256i v0 = ld(b + p), v1 = ld(b1 + p), v2 = ld(b2 + p), v3 = ld(b3 + p);
		__m256i u = ld(a0 + p);
		s00 = _mm256_add_epi32(s00, _mm256_madd_epi16(u, v0));
		s01 = _mm256_add_epi32(s01, _mm256_madd_epi16(u, v1));
		s02 = _mm256_add_epi32(s02, _mm256_madd_epi16(u, v2));
		s03 = _mm256_add_epi32(s03, _mm256_madd_epi16(u, v3));
		if (a1) {
			u = ld(a1 + p);
			s10 = _mm256_add_epi32(s10, _mm256_madd_epi16(u, v0));
			s11 = _mm256_add_epi32(s11, _mm256_madd_epi16(u, v1));
			s12 = _mm256_add_epi32(s12, _mm256_madd_epi16(u, v2));
			s13 = _mm256_add_epi32(s13, _mm256_madd_epi16(u, v3));
		}
	}
	_mm_storeu_si128((__m128i *)y0, hsum4(s00, s01, s02, s03));
	if (a1)
		_mm_storeu_si128((__m128i *)y1, hsum4(s10, s11, s12, s13));
}

static int32_t dot1(const int16_t *a, const int16_t *b, int64_t kp)
{
	__m256i s = _mm256_setzero_si256();
	__m128i h;

	for (int64_t p = 0; p < kp; p += QGEMM_KSTEP)
		s = _mm256_add_epi32(s, _mm256_madd_epi16(ld(a + p), ld(b + p)));
	h = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
	h = _mm_hadd_epi32(h, h);
	h = _mm_hadd_epi32(h, h);
	return _mm_cvtsi128_si32(h);
}

void qgemm_i16_avx2(int32_t *y, int64_t ldy, const int16_t *a, const int16_t *b,
                    int64_t m, int64_t n, int64_t kp)
{
	for (int64_t i = 0; i < m; i += 2) {
		const int16_t *a0 = a + i * kp, *a1 = i + 1 < m ? a0 + kp : NULL;
		int32_t *y0 = y + i * ldy, *y1 = y0 + ldy;
		int64_t j = 0;

		for (; j + 4 <= n; j += 4)
			block_2x4(y0 + j, y1 + j, a0, a1, b + j * kp, kp);
		for (; j < n; j++) {
			y0[j] = dot1(a0, b + j * kp, kp);
			if (a1)
				y1[j] = dot1(a1, b + j * kp, kp);
		}
	}
}

/* half_avx2.c - float16 <-> float over arrays with F16C (ops/cpu.h), 8 at a time:
 * vcvtph2ps is exact and vcvtps2ph with round-to-nearest-even gives the bits of
 * float_to_half (runtime/tensor.c), NaNs quieted the same way. Built on x86-64
 * only, with -mavx2 -mfma -mf16c (libgrt-avx2.la). */
#include <immintrin.h>
#include "ops/cpu.h"

void f16_to_f32_f16c(float *o, const uint16_t *a, int64_t n)
{
	int64_t i = 0;

	for (; i + 8 <= n; i += 8)
		_mm256_storeu_ps(o + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + i))));
	if (i < n)
		f16_to_f32_portable(o + i, a + i, n - i);
}

void f32_to_f16_f16c(uint16_t *o, const float *a, int64_t n)
{
	int64_t i = 0;

	for (; i + 8 <= n; i += 8)
		_mm_storeu_si128((__m128i *)(o + i),
		                 _mm256_cvtps_ph(_mm256_loadu_ps(a + i), _MM_FROUND_TO_NEAREST_INT));
	if (i < n)
		f32_to_f16_portable(o + i, a + i, n - i);
}

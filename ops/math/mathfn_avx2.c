/* mathfn_avx2.c - the array forms of ops/math/mathfn.h's sigmoid, tanh and relu, eight lanes at
 * a time with fused multiply-adds, for x86-64 CPUs with AVX2 and FMA. Built on
 * x86-64 only, for those instructions (-mavx2 -mfma: libgrt-avx2.la in
 * Makefile.am); kernels_avx2 (ops/cpu_x86.c) holds them, chosen only when the
 * CPU reports both. */
#include "ops/math/mathfn.h"

#define V v8f
#define VI v8i
#define VU v8u
#define VF(name) v8f_##name
#include "ops/math/mathfn_vec.h"

void fast_sigmoidf_n_avx2(float *o, const float *a, int64_t n)
{
	int64_t i = 0;

	for (; i + 8 <= n; i += 8)
		v8f_store(o + i, v8f_sigmoid(v8f_load(a + i)));
	if (i < n)
		fast_sigmoidf_n(o + i, a + i, n - i);
}

void fast_tanhf_n_avx2(float *o, const float *a, int64_t n)
{
	int64_t i = 0;

	for (; i + 8 <= n; i += 8)
		v8f_store(o + i, v8f_tanh(v8f_load(a + i)));
	if (i < n)
		fast_tanhf_n(o + i, a + i, n - i);
}

/* the portable loop, compiled for eight lanes */
void relu_f32_n_avx2(float *o, const float *a, int64_t n)
{
	relu_f32_n(o, a, n);
}

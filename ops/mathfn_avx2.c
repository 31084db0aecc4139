/* mathfn_avx2.c - the array forms of ops/mathfn.h's sigmoid and tanh, eight lanes at
 * a time with fused multiply-adds, for x86-64 CPUs with AVX2 and FMA. Only this
 * file is compiled for those instructions (target pragma); Sigmoid and Tanh pick
 * it at plan time when mathfn_avx2_ok(). */
#include "ops/mathfn.h"

#if defined(__x86_64__) && defined(__GNUC__)

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

MATHFN_DEFINE(v8f, v8i, v8u)

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

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

int mathfn_avx2_ok(void)
{
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

#else

void fast_sigmoidf_n_avx2(float *o, const float *a, int64_t n)
{
	fast_sigmoidf_n(o, a, n);
}

void fast_tanhf_n_avx2(float *o, const float *a, int64_t n)
{
	fast_tanhf_n(o, a, n);
}

int mathfn_avx2_ok(void)
{
	return 0;
}

#endif

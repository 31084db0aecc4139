/* mathfn.h - float exp, sigmoid and tanh for Sigmoid, Tanh and the GRU gates (and Relu), four
 * lanes at a time in GNU C vectors (SSE2, NEON, else scalar code; eight in AVX2 files).
 * Cephes expf/tanhf range reduction and polynomials without branches: e^x = 2^n e^r,
 * r = x - n ln2. Worst errors seen over [-110, 110]: exp 1.02 ulp, sigmoid 2.7, tanh
 * 1.4 (tests/check_ops_elementwise.c). NaN stays NaN, +-inf saturate, tanh(-0) = -0. */
#ifndef OPS_MATHFN_H
#define OPS_MATHFN_H

#include <stdint.h>
#include <string.h>

/* The small vector helpers here are always inlined, whatever the optimisation level:
 * a build for size (-Os, the WebAssembly package's) would otherwise call a function
 * per four floats, and a loop around a call does not vectorise. */
#define MATHFN_INLINE static inline __attribute__((always_inline, unused))

typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));
typedef uint32_t v4u __attribute__((vector_size(16)));
/* 8 lanes: only for the files compiled for AVX2 (libgrt-avx2.la), which include
 * ops/math/mathfn_vec.h for v8f */
typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef uint32_t v8u __attribute__((vector_size(32)));

/* c ? a : b for floats as bit operations: with arithmetic on one side a float
 * select would not be if-converted (the arithmetic could trap), so loops using
 * it would not vectorise. */
MATHFN_INLINE float mathfn_select(int c, float a, float b)
{
	uint32_t m = 0u - (uint32_t)(c != 0), ua, ub;

	memcpy(&ua, &a, sizeof(ua));
	memcpy(&ub, &b, sizeof(ub));
	ua = (ua & m) | (ub & ~m);
	memcpy(&a, &ua, sizeof(a));
	return a;
}

/* The vector functions, defined once per width by ops/math/mathfn_vec.h: V (float lanes),
 * VI and VU (the int32 and uint32 vectors of the same width). Each lane is
 * independent.
 *
 * V_load, V_store: unaligned. V_select(mask, a, b): mask ? a : b, lane masks all
 * ones or zeros. V_exp_parts(x, &t): e^r with r = x - n ln2 for n = round(x / ln2)
 * (|n| <= 150), and t, a float whose low bits hold n; the polynomial for e^r =
 * 1 + r + r^2 P(r) is evaluated in pairs (Estrin) to keep the dependency chain
 * short: the GRU's recurrence waits on it. V_pow2(t): 2^n for n in [-126, 127].
 * V_scale2(p, t): p 2^n for n in [-150, 128] in two halves, so that gradual
 * underflow and overflow come out right.
 * V_exp: 0 below -104, +inf above 89. V_sigmoid: 1 / (1 + e) or e / (1 + e) from
 * e = e^-|x| <= 1: no overflow, and the tail for x < 0 keeps its relative
 * accuracy. V_tanh: an odd polynomial below |x| = 0.625, 1 - 2 / (e^2|x| + 1)
 * above, both on |x|, then the sign bit of x; e^2|x| is clamped at e^88 (the
 * result is 1 in float long before). */
#define V v4f
#define VI v4i
#define VU v4u
#define VF(name) v4f_##name
#include "ops/math/mathfn_vec.h"

/* Scalar forms (one lane). */
MATHFN_INLINE float fast_expf(float x)
{
	return v4f_exp((v4f){ x, x, x, x })[0];
}

MATHFN_INLINE float fast_sigmoidf(float x)
{
	return v4f_sigmoid((v4f){ x, x, x, x })[0];
}

MATHFN_INLINE float fast_tanhf(float x)
{
	return v4f_tanh((v4f){ x, x, x, x })[0];
}

/* Array forms, o[i] = f(a[i]) for i < n; o may equal a. */
static inline void fast_sigmoidf_n(float *o, const float *a, int64_t n)
{
	int64_t i = 0;

	for (; i + 4 <= n; i += 4)
		v4f_store(o + i, v4f_sigmoid(v4f_load(a + i)));
	if (i < n) {
		float tail[4] = { 0, 0, 0, 0 };
		memcpy(tail, a + i, (size_t)(n - i) * sizeof(float));
		v4f_store(tail, v4f_sigmoid(v4f_load(tail)));
		memcpy(o + i, tail, (size_t)(n - i) * sizeof(float));
	}
}

static inline void fast_tanhf_n(float *o, const float *a, int64_t n)
{
	int64_t i = 0;

	for (; i + 4 <= n; i += 4)
		v4f_store(o + i, v4f_tanh(v4f_load(a + i)));
	if (i < n) {
		float tail[4] = { 0, 0, 0, 0 };
		memcpy(tail, a + i, (size_t)(n - i) * sizeof(float));
		v4f_store(tail, v4f_tanh(v4f_load(tail)));
		memcpy(o + i, tail, (size_t)(n - i) * sizeof(float));
	}
}

/* Relu, o[i] = max(a[i], 0) (NaN gives 0): a compare and a select the loop
 * vectoriser turns into four lanes here, eight in the AVX2 file. */
static inline void relu_f32_n(float *o, const float *a, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		o[i] = a[i] > 0.0f ? a[i] : 0.0f;
}

/* The array forms again, eight lanes at a time (ops/math/mathfn_avx2.c): x86-64 only,
 * where the CPU has AVX2 and FMA (kernels_avx2 of ops/cpu.h). */
void fast_sigmoidf_n_avx2(float *o, const float *a, int64_t n);
void fast_tanhf_n_avx2(float *o, const float *a, int64_t n);
void relu_f32_n_avx2(float *o, const float *a, int64_t n);
/* and four at a time in NEON intrinsics (ops/math/mathfn_neon.c): ARM only, where
 * the CPU has NEON (kernels_neon) */
void fast_sigmoidf_n_neon(float *o, const float *a, int64_t n);
void fast_tanhf_n_neon(float *o, const float *a, int64_t n);
void relu_f32_n_neon(float *o, const float *a, int64_t n);

#endif

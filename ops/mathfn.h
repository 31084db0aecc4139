/* mathfn.h - float exp, sigmoid and tanh for Sigmoid, Tanh and the GRU gates, four
 * lanes at a time in GNU C vectors (SSE2, NEON, else scalar code; eight in AVX2 files).
 * Cephes expf/tanhf range reduction and polynomials without branches: e^x = 2^n e^r,
 * r = x - n ln2. Worst errors seen over [-110, 110]: exp 1.02 ulp, sigmoid 2.7, tanh
 * 1.4 (tests/check_ops_elementwise.c). NaN stays NaN, +-inf saturate, tanh(-0) = -0. */
#ifndef OPS_MATHFN_H
#define OPS_MATHFN_H

#include <stdint.h>
#include <string.h>

typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));
typedef uint32_t v4u __attribute__((vector_size(16)));
/* 8 lanes: only for files compiled for AVX2, which instantiate
 * MATHFN_DEFINE(v8f, v8i, v8u) after their target pragma */
typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef uint32_t v8u __attribute__((vector_size(32)));

/* c ? a : b for floats as bit operations: with arithmetic on one side a float
 * select would not be if-converted (the arithmetic could trap), so loops using
 * it would not vectorise. */
static inline float mathfn_select(int c, float a, float b)
{
	uint32_t m = 0u - (uint32_t)(c != 0), ua, ub;

	memcpy(&ua, &a, sizeof(ua));
	memcpy(&ub, &b, sizeof(ub));
	ua = (ua & m) | (ub & ~m);
	memcpy(&a, &ua, sizeof(a));
	return a;
}

/* The vector functions, defined once per width: V (float lanes), VI and VU (the
 * int32 and uint32 vectors of the same width). Each lane is independent.
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
#define MATHFN_DEFINE(V, VI, VU)                                                        \
static inline __attribute__((unused)) V                                                 \
V##_load(const float *p)                                                                \
{                                                                                       \
	V v;                                                                            \
	memcpy(&v, p, sizeof(v));                                                       \
	return v;                                                                       \
}                                                                                       \
                                                                                        \
static inline __attribute__((unused)) void                                              \
V##_store(float *p, V v)                                                                \
{                                                                                       \
	memcpy(p, &v, sizeof(v));                                                       \
}                                                                                       \
                                                                                        \
static inline __attribute__((unused)) V                                                 \
V##_select(VI mask, V a, V b)                                                           \
{                                                                                       \
	return (V)(((VI)a & mask) | ((VI)b & ~mask));                                   \
}                                                                                       \
                                                                                        \
static inline __attribute__((unused)) V                                                 \
V##_exp_parts(V x, V *t)                                                                \
{                                                                                       \
	const float magic = 12582912.0f;  /* 1.5 * 2^23: adding it rounds */            \
	V tt = x * 1.44269504088896341f + magic, n = tt - magic;                        \
	V r, r2, r4, p01, p23, p45, p;                                                  \
	r = x - n * 0.693359375f;         /* ln2 in two parts: n * hi is exact */       \
	r = r - n * -2.12194440e-4f;                                                    \
	r2 = r * r;                                                                     \
	r4 = r2 * r2;                                                                   \
	p01 = 5.0000001201e-1f + 1.6666665459e-1f * r;                                  \
	p23 = 4.1665795894e-2f + 8.3334519073e-3f * r;                                  \
	p45 = 1.3981999507e-3f + 1.9875691500e-4f * r;                                  \
	p = p01 + r2 * p23 + r4 * p45;                                                  \
	*t = tt;                                                                        \
	return p * r2 + r + 1.0f;                                                       \
}                                                                                       \
                                                                                        \
static inline __attribute__((unused)) V                                                 \
V##_pow2(V t)                                                                           \
{                                                                                       \
	return (V)((((VU)t - 0x4B400000u) + 127u) << 23);                               \
}                                                                                       \
                                                                                        \
static inline __attribute__((unused)) V                                                 \
V##_scale2(V p, V t)                                                                    \
{                                                                                       \
	VU n = (VU)t - 0x4B400000u;       /* n mod 2^32 */                              \
	VU n1 = (VU)((VI)n >> 1);         /* floor(n / 2) */                            \
	VU n2 = n - n1;                                                                 \
	return p * (V)((n1 + 127u) << 23) * (V)((n2 + 127u) << 23);                     \
}                                                                                       \
                                                                                        \
static inline __attribute__((unused)) V                                                 \
V##_exp(V x)                                                                            \
{                                                                                       \
	V t, p;                                                                         \
	x = V##_select(x < -104.0f, (V){ 0 } - 104.0f, x);                              \
	x = V##_select(x > 89.0f, (V){ 0 } + 89.0f, x);   /* NaN passes both */         \
	p = V##_exp_parts(x, &t);                                                       \
	return V##_scale2(p, t);                                                        \
}                                                                                       \
                                                                                        \
static inline __attribute__((unused)) V                                                 \
V##_sigmoid(V x)                                                                        \
{                                                                                       \
	V nx = (V)((VI)x | INT32_MIN);    /* -|x| */                                    \
	V t, e, r;                                                                      \
	nx = V##_select(nx < -104.0f, (V){ 0 } - 104.0f, nx);                           \
	e = V##_exp_parts(nx, &t);                                                      \
	e = V##_scale2(e, t);                                                           \
	r = 1.0f / (1.0f + e);                                                          \
	return V##_select(x >= 0.0f, r, e * r);                                         \
}                                                                                       \
                                                                                        \
static inline __attribute__((unused)) V                                                 \
V##_tanh(V x)                                                                           \
{                                                                                       \
	VI sign = (VI)x & INT32_MIN;                                                    \
	V ax = (V)((VI)x ^ sign), z = ax * ax, ax2 = ax + ax, s, p, t, big;             \
	s = -5.70498872745e-3f * z + 2.06390887954e-2f;                                 \
	s = s * z - 5.37397155531e-2f;                                                  \
	s = s * z + 1.33314422036e-1f;                                                  \
	s = s * z - 3.33332819422e-1f;                                                  \
	s = s * z * ax + ax;                                                            \
	ax2 = V##_select(ax2 > 88.0f, (V){ 0 } + 88.0f, ax2);                           \
	p = V##_exp_parts(ax2, &t);                                                     \
	p = p * V##_pow2(t);                                                            \
	big = 1.0f - 2.0f / (p + 1.0f);                                                 \
	big = V##_select(ax < 0.625f, s, big);            /* NaN: big, which is NaN */  \
	return (V)((VI)big | sign);                                                     \
}

MATHFN_DEFINE(v4f, v4i, v4u)

/* Scalar forms (one lane). */
static inline float fast_expf(float x)
{
	return v4f_exp((v4f){ x, x, x, x })[0];
}

static inline float fast_sigmoidf(float x)
{
	return v4f_sigmoid((v4f){ x, x, x, x })[0];
}

static inline float fast_tanhf(float x)
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

/* The array forms again, eight lanes at a time (ops/mathfn_avx2.c): x86-64 only,
 * where the CPU has AVX2 and FMA (kernels_avx2 of ops/cpu.h). */
void fast_sigmoidf_n_avx2(float *o, const float *a, int64_t n);
void fast_tanhf_n_avx2(float *o, const float *a, int64_t n);

#endif

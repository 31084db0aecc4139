/* mathfn_neon.c - the array forms of ops/math/mathfn.h's sigmoid, tanh and relu, four lanes
 * at a time in NEON intrinsics with fused multiply-adds: ops/math/mathfn_vec.h's
 * operations in the same order (GNU C vectors would be scalar code on 32-bit ARM,
 * whose NEON is not IEEE: it flushes subnormals to zero, so GCC keeps vector floats
 * off it; here the few vectors with a subnormal input or result take the portable
 * code there, in VFP). Built on ARM only (libgrt-neon.la in Makefile.am, -mfpu=neon-vfpv4 on
 * 32-bit ARM); kernels_neon (ops/cpu_arm.c) holds them. */
#include <arm_neon.h>
#include "ops/math/mathfn.h"
#include "ops/math/mathfn_neon.h"

/* p 2^n in two halves, n in [-150, 128] */
static inline float32x4_t scale2(float32x4_t p, float32x4_t t)
{
	uint32x4_t n = vsubq_u32(vreinterpretq_u32_f32(t), vdupq_n_u32(0x4B400000u));
	uint32x4_t n1 = vreinterpretq_u32_s32(vshrq_n_s32(vreinterpretq_s32_u32(n), 1));
	uint32x4_t n2 = vsubq_u32(n, n1);
	float32x4_t s1 = vreinterpretq_f32_u32(vshlq_n_u32(vaddq_u32(n1, vdupq_n_u32(127u)), 23));
	float32x4_t s2 = vreinterpretq_f32_u32(vshlq_n_u32(vaddq_u32(n2, vdupq_n_u32(127u)), 23));

	return vmulq_f32(vmulq_f32(p, s1), s2);
}

static inline float32x4_t sigmoid4(float32x4_t x)
{
	const uint32x4_t sign = vdupq_n_u32(0x80000000u);
	float32x4_t nx = vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(x), sign));
	float32x4_t t, e, r;

	nx = sel(vcltq_f32(nx, dup(-104.0f)), dup(-104.0f), nx);
	e = exp_parts(nx, &t);
	e = scale2(e, t);
	r = div4(dup(1.0f), vaddq_f32(dup(1.0f), e));
	return sel(vcgeq_f32(x, dup(0.0f)), r, vmulq_f32(e, r));
}

static inline float32x4_t tanh4(float32x4_t x)
{
	const uint32x4_t sign = vandq_u32(vreinterpretq_u32_f32(x), vdupq_n_u32(0x80000000u));
	float32x4_t ax = vreinterpretq_f32_u32(veorq_u32(vreinterpretq_u32_f32(x), sign));
	float32x4_t z = vmulq_f32(ax, ax), ax2 = vaddq_f32(ax, ax), s, p, t, big;

	s = vfmaq_f32(dup(2.06390887954e-2f), dup(-5.70498872745e-3f), z);
	s = vfmaq_f32(dup(-5.37397155531e-2f), s, z);
	s = vfmaq_f32(dup(1.33314422036e-1f), s, z);
	s = vfmaq_f32(dup(-3.33332819422e-1f), s, z);
	s = vfmaq_f32(ax, vmulq_f32(s, z), ax);
	ax2 = sel(vcgtq_f32(ax2, dup(88.0f)), dup(88.0f), ax2);
	p = exp_parts(ax2, &t);
	p = vmulq_f32(p, pow2(t));
	big = vsubq_f32(dup(1.0f), div4(dup(2.0f), vaddq_f32(p, dup(1.0f))));
	big = sel(vcltq_f32(ax, dup(0.625f)), s, big);  /* NaN: big, which is NaN */
	return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(big), sign));
}

/* 1 if 32-bit NEON's flushing would change f(x) for a lane of x: sigmoid's result
 * is subnormal below x = -87.33 (which 0), tanh(x) = x for a subnormal x. Never on
 * aarch64, whose NEON is IEEE. */
static inline int flush_matters(const int which, float32x4_t x)
{
#ifdef __aarch64__
	(void)which;
	(void)x;
	return 0;
#else
	const uint32x4_t u = vreinterpretq_u32_f32(x);
	uint32x4_t m;
	uint32x2_t h;

	if (which == 0)
		m = vcltq_f32(x, dup(-87.0f));
	else
		m = vandq_u32(vceqq_u32(vandq_u32(u, vdupq_n_u32(0x7f800000u)), vdupq_n_u32(0)),
		              vtstq_u32(u, vdupq_n_u32(0x007fffffu)));
	h = vorr_u32(vget_low_u32(m), vget_high_u32(m));
	return vget_lane_u32(vpmax_u32(h, h), 0) != 0;
#endif
}

/* f(x) for f = sigmoid4 (which 0) or tanh4, or the portable form's where
 * flush_matters */
static inline __attribute__((always_inline)) float32x4_t f4(const int which, float32x4_t x)
{
	float t[4];

	if (!flush_matters(which, x))
		return which == 0 ? sigmoid4(x) : tanh4(x);
	vst1q_f32(t, x);
	if (which == 0)
		fast_sigmoidf_n(t, t, 4);
	else
		fast_tanhf_n(t, t, 4);
	return vld1q_f32(t);
}

/* o[i] = f4(which, a[i]): whole vectors, then the last 1 to 3 lanes through a
 * zeroed vector as the portable forms do */
static inline __attribute__((always_inline)) void
map4(const int which, float *o, const float *a, int64_t n)
{
	int64_t i = 0;

	for (; i + 4 <= n; i += 4)
		vst1q_f32(o + i, f4(which, vld1q_f32(a + i)));
	if (i < n) {
		float tail[4] = { 0, 0, 0, 0 };
		memcpy(tail, a + i, (size_t)(n - i) * sizeof(float));
		vst1q_f32(tail, f4(which, vld1q_f32(tail)));
		memcpy(o + i, tail, (size_t)(n - i) * sizeof(float));
	}
}

void fast_sigmoidf_n_neon(float *o, const float *a, int64_t n)
{
	map4(0, o, a, n);
}

void fast_tanhf_n_neon(float *o, const float *a, int64_t n)
{
	map4(1, o, a, n);
}

/* max(a[i], 0) as a compare and a select (NaN gives 0, as relu_f32_n) */
void relu_f32_n_neon(float *o, const float *a, int64_t n)
{
	int64_t i = 0;

	for (; i + 4 <= n; i += 4) {
		float32x4_t x = vld1q_f32(a + i);
		vst1q_f32(o + i, sel(vcgtq_f32(x, dup(0.0f)), x, dup(0.0f)));
	}
	for (; i < n; i++)
		o[i] = a[i] > 0.0f ? a[i] : 0.0f;
}

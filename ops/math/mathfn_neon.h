/* mathfn_neon.h - the 4-lane pieces of ops/math/mathfn_vec.h in NEON intrinsics with fused
 * multiply-adds, for the NEON files (ops/math/mathfn_neon.c, ops/rnn/rnn_neon.c): the
 * same operations in the same order. Included only where <arm_neon.h> exists
 * (libgrt-neon.la, -mfpu=neon-vfpv4 on 32-bit ARM). */
#ifndef OPS_MATHFN_NEON_H
#define OPS_MATHFN_NEON_H

#include <arm_neon.h>

static inline float32x4_t dup(float x)
{
	return vdupq_n_f32(x);
}

/* mask ? a : b, lane masks all ones or zeros */
static inline float32x4_t sel(uint32x4_t mask, float32x4_t a, float32x4_t b)
{
	return vbslq_f32(mask, a, b);
}

/* a / b, rounded as the portable code's: 32-bit NEON has no division, so there
 * the four lanes go through VFP */
static inline float32x4_t div4(float32x4_t a, float32x4_t b)
{
#ifdef __aarch64__
	return vdivq_f32(a, b);
#else
	float x[4], y[4];

	vst1q_f32(x, a);
	vst1q_f32(y, b);
	for (int i = 0; i < 4; i++)
		x[i] /= y[i];
	return vld1q_f32(x);
#endif
}

/* V_exp_parts of ops/math/mathfn_vec.h: e^r, and t whose low bits hold n */
static inline float32x4_t exp_parts(float32x4_t x, float32x4_t *t)
{
	const float32x4_t magic = dup(12582912.0f);     /* 1.5 * 2^23: adding it rounds */
	float32x4_t tt = vfmaq_f32(magic, x, dup(1.44269504088896341f));
	float32x4_t n = vsubq_f32(tt, magic), r, r2, r4, p01, p23, p45, p;

	r = vfmsq_f32(x, n, dup(0.693359375f));        /* ln2 in two parts */
	r = vfmsq_f32(r, n, dup(-2.12194440e-4f));
	r2 = vmulq_f32(r, r);
	r4 = vmulq_f32(r2, r2);
	p01 = vfmaq_f32(dup(5.0000001201e-1f), dup(1.6666665459e-1f), r);
	p23 = vfmaq_f32(dup(4.1665795894e-2f), dup(8.3334519073e-3f), r);
	p45 = vfmaq_f32(dup(1.3981999507e-3f), dup(1.9875691500e-4f), r);
	p = vfmaq_f32(vfmaq_f32(p01, r2, p23), r4, p45);
	*t = tt;
	return vaddq_f32(vfmaq_f32(r, p, r2), dup(1.0f));
}

/* 2^n as a float's bits, n in [-126, 127] */
static inline float32x4_t pow2(float32x4_t t)
{
	uint32x4_t n = vsubq_u32(vreinterpretq_u32_f32(t), vdupq_n_u32(0x4B400000u));

	return vreinterpretq_f32_u32(vshlq_n_u32(vaddq_u32(n, vdupq_n_u32(127u)), 23));
}

#endif

/* conv_neon.c - the plane kernels of ops/nn/conv.h for ARM with NEON: 16 outputs (four
 * 4-float vectors) in registers while the taps run, then single vectors, the last 1
 * to 3 as an overlapping vector (scalar only below 4 outputs: NEON has no masked
 * loads); 4 channels by 8 outputs and 2 channels by 16 (within 32-bit ARM's 16 vector
 * registers); the fused PRelu on the way out; the stride-2 phase copies as vld2/vst2.
 * Built on ARM only (libgrt-neon.la in Makefile.am, -mfpu=neon-vfpv4 on 32-bit ARM);
 * kernels_neon (ops/cpu_arm.c) holds them. */
#include "ops/nn/conv.h"

#include <arm_neon.h>
#include <stddef.h>

/* the fused PRelu of ops/nn/conv.h on s: a * s where s < 0 (the same product and
 * selection as op_epilogue's) */
static inline float32x4_t prelu4(float32x4_t s, float32x4_t a)
{
	return vbslq_f32(vcltq_f32(s, vdupq_n_f32(0.0f)), vmulq_f32(a, s), s);
}

/* bias + sum_q w[q] * x[off[q] .. off[q] + 4) */
static inline float32x4_t plane4v(float32x4_t s, const float *x, const int64_t *off,
                                  const float *w, int64_t nq)
{
	for (int64_t q = 0; q < nq; q++)
		s = vfmaq_f32(s, vdupq_n_f32(w[q]), vld1q_f32(x + off[q]));
	return s;
}

/* act (a constant where inlined): each vector through prelu4(., a) before its store */
static inline __attribute__((always_inline)) void
plane_run(const int act, float *y, int64_t n, const float *x, const int64_t *off,
          const float *w, int64_t nq, float bias, float32x4_t a)
{
	const float32x4_t b = vdupq_n_f32(bias);
	int64_t o = 0;

	for (; o + 16 <= n; o += 16) {
		float32x4_t s0 = b, s1 = b, s2 = b, s3 = b;
		for (int64_t q = 0; q < nq; q++) {
			const float32x4_t wv = vdupq_n_f32(w[q]);
			const float *xp = x + o + off[q];
			s0 = vfmaq_f32(s0, wv, vld1q_f32(xp));
			s1 = vfmaq_f32(s1, wv, vld1q_f32(xp + 4));
			s2 = vfmaq_f32(s2, wv, vld1q_f32(xp + 8));
			s3 = vfmaq_f32(s3, wv, vld1q_f32(xp + 12));
		}
		if (act) {
			s0 = prelu4(s0, a);
			s1 = prelu4(s1, a);
			s2 = prelu4(s2, a);
			s3 = prelu4(s3, a);
		}
		vst1q_f32(y + o, s0);
		vst1q_f32(y + o + 4, s1);
		vst1q_f32(y + o + 8, s2);
		vst1q_f32(y + o + 12, s3);
	}
	for (; o + 4 <= n; o += 4) {
		const float32x4_t s = plane4v(b, x + o, off, w, nq);
		vst1q_f32(y + o, act ? prelu4(s, a) : s);
	}
	if (o < n && n >= 4) {
		/* the last 1 to 3 as the 4 outputs that end at n, computed again (they are
		 * written, not accumulated) */
		const float32x4_t s = plane4v(b, x + n - 4, off, w, nq);
		vst1q_f32(y + n - 4, act ? prelu4(s, a) : s);
		o = n;
	}
	for (; o < n; o++) {
		float s = bias;
		for (int64_t q = 0; q < nq; q++)
			s += w[q] * x[o + off[q]];
		y[o] = act && s < 0 ? vgetq_lane_f32(a, 0) * s : s;
	}
}

void conv_plane_f32_neon(float *y, int64_t n, const float *x, const int64_t *off,
                         const float *w, int64_t nq, float bias, const float *slope)
{
	if (slope)
		plane_run(1, y, n, x, off, w, nq, bias, vdupq_n_f32(slope[0]));
	else
		plane_run(0, y, n, x, off, w, nq, bias, vdupq_n_f32(0.0f));
}

/* 8 outputs from o of 4 channels; xs = 0 (a constant where inlined): 2 loads of x and
 * 4 of weights feed 8 FMAs; act (a constant too): through prelu4 with slope[j] */
static inline __attribute__((always_inline)) void
plane4_block(const int shared, const int act, float *y, int64_t ys, int64_t o,
             const float *x, int64_t xs, const int64_t *off, const float *w, int64_t nq,
             const float *bias, const float *slope)
{
	float32x4_t s[4][2];

#pragma GCC unroll 4
	for (int j = 0; j < 4; j++)
		s[j][0] = s[j][1] = vdupq_n_f32(bias[j]);
	for (int64_t q = 0; q < nq; q++) {
		const float *xp = x + o + off[q];
		float32x4_t x0 = vld1q_f32(xp), x1 = vld1q_f32(xp + 4);
#pragma GCC unroll 4
		for (int j = 0; j < 4; j++) {
			const float32x4_t wv = vdupq_n_f32(w[j * nq + q]);
			if (!shared && j) {
				x0 = vld1q_f32(xp + j * xs);
				x1 = vld1q_f32(xp + j * xs + 4);
			}
			s[j][0] = vfmaq_f32(s[j][0], wv, x0);
			s[j][1] = vfmaq_f32(s[j][1], wv, x1);
		}
	}
#pragma GCC unroll 4
	for (int j = 0; j < 4; j++) {
		if (act) {
			const float32x4_t sv = vdupq_n_f32(slope[j]);
			s[j][0] = prelu4(s[j][0], sv);
			s[j][1] = prelu4(s[j][1], sv);
		}
		vst1q_f32(y + j * ys + o, s[j][0]);
		vst1q_f32(y + j * ys + o + 4, s[j][1]);
	}
}


/* 16 outputs from o of 2 channels sharing x: 4 loads of x and 2 of weights feed 8
 * FMAs; act as in plane4_block */
static inline __attribute__((always_inline)) void
plane2_block(const int act, float *y, int64_t ys, int64_t o, const float *x,
             const int64_t *off, const float *w, int64_t nq, const float *bias,
             const float *slope)
{
	float32x4_t s[2][4];

#pragma GCC unroll 2
	for (int j = 0; j < 2; j++)
		s[j][0] = s[j][1] = s[j][2] = s[j][3] = vdupq_n_f32(bias[j]);
	for (int64_t q = 0; q < nq; q++) {
		const float *xp = x + o + off[q];
		const float32x4_t x0 = vld1q_f32(xp), x1 = vld1q_f32(xp + 4);
		const float32x4_t x2 = vld1q_f32(xp + 8), x3 = vld1q_f32(xp + 12);
#pragma GCC unroll 2
		for (int j = 0; j < 2; j++) {
			const float32x4_t wv = vdupq_n_f32(w[j * nq + q]);
			s[j][0] = vfmaq_f32(s[j][0], wv, x0);
			s[j][1] = vfmaq_f32(s[j][1], wv, x1);
			s[j][2] = vfmaq_f32(s[j][2], wv, x2);
			s[j][3] = vfmaq_f32(s[j][3], wv, x3);
		}
	}
#pragma GCC unroll 2
	for (int j = 0; j < 2; j++)
#pragma GCC unroll 4
		for (int v = 0; v < 4; v++)
			vst1q_f32(y + j * ys + o + 4 * v,
			          act ? prelu4(s[j][v], vdupq_n_f32(slope[j])) : s[j][v]);
}

#include "ops/nn/conv_planes.h"

void conv_plane4_f32_neon(float *y, int64_t ys, int64_t n, const float *x, int64_t xs,
                          const int64_t *off, const float *w, int64_t nq, const float *bias,
                          const float *slope)
{
	plane4_run(8, conv_plane_f32_neon, y, ys, n, x, xs, off, w, nq, bias, slope);
}

void conv_plane2_f32_neon(float *y, int64_t ys, int64_t n, const float *x,
                          const int64_t *off, const float *w, int64_t nq, const float *bias,
                          const float *slope)
{
	plane2_run(16, conv_plane_f32_neon, y, ys, n, x, off, w, nq, bias, slope);
}

void conv_deint2_f32_neon(float *e, float *o, const float *x, int64_t n)
{
	int64_t i = 0;

	for (; i + 4 <= n; i += 4) {
		const float32x4x2_t v = vld2q_f32(x + 2 * i);      /* x[2 i], x[2 i + 1] */
		vst1q_f32(e + i, v.val[0]);
		vst1q_f32(o + i, v.val[1]);
	}
	conv_deint2_f32_portable(e + i, o + i, x + 2 * i, n - i);
}

void conv_int2_f32_neon(float *y, const float *e, const float *o, int64_t n)
{
	int64_t i = 0;

	for (; 2 * i + 8 <= n; i += 4) {
		const float32x4x2_t v = { { vld1q_f32(e + i), vld1q_f32(o + i) } };
		vst2q_f32(y + 2 * i, v);
	}
	conv_int2_f32_portable(y + 2 * i, e + i, o + i, n - 2 * i);
}

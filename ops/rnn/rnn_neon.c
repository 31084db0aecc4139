/* rnn_neon.c - the GRU recurrence and input projection of ops/rnn/gru.h and LSTM/RNN's
 * rnn_gemv (ops/rnn/rnn_common.h) for ARM with NEON: ops/rnn/rnn.c's step in 4-float
 * vectors with fused multiply-adds, hidden 4, 8 and 16, two chains' steps interleaved
 * (one at a time for hidden 16 on 32-bit ARM, whose 16 vector registers hold one
 * chain's sums); the projection with its sums in registers. Built on ARM only
 * (libgrt-neon.la in Makefile.am, -mfpu=neon-vfpv4 on 32-bit ARM); kernels_neon
 * (ops/cpu_arm.c) holds them. */
#include "ops/rnn/gru.h"
#include "ops/rnn/gru_chain.h"
#include "ops/rnn/rnn_common.h"
#include "ops/math/gemm.h"
#include "ops/math/mathfn_neon.h"

#ifdef __aarch64__
#define PAIR_MAX_HIDDEN 16      /* two chains' sums fit the 32 vector registers */
#else
#define PAIR_MAX_HIDDEN 8
#endif

/* The gate functions of ops/rnn/rnn.c (gate_sigmoid, gate_tanh), the same operations
 * in NEON; the clamps as selects that keep a NaN, as there. */
static inline float32x4_t gate_sigmoid4(float32x4_t x)
{
	const uint32x4_t ux = vreinterpretq_u32_f32(x), signbit = vdupq_n_u32(0x80000000u);
	float32x4_t nx = vreinterpretq_f32_u32(vorrq_u32(ux, signbit)), t, e;   /* -|x| */

	nx = sel(vcltq_f32(nx, dup(-87.0f)), dup(-87.0f), nx);
	e = exp_parts(nx, &t);
	e = vmulq_f32(e, pow2(t));
	/* x < 0 (sign bit): e^x / (1 + e^x), else 1 / (1 + e^-x) */
	return div4(sel(vtstq_u32(ux, signbit), e, dup(1.0f)), vaddq_f32(e, dup(1.0f)));
}

static inline float32x4_t gate_tanh4(float32x4_t x)
{
	const uint32x4_t sign = vandq_u32(vreinterpretq_u32_f32(x), vdupq_n_u32(0x80000000u));
	float32x4_t ax = vreinterpretq_f32_u32(veorq_u32(vreinterpretq_u32_f32(x), sign)), t, p;

	ax = sel(vcgtq_f32(ax, dup(44.0f)), dup(44.0f), ax);      /* NaN passes */
	p = exp_parts(vaddq_f32(ax, ax), &t);
	p = vmulq_f32(p, pow2(t));
	/* (e^2|x| - 1) / (e^2|x| + 1) with the sign of x */
	return div4(vreinterpretq_f32_u32(veorq_u32(vreinterpretq_u32_f32(vsubq_f32(p, dup(1.0f))),
	                                            sign)),
	            vaddq_f32(p, dup(1.0f)));
}

/* One step of chains c[0..nc) (nc 1 or 2, hidden hs 4, 8 or 16: constants), gru_step_v4
 * of ops/rnn/rnn.c on each, the chains' operations interleaved so that their
 * dependency chains overlap. h[k] is broadcast from memory. */
static inline __attribute__((always_inline)) void
chain_steps(const int hs, const int nc, const struct chain *c)
{
	const int nv = hs / 4, g = 3 * hs;
	float32x4_t acc[2][12];               /* [nc][3*hidden / 4] h R^T */

#pragma GCC unroll 2
	for (int i = 0; i < nc; i++) {
		const float32x4_t hk = vdupq_n_f32(c[i].h[0]);
#pragma GCC unroll 12
		for (int j = 0; j < 3 * nv; j++)
			acc[i][j] = vmulq_f32(hk, vld1q_f32(c[i].rt + 4 * j));
	}
#pragma GCC unroll 16
	for (int k = 1; k < hs; k++)
#pragma GCC unroll 2
		for (int i = 0; i < nc; i++) {
			const float32x4_t hk = vdupq_n_f32(c[i].h[k]);
#pragma GCC unroll 12
			for (int j = 0; j < 3 * nv; j++)
				acc[i][j] = vfmaq_f32(acc[i][j], hk, vld1q_f32(c[i].rt + k * g + 4 * j));
		}
#pragma GCC unroll 4
	for (int j = 0; j < nv; j++)
#pragma GCC unroll 2
		for (int i = 0; i < nc; i++) {
			const float *x = c[i].x;
			float32x4_t z = gate_sigmoid4(vaddq_f32(vld1q_f32(x + 4 * j), acc[i][j]));
			float32x4_t r = gate_sigmoid4(vaddq_f32(vld1q_f32(x + hs + 4 * j),
			                                        acc[i][nv + j]));
			/* g(Xt Wh^T + Wbh + r (.) (H Rh^T + Rbh)) */
			float32x4_t gc = gate_tanh4(vfmaq_f32(vld1q_f32(x + 2 * hs + 4 * j), r,
			                                      vaddq_f32(acc[i][2 * nv + j],
			                                                vld1q_f32(c[i].rbh + 4 * j))));
			float32x4_t hn = vfmaq_f32(vmulq_f32(z, vld1q_f32(c[i].h + 4 * j)),
			                           vsubq_f32(dup(1.0f), z), gc);
			vst1q_f32(c[i].h + 4 * j, hn);
			if (c[i].y)
				vst1q_f32(c[i].y + 4 * j, hn);
		}
}

/* the chains two at a time up to PAIR_MAX_HIDDEN, then one at a time */
#include "ops/rnn/gru_chains_run.h"

void gru_recur_neon(const struct gru_recur *q, const float *xw, float *h, float *y,
                    float *tmp)
{
	(void)tmp;
	switch (q->hidden) {
	case 4: chains_run(4, 4 <= PAIR_MAX_HIDDEN, q, xw, h, y); break;
	case 8: chains_run(8, 8 <= PAIR_MAX_HIDDEN, q, xw, h, y); break;
	default: chains_run(16, 16 <= PAIR_MAX_HIDDEN, q, xw, h, y); break;
	}
}

int gru_recur_neon_fits(int64_t hidden)
{
	return hidden == 4 || hidden == 8 || hidden == 16;
}

/* rows rows of gru_project_neon (x, xw at their first), rows (1 to 4) and nv
 * (n / 4, 1 to 12; rows * nv <= 12) constants where inlined: the sums stay in
 * registers. */
static inline __attribute__((always_inline)) void
proj_block(const int rows, const int nv, int64_t in, int64_t ldx, const float *x,
           const float *wt, const float *bx, float *xw)
{
	const int64_t n = 4 * nv;
	float32x4_t s[4][12];

#pragma GCC unroll 12
	for (int v = 0; v < nv; v++) {
		const float32x4_t w = vld1q_f32(wt + 4 * v);
#pragma GCC unroll 4
		for (int i = 0; i < rows; i++)
			s[i][v] = vmulq_n_f32(w, x[i * ldx]);
	}
	for (int64_t k = 1; k < in; k++)
#pragma GCC unroll 12
		for (int v = 0; v < nv; v++) {
			const float32x4_t w = vld1q_f32(wt + k * n + 4 * v);
#pragma GCC unroll 4
			for (int i = 0; i < rows; i++)
				s[i][v] = vfmaq_f32(s[i][v], vdupq_n_f32(x[i * ldx + k]), w);
		}
#pragma GCC unroll 12
	for (int v = 0; v < nv; v++) {
		const float32x4_t b = vld1q_f32(bx + 4 * v);
#pragma GCC unroll 4
		for (int i = 0; i < rows; i++)
			vst1q_f32(xw + i * n + 4 * v, vaddq_f32(s[i][v], b));
	}
}

#include "ops/rnn/gru_project_rows.h"

void gru_project_neon(int64_t rows, int64_t in, int64_t ldx, int64_t n, const float *x,
                      const float *wt, const float *bx, float *xw)
{
	switch (n / 4) {
	case 1: proj(4, 1, rows, in, ldx, x, wt, bx, xw); break;
	case 2: proj(4, 2, rows, in, ldx, x, wt, bx, xw); break;
	case 3: proj(4, 3, rows, in, ldx, x, wt, bx, xw); break;
	case 4: proj(4, 4, rows, in, ldx, x, wt, bx, xw); break;
	case 5: proj(4, 5, rows, in, ldx, x, wt, bx, xw); break;
	case 6: proj(4, 6, rows, in, ldx, x, wt, bx, xw); break;
	case 7: proj(4, 7, rows, in, ldx, x, wt, bx, xw); break;
	case 8: proj(4, 8, rows, in, ldx, x, wt, bx, xw); break;
	case 9: proj(4, 9, rows, in, ldx, x, wt, bx, xw); break;
	case 10: proj(4, 10, rows, in, ldx, x, wt, bx, xw); break;
	case 11: proj(4, 11, rows, in, ldx, x, wt, bx, xw); break;
	default: proj(4, 12, rows, in, ldx, x, wt, bx, xw); break;
	}
}

int gru_project_neon_fits(int64_t n, int64_t in)
{
	return n % 4 == 0 && n >= 4 && n <= 48 && in >= 1;
}

/* rnn_gemv_portable's product with the NEON micro-kernel (ops/math/gemm_neon.c): the
 * same sums, in NEON registers on 32-bit ARM too. */
void rnn_gemv_neon(int64_t n, int64_t k, const float *x, const float *a, int64_t lda,
                   float *y)
{
	gemm_f32_run(&gemm_ukernel_neon, 1, n, k, x, 1, 1, a, lda, y, n);
}

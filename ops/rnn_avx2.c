/* rnn_avx2.c - the GRU recurrence of ops/gru.h for x86-64 CPUs with AVX2 and FMA:
 * ops/rnn.c's step with hidden 8 and 16 in 8-float vectors, hidden 4 in 4-float
 * ones, and fused multiply-adds. Only this file is compiled for those instructions
 * (target pragma); GRU's prepare calls it only when the CPU reports both. */
#include "ops/gru.h"
#include "ops/mathfn.h"

#if defined(__x86_64__) && defined(__GNUC__)

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

MATHFN_DEFINE(v8f, v8i, v8u)

/* The step with 4-float vectors, hidden 4 */
static inline __attribute__((always_inline)) void
step4(const float *restrict xw, const float *restrict rt, const float *restrict rbh,
      float *restrict h)
{
	v4f hv = v4f_load(h), acc[3];         /* [3] h R^T: z, r, h blocks */

	for (int j = 0; j < 3; j++)
		acc[j] = hv[0] * v4f_load(rt + 4 * j);
#pragma GCC unroll 4
	for (int k = 1; k < 4; k++)
		for (int j = 0; j < 3; j++)
			acc[j] += hv[k] * v4f_load(rt + k * 12 + 4 * j);
	v4f z = v4f_sigmoid(v4f_load(xw) + acc[0]);
	v4f r = v4f_sigmoid(v4f_load(xw + 4) + acc[1]);
	/* g(Xt Wh^T + Wbh + r (.) (H Rh^T + Rbh)) */
	v4f c = v4f_tanh(v4f_load(xw + 8) + r * (acc[2] + v4f_load(rbh)));
	v4f_store(h, (1.0f - z) * c + z * hv);
}

/* The step with 8-float vectors, hidden hs = 8 or 16 (a constant where inlined) */
static inline __attribute__((always_inline)) void
step8(const int hs, const float *restrict xw, const float *restrict rt,
      const float *restrict rbh, float *restrict h)
{
	const int nv = hs / 8, g = 3 * hs;
	v8f acc[6], hv = v8f_load(h);         /* [3*hidden / 8] h R^T */

#pragma GCC unroll 6
	for (int j = 0; j < 3 * nv; j++)
		acc[j] = hv[0] * v8f_load(rt + 8 * j);
#pragma GCC unroll 16
	for (int k = 1; k < hs; k++) {
		if (k % 8 == 0)
			hv = v8f_load(h + k);
#pragma GCC unroll 6
		for (int j = 0; j < 3 * nv; j++)
			acc[j] += hv[k % 8] * v8f_load(rt + k * g + 8 * j);
	}
#pragma GCC unroll 2
	for (int j = 0; j < nv; j++) {
		v8f z = v8f_sigmoid(v8f_load(xw + 8 * j) + acc[j]);
		v8f r = v8f_sigmoid(v8f_load(xw + hs + 8 * j) + acc[nv + j]);
		v8f c = v8f_tanh(v8f_load(xw + 2 * hs + 8 * j) +
		                 r * (acc[2 * nv + j] + v8f_load(rbh + 8 * j)));
		v8f_store(h + 8 * j, (1.0f - z) * c + z * v8f_load(h + 8 * j));
	}
}

static inline __attribute__((always_inline)) void
recur(const int hs, const struct gru_recur *q, const float *xw, float *h, float *y)
{
	const int64_t seq = q->seq, batch = q->batch, g = 3 * hs;

	for (int64_t st = 0; st < seq; st++)
		for (int d = 0; d < q->dirs; d++) {
			int64_t t = d == 1 || q->reverse ? seq - 1 - st : st;
			for (int64_t b = 0; b < batch; b++) {
				int64_t row = q->layout ? b * seq + t : t * batch + b;
				const float *xr = xw + (d * seq * batch + row) * g;
				float *hb = h + (d * batch + b) * hs;
				if (hs == 4)
					step4(xr, q->rt[d], q->rbh[d], hb);
				else
					step8(hs, xr, q->rt[d], q->rbh[d], hb);
				if (y) {
					float *yr = y + (q->layout ? (row * q->dirs + d) * hs :
					                 ((t * q->dirs + d) * batch + b) * hs);
					for (int j = 0; j < hs; j++)
						yr[j] = hb[j];
				}
			}
		}
}

void gru_recur_avx2(const struct gru_recur *q, const float *xw, float *h, float *y,
                    float *tmp)
{
	(void)tmp;
	switch (q->hidden) {
	case 4: recur(4, q, xw, h, y); break;
	case 8: recur(8, q, xw, h, y); break;
	default: recur(16, q, xw, h, y); break;
	}
}

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

int gru_recur_avx2_ok(int64_t hidden)
{
	return (hidden == 4 || hidden == 8 || hidden == 16) &&
	       __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

#else

void gru_recur_avx2(const struct gru_recur *q, const float *xw, float *h, float *y,
                    float *tmp)
{
	gru_recur_portable(q, xw, h, y, tmp);
}

int gru_recur_avx2_ok(int64_t hidden)
{
	(void)hidden;
	return 0;
}

#endif

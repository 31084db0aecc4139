/* gru_kernel.h - what the GRU recurrence kernels share (ops/rnn/rnn.c portable,
 * ops/rnn/rnn_avx2.c, ops/rnn/rnn_wasm.c): the gate functions in 4-float vectors and
 * the chains of struct gru_recur (ops/rnn/gru.h). Include after ops/math/mathfn.h. */
#ifndef OPS_RNN_GRU_KERNEL_H
#define OPS_RNN_GRU_KERNEL_H

#include "ops/rnn/gru.h"

/* The gates of the common case, cheaper than mathfn.h's (the recurrence is
 * bound by their operations and their latency; ops/rnn/rnn_avx2.c's gate_sigmoid8 and
 * gate_tanh8 do the same ones): sigmoid with -|x| clamped at -87, where e^-|x| is
 * still a normal float, so that 2^n is one multiplication, and one division whose
 * numerator (1, or e^-|x| where x's sign bit is set) is chosen before it (within
 * an ulp of v4f_sigmoid above -87, 1.6e-38 instead of less below); tanh as
 * (e^2|x| - 1) / (e^2|x| + 1) with the sign of x put on the numerator, everywhere,
 * without the odd polynomial below 0.625 (there an absolute error up to 1.2e-7
 * instead of a relative one: the state is a sum of such values). */
MATHFN_INLINE v4f gate_sigmoid(v4f x)
{
	v4f nx = (v4f)((v4i)x | INT32_MIN), t, e, s;      /* -|x| */

	nx = v4f_select(nx < -87.0f, (v4f){ 0 } - 87.0f, nx);
	e = v4f_exp_parts(nx, &t);
	s = v4f_pow2(t);
	/* x < 0 (sign bit): e^x / (1 + e^x), else 1 / (1 + e^-x) */
	return v4f_select((v4i)x < 0, e * s, (v4f){ 0 } + 1.0f) / (e * s + 1.0f);
}

MATHFN_INLINE v4f gate_tanh(v4f x)
{
	v4i sign = (v4i)x & INT32_MIN;
	v4f ax = (v4f)((v4i)x ^ sign), t, p, s;

	ax = v4f_select(ax > 44.0f, (v4f){ 0 } + 44.0f, ax);   /* NaN passes */
	p = v4f_exp_parts(ax + ax, &t);
	s = v4f_pow2(t);
	/* (e^2|x| - 1) / (e^2|x| + 1) with the sign of x */
	return (v4f)((v4i)(p * s - 1.0f) ^ sign) / (p * s + 1.0f);
}

/* One chain (direction, batch entry) at step st: its row of xw, its state, its
 * row of Y (NULL: no Y) and its weights. */
struct chain {
	const float *x;     /* [3*hidden] xw row */
	float *h;           /* [hidden] state */
	float *y;           /* [hidden] Y row, or NULL */
	const float *rt;    /* [hidden][3*hidden] R^T */
	const float *rbh;   /* [hidden] Rbh */
};

static inline __attribute__((always_inline)) struct chain
chain_at(const int hs, const struct gru_recur *q, const float *xw, float *h, float *y,
         int d, int64_t b, int64_t st)
{
	const int64_t seq = q->seq, batch = q->batch;
	int64_t t = d == 1 || q->reverse ? seq - 1 - st : st;
	int64_t row = t * q->xw_t + b * q->xw_b;
	struct chain c;

	c.x = xw + (row * q->dirs + d) * 3 * hs;
	c.h = h + (d * batch + b) * hs;
	c.y = y ? y + t * q->y_t + d * q->y_d + b * q->y_b : NULL;
	c.rt = q->rt[d];
	c.rbh = q->rbh[d];
	return c;
}

#endif

/* gru_chain.h - where one chain (direction, batch entry) of ops/rnn/gru.h's recurrence
 * reads and writes at a step, for the SIMD forms that run several chains' steps
 * interleaved (ops/rnn/rnn_avx2.c, ops/rnn/rnn_neon.c, ops/rnn/rnn_wasm.c). */
#ifndef OPS_GRU_CHAIN_H
#define OPS_GRU_CHAIN_H

#include <stddef.h>
#include "ops/rnn/gru.h"

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

/* gru_chains_run.h - chains_run(): every step of every chain (direction, batch entry) of
 * a GRU recurrence (ops/rnn/gru.h), in the portable order, over the including file's
 * chain_steps(hs, nc, c), which advances chains c[0..nc) (nc 1 or 2, a constant where
 * inlined) by one step each, interleaved. No include guard: ops/rnn/rnn_avx2.c,
 * ops/rnn/rnn_neon.c and ops/rnn/rnn_wasm.c include it once, after their chain_steps
 * (and ops/rnn/gru_chain.h). */

/* hs (the hidden size) and pairs constants where inlined: pairs, the chains two at a
 * time (the last one alone); else one at a time. */
static inline __attribute__((always_inline)) void
chains_run(const int hs, const int pairs, const struct gru_recur *q, const float *xw,
           float *h, float *y)
{
	const int64_t batch = q->batch, n = q->dirs * batch;
	struct chain c[2];

	for (int64_t st = 0; st < q->seq; st++) {
		int64_t i = 0;
		for (; pairs && i + 2 <= n; i += 2) {
			c[0] = chain_at(hs, q, xw, h, y, (int)(i / batch), i % batch, st);
			c[1] = chain_at(hs, q, xw, h, y, (int)((i + 1) / batch), (i + 1) % batch, st);
			chain_steps(hs, 2, c);
		}
		for (; i < n; i++) {
			c[0] = chain_at(hs, q, xw, h, y, (int)(i / batch), i % batch, st);
			chain_steps(hs, 1, c);
		}
	}
}

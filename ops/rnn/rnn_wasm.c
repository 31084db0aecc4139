/* rnn_wasm.c - the GRU recurrence of ops/rnn/gru.h for WebAssembly SIMD128, hidden 4
 * and 8: ops/rnn/rnn.c's step (the same operations in the same order, so the same
 * results) with two chains' steps interleaved, both directions of a batch entry or two
 * batch entries, so that an engine has two independent dependency chains to overlap.
 * Measured in Node and left out: four chains at a time (no faster), hidden 16 (GTCRN's
 * are tiny: 21 KB of code for no gain), a one-pass input projection (9 KB, no faster
 * than the matrix product). Built for wasm32 only (libgrt-simd128.la in Makefile.am);
 * kernels_wasm_simd128 (ops/cpu_wasm.c) holds it. */
#include <stddef.h>
#include "ops/math/mathfn.h"
#include "ops/rnn/gru_chain.h"
#include "ops/rnn/gru_kernel.h"

#include <wasm_simd128.h>

#define INLINE static inline __attribute__((always_inline))

/* lane k of v in every lane */
INLINE v4f lane(v4f v, const int k)
{
	switch (k) {
	case 0: return (v4f)wasm_i32x4_shuffle((v128_t)v, (v128_t)v, 0, 0, 0, 0);
	case 1: return (v4f)wasm_i32x4_shuffle((v128_t)v, (v128_t)v, 1, 1, 1, 1);
	case 2: return (v4f)wasm_i32x4_shuffle((v128_t)v, (v128_t)v, 2, 2, 2, 2);
	default: return (v4f)wasm_i32x4_shuffle((v128_t)v, (v128_t)v, 3, 3, 3, 3);
	}
}

/* nc (1 or 2, a constant) steps with hidden hs = 4 or 8 (a constant) of chains
 * c[0..nc), interleaved: gru_step_v4's operations (ops/rnn/rnn.c) for each. */
INLINE void chain_steps(const int hs, const int nc, const struct chain *c)
{
	const int nv = hs / 4, g = 3 * hs;
	v4f acc[2][12], hv[2];                /* [nc][3*hidden / 4] h R^T */

#pragma clang loop unroll(full)
	for (int i = 0; i < nc; i++) {
		hv[i] = v4f_load(c[i].h);
#pragma clang loop unroll(full)
		for (int j = 0; j < 3 * nv; j++)
			acc[i][j] = lane(hv[i], 0) * v4f_load(c[i].rt + 4 * j);
	}
#pragma clang loop unroll(full)
	for (int k = 1; k < hs; k++)
#pragma clang loop unroll(full)
		for (int i = 0; i < nc; i++) {
			if (k % 4 == 0)
				hv[i] = v4f_load(c[i].h + k);
			const v4f hk = lane(hv[i], k % 4);
#pragma clang loop unroll(full)
			for (int j = 0; j < 3 * nv; j++)
				acc[i][j] += hk * v4f_load(c[i].rt + k * g + 4 * j);
		}
#pragma clang loop unroll(full)
	for (int j = 0; j < nv; j++)
#pragma clang loop unroll(full)
		for (int i = 0; i < nc; i++) {
			const float *x = c[i].x;
			v4f z = gate_sigmoid(v4f_load(x + 4 * j) + acc[i][j]);
			v4f r = gate_sigmoid(v4f_load(x + hs + 4 * j) + acc[i][nv + j]);
			/* g(Xt Wh^T + Wbh + r (.) (H Rh^T + Rbh)) */
			v4f gc = gate_tanh(v4f_load(x + 2 * hs + 4 * j) +
			                   r * (acc[i][2 * nv + j] + v4f_load(c[i].rbh + 4 * j)));
			v4f hn = (1.0f - z) * gc + z * v4f_load(c[i].h + 4 * j);
			v4f_store(c[i].h + 4 * j, hn);
			if (c[i].y)
				v4f_store(c[i].y + 4 * j, hn);
		}
}

/* the chains two at a time: with two directions and one batch entry, both directions
 * of each step side by side */
#include "ops/rnn/gru_chains_run.h"

void gru_recur_wasm(const struct gru_recur *q, const float *xw, float *h, float *y,
                    float *tmp)
{
	(void)tmp;
	switch (q->hidden) {
	case 4: chains_run(4, 1, q, xw, h, y); break;
	default: chains_run(8, 1, q, xw, h, y); break;
	}
}

int gru_recur_wasm_fits(int64_t hidden)
{
	return hidden == 4 || hidden == 8;
}

/* rnn_wasm.c - the GRU recurrence and input projection of ops/rnn/gru.h for
 * WebAssembly SIMD128: ops/rnn/rnn.c's step (the same operations in the same order,
 * so the same results) with two chains' steps interleaved, so that an engine's code
 * has two independent dependency chains to overlap (the recurrence is bound by the
 * latency of its gates): hidden 4, both directions of a batch entry (or two batch
 * entries) side by side; hidden 8 and 16, the chains two at a time. The projection
 * X W^T + biases with its sums in registers, written once. Built for wasm32 only
 * (libgrt-simd128.la in Makefile.am); kernels_wasm_simd128 (ops/cpu_wasm.c) holds
 * them. */
#include <stddef.h>
#include "ops/math/mathfn.h"
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

/* nc (1 or 2, a constant) steps with hidden hs = 4, 8 or 16 (a constant) of chains
 * c[0..nc), interleaved: gru_step_v4's operations (ops/rnn/rnn.c) for each. */
INLINE void steps(const int hs, const int nc, const struct chain *c)
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

/* The chains (d, b) in the portable order, two at a time: with two directions
 * and one batch entry, both directions of each step side by side. */
INLINE void recur(const int hs, const struct gru_recur *q, const float *xw, float *h, float *y)
{
	const int64_t batch = q->batch, n = q->dirs * batch;
	struct chain c[2];

	for (int64_t st = 0; st < q->seq; st++) {
		int64_t i = 0;
		for (; i + 2 <= n; i += 2) {
			c[0] = chain_at(hs, q, xw, h, y, (int)(i / batch), i % batch, st);
			c[1] = chain_at(hs, q, xw, h, y, (int)((i + 1) / batch), (i + 1) % batch, st);
			steps(hs, 2, c);
		}
		if (i < n) {
			c[0] = chain_at(hs, q, xw, h, y, (int)(i / batch), i % batch, st);
			steps(hs, 1, c);
		}
	}
}

void gru_recur_wasm(const struct gru_recur *q, const float *xw, float *h, float *y,
                    float *tmp)
{
	(void)tmp;
	switch (q->hidden) {
	case 4: recur(4, q, xw, h, y); break;
	case 8: recur(8, q, xw, h, y); break;
	default: recur(16, q, xw, h, y); break;
	}
}

int gru_recur_wasm_fits(int64_t hidden)
{
	return hidden == 4 || hidden == 8 || hidden == 16;
}

/* rows rows of gru_project_wasm (x, xw at their first), rows (1 to 4) and nv (n / 4,
 * 1 to 12; rows * nv <= 12) constants where inlined: the sums stay in registers. */
INLINE void proj_block(const int rows, const int nv, int64_t in, int64_t ldx, const float *x,
                       const float *wt, const float *bx, float *xw)
{
	const int64_t n = 4 * nv;
	v4f s[4][12];

#pragma clang loop unroll(full)
	for (int v = 0; v < nv; v++) {
		v4f w = v4f_load(wt + 4 * v);
#pragma clang loop unroll(full)
		for (int i = 0; i < rows; i++)
			s[i][v] = x[i * ldx] * w;
	}
	for (int64_t k = 1; k < in; k++)
#pragma clang loop unroll(full)
		for (int v = 0; v < nv; v++) {
			v4f w = v4f_load(wt + k * n + 4 * v);
#pragma clang loop unroll(full)
			for (int i = 0; i < rows; i++)
				s[i][v] += x[i * ldx + k] * w;
		}
#pragma clang loop unroll(full)
	for (int v = 0; v < nv; v++) {
		v4f b = v4f_load(bx + 4 * v);
#pragma clang loop unroll(full)
		for (int i = 0; i < rows; i++)
			v4f_store(xw + i * n + 4 * v, s[i][v] + b);
	}
}

INLINE void proj(const int nv, int64_t rows, int64_t in, int64_t ldx, const float *x,
                 const float *wt, const float *bx, float *xw)
{
	const int rb = nv <= 3 ? 4 : nv <= 4 ? 3 : nv <= 6 ? 2 : 1;     /* rows per block */
	int64_t i = 0;

	for (; i + rb <= rows; i += rb)
		proj_block(rb, nv, in, ldx, x + i * ldx, wt, bx, xw + i * 4 * nv);
	for (; i < rows; i++)
		proj_block(1, nv, in, ldx, x + i * ldx, wt, bx, xw + i * 4 * nv);
}

void gru_project_wasm(int64_t rows, int64_t in, int64_t ldx, int64_t n, const float *x,
                      const float *wt, const float *bx, float *xw)
{
	switch (n / 4) {
	case 1: proj(1, rows, in, ldx, x, wt, bx, xw); break;
	case 2: proj(2, rows, in, ldx, x, wt, bx, xw); break;
	case 3: proj(3, rows, in, ldx, x, wt, bx, xw); break;
	case 4: proj(4, rows, in, ldx, x, wt, bx, xw); break;
	case 5: proj(5, rows, in, ldx, x, wt, bx, xw); break;
	case 6: proj(6, rows, in, ldx, x, wt, bx, xw); break;
	case 7: proj(7, rows, in, ldx, x, wt, bx, xw); break;
	case 8: proj(8, rows, in, ldx, x, wt, bx, xw); break;
	case 9: proj(9, rows, in, ldx, x, wt, bx, xw); break;
	case 10: proj(10, rows, in, ldx, x, wt, bx, xw); break;
	case 11: proj(11, rows, in, ldx, x, wt, bx, xw); break;
	default: proj(12, rows, in, ldx, x, wt, bx, xw); break;
	}
}

int gru_project_wasm_fits(int64_t n, int64_t in)
{
	return n % 4 == 0 && n >= 4 && n <= 48 && in >= 1;
}

/* rnn_avx2.c - the GRU recurrence of ops/rnn/gru.h for x86-64 CPUs with AVX2 and FMA:
 * ops/rnn/rnn.c's step in 8-float vectors with fused multiply-adds; hidden 4 with two
 * chains per vector (one per 128-bit half), hidden 8 and 16 one chain per vector,
 * two chains' steps interleaved; and the input projection with its sums in
 * registers. Built on x86-64 only, for those instructions (-mavx2 -mfma:
 * libgrt-avx2.la in Makefile.am); kernels_avx2 (ops/cpu_x86.c) holds them, chosen
 * only when the CPU reports both. */
#include "ops/rnn/gru.h"
#include "ops/rnn/gru_chain.h"
#include "ops/rnn/rnn_common.h"
#include "ops/math/gemm.h"
#include "ops/math/mathfn.h"

#include <immintrin.h>

#define V v8f
#define VI v8i
#define VU v8u
#define VF(name) v8f_##name
#include "ops/math/mathfn_vec.h"

/* The gate functions of ops/rnn/rnn.c (gate_sigmoid, gate_tanh), the same operations
 * in 8 lanes; the clamps as vmaxps / vminps, which keep a NaN in their second
 * operand as the selects there do; sigmoid's numerator by vblendvps on x's sign
 * bit. */
static inline v8f gate_sigmoid8(v8f x)
{
	v8f nx = (v8f)((v8i)x | INT32_MIN), t, e, s;      /* -|x| */

	nx = (v8f)_mm256_max_ps(_mm256_set1_ps(-87.0f), (__m256)nx);
	e = v8f_exp_parts(nx, &t);
	s = v8f_pow2(t);
	/* x < 0 (sign bit): e^x / (1 + e^x), else 1 / (1 + e^-x) */
	return (v8f)_mm256_blendv_ps(_mm256_set1_ps(1.0f), (__m256)(e * s), (__m256)x) /
	       (e * s + 1.0f);
}

static inline v8f gate_tanh8(v8f x)
{
	v8i sign = (v8i)x & INT32_MIN;
	v8f ax = (v8f)((v8i)x ^ sign), t, p, s;

	ax = (v8f)_mm256_min_ps(_mm256_set1_ps(44.0f), (__m256)ax);
	p = v8f_exp_parts(ax + ax, &t);
	s = v8f_pow2(t);
	/* (e^2|x| - 1) / (e^2|x| + 1) with the sign of x */
	return (v8f)((v8i)(p * s - 1.0f) ^ sign) / (p * s + 1.0f);
}

/* [lo[0..3], hi[0..3]] and back */
static inline v8f load2(const float *lo, const float *hi)
{
	return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(lo)),
	                            _mm_loadu_ps(hi), 1);
}

static inline void store2(float *lo, float *hi, v8f v)
{
	_mm_storeu_ps(lo, _mm256_castps256_ps128(v));
	_mm_storeu_ps(hi, _mm256_extractf128_ps(v, 1));
}

/* One step of hidden 4 for two chains, a in lanes 0-3 and c in lanes 4-7 of hv
 * (their states), from their xw rows xa and xc: the new states. h[k] is
 * broadcast within each 128-bit half; each chain gets the operations of
 * gru_step_v4 (ops/rnn/rnn.c) in its own lanes. */
static inline __attribute__((always_inline)) v8f
step4x2(v8f hv, const float *xa, const float *xc, const float *restrict rt2, v8f rbh2)
{
	v8f acc[3], hk;                       /* [3] h R^T: z, r, h */

	hk = _mm256_permute_ps(hv, 0x00);
	for (int j = 0; j < 3; j++)
		acc[j] = hk * v8f_load(rt2 + 8 * j);
	hk = _mm256_permute_ps(hv, 0x55);
	for (int j = 0; j < 3; j++)
		acc[j] += hk * v8f_load(rt2 + 24 + 8 * j);
	hk = _mm256_permute_ps(hv, 0xaa);
	for (int j = 0; j < 3; j++)
		acc[j] += hk * v8f_load(rt2 + 48 + 8 * j);
	hk = _mm256_permute_ps(hv, 0xff);
	for (int j = 0; j < 3; j++)
		acc[j] += hk * v8f_load(rt2 + 72 + 8 * j);
	v8f z = gate_sigmoid8(load2(xa, xc) + acc[0]);
	v8f r = gate_sigmoid8(load2(xa + 4, xc + 4) + acc[1]);
	/* g(Xt Wh^T + Wbh + r (.) (H Rh^T + Rbh)) */
	v8f g = gate_tanh8(load2(xa + 8, xc + 8) + r * (acc[2] + rbh2));
	return (1.0f - z) * g + z * hv;
}

/* nc (1 or 2, a constant) steps with hidden hs = 8 or 16 (a constant) in 8-float
 * vectors, of chains c[0..nc), interleaved so that their dependency chains
 * overlap. h[k] is broadcast from memory. */
static inline __attribute__((always_inline)) void
chain_steps(const int hs, const int nc, const struct chain *c)
{
	const int nv = hs / 8, g = 3 * hs;
	v8f acc[2][6], hk;                    /* [nc][3*hidden / 8] h R^T */

#pragma GCC unroll 2
	for (int i = 0; i < nc; i++) {
		hk = _mm256_broadcast_ss(c[i].h);
#pragma GCC unroll 6
		for (int j = 0; j < 3 * nv; j++)
			acc[i][j] = hk * v8f_load(c[i].rt + 8 * j);
	}
#pragma GCC unroll 16
	for (int k = 1; k < hs; k++)
#pragma GCC unroll 2
		for (int i = 0; i < nc; i++) {
			hk = _mm256_broadcast_ss(c[i].h + k);
#pragma GCC unroll 6
			for (int j = 0; j < 3 * nv; j++)
				acc[i][j] += hk * v8f_load(c[i].rt + k * g + 8 * j);
		}
#pragma GCC unroll 2
	for (int j = 0; j < nv; j++)
#pragma GCC unroll 2
		for (int i = 0; i < nc; i++) {
			const float *x = c[i].x;
			v8f z = gate_sigmoid8(v8f_load(x + 8 * j) + acc[i][j]);
			v8f r = gate_sigmoid8(v8f_load(x + hs + 8 * j) + acc[i][nv + j]);
			v8f gc = gate_tanh8(v8f_load(x + 2 * hs + 8 * j) +
			                    r * (acc[i][2 * nv + j] + v8f_load(c[i].rbh + 8 * j)));
			v8f hn = (1.0f - z) * gc + z * v8f_load(c[i].h + 8 * j);
			v8f_store(c[i].h + 8 * j, hn);
			if (c[i].y)
				v8f_store(c[i].y + 8 * j, hn);
		}
}

/* hidden 4: the chains in pairs, (b, direction 0) with (b, direction 1), or with
 * dirs = 1 (b, b + 1) (an odd last entry with itself). One pair: its state stays
 * in a register. */
static void recur4(const struct gru_recur *q, const float *xw, float *h, float *y)
{
	const int64_t batch = q->batch, dl = q->dirs - 1;
	const int64_t n_pairs = dl ? batch : (batch + 1) / 2;
	const v8f rbh2 = v8f_load(q->rbh2);
	struct chain a, c;

	if (n_pairs == 1) {
		v8f hv;
		a = chain_at(4, q, xw, h, y, 0, 0, 0);
		c = chain_at(4, q, xw, h, y, (int)dl, batch - 1, 0);
		hv = load2(a.h, c.h);
		for (int64_t st = 0; st < q->seq; st++) {
			a = chain_at(4, q, xw, h, y, 0, 0, st);
			c = chain_at(4, q, xw, h, y, (int)dl, batch - 1, st);
			hv = step4x2(hv, a.x, c.x, q->rt2, rbh2);
			if (y)
				store2(a.y, c.y, hv);
		}
		store2(a.h, c.h, hv);
		return;
	}
	for (int64_t st = 0; st < q->seq; st++)
		for (int64_t i = 0; i < n_pairs; i++) {
			int64_t ba = dl ? i : 2 * i, bc = dl || ba + 1 == batch ? ba : ba + 1;
			v8f hv;
			a = chain_at(4, q, xw, h, y, 0, ba, st);
			c = chain_at(4, q, xw, h, y, (int)dl, bc, st);
			hv = step4x2(load2(a.h, c.h), a.x, c.x, q->rt2, rbh2);
			store2(a.h, c.h, hv);
			if (y)
				store2(a.y, c.y, hv);
		}
}

/* hidden 8 and 16: the chains two at a time */
#include "ops/rnn/gru_chains_run.h"

/* rows rows of gru_project_avx2 (x, xw at their first), rows (1 to 4) and nv
 * (n / 8, 1 to 6; rows * nv <= 12) constants where inlined: the sums stay in
 * registers. */
static inline __attribute__((always_inline)) void
proj_block(const int rows, const int nv, int64_t in, int64_t ldx, const float *x,
           const float *wt, const float *bx, float *xw)
{
	const int64_t n = 8 * nv;
	v8f s[4][6];

#pragma GCC unroll 6
	for (int v = 0; v < nv; v++) {
		v8f w = v8f_load(wt + 8 * v);
#pragma GCC unroll 4
		for (int i = 0; i < rows; i++)
			s[i][v] = x[i * ldx] * w;
	}
	for (int64_t k = 1; k < in; k++)
#pragma GCC unroll 6
		for (int v = 0; v < nv; v++) {
			v8f w = v8f_load(wt + k * n + 8 * v);
#pragma GCC unroll 4
			for (int i = 0; i < rows; i++)
				s[i][v] += x[i * ldx + k] * w;
		}
#pragma GCC unroll 6
	for (int v = 0; v < nv; v++) {
		v8f b = v8f_load(bx + 8 * v);
#pragma GCC unroll 4
		for (int i = 0; i < rows; i++)
			v8f_store(xw + i * n + 8 * v, s[i][v] + b);
	}
}

#include "ops/rnn/gru_project_rows.h"

void gru_project_avx2(int64_t rows, int64_t in, int64_t ldx, int64_t n, const float *x,
                      const float *wt, const float *bx, float *xw)
{
	switch (n / 8) {
	case 1: proj(8, 1, rows, in, ldx, x, wt, bx, xw); break;
	case 2: proj(8, 2, rows, in, ldx, x, wt, bx, xw); break;
	case 3: proj(8, 3, rows, in, ldx, x, wt, bx, xw); break;
	case 4: proj(8, 4, rows, in, ldx, x, wt, bx, xw); break;
	case 5: proj(8, 5, rows, in, ldx, x, wt, bx, xw); break;
	default: proj(8, 6, rows, in, ldx, x, wt, bx, xw); break;
	}
}

void gru_recur_avx2(const struct gru_recur *q, const float *xw, float *h, float *y,
                    float *tmp)
{
	(void)tmp;
	switch (q->hidden) {
	case 4: recur4(q, xw, h, y); break;
	case 8: chains_run(8, 1, q, xw, h, y); break;
	default: chains_run(16, 1, q, xw, h, y); break;
	}
}

int gru_recur_avx2_fits(int64_t hidden)
{
	return hidden == 4 || hidden == 8 || hidden == 16;
}

int gru_project_avx2_fits(int64_t n, int64_t in)
{
	return n % 8 == 0 && n >= 8 && n <= 48 && in >= 1;
}

/* nv (1 or 8, a constant where inlined) vectors of rnn_gemv_avx2's sums */
static inline __attribute__((always_inline)) void
gemv_block(const int nv, int64_t k, const float *x, const float *a, int64_t lda, float *y)
{
	v8f s[8];

#pragma GCC unroll 8
	for (int v = 0; v < nv; v++)
		s[v] = (v8f){ 0 };
	for (int64_t p = 0; p < k; p++, a += lda) {
		float xv = x[p];
#pragma GCC unroll 8
		for (int v = 0; v < nv; v++)
			s[v] += xv * v8f_load(a + 8 * v);
	}
#pragma GCC unroll 8
	for (int v = 0; v < nv; v++)
		v8f_store(y + 8 * v, v8f_load(y + 8 * v) + s[v]);
}

void rnn_gemv_avx2(int64_t n, int64_t k, const float *x, const float *a, int64_t lda,
                   float *y)
{
	int64_t j = 0;

	for (; j + 64 <= n; j += 64)
		gemv_block(8, k, x, a + j, lda, y + j);
	for (; j + 8 <= n; j += 8)
		gemv_block(1, k, x, a + j, lda, y + j);
	if (j < n)      /* the last 1 to 7 columns */
		gemm_f32_run(&gemm_ukernel_avx2, 1, n - j, k, x, 1, 1, a + j, lda, y + j, n - j);
}

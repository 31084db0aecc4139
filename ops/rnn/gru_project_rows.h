/* gru_project_rows.h - proj() of the one-pass GRU projection (ops/rnn/gru.h) over the
 * including file's proj_block(rows, nv, in, ldx, x, wt, bx, xw), which computes rows
 * rows of nv vectors of vl floats: the rows in blocks of as many as keep rows * nv <= 12
 * vectors of sums (at most 4), then one at a time. No include guard:
 * ops/rnn/rnn_avx2.c and ops/rnn/rnn_neon.c include it once, after their proj_block. */

/* vl and nv constants where inlined; xw [rows][vl * nv] */
static inline __attribute__((always_inline)) void
proj(const int vl, const int nv, int64_t rows, int64_t in, int64_t ldx, const float *x,
     const float *wt, const float *bx, float *xw)
{
	const int rb = 12 / nv < 4 ? 12 / nv : 4;          /* rows per block */
	int64_t i = 0;

	for (; i + rb <= rows; i += rb)
		proj_block(rb, nv, in, ldx, x + i * ldx, wt, bx, xw + i * vl * nv);
	for (; i < rows; i++)
		proj_block(1, nv, in, ldx, x + i * ldx, wt, bx, xw + i * vl * nv);
}

/* conv_planes.h - the drivers of conv_plane4 and conv_plane2 (ops/nn/conv.h) over the
 * including file's blocks: plane4_block(shared, act, y, ys, o, x, xs, off, w, nq, bias,
 * slope) (4 channels) and plane2_block(act, y, ys, o, x, off, w, nq, bias, slope) (2
 * channels sharing x), each bw outputs from o; below one block, each channel through
 * plane (the including file's conv_plane). No include guard: ops/nn/conv_avx2.c,
 * ops/nn/conv_neon.c and ops/nn/conv_wasm.c include it once, after their blocks. */

/* bw and plane constants where inlined */
static inline __attribute__((always_inline)) void
plane4_run(const int bw, conv_plane_f32_fn plane, float *y, int64_t ys, int64_t n,
           const float *x, int64_t xs, const int64_t *off, const float *w, int64_t nq,
           const float *bias, const float *slope)
{
	int64_t o = 0;

	/* the last 1 to bw - 1 as the bw that end at n, computed again */
	for (; o < n && n >= bw; o += bw) {
		o = o + bw > n ? n - bw : o;
		if (xs && slope)
			plane4_block(0, 1, y, ys, o, x, xs, off, w, nq, bias, slope);
		else if (xs)
			plane4_block(0, 0, y, ys, o, x, xs, off, w, nq, bias, slope);
		else if (slope)
			plane4_block(1, 1, y, ys, o, x, 0, off, w, nq, bias, slope);
		else
			plane4_block(1, 0, y, ys, o, x, 0, off, w, nq, bias, slope);
	}
	if (o < n)   /* n < bw */
		for (int j = 0; j < 4; j++)
			plane(y + j * ys, n, x + j * xs, off, w + j * nq, nq, bias[j],
			      slope ? slope + j : NULL);
}

static inline __attribute__((always_inline)) void
plane2_run(const int bw, conv_plane_f32_fn plane, float *y, int64_t ys, int64_t n,
           const float *x, const int64_t *off, const float *w, int64_t nq, const float *bias,
           const float *slope)
{
	int64_t o = 0;

	/* the last 1 to bw - 1 as the bw that end at n, computed again */
	for (; o < n && n >= bw; o += bw) {
		o = o + bw > n ? n - bw : o;
		if (slope)
			plane2_block(1, y, ys, o, x, off, w, nq, bias, slope);
		else
			plane2_block(0, y, ys, o, x, off, w, nq, bias, slope);
	}
	if (o < n)   /* n < bw */
		for (int j = 0; j < 2; j++)
			plane(y + j * ys, n, x, off, w + j * nq, nq, bias[j], slope ? slope + j : NULL);
}

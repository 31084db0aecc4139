/* conv_kernel.h - the Conv and ConvTranspose kernels of ops/nn/conv.c for one element type.
 * No include guard: ops/nn/conv.c includes it once per type, with T the element type and
 * KN(name) the name with the type's suffix (KN(im2col) is im2col_f32 for float), after
 * the per-type helpers it calls (KN(gemm), KN(plane), KN(plane4), KN(plane2), KN(deint2),
 * KN(int2), KN(prelu), KN(epi)); it undefines T and KN at its end. x, w, y point at
 * one batch item and group:
 *   Conv:          x [cg, in...], w [mg, cg, k...], y [mg, out...]
 *   ConvTranspose: x [cg, in...], w [cg, mg, k...], y [mg, out...]
 * with channel strides in_size / out_size. */

/* y[0, n) = v, four at a time, the last 0 to 3 one by one without a loop: clang -Os
 * (the wasm build) makes any loop of unknown length a vector loop with one
 * compare and branch per element */
static void KN(fill)(T *restrict y, int64_t n, T v)
{
	typedef T vec4 __attribute__((vector_size(4 * sizeof(T))));
	const vec4 v4 = { v, v, v, v };
	int64_t i = 0;
	for (; i + 4 <= n; i += 4)
		memcpy(y + i, &v4, sizeof(v4));
	if (i < n)
		y[i] = v;
	if (i + 1 < n)
		y[i + 1] = v;
	if (i + 2 < n)
		y[i + 2] = v;
}

/* y[i] += a * x[i] */
static void KN(axpy)(T *restrict y, const T *restrict x, T a, int64_t n)
{
	int64_t i = 0;
	for (; i + 8 <= n; i += 8)
		for (int j = 0; j < 8; j++)
			y[i + j] += a * x[i + j];
	for (; i < n; i++)
		y[i] += a * x[i];
}

/* d[i] = x[i * st]; strides 1 and 2 as constants so that the loops vectorise */
static void KN(gather)(T *restrict d, const T *restrict x, int64_t st, int64_t n)
{
	if (st == 1)
		for (int64_t i = 0; i < n; i++)
			d[i] = x[i];
	else if (st == 2)
		for (int64_t i = 0; i < n; i++)
			d[i] = x[2 * i];
	else
		for (int64_t i = 0; i < n; i++)
			d[i] = x[i * st];
}

/* y[i * st] += s[i], the same way */
static void KN(scatter_add)(T *restrict y, const T *restrict s, int64_t st, int64_t n)
{
	if (st == 1)
		for (int64_t i = 0; i < n; i++)
			y[i] += s[i];
	else if (st == 2)
		for (int64_t i = 0; i < n; i++)
			y[2 * i] += s[i];
	else
		for (int64_t i = 0; i < n; i++)
			y[i * st] += s[i];
}

/* Three taps at stride 1 over nr <= 3 rows (a constant where inlined), in one pass
 * over y[0, n): for each row r in order and t = 0, 1, 2 in order, y[o] +=
 * wr[r][t] * xr[r][o + sh[t]] where lo[t] <= o < hi[t]. The same sums as one axpy
 * pass per row and tap, with y read and written once. */
static inline __attribute__((always_inline)) void
KN(taps3_rows)(const int nr, T *restrict y, const T *const *xr, const T *const *wr,
               const int64_t *sh, const int64_t *lo, const int64_t *hi, int64_t n)
{
	const int64_t s0 = sh[0], s1 = sh[1], s2 = sh[2];
	T w[3][3];
	const T *restrict x0 = xr[0];
	const T *restrict x1 = nr > 1 ? xr[1] : xr[0];
	const T *restrict x2 = nr > 2 ? xr[2] : xr[0];
	int64_t a = lo[0], b = hi[0];
	for (int r = 0; r < nr; r++)
		for (int t = 0; t < 3; t++)
			w[r][t] = wr[r][t];
	for (int t = 1; t < 3; t++) {
		a = lo[t] > a ? lo[t] : a;
		b = hi[t] < b ? hi[t] : b;
	}
	a = a < 0 ? 0 : a > n ? n : a;
	b = b < a ? a : b > n ? n : b;
	for (int64_t o = 0; o < n; o++) {       /* edges: [0, a) and [b, n) */
		if (o == a)
			o = b;
		if (o >= n)
			break;
		T v = y[o];
		for (int r = 0; r < nr; r++)
			for (int t = 0; t < 3; t++)
				if (o >= lo[t] && o < hi[t])
					v += w[r][t] * xr[r][o + sh[t]];
		y[o] = v;
	}
	for (int64_t o = a; o < b; o++) {
		T v = y[o];
		v += w[0][0] * x0[o + s0];
		v += w[0][1] * x0[o + s1];
		v += w[0][2] * x0[o + s2];
		if (nr > 1) {
			v += w[1][0] * x1[o + s0];
			v += w[1][1] * x1[o + s1];
			v += w[1][2] * x1[o + s2];
		}
		if (nr > 2) {
			v += w[2][0] * x2[o + s0];
			v += w[2][1] * x2[o + s1];
			v += w[2][2] * x2[o + s2];
		}
		y[o] = v;
	}
}

static void KN(taps3)(int nr, T *y, const T *const *xr, const T *const *wr,
                      const int64_t *sh, const int64_t *lo, const int64_t *hi, int64_t n)
{
	if (nr == 3)
		KN(taps3_rows)(3, y, xr, wr, sh, lo, hi, n);
	else if (nr == 2)
		KN(taps3_rows)(2, y, xr, wr, sh, lo, hi, n);
	else
		KN(taps3_rows)(1, y, xr, wr, sh, lo, hi, n);
}

/* Conv, all output positions j: colt [out_size][cg * k_size], row j the input
 * values that output j reads (0 in the padding), in W's (c, kd, kh, kw) order:
 * the transposed product's A, for few output positions (p->wt). */
static void KN(im2col_t)(const struct conv_params *p, const T *x, T *colt)
{
	const int64_t kk = p->cg * p->k_size;

	for (int64_t j = 0; j < p->out_size; j++) {
		const int64_t ow = j % p->out[2], oh = j / p->out[2] % p->out[1];
		const int64_t od = j / p->out[2] / p->out[1];
		/* the taps kw in [lo, hi) read inside the row, at w0 + kw * dil */
		const int64_t w0 = ow * p->stride[2] - p->pad[2];
		const int64_t dil = p->dil[2];
		int64_t a = 0, b = p->k[2];
		T *d = colt + j * kk;
		while (a < b && w0 + a * dil < 0)
			a++;
		while (b > a && w0 + (b - 1) * dil >= p->in[2])
			b--;
		for (int64_t c = 0; c < p->cg; c++)
			for (int64_t kd = 0; kd < p->k[0]; kd++)
				for (int64_t kh = 0; kh < p->k[1]; kh++, d += p->k[2]) {
					const int64_t id = od * p->stride[0] + kd * p->dil[0] - p->pad[0];
					const int64_t ih = oh * p->stride[1] + kh * p->dil[1] - p->pad[1];
					const T *xr = x + (c * p->in[0] + id) * p->in[1] * p->in[2] +
					              ih * p->in[2];
					if (id < 0 || id >= p->in[0] || ih < 0 || ih >= p->in[1]) {
						KN(fill)(d, p->k[2], 0);
						continue;
					}
					KN(fill)(d, a, 0);
					if (dil == 1 && b - a >= 16)
						memcpy(d + a, xr + w0 + a, (size_t)(b - a) * sizeof(T));
					else
						for (int64_t kw = a; kw < b; kw++)
							d[kw] = xr[w0 + kw * dil];
					KN(fill)(d + b, p->k[2] - b, 0);
				}
	}
}

/* Conv: col [cg * k_size, (r1 - r0) * out[2]] for output rows [r0, r1). */
static void KN(im2col)(const struct conv_params *p, const T *x, int64_t r0, int64_t r1,
                       T *col)
{
	const int64_t ow_n = p->out[2], oh_n = p->out[1];
	const int64_t ncol = (r1 - r0) * ow_n;
	T *row = col;
	for (int64_t c = 0; c < p->cg; c++) {
		const T *xc = x + c * p->in_size;
		for (int64_t kd = 0; kd < p->k[0]; kd++)
		for (int64_t kh = 0; kh < p->k[1]; kh++)
		for (int64_t kw = 0; kw < p->k[2]; kw++, row += ncol) {
			const int64_t w0 = p->lo[2][kw], w1 = p->hi[2][kw];
			const int64_t off = kw * p->dil[2] - p->pad[2];
			for (int64_t r = r0; r < r1; r++) {
				const int64_t od = r / oh_n, oh = r % oh_n;
				T *restrict d = row + (r - r0) * ow_n;
				if (od < p->lo[0][kd] || od >= p->hi[0][kd] ||
				    oh < p->lo[1][kh] || oh >= p->hi[1][kh]) {
					KN(fill)(d, ow_n, 0);
					continue;
				}
				const int64_t id = od * p->stride[0] + kd * p->dil[0] - p->pad[0];
				const int64_t ih = oh * p->stride[1] + kh * p->dil[1] - p->pad[1];
				const T *restrict xr = xc + (id * p->in[1] + ih) * p->in[2];
				const int64_t sw = p->stride[2];
				KN(fill)(d, w0, 0);
				if (w1 > w0)
					KN(gather)(d + w0, xr + w0 * sw + off, sw, w1 - w0);
				KN(fill)(d + w1, ow_n - w1, 0);
			}
		}
	}
}

/* ConvTranspose: y += col2im(col), col [mg * k_size, (r1 - r0) * in[2]] for input
 * rows [r0, r1). */
static void KN(col2im)(const struct conv_params *p, const T *col, int64_t r0,
                       int64_t r1, T *y, T *ph)
{
	const int64_t iw_n = p->in[2], ih_n = p->in[1];
	const int64_t ncol = (r1 - r0) * iw_n;
	const int64_t ow_n = p->out[2], ne = (ow_n + 1) / 2, n_rows = p->out[0] * p->out[1];
	const T *row = col;
	for (int64_t m = 0; m < p->mg; m++) {
		T *ym = y + m * p->out_size;
		/* each row of ph: the even elements of y's row [ne], then the odd ones */
		for (int64_t q = 0; ph && q < n_rows; q++) {
			KN(deint2)(p, ph + q * ow_n, ph + q * ow_n + ne, ym + q * ow_n, ow_n / 2);
			if (ow_n % 2)
				ph[q * ow_n + ne - 1] = ym[q * ow_n + ow_n - 1];
		}
		for (int64_t kd = 0; kd < p->k[0]; kd++)
		for (int64_t kh = 0; kh < p->k[1]; kh++)
		for (int64_t kw = 0; kw < p->k[2]; kw++, row += ncol) {
			const int64_t w0 = p->lo[2][kw], w1 = p->hi[2][kw];
			const int64_t off = kw * p->dil[2] - p->pad[2];
			const int64_t sw = p->stride[2];
			for (int64_t r = r0; r < r1; r++) {
				const int64_t id = r / ih_n, ih = r % ih_n;
				if (id < p->lo[0][kd] || id >= p->hi[0][kd] ||
				    ih < p->lo[1][kh] || ih >= p->hi[1][kh])
					continue;
				const int64_t od = id * p->stride[0] + kd * p->dil[0] - p->pad[0];
				const int64_t oh = ih * p->stride[1] + kh * p->dil[1] - p->pad[1];
				T *restrict yr = ym + (od * p->out[1] + oh) * p->out[2];
				const T *restrict s = row + (r - r0) * iw_n;
				if (w1 <= w0)
					continue;
				if (ph) {
					/* y[2 iw + off] is phase (off & 1), index
					 * iw + (off - phase) / 2 there */
					const int64_t phase = off & 1;
					T *pr = ph + (od * p->out[1] + oh) * ow_n + (phase ? ne : 0);
					KN(scatter_add)(pr + w0 + (off - phase) / 2, s + w0, 1, w1 - w0);
				} else {
					KN(scatter_add)(yr + w0 * sw + off, s + w0, sw, w1 - w0);
				}
			}
		}
		for (int64_t q = 0; ph && q < n_rows; q++)
			KN(int2)(p, ym + q * ow_n, ph + q * ow_n, ph + q * ow_n + ne, ow_n);
	}
}

/* Conv: one output row += taps kw of weights wr over input row xr. */
static void KN(row_gather)(const struct conv_params *p, T *restrict yr,
                           const T *restrict xr, const T *wr)
{
	const int64_t sw = p->stride[2];
	for (int64_t kw = 0; kw < p->k[2]; kw++) {
		const int64_t w0 = p->lo[2][kw], w1 = p->hi[2][kw];
		const int64_t off = kw * p->dil[2] - p->pad[2];
		if (w1 <= w0)
			continue;
		if (sw == 1) {
			KN(axpy)(yr + w0, xr + w0 + off, wr[kw], w1 - w0);
			continue;
		}
		for (int64_t ow = w0; ow < w1; ow++)
			yr[ow] += wr[kw] * xr[ow * sw + off];
	}
}

/* ConvTranspose: output row yr += input row xr scattered by taps kw of wr. */
static void KN(row_scatter)(const struct conv_params *p, T *restrict yr,
                            const T *restrict xr, const T *wr)
{
	const int64_t sw = p->stride[2];
	for (int64_t kw = 0; kw < p->k[2]; kw++) {
		const int64_t w0 = p->lo[2][kw], w1 = p->hi[2][kw];
		const int64_t off = kw * p->dil[2] - p->pad[2];
		if (w1 <= w0)
			continue;
		if (sw == 1) {
			KN(axpy)(yr + w0 + off, xr + w0, wr[kw], w1 - w0);
			continue;
		}
		for (int64_t iw = w0; iw < w1; iw++)
			yr[iw * sw + off] += wr[kw] * xr[iw];
	}
}

/* Conv, gather form: each output row sums its taps. */
static void KN(conv_direct)(const struct conv_params *p, const T *x, const T *w,
                            const T *b, T *y, const struct epilogue *e, int64_t c0)
{
	for (int64_t m = 0; m < p->mg; m++)
	for (int64_t od = 0; od < p->out[0]; od++)
	for (int64_t oh = 0; oh < p->out[1]; oh++) {
		T *yr = y + m * p->out_size + (od * p->out[1] + oh) * p->out[2];
		KN(fill)(yr, p->out[2], b ? b[m] : 0);
		for (int64_t kd = 0; kd < p->k[0]; kd++) {
			if (od < p->lo[0][kd] || od >= p->hi[0][kd])
				continue;
			const int64_t id = od * p->stride[0] + kd * p->dil[0] - p->pad[0];
			for (int64_t kh = 0; kh < p->k[1]; kh++) {
				if (oh < p->lo[1][kh] || oh >= p->hi[1][kh])
					continue;
				const int64_t ih = oh * p->stride[1] + kh * p->dil[1] - p->pad[1];
				for (int64_t c = 0; c < p->cg; c++)
					KN(row_gather)(p, yr,
					    x + c * p->in_size + (id * p->in[1] + ih) * p->in[2],
					    w + ((m * p->cg + c) * p->k[0] + kd) * p->k[1] * p->k[2]
					      + kh * p->k[2]);
			}
		}
		KN(epi)(e, yr, p->out[2], c0 + m);
	}
}

/* ConvTranspose, scatter form: each tap adds the input rows that land inside y
 * (biased before). */
static void KN(convt_direct)(const struct conv_params *p, const T *x, const T *w,
                             T *y, const struct epilogue *e, int64_t c0)
{
	for (int64_t m = 0; m < p->mg; m++) {
		for (int64_t c = 0; c < p->cg; c++)
		for (int64_t kd = 0; kd < p->k[0]; kd++)
		for (int64_t id = p->lo[0][kd]; id < p->hi[0][kd]; id++) {
			const int64_t od = id * p->stride[0] + kd * p->dil[0] - p->pad[0];
			for (int64_t kh = 0; kh < p->k[1]; kh++)
			for (int64_t ih = p->lo[1][kh]; ih < p->hi[1][kh]; ih++) {
				const int64_t oh = ih * p->stride[1] + kh * p->dil[1] - p->pad[1];
				KN(row_scatter)(p,
				    y + m * p->out_size + (od * p->out[1] + oh) * p->out[2],
				    x + c * p->in_size + (id * p->in[1] + ih) * p->in[2],
				    w + ((c * p->mg + m) * p->k[0] + kd) * p->k[1] * p->k[2]
				      + kh * p->k[2]);
			}
		}
		KN(epi)(e, y + m * p->out_size, p->out_size, c0 + m);
	}
}

/* One input channel per group, three taps along the last axis at stride 1 (Conv
 * and ConvTranspose): each output row takes its (kd, kh) input rows in the order
 * of conv_direct / convt_direct, three at a time through taps3. */
static void KN(direct3)(const struct conv_params *p, const T *x, const T *w,
                        const T *b, T *y, const struct epilogue *e, int64_t c0)
{
	int64_t sh[3], lo[3], hi[3];
	for (int t = 0; t < 3; t++) {
		const int64_t off = t * p->dil[2] - p->pad[2];
		/* Conv: x index o + off; ConvTranspose: input iw lands on o = iw + off */
		sh[t] = p->transpose ? -off : off;
		lo[t] = p->lo[2][t] + (p->transpose ? off : 0);
		hi[t] = p->hi[2][t] + (p->transpose ? off : 0);
	}
	for (int64_t m = 0; m < p->mg; m++)
	for (int64_t od = 0; od < p->out[0]; od++)
	for (int64_t oh = 0; oh < p->out[1]; oh++) {
		T *yr = y + m * p->out_size + (od * p->out[1] + oh) * p->out[2];
		const T *xr[3], *wr[3];
		int nr = 0;
		KN(fill)(yr, p->out[2], b ? b[m] : 0);
		for (int64_t kd = 0; kd < p->k[0]; kd++) {
			/* the input row whose tap kd reaches od (ConvTranspose: od =
			 * id * stride + kd * dil - pad, solved for id) */
			int64_t id, ih, t;
			if (!p->transpose) {
				if (od < p->lo[0][kd] || od >= p->hi[0][kd])
					continue;
				id = od * p->stride[0] + kd * p->dil[0] - p->pad[0];
			} else {
				t = od + p->pad[0] - kd * p->dil[0];
				if (t < 0 || t % p->stride[0] || t / p->stride[0] >= p->in[0])
					continue;
				id = t / p->stride[0];
			}
			for (int64_t kh = 0; kh < p->k[1]; kh++) {
				if (!p->transpose) {
					if (oh < p->lo[1][kh] || oh >= p->hi[1][kh])
						continue;
					ih = oh * p->stride[1] + kh * p->dil[1] - p->pad[1];
				} else {
					t = oh + p->pad[1] - kh * p->dil[1];
					if (t < 0 || t % p->stride[1] ||
					    t / p->stride[1] >= p->in[1])
						continue;
					ih = t / p->stride[1];
				}
				xr[nr] = x + (id * p->in[1] + ih) * p->in[2];
				wr[nr] = w + (m * p->k[0] + kd) * p->k[1] * 3 + kh * 3;
				if (++nr == 3) {
					KN(taps3)(3, yr, xr, wr, sh, lo, hi, p->out[2]);
					nr = 0;
				}
			}
		}
		if (nr)
			KN(taps3)(nr, yr, xr, wr, sh, lo, hi, p->out[2]);
		KN(epi)(e, yr, p->out[2], c0 + m);
	}
}

/* y[i * st] = s[i] */
static void KN(put_strided)(T *restrict y, const T *restrict s, int64_t st, int64_t n)
{
	if (st == 1)
		for (int64_t i = 0; i < n; i++)
			y[i] = s[i];
	else if (st == 2)
		for (int64_t i = 0; i < n; i++)
			y[2 * i] = s[i];
	else
		for (int64_t i = 0; i < n; i++)
			y[i * st] = s[i];
}

/* ALGO_PLANE, one batch item and group (struct conv_params): per tile of output
 * rows, the padded planes of the cg input channels (both phases of a stride-2 row in
 * one pass), then each output channel and phase as one run of taps through them (two
 * ConvTranspose phases interleaved in one pass). The planes' pad columns are zeroed
 * once: rows write only the data columns [a, b) (or zeros when outside X). */
static void KN(plane_group)(const struct conv_params *p, const T *x, const T *w,
                            const T *b, T *y, T *scr, const struct epilogue *e, int64_t c0)
{
	const int64_t p2 = p->pl_p2, ow_n = p->out[2], iw_n = p->in[2], rows = p->out[1];
	const int64_t s_in = p->transpose ? 1 : p->stride[2], s_out = p->pl_nph_out;
	const int64_t ys = p->pl_direct ? p->out_size : p->pl_rows * p2;
	const int64_t a2 = p->pl_a[0];
	const int64_t n2x = p->pl_nph_in == 2 && p->pl_a[1] == a2 ?
	        (p->pl_b[1] < p->pl_b[0] ? p->pl_b[1] : p->pl_b[0]) - a2 : 0;
	const float *slope = KN(prelu)(e, c0);
	int64_t mb;
	T *ye = (T *)((char *)scr + p->pl_y_off);
	T *wb = (T *)((char *)scr + p->pl_w_off);
	KN(fill)(scr, p->cg * p->pl_nph_in * p->pl_plane, 0);
	for (int64_t r0 = 0; r0 < rows; r0 += p->pl_rows) {
		const int64_t r1 = r0 + p->pl_rows < rows ? r0 + p->pl_rows : rows;
		const int64_t nr = r1 - r0;
		for (int64_t c = 0; c < p->cg; c++)
		for (int64_t ph = 0; ph < nr + p->pl_halo; ph++) {
			const int64_t ih = r0 + p->pl_minh + ph;
			const T *xr = x + c * p->in_size + ih * iw_n;
			T *d0 = scr + c * p->pl_nph_in * p->pl_plane + ph * p2;
			if (ih < 0 || ih >= p->in[1]) {
				for (int64_t r = 0; r < p->pl_nph_in; r++)
					KN(fill)(d0 + r * p->pl_plane, p2, 0);
				continue;
			}
			if (n2x > 0) {
				/* phase 0 columns [a, b0), phase 1 [a, b1): both
				 * through [a, a + n2x), then the one left over */
				T *d1 = d0 + p->pl_plane;
				const T *xa = xr + (a2 + p->pl_minq) * 2;
				KN(deint2)(p, d0 + a2, d1 + a2, xa, n2x);
				for (int64_t i = n2x; i < p->pl_b[0] - a2; i++)
					d0[a2 + i] = xa[2 * i];
				for (int64_t i = n2x; i < p->pl_b[1] - a2; i++)
					d1[a2 + i] = xa[2 * i + 1];
				continue;
			}
			for (int64_t r = 0; r < p->pl_nph_in; r++) {
				const int64_t a = p->pl_a[r], bb = p->pl_b[r];
				if (bb > a)
					KN(gather)(d0 + r * p->pl_plane + a,
					           xr + (a + p->pl_minq) * s_in + r, s_in, bb - a);
			}
		}
		/* output channels 4 at a time while there are 4, then 2, then 1 */
		for (int64_t m = 0; m < p->mg; m += mb) {
			T *ym = y + m * p->out_size + r0 * ow_n, bias[4];
			const float *sl = slope ? slope + m : NULL;
			mb = p->mg - m >= 4 ? 4 : p->mg - m >= 2 ? 2 : 1;
			for (int64_t j = 0; j < mb; j++)
				bias[j] = b ? b[m + j] : 0;
			for (int64_t ph = 0; ph < s_out && ph < ow_n; ph++) {
				const int64_t nq = p->pl_nq[ph], n2 = (ow_n - ph + s_out - 1) / s_out;
				const int64_t *off = p->pl_off + ph * p->pl_qmax;
				const int64_t *wi = p->pl_wi + ph * p->pl_qmax;
				const int64_t len = (nr - 1) * p2 + n2;
				/* two output phases: each its own [4][ys] outputs */
				T *yo = p->pl_direct ? ym : ye + (s_out == 2 ? ph * 4 * ys : 0);
				for (int64_t j = 0; j < mb; j++)
					for (int64_t q = 0; q < nq; q++)
						wb[j * nq + q] = w[(m + j) * p->pl_wm + wi[q]];
				if (mb == 4)
					KN(plane4)(p, yo, ys, len, scr, 0, off, wb, nq, bias, sl);
				else if (mb == 2)
					KN(plane2)(p, yo, ys, len, scr, off, wb, nq, bias, sl);
				else
					KN(plane)(p, yo, len, scr, off, wb, nq, bias[0], sl);
				if (p->pl_direct || s_out == 2)
					continue;
				for (int64_t j = 0; j < mb; j++)
					for (int64_t i = 0; i < nr; i++)
						KN(put_strided)(ym + j * p->out_size + i * ow_n + ph,
						                yo + j * ys + i * p2, s_out, n2);
			}
			if (s_out == 2)
				for (int64_t j = 0; j < mb; j++)
					for (int64_t i = 0; i < nr; i++)
						KN(int2)(p, ym + j * p->out_size + i * ow_n,
						         ye + j * ys + i * p2,
						         ye + (4 + j) * ys + i * p2, ow_n);
			if (!slope)
				for (int64_t j = 0; j < mb; j++)
					KN(epi)(e, ym + j * p->out_size, nr * ow_n, c0 + m + j);
		}
	}
}

/* ALGO_PLANE in place: output (oh, ow) of one channel with weights wj, its taps
 * inside X only */
static T KN(ip_point)(const struct conv_params *p, const T *x, const T *wj, T bias,
                      int64_t oh, int64_t ow)
{
	const int64_t W = p->in[2], nq = p->pl_nq[0];
	T s = bias;
	for (int64_t q = 0; q < nq; q++) {
		const int64_t ih = oh + p->ip_dh[q], iw = ow + p->ip_dw[q];
		if (ih >= 0 && ih < p->in[1] && iw >= 0 && iw < W)
			s += wj[q] * x[p->ip_c[q] * p->in_size + ih * W + iw];
	}
	return s;
}

/* ALGO_PLANE in place, one batch item and group (struct conv_params) */
static void KN(inplace_group)(const struct conv_params *p, const T *x, const T *w,
                              const T *b, T *y, T *scr, const struct epilogue *e,
                              int64_t c0)
{
	const int64_t W = p->in[2], nq = p->pl_nq[0], el = p->ip_el, er = p->ip_er;
	const int64_t ra = p->ip_ra, rb = p->ip_rb, rows = p->out[1];
	const int64_t *wi = p->pl_wi;
	int64_t mb, fo[PLANE_MAX_TAPS];
	T bias[4], fw[PLANE_MAX_TAPS];
	for (int64_t m = 0; m < p->mg; m += mb) {
		mb = p->mg - m >= 4 ? 4 : 1;
		for (int64_t j = 0; j < mb; j++) {
			bias[j] = b ? b[m + j] : 0;
			for (int64_t q = 0; q < nq; q++)
				scr[j * nq + q] = w[(m + j) * p->pl_wm + wi[q]];
		}
		if (rb > ra) {
			const int64_t o0 = ra * W + el, len = (rb - 1) * W + W - er - o0;
			if (mb == 4)
				KN(plane4)(p, y + m * p->out_size + o0, p->out_size, len,
				           x + o0, 0, p->ip_off, scr, nq, bias, NULL);
			else
				KN(plane)(p, y + m * p->out_size + o0, len, x + o0,
				          p->ip_off, scr, nq, bias[0], NULL);
		}
		for (int64_t j = 0; j < mb; j++) {
			T *yj = y + (m + j) * p->out_size;
			const T *wj = scr + j * nq;
			for (int64_t oh = 0; oh < rows; oh++) {
				if (oh < ra || oh >= rb) {
					int64_t fq = 0;
					for (int64_t q = 0; q < nq; q++) {
						const int64_t ih = oh + p->ip_dh[q];
						if (ih < 0 || ih >= p->in[1])
							continue;
						fo[fq] = p->ip_off[q];
						fw[fq++] = wj[q];
					}
					KN(plane)(p, yj + oh * W + el, W - el - er,
					          x + oh * W + el, fo, fw, fq, bias[j], NULL);
				}
				if (oh >= ra && oh < rb)
					continue;
				for (int64_t ow = 0; ow < el; ow++)
					yj[oh * W + ow] = KN(ip_point)(p, x, wj, bias[j], oh, ow);
				for (int64_t ow = W - er; ow < W; ow++)
					yj[oh * W + ow] = KN(ip_point)(p, x, wj, bias[j], oh, ow);
			}
			/* the run's edge columns: rows inside X, taps inside the row */
			for (int64_t k = 0; k < el + er; k++) {
				const int64_t ow = k < el ? k : W - el - er + k;
				const int64_t eq = p->ip_enq[k], *qs = p->ip_eq + k * p->pl_qmax;
				for (int64_t oh = ra; oh < rb; oh++) {
					const int64_t o = oh * W + ow;
					T sum = bias[j];
					for (int64_t t = 0; t < eq; t++)
						sum += wj[qs[t]] * x[o + p->ip_off[qs[t]]];
					yj[o] = sum;
				}
			}
			KN(epi)(e, yj, p->out_size, c0 + m + j);
		}
	}
}

/* ALGO_TAPS: the padded input rows of one group into d [tp_gs] */
static void KN(taps_copy)(const struct conv_params *p, const T *x, T *d)
{
	const int64_t iw_n = p->in[2], sx = p->tp_sx, pl = p->tp_pl, wd = p->tp_w;
	static const T zero4[4];
	for (int64_t c = 0; c < p->cg; c++)
	for (int64_t sl = 0; sl < p->tp_nslot; sl++, d += sx * wd) {
		const T *xr = x + c * p->in_size + p->tp_slot[sl] * iw_n;
		/* fixed-size blocks (rows are a multiple of 4 long): short rows, and
		 * compilers call memset / memcpy for loops of unknown length. Zeros in
		 * the blocks of the pads only, of every phase first: the data
		 * overwrites the rest */
		for (int64_t r = 0; r < sx; r++) {
			const int64_t len = r < iw_n ? (iw_n - r + sx - 1) / sx : 0;
			for (int64_t i = 0; i < pl; i += 4)
				memcpy(d + r * wd + i, zero4, sizeof(zero4));
			for (int64_t i = (pl + len) & ~(int64_t)3; i < wd; i += 4)
				memcpy(d + r * wd + i, zero4, sizeof(zero4));
		}
		if (sx == 1 && iw_n >= 4) {
			T *restrict dr = d + pl;
			int64_t i = 0;
			for (; i + 4 <= iw_n; i += 4)
				memcpy(dr + i, xr + i, 4 * sizeof(T));
			memcpy(dr + iw_n - 4, xr + iw_n - 4, 4 * sizeof(T));
		} else if (sx == 2) {
			/* both phases in one pass; an odd row's last element is phase 0's */
			KN(deint2)(p, d + pl, d + wd + pl, xr, iw_n / 2);
			if (iw_n % 2)
				d[pl + iw_n / 2] = xr[iw_n - 1];
		} else {
			for (int64_t r = 0; r < sx && r < iw_n; r++)
				KN(gather)(d + r * wd + pl, xr + r, sx, (iw_n - r + sx - 1) / sx);
		}
	}
}

/* ALGO_TAPS: output row oh of mb (4 or 1) channels, one run of taps per phase. Channel
 * j reads the padded rows at scr + j * xs (xs = 0: the same rows) with weights
 * wp + j * wcs and writes its row at yr + j * ycs; sl: its PRelu's slope at sl[j] or
 * NULL; ye, wb: the phase outputs and gathered weights in scratch. */
static void KN(taps_row)(const struct conv_params *p, int64_t oh, int64_t mb, T *yr,
                         int64_t ycs, const T *scr, int64_t xs, const T *wp, int64_t wcs,
                         const T *bias, const float *sl, T *ye, T *wb)
{
	const int64_t ow_n = p->out[2], s = p->tp_nph, ys = s > 1 ? p->tp_ys : ycs;
	for (int64_t ph = 0; ph < s && ph < ow_n; ph++) {
		const int64_t k = oh * s + ph, nq = p->tp_nq[k];
		const int64_t n2 = (ow_n - ph + s - 1) / s;
		const int64_t *off = p->tp_off + k * p->tp_qmax;
		const int64_t *wi = p->tp_wi + k * p->tp_qmax;
		T *yo = s > 1 ? ye + (s == 2 ? ph * 4 * ys : 0) : yr;
		const T *wq = wp;
		if (!p->tp_wid[k] || wcs != nq) {
			for (int64_t j = 0; j < mb; j++)
				for (int64_t q = 0; q < nq; q++)
					wb[j * nq + q] = wp[j * wcs + wi[q]];
			wq = wb;
		}
		if (mb == 4)
			KN(plane4)(p, yo, ys, n2, scr, xs, off, wq, nq, bias, sl);
		else
			KN(plane)(p, yo, n2, scr, off, wq, nq, bias[0], sl);
		if (s > 2)
			for (int64_t j = 0; j < mb; j++)
				KN(put_strided)(yr + j * ycs + ph, ye + j * ys, s, n2);
	}
	/* two phases: interleaved in one pass */
	if (s == 2)
		for (int64_t j = 0; j < mb; j++)
			KN(int2)(p, yr + j * ycs, ye + j * ys, ye + (4 + j) * ys, ow_n);
}

/* ALGO_TAPS with fewer than 4 output channels per group: groups [0, tp_g4) four at a
 * time, one run of taps per output channel, row and phase for the four (each group
 * reads its own rows, ops/nn/conv.h). x, y: one batch item; w, b: all groups. */
static void KN(taps_groups4)(const struct conv_params *p, const T *x, const T *w,
                             const T *b, T *y, T *scr, const struct epilogue *e)
{
	const int64_t gs = p->tp_gs;
	const int64_t x_group = p->cg * p->in_size, y_group = p->mg * p->out_size;
	const int64_t w_group = p->cg * p->mg * p->k_size;
	T *ye = (T *)((char *)scr + p->tp_y_off);
	T *wb = (T *)((char *)scr + p->tp_w_off);
	/* a PRelu in the kernels where the four channels' slopes are adjacent */
	const float *slope = p->mg == 1 ? KN(prelu)(e, 0) : NULL;
	for (int64_t g = 0; g < p->tp_g4; g += 4)
	for (int64_t m = 0; m < p->mg; m++) {
		T bias[4];
		if (!m)
			for (int64_t j = 0; j < 4; j++)
				KN(taps_copy)(p, x + (g + j) * x_group, scr + j * gs);
		for (int64_t j = 0; j < 4; j++)
			bias[j] = b ? b[(g + j) * p->mg + m] : 0;
		for (int64_t oh = 0; oh < p->out[1]; oh++)
			KN(taps_row)(p, oh, 4, y + g * y_group + m * p->out_size + oh * p->out[2],
			             y_group, scr, gs, w + g * w_group + m * p->tp_wm, w_group,
			             bias, slope ? slope + g : NULL, ye, wb);
		for (int64_t j = 0; j < 4 && !slope; j++)
			KN(epi)(e, y + (g + j) * y_group + m * p->out_size, p->out_size,
			        (g + j) * p->mg + m);
	}
}

/* ALGO_TAPS, one batch item and group (struct conv_params): the padded input rows,
 * then each output channel (4 at a time while there are 4), row and phase as one run
 * of taps. */
static void KN(taps_group)(const struct conv_params *p, const T *x, const T *w,
                           const T *b, T *y, T *scr, const struct epilogue *e, int64_t c0)
{
	T *ye = (T *)((char *)scr + p->tp_y_off);
	T *wb = (T *)((char *)scr + p->tp_w_off);
	const float *slope = KN(prelu)(e, c0);     /* a PRelu in the kernels */
	int64_t mb;
	KN(taps_copy)(p, x, scr);
	for (int64_t m = 0; m < p->mg; m += mb) {
		T bias[4];
		mb = p->mg - m >= 4 ? 4 : 1;
		for (int64_t j = 0; j < mb; j++)
			bias[j] = b ? b[m + j] : 0;
		for (int64_t oh = 0; oh < p->out[1]; oh++)
			KN(taps_row)(p, oh, mb, y + m * p->out_size + oh * p->out[2], p->out_size,
			             scr, 0, w + m * p->tp_wm, p->tp_wm, bias,
			             slope ? slope + m : NULL, ye, wb);
		for (int64_t j = 0; j < mb && !slope; j++)
			KN(epi)(e, y + (m + j) * p->out_size, p->out_size, c0 + m + j);
	}
}

static void KN(bias)(const struct conv_params *p, const T *b, T *y)
{
	for (int64_t m = 0; m < p->mg; m++)
		KN(fill)(y + m * p->out_size, p->out_size, b ? b[m] : 0);
}

/* ALGO_COLUMNS, few columns, one tile (float): Y^T = col^T W^T, W^T packed, into
 * scratch, then Y = bias + that. */
static void KN(columns_t)(const struct conv_params *p, const T *x, const T *b, T *y, T *col,
                          const struct epilogue *e, int64_t c0)
{
	const int64_t cols = p->out_size, kk = p->cg * p->k_size;
	T *ct = (T *)((char *)col + p->ct_off);
	const T *wt = (const T *)p->wt + c0 / p->mg * p->wt_group;

	KN(fill)(ct, cols * p->mg, 0);
	if (p->ct_direct) {
		KN(packed)(p, cols, p->mg, kk, x + p->ct_x0, p->stride[2], p->dil[2], wt, ct,
		           p->mg);
	} else if (p->ct_taps) {
		for (int64_t t = 0; t < p->k_size; t++) {
			const int64_t *r = p->ct_t + 3 * t;     /* first row, rows, x offset */
			if (r[1] > 0)
				KN(packed)(p, r[1], p->mg, p->cg, x + r[2], p->stride[2],
				           p->in_size, wt + t * p->wt_tap, ct + r[0] * p->mg,
				           p->mg);
		}
	} else {
		KN(im2col_t)(p, x, col);
		KN(packed)(p, cols, p->mg, kk, col, kk, 1, wt, ct, p->mg);
	}
	/* the bias, then the sum added (as KN(bias) and the other algorithms' +=);
	 * along the rows of Y^T, the long side */
	for (int64_t j = 0; j < cols; j++) {
		const T *restrict cr = ct + j * p->mg;
		T *restrict yc = y + j;
		if (b)
			for (int64_t m = 0; m < p->mg; m++)
				yc[m * cols] = b[m] + cr[m];
		else
			for (int64_t m = 0; m < p->mg; m++)
				yc[m * cols] = 0 + cr[m];
	}
	if (e && e->kind == EPI_PRELU)
		for (int64_t m = 0; m < p->mg; m++)
			KN(epi)(e, y + m * cols, cols, c0 + m);
	else            /* the same function on every channel: one call */
		KN(epi)(e, y, p->mg * cols, c0);
}

/* One batch item, one group. b: this group's [mg] biases or NULL; c0: the first
 * output channel of the group (for the epilogue). */
static void KN(conv_group)(const struct conv_params *p, const T *x, const T *w,
                           const T *b, T *y, T *col, const struct epilogue *e, int64_t c0)
{
	const int64_t kk = p->cg * p->k_size;
	if (p->algo == ALGO_PLANE && p->pl_inplace) {
		KN(inplace_group)(p, x, w, b, y, col, e, c0);
		return;
	}
	if (p->algo == ALGO_PLANE) {
		KN(plane_group)(p, x, w, b, y, col, e, c0);
		return;
	}
	if (p->algo == ALGO_TAPS) {
		KN(taps_group)(p, x, w, b, y, col, e, c0);
		return;
	}
	if (p->algo == ALGO_DIRECT && p->rows3) {
		KN(direct3)(p, x, w, b, y, e, c0);
		return;
	}
	if (p->algo == ALGO_DIRECT) {
		if (!p->transpose) {
			KN(conv_direct)(p, x, w, b, y, e, c0);
			return;
		}
		KN(bias)(p, b, y);
		KN(convt_direct)(p, x, w, y, e, c0);
		return;
	}
	if (p->wt) {
		KN(columns_t)(p, x, b, y, col, e, c0);
		return;
	}
	KN(bias)(p, b, y);
	if (p->algo == ALGO_POINTWISE) {
		/* with an epilogue, column chunks that are still in cache when it runs */
		const int64_t chunk = e && e->kind != EPI_NONE ? EPI_CHUNK : p->out_size;
		for (int64_t j = 0; j < p->out_size; j += chunk) {
			const int64_t nj = p->out_size - j < chunk ? p->out_size - j : chunk;
			if (!p->transpose)
				KN(gemm)(p, p->mg, nj, p->cg, w, p->cg, 1, x + j, p->in_size,
				         y + j, p->out_size);
			else
				KN(gemm)(p, p->mg, nj, p->cg, w, 1, p->mg, x + j, p->in_size,
				         y + j, p->out_size);
			for (int64_t m = 0; m < p->mg; m++)
				KN(epi)(e, y + m * p->out_size + j, nj, c0 + m);
		}
		return;
	}
	if (!p->transpose) {
		const int64_t rows = p->out[0] * p->out[1], rl = p->out[2];
		for (int64_t r0 = 0; r0 < rows; r0 += p->tile_rows) {
			int64_t r1 = r0 + p->tile_rows < rows ? r0 + p->tile_rows : rows;
			KN(im2col)(p, x, r0, r1, col);
			KN(gemm)(p, p->mg, (r1 - r0) * rl, kk, w, kk, 1, col, (r1 - r0) * rl,
			         y + r0 * rl, p->out_size);
			for (int64_t m = 0; m < p->mg; m++)
				KN(epi)(e, y + m * p->out_size + r0 * rl, (r1 - r0) * rl, c0 + m);
		}
		return;
	}
	const int64_t rows = p->in[0] * p->in[1], rl = p->in[2];
	for (int64_t r0 = 0; r0 < rows; r0 += p->tile_rows) {
		int64_t r1 = r0 + p->tile_rows < rows ? r0 + p->tile_rows : rows;
		KN(fill)(col, p->col_rows * (r1 - r0) * rl, 0);
		KN(gemm)(p, p->col_rows, (r1 - r0) * rl, p->cg, w, 1, p->col_rows,
		         x + r0 * rl, p->in_size, col, (r1 - r0) * rl);
		KN(col2im)(p, col, r0, r1, y,
		           p->phase_off ? (T *)((char *)col + p->phase_off) : NULL);
	}
	/* an output row takes taps from several input rows: final only at the end */
	for (int64_t m = 0; m < p->mg; m++)
		KN(epi)(e, y + m * p->out_size, p->out_size, c0 + m);
}

static void KN(conv_run)(const struct conv_params *p, const T *x, const T *w,
                         const T *b, T *y, T *col, const struct epilogue *e)
{
	const int64_t x_group = p->cg * p->in_size, y_group = p->mg * p->out_size;
	const int64_t w_group = p->cg * p->mg * p->k_size;
	for (int64_t n = 0; n < p->batch; n++) {
		int64_t g = 0;
		if (p->algo == ALGO_TAPS && p->tp_g4) {
			KN(taps_groups4)(p, x + n * p->group * x_group, w, b,
			                 y + n * p->group * y_group, col, e);
			g = p->tp_g4;
		}
		for (; g < p->group; g++)
			KN(conv_group)(p, x + (n * p->group + g) * x_group, w + g * w_group,
			               b ? b + g * p->mg : NULL,
			               y + (n * p->group + g) * y_group, col, e,
			               g * p->mg);
	}
}

#undef KN
#undef T

/* conv.c - Conv and ConvTranspose, opsets 1..latest, float and double, 1 to 3 spatial
 * axes (https://onnx.ai/onnx/operators/onnx__Conv.html, onnx__ConvTranspose.html).
 * Plan time (ops/conv_plan.c) resolves shapes, pads and one algorithm: a GEMM for
 * pointwise kernels; for 1-D and 2-D kernels with few taps per output (C/group x
 * kernel), stride 1 along H and any stride along W, "planes": the input rows copied
 * once into zero-padded planes (one per W phase), then each output channel is one long
 * run of multiply-adds at fixed offsets (ops/conv.h); direct loops when a group has one
 * input channel; else im2col + GEMM (Conv) or GEMM + col2im (ConvTranspose) over row
 * tiles in scratch memory. Shapes that would take planes but have few outputs (one
 * streaming frame) take "taps": the same runs over copies of only the input rows that
 * taps read, padded only as far as the taps reach, with depthwise groups 4 at a time.
 * A fused activation (node->epi) runs on each finished tile. */
#include <string.h>
#include "ops/conv_internal.h"

/* c[m, n] += sum_k a[m*a_rs + k*a_cs] * b[k*ldb + n] (ops/gemm.h). */
static void gemm_f32(const struct conv_params *p, int64_t m_n, int64_t n_n, int64_t k_n,
                     const float *a, int64_t a_rs, int64_t a_cs, const float *b, int64_t ldb,
                     float *c, int64_t ldc)
{
	p->gemm(m_n, n_n, k_n, a, a_rs, a_cs, b, ldb, c, ldc);
}

static void gemm_f64(const struct conv_params *p, int64_t m_n, int64_t n_n, int64_t k_n,
                     const double *a, int64_t a_rs, int64_t a_cs, const double *b,
                     int64_t ldb, double *c, int64_t ldc)
{
	(void)p;
	for (int64_t m = 0; m < m_n; m++)
		for (int64_t n = 0; n < n_n; n++) {
			double s = 0;
			for (int64_t k = 0; k < k_n; k++)
				s += a[m * a_rs + k * a_cs] * b[k * ldb + n];
			c[m * ldc + n] += s;
		}
}

void conv_plane_f32_portable(float *y, int64_t n, const float *x, const int64_t *off,
                             const float *w, int64_t nq, float bias, const float *slope)
{
	typedef float v4f __attribute__((vector_size(16)));
	const v4f b = { bias, bias, bias, bias };
	int64_t o = 0;

	for (; o + 16 <= n; o += 16) {
		v4f s[4] = { b, b, b, b };
		for (int64_t q = 0; q < nq; q++) {
			const float *xp = x + o + off[q];
			const float wq = w[q];
#pragma GCC unroll 4
			for (int v = 0; v < 4; v++) {
				v4f xv;
				memcpy(&xv, xp + 4 * v, sizeof(xv));
				s[v] += wq * xv;
			}
		}
		memcpy(y + o, s, sizeof(s));
	}
	for (; o + 4 <= n; o += 4) {
		v4f s = b;
		for (int64_t q = 0; q < nq; q++) {
			v4f xv;
			memcpy(&xv, x + o + off[q], sizeof(xv));
			s += w[q] * xv;
		}
		memcpy(y + o, &s, sizeof(s));
	}
	for (; o < n; o++) {
		float s = bias;
		for (int64_t q = 0; q < nq; q++)
			s += w[q] * x[o + off[q]];
		y[o] = s;
	}
	if (slope)
		for (o = 0; o < n; o++)
			y[o] = y[o] < 0 ? slope[0] * y[o] : y[o];
}

void conv_plane4_f32_portable(float *y, int64_t ys, int64_t n, const float *x, int64_t xs,
                              const int64_t *off, const float *w, int64_t nq,
                              const float *bias, const float *slope)
{
	for (int j = 0; j < 4; j++)
		conv_plane_f32_portable(y + j * ys, n, x + j * xs, off, w + j * nq, nq, bias[j],
		                        slope ? slope + j : NULL);
}

void conv_plane2_f32_portable(float *y, int64_t ys, int64_t n, const float *x,
                              const int64_t *off, const float *w, int64_t nq,
                              const float *bias, const float *slope)
{
	for (int j = 0; j < 2; j++)
		conv_plane_f32_portable(y + j * ys, n, x, off, w + j * nq, nq, bias[j],
		                        slope ? slope + j : NULL);
}

void conv_deint2_f32_portable(float *e, float *o, const float *x, int64_t n)
{
	for (int64_t i = 0; i < n; i++) {
		e[i] = x[2 * i];
		o[i] = x[2 * i + 1];
	}
}

void conv_int2_f32_portable(float *y, const float *e, const float *o, int64_t n)
{
	for (int64_t i = 0; 2 * i < n; i++) {
		y[2 * i] = e[i];
		if (2 * i + 1 < n)
			y[2 * i + 1] = o[i];
	}
}

static void plane4_f32(const struct conv_params *p, float *y, int64_t ys, int64_t n,
                       const float *x, int64_t xs, const int64_t *off, const float *w,
                       int64_t nq, const float *bias, const float *slope)
{
	p->plane4(y, ys, n, x, xs, off, w, nq, bias, slope);
}

static void plane2_f32(const struct conv_params *p, float *y, int64_t ys, int64_t n,
                       const float *x, const int64_t *off, const float *w, int64_t nq,
                       const float *bias, const float *slope)
{
	p->plane2(y, ys, n, x, off, w, nq, bias, slope);
}

/* slope: always NULL (no fused activations for double) */
static void plane_f64(const struct conv_params *p, double *y, int64_t n, const double *x,
                      const int64_t *off, const double *w, int64_t nq, double bias,
                      const float *slope)
{
	(void)p;
	(void)slope;
	for (int64_t o = 0; o < n; o++) {
		double s = bias;
		for (int64_t q = 0; q < nq; q++)
			s += w[q] * x[o + off[q]];
		y[o] = s;
	}
}

static void plane4_f64(const struct conv_params *p, double *y, int64_t ys, int64_t n,
                       const double *x, int64_t xs, const int64_t *off, const double *w,
                       int64_t nq, const double *bias, const float *slope)
{
	for (int j = 0; j < 4; j++)
		plane_f64(p, y + j * ys, n, x + j * xs, off, w + j * nq, nq, bias[j], slope);
}

static void plane2_f64(const struct conv_params *p, double *y, int64_t ys, int64_t n,
                       const double *x, const int64_t *off, const double *w, int64_t nq,
                       const double *bias, const float *slope)
{
	for (int j = 0; j < 2; j++)
		plane_f64(p, y + j * ys, n, x, off, w + j * nq, nq, bias[j], slope);
}

static void plane_f32(const struct conv_params *p, float *y, int64_t n, const float *x,
                      const int64_t *off, const float *w, int64_t nq, float bias,
                      const float *slope)
{
	p->plane(y, n, x, off, w, nq, bias, slope);
}

/* The slopes of output channels c0, c0 + 1, ... when the epilogue is a PRelu that the
 * plane kernels apply themselves, else NULL. */
static inline const float *prelu_f32(const struct epilogue *e, int64_t c0)
{
	return e && e->kind == EPI_PRELU ? e->slope + c0 : NULL;
}

static inline const float *prelu_f64(const struct epilogue *e, int64_t c0)
{
	(void)e;
	(void)c0;
	return NULL;
}

/* Conv's two input phases of a stride-2 row; ConvTranspose's two output phases
 * into a row (ops/conv.h) */
static void deint2_f32(const struct conv_params *p, float *e, float *o, const float *x,
                       int64_t n)
{
	p->deint2(e, o, x, n);
}

static void deint2_f64(const struct conv_params *p, double *e, double *o, const double *x,
                       int64_t n)
{
	(void)p;
	for (int64_t i = 0; i < n; i++) {
		e[i] = x[2 * i];
		o[i] = x[2 * i + 1];
	}
}

static void int2_f32(const struct conv_params *p, float *y, const float *e, const float *o,
                     int64_t n)
{
	p->int2(y, e, o, n);
}

static void int2_f64(const struct conv_params *p, double *y, const double *e,
                     const double *o, int64_t n)
{
	(void)p;
	for (int64_t i = 0; 2 * i < n; i++) {
		y[2 * i] = e[i];
		if (2 * i + 1 < n)
			y[2 * i + 1] = o[i];
	}
}

/* The fused activation on y[0, n) of output channel c; none for double. */
static inline void epi_f32(const struct epilogue *e, float *y, int64_t n, int64_t c)
{
	if (e && e->kind != EPI_NONE)
		op_epilogue(e, y, n, c);
}

static inline void epi_f64(const struct epilogue *e, double *y, int64_t n, int64_t c)
{
	(void)e;
	(void)y;
	(void)n;
	(void)c;
}

/* Kernels, one set per element type. x, w, y point at one batch item and group:
 *   Conv:          x [cg, in...], w [mg, cg, k...], y [mg, out...]
 *   ConvTranspose: x [cg, in...], w [cg, mg, k...], y [mg, out...]
 * with channel strides in_size / out_size. */
#define CONV_KERNELS(T, S)                                                              \
static void fill_##S(T *restrict y, int64_t n, T v)                                    \
{                                                                                       \
	for (int64_t i = 0; i < n; i++)                                                 \
		y[i] = v;                                                               \
}                                                                                       \
                                                                                        \
/* y[i] += a * x[i] */                                                                  \
static void axpy_##S(T *restrict y, const T *restrict x, T a, int64_t n)               \
{                                                                                       \
	int64_t i = 0;                                                                  \
	for (; i + 8 <= n; i += 8)                                                      \
		for (int j = 0; j < 8; j++)                                             \
			y[i + j] += a * x[i + j];                                       \
	for (; i < n; i++)                                                              \
		y[i] += a * x[i];                                                       \
}                                                                                       \
                                                                                        \
/* d[i] = x[i * st]; strides 1 and 2 as constants so that the loops vectorise */        \
static void gather_##S(T *restrict d, const T *restrict x, int64_t st, int64_t n)       \
{                                                                                       \
	if (st == 1)                                                                    \
		for (int64_t i = 0; i < n; i++)                                         \
			d[i] = x[i];                                                    \
	else if (st == 2)                                                               \
		for (int64_t i = 0; i < n; i++)                                         \
			d[i] = x[2 * i];                                                \
	else                                                                            \
		for (int64_t i = 0; i < n; i++)                                         \
			d[i] = x[i * st];                                               \
}                                                                                       \
                                                                                        \
/* y[i * st] += s[i], the same way */                                                   \
static void scatter_add_##S(T *restrict y, const T *restrict s, int64_t st, int64_t n)  \
{                                                                                       \
	if (st == 1)                                                                    \
		for (int64_t i = 0; i < n; i++)                                         \
			y[i] += s[i];                                                   \
	else if (st == 2)                                                               \
		for (int64_t i = 0; i < n; i++)                                         \
			y[2 * i] += s[i];                                               \
	else                                                                            \
		for (int64_t i = 0; i < n; i++)                                         \
			y[i * st] += s[i];                                              \
}                                                                                       \
                                                                                        \
/* d = the even elements of x[n], then the odd ones */                                  \
static void deinterleave2_##S(T *restrict d, const T *restrict x, int64_t n)            \
{                                                                                       \
	const int64_t ne = (n + 1) / 2;                                                 \
	for (int64_t i = 0; i < ne; i++)                                                \
		d[i] = x[2 * i];                                                        \
	for (int64_t i = 0; i < n / 2; i++)                                             \
		d[ne + i] = x[2 * i + 1];                                               \
}                                                                                       \
                                                                                        \
/* the inverse: y[n] from its even elements, then its odd ones, in d */                 \
static void interleave2_##S(T *restrict y, const T *restrict d, int64_t n)              \
{                                                                                       \
	const int64_t ne = (n + 1) / 2;                                                 \
	for (int64_t i = 0; i < n / 2; i++) {                                           \
		y[2 * i] = d[i];                                                        \
		y[2 * i + 1] = d[ne + i];                                               \
	}                                                                               \
	if (n % 2)                                                                      \
		y[n - 1] = d[ne - 1];                                                   \
}                                                                                       \
                                                                                        \
/* Three taps at stride 1 over nr <= 3 rows (a constant where inlined), in one pass     \
 * over y[0, n): for each row r in order and t = 0, 1, 2 in order, y[o] +=              \
 * wr[r][t] * xr[r][o + sh[t]] where lo[t] <= o < hi[t]. The same sums as one axpy      \
 * pass per row and tap, with y read and written once. */                               \
static inline __attribute__((always_inline)) void                                       \
taps3_rows_##S(const int nr, T *restrict y, const T *const *xr, const T *const *wr,     \
               const int64_t *sh, const int64_t *lo, const int64_t *hi, int64_t n)      \
{                                                                                       \
	const int64_t s0 = sh[0], s1 = sh[1], s2 = sh[2];                               \
	T w[3][3];                                                                      \
	const T *restrict x0 = xr[0];                                                   \
	const T *restrict x1 = nr > 1 ? xr[1] : xr[0];                                  \
	const T *restrict x2 = nr > 2 ? xr[2] : xr[0];                                  \
	int64_t a = lo[0], b = hi[0];                                                   \
	for (int r = 0; r < nr; r++)                                                    \
		for (int t = 0; t < 3; t++)                                             \
			w[r][t] = wr[r][t];                                             \
	for (int t = 1; t < 3; t++) {                                                   \
		a = lo[t] > a ? lo[t] : a;                                              \
		b = hi[t] < b ? hi[t] : b;                                              \
	}                                                                               \
	a = a < 0 ? 0 : a > n ? n : a;                                                  \
	b = b < a ? a : b > n ? n : b;                                                  \
	for (int64_t o = 0; o < n; o++) {       /* edges: [0, a) and [b, n) */          \
		if (o == a)                                                             \
			o = b;                                                          \
		if (o >= n)                                                             \
			break;                                                          \
		T v = y[o];                                                             \
		for (int r = 0; r < nr; r++)                                            \
			for (int t = 0; t < 3; t++)                                     \
				if (o >= lo[t] && o < hi[t])                            \
					v += w[r][t] * xr[r][o + sh[t]];                \
		y[o] = v;                                                               \
	}                                                                               \
	for (int64_t o = a; o < b; o++) {                                               \
		T v = y[o];                                                             \
		v += w[0][0] * x0[o + s0];                                              \
		v += w[0][1] * x0[o + s1];                                              \
		v += w[0][2] * x0[o + s2];                                              \
		if (nr > 1) {                                                           \
			v += w[1][0] * x1[o + s0];                                      \
			v += w[1][1] * x1[o + s1];                                      \
			v += w[1][2] * x1[o + s2];                                      \
		}                                                                       \
		if (nr > 2) {                                                           \
			v += w[2][0] * x2[o + s0];                                      \
			v += w[2][1] * x2[o + s1];                                      \
			v += w[2][2] * x2[o + s2];                                      \
		}                                                                       \
		y[o] = v;                                                               \
	}                                                                               \
}                                                                                       \
                                                                                        \
static void taps3_##S(int nr, T *y, const T *const *xr, const T *const *wr,             \
                      const int64_t *sh, const int64_t *lo, const int64_t *hi, int64_t n) \
{                                                                                       \
	if (nr == 3)                                                                    \
		taps3_rows_##S(3, y, xr, wr, sh, lo, hi, n);                            \
	else if (nr == 2)                                                               \
		taps3_rows_##S(2, y, xr, wr, sh, lo, hi, n);                            \
	else                                                                            \
		taps3_rows_##S(1, y, xr, wr, sh, lo, hi, n);                            \
}                                                                                       \
                                                                                        \
/* Conv: col [cg * k_size, (r1 - r0) * out[2]] for output rows [r0, r1). */             \
static void im2col_##S(const struct conv_params *p, const T *x, int64_t r0, int64_t r1,\
                       T *col)                                                          \
{                                                                                       \
	const int64_t ow_n = p->out[2], oh_n = p->out[1];                               \
	const int64_t ncol = (r1 - r0) * ow_n;                                          \
	T *row = col;                                                                   \
	for (int64_t c = 0; c < p->cg; c++) {                                           \
		const T *xc = x + c * p->in_size;                                       \
		for (int64_t kd = 0; kd < p->k[0]; kd++)                                \
		for (int64_t kh = 0; kh < p->k[1]; kh++)                                \
		for (int64_t kw = 0; kw < p->k[2]; kw++, row += ncol) {                 \
			const int64_t w0 = p->lo[2][kw], w1 = p->hi[2][kw];             \
			const int64_t off = kw * p->dil[2] - p->pad[2];                 \
			for (int64_t r = r0; r < r1; r++) {                             \
				const int64_t od = r / oh_n, oh = r % oh_n;             \
				T *restrict d = row + (r - r0) * ow_n;                  \
				if (od < p->lo[0][kd] || od >= p->hi[0][kd] ||          \
				    oh < p->lo[1][kh] || oh >= p->hi[1][kh]) {          \
					fill_##S(d, ow_n, 0);                           \
					continue;                                       \
				}                                                       \
				const int64_t id = od * p->stride[0] + kd * p->dil[0] - p->pad[0]; \
				const int64_t ih = oh * p->stride[1] + kh * p->dil[1] - p->pad[1]; \
				const T *restrict xr = xc + (id * p->in[1] + ih) * p->in[2];       \
				const int64_t sw = p->stride[2];                        \
				fill_##S(d, w0, 0);                                     \
				if (w1 > w0)                                            \
					gather_##S(d + w0, xr + w0 * sw + off, sw, w1 - w0); \
				fill_##S(d + w1, ow_n - w1, 0);                         \
			}                                                               \
		}                                                                       \
	}                                                                               \
}                                                                                       \
                                                                                        \
/* ConvTranspose: y += col2im(col), col [mg * k_size, (r1 - r0) * in[2]] for input     \
 * rows [r0, r1). */                                                                    \
static void col2im_##S(const struct conv_params *p, const T *col, int64_t r0,          \
                       int64_t r1, T *y, T *ph)                                         \
{                                                                                       \
	const int64_t iw_n = p->in[2], ih_n = p->in[1];                                 \
	const int64_t ncol = (r1 - r0) * iw_n;                                          \
	const int64_t ow_n = p->out[2], ne = (ow_n + 1) / 2, n_rows = p->out[0] * p->out[1]; \
	const T *row = col;                                                             \
	for (int64_t m = 0; m < p->mg; m++) {                                           \
		T *ym = y + m * p->out_size;                                            \
		if (ph)                                                                 \
			for (int64_t q = 0; q < n_rows; q++)                            \
				deinterleave2_##S(ph + q * ow_n, ym + q * ow_n, ow_n);  \
		for (int64_t kd = 0; kd < p->k[0]; kd++)                                \
		for (int64_t kh = 0; kh < p->k[1]; kh++)                                \
		for (int64_t kw = 0; kw < p->k[2]; kw++, row += ncol) {                 \
			const int64_t w0 = p->lo[2][kw], w1 = p->hi[2][kw];             \
			const int64_t off = kw * p->dil[2] - p->pad[2];                 \
			const int64_t sw = p->stride[2];                                \
			for (int64_t r = r0; r < r1; r++) {                             \
				const int64_t id = r / ih_n, ih = r % ih_n;             \
				if (id < p->lo[0][kd] || id >= p->hi[0][kd] ||          \
				    ih < p->lo[1][kh] || ih >= p->hi[1][kh])            \
					continue;                                       \
				const int64_t od = id * p->stride[0] + kd * p->dil[0] - p->pad[0]; \
				const int64_t oh = ih * p->stride[1] + kh * p->dil[1] - p->pad[1]; \
				T *restrict yr = ym + (od * p->out[1] + oh) * p->out[2];           \
				const T *restrict s = row + (r - r0) * iw_n;            \
				if (w1 <= w0)                                           \
					continue;                                       \
				if (ph) {                                               \
					/* y[2 iw + off] is phase (off & 1), index      \
					 * iw + (off - phase) / 2 there */              \
					const int64_t phase = off & 1;                  \
					T *pr = ph + (od * p->out[1] + oh) * ow_n + (phase ? ne : 0); \
					scatter_add_##S(pr + w0 + (off - phase) / 2, s + w0, 1, w1 - w0); \
				} else {                                                \
					scatter_add_##S(yr + w0 * sw + off, s + w0, sw, w1 - w0); \
				}                                                       \
			}                                                               \
		}                                                                       \
		if (ph)                                                                 \
			for (int64_t q = 0; q < n_rows; q++)                            \
				interleave2_##S(ym + q * ow_n, ph + q * ow_n, ow_n);    \
	}                                                                               \
}                                                                                       \
                                                                                        \
/* Conv: one output row += taps kw of weights wr over input row xr. */                  \
static void row_gather_##S(const struct conv_params *p, T *restrict yr,                \
                           const T *restrict xr, const T *wr)                           \
{                                                                                       \
	const int64_t sw = p->stride[2];                                                \
	for (int64_t kw = 0; kw < p->k[2]; kw++) {                                      \
		const int64_t w0 = p->lo[2][kw], w1 = p->hi[2][kw];                     \
		const int64_t off = kw * p->dil[2] - p->pad[2];                         \
		if (w1 <= w0)                                                           \
			continue;                                                       \
		if (sw == 1) {                                                          \
			axpy_##S(yr + w0, xr + w0 + off, wr[kw], w1 - w0);              \
			continue;                                                       \
		}                                                                       \
		for (int64_t ow = w0; ow < w1; ow++)                                    \
			yr[ow] += wr[kw] * xr[ow * sw + off];                           \
	}                                                                               \
}                                                                                       \
                                                                                        \
/* ConvTranspose: output row yr += input row xr scattered by taps kw of wr. */          \
static void row_scatter_##S(const struct conv_params *p, T *restrict yr,               \
                            const T *restrict xr, const T *wr)                          \
{                                                                                       \
	const int64_t sw = p->stride[2];                                                \
	for (int64_t kw = 0; kw < p->k[2]; kw++) {                                      \
		const int64_t w0 = p->lo[2][kw], w1 = p->hi[2][kw];                     \
		const int64_t off = kw * p->dil[2] - p->pad[2];                         \
		if (w1 <= w0)                                                           \
			continue;                                                       \
		if (sw == 1) {                                                          \
			axpy_##S(yr + w0 + off, xr + w0, wr[kw], w1 - w0);              \
			continue;                                                       \
		}                                                                       \
		for (int64_t iw = w0; iw < w1; iw++)                                    \
			yr[iw * sw + off] += wr[kw] * xr[iw];                           \
	}                                                                               \
}                                                                                       \
                                                                                        \
/* Conv, gather form: each output row sums its taps. */                                \
static void conv_direct_##S(const struct conv_params *p, const T *x, const T *w,        \
                            const T *b, T *y, const struct epilogue *e, int64_t c0)     \
{                                                                                       \
	for (int64_t m = 0; m < p->mg; m++)                                             \
	for (int64_t od = 0; od < p->out[0]; od++)                                      \
	for (int64_t oh = 0; oh < p->out[1]; oh++) {                                    \
		T *yr = y + m * p->out_size + (od * p->out[1] + oh) * p->out[2];        \
		fill_##S(yr, p->out[2], b ? b[m] : 0);                                  \
		for (int64_t kd = 0; kd < p->k[0]; kd++) {                              \
			if (od < p->lo[0][kd] || od >= p->hi[0][kd])                    \
				continue;                                               \
			const int64_t id = od * p->stride[0] + kd * p->dil[0] - p->pad[0]; \
			for (int64_t kh = 0; kh < p->k[1]; kh++) {                      \
				if (oh < p->lo[1][kh] || oh >= p->hi[1][kh])            \
					continue;                                       \
				const int64_t ih = oh * p->stride[1] + kh * p->dil[1] - p->pad[1]; \
				for (int64_t c = 0; c < p->cg; c++)                     \
					row_gather_##S(p, yr,                           \
					    x + c * p->in_size + (id * p->in[1] + ih) * p->in[2], \
					    w + ((m * p->cg + c) * p->k[0] + kd) * p->k[1] * p->k[2] \
					      + kh * p->k[2]);                          \
			}                                                               \
		}                                                                       \
		epi_##S(e, yr, p->out[2], c0 + m);                                      \
	}                                                                               \
}                                                                                       \
                                                                                        \
/* ConvTranspose, scatter form: each tap adds the input rows that land inside y        \
 * (biased before). */                                                                  \
static void convt_direct_##S(const struct conv_params *p, const T *x, const T *w,       \
                             T *y, const struct epilogue *e, int64_t c0)                \
{                                                                                       \
	for (int64_t m = 0; m < p->mg; m++) {                                           \
		for (int64_t c = 0; c < p->cg; c++)                                     \
		for (int64_t kd = 0; kd < p->k[0]; kd++)                                \
		for (int64_t id = p->lo[0][kd]; id < p->hi[0][kd]; id++) {              \
			const int64_t od = id * p->stride[0] + kd * p->dil[0] - p->pad[0]; \
			for (int64_t kh = 0; kh < p->k[1]; kh++)                        \
			for (int64_t ih = p->lo[1][kh]; ih < p->hi[1][kh]; ih++) {      \
				const int64_t oh = ih * p->stride[1] + kh * p->dil[1] - p->pad[1]; \
				row_scatter_##S(p,                                      \
				    y + m * p->out_size + (od * p->out[1] + oh) * p->out[2], \
				    x + c * p->in_size + (id * p->in[1] + ih) * p->in[2], \
				    w + ((c * p->mg + m) * p->k[0] + kd) * p->k[1] * p->k[2] \
				      + kh * p->k[2]);                                  \
			}                                                               \
		}                                                                       \
		epi_##S(e, y + m * p->out_size, p->out_size, c0 + m);                   \
	}                                                                               \
}                                                                                       \
                                                                                        \
/* One input channel per group, three taps along the last axis at stride 1 (Conv        \
 * and ConvTranspose): each output row takes its (kd, kh) input rows in the order       \
 * of conv_direct / convt_direct, three at a time through taps3. */                     \
static void direct3_##S(const struct conv_params *p, const T *x, const T *w,            \
                        const T *b, T *y, const struct epilogue *e, int64_t c0)         \
{                                                                                       \
	int64_t sh[3], lo[3], hi[3];                                                    \
	for (int t = 0; t < 3; t++) {                                                   \
		const int64_t off = t * p->dil[2] - p->pad[2];                          \
		/* Conv: x index o + off; ConvTranspose: input iw lands on o = iw + off */ \
		sh[t] = p->transpose ? -off : off;                                      \
		lo[t] = p->lo[2][t] + (p->transpose ? off : 0);                         \
		hi[t] = p->hi[2][t] + (p->transpose ? off : 0);                         \
	}                                                                               \
	for (int64_t m = 0; m < p->mg; m++)                                             \
	for (int64_t od = 0; od < p->out[0]; od++)                                      \
	for (int64_t oh = 0; oh < p->out[1]; oh++) {                                    \
		T *yr = y + m * p->out_size + (od * p->out[1] + oh) * p->out[2];        \
		const T *xr[3], *wr[3];                                                 \
		int nr = 0;                                                             \
		fill_##S(yr, p->out[2], b ? b[m] : 0);                                  \
		for (int64_t kd = 0; kd < p->k[0]; kd++) {                              \
			/* the input row whose tap kd reaches od (ConvTranspose: od =   \
			 * id * stride + kd * dil - pad, solved for id) */              \
			int64_t id, ih, t;                                              \
			if (!p->transpose) {                                            \
				if (od < p->lo[0][kd] || od >= p->hi[0][kd])            \
					continue;                                       \
				id = od * p->stride[0] + kd * p->dil[0] - p->pad[0];    \
			} else {                                                        \
				t = od + p->pad[0] - kd * p->dil[0];                    \
				if (t < 0 || t % p->stride[0] || t / p->stride[0] >= p->in[0]) \
					continue;                                       \
				id = t / p->stride[0];                                  \
			}                                                               \
			for (int64_t kh = 0; kh < p->k[1]; kh++) {                      \
				if (!p->transpose) {                                    \
					if (oh < p->lo[1][kh] || oh >= p->hi[1][kh])    \
						continue;                               \
					ih = oh * p->stride[1] + kh * p->dil[1] - p->pad[1]; \
				} else {                                                \
					t = oh + p->pad[1] - kh * p->dil[1];            \
					if (t < 0 || t % p->stride[1] ||                \
					    t / p->stride[1] >= p->in[1])               \
						continue;                               \
					ih = t / p->stride[1];                          \
				}                                                       \
				xr[nr] = x + (id * p->in[1] + ih) * p->in[2];           \
				wr[nr] = w + (m * p->k[0] + kd) * p->k[1] * 3 + kh * 3; \
				if (++nr == 3) {                                        \
					taps3_##S(3, yr, xr, wr, sh, lo, hi, p->out[2]); \
					nr = 0;                                         \
				}                                                       \
			}                                                               \
		}                                                                       \
		if (nr)                                                                 \
			taps3_##S(nr, yr, xr, wr, sh, lo, hi, p->out[2]);               \
		epi_##S(e, yr, p->out[2], c0 + m);                                      \
	}                                                                               \
}                                                                                       \
                                                                                        \
/* y[i * st] = s[i] */                                                                  \
static void put_strided_##S(T *restrict y, const T *restrict s, int64_t st, int64_t n)  \
{                                                                                       \
	if (st == 1)                                                                    \
		for (int64_t i = 0; i < n; i++)                                         \
			y[i] = s[i];                                                    \
	else if (st == 2)                                                               \
		for (int64_t i = 0; i < n; i++)                                         \
			y[2 * i] = s[i];                                                \
	else                                                                            \
		for (int64_t i = 0; i < n; i++)                                         \
			y[i * st] = s[i];                                               \
}                                                                                       \
                                                                                        \
/* ALGO_PLANE, one batch item and group (struct conv_params): per tile of output        \
 * rows, the padded planes of the cg input channels (both phases of a stride-2 row in   \
 * one pass), then each output channel and phase as one run of taps through them (two  \
 * ConvTranspose phases interleaved in one pass). The planes' pad columns are zeroed    \
 * once: rows write only the data columns [a, b) (or zeros when outside X). */          \
static void plane_group_##S(const struct conv_params *p, const T *x, const T *w,        \
                            const T *b, T *y, T *scr, const struct epilogue *e, int64_t c0) \
{                                                                                       \
	const int64_t p2 = p->pl_p2, ow_n = p->out[2], iw_n = p->in[2], rows = p->out[1]; \
	const int64_t s_in = p->transpose ? 1 : p->stride[2], s_out = p->pl_nph_out;    \
	const int64_t ys = p->pl_direct ? p->out_size : p->pl_rows * p2;                \
	const int64_t a2 = p->pl_a[0];                                                  \
	const int64_t n2x = p->pl_nph_in == 2 && p->pl_a[1] == a2 ?                     \
	        (p->pl_b[1] < p->pl_b[0] ? p->pl_b[1] : p->pl_b[0]) - a2 : 0;           \
	const float *slope = prelu_##S(e, c0);                                          \
	int64_t mb;                                                                     \
	T *ye = (T *)((char *)scr + p->pl_y_off);                                       \
	T *wb = (T *)((char *)scr + p->pl_w_off);                                       \
	fill_##S(scr, p->cg * p->pl_nph_in * p->pl_plane, 0);                           \
	for (int64_t r0 = 0; r0 < rows; r0 += p->pl_rows) {                             \
		const int64_t r1 = r0 + p->pl_rows < rows ? r0 + p->pl_rows : rows;     \
		const int64_t nr = r1 - r0;                                             \
		for (int64_t c = 0; c < p->cg; c++)                                     \
		for (int64_t ph = 0; ph < nr + p->pl_halo; ph++) {                      \
			const int64_t ih = r0 + p->pl_minh + ph;                        \
			const T *xr = x + c * p->in_size + ih * iw_n;                   \
			T *d0 = scr + c * p->pl_nph_in * p->pl_plane + ph * p2;         \
			if (ih < 0 || ih >= p->in[1]) {                                 \
				for (int64_t r = 0; r < p->pl_nph_in; r++)              \
					fill_##S(d0 + r * p->pl_plane, p2, 0);          \
				continue;                                               \
			}                                                               \
			if (n2x > 0) {                                                  \
				/* phase 0 columns [a, b0), phase 1 [a, b1): both       \
				 * through [a, a + n2x), then the one left over */      \
				T *d1 = d0 + p->pl_plane;                               \
				const T *xa = xr + (a2 + p->pl_minq) * 2;               \
				deint2_##S(p, d0 + a2, d1 + a2, xa, n2x);               \
				for (int64_t i = n2x; i < p->pl_b[0] - a2; i++)         \
					d0[a2 + i] = xa[2 * i];                         \
				for (int64_t i = n2x; i < p->pl_b[1] - a2; i++)         \
					d1[a2 + i] = xa[2 * i + 1];                     \
				continue;                                               \
			}                                                               \
			for (int64_t r = 0; r < p->pl_nph_in; r++) {                    \
				const int64_t a = p->pl_a[r], bb = p->pl_b[r];          \
				if (bb > a)                                             \
					gather_##S(d0 + r * p->pl_plane + a,            \
					           xr + (a + p->pl_minq) * s_in + r, s_in, bb - a); \
			}                                                               \
		}                                                                       \
		/* output channels 4 at a time while there are 4, then 2, then 1 */    \
		for (int64_t m = 0; m < p->mg; m += mb) {                               \
			T *ym = y + m * p->out_size + r0 * ow_n, bias[4];               \
			const float *sl = slope ? slope + m : NULL;                     \
			mb = p->mg - m >= 4 ? 4 : p->mg - m >= 2 ? 2 : 1;               \
			for (int64_t j = 0; j < mb; j++)                                \
				bias[j] = b ? b[m + j] : 0;                             \
			for (int64_t ph = 0; ph < s_out && ph < ow_n; ph++) {           \
				const int64_t nq = p->pl_nq[ph], n2 = (ow_n - ph + s_out - 1) / s_out; \
				const int64_t *off = p->pl_off + ph * p->pl_qmax;       \
				const int64_t *wi = p->pl_wi + ph * p->pl_qmax;         \
				const int64_t len = (nr - 1) * p2 + n2;                 \
				/* two output phases: each its own [4][ys] outputs */   \
				T *yo = p->pl_direct ? ym : ye + (s_out == 2 ? ph * 4 * ys : 0); \
				for (int64_t j = 0; j < mb; j++)                        \
					for (int64_t q = 0; q < nq; q++)                \
						wb[j * nq + q] = w[(m + j) * p->pl_wm + wi[q]]; \
				if (mb == 4)                                            \
					plane4_##S(p, yo, ys, len, scr, 0, off, wb, nq, bias, sl); \
				else if (mb == 2)                                       \
					plane2_##S(p, yo, ys, len, scr, off, wb, nq, bias, sl); \
				else                                                    \
					plane_##S(p, yo, len, scr, off, wb, nq, bias[0], sl); \
				if (p->pl_direct || s_out == 2)                         \
					continue;                                       \
				for (int64_t j = 0; j < mb; j++)                        \
					for (int64_t i = 0; i < nr; i++)                \
						put_strided_##S(ym + j * p->out_size + i * ow_n + ph, \
						                yo + j * ys + i * p2, s_out, n2); \
			}                                                               \
			if (s_out == 2)                                                 \
				for (int64_t j = 0; j < mb; j++)                        \
					for (int64_t i = 0; i < nr; i++)                \
						int2_##S(p, ym + j * p->out_size + i * ow_n, \
						         ye + j * ys + i * p2,          \
						         ye + (4 + j) * ys + i * p2, ow_n); \
			if (!slope)                                                     \
				for (int64_t j = 0; j < mb; j++)                        \
					epi_##S(e, ym + j * p->out_size, nr * ow_n, c0 + m + j); \
		}                                                                       \
	}                                                                               \
}                                                                                       \
                                                                                        \
/* ALGO_PLANE in place: output (oh, ow) of one channel with weights wj, its taps   \
 * inside X only */                                                                     \
static T ip_point_##S(const struct conv_params *p, const T *x, const T *wj, T bias,    \
                      int64_t oh, int64_t ow)                                           \
{                                                                                       \
	const int64_t W = p->in[2], nq = p->pl_nq[0];                                   \
	T s = bias;                                                                     \
	for (int64_t q = 0; q < nq; q++) {                                              \
		const int64_t ih = oh + p->ip_dh[q], iw = ow + p->ip_dw[q];             \
		if (ih >= 0 && ih < p->in[1] && iw >= 0 && iw < W)                      \
			s += wj[q] * x[p->ip_c[q] * p->in_size + ih * W + iw];          \
	}                                                                               \
	return s;                                                                       \
}                                                                                       \
                                                                                        \
/* ALGO_PLANE in place, one batch item and group (struct conv_params) */                \
static void inplace_group_##S(const struct conv_params *p, const T *x, const T *w,      \
                              const T *b, T *y, T *scr, const struct epilogue *e,       \
                              int64_t c0)                                               \
{                                                                                       \
	const int64_t W = p->in[2], nq = p->pl_nq[0], el = p->ip_el, er = p->ip_er;     \
	const int64_t ra = p->ip_ra, rb = p->ip_rb, rows = p->out[1];                   \
	const int64_t *wi = p->pl_wi;                                                   \
	int64_t mb, fo[PLANE_MAX_TAPS];                                                 \
	T bias[4], fw[PLANE_MAX_TAPS];                                                  \
	for (int64_t m = 0; m < p->mg; m += mb) {                                       \
		mb = p->mg - m >= 4 ? 4 : 1;                                            \
		for (int64_t j = 0; j < mb; j++) {                                      \
			bias[j] = b ? b[m + j] : 0;                                     \
			for (int64_t q = 0; q < nq; q++)                                \
				scr[j * nq + q] = w[(m + j) * p->pl_wm + wi[q]];        \
		}                                                                       \
		if (rb > ra) {                                                          \
			const int64_t o0 = ra * W + el, len = (rb - 1) * W + W - er - o0; \
			if (mb == 4)                                                    \
				plane4_##S(p, y + m * p->out_size + o0, p->out_size, len, \
				           x + o0, 0, p->ip_off, scr, nq, bias, NULL);  \
			else                                                            \
				plane_##S(p, y + m * p->out_size + o0, len, x + o0,     \
				          p->ip_off, scr, nq, bias[0], NULL);           \
		}                                                                       \
		for (int64_t j = 0; j < mb; j++) {                                      \
			T *yj = y + (m + j) * p->out_size;                              \
			const T *wj = scr + j * nq;                                     \
			for (int64_t oh = 0; oh < rows; oh++) {                         \
				if (oh < ra || oh >= rb) {                              \
					int64_t fq = 0;                                 \
					for (int64_t q = 0; q < nq; q++) {              \
						const int64_t ih = oh + p->ip_dh[q];    \
						if (ih < 0 || ih >= p->in[1])           \
							continue;                       \
						fo[fq] = p->ip_off[q];                  \
						fw[fq++] = wj[q];                       \
					}                                               \
					plane_##S(p, yj + oh * W + el, W - el - er,     \
					          x + oh * W + el, fo, fw, fq, bias[j], NULL); \
				}                                                       \
				if (oh >= ra && oh < rb)                                \
					continue;                                       \
				for (int64_t ow = 0; ow < el; ow++)                     \
					yj[oh * W + ow] = ip_point_##S(p, x, wj, bias[j], oh, ow); \
				for (int64_t ow = W - er; ow < W; ow++)                 \
					yj[oh * W + ow] = ip_point_##S(p, x, wj, bias[j], oh, ow); \
			}                                                               \
			/* the run's edge columns: rows inside X, taps inside the row */ \
			for (int64_t k = 0; k < el + er; k++) {                         \
				const int64_t ow = k < el ? k : W - el - er + k;        \
				const int64_t eq = p->ip_enq[k], *qs = p->ip_eq + k * p->pl_qmax; \
				for (int64_t oh = ra; oh < rb; oh++) {                  \
					const int64_t o = oh * W + ow;                  \
					T sum = bias[j];                                \
					for (int64_t t = 0; t < eq; t++)                \
						sum += wj[qs[t]] * x[o + p->ip_off[qs[t]]]; \
					yj[o] = sum;                                    \
				}                                                       \
			}                                                               \
			epi_##S(e, yj, p->out_size, c0 + m + j);                        \
		}                                                                       \
	}                                                                               \
}                                                                                       \
                                                                                        \
/* ALGO_TAPS: the padded input rows of one group into d [tp_gs] */                      \
static void taps_copy_##S(const struct conv_params *p, const T *x, T *d)                \
{                                                                                       \
	const int64_t iw_n = p->in[2], sx = p->tp_sx, pl = p->tp_pl, wd = p->tp_w;      \
	for (int64_t c = 0; c < p->cg; c++)                                             \
	for (int64_t sl = 0; sl < p->tp_nslot; sl++)                                    \
	for (int64_t r = 0; r < sx; r++, d += wd) {                                     \
		const int64_t len = r < iw_n ? (iw_n - r + sx - 1) / sx : 0;            \
		const T *xr = x + c * p->in_size + p->tp_slot[sl] * iw_n + r;           \
		static const T zero4[4];                                                \
		T *restrict dr = d + pl;                                                \
		/* fixed-size blocks (rows are a multiple of 4 long): short rows, and   \
		 * compilers call memset / memcpy for loops of unknown length */        \
		for (int64_t i = 0; i < wd; i += 4)                                     \
			memcpy(d + i, zero4, sizeof(zero4));                            \
		if (sx == 1 && len >= 4) {                                              \
			int64_t i = 0;                                                  \
			for (; i + 4 <= len; i += 4)                                    \
				memcpy(dr + i, xr + i, 4 * sizeof(T));                  \
			memcpy(dr + len - 4, xr + len - 4, 4 * sizeof(T));              \
		} else {                                                                \
			gather_##S(dr, xr, sx, len);                                    \
		}                                                                       \
	}                                                                               \
}                                                                                       \
                                                                                        \
/* ALGO_TAPS with fewer than 4 output channels per group: groups [0, tp_g4) four at a   \
 * time, one run of taps per output channel, row and phase for the four (each group    \
 * reads its own rows, ops/conv.h). x, y: one batch item; w, b: all groups. */          \
static void taps_groups4_##S(const struct conv_params *p, const T *x, const T *w,       \
                             const T *b, T *y, T *scr, const struct epilogue *e)        \
{                                                                                       \
	const int64_t ow_n = p->out[2], s = p->tp_nph, gs = p->tp_gs;                   \
	const int64_t x_group = p->cg * p->in_size, y_group = p->mg * p->out_size;      \
	const int64_t w_group = p->cg * p->mg * p->k_size;                              \
	const int64_t ys = s > 1 ? p->tp_ys : y_group;                                  \
	T *ye = (T *)((char *)scr + p->tp_y_off);                                       \
	T *wb = (T *)((char *)scr + p->tp_w_off);                                       \
	for (int64_t g = 0; g < p->tp_g4; g += 4)                                       \
	for (int64_t m = 0; m < p->mg; m++) {                                           \
		T bias[4];                                                              \
		if (!m)                                                                 \
			for (int64_t j = 0; j < 4; j++)                                 \
				taps_copy_##S(p, x + (g + j) * x_group, scr + j * gs);  \
		for (int64_t j = 0; j < 4; j++)                                         \
			bias[j] = b ? b[(g + j) * p->mg + m] : 0;                       \
		for (int64_t oh = 0; oh < p->out[1]; oh++)                              \
		for (int64_t ph = 0; ph < s && ph < ow_n; ph++) {                       \
			const int64_t k = oh * s + ph, nq = p->tp_nq[k];                \
			const int64_t n2 = (ow_n - ph + s - 1) / s;                     \
			const int64_t *off = p->tp_off + k * p->tp_qmax;                \
			const int64_t *wi = p->tp_wi + k * p->tp_qmax;                  \
			T *yo = s > 1 ? ye : y + g * y_group + m * p->out_size + oh * ow_n; \
			const T *wp = w + g * w_group + m * p->tp_wm;                  \
			if (!p->tp_wid[k] || w_group != nq) {                           \
				for (int64_t j = 0; j < 4; j++)                         \
					for (int64_t q = 0; q < nq; q++)                \
						wb[j * nq + q] = wp[j * w_group + wi[q]]; \
				wp = wb;                                                \
			}                                                               \
			plane4_##S(p, yo, ys, n2, scr, gs, off, wp, nq, bias, NULL); \
			if (s > 1)                                                      \
				for (int64_t j = 0; j < 4; j++)                         \
					put_strided_##S(y + (g + j) * y_group + m * p->out_size + \
					                oh * ow_n + ph, ye + j * ys, s, n2); \
		}                                                                       \
		for (int64_t j = 0; j < 4; j++)                                         \
			epi_##S(e, y + (g + j) * y_group + m * p->out_size, p->out_size, \
			        (g + j) * p->mg + m);                                   \
	}                                                                               \
}                                                                                       \
                                                                                        \
/* ALGO_TAPS, one batch item and group (struct conv_params): the padded input rows,  \
 * then each output channel (4 at a time while there are 4), row and phase as one run   \
 * of taps. */                                                                          \
static void taps_group_##S(const struct conv_params *p, const T *x, const T *w,         \
                           const T *b, T *y, T *scr, const struct epilogue *e, int64_t c0) \
{                                                                                       \
	const int64_t ow_n = p->out[2], s = p->tp_nph;                                  \
	const int64_t ys = s > 1 ? p->tp_ys : p->out_size;                              \
	T *ye = (T *)((char *)scr + p->tp_y_off);                                       \
	T *wb = (T *)((char *)scr + p->tp_w_off);                                       \
	int64_t mb;                                                                     \
	taps_copy_##S(p, x, scr);                                                       \
	for (int64_t m = 0; m < p->mg; m += mb) {                                       \
		T bias[4];                                                              \
		mb = p->mg - m >= 4 ? 4 : 1;                                            \
		for (int64_t j = 0; j < mb; j++)                                        \
			bias[j] = b ? b[m + j] : 0;                                     \
		for (int64_t oh = 0; oh < p->out[1]; oh++)                              \
		for (int64_t ph = 0; ph < s && ph < ow_n; ph++) {                       \
			const int64_t k = oh * s + ph, nq = p->tp_nq[k];                \
			const int64_t n2 = (ow_n - ph + s - 1) / s;                     \
			const int64_t *off = p->tp_off + k * p->tp_qmax;                \
			const int64_t *wi = p->tp_wi + k * p->tp_qmax;                  \
			T *yo = s > 1 ? ye : y + m * p->out_size + oh * ow_n;           \
			const T *wp = w + m * p->tp_wm;                                 \
			if (!p->tp_wid[k] || p->tp_wm != nq) {                          \
				for (int64_t j = 0; j < mb; j++)                        \
					for (int64_t q = 0; q < nq; q++)                \
						wb[j * nq + q] = wp[j * p->tp_wm + wi[q]]; \
				wp = wb;                                                \
			}                                                               \
			if (mb == 4)                                                    \
				plane4_##S(p, yo, ys, n2, scr, 0, off, wp, nq, bias, NULL); \
			else                                                            \
				plane_##S(p, yo, n2, scr, off, wp, nq, bias[0], NULL);  \
			if (s > 1)                                                      \
				for (int64_t j = 0; j < mb; j++)                        \
					put_strided_##S(y + (m + j) * p->out_size + oh * ow_n + ph, \
					                ye + j * ys, s, n2);            \
		}                                                                       \
		for (int64_t j = 0; j < mb; j++)                                        \
			epi_##S(e, y + (m + j) * p->out_size, p->out_size, c0 + m + j); \
	}                                                                               \
}                                                                                       \
                                                                                        \
static void bias_##S(const struct conv_params *p, const T *b, T *y)                    \
{                                                                                       \
	for (int64_t m = 0; m < p->mg; m++)                                             \
		fill_##S(y + m * p->out_size, p->out_size, b ? b[m] : 0);               \
}                                                                                       \
                                                                                        \
/* One batch item, one group. b: this group's [mg] biases or NULL; c0: the first        \
 * output channel of the group (for the epilogue). */                                   \
static void conv_group_##S(const struct conv_params *p, const T *x, const T *w,         \
                           const T *b, T *y, T *col, const struct epilogue *e, int64_t c0) \
{                                                                                       \
	const int64_t kk = p->cg * p->k_size;                                           \
	if (p->algo == ALGO_PLANE && p->pl_inplace) {                                   \
		inplace_group_##S(p, x, w, b, y, col, e, c0);                           \
		return;                                                                 \
	}                                                                               \
	if (p->algo == ALGO_PLANE) {                                                    \
		plane_group_##S(p, x, w, b, y, col, e, c0);                             \
		return;                                                                 \
	}                                                                               \
	if (p->algo == ALGO_TAPS) {                                                     \
		taps_group_##S(p, x, w, b, y, col, e, c0);                              \
		return;                                                                 \
	}                                                                               \
	if (p->algo == ALGO_DIRECT && p->rows3) {                                       \
		direct3_##S(p, x, w, b, y, e, c0);                                      \
		return;                                                                 \
	}                                                                               \
	if (p->algo == ALGO_DIRECT) {                                                   \
		if (!p->transpose) {                                                    \
			conv_direct_##S(p, x, w, b, y, e, c0);                          \
			return;                                                         \
		}                                                                       \
		bias_##S(p, b, y);                                                      \
		convt_direct_##S(p, x, w, y, e, c0);                                    \
		return;                                                                 \
	}                                                                               \
	bias_##S(p, b, y);                                                              \
	if (p->algo == ALGO_POINTWISE) {                                                \
		/* with an epilogue, column chunks that are still in cache when it runs */ \
		const int64_t chunk = e && e->kind != EPI_NONE ? EPI_CHUNK : p->out_size; \
		for (int64_t j = 0; j < p->out_size; j += chunk) {                      \
			const int64_t nj = p->out_size - j < chunk ? p->out_size - j : chunk; \
			if (!p->transpose)                                              \
				gemm_##S(p, p->mg, nj, p->cg, w, p->cg, 1, x + j, p->in_size, \
				         y + j, p->out_size);                           \
			else                                                            \
				gemm_##S(p, p->mg, nj, p->cg, w, 1, p->mg, x + j, p->in_size, \
				         y + j, p->out_size);                           \
			for (int64_t m = 0; m < p->mg; m++)                             \
				epi_##S(e, y + m * p->out_size + j, nj, c0 + m);        \
		}                                                                       \
		return;                                                                 \
	}                                                                               \
	if (!p->transpose) {                                                            \
		const int64_t rows = p->out[0] * p->out[1], rl = p->out[2];             \
		for (int64_t r0 = 0; r0 < rows; r0 += p->tile_rows) {                   \
			int64_t r1 = r0 + p->tile_rows < rows ? r0 + p->tile_rows : rows; \
			im2col_##S(p, x, r0, r1, col);                                  \
			gemm_##S(p, p->mg, (r1 - r0) * rl, kk, w, kk, 1, col, (r1 - r0) * rl, \
			         y + r0 * rl, p->out_size);                             \
			for (int64_t m = 0; m < p->mg; m++)                             \
				epi_##S(e, y + m * p->out_size + r0 * rl, (r1 - r0) * rl, c0 + m); \
		}                                                                       \
		return;                                                                 \
	}                                                                               \
	const int64_t rows = p->in[0] * p->in[1], rl = p->in[2];                        \
	for (int64_t r0 = 0; r0 < rows; r0 += p->tile_rows) {                           \
		int64_t r1 = r0 + p->tile_rows < rows ? r0 + p->tile_rows : rows;       \
		fill_##S(col, p->col_rows * (r1 - r0) * rl, 0);                         \
		gemm_##S(p, p->col_rows, (r1 - r0) * rl, p->cg, w, 1, p->col_rows,      \
		         x + r0 * rl, p->in_size, col, (r1 - r0) * rl);                 \
		col2im_##S(p, col, r0, r1, y,                                           \
		           p->phase_off ? (T *)((char *)col + p->phase_off) : NULL);    \
	}                                                                               \
	/* an output row takes taps from several input rows: final only at the end */   \
	for (int64_t m = 0; m < p->mg; m++)                                             \
		epi_##S(e, y + m * p->out_size, p->out_size, c0 + m);                   \
}                                                                                       \
                                                                                        \
static void conv_run_##S(const struct conv_params *p, const T *x, const T *w,           \
                         const T *b, T *y, T *col, const struct epilogue *e)            \
{                                                                                       \
	const int64_t x_group = p->cg * p->in_size, y_group = p->mg * p->out_size;      \
	const int64_t w_group = p->cg * p->mg * p->k_size;                              \
	for (int64_t n = 0; n < p->batch; n++) {                                        \
		int64_t g = 0;                                                          \
		if (p->algo == ALGO_TAPS && p->tp_g4) {                                 \
			taps_groups4_##S(p, x + n * p->group * x_group, w, b,           \
			                 y + n * p->group * y_group, col, e);           \
			g = p->tp_g4;                                                   \
		}                                                                       \
		for (; g < p->group; g++)                                               \
			conv_group_##S(p, x + (n * p->group + g) * x_group, w + g * w_group, \
			               b ? b + g * p->mg : NULL,                        \
			               y + (n * p->group + g) * y_group, col, e,        \
			               g * p->mg);                                      \
	}                                                                               \
}

CONV_KERNELS(float, f32)
CONV_KERNELS(double, f64)

int conv_run(struct node *n, struct exec *x)
{
	const struct conv_params *p = n->params;
	const struct tensor *b = op_input(n, 2);
	const void *xd = n->inputs[0]->data, *wd = n->inputs[1]->data;
	void *yd = n->outputs[0]->data;

	if (p->dtype == DT_FLOAT)
		conv_run_f32(p, xd, wd, b ? b->data : NULL, yd, x->scratch, &n->epi);
	else
		conv_run_f64(p, xd, wd, b ? b->data : NULL, yd, x->scratch, NULL);
	return GRT_OK;
}

/* conv.c - Conv and ConvTranspose, opsets 1..latest, float and double, 1 to 3 spatial
 * axes (https://onnx.ai/onnx/operators/onnx__Conv.html, onnx__ConvTranspose.html).
 * Plan time (ops/nn/conv_plan.c) resolves shapes, pads and one algorithm: a GEMM for
 * pointwise kernels; for 1-D and 2-D kernels with few taps per output (C/group x
 * kernel), stride 1 along H and any stride along W, "planes": the input rows copied
 * once into zero-padded planes (one per W phase), then each output channel is one long
 * run of multiply-adds at fixed offsets (ops/nn/conv.h); direct loops when a group has one
 * input channel; else im2col + GEMM (Conv) or GEMM + col2im (ConvTranspose) over row
 * tiles in scratch memory. Shapes that would take planes but have few outputs (one
 * streaming frame) take "taps": the same runs over copies of only the input rows that
 * taps read, padded only as far as the taps reach, with depthwise groups 4 at a time.
 * A fused activation (node->epi) runs on each finished tile. */
#include <string.h>
#include "ops/nn/conv_internal.h"
#include "ops/half.h"

/* c[m, n] += sum_k a[m*a_rs + k*a_cs] * b[k*ldb + n] (ops/math/gemm.h). */
static void gemm_f32(const struct conv_params *p, int64_t m_n, int64_t n_n, int64_t k_n,
                     const float *a, int64_t a_rs, int64_t a_cs, const float *b, int64_t ldb,
                     float *c, int64_t ldc)
{
	gemm_f32_run(p->gemm, m_n, n_n, k_n, a, a_rs, a_cs, b, ldb, c, ldc);
}

static void gemm_f64(const struct conv_params *p, int64_t m_n, int64_t n_n, int64_t k_n,
                     const double *a, int64_t a_rs, int64_t a_cs, const double *b,
                     int64_t ldb, double *c, int64_t ldc)
{
	(void)p;
	gemm_f64_run(m_n, n_n, k_n, a, a_rs, a_cs, b, ldb, c, ldc);
}

/* c[m, n] += sum_k a[m*a_rs + k*a_cs] B[k, n], B packed (ops/math/gemm.h) */
static void packed_f32(const struct conv_params *p, int64_t m_n, int64_t n_n, int64_t k_n,
                       const float *a, int64_t a_rs, int64_t a_cs, const float *bp, float *c,
                       int64_t ldc)
{
	p->gemm->packed(m_n, n_n, k_n, a, a_rs, a_cs, bp, c, ldc);
}

/* the same in double (Conv packs float weights only: for the kernels' symmetry) */
static void packed_f64(const struct conv_params *p, int64_t m_n, int64_t n_n, int64_t k_n,
                       const double *a, int64_t a_rs, int64_t a_cs, const double *bp,
                       double *c, int64_t ldc)
{
	(void)p;
	for (int64_t i = 0; i < m_n; i++)
		for (int64_t j = 0; j < n_n; j++) {
			double s = 0;
			for (int64_t q = 0; q < k_n; q++)
				s += a[i * a_rs + q * a_cs] *
				     bp[(j / GEMM_PANEL * k_n + q) * GEMM_PANEL + j % GEMM_PANEL];
			c[i * ldc + j] += s;
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
 * into a row (ops/nn/conv.h) */
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

/* The kernels, one set per element type (ops/nn/conv_kernel.h): KN(name) is name_f32 or
 * name_f64. */
#define KN(name) name##_f32
#define T float
#include "ops/nn/conv_kernel.h"
#define KN(name) name##_f64
#define T double
#include "ops/nn/conv_kernel.h"

int conv_run(struct node *n, struct exec *x)
{
	const struct conv_params *p = n->params;
	const struct tensor *b = op_input(n, 2);
	const void *xd = n->inputs[0]->data, *wd = n->inputs[1]->data;
	void *yd = n->outputs[0]->data;

	if (n->half)
		return half_run(n, x, conv_run);
	if (p->algo == ALGO_WINOGRAD)
		winograd_run(p, xd, b ? b->data : NULL, yd, x->scratch, &n->epi);
	else if (p->dtype == DT_FLOAT)
		conv_run_f32(p, xd, wd, b ? b->data : NULL, yd, x->scratch, &n->epi);
	else
		conv_run_f64(p, xd, wd, b ? b->data : NULL, yd, x->scratch, NULL);
	return GRT_OK;
}

/* qconv.c - ConvInteger (https://onnx.ai/onnx/operators/onnx__ConvInteger.html, opset 10)
 * and QLinearConv (..QLinearConv.html, opsets 10..latest): Conv's geometry
 * (ops/nn/conv_plan.c: pads, auto_pad, strides, dilations, groups) over int8 / uint8
 * data. Per group, W [mg][cg * taps] and a tile of im2col columns, both zero points
 * subtracted into int16 rows, go through the integer product of this session
 * (ops/quantization/qgemm.h) into int32; QLinearConv adds the int32 bias and requantizes with
 * x_scale * w_scale[m] / y_scale. */
#include <string.h>
#include "ops/cpu.h"
#include "ops/nn/conv_internal.h"
#include "ops/quantization/qgemm.h"
#include "ops/quantization/quant.h"

#define QCOL_BYTES 131072   /* an im2col tile: at most this many bytes of int16 */

struct qconv_params {
	const struct conv_params *g;  /* geometry (ops/nn/conv_internal.h) */
	int ix, iw, ib;             /* inputs X, W and the bias (-1: none) */
	int64_t kp;                 /* cg * k_size rounded up to QGEMM_KSTEP */
	int64_t tile;               /* output positions per im2col tile */
	int64_t pp[SP], p_size;     /* the padded input of a group: extents, their product */
	int32_t *tap_off;           /* [k_size]: each tap's offset into it, elements */
	struct q_vec zx, zw;        /* zero points: X's (one), W's (one or per channel [M]) */
	struct q_vec sx, sw, sy, zy; /* QLinearConv: scales [1], [1 or M], [1]; Y's zero point */
	int qlinear;
	int float_out;              /* the rewrite's node (ops/quantization/qdq_fuse.c): float Y */
	const float *bias_f;        /* its float bias [M], or NULL */
	qgemm_i16_fn qgemm;
	/* W packed [M][kp] at plan time when W and its zero point are constant (the
	 * weights of a model), else NULL (packed into scratch by each run) */
	const int16_t *w_packed;
	/* scratch: W packed [M][kp] (tap by tap, the channels of each in a run), the
	 * padded input [p_size][cg] (channels last) at xp_off bytes, columns
	 * [tile][kp] at col_off (int16), then (QLinearConv) the sums [mg][tile] (int32) at
	 * acc_off */
	size_t xp_off, col_off, acc_off;
};

static size_t align64(size_t b)
{
	return (b + 63) & ~(size_t)63;
}

/* o[j * cg] = x[j] - zx for j < count, x int8 or uint8 (dt). */
static void load_run_q(int16_t *o, int64_t cg, const void *x, enum dtype dt, int64_t count,
                       int32_t zx)
{
	if (dt == DT_UINT8)
		for (int64_t j = 0; j < count; j++)
			o[j * cg] = (int16_t)(((const uint8_t *)x)[j] - zx);
	else
		for (int64_t j = 0; j < count; j++)
			o[j * cg] = (int16_t)(((const int8_t *)x)[j] - zx);
}

/* xp [p_size][cg] = the group's input channels (xg: the first) minus zx, channels
 * last, zero-padded: the positions pad-relative, from -pad to what the last tap reads
 * on each axis. */
static void pad_input_q(int16_t *xp, const struct qconv_params *q, const void *xg,
                        enum dtype dt, int32_t zx)
{
	const struct conv_params *g = q->g;
	const int64_t cg = g->cg, *in = g->in, es = (int64_t)dtype_size(dt);
	/* the columns w0 .. w1 of a padded row hold input, the rest zeros */
	const int64_t w0 = g->pad[2] < q->pp[2] ? g->pad[2] : q->pp[2];
	const int64_t w1 = g->pad[2] + in[2] < q->pp[2] ? g->pad[2] + in[2] : q->pp[2];

	memset(xp, 0, (size_t)(q->p_size * cg) * sizeof(int16_t));
	for (int64_t c = 0; c < cg; c++) {
		int16_t *o = xp + c;
		for (int64_t d = 0; d < q->pp[0]; d++)
			for (int64_t hh = 0; hh < q->pp[1]; hh++, o += q->pp[2] * cg) {
				const int64_t id = d - g->pad[0], ih = hh - g->pad[1];
				const int64_t base = c * g->in_size + (id * in[1] + ih) * in[2];
				if (id < 0 || id >= in[0] || ih < 0 || ih >= in[1] || w1 <= w0)
					continue;
				load_run_q(o + w0 * cg, cg, (const char *)xg + (base + w0 - g->pad[2]) * es,
				           dt, w1 - w0, zx);
			}
	}
}

/* col [nt][kp] = the taps of output positions o0 .. o0 + nt, each tap's cg channels
 * in a run (W is packed in the same order), read from the padded input xp; zeros past
 * k_size * cg. */
static void im2col_q(int16_t *col, const struct qconv_params *q, const int16_t *xp,
                     int64_t o0, int64_t nt)
{
	const struct conv_params *g = q->g;
	const int64_t plane = g->out[1] * g->out[2], cg = g->cg, nq = cg * g->k_size;

	for (int64_t t = 0; t < nt; t++) {
		const int64_t o = o0 + t;
		const int64_t od = o / plane, oh = o / g->out[2] % g->out[1], ow = o % g->out[2];
		const int16_t *src = xp + ((od * g->stride[0] * q->pp[1] + oh * g->stride[1]) *
		                           q->pp[2] + ow * g->stride[2]) * cg;
		int16_t *r = col + t * q->kp;
		if (cg == 1)            /* depthwise: one value per tap */
			for (int64_t k = 0; k < g->k_size; k++)
				r[k] = src[q->tap_off[k]];
		else
			for (int64_t k = 0; k < g->k_size; k++)
				memcpy(r + k * cg, src + q->tap_off[k], (size_t)cg * sizeof(int16_t));
		memset(r + nq, 0, (size_t)(q->kp - nq) * sizeof(int16_t));
	}
}

/* The padded input's extents and the taps' offsets into it (struct qconv_params). */
static int qconv_taps(struct node *n, struct exec *x, struct qconv_params *q)
{
	const struct conv_params *g = q->g;
	int64_t e = 0;

	q->p_size = 1;
	for (int s = 0; s < SP; s++) {
		q->pp[s] = (g->out[s] - 1) * g->stride[s] + (g->k[s] - 1) * g->dil[s] + 1;
		q->p_size *= q->pp[s];
	}
	if (g->cg * q->p_size > INT32_MAX)
		return op_fail(n, x, GRT_E_LIMIT, "the padded input of a group (%lld elements) is "
		               "too large", (long long)(g->cg * q->p_size));
	q->tap_off = plan_alloc(x, (size_t)g->k_size * sizeof(*q->tap_off));
	if (!q->tap_off)
		return GRT_E_NOMEM;
	for (int64_t kd = 0; kd < g->k[0]; kd++)
		for (int64_t kh = 0; kh < g->k[1]; kh++)
			for (int64_t kw = 0; kw < g->k[2]; kw++)
				q->tap_off[e++] = (int32_t)(((kd * g->dil[0] * q->pp[1] +
				                              kh * g->dil[1]) * q->pp[2] +
				                             kw * g->dil[2]) * g->cg);
	return GRT_OK;
}

static int qconv_plan(struct node *n, struct exec *x, int ix, int iw, int ib,
                      enum dtype ydt, struct qconv_params **out)
{
	static const enum dtype types[] = { DT_INT8, DT_UINT8, DT_UNDEFINED };
	const struct tensor *X = n->inputs[ix], *W = n->inputs[iw];
	const struct tensor *B = ib >= 0 ? op_input(n, ib) : NULL;
	struct conv_params *g;
	struct qconv_params *q;
	int64_t m;
	int rc;

	if ((rc = op_check_dtype(n, x, ix, types)) || (rc = op_check_dtype(n, x, iw, types)))
		return rc;
	if (B && B->dtype != DT_INT32)
		return op_fail(n, x, GRT_E_DTYPE, "B is %s, must be int32", dtype_name(B->dtype));
	if ((rc = conv_geometry(n, x, X, W, B, 0, ydt, &g)))
		return rc;
	q = plan_alloc(x, sizeof(*q));
	if (!q)
		return GRT_E_NOMEM;
	q->g = g;
	q->ix = ix;
	q->iw = iw;
	q->ib = B ? ib : -1;
	q->kp = q_kpad(g->cg * g->k_size);
	q->tile = QCOL_BYTES / (q->kp * (int64_t)sizeof(int16_t));
	q->tile = q->tile < 4 ? 4 : q->tile < g->out_size ? q->tile : g->out_size;
	q->qgemm = x->kern->qgemm;
	if ((rc = qconv_taps(n, x, q)))
		return rc;
	m = g->group * g->mg;
	q->xp_off = align64((size_t)(m * q->kp) * sizeof(int16_t));
	q->col_off = q->xp_off + align64((size_t)(g->cg * q->p_size) * sizeof(int16_t));
	q->acc_off = q->col_off + align64((size_t)(q->tile * q->kp) * sizeof(int16_t));
	n->scratch_bytes = q->acc_off;
	n->params = q;
	*out = q;
	return GRT_OK;
}

/* W [M][cg][k_size] packed into scratch [M][kp] as [M][k_size][cg] (the columns'
 * order), its zero points subtracted, zeros past k_size * cg. */
static void qconv_pack_w(const struct node *n, const struct qconv_params *q, void *scratch)
{
	const struct tensor *W = n->inputs[q->iw];
	const int64_t cg = q->g->cg, ks = q->g->k_size;

	for (int64_t m = 0; m < W->dims[0]; m++) {
		int16_t *o = (int16_t *)scratch + m * q->kp;
		const int32_t z = q_vec_int(n, &q->zw, m);
		for (int64_t c = 0; c < cg; c++)
			for (int64_t k = 0; k < ks; k++) {
				const int32_t w = q_elem(W->dtype, W->data, (m * cg + c) * ks + k);
				o[k * cg + c] = (int16_t)(w - z);
			}
		memset(o + cg * ks, 0, (size_t)(q->kp - cg * ks) * sizeof(int16_t));
	}
}

/* The zero points, which must match X's and W's types: X's one value, W's one or M;
 * then W packed, if it can be now. */
static int qconv_zero_points(struct node *n, struct exec *x, struct qconv_params *q,
                             int zx, int zw)
{
	const struct tensor *Zx = op_input(n, zx), *Zw = op_input(n, zw);
	int rc;

	if ((Zx && Zx->dtype != n->inputs[q->ix]->dtype) ||
	    (Zw && Zw->dtype != n->inputs[q->iw]->dtype))
		return op_fail(n, x, GRT_E_DTYPE, "a zero point's type differs from its tensor's");
	if ((rc = q_vec_check(n, x, zx, 1, 0, "x_zero_point", &q->zx)) ||
	    (rc = q_vec_check(n, x, zw, q->g->group * q->g->mg, 1, "w_zero_point", &q->zw)))
		return rc;
	if (n->inputs[q->iw]->is_const && (!Zw || Zw->is_const)) {
		int16_t *wp = plan_alloc(x, (size_t)(q->g->group * q->g->mg * q->kp) *
		                         sizeof(int16_t));
		if (!wp)
			return GRT_E_NOMEM;
		qconv_pack_w(n, q, wp);
		q->w_packed = wp;
	}
	return GRT_OK;
}

/* Group gi of batch item b, output positions o0 .. o0 + nt: the sums into acc [mg]
 * rows ldy apart. */
static void qconv_tile(const struct node *n, const struct qconv_params *q, void *scratch,
                       int64_t b, int64_t gi, int64_t o0, int64_t nt, int32_t *acc,
                       int64_t ldy)
{
	const struct conv_params *g = q->g;
	const struct tensor *X = n->inputs[q->ix];
	const int16_t *w = q->w_packed ? q->w_packed : scratch;
	const int16_t *wp = w + gi * g->mg * q->kp;
	int16_t *xp = (int16_t *)((char *)scratch + q->xp_off);
	int16_t *col = (int16_t *)((char *)scratch + q->col_off);
	const int64_t c0 = (b * g->group + gi) * g->cg * g->in_size;

	if (o0 == 0)            /* the group's first tile */
		pad_input_q(xp, q, (const char *)X->data + c0 * (int64_t)dtype_size(X->dtype),
		            X->dtype, q_vec_int(n, &q->zx, 0));
	im2col_q(col, q, xp, o0, nt);
	q->qgemm(acc, ldy, wp, col, g->mg, nt, q->kp);
}

/* Output positions in the tile that starts at o0. */
static int64_t tile_len(const struct qconv_params *q, int64_t o0)
{
	const int64_t left = q->g->out_size - o0;

	return left < q->tile ? left : q->tile;
}

static int conv_integer_prepare(struct node *n, struct exec *x)
{
	struct qconv_params *q;
	int rc = op_check_arity(n, x, 2, 4, 1, 1);

	if (rc || (rc = qconv_plan(n, x, 0, 1, -1, DT_INT32, &q)))
		return rc;
	return qconv_zero_points(n, x, q, 2, 3);
}

static int qlinear_conv_prepare(struct node *n, struct exec *x)
{
	struct qconv_params *q;
	enum dtype ydt;
	int rc = q_linear_inputs(n, x, 9, &ydt);

	if (rc)
		return rc;
	if ((rc = qconv_plan(n, x, 0, 3, 8, ydt, &q)) ||
	    (rc = qconv_zero_points(n, x, q, 2, 5)) ||
	    (rc = q_vec_check(n, x, 1, 1, 0, "x_scale", &q->sx)) ||
	    (rc = q_vec_check(n, x, 4, q->g->group * q->g->mg, 1, "w_scale", &q->sw)) ||
	    (rc = q_vec_check(n, x, 6, 1, 0, "y_scale", &q->sy)) ||
	    (rc = q_vec_check(n, x, 7, 1, 0, "y_zero_point", &q->zy)))
		return rc;
	q->qlinear = 1;
	n->scratch_bytes += (size_t)(q->g->mg * q->tile) * sizeof(int32_t);
	return GRT_OK;
}

/* Y = saturate(round((sum + B[m]) * (x_scale * w_scale[m] / y_scale)) + y_zero_point)
 * for the tile acc [mg][nt] of group gi, batch item b, positions o0 .. o0 + nt. */
static void qconv_requant(const struct node *n, const struct qconv_params *q, int32_t *acc,
                          int64_t b, int64_t gi, int64_t o0, int64_t nt)
{
	const struct conv_params *g = q->g;
	const struct tensor *Y = n->outputs[0];
	const int32_t *bias = q->ib >= 0 ? n->inputs[q->ib]->data : NULL;
	const float sx = q_vec_float(n, &q->sx, 0), sy = q_vec_float(n, &q->sy, 0);
	const int32_t zy = q_vec_int(n, &q->zy, 0);

	for (int64_t r = 0; r < g->mg; r++) {
		const int64_t m = gi * g->mg + r;
		const float s = sx * q_vec_float(n, &q->sw, m) / sy;
		int32_t *ar = acc + r * nt;
		if (bias)
			for (int64_t j = 0; j < nt; j++)     /* wraps */
				ar[j] = (int32_t)((uint32_t)ar[j] + (uint32_t)bias[m]);
		q_requant(Y->data, Y->dtype, (b * g->group * g->mg + m) * g->out_size + o0, ar, nt,
		          s, zy);
	}
}

/* The float-output node of ops/quantization/qdq_fuse.c (quant.h): inputs as QLinearConv's
 * but no y_scale, y_zero_point nor w_zero_point (W symmetric int8), and a float bias [M]
 * (input 8) added after the product is scaled back. */
static int qconv_float_prepare(struct node *n, struct exec *x)
{
	struct qconv_params *q;
	const struct tensor *B = op_input(n, 8);
	int rc;

	if (n->n_inputs != 9 || n->n_outputs != 1 || op_input(n, 5) || op_input(n, 6) ||
	    op_input(n, 7))
		return op_fail(n, x, GRT_E_INVALID_MODEL, "not a float-output QLinearConv");
	if ((rc = qconv_plan(n, x, 0, 3, -1, DT_FLOAT, &q)) ||
	    (rc = qconv_zero_points(n, x, q, 2, 5)) ||
	    (rc = q_vec_check(n, x, 1, 1, 0, "x_scale", &q->sx)) ||
	    (rc = q_vec_check(n, x, 4, q->g->group * q->g->mg, 1, "w_scale", &q->sw)))
		return rc;
	if (B && (B->dtype != DT_FLOAT || B->numel != q->g->group * q->g->mg))
		return op_fail(n, x, GRT_E_SHAPE, "the bias must be float [M]");
	q->bias_f = B ? B->data : NULL;
	q->qlinear = 1;
	q->float_out = 1;
	n->scratch_bytes += (size_t)(q->g->mg * q->tile) * sizeof(int32_t);
	return GRT_OK;
}

/* Y = sum * x_scale * w_scale[m] + B[m] (float) for the tile acc [mg][nt] of group gi,
 * batch item b, positions o0 .. o0 + nt. */
static void qconv_to_float(const struct node *n, const struct qconv_params *q,
                           const int32_t *acc, int64_t b, int64_t gi, int64_t o0, int64_t nt)
{
	const struct conv_params *g = q->g;
	const float sx = q_vec_float(n, &q->sx, 0);

	for (int64_t r = 0; r < g->mg; r++) {
		const int64_t m = gi * g->mg + r;
		const float s = sx * q_vec_float(n, &q->sw, m), bm = q->bias_f ? q->bias_f[m] : 0;
		float *y = (float *)n->outputs[0]->data + (b * g->group * g->mg + m) * g->out_size +
		           o0;
		for (int64_t j = 0; j < nt; j++)
			y[j] = (float)acc[r * nt + j] * s + bm;
		if (n->epi.kind != EPI_NONE)     /* a fused activation (OP_EPILOGUE) */
			op_epilogue(&n->epi, y, nt, m);
	}
}

/* run() of these ops: ConvInteger's sums go straight to Y, QLinearConv's through acc to
 * qconv_requant (or, float output, qconv_to_float). */
static int qconv_run(struct node *n, struct exec *x)
{
	const struct qconv_params *q = n->params;
	const struct conv_params *g = q->g;
	int32_t *acc = (int32_t *)((char *)x->scratch + q->acc_off);

	if (!q->w_packed)
		qconv_pack_w(n, q, x->scratch);
	for (int64_t b = 0; b < g->batch; b++)
		for (int64_t gi = 0; gi < g->group; gi++)
			for (int64_t o0 = 0; o0 < g->out_size; o0 += q->tile) {
				const int64_t nt = tile_len(q, o0);
				const int64_t y0 = ((b * g->group + gi) * g->mg) * g->out_size + o0;
				if (!q->qlinear) {
					int32_t *y = (int32_t *)n->outputs[0]->data + y0;
					qconv_tile(n, q, x->scratch, b, gi, o0, nt, y, g->out_size);
					continue;
				}
				qconv_tile(n, q, x->scratch, b, gi, o0, nt, acc, nt);
				if (q->float_out)
					qconv_to_float(n, q, acc, b, gi, o0, nt);
				else
					qconv_requant(n, q, acc, b, gi, o0, nt);
			}
	return GRT_OK;
}

static int64_t qconv_macs(const struct node *n)
{
	const struct qconv_params *q = n->params;

	return q ? conv_params_macs(q->g) : 0;
}

const struct op_def op_conv_integer = { "ConvInteger", 10, OPSET_LATEST, conv_integer_prepare,
                                        qconv_run, 0, qconv_macs };
const struct op_def op_qlinear_conv = { "QLinearConv", 10, OPSET_LATEST, qlinear_conv_prepare,
                                        qconv_run, 0, qconv_macs };
const struct op_def op_qlinear_conv_float = { "QLinearConv", 10, OPSET_LATEST,
                                              qconv_float_prepare, qconv_run, OP_EPILOGUE,
                                              qconv_macs };

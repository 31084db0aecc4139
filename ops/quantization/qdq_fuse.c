/* qdq_fuse.c - plan-time rewrite of a QDQ model's Conv and MatMul onto the integer
 * kernels (ops/quantization/qconv.c, qmatmul.c; ops/op.h says how rewrites work).
 *
 * Conv(DequantizeLinear(x_q), W, B) and MatMul(DequantizeLinear(x_q), W), x_q int8 or
 * uint8 with a constant per-tensor scale and zero point, W a constant float weight,
 * become one float-output QLinearConv / QLinearMatMul (quant.h): the product of x_q and
 * W's int8 values runs on the session's `qgemm` into int32, then is scaled back to float
 * (times x_scale * w_scale, plus the bias). W's own DequantizeLinear (constant in,
 * constant out) was already folded at plan time (runtime/session.c), so W arrives as
 * float, and a BatchNormalization after the Conv has been folded into it too
 * (rewrite_fold_batchnorm, an earlier phase): W is quantized again, symmetric int8 per
 * output channel (Conv: axis 0, MatMul: column), and the rewrite applies only if every
 * element comes back to float rounding (W_TOL), that is if W was a symmetric
 * per-channel int8 weight whose largest magnitude was 127, times a per-channel factor:
 * then the result is the model's own product, only summed in integers. ConvTranspose
 * stays float (no integer kernel). DequantizeLinear(x_q) stays where something else
 * reads it. */
#include <math.h>
#include <string.h>
#include "ops/op.h"
#include "ops/quantization/quant.h"

/* The DequantizeLinear that makes t (float) from a per-tensor int8 / uint8 x_q with a
 * constant float scale and zero point; else NULL. */
static struct node *dq_producer(struct rewrite_ctx *g, const struct tensor *t)
{
	struct node *dq = rw_producer(g, t, "DequantizeLinear");
	const struct tensor *z;

	if (!dq || t->dtype != DT_FLOAT || !rw_const_scalar(op_input(dq, 1)) ||
	    (dq->inputs[0]->dtype != DT_UINT8 && dq->inputs[0]->dtype != DT_INT8))
		return NULL;
	z = op_input(dq, 2);
	return z && (!z->is_const || z->numel != 1) ? NULL : dq;
}

/* How far from q * scale an element may be, relative to its channel's largest: float
 * rounding only (a folded BatchNormalization's scale), not a weight that was never
 * quantized (its elements fall anywhere between two steps, up to 1/254 of the largest). */
#define W_TOL 1e-6f

/* Constant float w [outer][c_n][inner] as int8 *wq (w's shape) and scales *ws [c_n]
 * (max |w| / 127 per channel); 0 if some element is not q * scale (to W_TOL). */
static int quantize_weight(struct exec *x, const struct tensor *w, int64_t outer,
                           int64_t c_n, int64_t inner, struct tensor **wq, struct tensor **ws)
{
	const float *wf = w->data;
	int8_t *q;
	float *s;

	*wq = plan_alloc(x, sizeof(**wq));
	*ws = plan_alloc(x, sizeof(**ws));
	if (!*wq || !*ws)
		return GRT_E_NOMEM;
	**wq = *w;
	**ws = *w;
	if (tensor_set_shape(*wq, DT_INT8, w->ndim, w->dims) ||
	    tensor_set_shape(*ws, DT_FLOAT, 1, &c_n))
		return 0;
	if (!((*wq)->data = q = plan_alloc(x, (*wq)->nbytes)) ||
	    !((*ws)->data = s = plan_alloc(x, (*ws)->nbytes)))
		return GRT_E_NOMEM;
	for (int64_t c = 0; c < c_n; c++) {
		float mx = 0;
		for (int64_t o = 0; o < outer; o++)
			for (int64_t i = 0; i < inner; i++)
				mx = fmaxf(mx, fabsf(wf[(o * c_n + c) * inner + i]));
		s[c] = mx > 0 ? mx / 127.0f : 1.0f;
		for (int64_t o = 0; o < outer; o++)
			for (int64_t i = 0; i < inner; i++) {
				const int64_t e = (o * c_n + c) * inner + i;
				const float v = nearbyintf(wf[e] / s[c]);
				if (!(fabsf(v) <= 127) || fabsf(v * s[c] - wf[e]) > W_TOL * mx)
					return 0;
				q[e] = (int8_t)v;
			}
	}
	return 1;
}

/* ins[0..2] = x_q, x_scale, x_zero_point from dq; ins[3], ins[4] = W's int8 values and
 * scales (the rest NULL) in a plan-time array of n_ins. */
static int q_inputs(struct rewrite_ctx *g, struct node *dq, const struct tensor *w,
                    int64_t outer, int64_t c_n, int64_t inner, int n_ins,
                    struct tensor ***ins)
{
	struct tensor *wq, *ws;
	int rc;

	if (!w->is_const || w->dtype != DT_FLOAT)
		return 0;
	if ((rc = quantize_weight(g->x, w, outer, c_n, inner, &wq, &ws)) <= 0)
		return rc;
	if (!(*ins = plan_alloc(g->x, (size_t)n_ins * sizeof(**ins))))
		return GRT_E_NOMEM;
	memset(*ins, 0, (size_t)n_ins * sizeof(**ins));
	(*ins)[0] = dq->inputs[0];
	(*ins)[1] = dq->inputs[1];
	(*ins)[2] = op_input(dq, 2);
	(*ins)[3] = wq;
	(*ins)[4] = ws;
	return 1;
}

/* The fused node (op, n_ins inputs ins) in place of node i, dq dropped if only i read
 * it; returns what the rewrite returns. */
static int replace(struct rewrite_ctx *g, int i, struct node *dq, const struct op_def *op,
                   const char *op_type, struct tensor **ins, int n_ins)
{
	struct node *n = &g->nodes[i], fused = rw_new_node(op, op_type, 10, n->name);

	fused.inputs = ins;
	fused.n_inputs = n_ins;
	fused.outputs = n->outputs;
	fused.n_outputs = 1;
	fused.attrs = n->attrs;             /* Conv's geometry */
	fused.n_attrs = n->n_attrs;
	if (fused.op->prepare(&fused, g->x))
		return 0;
	*n = fused;
	if (!rw_used_once(g, dq->outputs[0]))
		return 1;
	dq->op = NULL;
	return 2;
}

static int try_qdq_conv(struct rewrite_ctx *g, int i)
{
	struct node *conv = &g->nodes[i], *dq = dq_producer(g, conv->inputs[0]);
	const struct tensor *w = conv->inputs[1], *b = op_input(conv, 2);
	struct tensor **ins;
	int64_t inner = 1;
	int rc;

	if (!dq || conv->n_outputs != 1 || w->ndim < 3 || (b && (!b->is_const ||
	                                                        b->dtype != DT_FLOAT)))
		return 0;
	for (int a = 1; a < w->ndim; a++)
		inner *= w->dims[a];
	if ((rc = q_inputs(g, dq, w, 1, w->dims[0], inner, 9, &ins)) <= 0)
		return rc;
	ins[8] = (struct tensor *)b;
	return replace(g, i, dq, &op_qlinear_conv_float, "QLinearConv", ins, 9);
}

static int try_qdq_matmul(struct rewrite_ctx *g, int i)
{
	struct node *mm = &g->nodes[i], *dq = dq_producer(g, mm->inputs[0]);
	const struct tensor *w = mm->inputs[1];
	struct tensor **ins;
	int rc;

	if (!dq || w->ndim != 2)
		return 0;
	if ((rc = q_inputs(g, dq, w, w->dims[0], w->dims[1], 1, 6, &ins)) <= 0)
		return rc;
	return replace(g, i, dq, &op_qlinear_matmul_float, "QLinearMatMul", ins, 6);
}

const struct rewrite_def rewrite_qdq_conv = { "Conv", REWRITE_NODE, try_qdq_conv };
const struct rewrite_def rewrite_qdq_matmul = { "MatMul", REWRITE_NODE, try_qdq_matmul };

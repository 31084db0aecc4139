/* norm_fuse.c - plan-time rewrites for the normalisation family (ops/nn/norm.c;
 * ops/op.h says how rewrites work).
 *
 * LayerNorm: exporters decompose LayerNorm over the trailing axes A as
 *   m = ReduceMean(X, A)  d = Sub(X, m)  v = ReduceMean(Pow(d, 2), A)
 *   y = Div(d, Sqrt(Add(v, eps)))  z = Add(Mul(y, gamma), beta)
 * which is LayerNormalization(X, gamma, beta, axis = rank - |A|, epsilon)
 * (opset 17): the same mean and biased variance over the same axes, the
 * same eps inside the square root, gamma and beta broadcast onto the
 * normalised axes only. Every intermediate must be read by the pattern
 * alone (d by its Pow and Div), so nothing else sees it disappear. It runs
 * in its own phase, before the per-node rewrites, from the last Add.
 *
 * BatchNormalization (inference: training_mode 0, spatial 1, no optional
 * outputs) after Conv or ConvTranspose with constant weights: BN computes
 * (y - mean) / sqrt(var + eps) * gamma + beta per channel (axis 1) of the
 * conv's output y, which is linear in y, so the per-channel scale
 * s = gamma / sqrt(var + eps) goes into the weights of that output channel
 * and (bias - mean) * s + beta becomes the bias. (ConvTranspose's weights
 * are [C_in, C_out / group, ...]: output channel g * C_out/group + j.) */
#include <math.h>
#include <string.h>
#include "ops/op.h"
#include "ops/registry.h"

/* The axes of a ReduceMean with keepdims = 1 over the trailing k axes of
 * its input: returns k, or 0 if it is anything else. */
static int trailing_mean_axes(struct node *n, struct exec *x)
{
	const struct tensor *in = n->inputs[0];
	const int64_t *axes;
	int64_t keep, seen = 0;
	int count, r = in->ndim;

	if (attr_int(n, x, "keepdims", 1, &keep) || keep != 1 || n->n_inputs != 1)
		return 0;
	if (attr_ints(n, x, "axes", &axes, &count) || count <= 0 || count > r)
		return 0;
	for (int i = 0; i < count; i++) {
		int64_t a = axes[i] < 0 ? axes[i] + r : axes[i];
		if (a < r - count || a >= r || (seen & (1 << a)))
			return 0;
		seen |= 1 << a;
	}
	return count;
}

/* gamma or beta must broadcast onto the normalised dims only. */
static int fits_norm_shape(const struct tensor *p, const struct tensor *x, int k)
{
	if (!p || !p->is_const || p->dtype != DT_FLOAT)
		return 0;
	for (int d = 0; d < p->ndim; d++) {
		int xd = x->ndim - p->ndim + d;
		if (xd < 0 || (xd < x->ndim - k && p->dims[d] != 1))
			return 0;
		if (p->dims[d] != 1 && p->dims[d] != x->dims[xd])
			return 0;
	}
	return 1;
}

/* A copy of p with its leading dims dropped (they are all 1): the
 * normalised part only. (A copy: the planner frees folded values that no
 * planned node reads.) */
static struct tensor *trim_to(struct exec *x, const struct tensor *p, int k)
{
	struct tensor *t = plan_alloc(x, sizeof(*t));
	int drop = p->ndim > k ? p->ndim - k : 0;

	if (!t)
		return NULL;
	*t = *p;
	tensor_set_shape(t, p->dtype, p->ndim - drop, p->dims + drop);
	t->data = plan_alloc(x, p->nbytes);
	if (!t->data)
		return NULL;
	memcpy(t->data, p->data, p->nbytes);
	t->is_const = 1;
	return t;
}

/* The first of binary node n's inputs that an op_type node writes for n alone:
 * that node, with *other set to n's other input; else NULL. */
static struct node *operand_from(struct rewrite_ctx *g, struct node *n, const char *op_type,
                                 struct tensor **other)
{
	for (int j = 0; j < 2; j++) {
		struct node *p = rw_producer(g, n->inputs[j], op_type);
		if (p && rw_used_once(g, p->outputs[0])) {
			*other = n->inputs[1 - j];
			return p;
		}
	}
	return NULL;
}

/* z = Add(Mul(Div(d, Sqrt(Add(ReduceMean(Pow(d, 2)), eps))), gamma), beta) with
 * d = Sub(X, ReduceMean(X)): LayerNormalization(X, gamma, beta) at the last Add. */
static int try_layernorm(struct rewrite_ctx *g, int i_add)
{
	struct exec *x = g->x;
	struct node *add_b = &g->nodes[i_add], *mul_g, *div, *sqrt_n, *add_e, *mean2, *pow_n;
	struct node *sub, *mean1, fused;
	struct tensor *xin, *gamma, *beta, *d, **ins, **outs;
	struct attr *attrs;
	const float *eps, *two;
	int k, rc;

	/* z = Add(Mul(y, gamma), beta) */
	if (add_b->n_inputs != 2 || add_b->n_outputs != 1 || !add_b->outputs[0])
		return 0;
	if (!(mul_g = operand_from(g, add_b, "Mul", &beta)) ||
	    !(div = operand_from(g, mul_g, "Div", &gamma)))
		return 0;
	/* y = Div(d, Sqrt(Add(v, eps))) */
	d = div->inputs[0];
	sqrt_n = rw_producer(g, div->inputs[1], "Sqrt");
	if (!sqrt_n || !rw_used_once(g, sqrt_n->outputs[0]))
		return 0;
	add_e = rw_producer(g, sqrt_n->inputs[0], "Add");
	if (!add_e || !rw_used_once(g, add_e->outputs[0]))
		return 0;
	mean2 = rw_producer(g, add_e->inputs[0], "ReduceMean");
	eps = rw_const_scalar(add_e->inputs[1]);
	if (!mean2) {
		mean2 = rw_producer(g, add_e->inputs[1], "ReduceMean");
		eps = rw_const_scalar(add_e->inputs[0]);
	}
	if (!mean2 || !eps || !rw_used_once(g, mean2->outputs[0]))
		return 0;
	/* v = ReduceMean(Pow(d, 2)) */
	pow_n = rw_producer(g, mean2->inputs[0], "Pow");
	if (!pow_n || !rw_used_once(g, pow_n->outputs[0]) || pow_n->inputs[0] != d)
		return 0;
	two = rw_const_scalar(pow_n->inputs[1]);
	if (!two || *two != 2.0f)
		return 0;
	/* d = Sub(X, ReduceMean(X)), d read by the Pow and the Div only */
	sub = rw_producer(g, d, "Sub");
	if (!sub || rw_uses(g, d) != 2)
		return 0;
	xin = sub->inputs[0];
	mean1 = rw_producer(g, sub->inputs[1], "ReduceMean");
	if (!mean1 || mean1->inputs[0] != xin || !rw_used_once(g, mean1->outputs[0]))
		return 0;
	if (xin->dtype != DT_FLOAT)
		return 0;
	k = trailing_mean_axes(mean1, x);
	if (!k || trailing_mean_axes(mean2, x) != k)
		return 0;
	if (!fits_norm_shape(gamma, xin, k) || !fits_norm_shape(beta, xin, k))
		return 0;
	if (add_b->outputs[0]->ndim != xin->ndim ||
	    memcmp(add_b->outputs[0]->dims, xin->dims, sizeof(int64_t) * (size_t)xin->ndim))
		return 0;

	/* LayerNormalization(X, gamma, beta, axis = rank - k, epsilon) */
	fused = rw_new_node(op_lookup("LayerNormalization", 17), "LayerNormalization", 17,
	                    add_b->name);
	ins = plan_alloc(x, 3 * sizeof(*ins));
	outs = plan_alloc(x, sizeof(*outs));
	attrs = plan_alloc(x, 2 * sizeof(*attrs));
	if (!fused.op || !ins || !outs || !attrs)
		return GRT_E_NOMEM;
	ins[0] = xin;
	ins[1] = trim_to(x, gamma, k);
	ins[2] = trim_to(x, beta, k);
	if (!ins[1] || !ins[2])
		return GRT_E_NOMEM;
	outs[0] = add_b->outputs[0];
	attrs[0].name = "axis";
	attrs[0].type = ATTR_INT;
	attrs[0].i = xin->ndim - k;
	attrs[1].name = "epsilon";
	attrs[1].type = ATTR_FLOAT;
	attrs[1].f = *eps;
	fused.inputs = ins;
	fused.outputs = outs;
	fused.n_inputs = 3;
	fused.n_outputs = 1;
	fused.attrs = attrs;
	fused.n_attrs = 2;
	rc = fused.op->prepare(&fused, x);
	if (rc)
		return 0;          /* the kernel declined: keep the decomposed form */
	struct node *gone[] = { mean1, sub, pow_n, mean2, add_e, sqrt_n, div, mul_g };
	for (size_t j = 0; j < sizeof(gone) / sizeof(gone[0]); j++)
		gone[j]->op = NULL;
	*add_b = fused;    /* runs where the last node of the pattern ran */
	return (int)(sizeof(gone) / sizeof(gone[0])) + 1;    /* the pattern's nodes */
}

/* BatchNormalization(Conv(X, W, B)) with constant W, B and BN parameters, the
 * Conv's output read by the BN alone: Conv(X, W * s, (B - mean) * s + beta). */
static int try_fold_bn(struct rewrite_ctx *g, int i_bn)
{
	struct exec *x = g->x;
	struct node *bn = &g->nodes[i_bn], *c, conv;
	const struct tensor *w, *b;
	struct tensor *nw, *nb, **ins, **outs;
	const float *gamma, *beta, *mean, *var;
	int64_t M, group, training = 0, spatial = 1, per;
	float eps;
	int transpose, rc;

	if (bn->n_inputs != 5 || !bn->outputs[0])
		return 0;
	for (int k = 1; k < bn->n_outputs; k++)
		if (bn->outputs[k])
			return 0;
	if (attr_float(bn, x, "epsilon", 1e-5f, &eps) ||
	    attr_int(bn, x, "training_mode", 0, &training) || training ||
	    attr_int(bn, x, "spatial", 1, &spatial) || !spatial)
		return 0;
	c = rw_producer(g, bn->inputs[0], "Conv");
	transpose = 0;
	if (!c) {
		c = rw_producer(g, bn->inputs[0], "ConvTranspose");
		transpose = 1;
	}
	if (!c || !rw_used_once(g, c->outputs[0]) || c->n_outputs != 1)
		return 0;
	w = c->inputs[1];
	b = c->n_inputs > 2 ? c->inputs[2] : NULL;
	if (!rw_const_float(w, -1) || w->ndim < 3 || w->numel == 0 ||
	    attr_int(c, x, "group", 1, &group) || group < 1 || w->dims[0] % group)
		return 0;
	M = transpose ? w->dims[1] * group : w->dims[0];
	if (c->outputs[0]->ndim < 2 || c->outputs[0]->dims[1] != M || (b && !rw_const_float(b, M)))
		return 0;
	for (int k = 1; k < 5; k++)
		if (!rw_const_float(bn->inputs[k], M))
			return 0;
	gamma = bn->inputs[1]->data;
	beta = bn->inputs[2]->data;
	mean = bn->inputs[3]->data;
	var = bn->inputs[4]->data;

	nw = plan_alloc(x, sizeof(*nw));
	nb = plan_alloc(x, sizeof(*nb));
	ins = plan_alloc(x, 3 * sizeof(*ins));
	outs = plan_alloc(x, sizeof(*outs));
	if (!nw || !nb || !ins || !outs)
		return GRT_E_NOMEM;
	*nw = *w;
	tensor_set_shape(nb, DT_FLOAT, 1, &M);
	nw->data = plan_alloc(x, w->nbytes);
	nb->data = plan_alloc(x, nb->nbytes);
	if (!nw->data || !nb->data)
		return GRT_E_NOMEM;
	nw->is_const = nb->is_const = 1;
	nw->name = w->name;
	nb->name = bn->inputs[2]->name;
	per = w->numel / w->dims[0] / w->dims[1];    /* kernel elements */
	for (int64_t m = 0; m < M; m++) {
		float sc = gamma[m] / sqrtf(var[m] + eps);
		((float *)nb->data)[m] =
		        ((b ? ((const float *)b->data)[m] : 0.0f) - mean[m]) * sc + beta[m];
	}
	for (int64_t o = 0; o < w->dims[0]; o++)
		for (int64_t j = 0; j < w->dims[1]; j++) {
			/* output channel of W[o, j, ...] */
			int64_t m = transpose ? o / (w->dims[0] / group) * w->dims[1] + j : o;
			float sc = gamma[m] / sqrtf(var[m] + eps);
			const float *src = (const float *)w->data + (o * w->dims[1] + j) * per;
			float *dst = (float *)nw->data + (o * w->dims[1] + j) * per;
			for (int64_t e = 0; e < per; e++)
				dst[e] = src[e] * sc;
		}
	conv = *c;
	ins[0] = c->inputs[0];
	ins[1] = nw;
	ins[2] = nb;
	outs[0] = bn->outputs[0];
	conv.inputs = ins;
	conv.n_inputs = 3;
	conv.outputs = outs;
	conv.params = NULL;
	conv.scratch_bytes = 0;
	rc = conv.op->prepare(&conv, x);
	if (rc)
		return 0;
	*c = conv;
	g->producer[rw_id(g, bn->outputs[0])] = (int)(c - g->nodes);
	bn->op = NULL;
	return 1;
}

const struct rewrite_def rewrite_layernorm = { "Add", REWRITE_SUBGRAPH, try_layernorm };
const struct rewrite_def rewrite_fold_batchnorm = {
	"BatchNormalization", REWRITE_FOLD, try_fold_bn };

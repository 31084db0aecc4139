/* fuse.c - plan-time graph rewrites driven by ONNX semantics (never by node
 * names): subgraphs that compute a known operator are replaced by one node
 * of that operator, prepared like any other.
 *
 * LayerNorm: exporters decompose LayerNorm over the trailing axes A as
 *   m = ReduceMean(X, A)  d = Sub(X, m)  v = ReduceMean(Pow(d, 2), A)
 *   y = Div(d, Sqrt(Add(v, eps)))  z = Add(Mul(y, gamma), beta)
 * which is LayerNormalization(X, gamma, beta, axis = rank - |A|, epsilon).
 *
 * BatchNormalization (inference) after Conv or ConvTranspose with constant
 * weights: the per-channel scale s = gamma / sqrt(var + eps) goes into the
 * weights and (bias - mean) * s + beta becomes the bias.
 *
 * Unfold: exporters write PyTorch's nn.Unfold on X [N, C, H, W] either as
 *   Transpose(Gather(Gather(Pad(X), rows, axis 2), cols, axis 4), [0,1,2,4,3,5])
 * with constant index tables rows [kh][Ho] = o*sh + i*dh, cols [kw][Wo] likewise,
 * or (kernel 1 x kw) as Concat(Unsqueeze(Slice(Pad(X), axis 3)), axis 2) with
 * one strided slice per tap. Both produce the elements of Unfold(X) in its
 * order; the fused node writes them into the pattern's last tensor, which keeps
 * the shape the graph gives it.
 *
 * Unfold + 1x1 Conv: a pointwise Conv or ConvTranspose over the channels of an
 * Unfold (through a Reshape) is one Conv with the Unfold's window.
 *
 * GRU layouts: a Transpose(perm [1, 0, 2]) that only feeds a GRU's X, and the
 * Transposes (with Reshapes and Squeezes between them) that only rearrange its
 * Y while keeping each [hidden] run whole, are folded into the strides the GRU
 * reads X and writes Y with.
 *
 * A Concat of such GRU outputs, each read by it alone, disappears: every GRU
 * writes its part of the Concat's output (the memory plan allows a tensor
 * several writers).
 *
 * Pad + Conv: a Conv whose input is a zero Pad of the spatial axes only (read
 * by nothing else) takes those pads itself.
 *
 * MatMulAdd: a float Add(MatMul(A, B), C) whose product is read only by the Add
 * and whose C broadcasts to the product's shape becomes MatMulAdd(A, B, C) of the
 * project's domain: C is added to each row of the product while it is in cache.
 *
 * Epilogues: a float Sigmoid, Tanh or PRelu (slope constant, one value per
 * channel or one for all) whose input is written by an op that can apply it
 * (OP_EPILOGUE) and read by nothing else runs inside that op's kernel. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ops/gru.h"
#include "runtime/internal.h"

struct graph_view {
	grt_session *s;
	int *producer;       /* [n_values] run-node index that writes it, or -1 */
	int *uses;           /* [n_values] readers among run nodes, plus graph outputs */
};

static int tid(const grt_session *s, const struct tensor *t)
{
	return (int)(t - s->tensors);
}

static struct node *producer_of(struct graph_view *g, const struct tensor *t, const char *op)
{
	int i;

	if (!t)
		return NULL;
	i = g->producer[tid(g->s, t)];
	if (i < 0 || !g->s->nodes[i].op || strcmp(g->s->nodes[i].op_type, op))
		return NULL;
	return &g->s->nodes[i];
}

static int used_once(struct graph_view *g, const struct tensor *t)
{
	return g->uses[tid(g->s, t)] == 1;
}

/* A constant float tensor of one element, or NULL. */
static const float *const_scalar(const struct tensor *t)
{
	return t && t->is_const && t->dtype == DT_FLOAT && t->numel == 1 ? t->data : NULL;
}

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

static int try_layernorm(struct graph_view *g, int i_add, struct exec *x)
{
	grt_session *s = g->s;
	struct node *add_b = &s->nodes[i_add], *mul_g, *div, *sqrt_n, *add_e, *mean2, *pow_n;
	struct node *sub, *mean1, fused;
	struct tensor *xin, *gamma, *beta, *d, **ins, **outs;
	struct attr *attrs;
	const float *eps, *two;
	int k, rc;

	/* z = Add(Mul(y, gamma), beta) */
	if (add_b->n_inputs != 2 || add_b->n_outputs != 1 || !add_b->outputs[0])
		return 0;
	for (int j = 0; j < 2; j++) {
		mul_g = producer_of(g, add_b->inputs[j], "Mul");
		if (mul_g && used_once(g, mul_g->outputs[0])) {
			beta = add_b->inputs[1 - j];
			break;
		}
		mul_g = NULL;
	}
	if (!mul_g)
		return 0;
	for (int j = 0; j < 2; j++) {
		div = producer_of(g, mul_g->inputs[j], "Div");
		if (div && used_once(g, div->outputs[0])) {
			gamma = mul_g->inputs[1 - j];
			break;
		}
		div = NULL;
	}
	if (!div)
		return 0;
	/* y = Div(d, Sqrt(Add(v, eps))) */
	d = div->inputs[0];
	sqrt_n = producer_of(g, div->inputs[1], "Sqrt");
	if (!sqrt_n || !used_once(g, sqrt_n->outputs[0]))
		return 0;
	add_e = producer_of(g, sqrt_n->inputs[0], "Add");
	if (!add_e || !used_once(g, add_e->outputs[0]))
		return 0;
	mean2 = producer_of(g, add_e->inputs[0], "ReduceMean");
	eps = const_scalar(add_e->inputs[1]);
	if (!mean2) {
		mean2 = producer_of(g, add_e->inputs[1], "ReduceMean");
		eps = const_scalar(add_e->inputs[0]);
	}
	if (!mean2 || !eps || !used_once(g, mean2->outputs[0]))
		return 0;
	/* v = ReduceMean(Pow(d, 2)) */
	pow_n = producer_of(g, mean2->inputs[0], "Pow");
	if (!pow_n || !used_once(g, pow_n->outputs[0]) || pow_n->inputs[0] != d)
		return 0;
	two = const_scalar(pow_n->inputs[1]);
	if (!two || *two != 2.0f)
		return 0;
	/* d = Sub(X, ReduceMean(X)), d read by the Pow and the Div only */
	sub = producer_of(g, d, "Sub");
	if (!sub || g->uses[tid(s, d)] != 2)
		return 0;
	xin = sub->inputs[0];
	mean1 = producer_of(g, sub->inputs[1], "ReduceMean");
	if (!mean1 || mean1->inputs[0] != xin || !used_once(g, mean1->outputs[0]))
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
	memset(&fused, 0, sizeof(fused));
	fused.op = op_lookup("LayerNormalization", 17);
	fused.op_type = "LayerNormalization";
	fused.name = add_b->name;
	fused.opset = 17;
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
	mean1->op = sub->op = pow_n->op = mean2->op = add_e->op = NULL;
	sqrt_n->op = div->op = mul_g->op = NULL;
	*add_b = fused;    /* runs where the last node of the pattern ran */
	return 1;
}

static int const_float(const struct tensor *t, int64_t numel)
{
	return t && t->is_const && t->dtype == DT_FLOAT && (numel < 0 || t->numel == numel);
}

static int try_fold_bn(struct graph_view *g, int i_bn, struct exec *x)
{
	grt_session *s = g->s;
	struct node *bn = &s->nodes[i_bn], *c, conv;
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
	c = producer_of(g, bn->inputs[0], "Conv");
	transpose = 0;
	if (!c) {
		c = producer_of(g, bn->inputs[0], "ConvTranspose");
		transpose = 1;
	}
	if (!c || !used_once(g, c->outputs[0]) || c->n_outputs != 1)
		return 0;
	w = c->inputs[1];
	b = c->n_inputs > 2 ? c->inputs[2] : NULL;
	if (!const_float(w, -1) || w->ndim < 3 || w->numel == 0 ||
	    attr_int(c, x, "group", 1, &group) || group < 1 || w->dims[0] % group)
		return 0;
	M = transpose ? w->dims[1] * group : w->dims[0];
	if (c->outputs[0]->ndim < 2 || c->outputs[0]->dims[1] != M || (b && !const_float(b, M)))
		return 0;
	for (int k = 1; k < 5; k++)
		if (!const_float(bn->inputs[k], M))
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
		((float *)nb->data)[m] = ((b ? ((const float *)b->data)[m] : 0.0f) - mean[m]) * sc + beta[m];
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
	g->producer[tid(s, bn->outputs[0])] = (int)(c - s->nodes);
	bn->op = NULL;
	return 1;
}

/* The constant integer tensor t as int64 values in buf [max], or NULL. */
static const int64_t *const_ints(const struct tensor *t, int64_t *buf, int64_t max)
{
	if (!t || !t->is_const || (t->dtype != DT_INT64 && t->dtype != DT_INT32) ||
	    t->numel > max || tensor_read_ints(t, buf, max))
		return NULL;
	return buf;
}

/* Pad(X) with mode constant, value 0 and pads >= 0 on the spatial axes (2 and
 * up) of X (rank >= 3) only, its output read by `readers` nodes of the pattern
 * and nothing else: sets pads [begin of each spatial axis, end of each] (Conv's
 * layout) and returns X, else NULL. */
static struct tensor *spatial_zero_pad(struct graph_view *g, struct node *pad, int readers,
                                       struct exec *x, int64_t *pads)
{
	struct tensor *in = pad->inputs[0];
	const char *mode;
	int64_t buf[2 * MAX_DIMS];
	const int64_t *pv;
	int count, r = in->ndim, nsp = r - 2;

	if (attr_string(pad, x, "mode", "constant", &mode) || strcmp(mode, "constant") ||
	    r < 3 || g->uses[tid(g->s, pad->outputs[0])] != readers)
		return NULL;
	if (pad->opset < 11) {
		float v;
		if (attr_ints(pad, x, "pads", &pv, &count) || count != 2 * r ||
		    attr_float(pad, x, "value", 0.0f, &v) || v != 0.0f)
			return NULL;
	} else {
		const struct tensor *cv = op_input(pad, 2);
		if (op_input(pad, 3) || pad->inputs[1]->numel != 2 * r ||
		    !(pv = const_ints(pad->inputs[1], buf, 2 * MAX_DIMS)))
			return NULL;
		if (cv && (!cv->is_const || cv->numel != 1 || elem_as_double(cv->dtype, cv->data, 0) != 0))
			return NULL;
	}
	if (pv[0] || pv[1] || pv[r] || pv[r + 1])
		return NULL;
	for (int i = 0; i < nsp; i++) {
		pads[i] = pv[2 + i];
		pads[nsp + i] = pv[r + 2 + i];
		if (pads[i] < 0 || pads[nsp + i] < 0)
			return NULL;
	}
	return in;
}

/* idx [k][n] over an axis of size dim holds idx[i][o] = o * s + i * d (negative
 * entries count from the end) and n is the number of windows that fit: sets
 * k, s, d and returns 1. */
static int window_table(const struct tensor *t, int64_t dim, int64_t *k, int64_t *s, int64_t *d)
{
	int64_t *v, n;
	int ok = 0;

	if (!t || t->ndim != 2 || t->numel < 1 || t->numel > 1 << 20)
		return 0;
	*k = t->dims[0];
	n = t->dims[1];
	v = malloc((size_t)t->numel * sizeof(*v));
	if (!v || !const_ints(t, v, t->numel))
		goto out;
	for (int64_t i = 0; i < t->numel; i++)
		v[i] = v[i] < 0 ? v[i] + dim : v[i];
	*s = n > 1 ? v[1] - v[0] : 1;
	*d = *k > 1 ? v[n] - v[0] : 1;
	if (v[0] != 0 || *s < 1 || *d < 1 || dim - *d * (*k - 1) - 1 < 0 ||
	    (dim - *d * (*k - 1) - 1) / *s + 1 != n)
		goto out;
	for (int64_t i = 0; i < *k; i++)
		for (int64_t o = 0; o < n; o++)
			if (v[i * n + o] != o * *s + i * *d)
				goto out;
	ok = 1;
out:
	free(v);
	return ok;
}

/* Replaces the pattern ending at node `last` (all its other nodes already
 * cleared by the caller on success) with Unfold(X) writing last's output. */
static int emit_unfold(struct node *last, struct tensor *xin,
                       const int64_t *k, const int64_t *d, const int64_t *st,
                       const int64_t *pads, struct exec *x)
{
	struct node fused;
	struct tensor **ins, **outs, *probe;
	struct attr *attrs;
	int64_t *v;
	static const char *const names[4] = { "kernel_shape", "dilations", "strides", "pads" };

	memset(&fused, 0, sizeof(fused));
	fused.op = op_lookup_domain(OP_DOMAIN, "Unfold", OP_DOMAIN_VERSION);
	fused.op_type = "Unfold";
	fused.name = last->name;
	fused.opset = OP_DOMAIN_VERSION;
	ins = plan_alloc(x, sizeof(*ins));
	outs = plan_alloc(x, sizeof(*outs));
	attrs = plan_alloc(x, 4 * sizeof(*attrs));
	v = plan_alloc(x, 10 * sizeof(*v));
	probe = plan_alloc(x, sizeof(*probe));
	if (!fused.op || !ins || !outs || !attrs || !v || !probe)
		return GRT_E_NOMEM;
	memcpy(v, k, 2 * sizeof(*v));
	memcpy(v + 2, d, 2 * sizeof(*v));
	memcpy(v + 4, st, 2 * sizeof(*v));
	memcpy(v + 6, pads, 4 * sizeof(*v));
	for (int a = 0; a < 4; a++) {
		attrs[a].name = names[a];
		attrs[a].type = ATTR_INTS;
		attrs[a].ints = v + 2 * a;
		attrs[a].n = a == 3 ? 4 : 2;
	}
	/* prepare on a probe: the real output keeps the graph's shape */
	*probe = *last->outputs[0];
	ins[0] = xin;
	outs[0] = probe;
	fused.inputs = ins;
	fused.outputs = outs;
	fused.n_inputs = fused.n_outputs = 1;
	fused.attrs = attrs;
	fused.n_attrs = 4;
	if (fused.op->prepare(&fused, x) || probe->numel != last->outputs[0]->numel ||
	    probe->dtype != last->outputs[0]->dtype)
		return 0;
	outs[0] = last->outputs[0];
	*last = fused;
	return 1;
}

/* Transpose(Gather(Gather(Pad(X), rows, 2), cols, 4), [0,1,2,4,3,5]) */
static int try_unfold_gathers(struct graph_view *g, int i_t, struct exec *x)
{
	grt_session *s = g->s;
	struct node *tr = &s->nodes[i_t], *g5, *g4, *pad;
	static const int64_t want_perm[6] = { 0, 1, 2, 4, 3, 5 };
	const int64_t *perm;
	int64_t pads[4] = { 0, 0, 0, 0 }, k[2], d[2], st[2], a4, a5;
	struct tensor *xin;
	int count, rc;

	if (attr_ints(tr, x, "perm", &perm, &count) || count != 6 ||
	    memcmp(perm, want_perm, sizeof(want_perm)))
		return 0;
	g5 = producer_of(g, tr->inputs[0], "Gather");
	if (!g5 || !used_once(g, g5->outputs[0]) || attr_int(g5, x, "axis", 0, &a5) ||
	    (a5 != 4 && a5 != -2))
		return 0;
	g4 = producer_of(g, g5->inputs[0], "Gather");
	if (!g4 || !used_once(g, g4->outputs[0]) || attr_int(g4, x, "axis", 0, &a4) ||
	    (a4 != 2 && a4 != -3))
		return 0;
	pad = producer_of(g, g4->inputs[0], "Pad");
	xin = pad ? spatial_zero_pad(g, pad, 1, x, pads) : g4->inputs[0];
	if (!xin || xin->ndim != 4)
		return 0;
	if (!window_table(g4->inputs[1], xin->dims[2] + pads[0] + pads[2], &k[0], &st[0], &d[0]) ||
	    !window_table(g5->inputs[1], xin->dims[3] + pads[1] + pads[3], &k[1], &st[1], &d[1]))
		return 0;
	rc = emit_unfold(tr, xin, k, d, st, pads, x);
	if (rc != 1)
		return rc;
	g4->op = g5->op = NULL;
	if (pad)
		pad->op = NULL;
	return pad ? 4 : 3;           /* nodes replaced */
}

/* The start and step along the last axis of a Slice that keeps the other axes
 * whole. */
static int slice_last(struct node *sl, struct exec *x, int64_t *start, int64_t *step)
{
	const struct tensor *in = sl->inputs[0], *out = sl->outputs[0];
	int64_t bs[4], be[4], ba[4], bt[4];
	const int64_t *st, *ax = NULL, *sp = NULL;
	const int r = in->ndim;
	int count = -1, na;

	if (r < 1 || r > 4 || out->ndim != r)
		return 0;
	for (int a = 0; a + 1 < r; a++)
		if (out->dims[a] != in->dims[a])
			return 0;
	if (sl->opset < 10) {
		if (attr_ints(sl, x, "starts", &st, &count) || count < 1 || count > 4 ||
		    attr_ints(sl, x, "axes", &ax, &na) || (ax && na != count))
			return 0;
	} else {
		count = (int)sl->inputs[1]->numel;
		if (count < 1 || count > 4 || !(st = const_ints(sl->inputs[1], bs, 4)) ||
		    !const_ints(sl->inputs[2], be, 4) ||
		    (op_input(sl, 3) && !(ax = const_ints(sl->inputs[3], ba, 4))) ||
		    (op_input(sl, 4) && !(sp = const_ints(sl->inputs[4], bt, 4))))
			return 0;
	}
	for (int i = 0; i < count; i++) {
		int64_t a = ax ? (ax[i] < 0 ? ax[i] + r : ax[i]) : i, v = st[i];
		if (a != r - 1) {
			continue;     /* the other axes are whole (checked above) */
		}
		*step = sp ? sp[i] : 1;
		if (*step < 1)
			return 0;
		v = v < 0 ? v + in->dims[r - 1] : v;
		*start = v < 0 ? 0 : v > in->dims[r - 1] ? in->dims[r - 1] : v;
		return 1;
	}
	return 0;
}

/* Concat(Unsqueeze(Slice(Pad(X), axis 3), 2) for each tap, axis 2) */
static int try_unfold_slices(struct graph_view *g, int i_c, struct exec *x)
{
	grt_session *s = g->s;
	struct node *cat = &s->nodes[i_c], *pad = NULL, *sl[64], *un[64];
	int64_t axis, pads[4] = { 0, 0, 0, 0 }, k[2], d[2], st[2], wo = -1, wp;
	struct tensor *p = NULL, *xin;
	int kw = cat->n_inputs, rc;

	if (kw < 2 || kw > 64 || attr_int(cat, x, "axis", 0, &axis) || (axis != 2 && axis != -3) ||
	    cat->outputs[0]->ndim != 5)
		return 0;
	for (int j = 0; j < kw; j++) {
		struct node *u = producer_of(g, cat->inputs[j], "Unsqueeze");
		const int64_t *axes, *ap;
		int64_t buf[1];
		int count;
		if (!u || !used_once(g, u->outputs[0]))
			return 0;
		un[j] = u;
		if (u->opset < 13) {
			if (attr_ints(u, x, "axes", &axes, &count) || count != 1)
				return 0;
			ap = axes;
		} else if (!(ap = const_ints(u->inputs[1], buf, 1)) || u->inputs[1]->numel != 1) {
			return 0;
		}
		if (ap[0] != 2 && ap[0] != -3)
			return 0;
		sl[j] = producer_of(g, u->inputs[0], "Slice");
		if (!sl[j] || !used_once(g, sl[j]->outputs[0]) || sl[j]->inputs[0]->ndim != 4 ||
		    (p && sl[j]->inputs[0] != p))
			return 0;
		p = sl[j]->inputs[0];
	}
	if (g->uses[tid(s, p)] != kw)
		return 0;
	pad = producer_of(g, p, "Pad");
	xin = pad ? spatial_zero_pad(g, pad, kw, x, pads) : p;
	if (!xin)
		return 0;
	wp = p->dims[3];
	for (int j = 0; j < kw; j++) {
		int64_t start, step;
		if (sl[j]->inputs[0]->ndim != 4 || !slice_last(sl[j], x, &start, &step))
			return 0;
		if (j == 0) {
			st[1] = step;
			wo = sl[j]->outputs[0]->dims[3];
			if (start != 0)
				return 0;
		} else if (j == 1) {
			d[1] = start;
		}
		if (step != st[1] || sl[j]->outputs[0]->dims[3] != wo || (j && start != j * d[1]))
			return 0;
	}
	if (d[1] < 1 || wp - d[1] * (kw - 1) - 1 < 0 || (wp - d[1] * (kw - 1) - 1) / st[1] + 1 != wo)
		return 0;
	k[0] = 1;
	k[1] = kw;
	d[0] = st[0] = 1;
	rc = emit_unfold(cat, xin, k, d, st, pads, x);
	if (rc != 1)
		return rc;
	for (int j = 0; j < kw; j++)
		un[j]->op = sl[j]->op = NULL;
	if (pad)
		pad->op = NULL;
	return 2 * kw + 1 + (pad != NULL);   /* nodes replaced */
}

/* The node that reads t, when exactly one does (and t is not a graph output). */
static struct node *sole_reader(struct graph_view *g, const struct tensor *t)
{
	grt_session *s = g->s;

	if (!t || !used_once(g, t))
		return NULL;
	for (int i = 0; i < s->n_run; i++) {
		struct node *n = &s->nodes[i];
		for (int k = 0; n->op && k < n->n_inputs; k++)
			if (n->inputs[k] == t)
				return n;
	}
	return NULL;
}

/* A tensor seen as groups of the GRU's Y axes (t, d, b, hidden = 0..3): axis k
 * of the tensor is Y axes grp[k][0..len[k]), outermost first. */
struct yview {
	int nd;
	int64_t dims[MAX_DIMS];
	int len[MAX_DIMS];
	int grp[MAX_DIMS][4];
};

/* The view after a Reshape (or Squeeze, Unsqueeze) to dims: only merges of
 * neighbouring axes and size-1 axes; 0 for anything else (a split). */
static int yview_reshape(struct yview *v, int nd, const int64_t *dims)
{
	struct yview w = { .nd = nd };
	int k = 0;

	for (int j = 0; j < nd; j++) {
		int64_t prod = 1;
		w.dims[j] = dims[j];
		w.len[j] = 0;
		if (dims[j] == 1)
			continue;
		while (k < v->nd && (prod < dims[j] || v->dims[k] == 1)) {
			if (v->dims[k] != 1) {
				prod *= v->dims[k];
				for (int q = 0; q < v->len[k]; q++)
					w.grp[j][w.len[j]++] = v->grp[k][q];
			}
			k++;
		}
		if (prod != dims[j])
			return 0;
	}
	*v = w;
	return 1;
}

static int try_gru_layout(struct graph_view *g, int i_gru, struct exec *x)
{
	grt_session *s = g->s;
	struct node *n = &s->nodes[i_gru], *tr, *r, *chain[16];
	struct tensor *y = op_output(n, 0), *fin = NULL;
	static const int64_t swap01[3] = { 1, 0, 2 };
	const int64_t *perm;
	struct yview v, best;
	int count, done = 0, n_chain = 0, n_best = 0;

	/* X: Transpose(perm [1, 0, 2]) read only by this GRU */
	tr = producer_of(g, n->inputs[0], "Transpose");
	if (tr && used_once(g, tr->outputs[0]) && !attr_ints(tr, x, "perm", &perm, &count) &&
	    count == 3 && !memcmp(perm, swap01, sizeof(swap01)) &&
	    gru_read_x_from(n, tr->inputs[0])) {
		tr->op = NULL;
		done++;
	}
	/* X: a Slice of the last axis, step 1, read only by this GRU */
	tr = producer_of(g, n->inputs[0], "Slice");
	if (tr && used_once(g, tr->outputs[0])) {
		int64_t start, step;
		if (slice_last(tr, x, &start, &step) && step == 1 &&
		    gru_read_x_slice(n, tr->inputs[0], start)) {
			tr->op = NULL;
			done++;
		}
	}
	/* Y: follow Transposes, Reshapes and Squeezes read once */
	if (!y || y->ndim != 4)
		return done;
	v.nd = 4;
	for (int a = 0; a < 4; a++) {
		v.dims[a] = y->dims[a];
		v.len[a] = 1;
		v.grp[a][0] = a;
	}
	for (struct tensor *t = y; (r = sole_reader(g, t)) && n_chain < 16; t = r->outputs[0]) {
		struct tensor *o = r->outputs[0];
		if (r->n_outputs != 1 || !o || r->inputs[0] != t)
			break;
		if (!strcmp(r->op_type, "Transpose")) {
			struct yview w = v;
			if (attr_ints(r, x, "perm", &perm, &count) || count != v.nd)
				break;
			for (int j = 0; j < v.nd; j++) {
				w.dims[j] = v.dims[perm[j]];
				w.len[j] = v.len[perm[j]];
				memcpy(w.grp[j], v.grp[perm[j]], sizeof(w.grp[j]));
			}
			v = w;
		} else if (!strcmp(r->op_type, "Reshape") || !strcmp(r->op_type, "Squeeze") ||
		           !strcmp(r->op_type, "Unsqueeze")) {
			if (!yview_reshape(&v, o->ndim, o->dims))
				break;
		} else {
			break;
		}
		chain[n_chain++] = r;
		if (!strcmp(r->op_type, "Transpose")) {
			best = v;
			n_best = n_chain;
			fin = o;
		}
	}
	if (n_best) {
		/* strides of t, d, b in fin (contiguous); hidden must be the innermost */
		int64_t stride[4] = { 0, 0, 0, 0 }, size[4], st = 1;
		for (int a = 0; a < 4; a++)
			size[a] = y->dims[a];
		for (int k = best.nd - 1; k >= 0; k--) {
			int64_t in = st;
			for (int q = best.len[k] - 1; q >= 0; q--) {
				stride[best.grp[k][q]] = in;
				in *= size[best.grp[k][q]];
			}
			st *= best.dims[k];
		}
		if (stride[3] == 1 && gru_write_y_to(n, fin, 0, stride[0], stride[1], stride[2])) {
			for (int c = 0; c < n_best; c++)
				chain[c]->op = NULL;
			g->producer[tid(s, fin)] = i_gru;
			done += n_best;
		}
	}
	return done;
}

/* Contiguous element strides of t. */
static void contiguous_strides(const struct tensor *t, int64_t *st)
{
	int64_t s = 1;

	for (int a = t->ndim - 1; a >= 0; a--) {
		st[a] = s;
		s *= t->dims[a];
	}
}

/* A stride s of a contiguous tensor with dims and strides is, in another tensor
 * with strides os and the same inner dims, s / st[a] * os[a] for the axis a it
 * steps along; -1 if s steps along no single axis. */
static int64_t restride(int64_t s, int nd, const int64_t *dims, const int64_t *st,
                        const int64_t *os)
{
	if (s == 0)
		return 0;
	for (int a = nd - 1; a >= 0; a--)
		if (s % st[a] == 0 && s / st[a] < dims[a])
			return s / st[a] * os[a];
	return -1;
}

/* Concat whose every input is a GRU's Y, written through strides and read by
 * the Concat alone: each GRU writes its part of the Concat's output directly. */
static int try_concat_writers(struct graph_view *g, int i_cat, struct exec *x)
{
	grt_session *s = g->s;
	struct node *cat = &s->nodes[i_cat], *w[8];
	struct tensor *out = cat->outputs[0];
	int64_t axis, os[MAX_DIMS], lay[8][4], pos = 0;
	int a, k = cat->n_inputs;

	if (k < 2 || k > 8 || !out || out->dtype != DT_FLOAT ||
	    attr_int(cat, x, "axis", 0, &axis) || op_axis(cat, x, axis, out->ndim, &a))
		return 0;
	contiguous_strides(out, os);
	for (int j = 0; j < k; j++) {
		const struct tensor *t = cat->inputs[j];
		int64_t off, st[3], is[MAX_DIMS];
		int p = t ? g->producer[tid(s, t)] : -1;
		if (p < 0 || !used_once(g, t) || t->ndim != out->ndim)
			return 0;
		w[j] = &s->nodes[p];
		for (int q = 0; q < j; q++)
			if (w[q] == w[j])
				return 0;
		if (!w[j]->op || strcmp(w[j]->op_type, "GRU") || w[j]->outputs[0] != t ||
		    !gru_y_layout(w[j], &off, &st[0], &st[1], &st[2]) || off)
			return 0;
		contiguous_strides(t, is);
		lay[j][0] = pos * os[a];
		for (int q = 0; q < 3; q++)
			if ((lay[j][q + 1] = restride(st[q], t->ndim, t->dims, is, os)) < 0)
				return 0;
		pos += t->dims[a];
	}
	for (int j = 0; j < k; j++)
		if (!gru_write_y_to(w[j], out, lay[j][0], lay[j][1], lay[j][2], lay[j][3]))
			return 0;     /* cannot happen after gru_y_layout; keeps the Concat */
	g->producer[tid(s, out)] = (int)(w[k - 1] - s->nodes);
	cat->op = NULL;
	return 1;
}

/* Conv(Pad(X)) with a zero Pad of the spatial axes: Conv(X) with the pads added. */
static int try_pad_conv(struct graph_view *g, int i_conv, struct exec *x)
{
	grt_session *s = g->s;
	struct node *conv = &s->nodes[i_conv], *pad, fused;
	struct tensor *xin, **ins;
	struct attr *attrs;
	const char *ap;
	const int64_t *cp;
	int64_t pp[2 * MAX_DIMS], *np;
	int count, nsp, k = 0;

	pad = producer_of(g, conv->inputs[0], "Pad");
	if (!pad || !(xin = spatial_zero_pad(g, pad, 1, x, pp)))
		return 0;
	nsp = xin->ndim - 2;
	if (attr_string(conv, x, "auto_pad", "NOTSET", &ap) || strcmp(ap, "NOTSET") ||
	    attr_ints(conv, x, "pads", &cp, &count) || (count >= 0 && count != 2 * nsp))
		return 0;
	ins = plan_alloc(x, (size_t)conv->n_inputs * sizeof(*ins));
	attrs = plan_alloc(x, ((size_t)conv->n_attrs + 1) * sizeof(*attrs));
	np = plan_alloc(x, 2 * (size_t)nsp * sizeof(*np));
	if (!ins || !attrs || !np)
		return GRT_E_NOMEM;
	for (int i = 0; i < 2 * nsp; i++)
		np[i] = pp[i] + (count > 0 ? cp[i] : 0);
	for (int i = 0; i < conv->n_attrs; i++)
		if (strcmp(conv->attrs[i].name, "pads"))
			attrs[k++] = conv->attrs[i];
	attrs[k].name = "pads";
	attrs[k].type = ATTR_INTS;
	attrs[k].ints = np;
	attrs[k++].n = 2 * nsp;
	memcpy(ins, conv->inputs, (size_t)conv->n_inputs * sizeof(*ins));
	ins[0] = xin;
	fused = *conv;
	fused.inputs = ins;
	fused.attrs = attrs;
	fused.n_attrs = k;
	fused.params = NULL;
	fused.scratch_bytes = 0;
	if (fused.op->prepare(&fused, x))
		return 0;
	*conv = fused;
	pad->op = NULL;
	return 1;
}

/* A 1x1 Conv (or ConvTranspose) over the channels of an Unfold, seen through
 * Reshapes to [N, C*kh*kw, Ho, Wo], is a Conv with the Unfold's kernel, dilations,
 * strides and pads on the Unfold's input: weight [m][(c*kh + i)*kw + j] is
 * W'[m][c][i][j] (a ConvTranspose's [in][out] weights are transposed first). */
static int try_unfold_conv(struct graph_view *g, int i_conv, struct exec *x)
{
	grt_session *s = g->s;
	struct node *conv = &s->nodes[i_conv], *rs, *uf, *chain[4], fused;
	const int transpose = !strcmp(conv->op_type, "ConvTranspose");
	const struct tensor *w, *y;
	struct tensor *xin, *nw, **ins;
	struct attr *attrs;
	static const char *const names[4] = { "kernel_shape", "dilations", "strides", "pads" };
	const int64_t *v[4], *iv;
	int64_t group, wd[4], m, k;
	int count, n_rs = 0;
	const char *ap;

	/* one or more Reshapes (exporters chain two), each read once */
	for (rs = producer_of(g, conv->inputs[0], "Reshape"); rs && n_rs < 4;
	     rs = producer_of(g, rs->inputs[0], "Reshape")) {
		if (!used_once(g, rs->outputs[0]))
			return 0;
		chain[n_rs++] = rs;
	}
	if (!n_rs)
		return 0;
	uf = producer_of(g, chain[n_rs - 1]->inputs[0], "Unfold");
	if (!uf || !used_once(g, uf->outputs[0]))
		return 0;
	xin = uf->inputs[0];
	y = chain[0]->outputs[0];
	w = conv->inputs[1];
	static const int64_t ones[2] = { 1, 1 }, zeros[4] = { 0, 0, 0, 0 };
	for (int a = 0; a < 4; a++) {
		if (attr_ints(uf, x, names[a], &v[a], &count))
			return 0;
		if (count < 0 && a > 0)             /* Unfold's defaults */
			v[a] = a == 3 ? zeros : ones;
		else if (count != (a == 3 ? 4 : 2))
			return 0;
	}
	k = v[0][0] * v[0][1];
	/* the Reshape splits Unfold's [N, C*kh*kw, L] into [N, C*kh*kw, Ho, Wo] */
	if (y->ndim != 4 || xin->ndim != 4 || y->dims[0] != xin->dims[0] ||
	    y->dims[1] != xin->dims[1] * k || y->dims[2] * y->dims[3] != uf->outputs[0]->numel /
	    (xin->dims[0] * xin->dims[1] * k) || !w->is_const || w->dtype != DT_FLOAT ||
	    w->ndim != 4 || w->dims[2] != 1 || w->dims[3] != 1)
		return 0;
	if ((y->dims[2] + v[3][0] + v[3][2] < 0) ||
	    (xin->dims[2] + v[3][0] + v[3][2] - v[1][0] * (v[0][0] - 1) - 1) / v[2][0] + 1 !=
	    y->dims[2])
		return 0;                      /* Ho, Wo must be the Unfold's rows and columns */
	/* 1x1, group 1, stride 1, no padding */
	if (attr_int(conv, x, "group", 1, &group) || group != 1 ||
	    attr_string(conv, x, "auto_pad", "NOTSET", &ap) || strcmp(ap, "NOTSET"))
		return 0;
	for (int a = 0; a < 3; a++) {
		static const char *const cn[3] = { "strides", "dilations", "pads" };
		if (attr_ints(conv, x, cn[a], &iv, &count))
			return 0;
		for (int i = 0; i < count; i++)
			if (iv[i] != (a < 2))
				return 0;
	}
	if (transpose && (node_attr(conv, "output_padding") || node_attr(conv, "output_shape")))
		return 0;
	m = transpose ? w->dims[1] : w->dims[0];
	if ((transpose ? w->dims[0] : w->dims[1]) != y->dims[1])
		return 0;

	/* W' [M, C, kh, kw] */
	nw = plan_alloc(x, sizeof(*nw));
	ins = plan_alloc(x, 3 * sizeof(*ins));
	attrs = plan_alloc(x, 4 * sizeof(*attrs));
	if (!nw || !ins || !attrs)
		return GRT_E_NOMEM;
	wd[0] = m;
	wd[1] = xin->dims[1];
	wd[2] = v[0][0];
	wd[3] = v[0][1];
	*nw = *w;
	tensor_set_shape(nw, DT_FLOAT, 4, wd);
	if (!(nw->data = plan_alloc(x, nw->nbytes)))
		return GRT_E_NOMEM;
	nw->is_const = 1;
	for (int64_t o = 0; o < m; o++)
		for (int64_t q = 0; q < y->dims[1]; q++)
			((float *)nw->data)[o * y->dims[1] + q] =
			        ((const float *)w->data)[transpose ? q * m + o : o * y->dims[1] + q];
	for (int a = 0; a < 4; a++) {
		attrs[a].name = names[a];
		attrs[a].type = ATTR_INTS;
		attrs[a].ints = v[a];
		attrs[a].n = a == 3 ? 4 : 2;
	}
	ins[0] = xin;
	ins[1] = nw;
	ins[2] = conv->n_inputs > 2 ? conv->inputs[2] : NULL;
	memset(&fused, 0, sizeof(fused));
	fused.op = op_lookup("Conv", 11);
	fused.op_type = "Conv";
	fused.name = conv->name;
	fused.opset = 11;
	fused.inputs = ins;
	fused.n_inputs = ins[2] ? 3 : 2;
	fused.outputs = conv->outputs;
	fused.n_outputs = 1;
	fused.attrs = attrs;
	fused.n_attrs = 4;
	if (!fused.op || fused.op->prepare(&fused, x))
		return 0;
	*conv = fused;
	uf->op = NULL;
	for (int i = 0; i < n_rs; i++)
		chain[i]->op = NULL;
	return 1 + n_rs;
}

static int try_matmul_add(struct graph_view *g, int i_add, struct exec *x)
{
	grt_session *s = g->s;
	struct node *add = &s->nodes[i_add], *mm = NULL, fused;
	struct tensor *c = NULL, **ins;
	int j;

	if (add->n_inputs != 2 || add->n_outputs != 1 || !add->outputs[0])
		return 0;
	for (j = 0; j < 2 && !mm; j++) {
		mm = producer_of(g, add->inputs[j], "MatMul");
		if (mm && (!used_once(g, mm->outputs[0]) || mm->outputs[0]->dtype != DT_FLOAT))
			mm = NULL;
		c = add->inputs[1 - j];
	}
	if (!mm || c->dtype != DT_FLOAT || add->outputs[0]->ndim != mm->outputs[0]->ndim ||
	    memcmp(add->outputs[0]->dims, mm->outputs[0]->dims,
	           sizeof(int64_t) * (size_t)mm->outputs[0]->ndim))
		return 0;
	ins = plan_alloc(x, 3 * sizeof(*ins));
	if (!ins)
		return GRT_E_NOMEM;
	ins[0] = mm->inputs[0];
	ins[1] = mm->inputs[1];
	ins[2] = c;
	memset(&fused, 0, sizeof(fused));
	fused.op = op_lookup_domain(OP_DOMAIN, "MatMulAdd", OP_DOMAIN_VERSION);
	fused.op_type = "MatMulAdd";
	fused.name = mm->name;
	fused.opset = OP_DOMAIN_VERSION;
	fused.inputs = ins;
	fused.n_inputs = 3;
	fused.outputs = add->outputs;
	fused.n_outputs = 1;
	if (!fused.op)
		return GRT_E_NOMEM;
	if (fused.op->prepare(&fused, x))
		return 0;
	mm->op = NULL;
	*add = fused;
	return 2;
}

/* The slope of a PRelu on y [N, C, ...] as C floats, or NULL if it varies along
 * any other axis than 1 (numpy broadcasting: slope dims align right). */
static float *channel_slope(struct exec *x, const struct tensor *slope, const struct tensor *y)
{
	const float *sd = slope->data;
	int64_t C, at = y->ndim - slope->ndim;  /* y axis of slope dim 0 */
	float *out;

	if (!const_float(slope, -1) || y->ndim < 2 || slope->ndim > y->ndim)
		return NULL;
	for (int d = 0; d < slope->ndim; d++)
		if (slope->dims[d] != 1 && at + d != 1)
			return NULL;
	C = y->dims[1];
	out = plan_alloc(x, (size_t)(C > 0 ? C : 1) * sizeof(float));
	if (!out)
		return NULL;
	for (int64_t c = 0; c < C; c++)
		out[c] = slope->numel == 1 ? sd[0] : sd[c];
	return out;
}

static int try_epilogue(struct graph_view *g, int i_act, struct exec *x)
{
	grt_session *s = g->s;
	struct node *act = &s->nodes[i_act], *p;
	struct tensor *y;
	enum epi_kind kind;
	const float *slope = NULL;
	int i_p;

	if (!strcmp(act->op_type, "Sigmoid"))
		kind = EPI_SIGMOID;
	else if (!strcmp(act->op_type, "Tanh"))
		kind = EPI_TANH;
	else if (!strcmp(act->op_type, "PRelu"))
		kind = EPI_PRELU;
	else
		return 0;
	y = act->inputs[0];
	if (!y || y->dtype != DT_FLOAT || act->n_outputs != 1 || !act->outputs[0] ||
	    !used_once(g, y) || (i_p = g->producer[tid(s, y)]) < 0)
		return 0;
	p = &s->nodes[i_p];
	if (!p->op || !(p->op->flags & OP_EPILOGUE) || p->epi.kind != EPI_NONE ||
	    p->outputs[0] != y || y->ndim < 2)
		return 0;
	if (kind == EPI_PRELU && !(slope = channel_slope(x, act->inputs[1], y)))
		return 0;
	/* the activation's output has y's shape: the producer writes it directly */
	op_epilogue_set(&p->epi, kind, slope, x);
	p->outputs[0] = act->outputs[0];
	g->producer[tid(s, act->outputs[0])] = i_p;
	act->op = NULL;
	return 1;
}

int fuse_nodes(grt_session *s, unsigned flags)
{
	const grt_model *m = s->model;
	struct graph_view g = { s, NULL, NULL };
	int nv = m->n_values, kept = 0, rc = GRT_OK;

	if ((flags & GRT_SESSION_NO_FUSE) && (flags & GRT_SESSION_NO_FOLD_BN) &&
	    (flags & GRT_SESSION_NO_EPILOGUE))
		return GRT_OK;
	g.producer = malloc(((size_t)nv + 1) * sizeof(int));
	g.uses = calloc((size_t)nv + 1, sizeof(int));
	if (!g.producer || !g.uses) {
		rc = GRT_E_NOMEM;
		goto out;
	}
	for (int v = 0; v < nv; v++)
		g.producer[v] = -1;
	for (int i = 0; i < s->n_run; i++) {
		struct node *n = &s->nodes[i];
		for (int k = 0; k < n->n_outputs; k++)
			if (n->outputs[k])
				g.producer[tid(s, n->outputs[k])] = i;
		for (int k = 0; k < n->n_inputs; k++)
			if (n->inputs[k])
				g.uses[tid(s, n->inputs[k])]++;
	}
	for (int i = 0; i < m->n_outputs; i++)
		g.uses[m->outputs[i]]++;
	for (int i = 0; i < s->n_run && !(flags & GRT_SESSION_NO_FOLD_BN); i++) {
		if (!s->nodes[i].op || strcmp(s->nodes[i].op_type, "BatchNormalization"))
			continue;
		rc = try_fold_bn(&g, i, &s->exec);
		if (rc < 0)
			goto out;
		s->stats.n_nodes_fused += rc;
		rc = GRT_OK;
	}
	for (int i = 0; i < s->n_run && !(flags & GRT_SESSION_NO_FUSE); i++) {
		if (!s->nodes[i].op || strcmp(s->nodes[i].op_type, "Add"))
			continue;
		rc = try_layernorm(&g, i, &s->exec);
		if (rc < 0)
			goto out;
		if (rc > 0)
			s->stats.n_nodes_fused += 9;
		rc = GRT_OK;
	}
	for (int i = 0; i < s->n_run && !(flags & GRT_SESSION_NO_FUSE); i++) {
		struct node *n = &s->nodes[i];
		if (!n->op)
			continue;
		if (!strcmp(n->op_type, "Transpose"))
			rc = try_unfold_gathers(&g, i, &s->exec);
		else if (!strcmp(n->op_type, "Add"))
			rc = try_matmul_add(&g, i, &s->exec);
		else if (!strcmp(n->op_type, "Conv") || !strcmp(n->op_type, "ConvTranspose")) {
			rc = strcmp(n->op_type, "Conv") ? 0 : try_pad_conv(&g, i, &s->exec);
			if (!rc)
				rc = try_unfold_conv(&g, i, &s->exec);
		}
		else if (!strcmp(n->op_type, "Concat")) {
			rc = try_unfold_slices(&g, i, &s->exec);
			if (!rc)
				rc = try_concat_writers(&g, i, &s->exec);
		}
		else if (!strcmp(n->op_type, "GRU"))
			rc = try_gru_layout(&g, i, &s->exec);
		else
			continue;
		if (rc < 0)
			goto out;
		s->stats.n_nodes_fused += rc;
		rc = GRT_OK;
	}
	for (int i = 0; i < s->n_run && !(flags & GRT_SESSION_NO_EPILOGUE); i++) {
		if (!s->nodes[i].op)
			continue;
		rc = try_epilogue(&g, i, &s->exec);
		if (rc < 0)
			goto out;
		s->stats.n_nodes_fused += rc;
		rc = GRT_OK;
	}
	for (int i = 0; i < s->n_run; i++)
		if (s->nodes[i].op)
			s->nodes[kept++] = s->nodes[i];
	s->n_run = kept;
out:
	free(g.producer);
	free(g.uses);
	return rc;
}

/* conv_fuse.c - plan-time rewrites into Conv (ops/nn/conv.c, ops/nn/conv_plan.c;
 * ops/op.h says how rewrites work).
 *
 * Pad + Conv: a Conv whose input is a zero Pad of the spatial axes only (read
 * by nothing else) takes those pads itself: Conv's own pads are implicit
 * zeros around X, added to any pads it already had (auto_pad NOTSET).
 *
 * Unfold + 1x1 Conv: a pointwise Conv or ConvTranspose (group 1, stride 1,
 * no padding; a ConvTranspose without output_padding or output_shape, which
 * is then the same product with [in][out] weights) over the channels of an
 * Unfold, through Reshapes that split its [N, C*kh*kw, L] into
 * [N, C*kh*kw, Ho, Wo], is one Conv with the Unfold's kernel, dilations,
 * strides and pads: channel c*kh*kw + i*kw + j of the Unfold is X[c] at tap
 * (i, j), so the 1x1 weights [M][C*kh*kw] are the kernel W' [M, C, kh, kw]. */
#include <string.h>
#include "ops/op.h"
#include "ops/registry.h"

/* Conv(Pad(X)) with a zero Pad of the spatial axes: Conv(X) with the pads added. */
static int try_pad_conv(struct rewrite_ctx *g, int i_conv)
{
	struct exec *x = g->x;
	struct node *conv = &g->nodes[i_conv], *pad, fused;
	struct tensor *xin, **ins;
	struct attr *attrs;
	const char *ap;
	const int64_t *cp;
	int64_t pp[2 * MAX_DIMS], *np;
	int count, nsp, k = 0;

	pad = rw_producer(g, conv->inputs[0], "Pad");
	if (!pad || !(xin = rw_spatial_zero_pad(g, pad, 1, pp)))
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
static int try_unfold_conv(struct rewrite_ctx *g, int i_conv)
{
	struct exec *x = g->x;
	struct node *conv = &g->nodes[i_conv], *rs, *uf, *chain[4], fused;
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
	for (rs = rw_producer(g, conv->inputs[0], "Reshape"); rs && n_rs < 4;
	     rs = rw_producer(g, rs->inputs[0], "Reshape")) {
		if (!rw_used_once(g, rs->outputs[0]))
			return 0;
		chain[n_rs++] = rs;
	}
	if (!n_rs)
		return 0;
	uf = rw_producer(g, chain[n_rs - 1]->inputs[0], "Unfold");
	if (!uf || !rw_used_once(g, uf->outputs[0]))
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
			((float *)nw->data)[o * y->dims[1] + q] = ((const float *)w->data)
			        [transpose ? q * m + o : o * y->dims[1] + q];
	for (int a = 0; a < 4; a++) {
		attrs[a].name = names[a];
		attrs[a].type = ATTR_INTS;
		attrs[a].ints = v[a];
		attrs[a].n = a == 3 ? 4 : 2;
	}
	ins[0] = xin;
	ins[1] = nw;
	ins[2] = conv->n_inputs > 2 ? conv->inputs[2] : NULL;
	fused = rw_new_node(op_lookup("Conv", 11), "Conv", 11, conv->name);
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

const struct rewrite_def rewrite_pad_conv = { "Conv", REWRITE_NODE, try_pad_conv };
const struct rewrite_def rewrite_unfold_conv = { "Conv", REWRITE_NODE, try_unfold_conv };
const struct rewrite_def rewrite_unfold_convt = { "ConvTranspose", REWRITE_NODE,
	try_unfold_conv };

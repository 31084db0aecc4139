/* unfold_fuse.c - plan-time rewrites into the project's Unfold (ops/nn/unfold.c,
 * docs/OPERATORS.md; ops/op.h says how rewrites work).
 *
 * Exporters write PyTorch's nn.Unfold on X [N, C, H, W] (zero padding,
 * kernel kh x kw, dilation, stride) in one of three ways:
 *   Transpose(Gather(Gather(Pad(X), rows, axis 2), cols, axis 4), [0,1,2,4,3,5])
 * with constant index tables rows [kh][Ho] = o*sh + i*dh, cols [kw][Wo] likewise
 * (Gather with a 2-D index inserts its two axes where the gathered one was),
 * the same windows as one GatherND of (row, column) pairs (try_unfold_gathernd), or
 * (kernel 1 x kw) as Concat(Unsqueeze(Slice(Pad(X), axis 3), 2), axis 2) with
 * one strided slice per tap. All produce the elements of Unfold(X) in its
 * order, so one Unfold node computes them; it writes them into the pattern's
 * last tensor, which keeps the shape the graph gives it (a relabelling of
 * the same contiguous bytes). The Pad is taken only when it is a zero pad of
 * the spatial axes read by the pattern alone (rw_spatial_zero_pad), and
 * every intermediate must be read by the pattern alone. */
#include <stdlib.h>
#include <string.h>
#include "ops/op.h"
#include "ops/registry.h"

/* v[i * sk + o * sn], i in [0, k), o in [0, n), holds o * s + i * d (negative
 * entries counting from the end of an axis of size dim) and n is the number of
 * windows that fit: sets s and d and returns 1. */
static int window_check(const int64_t *v, int64_t k, int64_t n, int64_t sk, int64_t sn,
                        int64_t dim, int64_t *s, int64_t *d)
{
	int64_t first;

	if (k < 1 || n < 1)
		return 0;
	first = v[0] < 0 ? v[0] + dim : v[0];
	*s = n > 1 ? (v[sn] < 0 ? v[sn] + dim : v[sn]) - first : 1;
	*d = k > 1 ? (v[sk] < 0 ? v[sk] + dim : v[sk]) - first : 1;
	if (first != 0 || *s < 1 || *d < 1 || dim - *d * (k - 1) - 1 < 0 ||
	    (dim - *d * (k - 1) - 1) / *s + 1 != n)
		return 0;
	for (int64_t i = 0; i < k; i++)
		for (int64_t o = 0; o < n; o++) {
			int64_t e = v[i * sk + o * sn];
			if ((e < 0 ? e + dim : e) != o * *s + i * *d)
				return 0;
		}
	return 1;
}

/* idx [k][n] over an axis of size dim holds idx[i][o] = o * s + i * d and n
 * is the number of windows that fit: sets k, s, d and returns 1. */
static int window_table(const struct tensor *t, int64_t dim, int64_t *k, int64_t *s, int64_t *d)
{
	int64_t *v;
	int ok = 0;

	if (!t || t->ndim != 2 || t->numel < 1 || t->numel > 1 << 20)
		return 0;
	*k = t->dims[0];
	v = malloc((size_t)t->numel * sizeof(*v));
	if (v && rw_const_ints(t, v, t->numel))
		ok = window_check(v, *k, t->dims[1], t->dims[1], 1, dim, s, d);
	free(v);
	return ok;
}

/* idx [kh][Ho][kw][Wo][2] over axes of sizes h, w holds the pairs (oh * sh +
 * i * dh, ow * sw + j * dw) for every window that fits (the rows' table
 * broadcast against the columns'): sets k, s, d per axis and returns 1. */
static int window_pairs(const struct tensor *t, int64_t h, int64_t w, int64_t *k, int64_t *s,
                        int64_t *d)
{
	int64_t *v, n[2];
	int ok = 0;

	if (!t || t->ndim != 5 || t->dims[4] != 2 || t->numel < 1 || t->numel > 1 << 22)
		return 0;
	k[0] = t->dims[0];
	n[0] = t->dims[1];
	k[1] = t->dims[2];
	n[1] = t->dims[3];
	v = malloc((size_t)t->numel * sizeof(*v));
	if (!v || !rw_const_ints(t, v, t->numel))
		goto out;
	/* each (j, ow) column holds the rows' table, each (i, oh) row the columns' */
	ok = 1;
	for (int64_t c = 0; ok && c < k[1] * n[1]; c++)
		ok = window_check(v + 2 * c, k[0], n[0], 2 * n[0] * k[1] * n[1], 2 * k[1] * n[1],
		                  h, &s[0], &d[0]);
	for (int64_t r = 0; ok && r < k[0] * n[0]; r++)
		ok = window_check(v + 2 * r * k[1] * n[1] + 1, k[1], n[1], 2 * n[1], 2, w, &s[1],
		                  &d[1]);
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

	fused = rw_new_node(op_lookup_domain(OP_DOMAIN, "Unfold", OP_DOMAIN_VERSION), "Unfold",
	                    OP_DOMAIN_VERSION, last->name);
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
static int try_unfold_gathers(struct rewrite_ctx *g, int i_t)
{
	struct exec *x = g->x;
	struct node *tr = &g->nodes[i_t], *g5, *g4, *pad;
	static const int64_t want_perm[6] = { 0, 1, 2, 4, 3, 5 };
	const int64_t *perm;
	int64_t pads[4] = { 0, 0, 0, 0 }, k[2], d[2], st[2], a4, a5;
	struct tensor *xin;
	int count, rc;

	if (attr_ints(tr, x, "perm", &perm, &count) || count != 6 ||
	    memcmp(perm, want_perm, sizeof(want_perm)))
		return 0;
	g5 = rw_producer(g, tr->inputs[0], "Gather");
	if (!g5 || !rw_used_once(g, g5->outputs[0]) || attr_int(g5, x, "axis", 0, &a5) ||
	    (a5 != 4 && a5 != -2))
		return 0;
	g4 = rw_producer(g, g5->inputs[0], "Gather");
	if (!g4 || !rw_used_once(g, g4->outputs[0]) || attr_int(g4, x, "axis", 0, &a4) ||
	    (a4 != 2 && a4 != -3))
		return 0;
	pad = rw_producer(g, g4->inputs[0], "Pad");
	xin = pad ? rw_spatial_zero_pad(g, pad, 1, pads) : g4->inputs[0];
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

/* Transpose(GatherND(Transpose(Pad(X), [2,3,0,1]), pairs), P): torch's dynamo
 * export of im2col's padded_input[:, :, rows, cols], the indexed axes moved to
 * the front, gathered with the constant pairs [kh][Ho][kw][Wo][2], then moved
 * back and permuted to [N, C, kh, kw, Ho, Wo]: one Transpose of
 * P = [4,5,0,2,1,3], or [4,5,0,1,2,3] then the Transpose [0,1,2,4,3,5]. */
static int try_unfold_gathernd(struct rewrite_ctx *g, int i_t)
{
	static const int64_t last_perm[6] = { 0, 1, 2, 4, 3, 5 }, back_perm[6] = { 4, 5, 0, 1, 2, 3 };
	static const int64_t both_perm[6] = { 4, 5, 0, 2, 1, 3 }, front_perm[4] = { 2, 3, 0, 1 };
	struct exec *x = g->x;
	struct node *tr = &g->nodes[i_t], *back = NULL, *gnd, *front, *pad;
	const int64_t *perm;
	int64_t pads[4] = { 0, 0, 0, 0 }, k[2], d[2], st[2], b;
	struct tensor *xin;
	int count, rc;

	if (attr_ints(tr, x, "perm", &perm, &count) || count != 6)
		return 0;
	if (!memcmp(perm, last_perm, sizeof(last_perm))) {
		back = rw_producer(g, tr->inputs[0], "Transpose");
		if (!back || !rw_used_once(g, back->outputs[0]) ||
		    attr_ints(back, x, "perm", &perm, &count) || count != 6 ||
		    memcmp(perm, back_perm, sizeof(back_perm)))
			return 0;
	} else if (memcmp(perm, both_perm, sizeof(both_perm))) {
		return 0;
	}
	gnd = rw_producer(g, (back ? back : tr)->inputs[0], "GatherND");
	if (!gnd || !rw_used_once(g, gnd->outputs[0]) || attr_int(gnd, x, "batch_dims", 0, &b) ||
	    b != 0)
		return 0;
	front = rw_producer(g, gnd->inputs[0], "Transpose");
	if (!front || !rw_used_once(g, front->outputs[0]) ||
	    attr_ints(front, x, "perm", &perm, &count) || count != 4 ||
	    memcmp(perm, front_perm, sizeof(front_perm)))
		return 0;
	pad = rw_producer(g, front->inputs[0], "Pad");
	xin = pad ? rw_spatial_zero_pad(g, pad, 1, pads) : front->inputs[0];
	if (!xin || xin->ndim != 4 ||
	    !window_pairs(gnd->inputs[1], xin->dims[2] + pads[0] + pads[2],
	                  xin->dims[3] + pads[1] + pads[3], k, st, d))
		return 0;
	rc = emit_unfold(tr, xin, k, d, st, pads, x);
	if (rc != 1)
		return rc;
	gnd->op = front->op = NULL;
	if (back)
		back->op = NULL;
	if (pad)
		pad->op = NULL;
	return 3 + (back != NULL) + (pad != NULL);   /* nodes replaced */
}

/* Concat(Unsqueeze(Slice(Pad(X), axis 3), 2) for each tap, axis 2) */
static int try_unfold_slices(struct rewrite_ctx *g, int i_c)
{
	struct exec *x = g->x;
	struct node *cat = &g->nodes[i_c], *pad = NULL, *sl[64], *un[64];
	int64_t axis, pads[4] = { 0, 0, 0, 0 }, k[2], d[2], st[2], wo = -1, wp;
	struct tensor *p = NULL, *xin;
	int kw = cat->n_inputs, rc;

	if (kw < 2 || kw > 64 || attr_int(cat, x, "axis", 0, &axis) || (axis != 2 && axis != -3) ||
	    cat->outputs[0]->ndim != 5)
		return 0;
	for (int j = 0; j < kw; j++) {
		struct node *u = rw_producer(g, cat->inputs[j], "Unsqueeze");
		const int64_t *axes, *ap;
		int64_t buf[1];
		int count;
		if (!u || !rw_used_once(g, u->outputs[0]))
			return 0;
		un[j] = u;
		if (u->opset < 13) {
			if (attr_ints(u, x, "axes", &axes, &count) || count != 1)
				return 0;
			ap = axes;
		} else if (!(ap = rw_const_ints(u->inputs[1], buf, 1)) ||
		           u->inputs[1]->numel != 1) {
			return 0;
		}
		if (ap[0] != 2 && ap[0] != -3)
			return 0;
		sl[j] = rw_producer(g, u->inputs[0], "Slice");
		if (!sl[j] || !rw_used_once(g, sl[j]->outputs[0]) || sl[j]->inputs[0]->ndim != 4 ||
		    (p && sl[j]->inputs[0] != p))
			return 0;
		p = sl[j]->inputs[0];
	}
	if (rw_uses(g, p) != kw)
		return 0;
	pad = rw_producer(g, p, "Pad");
	xin = pad ? rw_spatial_zero_pad(g, pad, kw, pads) : p;
	if (!xin)
		return 0;
	wp = p->dims[3];
	for (int j = 0; j < kw; j++) {
		int64_t start, step;
		if (sl[j]->inputs[0]->ndim != 4 || !rw_slice_last(sl[j], x, &start, &step))
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
	if (d[1] < 1 || wp - d[1] * (kw - 1) - 1 < 0 ||
	    (wp - d[1] * (kw - 1) - 1) / st[1] + 1 != wo)
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

const struct rewrite_def rewrite_unfold_gathers = { "Transpose", REWRITE_NODE,
	try_unfold_gathers };
const struct rewrite_def rewrite_unfold_gathernd = { "Transpose", REWRITE_NODE,
	try_unfold_gathernd };
const struct rewrite_def rewrite_unfold_slices = { "Concat", REWRITE_NODE, try_unfold_slices };

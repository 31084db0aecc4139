/* rnn_fuse.c - plan-time layout rewrites for GRU (ops/rnn/rnn.c, through the
 * layout hooks of ops/rnn/gru.h; ops/op.h says how rewrites work).
 *
 * A GRU reads X [seq, batch, input] and writes Y [seq, num_directions, batch,
 * hidden] row by row: where each row comes from or goes to is only a base
 * and strides. So:
 * - a Transpose(perm [1, 0, 2]) that only feeds a GRU's X is read through by
 *   the GRU (X from the Transpose's input with the first two strides
 *   swapped), and a Slice of X's last axis with step 1 (read only by the GRU)
 *   is an offset into each row;
 * - the Transposes (with Reshapes, Squeezes and Unsqueezes between them) that
 *   only rearrange Y, each read once, and keep every [hidden] run whole and
 *   innermost, are a permutation of Y's seq, direction and batch strides: the
 *   GRU writes the last Transpose's output directly (yview follows which Y
 *   axes each axis of the chain's tensors holds).
 * A Concat of such GRU outputs, each read by it alone, disappears too: every
 * GRU writes its part of the Concat's output through its strides (the
 * memory plan allows a tensor several writers). Each GRU's values are
 * unchanged; only where they are stored moves. */
#include <string.h>
#include "ops/op.h"
#include "ops/rnn/gru.h"

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

/* The Transposes around a GRU (X: perm [1, 0, 2]; Y: Transposes with Reshapes,
 * Squeezes and Unsqueezes between them) become its strides. */
static int try_gru_layout(struct rewrite_ctx *g, int i_gru)
{
	struct exec *x = g->x;
	struct node *n = &g->nodes[i_gru], *tr, *r, *chain[16];
	struct tensor *y = op_output(n, 0), *fin = NULL;
	static const int64_t swap01[3] = { 1, 0, 2 };
	const int64_t *perm;
	struct yview v, best;
	int count, done = 0, n_chain = 0, n_best = 0;

	/* X: Transpose(perm [1, 0, 2]) read only by this GRU */
	tr = rw_producer(g, n->inputs[0], "Transpose");
	if (tr && rw_used_once(g, tr->outputs[0]) && !attr_ints(tr, x, "perm", &perm, &count) &&
	    count == 3 && !memcmp(perm, swap01, sizeof(swap01)) &&
	    gru_read_x_from(n, tr->inputs[0])) {
		tr->op = NULL;
		done++;
	}
	/* X: a Slice of the last axis, step 1, read only by this GRU */
	tr = rw_producer(g, n->inputs[0], "Slice");
	if (tr && rw_used_once(g, tr->outputs[0])) {
		int64_t start, step;
		if (rw_slice_last(tr, x, &start, &step) && step == 1 &&
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
	for (struct tensor *t = y; (r = rw_sole_reader(g, t)) && n_chain < 16; t = r->outputs[0]) {
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
			g->producer[rw_id(g, fin)] = i_gru;
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
static int try_concat_writers(struct rewrite_ctx *g, int i_cat)
{
	struct exec *x = g->x;
	struct node *cat = &g->nodes[i_cat], *w[8];
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
		int p = t ? g->producer[rw_id(g, t)] : -1;
		if (p < 0 || !rw_used_once(g, t) || t->ndim != out->ndim)
			return 0;
		w[j] = &g->nodes[p];
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
	g->producer[rw_id(g, out)] = (int)(w[k - 1] - g->nodes);
	cat->op = NULL;
	return 1;
}

const struct rewrite_def rewrite_gru_layout = { "GRU", REWRITE_NODE, try_gru_layout };
const struct rewrite_def rewrite_concat_writers = { "Concat", REWRITE_NODE,
	try_concat_writers };

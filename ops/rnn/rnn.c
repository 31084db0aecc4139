/* rnn.c - GRU (https://onnx.ai/onnx/operators/onnx__GRU.html), opsets 1..latest
 * (linear_before_reset from 3, layout from 14). X W^T plus biases for every step is
 * one matrix product (ops/math/gemm.h, or the kernel table's gru_project, ops/cpu.h) into
 * scratch, per direction or, in the common case, for all directions at once; each
 * step adds H R^T and applies the gates z, r, h. Constant W, R, B are transposed
 * into params at plan time. Computes in float; double and float16 tensors are
 * converted on the way in and out. The common case (float, constant weights,
 * linear_before_reset, default activations, no clip or sequence_lens) runs the
 * directions interleaved, with hidden sizes 4, 8 and 16 compiled as constants.
 * The attributes, shapes, activations and projection are LSTM's and RNN's too
 * (ops/rnn/rnn_common.c). */
#include <string.h>
#include "ops/cpu.h"
#include "ops/math/mathfn.h"
#include "ops/op.h"
#include "ops/rnn/rnn_common.h"
#include "ops/rnn/gru_kernel.h"

/* One direction's weights, float, gate blocks in the order z, r, h. */
struct gru_weights {
	const float *wt;    /* [input][3*hidden] W transposed */
	const float *rt;    /* [hidden][3*hidden] R transposed */
	const float *bx;    /* [3*hidden] Wb + Rb (z, r); Wbh, + Rbh if linear_before_reset = 0 */
	const float *rbh;   /* [hidden] Rbh if linear_before_reset != 0, else zeros */
};

struct gru_params {
	struct rnn_dims c;         /* sizes, attributes; activations f (gates), g (candidate) */
	int lbr;                   /* linear_before_reset != 0 */
	int packed;                /* w[] filled at plan time (W, R, B constant) */
	struct gru_weights w[2];   /* [dirs] */
	size_t pack_floats;        /* floats in one direction's packed weights */
	int convert;               /* element type is not float */
	int fast;                  /* recur applies (see gru_prepare) */
	int64_t y_off;             /* fast: Y starts this many floats into output 0 (a Concat
	                            * the planner folded in: gru_write_y_to) */
	int64_t x_off, x_ld;       /* fast: X's rows start x_off floats into input 0, x_ld
	                            * apart (input, or a Slice folded in: gru_read_x_slice) */
	struct gru_recur rec;      /* fast: its arguments */
	gru_recur_fn recur;        /* fast: this session's variant for the hidden size */
	const struct gemm_ukernel *gemm; /* X W^T: this session's (ops/cpu.h) */
	const float *wt_all;       /* fast: [input][dirs*3*hidden] the directions' W^T side by side */
	const float *bx_all;       /* fast: [dirs*3*hidden] their bx, side by side */
	gru_project_fn project;    /* fast: X W^T + biases in one pass, or NULL: project() */
	/* scratch byte offsets */
	size_t off_pack;           /* [dirs][pack_floats] weights packed at run time */
	size_t off_x;              /* [seq*batch][input] X as float (convert) */
	size_t off_xw;             /* X W^T + biases: fast [seq*batch][dirs][3*hidden],
	                            * else [seq*batch][3*hidden] (one direction) */
	size_t off_h;              /* [dirs][batch][hidden] hidden state */
	size_t off_tmp;            /* [7*hidden] step temporaries */
	size_t off_y;              /* Y as float (convert) */
	size_t off_yh;             /* Y_h as float (convert) */
};

/* Transposes direction d of W, R and sums the biases into dst
 * ([pack_floats]); w gets pointers into it. */
static void pack_weights(const struct gru_params *p, const struct tensor *wt_in,
                         const struct tensor *r_in, const struct tensor *b_in, int d,
                         float *dst, struct gru_weights *w)
{
	int64_t in = p->c.input, h = p->c.hidden, g = 3 * h;
	float *wt = dst, *rt = wt + in * g, *bx = rt + h * g, *rbh = bx + g;
	int64_t wo = d * g * in, ro = d * g * h, bo = d * 2 * g;

	rnn_transpose(wt, wt_in, wo, g, in);
	rnn_transpose(rt, r_in, ro, g, h);
	for (int64_t j = 0; j < g; j++) {
		/* Wb, then Rb, except Rbh under linear_before_reset */
		bx[j] = b_in ? rnn_elem(b_in, bo + j) : 0;
		if (b_in && (j < 2 * h || !p->lbr))
			bx[j] += rnn_elem(b_in, bo + g + j);
	}
	for (int64_t j = 0; j < h; j++)
		rbh[j] = b_in && p->lbr ? rnn_elem(b_in, bo + g + 2 * h + j) : 0;
	w->wt = wt;
	w->rt = rt;
	w->bx = bx;
	w->rbh = rbh;
}

/* The attributes into p (rnn_attrs, and linear_before_reset); *hidden_attr:
 * hidden_size, 0 if absent. */
static int gru_attrs(struct node *n, struct exec *x, struct gru_params *p,
                     int64_t *hidden_attr)
{
	static const enum act_kind def[2] = { ACT_SIGMOID, ACT_TANH };
	int64_t lbr;
	int rc;

	if ((rc = attr_int(n, x, "linear_before_reset", 0, &lbr)))
		return rc;
	if (n->opset < 3 && node_attr(n, "linear_before_reset"))
		return op_fail(n, x, GRT_E_ATTR,
		               "attribute 'linear_before_reset' needs opset 3 (node has %d)",
		               n->opset);
	p->lbr = lbr != 0;
	return rnn_attrs(n, x, &p->c, 3, 2, def, hidden_attr);
}

/* The common case (p->fast): the recurrence's arguments, W^T and bx of both
 * directions side by side, and this session's kernels for them (ops/cpu.h). */
static int gru_fast_prepare(struct exec *x, struct gru_params *p)
{
	p->rec.seq = p->c.seq;
	p->rec.batch = p->c.batch;
	p->rec.hidden = p->c.hidden;
	p->rec.dirs = p->c.dirs;
	p->rec.reverse = p->c.reverse;
	gru_recur_layout(&p->rec, p->c.layout);
	for (int d = 0; d < p->c.dirs; d++) {
		p->rec.rt[d] = p->w[d].rt;
		p->rec.rbh[d] = p->w[d].rbh;
	}
	gru_recur_pair(&p->rec);
	p->wt_all = p->w[0].wt;
	p->bx_all = p->w[0].bx;
	if (p->c.dirs == 2) {
		/* one projection for both directions: W^T and bx side by side */
		int64_t g = 3 * p->c.hidden;
		float *wa = plan_alloc(x, (size_t)((p->c.input + 1) * 2 * g) * sizeof(float));
		if (!wa)
			return GRT_E_NOMEM;
		for (int64_t k = 0; k <= p->c.input; k++)
			for (int d = 0; d < 2; d++)
				memcpy(wa + (k * 2 + d) * g, k < p->c.input ?
				       p->w[d].wt + k * g : p->w[d].bx, (size_t)g * sizeof(float));
		p->wt_all = wa;
		p->bx_all = wa + p->c.input * 2 * g;
	}
	if (x->kern->gru_project &&
	    x->kern->gru_project_fits(p->c.dirs * 3 * p->c.hidden, p->c.input))
		p->project = x->kern->gru_project;
	p->x_off = 0;
	p->x_ld = p->c.input;
	p->recur = x->kern->gru_recur_fits(p->c.hidden) ? x->kern->gru_recur : gru_recur_portable;
	return GRT_OK;
}

static int gru_prepare(struct node *n, struct exec *x)
{
	struct tensor *xt, *w, *r, *b, *sl, *y = op_output(n, 0), *yh = op_output(n, 1);
	struct gru_params *p;
	int64_t hidden_attr;
	int rc;
	size_t at = 0;

	if ((rc = op_check_arity(n, x, 3, 6, 0, 2)) || (rc = rnn_check_types(n, x, 6)))
		return rc;
	xt = n->inputs[0];
	w = n->inputs[1];
	r = n->inputs[2];
	b = op_input(n, 3);
	sl = op_input(n, 4);

	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return GRT_E_NOMEM;
	n->params = p;
	if ((rc = gru_attrs(n, x, p, &hidden_attr)) || (rc = rnn_shapes(n, x, &p->c, hidden_attr)))
		return rc;

	/* weights: packed now if constant, else at run time into scratch */
	p->pack_floats = (size_t)((p->c.input + p->c.hidden + 1) * 3 * p->c.hidden + p->c.hidden);
	p->pack_floats = (p->pack_floats + 15) & ~(size_t)15;
	p->convert = xt->dtype != DT_FLOAT;
	if (w->is_const && r->is_const && (!b || b->is_const)) {
		float *dst = plan_alloc(x, (size_t)p->c.dirs * p->pack_floats * sizeof(float));
		if (!dst)
			return GRT_E_NOMEM;
		for (int d = 0; d < p->c.dirs; d++)
			pack_weights(p, w, r, b, d, dst + d * p->pack_floats, &p->w[d]);
		p->packed = 1;
	} else {
		p->off_pack = rnn_take(&at, (size_t)p->c.dirs * p->pack_floats * sizeof(float));
	}
	if (p->convert)
		p->off_x = rnn_take(&at, (size_t)(p->c.seq * p->c.batch * p->c.input) * sizeof(float));
	p->gemm = x->kern->gemm;
	p->fast = !p->convert && p->packed && !sl && p->lbr && !(p->c.clip > 0);
	for (int d = 0; d < p->c.dirs; d++)
		p->fast &= p->c.act[d][0].kind == ACT_SIGMOID && p->c.act[d][1].kind == ACT_TANH;
	if (p->fast && (rc = gru_fast_prepare(x, p)))
		return rc;
	p->off_xw = rnn_take(&at, (size_t)(p->c.dirs * p->c.seq * p->c.batch * 3 * p->c.hidden) *
	                      sizeof(float));
	p->off_h = rnn_take(&at, (size_t)(p->c.dirs * p->c.batch * p->c.hidden) * sizeof(float));
	p->off_tmp = rnn_take(&at, (size_t)(7 * p->c.hidden) * sizeof(float));
	if (p->convert && y)
		p->off_y = rnn_take(&at, (size_t)y->numel * sizeof(float));
	if (p->convert && yh)
		p->off_yh = rnn_take(&at, (size_t)yh->numel * sizeof(float));
	n->scratch_bytes = at;
	return GRT_OK;
}

/* One step for one batch entry: h (in place) from the previous h and
 * xw = X W^T + biases of this step. tmp: [7*hidden]. */
static void gru_step(const struct gru_params *p, const struct gru_weights *w, int d,
                     const float *restrict xw, float *restrict h, float *restrict tmp)
{
	int64_t hs = p->c.hidden, g = 3 * hs, n_rec = p->lbr ? g : 2 * hs;
	float *restrict acc = tmp;            /* [3*hidden] h R^T */
	float *restrict gate = tmp + g;       /* [3*hidden] z, r, candidate */
	float *restrict rh = gate + g;        /* [hidden] r (.) h */
	const float *restrict rt = w->rt;

	memset(acc, 0, (size_t)n_rec * sizeof(float));
	for (int64_t k = 0; k < hs; k++) {
		const float *restrict row = rt + k * g;
		float v = h[k];
		for (int64_t j = 0; j < n_rec; j++)
			acc[j] += v * row[j];
	}
	for (int64_t j = 0; j < 2 * hs; j++)
		gate[j] = xw[j] + acc[j];
	rnn_activate(&p->c.act[d][0], p->c.clip, gate, 2 * hs);
	if (p->lbr) {
		/* g(Xt Wh^T + Wbh + r (.) (H Rh^T + Rbh)) */
		const float *restrict r = gate + hs, *restrict hr = acc + 2 * hs;
		for (int64_t j = 0; j < hs; j++)
			gate[2 * hs + j] = xw[2 * hs + j] + r[j] * (hr[j] + w->rbh[j]);
	} else {
		/* g(Xt Wh^T + (r (.) H) Rh^T + Wbh + Rbh) */
		for (int64_t k = 0; k < hs; k++)
			rh[k] = gate[hs + k] * h[k];
		memset(acc + 2 * hs, 0, (size_t)hs * sizeof(float));
		for (int64_t k = 0; k < hs; k++) {
			const float *restrict row = rt + k * g + 2 * hs;
			float v = rh[k];
			for (int64_t j = 0; j < hs; j++)
				acc[2 * hs + j] += v * row[j];
		}
		for (int64_t j = 0; j < hs; j++)
			gate[2 * hs + j] = xw[2 * hs + j] + acc[2 * hs + j];
	}
	rnn_activate(&p->c.act[d][1], p->c.clip, gate + 2 * hs, hs);
	for (int64_t j = 0; j < hs; j++)
		h[j] = (1.0f - gate[j]) * gate[2 * hs + j] + gate[j] * h[j];
}

/* The step of gru_step() for linear_before_reset, Sigmoid, Tanh and no clip, the
 * same operations in the same order but for the gate functions above, for hidden
 * 4, 8 or 16 (a constant where inlined): h R^T and the gates stay in vector
 * registers. */
static inline __attribute__((always_inline)) void
gru_step_v4(const int64_t hs, const float *restrict xw, const float *restrict rt,
            const float *restrict rbh, float *restrict h)
{
	const int64_t nv = hs / 4, g = 3 * hs;
	v4f acc[12], hv = v4f_load(h);        /* [3*hidden / 4] h R^T */

	/* unrolled: acc must live in registers, not memory */
#pragma GCC unroll 12
	for (int64_t j = 0; j < 3 * nv; j++)
		acc[j] = hv[0] * v4f_load(rt + 4 * j);
#pragma GCC unroll 16
	for (int64_t k = 1; k < hs; k++) {
		if (k % 4 == 0)
			hv = v4f_load(h + k);
#pragma GCC unroll 12
		for (int64_t j = 0; j < 3 * nv; j++)
			acc[j] += hv[k % 4] * v4f_load(rt + k * g + 4 * j);
	}
#pragma GCC unroll 4
	for (int64_t j = 0; j < nv; j++) {
		v4f z = gate_sigmoid(v4f_load(xw + 4 * j) + acc[j]);
		v4f r = gate_sigmoid(v4f_load(xw + hs + 4 * j) + acc[nv + j]);
		/* g(Xt Wh^T + Wbh + r (.) (H Rh^T + Rbh)) */
		v4f c = gate_tanh(v4f_load(xw + 2 * hs + 4 * j) +
		                  r * (acc[2 * nv + j] + v4f_load(rbh + 4 * j)));
		v4f_store(h + 4 * j, (1.0f - z) * c + z * v4f_load(h + 4 * j));
	}
}

/* The same step for any hidden size, on arrays. tmp: [6*hidden]. */
static void gru_step_any(int64_t hs, const float *restrict xw, const float *restrict rt,
                         const float *restrict rbh, float *restrict h, float *restrict tmp)
{
	const int64_t g = 3 * hs;
	float *restrict acc = tmp;            /* [3*hidden] h R^T */
	float *restrict gate = tmp + g;       /* [3*hidden] z, r, candidate */

	memset(acc, 0, (size_t)g * sizeof(float));
	for (int64_t k = 0; k < hs; k++) {
		const float *restrict row = rt + k * g;
		float v = h[k];
		for (int64_t j = 0; j < g; j++)
			acc[j] += v * row[j];
	}
	for (int64_t j = 0; j < 2 * hs; j++)
		gate[j] = xw[j] + acc[j];
	fast_sigmoidf_n(gate, gate, 2 * hs);
	for (int64_t j = 0; j < hs; j++)
		gate[2 * hs + j] = xw[2 * hs + j] + gate[hs + j] * (acc[2 * hs + j] + rbh[j]);
	fast_tanhf_n(gate + 2 * hs, gate + 2 * hs, hs);
	for (int64_t j = 0; j < hs; j++)
		h[j] = (1.0f - gate[j]) * gate[2 * hs + j] + gate[j] * h[j];
}

/* gru_recur_fn with the hidden size hs a constant where inlined (0: q->hidden). */
static inline __attribute__((always_inline)) void
gru_recur_lbr(const int64_t hs, const struct gru_recur *q, const float *xw, float *h,
              float *y, float *tmp)
{
	const int64_t seq = q->seq, batch = q->batch, hn = hs ? hs : q->hidden, g = 3 * hn;

	for (int64_t st = 0; st < seq; st++)
		for (int d = 0; d < q->dirs; d++) {
			int64_t t = d == 1 || q->reverse ? seq - 1 - st : st;
			for (int64_t b = 0; b < batch; b++) {
				int64_t row = t * q->xw_t + b * q->xw_b;
				const float *xr = xw + (row * q->dirs + d) * g;
				float *hb = h + (d * batch + b) * hn;
				if (hs)
					gru_step_v4(hs, xr, q->rt[d], q->rbh[d], hb);
				else
					gru_step_any(hn, xr, q->rt[d], q->rbh[d], hb, tmp);
				if (y) {
					float *yr = y + t * q->y_t + d * q->y_d + b * q->y_b;
					for (int64_t j = 0; j < hn; j++)
						yr[j] = hb[j];
				}
			}
		}
}

void gru_recur_portable(const struct gru_recur *q, const float *xw, float *h, float *y,
                        float *tmp)
{
	switch (q->hidden) {
	case 4: gru_recur_lbr(4, q, xw, h, y, tmp); break;
	case 8: gru_recur_lbr(8, q, xw, h, y, tmp); break;
	case 16: gru_recur_lbr(16, q, xw, h, y, tmp); break;
	default: gru_recur_lbr(0, q, xw, h, y, tmp); break;
	}
}

void gru_recur_layout(struct gru_recur *q, int layout)
{
	const int64_t hs = q->hidden;

	q->xw_t = layout ? 1 : q->batch;
	q->xw_b = layout ? q->seq : 1;
	q->y_t = layout ? q->dirs * hs : q->dirs * q->batch * hs;
	q->y_d = layout ? hs : q->batch * hs;
	q->y_b = layout ? q->seq * q->dirs * hs : hs;
}

void gru_recur_pair(struct gru_recur *q)
{
	if (q->hidden != 4)
		return;
	for (int half = 0; half < 2; half++) {
		const float *rt = q->rt[half ? q->dirs - 1 : 0];
		const float *rbh = q->rbh[half ? q->dirs - 1 : 0];
		for (int k = 0; k < 4; k++)
			for (int j = 0; j < 3; j++)
				memcpy(q->rt2 + ((k * 3 + j) * 2 + half) * 4, rt + k * 12 + j * 4,
				       4 * sizeof(float));
		memcpy(q->rbh2 + half * 4, rbh, 4 * sizeof(float));
	}
}

/* The planner's Transposes around a GRU, folded into the fast path's strides
 * (ops/rnn/gru.h): only float, layout 0, no sequence_lens (p->fast). */
int gru_read_x_from(struct node *n, struct tensor *src)
{
	struct gru_params *p = n->params;

	if (!p || !p->fast || p->c.layout || p->x_off || p->x_ld != p->c.input ||
	    src->dtype != DT_FLOAT || src->numel != n->inputs[0]->numel)
		return 0;
	n->inputs[0] = src;
	p->rec.xw_t = 1;
	p->rec.xw_b = p->c.seq;
	return 1;
}

int gru_read_x_slice(struct node *n, struct tensor *src, int64_t start)
{
	struct gru_params *p = n->params;
	const struct tensor *xt = n->inputs[0];

	if (!p || !p->fast || p->c.layout || p->x_off || p->x_ld != p->c.input ||
	    src->dtype != DT_FLOAT || src->ndim != xt->ndim || start < 0 ||
	    start + p->c.input > src->dims[src->ndim - 1])
		return 0;
	for (int a = 0; a + 1 < src->ndim; a++)
		if (src->dims[a] != xt->dims[a])
			return 0;
	n->inputs[0] = src;
	p->x_off = start;
	p->x_ld = src->dims[src->ndim - 1];
	return 1;
}

int gru_write_y_to(struct node *n, struct tensor *dst, int64_t off, int64_t st, int64_t sd,
                   int64_t sb)
{
	struct gru_params *p = n->params;
	const struct tensor *y = op_output(n, 0);

	if (!p || !p->fast || p->c.layout || !y || dst->dtype != DT_FLOAT || off < 0 ||
	    dst->numel < y->numel)
		return 0;
	n->outputs[0] = dst;
	p->y_off = off;
	p->rec.y_t = st;
	p->rec.y_d = sd;
	p->rec.y_b = sb;
	return 1;
}

int gru_y_layout(const struct node *n, int64_t *off, int64_t *st, int64_t *sd, int64_t *sb)
{
	const struct gru_params *p = n->params;

	if (!p || !p->fast || p->c.layout || !op_output(n, 0))
		return 0;
	*off = p->y_off;
	*st = p->rec.y_t;
	*sd = p->rec.y_d;
	*sb = p->rec.y_b;
	return 1;
}

static int gru_run(struct node *n, struct exec *x)
{
	const struct gru_params *p = n->params;
	const struct tensor *xt = n->inputs[0], *sl = op_input(n, 4), *h0 = op_input(n, 5);
	struct tensor *yt = op_output(n, 0), *yht = op_output(n, 1);
	char *s = x->scratch;
	int64_t seq = p->c.seq, batch = p->c.batch, hs = p->c.hidden, g = 3 * hs;
	const int32_t *lens = sl ? sl->data : NULL;
	const float *xs = xt->data;
	float *xw = (float *)(s + p->off_xw), *h = (float *)(s + p->off_h);
	float *tmp = (float *)(s + p->off_tmp), *y = NULL, *yh = NULL;

	int rc;

	if ((rc = rnn_check_lens(n, x, lens, batch, seq)))
		return rc;
	if (yt)
		y = p->convert ? (float *)(s + p->off_y) : yt->data;
	if (yht)
		yh = p->convert ? (float *)(s + p->off_yh) : yht->data;
	if (p->convert) {
		float *xf = (float *)(s + p->off_x);
		for (int64_t i = 0; i < xt->numel; i++)
			xf[i] = rnn_elem(xt, i);
		xs = xf;
	}

	if (p->fast) {
		/* float, packed, no sequence_lens: every direction at once */
		if (p->project)
			p->project(seq * batch, p->c.input, p->x_ld, p->c.dirs * g, xs + p->x_off,
			                 p->wt_all, p->bx_all, xw);
		else
			rnn_project(p->gemm, xs + p->x_off, p->x_ld, p->wt_all, p->bx_all, seq * batch,
			        p->c.input, p->c.dirs * g, xw);
		for (int d = 0; d < p->c.dirs; d++) {
			/* initial_h is float here */
			for (int64_t b = 0; b < batch; b++) {
				float *hb = h + (d * batch + b) * hs;
				if (h0)
					memcpy(hb, (const float *)h0->data + (p->c.layout ?
					       b * p->c.dirs + d : d * batch + b) * hs,
					       (size_t)hs * sizeof(float));
				else
					memset(hb, 0, (size_t)hs * sizeof(float));
			}
		}
		p->recur(&p->rec, xw, h, y ? y + p->y_off : NULL, tmp);
		if (yh)
			for (int d = 0; d < p->c.dirs; d++)
				for (int64_t b = 0; b < batch; b++)
					memcpy(yh + (p->c.layout ? b * p->c.dirs + d : d * batch + b) * hs,
					       h + (d * batch + b) * hs, (size_t)hs * sizeof(float));
		return GRT_OK;
	}
	for (int d = 0; d < p->c.dirs; d++) {
		struct gru_weights wl;
		const struct gru_weights *w = &p->w[d];
		int rev = d == 1 || p->c.reverse;
		if (!p->packed) {
			pack_weights(p, n->inputs[1], n->inputs[2], op_input(n, 3), d,
			             (float *)(s + p->off_pack) + d * p->pack_floats, &wl);
			w = &wl;
		}
		rnn_project(p->gemm, xs, p->c.input, w->wt, w->bx, seq * batch, p->c.input, g, xw);
		for (int64_t b = 0; b < batch; b++)
			for (int64_t j = 0; j < hs; j++)
				h[b * hs + j] = h0 ? rnn_elem(h0, (p->c.layout ? b * p->c.dirs + d :
				                                d * batch + b) * hs + j) : 0;
		for (int64_t st = 0; st < seq; st++) {
			int64_t t = rev ? seq - 1 - st : st;
			for (int64_t b = 0; b < batch; b++) {
				int64_t row = p->c.layout ? b * seq + t : t * batch + b;
				float *yr = NULL;
				if (y)
					yr = y + (p->c.layout ? (row * p->c.dirs + d) * hs :
					                      ((t * p->c.dirs + d) * batch + b) * hs);
				/* past this entry's sequence_lens: state kept, Y zero */
				if (lens && t >= lens[b]) {
					if (yr)
						memset(yr, 0, (size_t)hs * sizeof(float));
					continue;
				}
				gru_step(p, w, d, xw + row * g, h + b * hs, tmp);
				if (yr)
					memcpy(yr, h + b * hs, (size_t)hs * sizeof(float));
			}
		}
		if (yh)
			for (int64_t b = 0; b < batch; b++)
				memcpy(yh + (p->c.layout ? b * p->c.dirs + d : d * batch + b) * hs,
				       h + b * hs, (size_t)hs * sizeof(float));
	}
	if (p->convert && yt)
		rnn_store(yt, y);
	if (p->convert && yht)
		rnn_store(yht, yh);
	return GRT_OK;
}

/* Multiply-adds: per direction, step and batch entry, X W^T (3H x input)
 * and h R^T (3H x H). */
static int64_t gru_macs(const struct node *n)
{
	const struct gru_params *p = n->params;

	return p->c.dirs * p->c.seq * p->c.batch * 3 * p->c.hidden * (p->c.input + p->c.hidden);
}

const struct op_def op_gru = { "GRU", 1, OPSET_LATEST, gru_prepare, gru_run, 0, gru_macs };

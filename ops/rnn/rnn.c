/* rnn.c - GRU (https://onnx.ai/onnx/operators/onnx__GRU.html), opsets 1..latest
 * (linear_before_reset from 3, layout from 14). X W^T plus biases for every step is
 * one matrix product (ops/math/gemm.h, or the kernel table's gru_project, ops/cpu.h) into
 * scratch, per direction or, in the common case, for all directions at once; each
 * step adds H R^T and applies the gates z, r, h. Constant W, R, B are transposed
 * into params at plan time. Computes in float; double tensors are converted on
 * the way in and out, float16 and bfloat16 ones by ops/half.h. The common case
 * (float, constant weights, linear_before_reset, default activations, no clip or
 * sequence_lens) runs the directions interleaved, with hidden sizes 4, 8 and 16
 * compiled as constants. */
#include <math.h>
#include <string.h>
#include <strings.h>
#include "ops/cpu.h"
#include "ops/half.h"
#include "ops/math/mathfn.h"
#include "ops/op.h"

enum act_kind {
	ACT_RELU, ACT_TANH, ACT_SIGMOID, ACT_AFFINE, ACT_LEAKY_RELU, ACT_THRESHOLDED_RELU,
	ACT_SCALED_TANH, ACT_HARD_SIGMOID, ACT_ELU, ACT_SOFTSIGN, ACT_SOFTPLUS,
};

struct act {
	enum act_kind kind;
	float alpha, beta;
};

/* One direction's weights, float, gate blocks in the order z, r, h. */
struct gru_weights {
	const float *wt;    /* [input][3*hidden] W transposed */
	const float *rt;    /* [hidden][3*hidden] R transposed */
	const float *bx;    /* [3*hidden] Wb + Rb (z, r); Wbh, + Rbh if linear_before_reset = 0 */
	const float *rbh;   /* [hidden] Rbh if linear_before_reset != 0, else zeros */
};

struct gru_params {
	int64_t seq, batch, input, hidden;  /* seq_length, batch_size, input_size, hidden_size */
	int dirs;                  /* num_directions: 1 or 2 */
	int reverse;               /* direction = reverse (with dirs = 1) */
	int lbr;                   /* linear_before_reset != 0 */
	int layout;                /* 0: X [seq, batch, input]; 1: X [batch, seq, input] */
	float clip;                /* > 0: gate inputs clipped to [-clip, clip]; 0: no clip */
	struct act f[2], g[2];     /* [dirs] gate (f) and candidate (g) activations */
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

static const struct {
	const char *name;
	enum act_kind kind;
	int n_params;              /* 0: none, 1: alpha, 2: alpha and beta */
	float alpha, beta;         /* defaults */
} act_names[] = {
	{ "Relu", ACT_RELU, 0, 0, 0 },
	{ "Tanh", ACT_TANH, 0, 0, 0 },
	{ "Sigmoid", ACT_SIGMOID, 0, 0, 0 },
	{ "Affine", ACT_AFFINE, 2, 1.0f, 0.0f },
	{ "LeakyRelu", ACT_LEAKY_RELU, 1, 0.01f, 0 },
	{ "ThresholdedRelu", ACT_THRESHOLDED_RELU, 1, 1.0f, 0 },
	{ "ScaledTanh", ACT_SCALED_TANH, 2, 1.0f, 1.0f },
	{ "HardSigmoid", ACT_HARD_SIGMOID, 2, 0.2f, 0.5f },
	{ "Elu", ACT_ELU, 1, 1.0f, 0 },
	{ "Softsign", ACT_SOFTSIGN, 0, 0, 0 },
	{ "Softplus", ACT_SOFTPLUS, 0, 0, 0 },
};

/* Clips v to [-clip, clip] (clip > 0), then applies a in place. */
static void activate(const struct act *a, float clip, float *restrict v, int64_t n)
{
	float al = a->alpha, be = a->beta;

	if (clip > 0)
		for (int64_t i = 0; i < n; i++)
			v[i] = v[i] < -clip ? -clip : v[i] > clip ? clip : v[i];
	switch (a->kind) {
	case ACT_RELU:
		for (int64_t i = 0; i < n; i++)
			v[i] = v[i] > 0 ? v[i] : 0;
		break;
	case ACT_TANH:
		fast_tanhf_n(v, v, n);
		break;
	case ACT_SIGMOID:
		fast_sigmoidf_n(v, v, n);
		break;
	case ACT_AFFINE:
		for (int64_t i = 0; i < n; i++)
			v[i] = al * v[i] + be;
		break;
	case ACT_LEAKY_RELU:
		for (int64_t i = 0; i < n; i++)
			v[i] = v[i] >= 0 ? v[i] : al * v[i];
		break;
	case ACT_THRESHOLDED_RELU:
		for (int64_t i = 0; i < n; i++)
			v[i] = v[i] >= al ? v[i] : 0;
		break;
	case ACT_SCALED_TANH:
		for (int64_t i = 0; i < n; i++)
			v[i] = al * fast_tanhf(be * v[i]);
		break;
	case ACT_HARD_SIGMOID:
		for (int64_t i = 0; i < n; i++) {
			float t = al * v[i] + be;
			v[i] = t < 0 ? 0 : t > 1 ? 1 : t;
		}
		break;
	case ACT_ELU:
		for (int64_t i = 0; i < n; i++)
			v[i] = v[i] >= 0 ? v[i] : al * (expf(v[i]) - 1.0f);
		break;
	case ACT_SOFTSIGN:
		for (int64_t i = 0; i < n; i++)
			v[i] = v[i] / (1.0f + fabsf(v[i]));
		break;
	case ACT_SOFTPLUS:
		for (int64_t i = 0; i < n; i++)
			v[i] = v[i] > 20.0f ? v[i] : log1pf(expf(v[i]));
		break;
	}
}

/* Element i of a float or double tensor, as float. */
static float elem(const struct tensor *t, int64_t i)
{
	if (t->dtype == DT_DOUBLE)
		return (float)((const double *)t->data)[i];
	return ((const float *)t->data)[i];
}

/* Transposes direction d of W, R and sums the biases into dst
 * ([pack_floats]); w gets pointers into it. */
static void pack_weights(const struct gru_params *p, const struct tensor *wt_in,
                         const struct tensor *r_in, const struct tensor *b_in, int d,
                         float *dst, struct gru_weights *w)
{
	int64_t in = p->input, h = p->hidden, g = 3 * h;
	float *wt = dst, *rt = wt + in * g, *bx = rt + h * g, *rbh = bx + g;
	int64_t wo = d * g * in, ro = d * g * h, bo = d * 2 * g;

	for (int64_t j = 0; j < g; j++) {
		for (int64_t k = 0; k < in; k++)
			wt[k * g + j] = elem(wt_in, wo + j * in + k);
		for (int64_t k = 0; k < h; k++)
			rt[k * g + j] = elem(r_in, ro + j * h + k);
		/* Wb, then Rb, except Rbh under linear_before_reset */
		bx[j] = b_in ? elem(b_in, bo + j) : 0;
		if (b_in && (j < 2 * h || !p->lbr))
			bx[j] += elem(b_in, bo + g + j);
	}
	for (int64_t j = 0; j < h; j++)
		rbh[j] = b_in && p->lbr ? elem(b_in, bo + g + 2 * h + j) : 0;
	w->wt = wt;
	w->rt = rt;
	w->bx = bx;
	w->rbh = rbh;
}

/* Sets f and g per direction from the activation names (NULL: the defaults
 * Sigmoid, Tanh). alpha and beta values are taken in order by the functions
 * that use them; a function left without one gets its default. */
static int set_activations(struct node *n, struct exec *x, struct gru_params *p,
                           const char *const *names, int count)
{
	const float *alphas, *betas;
	int n_alpha, n_beta, ia = 0, ib = 0, rc;
	size_t n_names = sizeof(act_names) / sizeof(act_names[0]);

	for (int d = 0; d < 2; d++) {
		p->f[d].kind = ACT_SIGMOID;
		p->g[d].kind = ACT_TANH;
	}
	if (!names)
		return GRT_OK;
	if ((rc = attr_floats(n, x, "activation_alpha", &alphas, &n_alpha)) ||
	    (rc = attr_floats(n, x, "activation_beta", &betas, &n_beta)))
		return rc;
	if (count != 2 * p->dirs && count != 2)
		return op_fail(n, x, GRT_E_ATTR,
		               "attribute 'activations' has %d entries, expected %d", count,
		               2 * p->dirs);
	for (int i = 0; i < count; i++) {
		struct act *a = i % 2 ? &p->g[i / 2] : &p->f[i / 2];
		size_t k = 0;
		while (k < n_names && strcasecmp(names[i], act_names[k].name))
			k++;
		if (k == n_names)
			return op_fail(n, x, GRT_E_ATTR,
			               "attribute 'activations': unknown activation '%s'", names[i]);
		a->kind = act_names[k].kind;
		a->alpha = act_names[k].alpha;
		a->beta = act_names[k].beta;
		if (act_names[k].n_params >= 1 && ia < n_alpha)
			a->alpha = alphas[ia++];
		if (act_names[k].n_params >= 2 && ib < n_beta)
			a->beta = betas[ib++];
	}
	if (count == 2 && p->dirs == 2) {
		p->f[1] = p->f[0];
		p->g[1] = p->g[0];
	}
	return GRT_OK;
}

static size_t take(size_t *at, size_t bytes)
{
	size_t o = *at;

	*at += (bytes + 63) & ~(size_t)63;
	return o;
}

/* The attributes into p (directions, clip, linear_before_reset, layout, activations);
 * *hidden_attr: hidden_size, 0 if absent. */
static int gru_attrs(struct node *n, struct exec *x, struct gru_params *p,
                     int64_t *hidden_attr)
{
	const char *dir;
	int64_t lbr, layout = 0;
	float clip;
	int rc;

	if ((rc = attr_string(n, x, "direction", "forward", &dir)) ||
	    (rc = attr_int(n, x, "hidden_size", 0, hidden_attr)) ||
	    (rc = attr_int(n, x, "linear_before_reset", 0, &lbr)) ||
	    (rc = attr_float(n, x, "clip", 0, &clip)))
		return rc;
	if (n->opset < 3 && node_attr(n, "linear_before_reset"))
		return op_fail(n, x, GRT_E_ATTR,
		               "attribute 'linear_before_reset' needs opset 3 (node has %d)",
		               n->opset);
	if (n->opset < 14 && node_attr(n, "layout"))
		return op_fail(n, x, GRT_E_ATTR, "attribute 'layout' needs opset 14 (node has %d)",
		               n->opset);
	if (n->opset >= 7 && node_attr(n, "output_sequence"))
		return op_fail(n, x, GRT_E_ATTR,
		               "attribute 'output_sequence' was removed in opset 7 (node has %d)",
		               n->opset);
	if ((rc = attr_int(n, x, "layout", 0, &layout)))
		return rc;
	if (layout != 0 && layout != 1)
		return op_fail(n, x, GRT_E_ATTR, "attribute 'layout' is %lld, expected 0 or 1",
		               (long long)layout);
	if (!strcmp(dir, "forward")) {
		p->dirs = 1;
	} else if (!strcmp(dir, "reverse")) {
		p->dirs = 1;
		p->reverse = 1;
	} else if (!strcmp(dir, "bidirectional")) {
		p->dirs = 2;
	} else {
		return op_fail(n, x, GRT_E_ATTR, "attribute 'direction' is '%s', expected "
		               "forward, reverse or bidirectional", dir);
	}
	if (node_attr(n, "clip") && !(clip > 0))
		return op_fail(n, x, GRT_E_ATTR, "attribute 'clip' is %g, expected > 0",
		               (double)clip);
	p->clip = clip;
	p->lbr = lbr != 0;
	p->layout = (int)layout;
	{
		const char *const *names;
		int n_names;
		if ((rc = attr_strings(n, x, "activations", &names, &n_names)) ||
		    (rc = set_activations(n, x, p, names, n_names)))
			return rc;
	}
	return GRT_OK;
}

/* The common case (p->fast): the recurrence's arguments, W^T and bx of both
 * directions side by side, and this session's kernels for them (ops/cpu.h). */
static int gru_fast_prepare(struct exec *x, struct gru_params *p)
{
	p->rec.seq = p->seq;
	p->rec.batch = p->batch;
	p->rec.hidden = p->hidden;
	p->rec.dirs = p->dirs;
	p->rec.reverse = p->reverse;
	gru_recur_layout(&p->rec, p->layout);
	for (int d = 0; d < p->dirs; d++) {
		p->rec.rt[d] = p->w[d].rt;
		p->rec.rbh[d] = p->w[d].rbh;
	}
	gru_recur_pair(&p->rec);
	p->wt_all = p->w[0].wt;
	p->bx_all = p->w[0].bx;
	if (p->dirs == 2) {
		/* one projection for both directions: W^T and bx side by side */
		int64_t g = 3 * p->hidden;
		float *wa = plan_alloc(x, (size_t)((p->input + 1) * 2 * g) * sizeof(float));
		if (!wa)
			return GRT_E_NOMEM;
		for (int64_t k = 0; k <= p->input; k++)
			for (int d = 0; d < 2; d++)
				memcpy(wa + (k * 2 + d) * g, k < p->input ?
				       p->w[d].wt + k * g : p->w[d].bx, (size_t)g * sizeof(float));
		p->wt_all = wa;
		p->bx_all = wa + p->input * 2 * g;
	}
	if (x->kern->gru_project &&
	    x->kern->gru_project_fits(p->dirs * 3 * p->hidden, p->input))
		p->project = x->kern->gru_project;
	p->x_off = 0;
	p->x_ld = p->input;
	p->recur = x->kern->gru_recur_fits(p->hidden) ? x->kern->gru_recur : gru_recur_portable;
	return GRT_OK;
}

static int gru_prepare(struct node *n, struct exec *x)
{
	static const enum dtype ftypes[] = { DT_FLOAT, DT_DOUBLE, DT_UNDEFINED };
	static const enum dtype itypes[] = { DT_INT32, DT_UNDEFINED };
	struct tensor *xt, *w, *r, *b, *sl, *h0, *y = op_output(n, 0), *yh = op_output(n, 1);
	struct gru_params *p;
	int64_t hidden_attr, layout, dims[3];
	int rc;
	size_t at = 0;

	if (half_wanted(n))
		return half_prepare(n, x, gru_prepare);
	if ((rc = op_check_arity(n, x, 3, 6, 0, 2)))
		return rc;
	xt = n->inputs[0];
	w = n->inputs[1];
	r = n->inputs[2];
	b = op_input(n, 3);
	sl = op_input(n, 4);
	h0 = op_input(n, 5);
	if ((rc = op_check_dtype(n, x, 0, ftypes)) || (rc = op_check_dtype(n, x, 4, itypes)))
		return rc;
	for (int i = 1; i < 6; i++) {
		const struct tensor *t = op_input(n, i);
		if (i != 4 && t && t->dtype != xt->dtype)
			return op_fail(n, x, GRT_E_DTYPE, "input %d '%s' is %s but X is %s", i,
			               t->name, dtype_name(t->dtype), dtype_name(xt->dtype));
	}

	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return GRT_E_NOMEM;
	n->params = p;

	if ((rc = gru_attrs(n, x, p, &hidden_attr)))
		return rc;
	layout = p->layout;

	/* shapes */
	if (xt->ndim != 3)
		return op_fail(n, x, GRT_E_SHAPE, "X '%s' has rank %d, expected 3", xt->name,
		               xt->ndim);
	p->seq = xt->dims[layout ? 1 : 0];
	p->batch = xt->dims[layout ? 0 : 1];
	p->input = xt->dims[2];
	if (r->ndim != 3)
		return op_fail(n, x, GRT_E_SHAPE, "R '%s' has rank %d, expected 3", r->name, r->ndim);
	p->hidden = r->dims[2];
	if (hidden_attr && hidden_attr != p->hidden)
		return op_fail(n, x, GRT_E_SHAPE,
		               "attribute 'hidden_size' is %lld but R '%s' has hidden size %lld",
		               (long long)hidden_attr, r->name, (long long)p->hidden);
	if (r->dims[0] != p->dirs || r->dims[1] != 3 * p->hidden)
		return op_fail(n, x, GRT_E_SHAPE,
		               "R '%s' is [%lld, %lld, %lld], expected [%d, %lld, %lld]", r->name,
		               (long long)r->dims[0], (long long)r->dims[1], (long long)r->dims[2],
		               p->dirs, (long long)(3 * p->hidden), (long long)p->hidden);
	if (w->ndim != 3 || w->dims[0] != p->dirs || w->dims[1] != 3 * p->hidden ||
	    w->dims[2] != p->input)
		return op_fail(n, x, GRT_E_SHAPE,
		               "W '%s' has the wrong shape, expected [%d, %lld, %lld]", w->name,
		               p->dirs, (long long)(3 * p->hidden), (long long)p->input);
	if (b && (b->ndim != 2 || b->dims[0] != p->dirs || b->dims[1] != 6 * p->hidden))
		return op_fail(n, x, GRT_E_SHAPE, "B '%s' has the wrong shape, expected [%d, %lld]",
		               b->name, p->dirs, (long long)(6 * p->hidden));
	if (sl && (sl->ndim != 1 || sl->dims[0] != p->batch))
		return op_fail(n, x, GRT_E_SHAPE,
		               "sequence_lens '%s' has the wrong shape, expected [%lld]", sl->name,
		               (long long)p->batch);
	if (h0 && (h0->ndim != 3 || h0->dims[2] != p->hidden ||
	           h0->dims[layout ? 1 : 0] != p->dirs || h0->dims[layout ? 0 : 1] != p->batch))
		return op_fail(n, x, GRT_E_SHAPE,
		               "initial_h '%s' has the wrong shape, expected %s", h0->name,
		               layout ? "[batch_size, num_directions, hidden_size]" :
		                        "[num_directions, batch_size, hidden_size]");
	if (y) {
		int64_t y0[4] = { p->seq, p->dirs, p->batch, p->hidden };
		int64_t y1[4] = { p->batch, p->seq, p->dirs, p->hidden };
		if ((rc = tensor_set_shape(y, xt->dtype, 4, layout ? y1 : y0)))
			return op_fail(n, x, rc, "output Y too large");
	}
	if (yh) {
		dims[0] = layout ? p->batch : p->dirs;
		dims[1] = layout ? p->dirs : p->batch;
		dims[2] = p->hidden;
		if ((rc = tensor_set_shape(yh, xt->dtype, 3, dims)))
			return op_fail(n, x, rc, "output Y_h too large");
	}

	/* weights: packed now if constant, else at run time into scratch */
	p->pack_floats = (size_t)((p->input + p->hidden + 1) * 3 * p->hidden + p->hidden);
	p->pack_floats = (p->pack_floats + 15) & ~(size_t)15;
	p->convert = xt->dtype != DT_FLOAT;
	if (w->is_const && r->is_const && (!b || b->is_const)) {
		float *dst = plan_alloc(x, (size_t)p->dirs * p->pack_floats * sizeof(float));
		if (!dst)
			return GRT_E_NOMEM;
		for (int d = 0; d < p->dirs; d++)
			pack_weights(p, w, r, b, d, dst + d * p->pack_floats, &p->w[d]);
		p->packed = 1;
	} else {
		p->off_pack = take(&at, (size_t)p->dirs * p->pack_floats * sizeof(float));
	}
	if (p->convert)
		p->off_x = take(&at, (size_t)(p->seq * p->batch * p->input) * sizeof(float));
	p->gemm = x->kern->gemm;
	p->fast = !p->convert && p->packed && !sl && p->lbr && !(p->clip > 0);
	for (int d = 0; d < p->dirs; d++)
		p->fast &= p->f[d].kind == ACT_SIGMOID && p->g[d].kind == ACT_TANH;
	if (p->fast && (rc = gru_fast_prepare(x, p)))
		return rc;
	p->off_xw = take(&at, (size_t)(p->dirs * p->seq * p->batch * 3 * p->hidden) *
	                      sizeof(float));
	p->off_h = take(&at, (size_t)(p->dirs * p->batch * p->hidden) * sizeof(float));
	p->off_tmp = take(&at, (size_t)(7 * p->hidden) * sizeof(float));
	if (p->convert && y)
		p->off_y = take(&at, (size_t)y->numel * sizeof(float));
	if (p->convert && yh)
		p->off_yh = take(&at, (size_t)yh->numel * sizeof(float));
	n->scratch_bytes = at;
	return GRT_OK;
}

/* One step for one batch entry: h (in place) from the previous h and
 * xw = X W^T + biases of this step. tmp: [7*hidden]. */
static void gru_step(const struct gru_params *p, const struct gru_weights *w, int d,
                     const float *restrict xw, float *restrict h, float *restrict tmp)
{
	int64_t hs = p->hidden, g = 3 * hs, n_rec = p->lbr ? g : 2 * hs;
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
	activate(&p->f[d], p->clip, gate, 2 * hs);
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
	activate(&p->g[d], p->clip, gate + 2 * hs, hs);
	for (int64_t j = 0; j < hs; j++)
		h[j] = (1.0f - gate[j]) * gate[2 * hs + j] + gate[j] * h[j];
}

/* The gates of the common case, cheaper than mathfn.h's (the recurrence is
 * bound by their operations and their latency; ops/rnn/rnn_avx2.c's gate_sigmoid8 and
 * gate_tanh8 do the same ones): sigmoid with -|x| clamped at -87, where e^-|x| is
 * still a normal float, so that 2^n is one multiplication, and one division whose
 * numerator (1, or e^-|x| where x's sign bit is set) is chosen before it (within
 * an ulp of v4f_sigmoid above -87, 1.6e-38 instead of less below); tanh as
 * (e^2|x| - 1) / (e^2|x| + 1) with the sign of x put on the numerator, everywhere,
 * without the odd polynomial below 0.625 (there an absolute error up to 1.2e-7
 * instead of a relative one: the state is a sum of such values). */
static inline v4f gate_sigmoid(v4f x)
{
	v4f nx = (v4f)((v4i)x | INT32_MIN), t, e, s;      /* -|x| */

	nx = v4f_select(nx < -87.0f, (v4f){ 0 } - 87.0f, nx);
	e = v4f_exp_parts(nx, &t);
	s = v4f_pow2(t);
	/* x < 0 (sign bit): e^x / (1 + e^x), else 1 / (1 + e^-x) */
	return v4f_select((v4i)x < 0, e * s, (v4f){ 0 } + 1.0f) / (e * s + 1.0f);
}

static inline v4f gate_tanh(v4f x)
{
	v4i sign = (v4i)x & INT32_MIN;
	v4f ax = (v4f)((v4i)x ^ sign), t, p, s;

	ax = v4f_select(ax > 44.0f, (v4f){ 0 } + 44.0f, ax);   /* NaN passes */
	p = v4f_exp_parts(ax + ax, &t);
	s = v4f_pow2(t);
	/* (e^2|x| - 1) / (e^2|x| + 1) with the sign of x */
	return (v4f)((v4i)(p * s - 1.0f) ^ sign) / (p * s + 1.0f);
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

/* xw[rows][g] = bx + x[rows][input] wt (the product summed first); wt [input][g]. */
static void project(const struct gemm_ukernel *gemm, const float *xs, int64_t ldx,
                    const float *wt, const float *bx, int64_t rows, int64_t in, int64_t g,
                    float *xw)
{
	int64_t done = rows > 0;

	/* the bias rows by doubling: a few long copies, not one per row */
	if (done)
		memcpy(xw, bx, (size_t)g * sizeof(float));
	for (; done < rows; done *= 2) {
		int64_t n = done < rows - done ? done : rows - done;
		memcpy(xw + done * g, xw, (size_t)(n * g) * sizeof(float));
	}
	gemm_f32_run(gemm, rows, g, in, xs, ldx, 1, wt, g, xw, g);
}

static void store(struct tensor *t, const float *s)
{
	double *d = t->data;     /* convert: the tensor is double */

	for (int64_t i = 0; i < t->numel; i++)
		d[i] = s[i];
}

/* The planner's Transposes around a GRU, folded into the fast path's strides
 * (ops/rnn/gru.h): only float, layout 0, no sequence_lens (p->fast); never a
 * float16 node (n->half: its params are the float copy's). */
int gru_read_x_from(struct node *n, struct tensor *src)
{
	struct gru_params *p = n->params;

	if (!p || n->half || !p->fast || p->layout || p->x_off || p->x_ld != p->input ||
	    src->dtype != DT_FLOAT || src->numel != n->inputs[0]->numel)
		return 0;
	n->inputs[0] = src;
	p->rec.xw_t = 1;
	p->rec.xw_b = p->seq;
	return 1;
}

int gru_read_x_slice(struct node *n, struct tensor *src, int64_t start)
{
	struct gru_params *p = n->params;
	const struct tensor *xt = n->inputs[0];

	if (!p || n->half || !p->fast || p->layout || p->x_off || p->x_ld != p->input ||
	    src->dtype != DT_FLOAT || src->ndim != xt->ndim || start < 0 ||
	    start + p->input > src->dims[src->ndim - 1])
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

	if (!p || n->half || !p->fast || p->layout || !y || dst->dtype != DT_FLOAT ||
	    off < 0 || dst->numel < y->numel)
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

	if (!p || n->half || !p->fast || p->layout || !op_output(n, 0))
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
	int64_t seq = p->seq, batch = p->batch, hs = p->hidden, g = 3 * hs;
	const int32_t *lens = sl ? sl->data : NULL;
	const float *xs = xt->data;
	float *xw = (float *)(s + p->off_xw), *h = (float *)(s + p->off_h);
	float *tmp = (float *)(s + p->off_tmp), *y = NULL, *yh = NULL;

	if (n->half)
		return half_run(n, x, gru_run);
	for (int64_t b = 0; b < (lens ? batch : 0); b++)
		if (lens[b] < 0 || lens[b] > seq)
			return op_fail(n, x, GRT_E_INDEX,
			               "sequence_lens[%lld] = %d out of range [0, %lld]", (long long)b,
			               (int)lens[b], (long long)seq);
	if (yt)
		y = p->convert ? (float *)(s + p->off_y) : yt->data;
	if (yht)
		yh = p->convert ? (float *)(s + p->off_yh) : yht->data;
	if (p->convert) {
		float *xf = (float *)(s + p->off_x);
		for (int64_t i = 0; i < xt->numel; i++)
			xf[i] = elem(xt, i);
		xs = xf;
	}

	if (p->fast) {
		/* float, packed, no sequence_lens: every direction at once */
		if (p->project)
			p->project(seq * batch, p->input, p->x_ld, p->dirs * g, xs + p->x_off,
			                 p->wt_all, p->bx_all, xw);
		else
			project(p->gemm, xs + p->x_off, p->x_ld, p->wt_all, p->bx_all, seq * batch,
			        p->input, p->dirs * g, xw);
		for (int d = 0; d < p->dirs; d++) {
			/* initial_h is float here */
			for (int64_t b = 0; b < batch; b++) {
				float *hb = h + (d * batch + b) * hs;
				if (h0)
					memcpy(hb, (const float *)h0->data + (p->layout ?
					       b * p->dirs + d : d * batch + b) * hs,
					       (size_t)hs * sizeof(float));
				else
					memset(hb, 0, (size_t)hs * sizeof(float));
			}
		}
		p->recur(&p->rec, xw, h, y ? y + p->y_off : NULL, tmp);
		if (yh)
			for (int d = 0; d < p->dirs; d++)
				for (int64_t b = 0; b < batch; b++)
					memcpy(yh + (p->layout ? b * p->dirs + d : d * batch + b) * hs,
					       h + (d * batch + b) * hs, (size_t)hs * sizeof(float));
		return GRT_OK;
	}
	for (int d = 0; d < p->dirs; d++) {
		struct gru_weights wl;
		const struct gru_weights *w = &p->w[d];
		int rev = d == 1 || p->reverse;
		if (!p->packed) {
			pack_weights(p, n->inputs[1], n->inputs[2], op_input(n, 3), d,
			             (float *)(s + p->off_pack) + d * p->pack_floats, &wl);
			w = &wl;
		}
		project(p->gemm, xs, p->input, w->wt, w->bx, seq * batch, p->input, g, xw);
		for (int64_t b = 0; b < batch; b++)
			for (int64_t j = 0; j < hs; j++)
				h[b * hs + j] = h0 ? elem(h0, (p->layout ? b * p->dirs + d :
				                                d * batch + b) * hs + j) : 0;
		for (int64_t st = 0; st < seq; st++) {
			int64_t t = rev ? seq - 1 - st : st;
			for (int64_t b = 0; b < batch; b++) {
				int64_t row = p->layout ? b * seq + t : t * batch + b;
				float *yr = NULL;
				if (y)
					yr = y + (p->layout ? (row * p->dirs + d) * hs :
					                      ((t * p->dirs + d) * batch + b) * hs);
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
				memcpy(yh + (p->layout ? b * p->dirs + d : d * batch + b) * hs,
				       h + b * hs, (size_t)hs * sizeof(float));
	}
	if (p->convert && yt)
		store(yt, y);
	if (p->convert && yht)
		store(yht, yh);
	return GRT_OK;
}

/* Multiply-adds: per direction, step and batch entry, X W^T (3H x input)
 * and h R^T (3H x H). */
static int64_t gru_macs(const struct node *n)
{
	const struct gru_params *p = n->params;

	return p->dirs * p->seq * p->batch * 3 * p->hidden * (p->input + p->hidden);
}

const struct op_def op_gru = { "GRU", 1, OPSET_LATEST, gru_prepare, gru_run, 0, gru_macs };

/* rnn_common.c - the parts GRU, LSTM and RNN share (ops/rnn/rnn_common.h). */
#include <math.h>
#include <string.h>
#include <strings.h>
#include "ops/math/gemm.h"
#include "ops/math/mathfn.h"
#include "ops/op.h"
#include "ops/rnn/rnn_common.h"

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

void rnn_activate(const struct act *a, float clip, float *restrict v, int64_t n)
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

float rnn_elem(const struct tensor *t, int64_t i)
{
	switch (t->dtype) {
	case DT_DOUBLE: return (float)((const double *)t->data)[i];
	case DT_FLOAT16: return half_to_float(((const uint16_t *)t->data)[i]);
	default: return ((const float *)t->data)[i];
	}
}

void rnn_store(struct tensor *t, const float *s)
{
	if (t->dtype == DT_DOUBLE) {
		double *d = t->data;
		for (int64_t i = 0; i < t->numel; i++)
			d[i] = s[i];
	} else {
		uint16_t *d = t->data;
		for (int64_t i = 0; i < t->numel; i++)
			d[i] = float_to_half(s[i]);
	}
}

void rnn_transpose(float *dst, const struct tensor *src, int64_t off, int64_t rows,
                   int64_t cols)
{
	for (int64_t j = 0; j < rows; j++)
		for (int64_t k = 0; k < cols; k++)
			dst[k * rows + j] = rnn_elem(src, off + j * cols + k);
}

size_t rnn_take(size_t *at, size_t bytes)
{
	size_t o = *at;

	*at += (bytes + 63) & ~(size_t)63;
	return o;
}

void rnn_project(const struct gemm_ukernel *gemm, const float *xs, int64_t ldx,
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

void rnn_gemv_portable(int64_t n, int64_t k, const float *x, const float *a, int64_t lda,
                       float *y)
{
	gemm_f32_run(&gemm_ukernel_portable, 1, n, k, x, 1, 1, a, lda, y, n);
}

int rnn_check_lens(struct node *n, struct exec *x, const int32_t *lens, int64_t batch,
                   int64_t seq)
{
	for (int64_t b = 0; b < (lens ? batch : 0); b++)
		if (lens[b] < 0 || lens[b] > seq)
			return op_fail(n, x, GRT_E_INDEX,
			               "sequence_lens[%lld] = %d out of range [0, %lld]", (long long)b,
			               (int)lens[b], (long long)seq);
	return GRT_OK;
}

/* Sets c->act per direction from the activation names (NULL: def). alpha and
 * beta values are taken in order by the functions that use them; a function left
 * without one gets its default. */
static int set_activations(struct node *n, struct exec *x, struct rnn_dims *c, int n_acts,
                           const enum act_kind *def, const char *const *names, int count)
{
	const float *alphas, *betas;
	int n_alpha, n_beta, ia = 0, ib = 0, rc;
	size_t n_names = sizeof(act_names) / sizeof(act_names[0]);

	for (int d = 0; d < 2; d++)
		for (int i = 0; i < n_acts; i++)
			c->act[d][i].kind = def[i];
	if (!names)
		return GRT_OK;
	if ((rc = attr_floats(n, x, "activation_alpha", &alphas, &n_alpha)) ||
	    (rc = attr_floats(n, x, "activation_beta", &betas, &n_beta)))
		return rc;
	if (count != n_acts * c->dirs && count != n_acts)
		return op_fail(n, x, GRT_E_ATTR,
		               "attribute 'activations' has %d entries, expected %d", count,
		               n_acts * c->dirs);
	for (int i = 0; i < count; i++) {
		struct act *a = &c->act[i / n_acts][i % n_acts];
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
	if (count == n_acts && c->dirs == 2)
		memcpy(c->act[1], c->act[0], sizeof(c->act[0]));
	return GRT_OK;
}

int rnn_attrs(struct node *n, struct exec *x, struct rnn_dims *c, int gates, int n_acts,
              const enum act_kind *def, int64_t *hidden_attr)
{
	const char *dir, *const *names;
	int64_t layout = 0;
	float clip;
	int rc, n_names;

	c->gates = gates;
	if ((rc = attr_string(n, x, "direction", "forward", &dir)) ||
	    (rc = attr_int(n, x, "hidden_size", 0, hidden_attr)) ||
	    (rc = attr_float(n, x, "clip", 0, &clip)))
		return rc;
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
		c->dirs = 1;
	} else if (!strcmp(dir, "reverse")) {
		c->dirs = 1;
		c->reverse = 1;
	} else if (!strcmp(dir, "bidirectional")) {
		c->dirs = 2;
	} else {
		return op_fail(n, x, GRT_E_ATTR, "attribute 'direction' is '%s', expected "
		               "forward, reverse or bidirectional", dir);
	}
	if (node_attr(n, "clip") && !(clip > 0))
		return op_fail(n, x, GRT_E_ATTR, "attribute 'clip' is %g, expected > 0",
		               (double)clip);
	c->clip = clip;
	c->layout = (int)layout;
	if ((rc = attr_strings(n, x, "activations", &names, &n_names)))
		return rc;
	return set_activations(n, x, c, n_acts, def, names, n_names);
}

int rnn_check_types(struct node *n, struct exec *x, int n_in)
{
	static const enum dtype ftypes[] = { DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_UNDEFINED };
	static const enum dtype itypes[] = { DT_INT32, DT_UNDEFINED };
	const struct tensor *xt = n->inputs[0];
	int rc;

	if ((rc = op_check_dtype(n, x, 0, ftypes)) || (rc = op_check_dtype(n, x, 4, itypes)))
		return rc;
	for (int i = 1; i < n_in; i++) {
		const struct tensor *t = op_input(n, i);
		if (i != 4 && t && t->dtype != xt->dtype)
			return op_fail(n, x, GRT_E_DTYPE, "input %d '%s' is %s but X is %s", i,
			               t->name, dtype_name(t->dtype), dtype_name(xt->dtype));
	}
	return GRT_OK;
}

int rnn_check_state(struct node *n, struct exec *x, const struct rnn_dims *c,
                    const struct tensor *t, const char *what)
{
	int layout = c->layout;

	if (t && (t->ndim != 3 || t->dims[2] != c->hidden ||
	          t->dims[layout ? 1 : 0] != c->dirs || t->dims[layout ? 0 : 1] != c->batch))
		return op_fail(n, x, GRT_E_SHAPE,
		               "%s '%s' has the wrong shape, expected %s", what, t->name,
		               layout ? "[batch_size, num_directions, hidden_size]" :
		                        "[num_directions, batch_size, hidden_size]");
	return GRT_OK;
}

int rnn_state_output(struct node *n, struct exec *x, const struct rnn_dims *c, int i,
                     const char *what)
{
	struct tensor *t = op_output(n, i);
	int64_t dims[3];
	int rc;

	if (!t)
		return GRT_OK;
	dims[0] = c->layout ? c->batch : c->dirs;
	dims[1] = c->layout ? c->dirs : c->batch;
	dims[2] = c->hidden;
	if ((rc = tensor_set_shape(t, n->inputs[0]->dtype, 3, dims)))
		return op_fail(n, x, rc, "output %s too large", what);
	return GRT_OK;
}

int rnn_shapes(struct node *n, struct exec *x, struct rnn_dims *c, int64_t hidden_attr)
{
	const struct tensor *xt = n->inputs[0], *w = n->inputs[1], *r = n->inputs[2];
	const struct tensor *b = op_input(n, 3), *sl = op_input(n, 4);
	struct tensor *y = op_output(n, 0);
	int layout = c->layout, ng = c->gates;
	int rc;

	if (xt->ndim != 3)
		return op_fail(n, x, GRT_E_SHAPE, "X '%s' has rank %d, expected 3", xt->name,
		               xt->ndim);
	c->seq = xt->dims[layout ? 1 : 0];
	c->batch = xt->dims[layout ? 0 : 1];
	c->input = xt->dims[2];
	if (r->ndim != 3)
		return op_fail(n, x, GRT_E_SHAPE, "R '%s' has rank %d, expected 3", r->name, r->ndim);
	c->hidden = r->dims[2];
	if (hidden_attr && hidden_attr != c->hidden)
		return op_fail(n, x, GRT_E_SHAPE,
		               "attribute 'hidden_size' is %lld but R '%s' has hidden size %lld",
		               (long long)hidden_attr, r->name, (long long)c->hidden);
	if (r->dims[0] != c->dirs || r->dims[1] != ng * c->hidden)
		return op_fail(n, x, GRT_E_SHAPE,
		               "R '%s' is [%lld, %lld, %lld], expected [%d, %lld, %lld]", r->name,
		               (long long)r->dims[0], (long long)r->dims[1], (long long)r->dims[2],
		               c->dirs, (long long)(ng * c->hidden), (long long)c->hidden);
	if (w->ndim != 3 || w->dims[0] != c->dirs || w->dims[1] != ng * c->hidden ||
	    w->dims[2] != c->input)
		return op_fail(n, x, GRT_E_SHAPE,
		               "W '%s' has the wrong shape, expected [%d, %lld, %lld]", w->name,
		               c->dirs, (long long)(ng * c->hidden), (long long)c->input);
	if (b && (b->ndim != 2 || b->dims[0] != c->dirs || b->dims[1] != 2 * ng * c->hidden))
		return op_fail(n, x, GRT_E_SHAPE, "B '%s' has the wrong shape, expected [%d, %lld]",
		               b->name, c->dirs, (long long)(2 * ng * c->hidden));
	if (sl && (sl->ndim != 1 || sl->dims[0] != c->batch))
		return op_fail(n, x, GRT_E_SHAPE,
		               "sequence_lens '%s' has the wrong shape, expected [%lld]", sl->name,
		               (long long)c->batch);
	if ((rc = rnn_check_state(n, x, c, op_input(n, 5), "initial_h")))
		return rc;
	if (y) {
		int64_t y0[4] = { c->seq, c->dirs, c->batch, c->hidden };
		int64_t y1[4] = { c->batch, c->seq, c->dirs, c->hidden };
		if ((rc = tensor_set_shape(y, xt->dtype, 4, layout ? y1 : y0)))
			return op_fail(n, x, rc, "output Y too large");
	}
	return rnn_state_output(n, x, c, 1, "Y_h");
}

/* lstm.c - LSTM (https://onnx.ai/onnx/operators/onnx__LSTM.html) and RNN
 * (https://onnx.ai/onnx/operators/onnx__RNN.html), opsets 1..latest (layout from 14),
 * on GRU's parts (ops/rnn/rnn_common.h). Per direction: X W^T plus biases for every
 * step is one matrix product into scratch (rnn_project); each step adds H R^T for
 * the whole batch with the session's matrix product (ops/cpu.h: AVX2 where the CPU
 * has it) straight into that step's rows, then applies the gates in place. Constant
 * W, R, B (and P) are transposed into params at plan time. Computes in float;
 * double and float16 tensors are converted on the way in and out.
 * LSTM's gate blocks are i, o, f, c (W, R, B), its peepholes i, o, f (P); RNN has one
 * block. */
#include <string.h>
#include "ops/cpu.h"
#include "ops/op.h"
#include "ops/rnn/rnn_common.h"

/* One direction's weights, float. */
struct lstm_weights {
	const float *wt;    /* [input][gates*hidden] W transposed */
	const float *rt;    /* [hidden][gates*hidden] R transposed */
	const float *bx;    /* [gates*hidden] Wb + Rb */
	const float *peep;  /* [3*hidden] P (i, o, f), or NULL: no peepholes */
};

struct lstm_params {
	struct rnn_dims c;         /* sizes, attributes; activations f, g, h (RNN: f) */
	int lstm;                  /* LSTM (else RNN) */
	int input_forget;          /* LSTM: f = 1 - i */
	int packed;                /* w[] filled at plan time (W, R, B, P constant) */
	struct lstm_weights w[2];  /* [dirs] */
	size_t pack_floats;        /* floats in one direction's packed weights */
	int convert;               /* element type is not float */
	const struct gemm_ukernel *gemm; /* X W^T and H R^T: this session's (ops/cpu.h) */
	rnn_gemv_fn gemv;          /* H R^T for a batch of one, and X W^T for one row */
	vec_f32_fn sigmoid, tanh;  /* this session's, for the default activations unclipped */
	/* scratch byte offsets */
	size_t off_pack;           /* [dirs][pack_floats] weights packed at run time */
	size_t off_x;              /* [seq*batch][input] X as float (convert) */
	size_t off_xw;             /* [seq*batch][gates*hidden] X W^T + biases, one direction */
	size_t off_h, off_c;       /* [batch][hidden] hidden and cell state */
	size_t off_tmp;            /* [hidden] h(C) */
	size_t off_y[3];           /* Y, Y_h, Y_c as float (convert) */
};

/* Transposes direction d of W, R, sums the biases and copies P into dst
 * ([pack_floats]); w gets pointers into it. */
static void pack_weights(const struct lstm_params *p, const struct tensor *w_in,
                         const struct tensor *r_in, const struct tensor *b_in,
                         const struct tensor *p_in, int d, float *dst,
                         struct lstm_weights *w)
{
	int64_t in = p->c.input, h = p->c.hidden, g = p->c.gates * h;
	float *wt = dst, *rt = wt + in * g, *bx = rt + h * g, *peep = bx + g;

	rnn_transpose(wt, w_in, d * g * in, g, in);
	rnn_transpose(rt, r_in, d * g * h, g, h);
	for (int64_t j = 0; j < g; j++)
		bx[j] = b_in ? rnn_elem(b_in, d * 2 * g + j) + rnn_elem(b_in, d * 2 * g + g + j) : 0;
	for (int64_t j = 0; p_in && j < 3 * h; j++)
		peep[j] = rnn_elem(p_in, d * 3 * h + j);
	w->wt = wt;
	w->rt = rt;
	w->bx = bx;
	w->peep = p_in ? peep : NULL;
}

/* Activation a over v[n] after the clip (clip > 0), through the session's kernels where they
 * compute the same function. */
static void act_run(const struct lstm_params *p, const struct act *a, float clip, float *v,
                    int64_t n)
{
	if (a->kind == ACT_SIGMOID && !(clip > 0))
		p->sigmoid(v, v, n);
	else if (a->kind == ACT_TANH && !(clip > 0))
		p->tanh(v, v, n);
	else
		rnn_activate(a, clip, v, n);
}

/* One LSTM step of one batch entry, direction d: gate [4*hidden] holds X W^T + H R^T
 * + biases (i, o, f, c; overwritten); peep: P (i, o, f) or NULL; h and c (in place) the state. tmp: [hidden]. */
static void lstm_gates(const struct lstm_params *p, int d, const float *peep,
                       float *restrict gate, float *restrict h, float *restrict c,
                       float *restrict tmp)
{
	const int64_t hs = p->c.hidden;
	const struct act *f = &p->c.act[d][0], *g = &p->c.act[d][1], *ha = &p->c.act[d][2];
	float *gi = gate, *go = gate + hs, *gf = gate + 2 * hs, *gc = gate + 3 * hs;

	if (peep)
		for (int64_t j = 0; j < hs; j++) {
			gi[j] += peep[j] * c[j];
			gf[j] += peep[2 * hs + j] * c[j];
		}
	act_run(p, f, p->c.clip, gi, hs);
	if (p->input_forget)
		for (int64_t j = 0; j < hs; j++)
			gf[j] = 1.0f - gi[j];
	else
		act_run(p, f, p->c.clip, gf, hs);
	act_run(p, g, p->c.clip, gc, hs);
	for (int64_t j = 0; j < hs; j++)
		c[j] = gf[j] * c[j] + gi[j] * gc[j];
	if (peep)
		for (int64_t j = 0; j < hs; j++)
			go[j] += peep[hs + j] * c[j];
	act_run(p, f, p->c.clip, go, hs);
	memcpy(tmp, c, (size_t)hs * sizeof(float));
	act_run(p, ha, 0, tmp, hs);     /* h(C): C is not clipped (as ONNX Runtime) */
	for (int64_t j = 0; j < hs; j++)
		h[j] = go[j] * tmp[j];
}

static int lstm_prepare_common(struct node *n, struct exec *x, int lstm)
{
	static const enum act_kind def_lstm[3] = { ACT_SIGMOID, ACT_TANH, ACT_TANH };
	static const enum act_kind def_rnn[1] = { ACT_TANH };
	struct tensor *xt, *w, *r, *b, *pp = NULL;
	struct lstm_params *p;
	int64_t hidden_attr, input_forget = 0, rows;
	int rc, n_in = lstm ? 8 : 6, n_out = lstm ? 3 : 2;
	size_t at = 0;

	if ((rc = op_check_arity(n, x, 3, n_in, 0, n_out)) || (rc = rnn_check_types(n, x, n_in)))
		return rc;
	xt = n->inputs[0];
	w = n->inputs[1];
	r = n->inputs[2];
	b = op_input(n, 3);
	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return GRT_E_NOMEM;
	n->params = p;
	p->lstm = lstm;
	if ((rc = rnn_attrs(n, x, &p->c, lstm ? 4 : 1, lstm ? 3 : 1, lstm ? def_lstm : def_rnn,
	                    &hidden_attr)) ||
	    (lstm && (rc = attr_int(n, x, "input_forget", 0, &input_forget))) ||
	    (rc = rnn_shapes(n, x, &p->c, hidden_attr)))
		return rc;
	p->input_forget = input_forget != 0;
	if (lstm) {
		pp = op_input(n, 7);
		if ((rc = rnn_check_state(n, x, &p->c, op_input(n, 6), "initial_c")) ||
		    (rc = rnn_state_output(n, x, &p->c, 2, "Y_c")))
			return rc;
		if (pp && (pp->ndim != 2 || pp->dims[0] != p->c.dirs ||
		           pp->dims[1] != 3 * p->c.hidden))
			return op_fail(n, x, GRT_E_SHAPE, "P '%s' has the wrong shape, expected "
			               "[%d, %lld]", pp->name, p->c.dirs, (long long)(3 * p->c.hidden));
	}

	/* weights: packed now if constant, else at run time into scratch */
	p->pack_floats = (size_t)((p->c.input + p->c.hidden + 1) * p->c.gates * p->c.hidden +
	                          3 * p->c.hidden);
	p->pack_floats = (p->pack_floats + 15) & ~(size_t)15;
	p->convert = xt->dtype != DT_FLOAT;
	if (w->is_const && r->is_const && (!b || b->is_const) && (!pp || pp->is_const)) {
		float *dst = plan_alloc(x, (size_t)p->c.dirs * p->pack_floats * sizeof(float));
		if (!dst)
			return GRT_E_NOMEM;
		for (int d = 0; d < p->c.dirs; d++)
			pack_weights(p, w, r, b, pp, d, dst + d * p->pack_floats, &p->w[d]);
		p->packed = 1;
		/* run() reads none of W, R, B, P again */
		n->baked = 1u << 1 | 1u << 2 | (b ? 1u << 3 : 0) | (pp ? 1u << 7 : 0);
	} else {
		p->off_pack = rnn_take(&at, (size_t)p->c.dirs * p->pack_floats * sizeof(float));
	}
	p->gemm = x->kern->gemm;
	p->gemv = x->kern->rnn_gemv;
	p->sigmoid = x->kern->sigmoid_f32;
	p->tanh = x->kern->tanh_f32;
	rows = p->c.seq * p->c.batch;
	if (p->convert)
		p->off_x = rnn_take(&at, (size_t)(rows * p->c.input) * sizeof(float));
	p->off_xw = rnn_take(&at, (size_t)(rows * p->c.gates * p->c.hidden) * sizeof(float));
	p->off_h = rnn_take(&at, (size_t)(p->c.batch * p->c.hidden) * sizeof(float));
	p->off_c = rnn_take(&at, (size_t)(p->c.batch * p->c.hidden) * sizeof(float));
	p->off_tmp = rnn_take(&at, (size_t)p->c.hidden * sizeof(float));
	for (int i = 0; i < n_out && p->convert; i++)
		if (op_output(n, i))
			p->off_y[i] = rnn_take(&at, (size_t)op_output(n, i)->numel * sizeof(float));
	n->scratch_bytes = at;
	return GRT_OK;
}

static int lstm_prepare(struct node *n, struct exec *x)
{
	return lstm_prepare_common(n, x, 1);
}

static int rnn_prepare(struct node *n, struct exec *x)
{
	return lstm_prepare_common(n, x, 0);
}

/* The state of direction d into h and c ([batch][hidden]): initial_h, initial_c
 * (LSTM) or zeros. */
static void load_state(const struct lstm_params *p, const struct node *n, int d, float *h,
                       float *c)
{
	const struct tensor *h0 = op_input(n, 5), *c0 = p->lstm ? op_input(n, 6) : NULL;
	int64_t hs = p->c.hidden;

	for (int64_t b = 0; b < p->c.batch; b++) {
		int64_t o = rnn_state_row(&p->c, d, b) * hs;
		if (!p->convert) {
			if (h0)
				memcpy(h + b * hs, (const float *)h0->data + o, (size_t)hs * sizeof(float));
			else
				memset(h + b * hs, 0, (size_t)hs * sizeof(float));
			if (c0)
				memcpy(c + b * hs, (const float *)c0->data + o, (size_t)hs * sizeof(float));
			else
				memset(c + b * hs, 0, (size_t)hs * sizeof(float));
			continue;
		}
		for (int64_t j = 0; j < hs; j++) {
			h[b * hs + j] = h0 ? rnn_elem(h0, o + j) : 0;
			c[b * hs + j] = c0 ? rnn_elem(c0, o + j) : 0;
		}
	}
}

/* Every step of direction d (weights w): xw holds X W^T + biases, h and c the initial
 * state (the final state on return); y: Y as float, or NULL. */
static void run_direction(const struct lstm_params *p, const struct lstm_weights *w, int d,
                          const int32_t *lens, float *xw, float *h, float *c, float *y,
                          float *tmp)
{
	const int64_t seq = p->c.seq, batch = p->c.batch, hs = p->c.hidden;
	const int64_t g = p->c.gates * hs, dirs = p->c.dirs;
	/* step t's row of entry b: t * xt + b * xb; the rows of one step ld apart */
	const int64_t xt = p->c.layout ? 1 : batch, xb = p->c.layout ? seq : 1;
	int rev = d == 1 || p->c.reverse;

	for (int64_t st = 0; st < seq; st++) {
		int64_t t = rev ? seq - 1 - st : st;
		/* + H R^T for the whole batch, into this step's rows */
		if (batch == 1)
			p->gemv(g, hs, h, w->rt, g, xw + t * g);
		else
			gemm_f32_run(p->gemm, batch, g, hs, h, hs, 1, w->rt, g, xw + t * xt * g,
			             xb * g);
		for (int64_t b = 0; b < batch; b++) {
			float *gate = xw + (t * xt + b * xb) * g, *hb = h + b * hs, *yr = NULL;
			if (y)
				yr = y + (p->c.layout ? ((b * seq + t) * dirs + d) * hs :
				                        ((t * dirs + d) * batch + b) * hs);
			/* past this entry's sequence_lens: state kept, Y zero */
			if (lens && t >= lens[b]) {
				if (yr)
					memset(yr, 0, (size_t)hs * sizeof(float));
				continue;
			}
			if (p->lstm) {
				lstm_gates(p, d, w->peep, gate, hb, c + b * hs, tmp);
			} else {
				act_run(p, &p->c.act[d][0], p->c.clip, gate, hs);
				memcpy(hb, gate, (size_t)hs * sizeof(float));
			}
			if (yr)
				memcpy(yr, hb, (size_t)hs * sizeof(float));
		}
	}
}

static int lstm_run(struct node *n, struct exec *x)
{
	const struct lstm_params *p = n->params;
	const struct tensor *xt = n->inputs[0], *sl = op_input(n, 4);
	char *s = x->scratch;
	int64_t hs = p->c.hidden, rows = p->c.seq * p->c.batch, g = p->c.gates * hs;
	const int32_t *lens = sl ? sl->data : NULL;
	const float *xs = xt->data;
	float *xw = (float *)(s + p->off_xw), *h = (float *)(s + p->off_h);
	float *c = (float *)(s + p->off_c), *out[3] = { NULL, NULL, NULL };
	int rc, n_out = p->lstm ? 3 : 2;

	if ((rc = rnn_check_lens(n, x, lens, p->c.batch, p->c.seq)))
		return rc;
	for (int i = 0; i < n_out; i++)
		if (op_output(n, i))
			out[i] = p->convert ? (float *)(s + p->off_y[i]) : op_output(n, i)->data;
	if (p->convert) {
		float *xf = (float *)(s + p->off_x);
		for (int64_t i = 0; i < xt->numel; i++)
			xf[i] = rnn_elem(xt, i);
		xs = xf;
	}
	for (int d = 0; d < p->c.dirs; d++) {
		struct lstm_weights wl;
		const struct lstm_weights *w = &p->w[d];
		if (!p->packed) {
			pack_weights(p, n->inputs[1], n->inputs[2], op_input(n, 3),
			             p->lstm ? op_input(n, 7) : NULL, d,
			             (float *)(s + p->off_pack) + d * p->pack_floats, &wl);
			w = &wl;
		}
		if (rows == 1) {
			memcpy(xw, w->bx, (size_t)g * sizeof(float));
			p->gemv(g, p->c.input, xs, w->wt, g, xw);
		} else {
			rnn_project(p->gemm, xs, p->c.input, w->wt, w->bx, rows, p->c.input, g, xw);
		}
		load_state(p, n, d, h, c);
		run_direction(p, w, d, lens, xw, h, c, out[0], (float *)(s + p->off_tmp));
		for (int64_t b = 0; b < p->c.batch; b++) {
			int64_t o = rnn_state_row(&p->c, d, b) * hs;
			if (out[1])
				memcpy(out[1] + o, h + b * hs, (size_t)hs * sizeof(float));
			if (out[2])
				memcpy(out[2] + o, c + b * hs, (size_t)hs * sizeof(float));
		}
	}
	for (int i = 0; i < n_out && p->convert; i++)
		if (out[i])
			rnn_store(op_output(n, i), out[i]);
	return GRT_OK;
}

/* Multiply-adds: per direction, step and batch entry, X W^T (G*H x input)
 * and h R^T (G*H x H). */
static int64_t lstm_macs(const struct node *n)
{
	const struct lstm_params *p = n->params;

	return p->c.dirs * p->c.seq * p->c.batch * p->c.gates * p->c.hidden *
	       (p->c.input + p->c.hidden);
}

const struct op_def op_lstm = { "LSTM", 1, OPSET_LATEST, lstm_prepare, lstm_run, 0, lstm_macs };
const struct op_def op_rnn = { "RNN", 1, OPSET_LATEST, rnn_prepare, lstm_run, 0, lstm_macs };

/* check_ops_rnn.c - unit tests for GRU (ops/rnn/rnn.c): hand-computed values,
 * a plain double reference over directions, linear_before_reset, layouts and
 * sequence_lens, shapes, errors and opsets; the SIMD variants of the
 * recurrence and of the input projection (ops/rnn/gru.h) against the portable ones.
 * LSTM and RNN (ops/rnn/lstm.c): error rows, opsets and rnn_gemv's SIMD variant; their
 * values are tests/data/lstm_extra's (tests/check_node runs them).
 * Rerun one case: CK_RUN_SUITE=GRU CK_RUN_CASE=values ./tests/check_ops_rnn */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ops/cpu.h"
#include "tests/check_kernels.h"
#include "tests/op_harness.h"

/* --- GRU --- */

struct gru_case {
	int seq, batch, input, hidden, dirs, reverse, lbr, layout;
	int has_b, has_h0, has_lens, want_y, want_yh, w_const;
	float clip;
	int32_t lens[4];
};

static double sigm(double v)
{
	return 1.0 / (1.0 + exp(-v));
}

static double clipv(double v, double c)
{
	return c > 0 ? (v < -c ? -c : v > c ? c : v) : v;
}

/* The ONNX equations, straight, in double. X, Y and Y_h in layout 0. */
static void ref_gru(const struct gru_case *c, const float *x, const float *w, const float *r,
                    const float *b, const float *h0, double *y, double *yh)
{
	int hs = c->hidden, in = c->input, g = 3 * hs;

	memset(y, 0, sizeof(double) * (size_t)(c->seq * c->dirs * c->batch * hs));
	for (int d = 0; d < c->dirs; d++) {
		int rev = d == 1 || c->reverse;
		const float *wd = w + d * g * in, *rd = r + d * g * hs;
		const float *wb = b ? b + d * 2 * g : NULL, *rb = b ? wb + g : NULL;
		for (int bi = 0; bi < c->batch; bi++) {
			double h[16], hn[16];
			int len = c->has_lens ? c->lens[bi] : c->seq;
			for (int j = 0; j < hs; j++)
				h[j] = h0 ? h0[(d * c->batch + bi) * hs + j] : 0;
			for (int s = 0; s < len; s++) {
				int t = rev ? len - 1 - s : s;
				const float *xt = x + (t * c->batch + bi) * in;
				double z[16], rr[16];
				for (int j = 0; j < hs; j++) {
					double az = 0, ar = 0;
					for (int k = 0; k < in; k++) {
						az += (double)xt[k] * wd[j * in + k];
						ar += (double)xt[k] * wd[(hs + j) * in + k];
					}
					for (int k = 0; k < hs; k++) {
						az += h[k] * rd[j * hs + k];
						ar += h[k] * rd[(hs + j) * hs + k];
					}
					if (b) {
						az += (double)wb[j] + rb[j];
						ar += (double)wb[hs + j] + rb[hs + j];
					}
					z[j] = sigm(clipv(az, c->clip));
					rr[j] = sigm(clipv(ar, c->clip));
				}
				for (int j = 0; j < hs; j++) {
					double xh = 0, hr = 0;
					for (int k = 0; k < in; k++)
						xh += (double)xt[k] * wd[(2 * hs + j) * in + k];
					if (b)
						xh += wb[2 * hs + j];
					if (c->lbr) {
						for (int k = 0; k < hs; k++)
							hr += h[k] * rd[(2 * hs + j) * hs + k];
						if (b)
							hr += rb[2 * hs + j];
						xh += rr[j] * hr;
					} else {
						for (int k = 0; k < hs; k++)
							hr += rr[k] * h[k] * rd[(2 * hs + j) * hs + k];
						if (b)
							hr += rb[2 * hs + j];
						xh += hr;
					}
					hn[j] = (1 - z[j]) * tanh(clipv(xh, c->clip)) + z[j] * h[j];
				}
				memcpy(h, hn, sizeof(double) * (size_t)hs);
				for (int j = 0; j < hs; j++)
					y[((t * c->dirs + d) * c->batch + bi) * hs + j] = h[j];
			}
			for (int j = 0; j < hs; j++)
				yh[(d * c->batch + bi) * hs + j] = h[j];
		}
	}
}

/* Adds a float, double or float16 input with the values of src. */
static void gru_input(struct harness *h, enum dtype dt, int ndim, const int64_t *dims,
                      const float *src, int64_t count, int is_const)
{
	struct tensor *t = h_input(h, dt, ndim, dims, NULL, is_const);

	for (int64_t e = 0; e < count; e++) {
		if (dt == DT_FLOAT)
			((float *)t->data)[e] = src[e];
		else if (dt == DT_DOUBLE)
			((double *)t->data)[e] = src[e];
		else
			((uint16_t *)t->data)[e] = float_to_half(src[e]);
	}
}

/* Runs the case through the op at opset 14 and compares with ref_gru. */
static void check_gru(const struct gru_case *c, enum dtype dt)
{
	struct harness h;
	int hs = c->hidden, g = 3 * hs;
	int64_t nx = c->seq * c->batch * c->input, nw = c->dirs * g * c->input;
	int64_t nr = c->dirs * g * hs, nb = c->dirs * 2 * g, nh = c->dirs * c->batch * hs;
	int64_t ny = c->seq * nh;
	float x[512], w[512], r[2048], bb[256], h0[128], h0l[128], xl[512];
	double y[1024], yh[128], yl[1024], yhl[128];
	int64_t dx[3], dw[] = { c->dirs, g, c->input }, dr[] = { c->dirs, g, hs };
	int64_t db[] = { c->dirs, 2 * g }, dl[] = { c->batch }, dh[3];
	const struct tensor *ty, *tyh;

	ck_assert(nx <= 512 && nw <= 512 && nr <= 2048 && nb <= 256 && nh <= 128 && ny <= 1024);
	rng_state = (uint32_t)(c->seq * 131 + c->hidden * 7 + c->dirs + c->lbr * 3 + c->layout);
	fill(x, nx, 1);
	fill(w, nw, 0.7f);
	fill(r, nr, 0.7f);
	fill(bb, nb, 0.5f);
	fill(h0, nh, 0.8f);
	ref_gru(c, x, w, r, c->has_b ? bb : NULL, c->has_h0 ? h0 : NULL, y, yh);

	/* the op's view: X and initial_h in the case's layout, Y and Y_h too */
	if (c->layout) {
		for (int t = 0; t < c->seq; t++)
			for (int b = 0; b < c->batch; b++)
				memcpy(xl + (b * c->seq + t) * c->input, x + (t * c->batch + b) * c->input,
				       sizeof(float) * (size_t)c->input);
		for (int d = 0; d < c->dirs; d++)
			for (int b = 0; b < c->batch; b++) {
				memcpy(h0l + (b * c->dirs + d) * hs, h0 + (d * c->batch + b) * hs,
				       sizeof(float) * (size_t)hs);
				memcpy(yhl + (b * c->dirs + d) * hs, yh + (d * c->batch + b) * hs,
				       sizeof(double) * (size_t)hs);
				for (int t = 0; t < c->seq; t++)
					memcpy(yl + ((b * c->seq + t) * c->dirs + d) * hs,
					       y + ((t * c->dirs + d) * c->batch + b) * hs,
					       sizeof(double) * (size_t)hs);
			}
		dx[0] = c->batch;
		dx[1] = c->seq;
		dh[0] = c->batch;
		dh[1] = c->dirs;
	} else {
		memcpy(xl, x, sizeof(float) * (size_t)nx);
		memcpy(h0l, h0, sizeof(float) * (size_t)nh);
		memcpy(yl, y, sizeof(double) * (size_t)ny);
		memcpy(yhl, yh, sizeof(double) * (size_t)nh);
		dx[0] = c->seq;
		dx[1] = c->batch;
		dh[0] = c->dirs;
		dh[1] = c->batch;
	}
	dx[2] = c->input;
	dh[2] = hs;

	h_init(&h, "GRU", 14);
	gru_input(&h, dt, 3, dx, xl, nx, 0);
	gru_input(&h, dt, 3, dw, w, nw, c->w_const);
	gru_input(&h, dt, 3, dr, r, nr, c->w_const);
	if (c->has_b)
		gru_input(&h, dt, 2, db, bb, nb, c->w_const);
	else if (c->has_lens || c->has_h0)
		h_input_none(&h);
	if (c->has_lens)
		h_input(&h, DT_INT32, 1, dl, c->lens, 0);
	else if (c->has_h0)
		h_input_none(&h);
	if (c->has_h0)
		gru_input(&h, dt, 3, dh, h0l, nh, 0);
	if (c->want_y)
		h_output(&h);
	else
		h_output_none(&h);
	if (c->want_yh)
		h_output(&h);
	h_attr_int(&h, "hidden_size", hs);
	h_attr_int(&h, "linear_before_reset", c->lbr);
	h_attr_int(&h, "layout", c->layout);
	h_attr_string(&h, "direction", c->dirs == 2 ? "bidirectional" :
	                                 c->reverse ? "reverse" : "forward");
	if (c->clip > 0)
		h_attr_float(&h, "clip", c->clip);
	h_run_ok(&h);
	ty = c->want_y ? h.out[0] : NULL;
	tyh = c->want_yh ? h.out[1] : NULL;
	for (int o = 0; o < 2; o++) {
		const struct tensor *t = o ? tyh : ty;
		const double *e = o ? yhl : yl;
		int64_t cntv = o ? nh : ny;
		double tol = dt == DT_FLOAT16 ? 2e-2 : 2e-6;
		if (!t)
			continue;
		ck_assert_int_eq(t->dtype, dt);
		ck_assert_int_eq(t->numel, cntv);
		for (int64_t i = 0; i < cntv; i++) {
			double got = dt == DT_FLOAT ? ((float *)t->data)[i] :
			             dt == DT_DOUBLE ? ((double *)t->data)[i] :
			             half_to_float(((uint16_t *)t->data)[i]);
			ck_assert_msg(fabs(got - e[i]) <= tol,
			              "%s[%lld]: got %.8g, expected %.8g (seq %d batch %d dirs %d "
			              "reverse %d lbr %d layout %d lens %d const %d)",
			              o ? "Y_h" : "Y", (long long)i, got, e[i], c->seq, c->batch,
			              c->dirs, c->reverse, c->lbr, c->layout, c->has_lens, c->w_const);
		}
	}
	h_free(&h);
}

/* One step, one unit: numbers worked out by hand (see the comments). */
START_TEST(gru_values_hand)
{
	static const struct {
		int lbr;
		float rbh;
		float expected;
	} cases[] = {
		/* z = sig(0.5 + 0.2*0.5), r = sig(-0.5 + 0.3*0.5),
		 * h~ = tanh(1 + 0.4*(r*0.5) + Rbh) or tanh(1 + r*(0.4*0.5 + Rbh)),
		 * H = (1-z) h~ + z*0.5 */
		{ 0, 0.0f, 0.604244204f },
		{ 0, 0.1f, 0.616328803f },
		{ 1, 0.1f, 0.609478328f },
	};
	const int64_t d111[] = { 1, 1, 1 }, d131[] = { 1, 3, 1 }, d16[] = { 1, 6 };
	const float xv[] = { 1 }, w[] = { 0.5f, -0.5f, 1.0f }, r[] = { 0.2f, 0.3f, 0.4f };
	const float h0[] = { 0.5f };

	for (int c = 0; c < 3; c++) {
		struct harness h;
		const float b[] = { 0, 0, 0, 0, 0, cases[c].rbh };
		h_init(&h, "GRU", 7);
		h_input(&h, DT_FLOAT, 3, d111, xv, 0);
		h_input(&h, DT_FLOAT, 3, d131, w, 0);
		h_input(&h, DT_FLOAT, 3, d131, r, 0);
		h_input(&h, DT_FLOAT, 2, d16, b, 0);
		h_input_none(&h);
		h_input(&h, DT_FLOAT, 3, d111, h0, 0);
		h_output(&h);
		h_output(&h);
		h_attr_int(&h, "linear_before_reset", cases[c].lbr);
		h_run_ok(&h);
		expect_f32(h.out[0], &cases[c].expected, 1, 1e-6, 0, "Y");
		expect_f32(h.out[1], &cases[c].expected, 1, 1e-6, 0, "Y_h");
		h_free(&h);
	}
}
END_TEST

/* The activations attribute: the defaults written out, and HardSigmoid/Relu
 * (z = 0.2*0.6+0.5 = 0.62, r = 0.2*(-0.35)+0.5 = 0.43,
 * h~ = relu(1 + 0.4*(0.43*0.5)) = 1.086, H = 0.38*1.086 + 0.62*0.5). */
START_TEST(gru_values_activations)
{
	static const char *const def[2] = { "Sigmoid", "Tanh" }, *const hs[2] = { "HardSigmoid", "relu" };
	const char *const *names[2] = { def, hs };
	const float expected[2] = { 0.604244204f, 0.72268f };
	const int64_t d111[] = { 1, 1, 1 }, d131[] = { 1, 3, 1 };
	const float xv[] = { 1 }, w[] = { 0.5f, -0.5f, 1.0f }, r[] = { 0.2f, 0.3f, 0.4f };
	const float h0[] = { 0.5f };

	for (int c = 0; c < 2; c++) {
		struct harness h;
		h_init(&h, "GRU", 7);
		h_input(&h, DT_FLOAT, 3, d111, xv, 0);
		h_input(&h, DT_FLOAT, 3, d131, w, 0);
		h_input(&h, DT_FLOAT, 3, d131, r, 0);
		h_input_none(&h);
		h_input_none(&h);
		h_input(&h, DT_FLOAT, 3, d111, h0, 0);
		h_output_none(&h);
		h_output(&h);
		h_attr_strings(&h, "activations", 2, names[c]);
		h_run_ok(&h);
		expect_f32(h.out[1], &expected[c], 1, 1e-6, 0, "Y_h");
		h_free(&h);
	}
}
END_TEST

/* Every combination of direction, linear_before_reset, layout, sequence_lens,
 * constant weights, against the double reference. */
START_TEST(gru_values_reference)
{
	for (int dir = 0; dir < 3; dir++)
		for (int lbr = 0; lbr < 2; lbr++)
			for (int layout = 0; layout < 2; layout++)
				for (int lens = 0; lens < 2; lens++)
					for (int wc = 0; wc < 2; wc++) {
						struct gru_case c = {
							.seq = 5, .batch = 3, .input = 3, .hidden = 4,
							.dirs = dir == 2 ? 2 : 1, .reverse = dir == 1,
							.lbr = lbr, .layout = layout, .has_b = 1,
							.has_h0 = 1, .has_lens = lens, .want_y = 1,
							.want_yh = 1, .w_const = wc,
							.lens = { 5, 2, 4, 0 },
						};
						check_gru(&c, DT_FLOAT);
					}
}
END_TEST

/* Hidden sizes 8 and 16, no B, no initial_h, a zero length, omitted outputs, clip. */
START_TEST(gru_values_options)
{
	struct gru_case c = {
		.seq = 4, .batch = 2, .input = 5, .hidden = 8, .dirs = 1, .lbr = 1,
		.want_y = 1, .want_yh = 1,
	};

	check_gru(&c, DT_FLOAT);
	c.hidden = 16;
	c.input = 2;
	c.batch = 1;
	c.w_const = 1;
	check_gru(&c, DT_FLOAT);
	c.hidden = 3;
	c.has_lens = 1;
	c.lens[0] = 0;                      /* Y all zero, Y_h = initial_h */
	c.has_h0 = 1;
	check_gru(&c, DT_FLOAT);
	c.has_lens = 0;
	c.want_y = 0;                       /* Y omitted */
	check_gru(&c, DT_FLOAT);
	c.want_y = 1;
	c.want_yh = 0;                      /* Y_h omitted */
	c.dirs = 2;
	check_gru(&c, DT_FLOAT);
	c.want_yh = 1;
	c.clip = 0.3f;
	c.has_b = 1;
	check_gru(&c, DT_FLOAT);
	c.lbr = 0;
	check_gru(&c, DT_FLOAT);
}
END_TEST

/* The common case that GRU runs through ops/rnn/gru.h (float, constant weights,
 * linear_before_reset, default activations, no clip, no sequence_lens): hidden
 * sizes compiled as constants (4, 8, 16) and others, every direction and layout. */
START_TEST(gru_values_fast_path)
{
	static const int hidden[] = { 4, 8, 16, 12, 5 };

	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		for (int dir = 0; dir < 3; dir++)
			for (int layout = 0; layout < 2; layout++) {
				struct gru_case c = {
					.seq = 5, .batch = 3, .input = 3, .hidden = hidden[i],
					.dirs = dir == 2 ? 2 : 1, .reverse = dir == 1, .lbr = 1,
					.layout = layout, .has_b = 1, .has_h0 = 1, .want_y = 1,
					.want_yh = 1, .w_const = 1,
				};
				check_gru(&c, DT_FLOAT);
				c.has_h0 = 0;            /* initial state zero */
				c.want_y = 0;
				check_gru(&c, DT_FLOAT);
			}
}
END_TEST

/* Y and Y_h of one GRU run, float, layout 0, forward or bidirectional; lens:
 * give sequence_lens (all full), which takes the general path. */
static void run_gru_lens(int hs, int dirs, int with_lens, float *y, float *yh)
{
	struct harness h;
	const int seq = 6, batch = 2, in = 5, g = 3 * hs;
	const int64_t dx[] = { seq, batch, in }, dw[] = { dirs, g, in }, dr[] = { dirs, g, hs };
	const int64_t db[] = { dirs, 2 * g }, dl[] = { batch }, dh[] = { dirs, batch, hs };
	const int32_t lens[2] = { seq, seq };
	float x[6 * 2 * 5], w[2 * 48 * 5], r[2 * 48 * 16], b[2 * 96], h0[2 * 2 * 16];

	rng_state = (uint32_t)(hs * 10 + dirs);
	fill(x, seq * batch * in, 1);
	fill(w, dirs * g * in, 0.7f);
	fill(r, dirs * g * hs, 0.7f);
	fill(b, dirs * 2 * g, 0.5f);
	fill(h0, dirs * batch * hs, 0.8f);
	h_init(&h, "GRU", 14);
	h_input(&h, DT_FLOAT, 3, dx, x, 0);
	h_input(&h, DT_FLOAT, 3, dw, w, 1);
	h_input(&h, DT_FLOAT, 3, dr, r, 1);
	h_input(&h, DT_FLOAT, 2, db, b, 1);
	if (with_lens)
		h_input(&h, DT_INT32, 1, dl, lens, 0);
	else
		h_input_none(&h);
	h_input(&h, DT_FLOAT, 3, dh, h0, 0);
	h_output(&h);
	h_output(&h);
	h_attr_int(&h, "hidden_size", hs);
	h_attr_int(&h, "linear_before_reset", 1);
	h_attr_string(&h, "direction", dirs == 2 ? "bidirectional" : "forward");
	h_run_ok(&h);
	memcpy(y, h.out[0]->data, (size_t)h.out[0]->nbytes);
	memcpy(yh, h.out[1]->data, (size_t)h.out[1]->nbytes);
	h_free(&h);
}

/* The fast path and the general path agree (to fused multiply-adds). */
START_TEST(gru_values_fast_vs_general)
{
	static const int hidden[] = { 4, 8, 16, 7 };

	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		for (int dirs = 1; dirs <= 2; dirs++) {
			float y0[6 * 2 * 2 * 16], y1[6 * 2 * 2 * 16], yh0[2 * 2 * 16], yh1[2 * 2 * 16];
			int hs = hidden[i], ny = 6 * dirs * 2 * hs;
			run_gru_lens(hs, dirs, 0, y0, yh0);
			run_gru_lens(hs, dirs, 1, y1, yh1);
			for (int j = 0; j < ny; j++)
				ck_assert_msg(fabsf(y0[j] - y1[j]) <= 1e-6f,
				              "hidden %d dirs %d Y[%d]: fast %.9g, general %.9g", hs, dirs,
				              j, (double)y0[j], (double)y1[j]);
			for (int j = 0; j < dirs * 2 * hs; j++)
				ck_assert_msg(fabsf(yh0[j] - yh1[j]) <= 1e-6f,
				              "hidden %d dirs %d Y_h[%d]: fast %.9g, general %.9g", hs,
				              dirs, j, (double)yh0[j], (double)yh1[j]);
		}
}
END_TEST

/* One comparison of this CPU's recurrence (ops/cpu.h) with gru_recur_portable: the
 * same arguments,
 * random, in buffers of their exact sizes (special: xw from the gates' edge
 * values instead: signed zeros, tiny, the clamps, huge, infinite); Y and the final
 * state agree to 1e-6 relative (values of 1 and less: 1e-6). */
static void check_recur_variant(int hs, int dir, int layout, int batch, int seq, int want_y,
                                int special)
{
	static const float edge[] = { 0.0f, -0.0f, 1e-30f, -1e-30f, 1e-7f, -1e-7f, 22.0f,
	                              -22.0f, 43.5f, -44.5f, 87.5f, -87.5f, 1e30f, -1e30f,
	                              INFINITY, -INFINITY, 0.3f, -0.7f };
	const int dirs = dir == 2 ? 2 : 1, g = 3 * hs;
	const size_t n_xw = (size_t)(dirs * seq * batch * g), n_h = (size_t)(dirs * batch * hs);
	const size_t n_y = (size_t)seq * n_h;
	float *rt = malloc(sizeof(float) * (size_t)(dirs * hs * g));
	float *rbh = malloc(sizeof(float) * (size_t)(dirs * hs));
	float *xw = malloc(sizeof(float) * n_xw), *tmp = malloc(sizeof(float) * 6 * (size_t)hs);
	float *h1 = malloc(sizeof(float) * n_h), *h2 = malloc(sizeof(float) * n_h);
	float *y1 = malloc(sizeof(float) * n_y), *y2 = malloc(sizeof(float) * n_y);
	struct gru_recur q = {
		.seq = seq, .batch = batch, .hidden = hs, .dirs = dirs, .reverse = dir == 1,
		.rt = { rt, rt + (dirs - 1) * hs * g }, .rbh = { rbh, rbh + (dirs - 1) * hs },
	};

	ck_assert(rt && rbh && xw && tmp && h1 && h2 && y1 && y2);
	gru_recur_layout(&q, layout);
	rng_state = (uint32_t)(hs * 1000 + dir * 100 + layout * 10 + batch + seq * 7);
	fill(rt, dirs * hs * g, 0.8f);
	fill(rbh, dirs * hs, 0.5f);
	fill(xw, (int)n_xw, 2.0f);
	for (size_t j = 0; special && j < n_xw; j++)
		xw[j] = edge[(j * 7 + j / 5) % (sizeof(edge) / sizeof(edge[0]))];
	fill(h1, (int)n_h, 0.9f);
	memcpy(h2, h1, sizeof(float) * n_h);
	gru_recur_pair(&q);
	gru_recur_portable(&q, xw, h1, want_y ? y1 : NULL, tmp);
	kernels_for_cpu()->gru_recur(&q, xw, h2, want_y ? y2 : NULL, tmp);
	for (size_t j = 0; j < (want_y ? n_y : 0); j++)
		ck_assert_msg(fabsf(y1[j] - y2[j]) <= 1e-6f * fmaxf(1.0f, fabsf(y1[j])),
		              "hidden %d direction %d layout %d batch %d seq %d: Y[%zu]: %s "
		              "%.9g, portable %.9g", hs, dir, layout, batch, seq, j,
		              kernels_for_cpu()->name, (double)y2[j], (double)y1[j]);
	for (size_t j = 0; j < n_h; j++)
		ck_assert_msg(fabsf(h1[j] - h2[j]) <= 1e-6f * fmaxf(1.0f, fabsf(h1[j])),
		              "hidden %d direction %d layout %d batch %d seq %d: h[%zu]: %s "
		              "%.9g, portable %.9g", hs, dir, layout, batch, seq, j,
		              kernels_for_cpu()->name, (double)h2[j], (double)h1[j]);
	free(rt);
	free(rbh);
	free(xw);
	free(tmp);
	free(h1);
	free(h2);
	free(y1);
	free(y2);
}

/* This CPU's recurrence against gru_recur_portable, where it has another (AVX2, NEON):
 * hidden 4 (two chains per vector: the two directions, or batch entries b and
 * b + 1 and an odd last one alone), 8 and 16; forward, reverse, bidirectional;
 * both layouts; odd and even batch; one step and many; with and without Y; xw at
 * the gates' edge values. */
START_TEST(gru_recur_variants)
{
	static const int hidden[] = { 4, 8, 16 }, batches[] = { 1, 2, 3, 4, 5 };
	static const int seqs[] = { 1, 2, 9 };

	const struct kernels *k = kernels_for_cpu();

	ck_assert_msg(k->gru_recur_fits(4) && k->gru_recur_fits(8) && k->gru_recur_fits(16),
	              "the %s recurrence does not take hidden 4, 8 and 16", k->name);
	for (size_t i = 0; i < 3; i++)
		for (int dir = 0; dir < 3; dir++)
			for (int layout = 0; layout < 2; layout++)
				for (size_t b = 0; b < 5; b++)
					for (size_t s = 0; s < 3; s++)
						check_recur_variant(hidden[i], dir, layout, batches[b],
						                    seqs[s], 1, 0);
	check_recur_variant(4, 2, 0, 3, 5, 0, 0);
	check_recur_variant(4, 0, 1, 3, 5, 0, 0);
	check_recur_variant(8, 0, 0, 3, 5, 0, 0);
	check_recur_variant(16, 2, 1, 3, 5, 0, 0);
	for (size_t i = 0; i < 3; i++)
		for (int dir = 0; dir < 3; dir++)
			check_recur_variant(hidden[i], dir, 0, 3, 9, 1, 1);
}
END_TEST

/* The recurrence through other strides: xw rows batch-major (b*seq + t) while Y
 * goes out as [seq][batch][dirs][hidden] (what the planner sets when it folds a
 * Transpose into the GRU) gives exactly layout 0's numbers, rearranged; in both
 * variants. */
static void check_recur_strides(int hs, int dir, int batch, int seq,
                                gru_recur_fn fn)
{
	const int dirs = dir == 2 ? 2 : 1, g = 3 * hs;
	const size_t n_xw = (size_t)(dirs * seq * batch * g), n_h = (size_t)(dirs * batch * hs);
	const size_t n_y = (size_t)seq * n_h;
	float *rt = malloc(sizeof(float) * (size_t)(dirs * hs * g));
	float *rbh = malloc(sizeof(float) * (size_t)(dirs * hs));
	float *xw = malloc(sizeof(float) * n_xw), *xb = malloc(sizeof(float) * n_xw);
	float *tmp = malloc(sizeof(float) * 7 * (size_t)hs);
	float *h1 = malloc(sizeof(float) * n_h), *h2 = malloc(sizeof(float) * n_h);
	float *y1 = malloc(sizeof(float) * n_y), *y2 = malloc(sizeof(float) * n_y);
	struct gru_recur q = {
		.seq = seq, .batch = batch, .hidden = hs, .dirs = dirs, .reverse = dir == 1,
		.rt = { rt, rt + (dirs - 1) * hs * g }, .rbh = { rbh, rbh + (dirs - 1) * hs },
	};

	ck_assert(rt && rbh && xw && xb && tmp && h1 && h2 && y1 && y2);
	rng_state = (uint32_t)(hs * 31 + dir * 7 + batch * 3 + seq);
	fill(rt, dirs * hs * g, 0.8f);
	fill(rbh, dirs * hs, 0.5f);
	fill(xw, (int)n_xw, 2.0f);
	fill(h1, (int)n_h, 0.9f);
	memcpy(h2, h1, sizeof(float) * n_h);
	/* xb: the same rows, batch-major */
	for (int t = 0; t < seq; t++)
		for (int b = 0; b < batch; b++)
			memcpy(xb + (size_t)(b * seq + t) * (size_t)(dirs * g),
			       xw + (size_t)(t * batch + b) * (size_t)(dirs * g),
			       sizeof(float) * (size_t)(dirs * g));
	gru_recur_layout(&q, 0);
	gru_recur_pair(&q);
	fn(&q, xw, h1, y1, tmp);
	q.xw_t = 1;
	q.xw_b = seq;
	q.y_t = batch * dirs * hs;
	q.y_d = hs;
	q.y_b = dirs * hs;
	fn(&q, xb, h2, y2, tmp);
	ck_assert_mem_eq(h1, h2, sizeof(float) * n_h);
	for (int t = 0; t < seq; t++)
		for (int d = 0; d < dirs; d++)
			for (int b = 0; b < batch; b++)
				ck_assert_mem_eq(y2 + ((t * batch + b) * dirs + d) * hs,
				                 y1 + ((t * dirs + d) * batch + b) * hs,
				                 sizeof(float) * (size_t)hs);
	free(rt);
	free(rbh);
	free(xw);
	free(xb);
	free(tmp);
	free(h1);
	free(h2);
	free(y1);
	free(y2);
}

START_TEST(gru_recur_strides)
{
	static const int hidden[] = { 4, 8, 16, 5 };
	const struct kernels *k = simd_kernels("gru_recur_strides");

	for (size_t i = 0; i < 4; i++)
		for (int dir = 0; dir < 3; dir++)
			for (int batch = 1; batch <= 3; batch++) {
				check_recur_strides(hidden[i], dir, batch, 4, gru_recur_portable);
				if (k && k->gru_recur_fits(hidden[i]))
					check_recur_strides(hidden[i], dir, batch, 4, k->gru_recur);
			}
}
END_TEST

/* This CPU's one-pass projection (ops/cpu.h) against the plain sums (from k = 0 up,
 * then the bias), where it has one (AVX2, NEON): every width it takes of 4 to 48 columns
 * (every multiple of 8 at least), inputs 1 to 16, row counts around its blocks of 1 to
 * 4; within 1e-6 relative. A table without one must fit nothing, so that GRU takes the
 * matrix product. */
START_TEST(gru_project_variant)
{
	static const int ins[] = { 1, 3, 8, 16 }, rows[] = { 1, 2, 3, 4, 5, 7, 9, 37 };
	float x[37 * 16], wt[16 * 48], bx[48], xw[37 * 48];
	const struct kernels *kc = kernels_for_cpu();

	if (!kc->gru_project) {   /* a table without one must not claim a fit */
		for (int n = 8; n <= 48; n += 8)
			for (size_t a = 0; a < sizeof(ins) / sizeof(ins[0]); a++)
				ck_assert_msg(!kc->gru_project_fits(n, ins[a]), "the %s table has no "
				              "one-pass projection but fits %d x %d", kc->name, n, ins[a]);
		return;
	}
	for (int n = 4; n <= 48; n += 4)
		for (size_t a = 0; a < sizeof(ins) / sizeof(ins[0]); a++)
			for (size_t b = 0; b < sizeof(rows) / sizeof(rows[0]); b++) {
				int in = ins[a], m = rows[b];
				ck_assert(kc->gru_project_fits(n, in) || n % 8);
				if (!kc->gru_project_fits(n, in))
					continue;
				rng_state = (uint32_t)(n * 100 + in * 10 + m);
				fill(x, m * in, 2.0f);
				fill(wt, in * n, 0.7f);
				fill(bx, n, 0.5f);
				for (int i = 0; i < m * n + (m < 37 ? n : 0); i++)
					xw[i] = -99.0f;
				kc->gru_project(m, in, in, n, x, wt, bx, xw);
				for (int i = 0; i < m; i++)
					for (int j = 0; j < n; j++) {
						float s = 0, got = xw[i * n + j], want;
						for (int k = 0; k < in; k++)
							s += x[i * in + k] * wt[k * n + j];
						want = s + bx[j];
						ck_assert_msg(fabsf(got - want) <= 1e-6f * fmaxf(1.0f, fabsf(want)),
						              "n %d input %d rows %d: xw[%d][%d] %s %.9g, "
						              "plain %.9g", n, in, m, i, j, kc->name, (double)got,
						              (double)want);
					}
				if (m < 37)     /* nothing written past the last row */
					ck_assert_msg(xw[m * n] == -99.0f, "n %d input %d rows %d: wrote "
					              "past xw", n, in, m);
			}
	ck_assert(!kc->gru_project_fits(10, 8) && !kc->gru_project_fits(56, 8) &&
	          !kc->gru_project_fits(24, 0));
}
END_TEST

START_TEST(gru_values_types)
{
	struct gru_case c = {
		.seq = 3, .batch = 2, .input = 3, .hidden = 4, .dirs = 2, .lbr = 1,
		.has_b = 1, .has_h0 = 1, .want_y = 1, .want_yh = 1,
	};

	check_gru(&c, DT_DOUBLE);
	check_gru(&c, DT_FLOAT16);
	c.w_const = 1;
	c.layout = 1;
	check_gru(&c, DT_DOUBLE);
}
END_TEST

/* Sets up a valid forward GRU (seq 2, batch 1, input 1, hidden 1) with
 * shape-only inputs; tests then break one thing. */
static void gru_basic(struct harness *h, int opset)
{
	const int64_t dx[] = { 2, 1, 1 }, dw[] = { 1, 3, 1 };

	h_init(h, "GRU", opset);
	h_input(h, DT_FLOAT, 3, dx, NULL, 0);
	h_input(h, DT_FLOAT, 3, dw, NULL, 0);
	h_input(h, DT_FLOAT, 3, dw, NULL, 0);
}

START_TEST(gru_shapes)
{
	struct harness h;
	const int64_t dy[] = { 2, 1, 1, 1 }, dyh[] = { 1, 1, 1 };

	gru_basic(&h, 14);
	h_output(&h);
	h_output(&h);
	h_run_ok(&h);
	expect_dims(h.out[0], 4, dy);
	expect_dims(h.out[1], 3, dyh);
	h_free(&h);

	/* no outputs at all */
	gru_basic(&h, 14);
	h_run_ok(&h);
	h_free(&h);

	/* layout 1: Y [batch, seq, dirs, hidden] */
	{
		const int64_t dx[] = { 3, 5, 2 }, dw[] = { 2, 12, 2 }, dr[] = { 2, 12, 4 };
		const int64_t dy1[] = { 3, 5, 2, 4 }, dyh1[] = { 3, 2, 4 };
		h_init(&h, "GRU", 14);
		h_input(&h, DT_FLOAT, 3, dx, NULL, 0);
		h_input(&h, DT_FLOAT, 3, dw, NULL, 0);
		h_input(&h, DT_FLOAT, 3, dr, NULL, 0);
		h_output(&h);
		h_output(&h);
		h_attr_int(&h, "layout", 1);
		h_attr_string(&h, "direction", "bidirectional");
		h_run_ok(&h);
		expect_dims(h.out[0], 4, dy1);
		expect_dims(h.out[1], 3, dyh1);
		h_free(&h);
	}
}
END_TEST

/* One row per bad GRU; most are gru_basic's X (2,1,1), W and R (1,3,1) with one
 * thing changed. */
static const int64_t ge_x[] = { 2, 1, 1 }, ge_w[] = { 1, 3, 1 }, ge_w2[] = { 1, 3, 2 };
static const int64_t ge_d3[] = { 1, 3 }, ge_d16[] = { 1, 6 }, ge_d2[] = { 2 }, ge_d1[] = { 1 };
static const int64_t ge_d111[] = { 1, 1, 1 }, ge_d121[] = { 1, 2, 1 };
static const int32_t ge_badlen[] = { 3 };
static const float ge_z[8] = { 0 };     /* enough for every shape below (LSTM W: 4) */
static const char *const ge_acts[2] = { "Sigmoid", "Banana" };
#define GRU_XWR { DT_FLOAT, 3, ge_x }, { DT_FLOAT, 3, ge_w }, { DT_FLOAT, 3, ge_w }

/* One row per bad LSTM or RNN: X (2,1,1), W and R (1, gates, 1), one thing changed. */
static const int64_t le_w[] = { 1, 4, 1 }, le_p[] = { 1, 2 }, le_b4[] = { 1, 4 };
static const char *const le_acts[2] = { "Sigmoid", "Tanh" };
#define LSTM_XWR { DT_FLOAT, 3, ge_x }, { DT_FLOAT, 3, le_w }, { DT_FLOAT, 3, le_w }
#define RNN_XWR { DT_FLOAT, 3, ge_x }, { DT_FLOAT, 3, ge_d111 }, { DT_FLOAT, 3, ge_d111 }

static const struct h_case gru_errors_table[] = {
	{ "backward", "GRU", 14, { GRU_XWR }, { { "direction", ATTR_STRING, .s = "backward" } },
	  .code = GRT_E_ATTR, .msg = "attribute 'direction' is 'backward'" },
	{ "hidden_size vs R", "GRU", 14, { GRU_XWR }, { { "hidden_size", ATTR_INT, 2 } },
	  .code = GRT_E_SHAPE,
	  .msg = "attribute 'hidden_size' is 2 but R 'in' has hidden size 1" },
	{ "bidirectional R", "GRU", 14, { GRU_XWR },
	  { { "direction", ATTR_STRING, .s = "bidirectional" } },
	  .code = GRT_E_SHAPE, .msg = "R 'in' is [1, 3, 1], expected [2, 3, 1]" },
	{ "W input_size 2 against X's 1", "GRU", 14,
	  { { DT_FLOAT, 3, ge_x }, { DT_FLOAT, 3, ge_w2 }, { DT_FLOAT, 3, ge_w } },
	  .code = GRT_E_SHAPE, .msg = "W 'in' has the wrong shape, expected [1, 3, 1]" },
	{ "B shape", "GRU", 14, { GRU_XWR, { DT_FLOAT, 2, ge_d3 } },
	  .code = GRT_E_SHAPE, .msg = "B 'in' has the wrong shape, expected [1, 6]" },
	{ "sequence_lens shape", "GRU", 14,
	  { GRU_XWR, { DT_FLOAT, 2, ge_d16 }, { DT_INT32, 1, ge_d2 } },
	  .code = GRT_E_SHAPE, .msg = "sequence_lens 'in' has the wrong shape, expected [1]" },
	{ "int64 sequence_lens", "GRU", 14,
	  { GRU_XWR, { .omitted = 1 }, { DT_INT64, 1, ge_d1 } },
	  .code = GRT_E_DTYPE, .msg = "input 4 'in' has unsupported element type int64" },
	{ "initial_h shape", "GRU", 14,
	  { GRU_XWR, { .omitted = 1 }, { .omitted = 1 }, { DT_FLOAT, 3, ge_d121 } },
	  .code = GRT_E_SHAPE, .msg = "initial_h 'in' has the wrong shape" },
	{ "double B", "GRU", 14, { GRU_XWR, { DT_DOUBLE, 2, ge_d16 } },
	  .code = GRT_E_DTYPE, .msg = "input 3 'in' is double but X is float" },
	{ "X of rank 2", "GRU", 14,
	  { { DT_FLOAT, 2, ge_x }, { DT_FLOAT, 3, ge_w }, { DT_FLOAT, 3, ge_w } },
	  .code = GRT_E_SHAPE, .msg = "X 'in' has rank 2, expected 3" },
	{ "layout 2", "GRU", 14, { GRU_XWR }, { { "layout", ATTR_INT, 2 } },
	  .code = GRT_E_ATTR, .msg = "attribute 'layout' is 2, expected 0 or 1" },
	{ "clip 0", "GRU", 14, { GRU_XWR }, { { "clip", ATTR_FLOAT, .f = 0 } },
	  .code = GRT_E_ATTR, .msg = "attribute 'clip' is 0, expected > 0" },
	{ "FLOAT direction", "GRU", 14, { GRU_XWR }, { { "direction", ATTR_FLOAT, .f = 1 } },
	  .code = GRT_E_ATTR, .msg = "attribute 'direction' must be STRING" },
	{ "unknown activation", "GRU", 14, { GRU_XWR },
	  { { "activations", ATTR_STRINGS, .n = 2, .strings = ge_acts } },
	  .code = GRT_E_ATTR, .msg = "unknown activation 'Banana'" },
	/* run time: a length past seq_length */
	{ "sequence_lens past seq_length", "GRU", 14,
	  { { DT_FLOAT, 3, ge_d111, ge_z }, { DT_FLOAT, 3, ge_w, ge_z }, { DT_FLOAT, 3, ge_w, ge_z },
	    { .omitted = 1 }, { DT_INT32, 1, ge_d1, ge_badlen } },
	  .code = GRT_E_INDEX, .msg = "sequence_lens[0] = 3 out of range [0, 1]" },
	/* LSTM and RNN */
	{ "P shape", "LSTM", 14, { LSTM_XWR, { .omitted = 1 }, { .omitted = 1 }, { .omitted = 1 },
	                           { .omitted = 1 }, { DT_FLOAT, 2, le_p } },
	  .code = GRT_E_SHAPE, .msg = "P 'in' has the wrong shape, expected [1, 3]" },
	{ "initial_c shape", "LSTM", 14, { LSTM_XWR, { .omitted = 1 }, { .omitted = 1 },
	                                   { .omitted = 1 }, { DT_FLOAT, 3, ge_d121 } },
	  .code = GRT_E_SHAPE, .msg = "initial_c 'in' has the wrong shape" },
	{ "double initial_c", "LSTM", 14, { LSTM_XWR, { .omitted = 1 }, { .omitted = 1 },
	                                    { .omitted = 1 }, { DT_DOUBLE, 3, ge_d111 } },
	  .code = GRT_E_DTYPE, .msg = "input 6 'in' is double but X is float" },
	{ "two activations", "LSTM", 14, { LSTM_XWR },
	  { { "activations", ATTR_STRINGS, .n = 2, .strings = le_acts } },
	  .code = GRT_E_ATTR, .msg = "attribute 'activations' has 2 entries, expected 3" },
	{ "LSTM W of GRU's shape", "LSTM", 14, { GRU_XWR },
	  .code = GRT_E_SHAPE, .msg = "R 'in' is [1, 3, 1], expected [1, 4, 1]" },
	{ "RNN B shape", "RNN", 14, { RNN_XWR, { DT_FLOAT, 2, le_b4 } },
	  .code = GRT_E_SHAPE, .msg = "B 'in' has the wrong shape, expected [1, 2]" },
	{ "RNN two activations", "RNN", 14, { RNN_XWR },
	  { { "activations", ATTR_STRINGS, .n = 2, .strings = le_acts } },
	  .code = GRT_E_ATTR, .msg = "attribute 'activations' has 2 entries, expected 1" },
	{ "RNN layout at opset 7", "RNN", 7, { RNN_XWR }, { { "layout", ATTR_INT, 0 } },
	  .code = GRT_E_ATTR, .msg = "attribute 'layout' needs opset 14 (node has 7)" },
	{ "LSTM sequence_lens past seq_length", "LSTM", 14,
	  { { DT_FLOAT, 3, ge_d111, ge_z }, { DT_FLOAT, 3, le_w, ge_z },
	    { DT_FLOAT, 3, le_w, ge_z }, { .omitted = 1 }, { DT_INT32, 1, ge_d1, ge_badlen } },
	  .code = GRT_E_INDEX, .msg = "sequence_lens[0] = 3 out of range [0, 1]" },
};

START_TEST(gru_errors)
{
	h_expect_case(&gru_errors_table[_i], NULL);
}
END_TEST

START_TEST(gru_opsets)
{
	struct harness h;

	for (int o = 1; o <= 18; o++) {
		h_init(&h, "GRU", o);
		ck_assert_msg(h.n.op != NULL, "no GRU at opset %d", o);
		h_init(&h, "LSTM", o);
		ck_assert_msg(h.n.op != NULL, "no LSTM at opset %d", o);
		h_init(&h, "RNN", o);
		ck_assert_msg(h.n.op != NULL, "no RNN at opset %d", o);
	}

	gru_basic(&h, 13);
	h_output(&h);
	h_attr_int(&h, "layout", 0);
	h_run_err(&h, GRT_E_ATTR, "attribute 'layout' needs opset 14 (node has 13)");
	h_free(&h);

	gru_basic(&h, 1);
	h_output(&h);
	h_attr_int(&h, "linear_before_reset", 1);
	h_run_err(&h, GRT_E_ATTR, "attribute 'linear_before_reset' needs opset 3");
	h_free(&h);

	/* output_sequence: GRU-1 and GRU-3 only */
	gru_basic(&h, 3);
	h_output(&h);
	h_attr_int(&h, "output_sequence", 1);
	h_run_ok(&h);
	h_free(&h);

	gru_basic(&h, 7);
	h_output(&h);
	h_attr_int(&h, "output_sequence", 1);
	h_run_err(&h, GRT_E_ATTR, "'output_sequence' was removed in opset 7");
	h_free(&h);
}
END_TEST

/* This CPU's rnn_gemv (ops/cpu.h) against rnn_gemv_portable, where it has another
 * (AVX2, NEON): widths around its blocks of 64 and 8 columns and its 1 to 7 left, row
 * strides wider than the width; within the fused multiply-adds' rounding. */
START_TEST(rnn_gemv_variant)
{
	static const int ns[] = { 1, 7, 8, 15, 64, 72, 76, 136, 512 }, ks[] = { 1, 3, 128 };
	static float a[128 * 520], x[128], y1[520], y2[520];
	const struct kernels *kc = kernels_for_cpu();

	for (size_t i = 0; i < N_ELEMS(ns); i++)
		for (size_t j = 0; j < N_ELEMS(ks); j++) {
			int n = ns[i], k = ks[j], lda = n + 5;
			rng_state = (uint32_t)(n * 10 + k);
			fill(a, k * lda, 1.0f);
			fill(x, k, 2.0f);
			fill(y1, n + 1, 0.5f);
			memcpy(y2, y1, (size_t)(n + 1) * sizeof(float));
			rnn_gemv_portable(n, k, x, a, lda, y1);
			kc->rnn_gemv(n, k, x, a, lda, y2);
			for (int c = 0; c <= n; c++) {
				float mag = fabsf(y1[c]);
				for (int p = 0; c < n && p < k; p++)
					mag += fabsf(x[p] * a[p * lda + c]);
				ck_assert_msg(fabsf(y2[c] - y1[c]) <= 1e-6f * mag, "n %d k %d: y[%d] %s "
				              "%.9g, portable %.9g", n, k, c, kc->name, (double)y2[c],
				              (double)y1[c]);
			}
		}
}
END_TEST

/* gru_recur_variants, gru_project_variant and rnn_gemv_variant compare this CPU's
 * SIMD kernels with the portable ones: without them they are not in the suite (the log
 * says so), not passes. */
static Suite *suite_gru(void)
{
	const int simd = simd_kernels("gru_recur_variants, gru_project_variant, "
	                              "rnn_gemv_variant") != NULL;
	const struct test_def tests[] = {
		{ "values", gru_values_hand }, { "values", gru_values_activations },
		{ "values", gru_values_reference }, { "values", gru_values_options },
		{ "values", gru_values_fast_path }, { "values", gru_values_fast_vs_general },
		{ "values", gru_recur_strides }, { "values", gru_values_types },
		{ "shapes", gru_shapes },
		{ "errors", gru_errors, 0, N_ELEMS(gru_errors_table) },
		{ "opsets", gru_opsets },
		{ "values", gru_recur_variants }, { "values", gru_project_variant },   /* last */
		{ "values", rnn_gemv_variant },
	};

	return suite_from_table("GRU", tests, N_ELEMS(tests) - (simd ? 0 : 3));
}

int main(void)
{
	Suite *suites[] = { suite_gru() };

	return run_suites(suites, N_ELEMS(suites), 0);
}

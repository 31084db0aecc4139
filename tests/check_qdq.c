/* check_qdq.c - a QDQ-quantized GTCRN built from the shared gtcrn_simple (issue 16):
 * every Conv, ConvTranspose and MatMul with an initializer weight gets that weight
 * quantized per output channel to int8 (symmetric, DequantizeLinear with axis 0 for
 * Conv, 1 for ConvTranspose and MatMul's B) and its input X through QuantizeLinear ->
 * DequantizeLinear (uint8, asymmetric, min/max calibrated by streaming the float model
 * over mix.wav's 611 frames with every X as an extra graph output). The model is moved
 * to opset 13 (per-axis DequantizeLinear; Squeeze / Unsqueeze take axes as an input).
 * Then the float and the QDQ model stream the same frames, caches fed back, and their
 * enhanced spectra are compared. Set GRT_QDQ_DUMP=path to keep the QDQ model. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/grt.h"
#include "tests/check_util.h"
#include "tests/export_style.h"
#include "tests/modelgen.h"
#include "tools/testset.h"

#define MODEL MODELS_DIR "/gtcrn_simple.onnx"
#define N_FRAMES 611
#define FRAME 514                /* enh: 257 bins x (real, imag) */

static char err[512];

/* --- the model ----------------------------------------------------------- */

static Onnx__TensorProto *find_init(const Onnx__GraphProto *g, const char *name)
{
	for (size_t i = 0; i < g->n_initializer; i++)
		if (!strcmp(g->initializer[i]->name, name))
			return g->initializer[i];
	return NULL;
}

static int is_target(const Onnx__GraphProto *g, const Onnx__NodeProto *np)
{
	const Onnx__TensorProto *w;

	if (strcmp(np->op_type, "Conv") && strcmp(np->op_type, "ConvTranspose") &&
	    strcmp(np->op_type, "MatMul"))
		return 0;
	w = np->n_input > 1 ? find_init(g, np->input[1]) : NULL;
	return w && w->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
}

/* gtcrn_simple at opset 13 (IR 7). */
static Onnx__ModelProto *load13(void)
{
	Onnx__ModelProto *mp = es_load(MODEL);

	ck_assert_msg(mp != NULL, "cannot read %s", MODEL);
	es_set_versions(mp, 7, 13);
	ck_assert_int_eq(es_squeeze_axes_as_input(mp), 33);
	return mp;
}

/* The distinct X inputs of the target nodes (names borrowed from mp); returns the count. */
static int target_inputs(const Onnx__ModelProto *mp, const char **names, int max)
{
	const Onnx__GraphProto *g = mp->graph;
	int n = 0;

	for (size_t i = 0; i < g->n_node; i++) {
		const Onnx__NodeProto *np = g->node[i];
		int seen = 0;
		if (!is_target(g, np))
			continue;
		for (int k = 0; k < n; k++)
			seen |= !strcmp(names[k], np->input[0]);
		if (!seen) {
			ck_assert_int_lt(n, max);
			names[n++] = np->input[0];
		}
	}
	return n;
}

/* op_type(a, b, c) -> out, with an axis attribute if axis >= 0. */
static void q_node(struct mg *mg, const char *op_type, const char *a, const char *b,
                   const char *c, const char *out, int64_t axis)
{
	char ins[1600];
	int k;

	snprintf(ins, sizeof(ins), "%s,%s,%s", a, b, c);
	k = mg_node(mg, op_type, out, ins, out);
	if (axis >= 0)
		mg_attr_int(mg, k, "axis", axis);
}

static float init_float(const Onnx__TensorProto *t, size_t i)
{
	float f;

	if (t->n_float_data)
		return t->float_data[i];
	memcpy(&f, t->raw_data.data + 4 * i, 4);
	return f;
}

/* Weight w quantized per channel of axis: int8 [dims], scales [C], zero points [C] (0),
 * and a DequantizeLinear -> name + "::dq" appended to mg's nodes. */
static void quantize_weight(struct mg *mg, const Onnx__TensorProto *w, int axis)
{
	int64_t c_n = w->dims[axis], inner = 1, outer = 1, numel;
	float *scale = xcalloc((size_t)c_n, sizeof(float));
	int8_t *q, *zp = xcalloc((size_t)c_n, 1);
	char nq[512], ns[512], nz[512], nd[512];

	for (int a = 0; a < axis; a++)
		outer *= w->dims[a];
	for (size_t a = (size_t)axis + 1; a < w->n_dims; a++)
		inner *= w->dims[a];
	numel = outer * c_n * inner;
	q = xcalloc((size_t)numel, 1);
	for (int64_t o = 0; o < outer; o++)             /* max |w| per channel */
		for (int64_t c = 0; c < c_n; c++)
			for (int64_t i = 0; i < inner; i++)
				scale[c] = fmaxf(scale[c], fabsf(init_float(w, (size_t)((o * c_n + c) *
				                                                                inner + i))));
	for (int64_t c = 0; c < c_n; c++)
		scale[c] = scale[c] > 0 ? scale[c] / 127.0f : 1.0f;
	for (int64_t o = 0; o < outer; o++)
		for (int64_t c = 0; c < c_n; c++)
			for (int64_t i = 0; i < inner; i++) {
				const int64_t e = (o * c_n + c) * inner + i;
				const float v = nearbyintf(init_float(w, (size_t)e) / scale[c]);
				q[e] = (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
			}
	snprintf(nq, sizeof(nq), "%s::q", w->name);
	snprintf(ns, sizeof(ns), "%s::scale", w->name);
	snprintf(nz, sizeof(nz), "%s::zp", w->name);
	snprintf(nd, sizeof(nd), "%s::dq", w->name);
	mg_init(mg, nq, ONNX__TENSOR_PROTO__DATA_TYPE__INT8, (int)w->n_dims, w->dims, q);
	mg_init(mg, ns, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, &c_n, scale);
	mg_init(mg, nz, ONNX__TENSOR_PROTO__DATA_TYPE__INT8, 1, &c_n, zp);
	q_node(mg, "DequantizeLinear", nq, ns, nz, nd, axis);
	free(scale);
	free(zp);
	free(q);
}

/* An activation's calibrated range. */
struct range {
	const char *name;
	float lo, hi;
};

/* QuantizeLinear -> DequantizeLinear of X (uint8 over r's range, 0 included) appended
 * to mg's nodes; the dequantized value is named X + "::dq". */
static void quantize_activation(struct mg *mg, const struct range *r)
{
	const float lo = fminf(r->lo, 0), hi = fmaxf(r->hi, 0);
	const float scale = hi > lo ? (hi - lo) / 255.0f : 1.0f;
	const float z = nearbyintf(-lo / scale);
	const uint8_t zp = (uint8_t)(z < 0 ? 0 : z > 255 ? 255 : z);
	char nq[512], ns[512], nz[512], nd[512];

	snprintf(nq, sizeof(nq), "%s::q", r->name);
	snprintf(ns, sizeof(ns), "%s::scale", r->name);
	snprintf(nz, sizeof(nz), "%s::zp", r->name);
	snprintf(nd, sizeof(nd), "%s::dq", r->name);
	mg_init(mg, ns, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 0, NULL, &scale);
	mg_init(mg, nz, ONNX__TENSOR_PROTO__DATA_TYPE__UINT8, 0, NULL, &zp);
	q_node(mg, "QuantizeLinear", r->name, ns, nz, nq, -1);
	q_node(mg, "DequantizeLinear", nq, ns, nz, nd, -1);
}

static void set_input(Onnx__NodeProto *np, size_t k, const char *base)
{
	char nm[512];

	snprintf(nm, sizeof(nm), "%s::dq", base);
	free(np->input[k]);
	np->input[k] = xstrdup(nm);
}

/* mp (opset 13) made QDQ with the activation ranges r[n_r]: weights' DequantizeLinear
 * first, each X's Q -> DQ right before its first target; returns the targets' count. */
static int make_qdq(Onnx__ModelProto *mp, const struct range *r, int n_r)
{
	Onnx__GraphProto *g = mp->graph;
	struct mg *mg = mg_wrap(mp);
	Onnx__NodeProto **old = g->node;
	const size_t n0 = g->n_node;
	char *done = xcalloc((size_t)n_r + 1, 1);
	int targets = 0;

	g->node = NULL;             /* mg_node appends to the new list */
	g->n_node = 0;
	for (size_t i = 0; i < n0; i++)
		if (is_target(g, old[i]))
			quantize_weight(mg, find_init(g, old[i]->input[1]),
			                strcmp(old[i]->op_type, "Conv") ? 1 : 0);
	for (size_t i = 0; i < n0; i++) {
		Onnx__NodeProto *np = old[i];
		if (is_target(g, np)) {
			int k = 0;
			while (k < n_r && strcmp(r[k].name, np->input[0]))
				k++;
			ck_assert_msg(k < n_r, "%s: no range for %s", np->name, np->input[0]);
			if (!done[k])
				quantize_activation(mg, &r[k]);
			done[k] = 1;
			set_input(np, 1, np->input[1]);
			set_input(np, 0, np->input[0]);
			targets++;
		}
		GROW(g->node, g->n_node);
		g->node[g->n_node++] = np;
	}
	free(old);
	free(done);
	free(mg);
	return targets;
}

/* --- streaming ---------------------------------------------------------- */

typedef void (*frame_fn)(grt_session *s, const grt_model *m, int t, void *ctx);

/* Streams mix.wav's 611 STFT frames through the model in buf (session flags), caches
 * fed back; fn sees each frame's outputs. */
static void stream(const uint8_t *buf, size_t len, unsigned flags, frame_fn fn, void *ctx)
{
	grt_model *m = NULL;
	grt_session *s = NULL;
	grt_session_opts o = { .flags = flags };
	float *stft;
	int64_t dims[8];
	int nd, T;
	grt_value mix;

	expect_ok("model", err, grt_model_load_buffer(buf, len, &m, err, sizeof(err)));
	expect_ok("session", err, grt_session_create(m, &o, &s, err, sizeof(err)));
	ck_assert_int_eq(ts_load_npy(TESTDATA_DIR "/mix_stft.npy", &stft, dims, &nd), GRT_OK);
	T = (int)dims[2];
	ck_assert_int_eq(T, N_FRAMES);
	ts_stream_start(s, m);
	grt_session_input(s, grt_model_find_input(m, "mix"), &mix);
	for (int t = 0; t < T; t++) {
		ts_stream_frame(mix.data, stft, 257, T, t);
		expect_ok("run", grt_session_errmsg(s), grt_session_run(s));
		fn(s, m, t, ctx);
		ts_stream_feed(s, m);
	}
	free(stft);
	grt_session_free(s);
	grt_model_free(m);
}

/* Calibration: the extra outputs' ranges. */
struct calib {
	struct range *r;
	int n, first;               /* first: index of the first extra output */
};

static void calib_frame(grt_session *s, const grt_model *m, int t, void *ctx)
{
	struct calib *c = ctx;

	(void)m;
	for (int k = 0; k < c->n; k++) {
		grt_value v;
		const float *p;
		grt_session_output(s, c->first + k, &v);
		p = v.data;
		for (int64_t i = 0; i < grt_value_numel(&v); i++) {
			if (t == 0 && i == 0)
				c->r[k].lo = c->r[k].hi = p[0];
			c->r[k].lo = fminf(c->r[k].lo, p[i]);
			c->r[k].hi = fmaxf(c->r[k].hi, p[i]);
		}
	}
}

/* The ranges of the targets' X inputs over mix.wav (r[max], names malloc'ed). */
static int calibrate(struct range *r, int max)
{
	Onnx__ModelProto *mp = load13();
	Onnx__GraphProto *g = mp->graph;
	const char *names[64];
	struct calib c = { r, target_inputs(mp, names, 64), (int)g->n_output };
	uint8_t *buf;
	size_t len;

	ck_assert_int_le(c.n, max);
	g->output = realloc(g->output, (g->n_output + (size_t)c.n) * sizeof(*g->output));
	ck_assert_ptr_nonnull(g->output);
	for (int i = 0; i < c.n; i++) {
		Onnx__ValueInfoProto *vi = xcalloc(1, sizeof(*vi));
		onnx__value_info_proto__init(vi);
		vi->name = xstrdup(names[i]);
		g->output[g->n_output++] = vi;
		r[i].name = xstrdup(names[i]);
	}
	es_pack(mp, &buf, &len);
	protobuf_c_message_free_unpacked(&mp->base, NULL);
	stream(buf, len, 0, calib_frame, &c);
	free(buf);
	return c.n;
}

/* The QDQ model, serialised (*buf malloc'ed); *targets: the nodes quantized. */
static void build_qdq(uint8_t **buf, size_t *len, int *targets)
{
	struct range r[64];
	const char *dump = getenv("GRT_QDQ_DUMP");
	int n = calibrate(r, 64);
	Onnx__ModelProto *mp = load13();

	*targets = make_qdq(mp, r, n);
	es_pack(mp, buf, len);
	protobuf_c_message_free_unpacked(&mp->base, NULL);
	for (int i = 0; i < n; i++)
		free((char *)r[i].name);
	if (dump) {
		FILE *f = fopen(dump, "wb");
		ck_assert_msg(f && fwrite(*buf, 1, *len, f) == *len && !fclose(f), "cannot write %s",
		              dump);
	}
}

/* --- the comparison ----------------------------------------------------- */

/* Each frame's enh into out [611][514]; the planned op_types counted on frame 0. */
struct collect {
	float *out;
	int n_qconv, n_qmatmul, n_dq, n_prelu;
};

static void collect_frame(grt_session *s, const grt_model *m, int t, void *ctx)
{
	struct collect *c = ctx;
	grt_value v;

	grt_session_output(s, grt_model_find_output(m, "enh"), &v);
	ck_assert_int_eq(grt_value_numel(&v), FRAME);
	memcpy(c->out + (size_t)t * FRAME, v.data, FRAME * sizeof(float));
	for (int i = 0; t == 0 && i < grt_session_n_planned(s); i++) {
		grt_node_info ni;
		grt_session_node(s, i, &ni);
		c->n_qconv += !strcmp(ni.op_type, "QLinearConv");
		c->n_qmatmul += !strcmp(ni.op_type, "QLinearMatMul");
		c->n_dq += !strcmp(ni.op_type, "DequantizeLinear");
		c->n_prelu += !strcmp(ni.op_type, "PRelu");
	}
}

static void run_collect(const uint8_t *buf, size_t len, unsigned flags, struct collect *c)
{
	memset(c, 0, sizeof(*c));
	c->out = xcalloc((size_t)N_FRAMES * FRAME, sizeof(float));
	stream(buf, len, flags, collect_frame, c);
}

/* SNR of got against want (n values), dB. */
static double snr_db(const float *want, const float *got, size_t n)
{
	double s = 0, e = 0;

	for (size_t i = 0; i < n; i++) {
		s += (double)want[i] * want[i];
		e += ((double)got[i] - want[i]) * ((double)got[i] - want[i]);
	}
	return e > 0 ? 10 * log10(s / e) : INFINITY;
}

/* The QDQ model against the float model (quantization error: SNR >= 18 dB, measured
 * 18.8 dB with the AVX2 kernels) and against itself with the rewrites off (the QDQ
 * graph on float kernels: the integer sums must give the same model, SNR >= 30 dB,
 * measured 35.5 dB: the streams differ only where a sum rounds to the other side of
 * the next QuantizeLinear's step, and the recurrent caches carry that on). The plan
 * must hold the integer nodes: 11 Conv, 12 MatMul; the 11 ConvTranspose keep their
 * input's DequantizeLinear; the PRelus are epilogues as in the float model. */
START_TEST(qdq_against_float)
{
	const unsigned no_rewrite = GRT_SESSION_NO_FOLD_BN | GRT_SESSION_NO_FUSE;
	uint8_t *qbuf, *fbuf;
	size_t qlen, flen;
	int targets;
	struct collect fl, qd, qf;
	double snr, snr_self;

	build_qdq(&qbuf, &qlen, &targets);
	ck_assert_int_eq(targets, 34);
	fbuf = read_file(MODEL, &flen);
	ck_assert_ptr_nonnull(fbuf);
	run_collect(fbuf, flen, 0, &fl);
	run_collect(qbuf, qlen, 0, &qd);
	run_collect(qbuf, qlen, no_rewrite, &qf);
	snr = snr_db(fl.out, qd.out, (size_t)N_FRAMES * FRAME);
	snr_self = snr_db(qf.out, qd.out, (size_t)N_FRAMES * FRAME);
	printf("QDQ GTCRN over mix.wav (611 frames): SNR %.2f dB against the float model, "
	       "%.2f dB against its own float-kernel run (%.2f dB against float); planned "
	       "QLinearConv %d, QLinearMatMul %d, DequantizeLinear %d\n", snr, snr_self,
	       snr_db(fl.out, qf.out, (size_t)N_FRAMES * FRAME), qd.n_qconv, qd.n_qmatmul,
	       qd.n_dq);
	ck_assert_int_eq(qd.n_qconv, 11);
	ck_assert_int_eq(qd.n_qmatmul, 12);
	ck_assert_int_eq(qd.n_dq, 11);
	ck_assert_msg(qd.n_prelu == fl.n_prelu, "%d PRelu nodes planned, %d in the float model "
	              "(the integer Convs take them as epilogues)", qd.n_prelu, fl.n_prelu);
	ck_assert_int_eq(qf.n_qconv + qf.n_qmatmul, 0);
	ck_assert_msg(snr >= 18, "SNR %.2f dB < 18 dB against the float model", snr);
	ck_assert_msg(snr_self >= 30, "SNR %.2f dB < 30 dB against the float kernels", snr_self);
	free(fl.out);
	free(qd.out);
	free(qf.out);
	free(fbuf);
	free(qbuf);
}
END_TEST

/* A small QDQ graph: X [1,4,5,6] -> Q/DQ (uint8) -> Conv (int8 W [6,2,3,3] per channel,
 * float B, group 2, pads 1, strides 1x2) -> BatchNormalization -> Y; A [2,3,8] -> Q/DQ
 * -> MatMul (int8 B [8,5] per column) -> Z. exact: weights that are int8 times their
 * scale (the rewrite applies), else float weights that are not (it must not). */
static void small_model(int exact, uint8_t **buf, size_t *len)
{
	static const int64_t xd[4] = { 1, 4, 5, 6 }, wd[4] = { 6, 2, 3, 3 }, ad[3] = { 2, 3, 8 };
	static const int64_t bd[2] = { 8, 5 }, c6 = 6, c5 = 5, pads[4] = { 1, 1, 1, 1 };
	static const int64_t strides[2] = { 1, 2 };
	struct mg *mg = mg_new(7, 13);
	const float sx = 0.05f, sa = 0.03f;
	const uint8_t zx = 128, za = 100;
	int8_t wq[108], bq[40], z8[6] = { 0 };
	float ws[6], bs[5], bias[6], wf[108], bf[40], bn[24];
	int k;

	for (int i = 0; i < 108; i++)
		wq[i] = (int8_t)((i * 37) % 255 - 127);
	for (int i = 0; i < 40; i++)
		bq[i] = (int8_t)((i * 53) % 255 - 127);
	for (int m = 0; m < 6; m++)     /* a symmetric quantizer's scale: max |q| is 127 */
		wq[m * 18 + m] = (int8_t)(m & 1 ? 127 : -127);
	for (int j = 0; j < 5; j++)
		bq[5 * j + j] = 127;
	for (int m = 0; m < 6; m++) {
		ws[m] = 0.01f + 0.003f * (float)m;
		bias[m] = 0.7f * (float)m - 2.0f;
	}
	for (int j = 0; j < 5; j++)
		bs[j] = 0.02f + 0.004f * (float)j;
	for (int i = 0; i < 108; i++)   /* not exact: every third a quarter step off */
		wf[i] = ((float)wq[i] + (exact || i % 3 ? 0.0f : 0.25f)) * ws[i / 18];
	for (int i = 0; i < 40; i++)
		bf[i] = ((float)bq[i] + (exact || i % 3 ? 0.0f : 0.25f)) * bs[i % 5];
	mg_input(mg, "X", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, xd);
	mg_input(mg, "A", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 3, ad);
	mg_output(mg, "Y", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 0, NULL);
	mg_output(mg, "Z", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 0, NULL);
	mg_init(mg, "sx", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 0, NULL, &sx);
	mg_init(mg, "zx", ONNX__TENSOR_PROTO__DATA_TYPE__UINT8, 0, NULL, &zx);
	mg_init(mg, "sa", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 0, NULL, &sa);
	mg_init(mg, "za", ONNX__TENSOR_PROTO__DATA_TYPE__UINT8, 0, NULL, &za);
	mg_init(mg, "B", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, &c6, bias);
	if (exact) {                /* the weights as a quantizer writes them */
		mg_init(mg, "Wq", ONNX__TENSOR_PROTO__DATA_TYPE__INT8, 4, wd, wq);
		mg_init(mg, "Ws", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, &c6, ws);
		mg_init(mg, "Wz", ONNX__TENSOR_PROTO__DATA_TYPE__INT8, 1, &c6, z8);
		mg_init(mg, "Bq", ONNX__TENSOR_PROTO__DATA_TYPE__INT8, 2, bd, bq);
		mg_init(mg, "Bs", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, &c5, bs);
		mg_init(mg, "Bz", ONNX__TENSOR_PROTO__DATA_TYPE__INT8, 1, &c5, z8);
		q_node(mg, "DequantizeLinear", "Wq", "Ws", "Wz", "W", 0);
		q_node(mg, "DequantizeLinear", "Bq", "Bs", "Bz", "Bm", 1);
	} else {
		mg_init(mg, "W", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4, wd, wf);
		mg_init(mg, "Bm", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 2, bd, bf);
	}
	q_node(mg, "QuantizeLinear", "X", "sx", "zx", "Xq", -1);
	q_node(mg, "DequantizeLinear", "Xq", "sx", "zx", "Xd", -1);
	q_node(mg, "QuantizeLinear", "A", "sa", "za", "Aq", -1);
	q_node(mg, "DequantizeLinear", "Aq", "sa", "za", "Ad", -1);
	for (int m = 0; m < 6; m++) {   /* BatchNormalization: gamma, beta, mean, var */
		bn[m] = 0.6f + 0.15f * (float)m;
		bn[6 + m] = 0.2f * (float)m - 0.5f;
		bn[12 + m] = 0.1f * (float)m;
		bn[18 + m] = 0.5f + 0.25f * (float)m;
	}
	mg_init(mg, "gamma", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, &c6, bn);
	mg_init(mg, "beta", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, &c6, bn + 6);
	mg_init(mg, "mean", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, &c6, bn + 12);
	mg_init(mg, "var", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, &c6, bn + 18);
	k = mg_node(mg, "Conv", "conv", "Xd,W,B", "Yc");
	mg_attr_int(mg, k, "group", 2);
	mg_attr_ints(mg, k, "pads", 4, pads);
	mg_attr_ints(mg, k, "strides", 2, strides);
	mg_node(mg, "BatchNormalization", "bn", "Yc,gamma,beta,mean,var", "Y");
	mg_node(mg, "MatMul", "matmul", "Ad,Bm", "Z");
	mg_pack(mg, buf, len);
}

/* Y and Z of the model in buf (session flags) into y [90], z [30]; the planned integer
 * nodes counted into *n_int. */
static void small_run(const uint8_t *buf, size_t len, unsigned flags, float *y, float *z,
                      int *n_int)
{
	grt_model *m = NULL;
	grt_session *s = NULL;
	grt_session_opts o = { .flags = flags };
	grt_value v;

	expect_ok("model", err, grt_model_load_buffer(buf, len, &m, err, sizeof(err)));
	expect_ok("session", err, grt_session_create(m, &o, &s, err, sizeof(err)));
	for (int i = 0; i < 2; i++) {
		grt_session_input(s, i, &v);
		for (int64_t e = 0; e < grt_value_numel(&v); e++)
			((float *)v.data)[e] = (float)sin(0.7 * (double)e + i) * (i ? 3.0f : 6.0f);
	}
	expect_ok("run", grt_session_errmsg(s), grt_session_run(s));
	grt_session_output(s, 0, &v);
	ck_assert_int_eq(grt_value_numel(&v), 90);
	memcpy(y, v.data, 90 * sizeof(float));
	grt_session_output(s, 1, &v);
	ck_assert_int_eq(grt_value_numel(&v), 30);
	memcpy(z, v.data, 30 * sizeof(float));
	*n_int = 0;
	for (int i = 0; i < grt_session_n_planned(s); i++) {
		grt_node_info ni;
		grt_session_node(s, i, &ni);
		*n_int += !strncmp(ni.op_type, "QLinear", 7);
	}
	grt_session_free(s);
	grt_model_free(m);
}

/* The rewrite on a grouped, padded, strided Conv with a bias (and a BatchNormalization
 * folded into it first) and on a batched MatMul:
 * the same values as the QDQ graph on float kernels (the integer sums are exact, the
 * float ones round: bound 1e-6 of the largest output, measured 1.9e-7; a bias 0.1% off
 * gives 3.6e-5); weights that are not int8 times a scale stay float. */
START_TEST(small_qdq)
{
	float y0[90], z0[30], y1[90], z1[30], mx = 0, d = 0;
	uint8_t *buf;
	size_t len;
	int n0, n1;

	small_model(1, &buf, &len);
	small_run(buf, len, 0, y1, z1, &n1);
	small_run(buf, len, GRT_SESSION_NO_FOLD_BN | GRT_SESSION_NO_FUSE, y0, z0, &n0);
	free(buf);
	ck_assert_int_eq(n1, 2);
	ck_assert_int_eq(n0, 0);
	for (int i = 0; i < 90; i++) {
		mx = fmaxf(mx, fabsf(y0[i]));
		d = fmaxf(d, fabsf(y1[i] - y0[i]));
	}
	for (int i = 0; i < 30; i++) {
		mx = fmaxf(mx, fabsf(z0[i]));
		d = fmaxf(d, fabsf(z1[i] - z0[i]));
	}
	printf("small QDQ graph: max abs diff %g, largest output %g\n", d, mx);
	ck_assert_msg(mx > 1 && d <= 1e-6f * mx, "max abs diff %g (largest output %g)", d, mx);
	small_model(0, &buf, &len);
	small_run(buf, len, 0, y1, z1, &n1);
	free(buf);
	ck_assert_int_eq(n1, 0);
}
END_TEST

int main(void)
{
	const struct test_def tests[] = {
		{ "qdq", small_qdq }, { "qdq", qdq_against_float, .timeout_s = 600 },
	};
	Suite *s = suite_from_table("qdq", tests, N_ELEMS(tests));

	return run_suites(&s, 1, 0);
}

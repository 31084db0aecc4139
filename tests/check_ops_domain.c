/* check_ops_domain.c - the project's own operator domain (org.gtcrn-run): Unfold
 * and MatMulAdd run directly and from a model, the loader's domain checks, and
 * the subgraphs the planner fuses into them (three exporter patterns of nn.Unfold,
 * MatMul followed by Add). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/grt.h"
#include "tests/modelgen.h"
#include "tests/op_harness.h"

static char err[512];

static void h_unfold(struct harness *h)
{
	h_init(h, "Unfold", 1);
	h->n.op = op_lookup_domain(OP_DOMAIN, "Unfold", 1);
	ck_assert_ptr_nonnull(h->n.op);
}

/* Unfold as PyTorch defines it, element by element. */
static void unfold_ref(const double *x, int64_t n, int64_t c, int64_t hh, int64_t ww,
                       const int64_t *k, const int64_t *d, const int64_t *s, const int64_t *p,
                       double *y, int64_t *ho, int64_t *wo)
{
	*ho = (hh + p[0] + p[2] - d[0] * (k[0] - 1) - 1) / s[0] + 1;
	*wo = (ww + p[1] + p[3] - d[1] * (k[1] - 1) - 1) / s[1] + 1;
	for (int64_t b = 0; b < n; b++)
		for (int64_t ch = 0; ch < c; ch++)
			for (int64_t i = 0; i < k[0]; i++)
				for (int64_t j = 0; j < k[1]; j++)
					for (int64_t oh = 0; oh < *ho; oh++)
						for (int64_t ow = 0; ow < *wo; ow++) {
							int64_t r = oh * s[0] + i * d[0] - p[0];
							int64_t q = ow * s[1] + j * d[1] - p[1];
							*y++ = r < 0 || r >= hh || q < 0 || q >= ww ? 0 :
							       x[((b * c + ch) * hh + r) * ww + q];
						}
}

/* X [1, 1, 1, 3] = 1 2 3, kernel (1, 3), pads (0, 1, 0, 1): the three windows. */
START_TEST(unfold_hand)
{
	struct harness h;
	static const int64_t dx[4] = { 1, 1, 1, 3 }, dy[3] = { 1, 3, 3 };
	static const float x[3] = { 1, 2, 3 }, want[9] = { 0, 1, 2, 1, 2, 3, 2, 3, 0 };

	h_unfold(&h);
	h_input(&h, DT_FLOAT, 4, dx, x, 0);
	h_output(&h);
	h_attr_ints(&h, "kernel_shape", 2, (const int64_t[2]){ 1, 3 });
	h_attr_ints(&h, "pads", 4, (const int64_t[4]){ 0, 1, 0, 1 });
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 3, dy, want);
	h_free(&h);
}
END_TEST

/* Every combination of kernel, dilation, stride and pads below, on float, double,
 * int64, uint8 and float16 data, against unfold_ref. */
START_TEST(unfold_vs_reference)
{
	static const int64_t ks[][2] = { { 1, 3 }, { 2, 2 }, { 3, 1 }, { 1, 1 } };
	static const int64_t ds[][2] = { { 1, 1 }, { 2, 3 } };
	static const int64_t ss[][2] = { { 1, 1 }, { 2, 3 } };
	static const int64_t ps[][4] = { { 0, 0, 0, 0 }, { 0, 1, 0, 1 }, { 2, 0, 1, 4 } };
	static const enum dtype dts[] = { DT_FLOAT, DT_DOUBLE, DT_INT64, DT_UINT8, DT_FLOAT16 };
	const int64_t dx[4] = { 2, 3, 5, 7 };
	double x[210], y[2 * 3 * 9 * 64 * 64];
	unsigned char raw[210 * 8];
	int cases = 0;

	for (int i = 0; i < 210; i++)
		x[i] = (double)(i % 97 + 1);      /* exact in every tested type */
	for (size_t t = 0; t < sizeof(dts) / sizeof(dts[0]); t++) {
		for (int i = 0; i < 210; i++) {
			switch (dts[t]) {
			case DT_FLOAT: ((float *)raw)[i] = (float)x[i]; break;
			case DT_DOUBLE: ((double *)raw)[i] = x[i]; break;
			case DT_INT64: ((int64_t *)raw)[i] = (int64_t)x[i]; break;
			case DT_UINT8: raw[i] = (unsigned char)x[i]; break;
			default: ((uint16_t *)raw)[i] = float_to_half((float)x[i]); break;
			}
		}
		for (size_t a = 0; a < 4; a++)
		for (size_t b = 0; b < 2; b++)
		for (size_t c = 0; c < 2; c++)
		for (size_t e = 0; e < 3; e++) {
			struct harness h;
			int64_t ho, wo;
			const struct tensor *yt;

			unfold_ref(x, 2, 3, 5, 7, ks[a], ds[b], ss[c], ps[e], y, &ho, &wo);
			if (ho < 1 || wo < 1)
				continue;
			h_unfold(&h);
			h_input(&h, dts[t], 4, dx, raw, 0);
			h_output(&h);
			h_attr_ints(&h, "kernel_shape", 2, ks[a]);
			h_attr_ints(&h, "dilations", 2, ds[b]);
			h_attr_ints(&h, "strides", 2, ss[c]);
			h_attr_ints(&h, "pads", 4, ps[e]);
			h_run_ok(&h);
			yt = h.out[0];
			ck_assert_int_eq(yt->ndim, 3);
			ck_assert_int_eq(yt->dims[1], 3 * ks[a][0] * ks[a][1]);
			ck_assert_int_eq(yt->dims[2], ho * wo);
			for (int64_t i = 0; i < yt->numel; i++)
				ck_assert_msg(h_value(dts[t], yt->data, i) == y[i],
				              "%s k %lldx%lld d %zu s %zu p %zu: y[%lld] = %g, want %g",
				              dtype_name(dts[t]), (long long)ks[a][0], (long long)ks[a][1],
				              b, c, e, (long long)i, h_value(dts[t], yt->data, i), y[i]);
			h_free(&h);
			cases++;
		}
	}
	ck_assert_int_ge(cases, 200);
}
END_TEST

/* One row per bad Unfold (org.gtcrn-run). */
static const int64_t ue_d3[3] = { 1, 2, 3 }, ue_d4[4] = { 1, 1, 2, 3 };
static const float ue_x[6] = { 0 };

static const struct h_case unfold_errors_table[] = {
	{ "rank 3", "Unfold", 1, { { DT_FLOAT, 3, ue_d3, ue_x } },
	  { { "kernel_shape", ATTR_INTS, .n = 2, .ints = DIMS(1, 1) } },
	  .code = GRT_E_SHAPE, .msg = "rank 3", .domain = OP_DOMAIN },
	{ "no kernel_shape", "Unfold", 1, { { DT_FLOAT, 4, ue_d4, ue_x } },
	  .code = GRT_E_ATTR, .msg = "'kernel_shape' is required", .domain = OP_DOMAIN },
	{ "zero stride", "Unfold", 1, { { DT_FLOAT, 4, ue_d4, ue_x } },
	  { { "kernel_shape", ATTR_INTS, .n = 2, .ints = DIMS(1, 1) },
	    { "strides", ATTR_INTS, .n = 2, .ints = DIMS(1, 0) } },
	  .code = GRT_E_ATTR, .msg = "'strides'[1] = 0", .domain = OP_DOMAIN },
	{ "3 pads", "Unfold", 1, { { DT_FLOAT, 4, ue_d4, ue_x } },
	  { { "kernel_shape", ATTR_INTS, .n = 2, .ints = DIMS(1, 3) },
	    { "pads", ATTR_INTS, .n = 3, .ints = DIMS(0, 0, 0) } },
	  .code = GRT_E_ATTR, .msg = "'pads' has 3 values, want 4", .domain = OP_DOMAIN },
	{ "kernel larger than the input", "Unfold", 1, { { DT_FLOAT, 4, ue_d4, ue_x } },
	  { { "kernel_shape", ATTR_INTS, .n = 2, .ints = DIMS(3, 1) } },
	  .code = GRT_E_SHAPE, .msg = "larger than the padded input (2, 3)", .domain = OP_DOMAIN },
};

START_TEST(unfold_errors)
{
	h_expect_case(&unfold_errors_table[_i], NULL);
}
END_TEST

START_TEST(registry)
{
	ck_assert_ptr_nonnull(op_lookup_domain(OP_DOMAIN, "Unfold", 1));
	ck_assert_ptr_nonnull(op_lookup_domain(OP_DOMAIN, "MatMulAdd", 1));
	ck_assert_ptr_null(op_lookup_domain(OP_DOMAIN, "Unfold", 2));
	ck_assert_ptr_null(op_lookup_domain(OP_DOMAIN, "Conv", 1));
	ck_assert_ptr_null(op_lookup("Unfold", 17));              /* not an ONNX op */
	ck_assert_ptr_null(op_lookup_domain("com.example", "Unfold", 1));
	ck_assert_ptr_eq(op_lookup_domain("", "Conv", 11), op_lookup("Conv", 11));
	ck_assert_ptr_eq(op_lookup_domain("ai.onnx", "Conv", 11), op_lookup("Conv", 11));
}
END_TEST

/* --- MatMulAdd --- */

/* MatMul(A, B) + C against a direct loop: A [2, 3, 4] (batch 2), B [4, 5], and C
 * shaped [5], [3, 1], [1], [2, 3, 5] and [] (scalar). */
START_TEST(matmul_add_broadcast)
{
	static const int64_t da[3] = { 2, 3, 4 }, db[2] = { 4, 5 }, dy[3] = { 2, 3, 5 };
	static const int64_t cd[5][3] = { { 5 }, { 3, 1 }, { 1 }, { 2, 3, 5 }, { 0 } };
	static const int cr[5] = { 1, 2, 1, 3, 0 };
	float a[24], b[20], c[30], want[30];

	for (int i = 0; i < 24; i++)
		a[i] = (float)(i % 7) - 3.0f;
	for (int i = 0; i < 20; i++)
		b[i] = 0.5f * (float)(i % 5) - 1.0f;
	for (int i = 0; i < 30; i++)
		c[i] = 0.25f * (float)i;
	for (int t = 0; t < 5; t++) {
		struct harness h;
		for (int bt = 0; bt < 2; bt++)
			for (int m = 0; m < 3; m++)
				for (int n = 0; n < 5; n++) {
					float v = 0;
					int ci;
					for (int k = 0; k < 4; k++)
						v += a[(bt * 3 + m) * 4 + k] * b[k * 5 + n];
					ci = t == 0 ? n : t == 1 ? m : t == 3 ? (bt * 3 + m) * 5 + n : 0;
					want[(bt * 3 + m) * 5 + n] = v + c[ci];
				}
		h_init(&h, "MatMulAdd", 1);
		h.n.op = op_lookup_domain(OP_DOMAIN, "MatMulAdd", 1);
		h_input(&h, DT_FLOAT, 3, da, a, 0);
		h_input(&h, DT_FLOAT, 2, db, b, 1);
		h_input(&h, DT_FLOAT, cr[t], cd[t], c, 1);
		h_output(&h);
		h_run_ok(&h);
		for (int i = 0; i < 30; i++)
			ck_assert_msg(fabsf(((float *)h.out[0]->data)[i] - want[i]) <= 1e-5f,
			              "C case %d: y[%d] = %g, want %g", t, i,
			              (double)((float *)h.out[0]->data)[i], (double)want[i]);
		h_expect_out(&h, 0, DT_FLOAT, 3, dy, NULL);
		h_free(&h);
	}
}
END_TEST

/* A bias row over more rows than one cache block (the kernel adds it block by
 * block): A [2, 2500, 3] x B [3, 8] + C [8], against a direct loop. */
START_TEST(matmul_add_blocks)
{
	enum { M = 2500, K = 3, N = 8 };
	static const int64_t da[3] = { 2, M, K }, db[2] = { K, N }, dc[1] = { N };
	static float a[2 * M * K];
	float b[K * N], c[N];
	struct harness h;
	const float *y;

	for (int i = 0; i < 2 * M * K; i++)
		a[i] = (float)(i % 11) - 5.0f;
	for (int i = 0; i < K * N; i++)
		b[i] = 0.25f * (float)(i % 5);
	for (int i = 0; i < N; i++)
		c[i] = (float)i;
	h_init(&h, "MatMulAdd", 1);
	h.n.op = op_lookup_domain(OP_DOMAIN, "MatMulAdd", 1);
	h_input(&h, DT_FLOAT, 3, da, a, 0);
	h_input(&h, DT_FLOAT, 2, db, b, 1);
	h_input(&h, DT_FLOAT, 1, dc, c, 1);
	h_output(&h);
	h_run_ok(&h);
	y = h.out[0]->data;
	for (int r = 0; r < 2 * M; r++)
		for (int j = 0; j < N; j++) {
			float v = 0;
			for (int k = 0; k < K; k++)
				v += a[r * K + k] * b[k * N + j];
			ck_assert_msg(fabsf(y[r * N + j] - (v + c[j])) <= 1e-5f, "y[%d][%d] = %g, want %g",
			              r, j, (double)y[r * N + j], (double)(v + c[j]));
		}
	h_free(&h);
}
END_TEST

/* One row per bad MatMulAdd (org.gtcrn-run): A (2,3) x B (3,4) + C. */
static const int64_t me_da[2] = { 2, 3 }, me_db[2] = { 3, 4 };
static const double me_zeros[12] = { 0 };

static const struct h_case matmul_add_errors_table[] = {
	{ "C dim 0 of 3", "MatMulAdd", 1,
	  { { DT_FLOAT, 2, me_da, me_zeros }, { DT_FLOAT, 2, me_db, me_zeros, 1 },
	    { DT_FLOAT, 1, DIMS(3), me_zeros, 1 } },
	  .code = GRT_E_SHAPE, .msg = "C dim 0 = 3 does not broadcast to the product's 4",
	  .domain = OP_DOMAIN },
	{ "C of rank 3", "MatMulAdd", 1,
	  { { DT_FLOAT, 2, me_da, me_zeros }, { DT_FLOAT, 2, me_db, me_zeros, 1 },
	    { DT_FLOAT, 3, DIMS(1, 2, 4), me_zeros, 1 } },
	  .code = GRT_E_SHAPE, .msg = "C has rank 3, more than the product's 2",
	  .domain = OP_DOMAIN },
	{ "double", "MatMulAdd", 1,
	  { { DT_DOUBLE, 2, me_da, me_zeros }, { DT_DOUBLE, 2, me_db, me_zeros, 1 },
	    { DT_DOUBLE, 1, DIMS(4), me_zeros, 1 } },
	  .code = GRT_E_DTYPE, .msg = "double", .domain = OP_DOMAIN },
};

START_TEST(matmul_add_errors)
{
	h_expect_case(&matmul_add_errors_table[_i], NULL);
}
END_TEST

/* --- models --- */

static int load(struct mg *g, grt_model **m)
{
	return mg_load(g, m, err, sizeof(err));
}

/* One Unfold node, `domain` imported at `version` (0: not imported). */
static struct mg *unfold_model(const char *domain, int64_t version)
{
	struct mg *g = mg_new(7, 13);
	int k;

	if (version)
		mg_import(g, domain, version);
	mg_input(g, "x", 1, 4, (const int64_t[4]){ 1, 1, 1, 3 });
	mg_output(g, "y", 1, 3, (const int64_t[3]){ 1, 3, 3 });
	k = mg_node(g, "Unfold", "unfold", "x", "y");
	mg_domain(g, k, domain);
	mg_attr_ints(g, k, "kernel_shape", 2, (const int64_t[2]){ 1, 3 });
	mg_attr_ints(g, k, "pads", 4, (const int64_t[4]){ 0, 1, 0, 1 });
	return g;
}

START_TEST(model_uses_domain)
{
	grt_model *m = NULL;
	grt_session *s = NULL;
	grt_value v;
	static const float x[3] = { 1, 2, 3 }, want[9] = { 0, 1, 2, 1, 2, 3, 2, 3, 0 };
	int rc;

	ck_assert_msg(load(unfold_model(OP_DOMAIN, 1), &m) == GRT_OK, "%s", err);
	ck_assert_msg(grt_session_create(m, NULL, &s, err, sizeof(err)) == GRT_OK, "%s", err);
	grt_session_input(s, 0, &v);
	memcpy(v.data, x, sizeof(x));
	ck_assert_int_eq(grt_session_run(s), GRT_OK);
	grt_session_output(s, 0, &v);
	ck_assert_int_eq(v.ndim, 3);
	ck_assert_int_eq(v.dims[2], 3);
	ck_assert_mem_eq(v.data, want, sizeof(want));
	grt_session_free(s);
	grt_model_free(m);

	rc = load(unfold_model(OP_DOMAIN, 0), &m);
	expect_error("domain not imported", err, rc, GRT_E_INVALID_MODEL, "not in opset_import");
	expect_error("domain not imported", err, rc, GRT_E_INVALID_MODEL, "unfold");
	expect_error("domain opset 2", err, load(unfold_model(OP_DOMAIN, 2), &m), GRT_E_UNSUPPORTED,
	             "opset 2 of domain 'org.gtcrn-run'");
	expect_error("domain com.example", err, load(unfold_model("com.example", 1), &m),
	             GRT_E_UNSUPPORTED, "domain 'com.example' is not supported");
}
END_TEST

/* --- fusion of the exporters' nn.Unfold patterns --- */

#define FX 120            /* X [1, 2, 6, 10] */

/* Runs the model twice (fusing, and with GRT_SESSION_NO_FUSE): checks the
 * fused node count and that both give the same output within tol (0: bit for
 * bit). */
static void run_both_tol(uint8_t *buf, size_t len, int want_fused, int64_t out_numel, float tol)
{
	float x[FX], y[2][4096];

	ck_assert_int_le(out_numel, 4096);
	for (int i = 0; i < FX; i++)
		x[i] = (float)i * 0.25f - 7.0f;
	for (int pass = 0; pass < 2; pass++) {
		grt_session_opts o = { NULL, 0, pass ? GRT_SESSION_NO_FUSE : 0, 0, 0 };
		grt_session_stats st;
		grt_model *m = NULL;
		grt_session *s = NULL;
		grt_value v;

		ck_assert_msg(grt_model_load_buffer(buf, len, &m, err, sizeof(err)) == GRT_OK, "%s", err);
		ck_assert_msg(grt_session_create(m, &o, &s, err, sizeof(err)) == GRT_OK, "%s", err);
		grt_session_stats_get(s, &st);
		ck_assert_int_eq(st.n_nodes_fused, pass ? 0 : want_fused);
		grt_session_input(s, 0, &v);
		memcpy(v.data, x, sizeof(x));
		ck_assert_int_eq(grt_session_run(s), GRT_OK);
		grt_session_output(s, 0, &v);
		memcpy(y[pass], v.data, (size_t)out_numel * sizeof(float));
		grt_session_free(s);
		grt_model_free(m);
	}
	for (int64_t i = 0; i < out_numel; i++)
		ck_assert_msg(fabsf(y[0][i] - y[1][i]) <= tol, "y[%lld]: fused %g, unfused %g",
		              (long long)i, (double)y[0][i], (double)y[1][i]);
}

static void run_both(uint8_t *buf, size_t len, int want_fused, int64_t out_numel)
{
	run_both_tol(buf, len, want_fused, out_numel, 0.0f);
}

/* Pad -> Gather(axis 2) -> Gather(axis 4) -> Transpose -> Reshape, as torch exports
 * nn.Unfold(kernel (2, 3), dilation (2, 1), stride (2, 2), padding (1, 1)): rows
 * idx [2][Ho] = o*2 + i*2, cols [3][Wo] = o*2 + j. `shuffle` breaks the table. */
static void gather_form(int shuffle, int opset)
{
	struct mg *g = mg_new(7, opset);
	int64_t pads[8] = { 0, 0, 1, 1, 0, 0, 1, 1 };
	const int64_t hp = 8, wp = 12, ho = (hp - 2 - 1) / 2 + 1, wo = (wp - 2 - 1) / 2 + 1;
	int64_t rows[2 * 3], cols[3 * 5];    /* [2][ho], [3][wo] */
	uint8_t *buf;
	size_t len;
	int k;

	for (int i = 0; i < 2; i++)
		for (int o = 0; o < ho; o++)
			rows[i * ho + o] = o * 2 + i * 2;
	for (int j = 0; j < 3; j++)
		for (int o = 0; o < wo; o++)
			cols[j * wo + o] = o * 2 + j - (o == 1 && j == 2 ? wp : 0);  /* one < 0 */
	if (shuffle)
		cols[1 * wo + 3] = cols[1 * wo + 2];
	mg_input(g, "x", 1, 4, (const int64_t[4]){ 1, 2, 6, 10 });
	mg_init_typed(g, "rows", 7, 2, (const int64_t[2]){ 2, ho }, rows);
	mg_init_typed(g, "cols", 7, 2, (const int64_t[2]){ 3, wo }, cols);
	mg_init_typed(g, "shape", 7, 1, (const int64_t[1]){ 3 },
	              (const int64_t[3]){ 1, 12, ho * wo });
	if (opset >= 11) {
		mg_init_typed(g, "pads", 7, 1, (const int64_t[1]){ 8 }, pads);
		mg_node(g, "Pad", "pad", "x,pads", "p");
	} else {
		k = mg_node(g, "Pad", "pad", "x", "p");
		mg_attr_ints(g, k, "pads", 8, pads);
	}
	k = mg_node(g, "Gather", "g4", "p,rows", "a");
	mg_attr_int(g, k, "axis", 2);
	k = mg_node(g, "Gather", "g5", "a,cols", "b");
	mg_attr_int(g, k, "axis", 4);
	k = mg_node(g, "Transpose", "tr", "b", "t");
	mg_attr_ints(g, k, "perm", 6, (const int64_t[6]){ 0, 1, 2, 4, 3, 5 });
	mg_node(g, "Reshape", "rs", "t,shape", "y");
	mg_output(g, "y", 1, 3, (const int64_t[3]){ 1, 12, ho * wo });
	mg_pack(g, &buf, &len);
	run_both(buf, len, shuffle ? 0 : 4, 12 * ho * wo);
	free(buf);
}

START_TEST(fuse_gather_form)
{
	gather_form(0, 13);
	gather_form(0, 10);
	gather_form(1, 13);
}
END_TEST

/* nn.Unfold as torch's dynamo exporter writes it (im2col's padded[:, :, rows,
 * cols]) on X [1, 2, 6, 10]: Pad -> Transpose [2,3,0,1] -> GatherND of the pairs
 * [kh][Ho][kw][Wo][2] = (oh*sh + i*dh, ow*sw + j*dw) -> Transpose [4,5,0,2,1,3]
 * (form 0) or [4,5,0,1,2,3] then [0,1,2,4,3,5] (form 1) -> Reshape; form 2
 * breaks a pair. Fused and unfused both match unfold_ref. (1024 pairs or more
 * are narrowed by the loader and widened per session, as in real exports.) */
static void gathernd_form(int form, const int64_t *ks, const int64_t *ds, const int64_t *ss,
                          const int64_t *ps)
{
	struct mg *g = mg_new(7, 18);
	const int64_t hp = 6 + ps[0] + ps[2], wp = 10 + ps[1] + ps[3];
	const int64_t ho = (hp - ds[0] * (ks[0] - 1) - 1) / ss[0] + 1;
	const int64_t wo = (wp - ds[1] * (ks[1] - 1) - 1) / ss[1] + 1;
	const int64_t n_out = 2 * ks[0] * ks[1] * ho * wo, n_pairs = ks[0] * ho * ks[1] * wo * 2;
	int64_t *pairs = malloc((size_t)n_pairs * sizeof(*pairs)), *e = pairs, rh, rw;
	double xd[FX], *want = malloc((size_t)n_out * sizeof(*want));
	float x[FX];
	uint8_t *buf;
	size_t len;
	int k;

	ck_assert(pairs && want);
	for (int64_t i = 0; i < ks[0]; i++)
		for (int64_t oh = 0; oh < ho; oh++)
			for (int64_t j = 0; j < ks[1]; j++)
				for (int64_t ow = 0; ow < wo; ow++) {
					*e++ = oh * ss[0] + i * ds[0];
					*e++ = ow * ss[1] + j * ds[1] - (ow == wo - 1 && j == ks[1] - 1 ? wp : 0);
				}
	if (form == 2)
		pairs[2 * 7 + 1] += 1;
	mg_input(g, "x", 1, 4, (const int64_t[4]){ 1, 2, 6, 10 });
	mg_init_typed(g, "pads", 7, 1, (const int64_t[1]){ 8 },
	              (const int64_t[8]){ 0, 0, ps[0], ps[1], 0, 0, ps[2], ps[3] });
	mg_init_typed(g, "pairs", 7, 5, (const int64_t[5]){ ks[0], ho, ks[1], wo, 2 }, pairs);
	mg_init_typed(g, "shape", 7, 1, (const int64_t[1]){ 3 },
	              (const int64_t[3]){ 1, 2 * ks[0] * ks[1], ho * wo });
	mg_node(g, "Pad", "pad", "x,pads", "p");
	k = mg_node(g, "Transpose", "front", "p", "f");
	mg_attr_ints(g, k, "perm", 4, (const int64_t[4]){ 2, 3, 0, 1 });
	mg_node(g, "GatherND", "gnd", "f,pairs", "gd");
	if (form == 1) {
		k = mg_node(g, "Transpose", "back", "gd", "bk");
		mg_attr_ints(g, k, "perm", 6, (const int64_t[6]){ 4, 5, 0, 1, 2, 3 });
		k = mg_node(g, "Transpose", "tr", "bk", "t");
		mg_attr_ints(g, k, "perm", 6, (const int64_t[6]){ 0, 1, 2, 4, 3, 5 });
	} else {
		k = mg_node(g, "Transpose", "tr", "gd", "t");
		mg_attr_ints(g, k, "perm", 6, (const int64_t[6]){ 4, 5, 0, 2, 1, 3 });
	}
	mg_node(g, "Reshape", "rs", "t,shape", "y");
	mg_output(g, "y", 1, 3, (const int64_t[3]){ 1, 2 * ks[0] * ks[1], ho * wo });
	mg_pack(g, &buf, &len);
	run_both(buf, len, form == 2 ? 0 : form == 1 ? 5 : 4, n_out);

	for (int i = 0; i < FX; i++) {
		x[i] = (float)i * 0.25f - 7.0f;
		xd[i] = x[i];
	}
	unfold_ref(xd, 1, 2, 6, 10, ks, ds, ss, ps, want, &rh, &rw);
	ck_assert_int_eq(rh * rw, ho * wo);
	for (int pass = 0; pass < 2 && form != 2; pass++) {
		grt_session_opts o = { NULL, 0, pass ? GRT_SESSION_NO_FUSE : 0, 0, 0 };
		grt_model *m = NULL;
		grt_session *s = NULL;
		grt_value v;

		ck_assert_msg(grt_model_load_buffer(buf, len, &m, err, sizeof(err)) == GRT_OK, "%s", err);
		ck_assert_msg(grt_session_create(m, &o, &s, err, sizeof(err)) == GRT_OK, "%s", err);
		grt_session_input(s, 0, &v);
		memcpy(v.data, x, sizeof(x));
		ck_assert_int_eq(grt_session_run(s), GRT_OK);
		grt_session_output(s, 0, &v);
		for (int64_t i = 0; i < n_out; i++)
			ck_assert_msg(((float *)v.data)[i] == (float)want[i], "pass %d: y[%lld] = %g, "
			              "unfold_ref %g", pass, (long long)i, (double)((float *)v.data)[i],
			              want[i]);
		grt_session_free(s);
		grt_model_free(m);
	}
	free(buf);
	free(pairs);
	free(want);
}

START_TEST(fuse_gathernd_form)
{
	/* kernel (2, 3), dilation (2, 1), stride (2, 2), padding (1, 1): 180 pairs */
	static const int64_t k1[2] = { 2, 3 }, d1[2] = { 2, 1 }, s1[2] = { 2, 2 };
	static const int64_t p1[4] = { 1, 1, 1, 1 };
	/* kernel (2, 2), padding (2, 4): 1224 pairs */
	static const int64_t k2[2] = { 2, 2 }, one[2] = { 1, 1 }, p2[4] = { 2, 4, 2, 4 };

	for (int form = 0; form < 3; form++) {
		gathernd_form(form, k1, d1, s1, p1);
		gathernd_form(form, k2, one, one, p2);
	}
}
END_TEST

/* Pad -> 3 x Slice(axis 3, start j*2) -> Unsqueeze(2) -> Concat(axis 2), as the
 * einsum export writes nn.Unfold(kernel (1, 3), dilation (1, 2), padding (0, 2)).
 * `bad` makes the second slice start at 3 (not a window). */
static void slice_form(int bad)
{
	struct mg *g = mg_new(7, 13);
	const int64_t wp = 14, wo = wp - 4;
	uint8_t *buf;
	size_t len;

	mg_input(g, "x", 1, 4, (const int64_t[4]){ 1, 2, 6, 10 });
	mg_init_typed(g, "pads", 7, 1, (const int64_t[1]){ 8 },
	              (const int64_t[8]){ 0, 0, 0, 2, 0, 0, 0, 2 });
	mg_init_typed(g, "ax3", 7, 1, (const int64_t[1]){ 1 }, (const int64_t[1]){ 3 });
	mg_init_typed(g, "ax2", 7, 1, (const int64_t[1]){ 1 }, (const int64_t[1]){ 2 });
	mg_node(g, "Pad", "pad", "x,pads", "p");
	for (int j = 0; j < 3; j++) {
		char st[8], en[8], in[32], sl[8], un[8];
		int64_t s0 = j * 2 + (bad && j == 1), e0 = s0 + wo;
		snprintf(st, sizeof(st), "st%d", j);
		snprintf(en, sizeof(en), "en%d", j);
		snprintf(sl, sizeof(sl), "s%d", j);
		snprintf(un, sizeof(un), "u%d", j);
		mg_init_typed(g, st, 7, 1, (const int64_t[1]){ 1 }, &s0);
		mg_init_typed(g, en, 7, 1, (const int64_t[1]){ 1 }, &e0);
		snprintf(in, sizeof(in), "p,%s,%s,ax3", st, en);
		mg_node(g, "Slice", sl, in, sl);
		snprintf(in, sizeof(in), "%s,ax2", sl);
		mg_node(g, "Unsqueeze", un, in, un);
	}
	mg_attr_int(g, mg_node(g, "Concat", "cat", "u0,u1,u2", "y"), "axis", 2);
	mg_output(g, "y", 1, 5, (const int64_t[5]){ 1, 2, 3, 6, wo });
	mg_pack(g, &buf, &len);
	run_both(buf, len, bad ? 0 : 8, 2 * 3 * 6 * wo);
	free(buf);
}

START_TEST(fuse_slice_form)
{
	slice_form(0);
	slice_form(1);
}
END_TEST

/* The shipped exports: every nn.Unfold becomes one Unfold node, and the six
 * that feed a 1x1 Conv or ConvTranspose (encoder 2-4, decoder 0-2) then become
 * (1, 3) Convs; the one at the input stays (a strided (1, 5) Conv reads it). */
/* Add(bias, MatMul(x, w)) with the MatMul's output read by the Add only fuses
 * into MatMulAdd; a second reader keeps them apart. Both agree bit for bit with
 * the unfused plan. */
static void matmul_add_form(int second_reader)
{
	struct mg *g = mg_new(7, 13);
	float w[10 * 4], bias[4];
	uint8_t *buf;
	size_t len;

	for (int i = 0; i < 40; i++)
		w[i] = 0.1f * (float)(i % 9) - 0.3f;
	for (int i = 0; i < 4; i++)
		bias[i] = (float)i - 1.5f;
	mg_input(g, "x", 1, 4, (const int64_t[4]){ 1, 2, 6, 10 });
	mg_init(g, "w", 1, 2, (const int64_t[2]){ 10, 4 }, w);
	mg_init(g, "bias", 1, 1, (const int64_t[1]){ 4 }, bias);
	mg_node(g, "MatMul", "mm", "x,w", "p");
	mg_node(g, "Add", "add", "bias,p", "y");
	mg_output(g, "y", 1, 4, (const int64_t[4]){ 1, 2, 6, 4 });
	if (second_reader) {
		mg_node(g, "Sqrt", "sq", "p", "z");
		mg_output(g, "z", 1, 4, (const int64_t[4]){ 1, 2, 6, 4 });
	}
	mg_pack(g, &buf, &len);
	run_both(buf, len, second_reader ? 0 : 2, 48);
	free(buf);
}

START_TEST(fuse_matmul_add)
{
	matmul_add_form(0);
	matmul_add_form(1);
}
END_TEST

/* Unfold(kernel (1, 3), pads (0, 1, 0, 1), dilation (1, 2)) -> Reshape -> a 1x1
 * Conv (with bias) or ConvTranspose becomes one (1, 3) Conv on the Unfold's
 * input. A grouped 1x1 Conv stays as it is. */
static void unfold_conv_form(int kind)     /* 0: Conv, 1: ConvTranspose, 2: Conv group 2 */
{
	struct mg *g = mg_new(7, 13);
	float w[6 * 5], b[6];
	uint8_t *buf;
	size_t len;
	int k;

	for (int i = 0; i < 30; i++)
		w[i] = 0.1f * (float)(i % 7) - 0.25f;
	for (int i = 0; i < 6; i++)
		b[i] = 0.5f * (float)i;
	mg_import(g, OP_DOMAIN, 1);
	mg_input(g, "x", 1, 4, (const int64_t[4]){ 1, 2, 6, 10 });
	mg_init(g, "w", 1, 4, kind == 1 ? (const int64_t[4]){ 6, 5, 1, 1 } :
	        kind == 2 ? (const int64_t[4]){ 6, 3, 1, 1 } : (const int64_t[4]){ 5, 6, 1, 1 }, w);
	mg_init(g, "b", 1, 1, (const int64_t[1]){ kind == 2 ? 6 : 5 }, b);
	mg_init(g, "shape", 7, 1, (const int64_t[1]){ 4 }, (const int64_t[4]){ 1, 6, 6, 8 });
	k = mg_node(g, "Unfold", "unfold", "x", "u");
	mg_domain(g, k, OP_DOMAIN);
	mg_attr_ints(g, k, "kernel_shape", 2, (const int64_t[2]){ 1, 3 });
	mg_attr_ints(g, k, "dilations", 2, (const int64_t[2]){ 1, 2 });
	mg_attr_ints(g, k, "pads", 4, (const int64_t[4]){ 0, 1, 0, 1 });
	mg_node(g, "Reshape", "rs", "u,shape", "r");
	k = mg_node(g, kind == 1 ? "ConvTranspose" : "Conv", "pw", kind == 1 ? "r,w" : "r,w,b", "y");
	if (kind == 2)
		mg_attr_int(g, k, "group", 2);
	mg_output(g, "y", 1, 4, (const int64_t[4]){ 1, kind == 2 ? 6 : 5, 6, 8 });
	mg_pack(g, &buf, &len);
	run_both_tol(buf, len, kind == 2 ? 0 : 2, (kind == 2 ? 6 : 5) * 48, 1e-5f);
	free(buf);
}

START_TEST(fuse_unfold_conv)
{
	unfold_conv_form(0);
	unfold_conv_form(1);
	unfold_conv_form(2);
}
END_TEST

START_TEST(fuse_in_gtcrn)
{
	static const char *const names[] = { "gtcrn_simple", "gtcrn_offline_op13",
	                                     "gtcrn_offline_einsum_op13" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[1024];
		grt_model *m = NULL;
		grt_session *s = NULL;
		grt_session_opts o = { NULL, 0, GRT_SESSION_PLAN_ONLY, 0, 0 };
		grt_value in;
		grt_node_info ni;
		int unfolds = 0, sfe_convs = 0;

		snprintf(path, sizeof(path), "%s/%s.onnx", MODELS_DIR, names[i]);
		ck_assert_msg(grt_model_load_file(path, &m, err, sizeof(err)) == GRT_OK, "%s", err);
		if (grt_model_n_inputs(m) == 1) {     /* offline: spec (1, 257, T, 2) */
			grt_model_input(m, 0, NULL, &in, NULL);
			in.dims[2] = 50;
			o.inputs = &in;
			o.n_inputs = 1;
		}
		ck_assert_msg(grt_session_create(m, &o, &s, err, sizeof(err)) == GRT_OK, "%s", err);
		for (int k = 0; k < grt_session_n_planned(s); k++) {
			grt_session_node(s, k, &ni);
			unfolds += !strcmp(ni.op_type, "Unfold");
			sfe_convs += !strcmp(ni.op_type, "Conv") && strstr(ni.name, "point_conv1");
			ck_assert_msg(strcmp(ni.op_type, "Pad") || !strstr(ni.name, "unfold"),
			              "%s: %s not fused", names[i], ni.name);
		}
		ck_assert_msg(unfolds == 1, "%s: %d Unfold nodes", names[i], unfolds);
		if (i)      /* the offline exports keep the module path in node names */
			ck_assert_msg(sfe_convs == 6, "%s: %d point_conv1 Convs", names[i], sfe_convs);
		grt_session_free(s);
		grt_model_free(m);
	}
}
END_TEST

static Suite *domain_suite(void)
{
	const struct test_def tests[] = {
		{ "Unfold", unfold_hand }, { "Unfold", unfold_vs_reference },
		{ "Unfold", unfold_errors, 0, N_ELEMS(unfold_errors_table) },
		{ "Unfold", registry }, { "Unfold", matmul_add_broadcast },
		{ "Unfold", matmul_add_errors, 0, N_ELEMS(matmul_add_errors_table) },
		{ "Unfold", matmul_add_blocks }, { "Unfold", model_uses_domain },
		{ "fusion", fuse_gather_form, .timeout_s = 60 }, { "fusion", fuse_slice_form },
		{ "fusion", fuse_gathernd_form, .timeout_s = 60 },
		{ "fusion", fuse_matmul_add }, { "fusion", fuse_unfold_conv },
		{ "fusion", fuse_in_gtcrn },
	};

	return suite_from_table("org.gtcrn-run", tests, N_ELEMS(tests));
}

int main(void)
{
	Suite *suites[] = { domain_suite() };

	return run_suites(suites, N_ELEMS(suites), 0);
}

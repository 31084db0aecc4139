/* check_exports_style.c - the shared opset-17 GTCRN export rewritten the way
 * newer exporters write it (tests/export_style.c) runs and matches the
 * original, both run by our runtime on the same shared test input. Set
 * GRT_EXPORT_STYLE_DUMP=dir to keep the rewritten files (to run them in
 * ONNX Runtime). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/grt.h"
#include "tests/check_util.h"
#include "tests/export_style.h"

#define MODEL MODELS_DIR "/gtcrn_offline_op17.onnx"
#define INPUT TESTDATA_DIR "/gtcrn_offline_op17/test_data_set_1/input_0.pb"

static char err[512];

/* A session of m that has run on the shared input (free it). */
static grt_session *run_on_input(grt_model *m)
{
	grt_value in, v;
	grt_session_opts o = { NULL, 1, 0, 0, 0 };
	grt_session *s = NULL;

	expect_ok("input", err, grt_tensor_load_file(INPUT, &in, NULL, err, sizeof(err)));
	v = in;
	v.data = NULL;
	o.inputs = &v;
	expect_ok("session", err, grt_session_create(m, &o, &s, err, sizeof(err)));
	grt_session_input(s, 0, &v);
	memcpy(v.data, in.data, (size_t)grt_value_numel(&in) * sizeof(float));
	expect_ok("run", grt_session_errmsg(s), grt_session_run(s));
	grt_value_free(&in);
	return s;
}

/* Runs m on the shared input; returns output 0 (malloc'ed, *n elements). */
static float *run_model(grt_model *m, int64_t *n)
{
	grt_session *s = run_on_input(m);
	grt_value v;
	float *out;

	grt_session_output(s, 0, &v);
	*n = grt_value_numel(&v);
	out = malloc((size_t)*n * sizeof(float));
	ck_assert_ptr_nonnull(out);
	memcpy(out, v.data, (size_t)*n * sizeof(float));
	grt_session_free(s);
	return out;
}

/* Loads the rewritten mp (freed), runs it and the original, compares. */
static void compare(const char *what, Onnx__ModelProto *mp, double tol)
{
	grt_model *orig = NULL, *m = NULL;
	const char *dump = getenv("GRT_EXPORT_STYLE_DUMP");
	float *want, *got;
	int64_t n_want, n_got;
	double max_abs = 0;
	uint8_t *buf;
	size_t len;

	es_pack(mp, &buf, &len);
	protobuf_c_message_free_unpacked(&mp->base, NULL);
	if (dump) {
		char path[1024];
		FILE *f;
		snprintf(path, sizeof(path), "%s/%s.onnx", dump, what);
		f = fopen(path, "wb");
		ck_assert_msg(f && fwrite(buf, 1, len, f) == len && !fclose(f), "cannot write %s", path);
	}
	expect_ok(what, err, grt_model_load_buffer(buf, len, &m, err, sizeof(err)));
	free(buf);
	expect_ok("original", err, grt_model_load_file(MODEL, &orig, err, sizeof(err)));
	want = run_model(orig, &n_want);
	got = run_model(m, &n_got);
	ck_assert_int_eq(n_got, n_want);
	for (int64_t i = 0; i < n_want; i++) {
		/* not fmax(): a NaN must fail, and GCC 12's aarch64 vectoriser
		 * crashes on that reduction (internal compiler error) */
		double d = fabs((double)got[i] - want[i]);
		if (!(d <= max_abs))
			max_abs = d;
	}
	printf("%s: max abs diff %.3g over %lld values (bound %.0e)\n", what, max_abs,
	       (long long)n_want, tol);
	ck_assert_msg(max_abs <= tol, "%s: max abs diff %g > %g", what, max_abs, tol);
	free(want);
	free(got);
	grt_model_free(orig);
	grt_model_free(m);
}

static Onnx__ModelProto *load(void)
{
	Onnx__ModelProto *mp = es_load(MODEL);

	ck_assert_msg(mp != NULL, "cannot read %s", MODEL);
	return mp;
}

/* b: opset 21, IR 10, with every operator form that changed after 17
 * (in this graph: ReduceMean's axes, an input from 18). */
START_TEST(opset21_forms)
{
	Onnx__ModelProto *mp = load();

	es_set_versions(mp, 10, 21);
	ck_assert_int_eq(es_reduce_axes_as_input(mp), 6);
	compare("opset21_forms", mp, 1e-5);
}
END_TEST

/* a: the same, and each LayerNormalization a call of pkg.local:LayerNorm,
 * which calls pkg.local:LayerNorm_impl (opset 17) with epsilon and axis by
 * reference; epsilon is the inner function's default, left out at the calls. */
START_TEST(local_functions)
{
	Onnx__ModelProto *mp = load();

	es_set_versions(mp, 10, 21);
	ck_assert_int_eq(es_reduce_axes_as_input(mp), 6);
	ck_assert_int_eq(es_wrap_in_functions(mp, "LayerNormalization", "pkg.local", "LayerNorm",
	                                      17, "epsilon"), 4);
	compare("local_functions", mp, 1e-5);
}
END_TEST

/* The values of the index tensors names[n] for the shared input: the original
 * with them as extra outputs, run by our runtime (ints: n * 1024 values). */
static void index_values(const char **names, int n, struct es_value *vals, int64_t *ints)
{
	Onnx__ModelProto *mp = load();
	grt_model *m = NULL;
	grt_session *s;
	grt_value v;
	uint8_t *buf;
	size_t len;

	mp->graph->output = realloc(mp->graph->output, (mp->graph->n_output + (size_t)n) *
	                            sizeof(*mp->graph->output));
	ck_assert_ptr_nonnull(mp->graph->output);
	for (int i = 0; i < n; i++) {
		Onnx__ValueInfoProto *vi = calloc(1, sizeof(*vi));
		ck_assert_ptr_nonnull(vi);
		onnx__value_info_proto__init(vi);
		vi->name = strdup(names[i]);
		mp->graph->output[mp->graph->n_output++] = vi;
	}
	es_pack(mp, &buf, &len);
	protobuf_c_message_free_unpacked(&mp->base, NULL);
	expect_ok("indices", err, grt_model_load_buffer(buf, len, &m, err, sizeof(err)));
	free(buf);
	s = run_on_input(m);
	for (int i = 0; i < n; i++) {
		grt_session_output(s, 1 + i, &v);
		ck_assert_int_eq(v.dtype, GRT_INT64);
		ck_assert_int_le(grt_value_numel(&v), 1024);
		vals[i].name = names[i];
		vals[i].ndim = v.ndim;
		memcpy(vals[i].dims, v.dims, sizeof(vals[i].dims));
		memcpy(ints + 1024 * i, v.data, (size_t)grt_value_numel(&v) * sizeof(int64_t));
		vals[i].data = ints + 1024 * i;
	}
	grt_session_free(s);
	grt_model_free(m);
}

/* c: each nn.Unfold (Pad -> Gather -> Gather) written the way dynamo
 * decomposes it, a constant index tensor and GatherND, for this input's T.
 * Needs GatherND in the registry (issue 15, wt-gather). */
START_TEST(unfold_as_gathernd)
{
	Onnx__ModelProto *mp = load();
	const char *names[32];
	struct es_value vals[32];
	int64_t *ints = malloc(32 * 1024 * sizeof(int64_t));
	int n = es_unfold_index_names(mp, names, 32);

	ck_assert_int_eq(n, 14);
	ck_assert_ptr_nonnull(ints);
	index_values(names, n, vals, ints);
	ck_assert_int_eq(es_unfold_as_gathernd(mp, vals, n), 7);
	free(ints);
	compare("unfold_gathernd", mp, 1e-5);
}
END_TEST

/* d: float16 weights and activations, float at the graph's boundaries
 * (onnxconverter-common's keep_io_types). ONNX Runtime 1.30 runs the same
 * rewrite of this file on this input 0.0294 off the original (its level
 * 'basic' graph optimizations: at 'all' it crashes on this model): the bound
 * is twice that. Needs float16 kernels (issue 15, wt-f16). */
START_TEST(float16)
{
	Onnx__ModelProto *mp = load();

	ck_assert_int_eq(es_to_float16(mp), 19);     /* 9 Constant, 10 ConstantOfShape */
	printf("float16: ONNX Runtime 1.30 gives a max abs diff of 0.0294 here\n");
	compare("float16", mp, 0.06);
}
END_TEST

int main(void)
{
	const struct test_def tests[] = {
		{ "opsets", opset21_forms }, { "functions", local_functions },
		{ "unfold", unfold_as_gathernd }, { "float16", float16 },
	};
	Suite *s = suite_from_table("exports_style", tests, N_ELEMS(tests));

	return run_suites(&s, 1, 0);
}

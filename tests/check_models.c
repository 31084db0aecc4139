/* check_models.c - the seven GTCRN exports against their golden data sets,
 * and full 611-frame streaming runs fed back through their own caches. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ops/cpu.h"
#include "runtime/internal.h"
#include "tests/check_util.h"
#include "tests/testset.h"

#define ATOL 1e-4
#define RTOL 1e-3

static const char *const models[] = {
	"gtcrn_simple", "gtcrn_stream", "gtcrn_stream_vctk", "gtcrn_offline_op11",
	"gtcrn_offline_op13", "gtcrn_offline_op17", "gtcrn_offline_einsum_op13",
};
#define N_MODELS ((int)(sizeof(models) / sizeof(models[0])))

static grt_model *load(const char *name)
{
	char path[1024], err[512];
	grt_model *m = NULL;
	int rc;

	snprintf(path, sizeof(path), "%s/%s.onnx", MODELS_DIR, name);
	rc = grt_model_load_file(path, &m, err, sizeof(err));
	ck_assert_msg(rc == GRT_OK, "%s: %s", path, err);
	return m;
}

/* Every data set of model _i, atol 1e-4 + rtol 1e-3 per element. */
START_TEST(golden_sets)
{
	const char *name = models[_i];
	grt_model *m = load(name);
	char dir[1024], *sets[32];
	int n;

	snprintf(dir, sizeof(dir), "%s/%s", TESTDATA_DIR, name);
	n = ts_list_sets(dir, sets, 32);
	ck_assert_msg(n >= 3, "%s: only %d data sets", dir, n);
	for (int k = 0; k < n; k++) {
		char set[2048];
		struct ts_result r;
		int ok;
		snprintf(set, sizeof(set), "%s/%s", dir, sets[k]);
		ok = ts_run_set(m, set, ATOL, RTOL, &r);
		ck_assert_msg(r.status == GRT_OK, "%s: %s", set, r.err);
		for (int o = 0; o < r.n_out; o++) {
			printf("%s/%s %-16s max_abs %.3g max_rel %.3g %s\n", name, sets[k],
			       r.out[o].name, r.out[o].max_abs, r.out[o].max_rel,
			       r.out[o].pass ? "ok" : "FAIL");
			ck_assert_msg(r.out[o].pass, "%s output '%s': %s (rerun: tools/grt-conform --atol 1e-4 -m %s/%s.onnx %s)",
			              set, r.out[o].name, r.out[o].msg, MODELS_DIR, name, set);
		}
		ck_assert(ok);
	}
	ts_free_list(sets, n);
	grt_model_free(m);
}
END_TEST

static int find_output(const grt_model *m, const char *in_name)
{
	char want[256];

	snprintf(want, sizeof(want), "%s_out", in_name);
	return grt_model_find_output(m, want);
}

/* Streams all 611 frames of mix_stft.npy through a streaming model, caches
 * fed back from the matching *_out outputs. DNS3 models: every frame's enh
 * against mix_enh_gtcrn_simple_spec.npy. Every model: all outputs at the
 * frames of its golden data sets. flags: GRT_SESSION_*. Returns the sum of every
 * frame's enh (a fingerprint of the rounding). */
static double stream_run(const char *name, int check_spec, unsigned flags)
{
	static const int set_frames[] = { 0, 1, 10, 100, 300, 610 };
	grt_model *m = load(name);
	grt_session *s = NULL;
	char err[512], path[1024];
	float *stft, *gold = NULL;
	int64_t dims[8], gdims[8];
	int nd, gnd, T, n_in = grt_model_n_inputs(m), set = 0;
	grt_value mix, enh;
	double worst = 0, sum = 0;
	grt_session_opts opts = { .flags = flags };

	ck_assert_int_eq(ts_load_npy(TESTDATA_DIR "/mix_stft.npy", &stft, dims, &nd), GRT_OK);
	ck_assert_int_eq(nd, 4);
	T = (int)dims[2];
	ck_assert_int_eq(T, 611);
	if (check_spec) {
		ck_assert_int_eq(ts_load_npy(TESTDATA_DIR "/mix_enh_gtcrn_simple_spec.npy", &gold,
		                             gdims, &gnd), GRT_OK);
		ck_assert_int_eq(gdims[2], T);
	}
	ck_assert_int_eq(grt_session_create(m, &opts, &s, err, sizeof(err)), GRT_OK);
	ck_assert_ptr_eq(s->exec.kern, flags & GRT_SESSION_PORTABLE ? &kernels_portable
	                                                             : kernels_for_cpu());
	for (int i = 0; i < n_in; i++) {          /* caches start at zero */
		grt_value v;
		grt_session_input(s, i, &v);
		memset(v.data, 0, (size_t)grt_value_numel(&v) * grt_dtype_size(v.dtype));
	}
	grt_session_input(s, grt_model_find_input(m, "mix"), &mix);
	for (int t = 0; t < T; t++) {
		float *x = mix.data;
		for (int f = 0; f < 257; f++) {
			x[2 * f] = stft[((int64_t)f * T + t) * 2];
			x[2 * f + 1] = stft[((int64_t)f * T + t) * 2 + 1];
		}
		ck_assert_msg(grt_session_run(s) == GRT_OK, "%s frame %d: %s", name, t,
		              grt_session_errmsg(s));
		grt_session_output(s, grt_model_find_output(m, "enh"), &enh);
		for (int64_t k = 0; k < grt_value_numel(&enh); k++)
			sum += ((const float *)enh.data)[k];
		if (check_spec) {
			const float *y = enh.data;
			for (int f = 0; f < 257; f++)
				for (int c = 0; c < 2; c++) {
					double g = gold[((int64_t)f * T + t) * 2 + c], d = fabs(y[2 * f + c] - g);
					if (d > worst)
						worst = d;
					ck_assert_msg(d <= ATOL + RTOL * fabs(g),
					              "%s frame %d bin %d.%d: got %.7g expected %.7g", name, t,
					              f, c, y[2 * f + c], g);
				}
		}
		if (set < 6 && set_frames[set] == t) {      /* compare with the golden set */
			for (int o = 0; o < grt_model_n_outputs(m); o++) {
				grt_value got, exp;
				struct ts_output cmp;
				int64_t n;
				double mx = 0;
				snprintf(path, sizeof(path), "%s/%s/test_data_set_%d/output_%d.pb",
				         TESTDATA_DIR, name, set, o);
				ck_assert_int_eq(grt_tensor_load_file(path, &exp, NULL, err, sizeof(err)), GRT_OK);
				grt_session_output(s, o, &got);
				n = grt_value_numel(&exp);
				ck_assert_int_eq(n, grt_value_numel(&got));
				for (int64_t k = 0; k < n; k++) {
					double g = ((float *)got.data)[k], e = ((float *)exp.data)[k];
					if (fabs(g - e) > mx)
						mx = fabs(g - e);
					ck_assert_msg(fabs(g - e) <= ATOL + RTOL * fabs(e),
					              "%s frame %d output %d element %lld: got %.7g expected %.7g",
					              name, t, o, (long long)k, g, e);
				}
				(void)cmp;
				printf("%s stream frame %3d output %d max_abs %.3g\n", name, t, o, mx);
				grt_value_free(&exp);
			}
			set++;
		}
		for (int i = 0; i < n_in; i++) {          /* feed the caches back */
			const char *in_name;
			grt_value in, out;
			int o;
			grt_model_input(m, i, &in_name, NULL, NULL);
			o = find_output(m, in_name);
			if (o < 0)
				continue;
			grt_session_input(s, i, &in);
			grt_session_output(s, o, &out);
			memcpy(in.data, out.data, (size_t)grt_value_numel(&in) * sizeof(float));
		}
	}
	ck_assert_int_eq(set, 6);
	if (check_spec)
		printf("%s (%s kernels): 611 streamed frames, enh max abs diff %.3g vs "
		       "mix_enh_gtcrn_simple_spec.npy\n", name, s->exec.kern->name, worst);
	free(stft);
	free(gold);
	grt_session_free(s);
	grt_model_free(m);
	return sum;
}

START_TEST(stream_simple) { stream_run("gtcrn_simple", 1, 0); }
END_TEST
START_TEST(stream_unsimplified) { stream_run("gtcrn_stream", 1, 0); }
END_TEST
START_TEST(stream_vctk) { stream_run("gtcrn_stream_vctk", 0, 0); }
END_TEST

/* GRT_SESSION_PORTABLE: the session runs the portable kernel table (ops/cpu.h) and
 * meets the same goldens; where this CPU has a faster table (AVX2), the two runs
 * round differently (fused multiply-adds), so the portable kernels really ran. */
START_TEST(stream_portable)
{
	double fast = stream_run("gtcrn_simple", 1, 0);
	double portable = stream_run("gtcrn_simple", 1, GRT_SESSION_PORTABLE);

	printf("gtcrn_simple enh sum: %s %.17g, portable %.17g\n", kernels_for_cpu()->name,
	       fast, portable);
	if (kernels_for_cpu() != &kernels_portable)
		ck_assert_msg(fast != portable, "%s and portable kernels gave the same sums",
		              kernels_for_cpu()->name);
}
END_TEST

int main(void)
{
	const struct test_def tests[] = {
		{ "golden", golden_sets, 0, N_MODELS, 600 },
		{ "stream", stream_simple, .timeout_s = 600 }, { "stream", stream_unsimplified },
		{ "stream", stream_vctk }, { "stream", stream_portable },
	};
	Suite *s = suite_from_table("models", tests, N_ELEMS(tests));

	return run_suites(&s, 1, 0);
}

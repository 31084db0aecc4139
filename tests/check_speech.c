/* check_speech.c - the speech models beyond GTCRN, run from their files as
 * ../shared/models/README.md describes: Silero VAD v5 (an If on the sample
 * rate around nested Ifs, LSTMs and Constant weights inside the branches)
 * and DNSMOS P.835. Goldens from ONNX Runtime 1.30 (../shared/testdata:
 * single windows as ONNX data sets, and Silero's probability for every whole
 * window of mix.wav with the state carried), atol 1e-4 + rtol 1e-3. Silero's
 * window loop must not allocate (tools/alloc_count.c counts the process's
 * heap calls). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/grt.h"
#include "tests/check_audio.h"
#include "tests/check_util.h"
#include "tests/testset.h"
#include "tools/alloc_count.h"

#define ATOL GOLDEN_ATOL
#define RTOL GOLDEN_RTOL

static const struct golden_suite suites[] = {
	{ "silero_vad", "silero_vad/sets_16k", 5 },
	{ "silero_vad", "silero_vad/sets_8k", 4 },
	{ "dnsmos_sig_bak_ovr", "dnsmos/sets_mix", 1 },
	{ "dnsmos_sig_bak_ovr", "dnsmos/sets_enh", 1 },
};
#define N_VAD_SUITES 2      /* suites[0..2) are Silero's, then DNSMOS's */

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

/* Every data set of suites[i], with the kernels `flags` choose (0: the
 * fastest the CPU has). */
static void golden_sets(int i, unsigned flags)
{
	grt_model *m = load(suites[i].model);
	const char *table = flags & GRT_SESSION_PORTABLE ? " [portable]" : "";
	char dir[1024], *sets[32];
	int n;

	snprintf(dir, sizeof(dir), "%s/%s", TESTDATA_DIR, suites[i].sets);
	n = ts_list_sets(dir, sets, 32);
	ck_assert_msg(n == suites[i].n_sets, "%s: %d data sets, expected %d", dir, n,
	              suites[i].n_sets);
	for (int k = 0; k < n; k++) {
		char set[2048];
		struct ts_result r;
		int ok;
		snprintf(set, sizeof(set), "%s/%s", dir, sets[k]);
		ok = ts_run_set_flags(m, set, flags, ATOL, RTOL, &r);
		ck_assert_msg(r.status == GRT_OK, "%s: %s", set, r.err);
		for (int o = 0; o < r.n_out; o++) {
			printf("%s/%s%s %-12s max_abs %.3g max_rel %.3g %s\n", suites[i].sets, sets[k],
			       table, r.out[o].name, r.out[o].max_abs, r.out[o].max_rel,
			       r.out[o].pass ? "ok" : "FAIL");
			ck_assert_msg(r.out[o].pass, "%s%s output '%s': %s (rerun: tools/grt-conform "
			              "-m %s/%s.onnx %s)", set, table, r.out[o].name, r.out[o].msg,
			              MODELS_DIR, suites[i].model, set);
		}
		ck_assert(ok);
	}
	ts_free_list(sets, n);
	grt_model_free(m);
}

START_TEST(golden_fastest)
{
	golden_sets(_i, 0);
}
END_TEST

START_TEST(golden_portable)
{
	golden_sets(_i, GRT_SESSION_PORTABLE);
}
END_TEST

/* Silero over a whole file as its README says: windows of `hop` new samples
 * after `ctx` samples of context (zeros before the first), the state fed
 * back, one probability per whole window, against ORT's sequence. The
 * session runs every window without a heap call after the first. */
static void vad_sequence(const char *wav, const char *npy, int64_t sr, int ctx, int hop)
{
	grt_model *m = load("silero_vad");
	grt_session *s = NULL;
	grt_value in, st, srv, out, stn;
	float *x, *gold;
	int64_t gdims[GRT_MAX_DIMS], n_win;
	size_t n;
	int gndim, rc = GRT_OK, w, bad = -1;
	unsigned long a0 = 0, f0 = 0, allocs, frees;
	char err[512];
	double worst = 0;
	const int64_t state_dims[3] = { 2, 1, 128 };

	x = read_wav(wav, &n);
	ck_assert_int_eq(ts_load_npy(npy, &gold, gdims, &gndim), GRT_OK);
	n_win = (int64_t)n / hop;
	ck_assert_int_eq(gdims[0], n_win);
	ck_assert_int_eq(n_win, 305);
	{
		grt_session_opts o = { 0 };
		grt_value shapes[3];
		memset(shapes, 0, sizeof(shapes));
		ck_assert_int_eq(grt_model_n_inputs(m), 3);
		for (int i = 0; i < 3; i++)
			grt_model_input(m, i, NULL, &shapes[i], NULL);
		shapes[grt_model_find_input(m, "input")].dims[0] = 1;
		shapes[grt_model_find_input(m, "input")].dims[1] = ctx + hop;
		memcpy(shapes[grt_model_find_input(m, "state")].dims, state_dims,
		       sizeof(state_dims));        /* (2, 1, 128): batch 1 */
		o.inputs = shapes;
		o.n_inputs = 3;
		rc = grt_session_create(m, &o, &s, err, sizeof(err));
		ck_assert_msg(rc == GRT_OK, "%s", err);
	}
	grt_session_input(s, grt_model_find_input(m, "input"), &in);
	grt_session_input(s, grt_model_find_input(m, "state"), &st);
	grt_session_input(s, grt_model_find_input(m, "sr"), &srv);
	grt_session_output(s, grt_model_find_output(m, "output"), &out);
	grt_session_output(s, grt_model_find_output(m, "stateN"), &stn);
	ck_assert_int_eq(grt_value_numel(&in), ctx + hop);
	ck_assert_int_eq(grt_value_numel(&st), grt_value_numel(&stn));
	memset(in.data, 0, (size_t)(ctx + hop) * sizeof(float));
	memset(st.data, 0, (size_t)grt_value_numel(&st) * sizeof(float));
	*(int64_t *)srv.data = sr;
	/* no ck_assert in the loop: Check's assertions allocate */
	for (w = 0; w < n_win; w++) {
		float *buf = in.data;
		double d;
		if (w == 1) {
			a0 = alloc_count_allocs();
			f0 = alloc_count_frees();
		}
		memmove(buf, buf + hop, (size_t)ctx * sizeof(float));   /* the context */
		memcpy(buf + ctx, x + (size_t)w * (size_t)hop, (size_t)hop * sizeof(float));
		if ((rc = grt_session_run(s)))
			break;
		memcpy(st.data, stn.data, (size_t)grt_value_numel(&st) * sizeof(float));
		d = fabs(((float *)out.data)[0] - gold[w]);
		if (d > worst)
			worst = d;
		if (bad < 0 && d > ATOL + RTOL * fabs(gold[w]))
			bad = w;
	}
	allocs = alloc_count_allocs() - a0;
	frees = alloc_count_frees() - f0;
	ck_assert_msg(rc == GRT_OK, "window %d: %s", w, grt_session_errmsg(s));
	printf("%s: %lld windows, max abs diff %.3g vs %s\n", wav, (long long)n_win, worst, npy);
	ck_assert_msg(bad < 0, "%s window %d: probability differs from %s by more than atol %g + "
	              "rtol %g (max abs diff %.3g)", wav, bad, npy, ATOL, RTOL, worst);
	ck_assert_msg(allocs == 0 && frees == 0, "%lu allocations and %lu frees in %lld windows",
	              allocs, frees, (long long)n_win - 1);
	grt_session_free(s);
	grt_model_free(m);
	free(x);
	free(gold);
}

START_TEST(vad_16k)
{
	vad_sequence(TESTDATA_DIR "/mix.wav", TESTDATA_DIR "/silero_vad/mix_vad_probs_16k.npy",
	             16000, 64, 512);
}
END_TEST

START_TEST(vad_8k)
{
	vad_sequence(TESTDATA_DIR "/silero_vad/mix_8k.wav",
	             TESTDATA_DIR "/silero_vad/mix_vad_probs_8k.npy", 8000, 32, 256);
}
END_TEST

/* "golden" is what a slow target runs (CK_RUN_CASE=golden; Makefile.am's
 * CROSS_TESTS): Silero with both kernel tables, DNSMOS's first data set with
 * the fastest. One DNSMOS window is 19 GMAC (about 55 s of CPU under qemu);
 * "more" holds DNSMOS's second data set, and DNSMOS with the portable kernels
 * (about 20 times the CPU time of AVX2's here: 7 s against 0.3 s). */
int main(void)
{
	const struct test_def defs[] = {
		{ "golden", golden_fastest, 0, N_VAD_SUITES + 1, 300 },
		{ "golden", golden_portable, 0, N_VAD_SUITES },
		{ "golden", vad_16k },
		{ "golden", vad_8k },
		{ "more", golden_fastest, N_VAD_SUITES + 1, (int)N_ELEMS(suites), 300 },
		{ "more", golden_portable, N_VAD_SUITES, (int)N_ELEMS(suites) },
	};
	Suite *s[] = { suite_from_table("speech", defs, N_ELEMS(defs)) };

	return run_suites(s, N_ELEMS(s), 0);
}

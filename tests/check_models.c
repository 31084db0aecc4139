/* check_models.c - the seven GTCRN exports against their golden data sets,
 * and full 611-frame streaming runs fed back through their own caches, each
 * once per kernel table this CPU runs (ops/cpu.h: portable, and AVX2 where the
 * CPU has it; GRT_KERNELS=portable|avx2|auto|all picks them, default all). A
 * float16 GTCRN is tests/check_exports_style's (made at test time from the
 * shared export: no model file is committed). */
#include <check.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#elif defined(__arm__)
#include <sys/auxv.h>
#include <asm/hwcap.h>
#endif
#include <dirent.h>
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

/* the exports in MODELS_DIR and the number of data sets each has in TESTDATA_DIR */
static const struct {
	const char *name;
	int n_sets;
} models[] = {
	{ "gtcrn_simple", 6 }, { "gtcrn_stream", 6 }, { "gtcrn_stream_vctk", 6 },
	{ "gtcrn_offline_op11", 3 }, { "gtcrn_offline_op13", 3 }, { "gtcrn_offline_op17", 3 },
	{ "gtcrn_offline_einsum_op13", 3 },
};
#define N_MODELS ((int)(sizeof(models) / sizeof(models[0])))

/* The kernel tables every model runs with (main: kernels_runnable(), as
 * GRT_KERNELS picks), and the session flags that select table k: a session
 * made with them must run k (asserted where the test has the session). */
static const struct kernels *tables[KERNELS_MAX];
static int n_tables;

static unsigned table_flags(const struct kernels *k)
{
	return k == &kernels_portable ? GRT_SESSION_PORTABLE : 0;
}

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

/* Every data set of model _i with every table, atol 1e-4 + rtol 1e-3 per element. */
START_TEST(golden_sets)
{
	const char *name = models[_i].name;
	grt_model *m = load(name);
	char dir[1024], *sets[32];
	int n, runs = 0;

	snprintf(dir, sizeof(dir), "%s/%s", TESTDATA_DIR, name);
	n = ts_list_sets(dir, sets, 32);
	ck_assert_msg(n == models[_i].n_sets, "%s: %d data sets, expected %d", dir, n,
	              models[_i].n_sets);
	for (int t = 0; t < n_tables; t++)
		for (int k = 0; k < n; k++) {
			char set[2048];
			struct ts_result r;
			int ok;
			snprintf(set, sizeof(set), "%s/%s", dir, sets[k]);
			ok = ts_run_set_flags(m, set, table_flags(tables[t]), ATOL, RTOL, &r);
			ck_assert_msg(r.status == GRT_OK, "%s (%s kernels): %s", set, tables[t]->name,
			              r.err);
			for (int o = 0; o < r.n_out; o++) {
				printf("%s/%s [%s] %-16s max_abs %.3g max_rel %.3g %s\n", name, sets[k],
				       tables[t]->name, r.out[o].name, r.out[o].max_abs,
				       r.out[o].max_rel, r.out[o].pass ? "ok" : "FAIL");
				ck_assert_msg(r.out[o].pass, "%s output '%s' (%s kernels): %s (rerun: "
				              "tools/grt-conform --atol 1e-4 -m %s/%s.onnx %s)", set,
				              r.out[o].name, tables[t]->name, r.out[o].msg, MODELS_DIR,
				              name, set);
			}
			ck_assert(ok);
			runs++;
		}
	ck_assert_int_eq(runs, n_tables * models[_i].n_sets);
	printf("%s: %d data sets with %d kernel tables\n", name, n, n_tables);
	ts_free_list(sets, n);
	grt_model_free(m);
}
END_TEST

/* Every gtcrn_* folder of TESTDATA_DIR is a model above: none goes untested. */
START_TEST(golden_all_listed)
{
	DIR *d = opendir(TESTDATA_DIR);
	struct dirent *e;
	int found = 0;

	ck_assert_msg(d != NULL, "cannot open %s", TESTDATA_DIR);
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "gtcrn_", 6)) {
			int known = 0;
			for (int i = 0; i < N_MODELS; i++)
				known |= !strcmp(e->d_name, models[i].name);
			ck_assert_msg(known, "%s/%s: not in check_models' list", TESTDATA_DIR,
			              e->d_name);
			found++;
		}
	closedir(d);
	ck_assert_int_eq(found, N_MODELS);
}
END_TEST

/* Streams all 611 frames of mix_stft.npy through a streaming model, caches
 * fed back from the matching *_out outputs. DNS3 models: every frame's enh
 * against mix_enh_gtcrn_simple_spec.npy. Every model: all outputs at the
 * frames of its golden data sets, with kernel table kern. Returns the sum of every
 * frame's enh (a fingerprint of the rounding). */
static double stream_run(const char *name, int check_spec, const struct kernels *kern)
{
	static const int set_frames[] = { 0, 1, 10, 100, 300, 610 };
	grt_model *m = load(name);
	grt_session *s = NULL;
	char err[512], path[1024];
	float *stft, *gold = NULL;
	int64_t dims[8], gdims[8];
	int nd, gnd, T, set = 0;
	grt_value mix, enh;
	double worst = 0, sum = 0;
	grt_session_opts opts = { .flags = table_flags(kern) };

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
	ck_assert_msg(s->exec.kern == kern, "%s: the session runs the %s kernels, not %s", name,
	              s->exec.kern->name, kern->name);
	ts_stream_start(s, m);              /* caches start at zero */
	grt_session_input(s, grt_model_find_input(m, "mix"), &mix);
	for (int t = 0; t < T; t++) {
		ts_stream_frame(mix.data, stft, 257, T, t);
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
				printf("%s [%s] stream frame %3d output %d max_abs %.3g\n", name,
				       kern->name, t, o, mx);
				grt_value_free(&exp);
			}
			set++;
		}
		ts_stream_feed(s, m);               /* feed the caches back */
	}
	ck_assert_int_eq(set, 6);
	printf("%s (%s kernels): 611 streamed frames, 6 golden frames", name, kern->name);
	if (check_spec)
		printf(", enh max abs diff %.3g vs mix_enh_gtcrn_simple_spec.npy", worst);
	printf("\n");
	free(stft);
	free(gold);
	grt_session_free(s);
	grt_model_free(m);
	return sum;
}

/* Each model streamed with every table. Where this CPU has a faster table
 * (AVX2, 32-bit NEON), its runs round differently from the portable ones (fused
 * multiply-adds): the sums differ, so each table really ran. Not on aarch64:
 * there the portable table's GNU C vectors are NEON too, and GCC fuses their
 * multiply-adds (-ffp-contract=fast), so the sums may be the same. */
static void stream_tables(const char *name, int check_spec)
{
	double sum[KERNELS_MAX];

	for (int t = 0; t < n_tables; t++) {
		sum[t] = stream_run(name, check_spec, tables[t]);
		printf("%s enh sum with the %s kernels: %.17g\n", name, tables[t]->name, sum[t]);
#ifndef __aarch64__
		for (int u = 0; u < t; u++)
			ck_assert_msg(sum[t] != sum[u], "%s: the %s and %s kernels gave the same sums",
			              name, tables[u]->name, tables[t]->name);
#endif
	}
}

START_TEST(stream_simple) { stream_tables("gtcrn_simple", 1); }
END_TEST
START_TEST(stream_unsimplified) { stream_tables("gtcrn_stream", 1); }
END_TEST
START_TEST(stream_vctk) { stream_tables("gtcrn_stream_vctk", 0); }
END_TEST

/* The tables to run, from kernels_runnable() and GRT_KERNELS (all, the
 * default: every one; auto: kernels_for_cpu()'s; or a table's name), into
 * tables and n_tables; says in the log which run and which do not, and why.
 * Returns 0, or 1 (with the reason on stderr) if the choice cannot run or the
 * tables this CPU runs are not those its features say (AVX2 and FMA on x86:
 * the avx2 table; aarch64, or NEON and VFPv4 on 32-bit ARM: the neon one). */
static int pick_tables(void)
{
	const struct kernels *all[KERNELS_MAX];
	const char *want = getenv("GRT_KERNELS");
	int n_all = kernels_runnable(all), n_cpu = 1;

#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;

	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
	    __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C))
		n_cpu = 2;
	else
		printf("kernel table avx2: not run: this CPU lacks AVX2, FMA or F16C\n");
#elif defined(__aarch64__)
	n_cpu = 2;      /* Advanced SIMD is part of the architecture */
#elif defined(__arm__)
	const unsigned long neon = HWCAP_NEON | HWCAP_VFPv4;

	if ((getauxval(AT_HWCAP) & neon) == neon)
		n_cpu = 2;
	else
		printf("kernel table neon: not run: this CPU lacks NEON or VFPv4\n");
#else
	printf("kernel table avx2: not run: not an x86 build\n");
#endif
	if (n_all != n_cpu || n_all < 1) {
		fprintf(stderr, "check_models: kernels_runnable() gives %d tables, this CPU "
		        "runs %d\n", n_all, n_cpu);
		return 1;
	}
	for (int t = 0; t < n_all; t++)
		if (!want || !*want || !strcmp(want, "all") || !strcmp(want, all[t]->name) ||
		    (!strcmp(want, "auto") && all[t] == kernels_for_cpu()))
			tables[n_tables++] = all[t];
		else
			printf("kernel table %s: not run: GRT_KERNELS=%s\n", all[t]->name, want);
	if (!n_tables) {
		fprintf(stderr, "check_models: GRT_KERNELS=%s: no such table runs on this CPU "
		        "(it runs", want);
		for (int t = 0; t < n_all; t++)
			fprintf(stderr, " %s", all[t]->name);
		fprintf(stderr, ")\n");
		return 1;
	}
	for (int t = 0; t < n_tables; t++)
		printf("kernel table %s: every model runs with it\n", tables[t]->name);
	fflush(stdout);
	return 0;
}

int main(void)
{
	const struct test_def tests[] = {
		{ "golden", golden_sets, 0, N_MODELS, 600 }, { "golden", golden_all_listed },
		{ "stream", stream_simple, .timeout_s = 600 }, { "stream", stream_unsimplified },
		{ "stream", stream_vctk },
	};
	Suite *s;

	if (pick_tables())
		return 1;
	s = suite_from_table("models", tests, N_ELEMS(tests));
	return run_suites(&s, 1, 0);
}

/* wasm_goldens.c - `make check-wasm`'s model goldens in Node: the data sets of every
 * model in TESTDATA (the seven GTCRN exports, Silero VAD at 16 and 8 kHz, DNSMOS)
 * against ONNX Runtime's outputs, with the tolerances of tests/check_models.c, once
 * per kernel table the build runs (kernels_runnable). Built by wasm/build.sh with emcc
 * -sNODERAWFS (the host's files); no Check library: prints one line per output and
 * exits 1 on the first failure. Then the three streaming exports over all of mix_stft.npy,
 * the tables' outputs bit for bit the same, and gtcrn_dnsmos_score_file's refusal (no
 * libsndfile).
 * Usage: node --no-experimental-fetch wasm-goldens.js MODELS_DIR TESTDATA_DIR (emscripten
 * 3.1.6's glue would fetch() the .wasm, which Node cannot from a path) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enhance/gtcrn.h"
#include "ops/cpu.h"
#include "runtime/grt.h"
#include "tests/testset.h"

static const struct golden_suite suites[] = {
	{ "gtcrn_simple", "gtcrn_simple", 6 }, { "gtcrn_stream", "gtcrn_stream", 6 },
	{ "gtcrn_stream_vctk", "gtcrn_stream_vctk", 6 },
	{ "gtcrn_offline_op11", "gtcrn_offline_op11", 3 },
	{ "gtcrn_offline_op13", "gtcrn_offline_op13", 3 },
	{ "gtcrn_offline_op17", "gtcrn_offline_op17", 3 },
	{ "gtcrn_offline_einsum_op13", "gtcrn_offline_einsum_op13", 3 },
	{ "silero_vad", "silero_vad/sets_16k", 5 }, { "silero_vad", "silero_vad/sets_8k", 4 },
	{ "dnsmos_sig_bak_ovr", "dnsmos/sets_mix", 1 }, { "dnsmos_sig_bak_ovr", "dnsmos/sets_enh", 1 },
};
#define N_SUITES ((int)(sizeof(suites) / sizeof(suites[0])))

/* Every set of suite i with table k; returns the number of sets run, -1 on a failure. */
static int run_suite(const char *models, const char *data, int i, const struct kernels *k)
{
	char path[1024], err[512], *sets[32];
	grt_model *m = NULL;
	unsigned flags = k == &kernels_portable ? GRT_SESSION_PORTABLE : 0;
	int n, ok = 1;

	snprintf(path, sizeof(path), "%s/%s.onnx", models, suites[i].model);
	if (grt_model_load_file(path, &m, err, sizeof(err))) {
		printf("FAIL %s: %s\n", path, err);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", data, suites[i].sets);
	n = ts_list_sets(path, sets, 32);
	if (n != suites[i].n_sets) {
		printf("FAIL %s: %d data sets, expected %d\n", path, n, suites[i].n_sets);
		ok = 0;
	}
	for (int s = 0; ok && s < n; s++) {
		char set[2048];
		struct ts_result r;

		snprintf(set, sizeof(set), "%s/%s", path, sets[s]);
		ok = ts_run_set_flags(m, set, flags, GOLDEN_ATOL, GOLDEN_RTOL, &r) &&
		     r.status == GRT_OK;
		if (r.status != GRT_OK)
			printf("FAIL %s [%s]: %s\n", set, k->name, r.err);
		for (int o = 0; o < r.n_out; o++)
			printf("%s %s/%s [%s] %-12s max_abs %.3g max_rel %.3g %s%s\n",
			       r.out[o].pass ? "ok  " : "FAIL", suites[i].sets, sets[s], k->name,
			       r.out[o].name, r.out[o].max_abs, r.out[o].max_rel, r.out[o].msg,
			       r.out[o].pass ? "" : " (tolerance: 1e-4 + 1e-3 |expected|)");
	}
	ts_free_list(sets, n);
	grt_model_free(m);
	return ok ? n : -1;
}

/* Streams the 611 frames of mix_stft.npy through model name once per table, caches fed
 * back: SIMD128 has no fused multiply-add, so the SIMD128 kernels compute the portable
 * ones' sums in the same order, and every output of every frame must agree bit for
 * bit. 1 if so (or with one table). */
static int tables_agree(const char *models, const char *data, const char *name,
                        const struct kernels *const *tables, int n_tables)
{
	char path[1024], err[512];
	grt_model *m = NULL;
	grt_session *s[2] = { NULL, NULL };
	float *stft = NULL;
	int64_t dims[8];
	int nd, ok = 1, t = 0;

	if (n_tables < 2)
		return 1;
	snprintf(path, sizeof(path), "%s/%s.onnx", models, name);
	if (grt_model_load_file(path, &m, err, sizeof(err)) ||
	    (snprintf(path, sizeof(path), "%s/mix_stft.npy", data),
	     ts_load_npy(path, &stft, dims, &nd)) || nd != 4) {
		printf("FAIL %s: %s\n", path, err);
		grt_model_free(m);
		free(stft);
		return 0;
	}
	for (int k = 0; k < 2; k++) {
		grt_session_opts opts = { .flags = k ? 0 : GRT_SESSION_PORTABLE };
		ok = ok && grt_session_create(m, &opts, &s[k], err, sizeof(err)) == GRT_OK;
		if (ok)
			ts_stream_start(s[k], m);
	}
	for (; ok && t < dims[2]; t++) {
		for (int k = 0; ok && k < 2; k++) {
			grt_value mix;
			grt_session_input(s[k], grt_model_find_input(m, "mix"), &mix);
			ts_stream_frame(mix.data, stft, dims[1], dims[2], t);
			ok = grt_session_run(s[k]) == GRT_OK;
			snprintf(err, sizeof(err), "%s", grt_session_errmsg(s[k]));
		}
		for (int o = 0; ok && o < grt_model_n_outputs(m); o++) {
			grt_value a, b;
			grt_session_output(s[0], o, &a);
			grt_session_output(s[1], o, &b);
			for (int64_t i = 0; ok && i < grt_value_numel(&a); i++)
				if (memcmp((float *)a.data + i, (float *)b.data + i, sizeof(float))) {
					snprintf(err, sizeof(err), "frame %d output %d element %lld: "
					         "%.9g [%s], %.9g [%s]", t, o, (long long)i,
					         ((float *)a.data)[i], tables[0]->name,
					         ((float *)b.data)[i], tables[n_tables - 1]->name);
					ok = 0;
				}
		}
		for (int k = 0; ok && k < 2; k++)
			ts_stream_feed(s[k], m);
	}
	printf("%s %s: every output of %d frames bit for bit the same with %s and %s%s%s\n",
	       ok ? "ok  " : "FAIL", name, t, tables[0]->name, tables[n_tables - 1]->name,
	       ok ? "" : ": ", ok ? "" : err);
	grt_session_free(s[0]);
	grt_session_free(s[1]);
	grt_model_free(m);
	free(stft);
	return ok;
}

/* Built without libsndfile: gtcrn_dnsmos_score_file refuses cleanly. 1 if so. */
static int score_file_refused(const char *models, const char *data)
{
	char path[1024], err[512] = "";
	gtcrn_dnsmos_model *m = NULL;
	gtcrn_dnsmos_scores sc;
	int rc;

	snprintf(path, sizeof(path), "%s/dnsmos_sig_bak_ovr.onnx", models);
	if (gtcrn_dnsmos_model_load(path, &m, err, sizeof(err))) {
		printf("FAIL %s: %s\n", path, err);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/mix.wav", data);
	rc = gtcrn_dnsmos_score_file(m, path, &sc, err, sizeof(err));
	gtcrn_dnsmos_model_free(m);
	printf("%s gtcrn_dnsmos_score_file: %d, %s\n", rc == GRT_E_IO &&
	       strstr(err, "not built with libsndfile") ? "ok  " : "FAIL", rc, err);
	return rc == GRT_E_IO && strstr(err, "not built with libsndfile") != NULL;
}

int main(int argc, char **argv)
{
	const struct kernels *tables[KERNELS_MAX];
	int n_tables = kernels_runnable(tables), runs = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: node wasm-goldens.js MODELS_DIR TESTDATA_DIR\n");
		return 2;
	}
	for (int i = 0; i < N_SUITES; i++)
		for (int t = 0; t < n_tables; t++) {
			int n = run_suite(argv[1], argv[2], i, tables[t]);
			if (n < 0)
				return 1;
			runs += n;
		}
	for (int i = 0; i < 3; i++)
		if (!tables_agree(argv[1], argv[2], suites[i].model, tables, n_tables))
			return 1;
	if (!score_file_refused(argv[1], argv[2]))
		return 1;
	printf("wasm goldens: %d suites, %d data set runs with %d kernel table(s) (%s .. %s): "
	       "all within 1e-4 + 1e-3 |expected|\n", N_SUITES, runs, n_tables, tables[0]->name,
	       tables[n_tables - 1]->name);
	return 0;
}

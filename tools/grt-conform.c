/* grt-conform - run ONNX models on test_data_set_* folders (the layout of
 * ONNX's node tests and of GTCRN's golden data) and report, per output, max
 * abs and max rel error and pass/fail.
 *
 *   grt-conform [--atol A] [--rtol R] TESTDIR...          (TESTDIR/model.onnx)
 *   grt-conform [--atol A] [--rtol R] -m MODEL DIR...     (DIR = a set or a folder of sets)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "tools/testset.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: grt-conform [--atol A] [--rtol R] [-q|-v] TESTDIR...\n"
	        "       grt-conform [--atol A] [--rtol R] [-q|-v] -m MODEL.onnx DIR...\n"
	        "Runs each model on its test_data_set_*/input_*.pb and compares with output_*.pb:\n"
	        "pass when |got - expected| <= atol + rtol * |expected| (defaults 1e-5, 1e-3).\n"
	        "TESTDIR holds model.onnx and test_data_set_* (ONNX node-test layout); with -m,\n"
	        "DIR is one test_data_set_* folder or a folder of them.\n"
	        "-q prints failures only; -v also prints the plan (node counts, arena bytes).\n"
	        "Exit status: 0 all passed, 1 a test failed, 2 usage or unreadable input.\n");
}

static int is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

static int is_file(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISREG(st.st_mode);
}

static int run_one(const grt_model *m, const char *label, const char *set, double atol,
                   double rtol, int quiet, int verbose)
{
	struct ts_result r;
	int ok = ts_run_set(m, set, atol, rtol, &r);

	if (r.status) {
		printf("%s: FAIL: %s (%s)\n", label, r.err, grt_strerror(r.status));
		return 0;
	}
	if (verbose)
		printf("%s: plan: %d nodes in the model, %d folded, %d dead, %d views aliased, "
		       "%d fused, %d to run (%d in place); arena %zu bytes, scratch %zu, constants %zu\n", label,
		       r.stats.n_nodes_model, r.stats.n_nodes_folded, r.stats.n_nodes_dead,
		       r.stats.n_nodes_aliased, r.stats.n_nodes_fused, r.stats.n_nodes_planned,
		       r.stats.n_nodes_inplace, r.stats.arena_bytes, r.stats.scratch_bytes,
		       r.stats.const_bytes);
	for (int i = 0; i < r.n_out; i++) {
		const struct ts_output *o = &r.out[i];
		if (quiet && o->pass)
			continue;
		printf("%s: output '%s': max_abs %.3g max_rel %.3g %s%s%s\n", label, o->name,
		       o->max_abs, o->max_rel, o->pass ? "PASS" : "FAIL",
		       o->msg[0] ? ": " : "", o->msg);
	}
	return ok;
}

int main(int argc, char **argv)
{
	double atol = 1e-5, rtol = 1e-3;
	const char *model_path = NULL;
	int quiet = 0, verbose = 0, passed = 0, failed = 0, i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--atol") && i + 1 < argc) {
			atol = atof(argv[++i]);
		} else if (!strcmp(argv[i], "--rtol") && i + 1 < argc) {
			rtol = atof(argv[++i]);
		} else if ((!strcmp(argv[i], "-m") || !strcmp(argv[i], "--model")) && i + 1 < argc) {
			model_path = argv[++i];
		} else if (!strcmp(argv[i], "-q")) {
			quiet = 1;
		} else if (!strcmp(argv[i], "-v")) {
			verbose = 1;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	for (; i < argc; i++) {
		const char *dir = argv[i];
		char path[4096], *sets[256];
		grt_model *m = NULL;
		char err[512];
		int n_sets, rc;

		snprintf(path, sizeof(path), "%s/model.onnx", dir);
		if (!model_path && !is_file(path)) {
			fprintf(stderr, "grt-conform: %s has no model.onnx (use -m MODEL)\n", dir);
			return 2;
		}
		rc = grt_model_load_file(model_path ? model_path : path, &m, err, sizeof(err));
		if (rc) {
			printf("%s: FAIL: %s (%s)\n", dir, err, grt_strerror(rc));
			failed++;
			continue;
		}
		snprintf(path, sizeof(path), "%s/input_0.pb", dir);
		if (is_file(path)) {
			if (run_one(m, dir, dir, atol, rtol, quiet, verbose))
				passed++;
			else
				failed++;
		} else if (is_dir(dir)) {
			n_sets = ts_list_sets(dir, sets, 256);
			if (!n_sets) {
				printf("%s: FAIL: no test_data_set_* folder\n", dir);
				failed++;
			}
			for (int k = 0; k < n_sets; k++) {
				char label[4096];
				snprintf(path, sizeof(path), "%s/%s", dir, sets[k]);
				snprintf(label, sizeof(label), "%s/%s", dir, sets[k]);
				if (run_one(m, label, path, atol, rtol, quiet, verbose))
					passed++;
				else
					failed++;
			}
			ts_free_list(sets, n_sets);
		} else {
			fprintf(stderr, "grt-conform: %s: not a folder\n", dir);
			grt_model_free(m);
			return 2;
		}
		grt_model_free(m);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

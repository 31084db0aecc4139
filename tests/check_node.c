/* check_node.c - ONNX's own node conformance tests (Debian libonnx-testdata),
 * the extra GTCRN-variant tests in shared/testdata/node_extra and the project's own
 * cases in tests/data (ONNX Runtime goldens). Every test whose op types are all
 * in the registry runs and must pass (rtol 1e-3, atol 1e-5), except the entries of
 * tests/known_failures.txt. Prints a per-op table. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "runtime/internal.h"
#include "tests/check_util.h"
#include "tests/testset.h"

#define MAX_TESTS 2048
#define MAX_ROWS 256
/* the tests run today (ONNX 1.12's node tests in Debian's libonnx-testdata, and
 * ../shared/testdata/node_extra): at least as many must run */
#define MIN_NODE_TESTS 891
#define MIN_EXTRA_TESTS 77
/* the project's own cases, tests/data/<family>/test_* (made by the make.py beside them) */
#define MIN_ELEM_TESTS 21
#define MIN_LSTM_EXTRA_TESTS 21
#define MIN_DYNOPS_TESTS 18
#define MIN_REDUCE_ORT_TESTS 21
#define MIN_LOSSES_TESTS 19
#define MIN_DATA_TESTS 73      /* tests/data/test_* (tests/data/make.py) */
#define MIN_SIGNAL_TESTS 19    /* numpy goldens */
#define MIN_QUANT_TESTS 29

struct row { char op[64]; int passed, failed, listed; };

static struct row rows[MAX_ROWS];
static int n_rows;
static char *known[256];
static int n_known, known_seen[256];     /* run_suite met known[i] */

/* A test model's operators (grt_model_ops_file: its graph, subgraphs and
 * functions): the label of its row, those this build lacks, whether it loops. */
struct test_ops {
	char label[128];
	char missing[256];
	int n, all_known, has_loop;
};

static void on_op(void *ctx, const grt_op_info *op)
{
	struct test_ops *o = ctx;

	if (!op->available) {
		o->all_known = 0;
		if (strlen(o->missing) + strlen(op->op_type) + 2 < sizeof(o->missing))
			strcat(strcat(o->missing, " "), op->op_type);
	}
	if (!strcmp(op->op_type, "Loop") || !strcmp(op->op_type, "Scan"))
		o->has_loop = 1;       /* runs its body at run time: never static */
	if (strlen(o->label) + strlen(op->op_type) + 2 < sizeof(o->label))
		strcat(strcat(o->label, o->n ? "+" : ""), op->op_type);
	o->n++;
}

static struct row *row_for(const char *op)
{
	for (int i = 0; i < n_rows; i++)
		if (!strcmp(rows[i].op, op))
			return &rows[i];
	if (n_rows == MAX_ROWS)
		return &rows[MAX_ROWS - 1];
	snprintf(rows[n_rows].op, sizeof(rows[n_rows].op), "%.63s", op);
	return &rows[n_rows++];
}

static void load_known(void)
{
	FILE *f = fopen(SRCDIR "/tests/known_failures.txt", "r");
	char line[512];

	ck_assert_msg(f != NULL, "cannot read tests/known_failures.txt");
	while (fgets(line, sizeof(line), f)) {
		char name[256];
		if (line[0] == '#' || sscanf(line, "%255s", name) != 1)
			continue;
		if (n_known < 256)
			known[n_known++] = strdup(name);
	}
	fclose(f);
}

static int is_known(const char *name)
{
	for (int i = 0; i < n_known; i++)
		if (!strcmp(known[i], name))
			return known_seen[i] = 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_row(const void *a, const void *b)
{
	return strcasecmp(((const struct row *)a)->op, ((const struct row *)b)->op);
}

/* Runs every test folder under root (its test_data_set_*), each with the
 * model.onnx of the same folder under models (root itself for the ONNX suites;
 * the build tree for tests/data, whose models `make fixtures` encodes from their
 * model.textproto); returns the number of unexpected results and appends their
 * names to failures. Fewer than min_ran tests run (a folder empty, wrong or short
 * of operators, models not encoded) is a failure, and so is a known failure
 * (allow_known) that did not run. */
static int run_suite(const char *root, const char *models, int allow_known, int min_ran,
                     unsigned flags, char *failures, size_t flen)
{
	DIR *d = opendir(root);
	struct dirent *e;
	char *names[MAX_TESTS];
	int n = 0, bad = 0, ran = 0, skipped = 0, n_dynamic = 0;

	ck_assert_msg(d != NULL, "cannot open %s", root);
	while ((e = readdir(d)) && n < MAX_TESTS)
		if (!strncmp(e->d_name, "test_", 5))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), cmp_str);
	n_rows = 0;
	memset(rows, 0, sizeof(rows));

	for (int t = 0; t < n; t++) {
		char path[4096], *sets[64], err[512];
		struct test_ops ops = { "", "", 0, 1, 0 };
		int ok = 1, n_sets;
		grt_model *m = NULL;
		struct row *r;

		snprintf(path, sizeof(path), "%s/%s/model.onnx", models, names[t]);
		if (grt_model_ops_file(path, on_op, &ops, err, sizeof(err)) || !ops.n) {
			skipped++;
			continue;
		}
		if (!ops.all_known) {
			/* the ONNX suite: every test is accounted for, run or listed */
			skipped++;
			if (allow_known && !is_known(names[t])) {
				fprintf(stderr, "%s: needs%s, outside the registry, and is not listed in "
				        "tests/known_failures.txt\n", names[t], ops.missing);
				bad++;
				snprintf(failures + strlen(failures), flen - strlen(failures),
				         " %s(not run, not listed)", names[t]);
			}
			continue;
		}
		ran++;
		r = row_for(ops.n > 1 ? "(several ops)" : ops.label);
		if (grt_model_load_file(path, &m, err, sizeof(err))) {
			fprintf(stderr, "%s: load failed: %s\n", names[t], err);
			ok = 0;
		} else {
			snprintf(path, sizeof(path), "%s/%s", root, names[t]);
			n_sets = ts_list_sets(path, sets, 64);
			if (!n_sets)
				ok = 0;
			for (int k = 0; k < n_sets; k++) {
				char set[4096 + 256];
				struct ts_result res;
				snprintf(set, sizeof(set), "%s/%s", path, sets[k]);
				/* each set twice: as planned (nodes whose shapes depend on an
				 * input's value prepared at each run), and with the session
				 * refusing those (the test's inputs fixed instead) */
				int dyn_ok = ts_run_set_flags(m, set, flags, 1e-5, 1e-3, &res);
				n_dynamic += dyn_ok && res.stats.n_nodes_dynamic > 0;
				if (dyn_ok && ops.has_loop) {       /* refused by a static session */
					ts_run_set_flags(m, set, flags | GRT_SESSION_STATIC, 1e-5, 1e-3, &res);
					if (res.status != GRT_E_DYNAMIC) {
						fprintf(stderr, "%s: a static session gave status %d, expected "
						        "GRT_E_DYNAMIC\n", names[t], res.status);
						dyn_ok = 0;
					}
				} else if (dyn_ok && !ts_run_set_flags(m, set, flags | GRT_SESSION_STATIC,
				                                       1e-5, 1e-3, &res)) {
					dyn_ok = 0;
				}
				if (!dyn_ok) {
					ok = 0;
					if (res.status)
						fprintf(stderr, "%s/%s: %s\n", names[t], sets[k], res.err);
					for (int o = 0; o < res.n_out; o++)
						if (!res.out[o].pass)
							fprintf(stderr, "%s/%s: output '%s': %s (max abs %.3g)\n",
							        names[t], sets[k], res.out[o].name,
							        res.out[o].msg, res.out[o].max_abs);
				}
			}
			ts_free_list(sets, n_sets);
			grt_model_free(m);
		}
		if (allow_known && is_known(names[t])) {
			if (ok) {
				fprintf(stderr, "%s: listed as a known failure but passes\n", names[t]);
				r->failed++;
				bad++;
				snprintf(failures + strlen(failures), flen - strlen(failures), " %s(listed)", names[t]);
			} else {
				r->listed++;
			}
		} else if (ok) {
			r->passed++;
		} else {
			r->failed++;
			bad++;
			if (strlen(failures) + strlen(names[t]) + 2 < flen) {
				strcat(failures, " ");
				strcat(failures, names[t]);
			}
		}
	}
	{
		int tp = 0, tf = 0, tl = 0;
		qsort(rows, (size_t)n_rows, sizeof(rows[0]), cmp_row);
		printf("\n%s\n%-22s %7s %7s %7s\n", root, "op", "passed", "failed", "listed");
		for (int i = 0; i < n_rows; i++) {
			printf("%-22s %7d %7d %7d\n", rows[i].op, rows[i].passed, rows[i].failed,
			       rows[i].listed);
			tp += rows[i].passed;
			tf += rows[i].failed;
			tl += rows[i].listed;
		}
		printf("%-22s %7d %7d %7d   (%d tests run, %d use ops outside the registry; "
		       "%d data sets ran with dynamic nodes, then again with their inputs fixed)\n",
		       "total", tp, tf, tl, ran, skipped, n_dynamic);
		fflush(stdout);
	}
	if (ran < min_ran) {
		fprintf(stderr, "%s: %d tests run, expected at least %d%s\n", root, ran, min_ran,
		        strstr(models, "/tests/data") ? " (models not encoded? make fixtures)" : "");
		bad++;
		snprintf(failures + strlen(failures), flen - strlen(failures),
		         " (only %d tests run, expected %d)", ran, min_ran);
	}
	for (int i = 0; allow_known && i < n_known; i++)
		if (!known_seen[i]) {
			fprintf(stderr, "%s: listed as a known failure but not run\n", known[i]);
			bad++;
			snprintf(failures + strlen(failures), flen - strlen(failures),
			         " %s(listed, not run)", known[i]);
		}
	for (int t = 0; t < n; t++)
		free(names[t]);
	return bad;
}

START_TEST(onnx_node_tests)
{
	static char failures[3000];
	int bad;

	load_known();
	bad = run_suite(NODE_TESTS_DIR, NODE_TESTS_DIR, 1, MIN_NODE_TESTS, 0, failures,
	                sizeof(failures));
	ck_assert_msg(bad == 0, "%d node tests failed:%s (rerun one: tools/grt-conform %s/<test>)",
	              bad, failures, NODE_TESTS_DIR);
}
END_TEST

/* The folders of extra tests (no known failures), one loop iteration each:
 * node_extra (../shared/testdata) and this tree's own (tests/data: data sets in
 * the source tree, models encoded into the build tree); lstm_extra also with the
 * portable kernels (its batch-of-one cases take rnn_gemv), quant too (the integer
 * products) */
#define DATA(sub) SRCDIR "/tests/data" sub, BUILDDIR "/tests/data" sub
static const struct {
	const char *root, *models;      /* the data sets' and the models' folders */
	int min_ran;
	unsigned flags;                 /* the sessions' GRT_SESSION_* */
} extra[] = {
	{ TESTDATA_DIR "/node_extra", TESTDATA_DIR "/node_extra", MIN_EXTRA_TESTS, 0 },
	{ DATA("/elem"), MIN_ELEM_TESTS, 0 },
	{ DATA("/dynops"), MIN_DYNOPS_TESTS, 0 },
	{ DATA("/reduce_ort"), MIN_REDUCE_ORT_TESTS, 0 },
	{ DATA("/losses"), MIN_LOSSES_TESTS, 0 },
	{ DATA("/signal"), MIN_SIGNAL_TESTS, 0 },
	{ DATA("/quantization"), MIN_QUANT_TESTS, 0 },
	{ DATA("/quantization"), MIN_QUANT_TESTS, GRT_SESSION_PORTABLE },
	{ DATA(""), MIN_DATA_TESTS, 0 },
	{ DATA("/lstm_extra"), MIN_LSTM_EXTRA_TESTS, 0 },
	{ DATA("/lstm_extra"), MIN_LSTM_EXTRA_TESTS, GRT_SESSION_PORTABLE },
};

START_TEST(extra_tests)
{
	static char failures[3000];
	int bad;

	failures[0] = 0;
	bad = run_suite(extra[_i].root, extra[_i].models, 0, extra[_i].min_ran, extra[_i].flags,
	                failures, sizeof(failures));
	ck_assert_msg(bad == 0, "%d tests of %s (flags %#x) failed:%s", bad, extra[_i].root,
	              extra[_i].flags, failures);
}
END_TEST

int main(void)
{
	const struct test_def tests[] = {
		{ "conformance", onnx_node_tests, .timeout_s = 600 },
		{ "conformance", extra_tests, 0, N_ELEMS(extra) },
	};
	Suite *s = suite_from_table("node", tests, N_ELEMS(tests));

	return run_suites(&s, 1, 0);
}

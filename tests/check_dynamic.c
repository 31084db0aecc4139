/* check_dynamic.c - a model whose shapes follow its input values: NonZero
 * feeds Gathers, a ReduceMean and a TopK whose k comes from the count, run
 * with inputs whose count of non-zero elements changes between runs (the
 * dynamic nodes of runtime/session.c prepared again at each run). Expected
 * values are computed here from the inputs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/grt.h"
#include "tests/check_util.h"
#include "tests/modelgen.h"

#define OPSET 17
enum { FLOAT = GRT_FLOAT, INT64 = GRT_INT64 };

/* x [2, 3] float; outputs, for the N non-zero elements of x in row-major
 * order: vals [N] (their values), mean [] (their mean) and top [N - 1]
 * (the N - 1 largest, sorted). */
static grt_model *model_nonzero(void)
{
	struct mg *g = mg_new(8, OPSET);
	const int64_t d23[2] = { 2, 3 }, d1 = 1, dyn = -1, flat = 6, i0 = 0, i1 = 1, three = 3;
	grt_model *m = NULL;
	char err[512];
	int n;

	mg_input(g, "x", FLOAT, 2, d23);
	mg_output(g, "vals", FLOAT, 1, &dyn);
	mg_output(g, "mean", FLOAT, 0, NULL);
	mg_output(g, "top", FLOAT, 1, &dyn);
	mg_init(g, "i0", INT64, 0, NULL, &i0);
	mg_init(g, "i1", INT64, 0, NULL, &i1);
	mg_init(g, "three", INT64, 0, NULL, &three);
	mg_init(g, "one", INT64, 1, &d1, &i1);
	mg_init(g, "flat", INT64, 1, &d1, &flat);
	mg_node(g, "NonZero", "nz", "x", "nz");                 /* [2, N] */
	mg_node(g, "Gather", "row", "nz,i0", "row");           /* [N] */
	mg_node(g, "Gather", "col", "nz,i1", "col");
	mg_node(g, "Mul", "", "row,three", "row3");
	mg_node(g, "Add", "", "row3,col", "lin");              /* [N] row-major index */
	mg_node(g, "Reshape", "", "x,flat", "xf");             /* [6], static */
	mg_node(g, "Gather", "vals", "xf,lin", "vals");
	n = mg_node(g, "ReduceMean", "mean", "vals", "mean");
	mg_attr_int(g, n, "keepdims", 0);
	mg_node(g, "Shape", "", "vals", "count");               /* [1]: N */
	mg_node(g, "Sub", "", "count,one", "k");
	mg_node(g, "TopK", "top", "vals,k", "top,top_idx");
	expect_ok("load", err, mg_load(g, &m, err, sizeof(err)));
	return m;
}

START_TEST(nonzero_gather_reduce_topk)
{
	static const float xs[3][6] = {
		{ 1, 0, 2, 0, 0, 3 },
		{ 0, 5, 0, -1, 4, 6 },
		{ 0, 0, -2, 0, 0, 0 },
	};
	grt_model *m = model_nonzero();
	grt_session *s = NULL;
	grt_session_stats st;
	grt_session_opts o = { 0 };
	char err[512];
	int rc;

	expect_ok("session", err, grt_session_create(m, NULL, &s, err, sizeof(err)));
	grt_session_stats_get(s, &st);
	/* everything after NonZero but the Reshape of x */
	ck_assert_int_eq(st.n_nodes_dynamic, 10);
	for (int run = 0; run < 4; run++) {             /* N = 3, 4, 1, then 3 again */
		const float *x = xs[run % 3];
		float want[6], sum = 0, top[6];
		int count = 0;
		grt_value v, vals, mean, topv;

		grt_session_input(s, 0, &v);
		memcpy(v.data, x, sizeof(xs[0]));
		expect_ok("run", grt_session_errmsg(s), grt_session_run(s));
		for (int i = 0; i < 6; i++)
			if (x[i] != 0) {
				want[count++] = x[i];
				sum += x[i];
			}
		grt_session_output(s, 0, &vals);
		grt_session_output(s, 1, &mean);
		grt_session_output(s, 2, &topv);
		ck_assert_int_eq(vals.ndim, 1);
		ck_assert_int_eq(vals.dims[0], count);
		for (int i = 0; i < count; i++)
			ck_assert_float_eq(((const float *)vals.data)[i], want[i]);
		ck_assert_int_eq(mean.ndim, 0);
		ck_assert_float_eq_tol(*(const float *)mean.data, sum / (float)count, 1e-6f);
		memcpy(top, want, sizeof(top));             /* insertion sort, largest first */
		for (int i = 1; i < count; i++)
			for (int j = i; j > 0 && top[j] > top[j - 1]; j--) {
				float t = top[j];
				top[j] = top[j - 1];
				top[j - 1] = t;
			}
		ck_assert_int_eq(topv.ndim, 1);
		ck_assert_int_eq(topv.dims[0], count - 1);
		for (int i = 0; i < count - 1; i++)
			ck_assert_float_eq(((const float *)topv.data)[i], top[i]);
	}
	grt_session_free(s);

	o.flags = GRT_SESSION_STATIC;                   /* refused, naming the NonZero */
	rc = grt_session_create(m, &o, &s, err, sizeof(err));
	expect_error("static session", err, rc, GRT_E_DYNAMIC, "'nz' (NonZero)");
	grt_model_free(m);
}
END_TEST

int main(void)
{
	const struct test_def defs[] = {
		{ "nonzero", nonzero_gather_reduce_topk, 0, 0, 0 },
	};
	Suite *suites[] = { suite_from_table("dynamic", defs, N_ELEMS(defs)) };

	return run_suites(suites, N_ELEMS(suites), 0);
}

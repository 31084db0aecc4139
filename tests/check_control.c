/* check_control.c - If planned into the run list (runtime/control.c,
 * ops/control.c): branches that read outer values, nesting, conditions
 * known at plan time (inlined) or not (jumps), branch boundaries the
 * plan-time rewrites must not cross, and the models the loader and planner
 * must refuse. Expected values are computed here from the inputs (each
 * branch is a line of arithmetic). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/grt.h"
#include "tests/check_util.h"
#include "tests/modelgen.h"

#define OPSET 17
enum { FLOAT = GRT_FLOAT, BOOL = GRT_BOOL, INT64 = GRT_INT64 };

static const int64_t d23[2] = { 2, 3 };
static const float xs[6] = { -1.5f, -0.25f, 0.0f, 0.5f, 1.0f, 2.0f };

/* A branch: out = x + k (k an initializer of the branch). */
static struct mg *branch_add(const char *x, float k, const char *out)
{
	struct mg *b = mg_new(8, OPSET);
	char kname[64], in[128];

	snprintf(kname, sizeof(kname), "%s_k", out);
	snprintf(in, sizeof(in), "%s,%s", x, kname);
	mg_init(b, kname, FLOAT, 0, NULL, &k);
	mg_node(b, "Add", "", in, out);
	mg_output(b, out, FLOAT, 2, d23);
	return b;
}

/* A branch: out = x * x. */
static struct mg *branch_square(const char *x, const char *out)
{
	struct mg *b = mg_new(8, OPSET);
	char in[128];

	snprintf(in, sizeof(in), "%s,%s", x, x);
	mg_node(b, "Mul", "", in, out);
	mg_output(b, out, FLOAT, 2, d23);
	return b;
}

static struct mg *model_xc(void)
{
	struct mg *g = mg_new(8, OPSET);

	mg_input(g, "x", FLOAT, 2, d23);
	mg_input(g, "c", BOOL, 0, NULL);
	mg_output(g, "y", FLOAT, 2, d23);
	return g;
}

static grt_model *load(struct mg *g)
{
	grt_model *m = NULL;
	char err[512];
	int rc = mg_load(g, &m, err, sizeof(err));

	expect_ok("load", err, rc);
	return m;
}

/* Runs a model of inputs (x [2, 3] float, c bool) with c = cond; y gets
 * output 0. */
static void run_xc(const grt_model *m, const grt_session_opts *o, int cond, float *y)
{
	grt_session *s = NULL;
	grt_value v;
	char err[512];
	int rc = grt_session_create(m, o, &s, err, sizeof(err));

	expect_ok("session", err, rc);
	grt_session_input(s, 0, &v);
	memcpy(v.data, xs, sizeof(xs));
	grt_session_input(s, 1, &v);
	*(uint8_t *)v.data = (uint8_t)cond;
	expect_ok("run", grt_session_errmsg(s), grt_session_run(s));
	grt_session_output(s, 0, &v);
	ck_assert_int_eq(grt_value_numel(&v), 6);
	memcpy(y, v.data, sizeof(xs));
	grt_session_free(s);
}

START_TEST(if_dynamic)
{
	struct mg *g = model_xc();
	int n = mg_node(g, "If", "if", "c", "y");
	grt_model *m;
	float y[6];

	mg_attr_graph(g, n, "then_branch", branch_add("x", 1.0f, "t"));
	mg_attr_graph(g, n, "else_branch", branch_square("x", "e"));
	m = load(g);
	for (int cond = 0; cond < 2; cond++) {
		run_xc(m, NULL, cond, y);
		for (int i = 0; i < 6; i++)
			ck_assert_float_eq(y[i], cond ? xs[i] + 1.0f : xs[i] * xs[i]);
	}
	grt_model_free(m);
}
END_TEST

/* The condition comes from a shape: the If is replaced by its then branch,
 * whose output shape the else branch could not give (an inlined If need not
 * agree). */
START_TEST(if_const_inlined)
{
	struct mg *g = model_xc();
	struct mg *e = mg_new(8, OPSET);
	const int64_t zero = 0, two = 2, d6 = 6, one_dim = 1;
	grt_session *s = NULL;
	grt_session_stats st;
	grt_model *m;
	char err[512];
	int n;

	mg_init(g, "zero", INT64, 0, NULL, &zero);
	mg_init(g, "two", INT64, 0, NULL, &two);
	mg_node(g, "Shape", "", "x", "shp");
	mg_node(g, "Gather", "", "shp,zero", "d0");
	mg_node(g, "Equal", "", "d0,two", "is2");
	n = mg_node(g, "If", "if", "is2", "y");
	mg_init(e, "six", INT64, 1, &one_dim, &d6);
	mg_node(e, "Reshape", "", "x,six", "flat");
	mg_output(e, "flat", FLOAT, 1, &d6);
	mg_attr_graph(g, n, "then_branch", branch_add("x", 2.0f, "t"));
	mg_attr_graph(g, n, "else_branch", e);
	m = load(g);
	ck_assert_int_eq(grt_model_n_nodes(m), 4);
	expect_ok("session", err, grt_session_create(m, NULL, &s, err, sizeof(err)));
	grt_session_stats_get(s, &st);
	ck_assert_int_eq(st.n_nodes_model, 6);          /* 4 + one node per branch */
	ck_assert_int_eq(st.n_nodes_planned, 1);        /* the Add */
	ck_assert_int_eq(st.n_nodes_dead, 1);           /* the Reshape */
	ck_assert_int_eq(st.n_nodes_folded + st.n_nodes_dead + st.n_nodes_rewritten_away +
	                 st.n_nodes_aliased + st.n_nodes_empty + st.n_nodes_planned,
	                 st.n_nodes_model);
	for (int i = 0; i < grt_session_n_planned(s); i++) {
		grt_node_info info;
		grt_session_node(s, i, &info);
		ck_assert_str_ne(info.op_type, "If");
	}
	grt_session_free(s);
	{
		float y[6];
		run_xc(m, NULL, 0, y);
		for (int i = 0; i < 6; i++)
			ck_assert_float_eq(y[i], xs[i] + 2.0f);
	}
	grt_model_free(m);
}
END_TEST

/* An If in each branch of an If (four paths), a branch whose output is an
 * outer value (no nodes), and an outer value defined after the If in the
 * file (the loader orders the If after it). */
START_TEST(if_nested)
{
	struct mg *g = model_xc();
	struct mg *t = mg_new(8, OPSET), *e = mg_new(8, OPSET), *ee;
	const float three = 3.0f;
	grt_model *m;
	int n, k;

	n = mg_node(g, "If", "outer", "c", "y");
	mg_init(g, "three", FLOAT, 0, NULL, &three);
	mg_node(g, "Mul", "late", "x,three", "x3");       /* read by the branches */
	{
		const uint8_t no = 0;
		mg_init(g, "no", BOOL, 0, NULL, &no);
		mg_node(g, "Equal", "", "c,no", "nc");      /* not c */
	}
	/* then: If(nc) {x3 + 1} else {x3} */
	k = mg_node(t, "If", "inner_t", "nc", "ty");
	mg_attr_graph(t, k, "then_branch", branch_add("x3", 1.0f, "tt"));
	ee = mg_new(8, OPSET);
	mg_output(ee, "x3", FLOAT, 2, d23);
	mg_attr_graph(t, k, "else_branch", ee);
	mg_output(t, "ty", FLOAT, 2, d23);
	/* else: If(c) {never} else {x * x} */
	k = mg_node(e, "If", "inner_e", "c", "ey");
	mg_attr_graph(e, k, "then_branch", branch_add("x", 100.0f, "et"));
	mg_attr_graph(e, k, "else_branch", branch_square("x", "ee"));
	mg_output(e, "ey", FLOAT, 2, d23);
	mg_attr_graph(g, n, "then_branch", t);
	mg_attr_graph(g, n, "else_branch", e);
	(void)n;
	m = load(g);
	if (!m)
		return;
	for (int cond = 0; cond < 2; cond++) {
		float y[6];
		run_xc(m, NULL, cond, y);
		for (int i = 0; i < 6; i++)
			ck_assert_float_eq(y[i], cond ? xs[i] * 3.0f : xs[i] * xs[i]);
	}
	grt_model_free(m);
}
END_TEST

/* Conv's output is read by a Sigmoid inside the then branch only: fusing
 * the Sigmoid into the Conv's epilogue would apply it on the else path too. */
START_TEST(if_rewrites_stay_inside)
{
	struct mg *g = mg_new(8, OPSET);
	struct mg *t = mg_new(8, OPSET), *e = mg_new(8, OPSET);
	const int64_t dx[3] = { 1, 1, 6 }, dw[3] = { 1, 1, 1 };
	const float w = 2.0f, one = 1.0f;
	grt_model *m;
	int n;

	mg_input(g, "x", FLOAT, 3, dx);
	mg_input(g, "c", BOOL, 0, NULL);
	mg_output(g, "y", FLOAT, 3, dx);
	mg_init(g, "w", FLOAT, 3, dw, &w);
	mg_node(g, "Conv", "conv", "x,w", "cv");
	n = mg_node(g, "If", "if", "c", "y");
	mg_node(t, "Sigmoid", "", "cv", "ts");
	mg_output(t, "ts", FLOAT, 3, dx);
	mg_init(e, "one", FLOAT, 0, NULL, &one);
	mg_node(e, "Mul", "", "cv,one", "es");
	mg_output(e, "es", FLOAT, 3, dx);
	mg_attr_graph(g, n, "then_branch", t);
	mg_attr_graph(g, n, "else_branch", e);
	m = load(g);
	for (int cond = 0; cond < 2; cond++) {
		float y[6];
		run_xc(m, NULL, cond, y);
		for (int i = 0; i < 6; i++) {
			float cv = 2.0f * xs[i];
			ck_assert_float_eq_tol(y[i], cond ? 1.0f / (1.0f + expf(-cv)) : cv, 1e-6f);
		}
	}
	grt_model_free(m);
}
END_TEST

/* A branch that cannot be planned for these shapes (Silero VAD's 8 kHz
 * branch given a 16 kHz window): the session plans, the other branch runs,
 * and a run that takes it fails with the planning message. */
START_TEST(if_branch_unplannable)
{
	struct mg *g = model_xc();
	struct mg *e = mg_new(8, OPSET);
	const int64_t d4 = 4, one_dim = 1;
	grt_session *s = NULL;
	grt_model *m;
	grt_value v;
	char err[512];
	float y[6];
	int n, rc;

	mg_init(e, "four", INT64, 1, &one_dim, &d4);
	mg_node(e, "Reshape", "", "x,four", "bad");         /* 6 elements into 4 */
	mg_output(e, "bad", FLOAT, 2, d23);
	n = mg_node(g, "If", "half", "c", "y");
	mg_attr_graph(g, n, "then_branch", branch_add("x", 1.0f, "t"));
	mg_attr_graph(g, n, "else_branch", e);
	m = load(g);
	run_xc(m, NULL, 1, y);
	for (int i = 0; i < 6; i++)
		ck_assert_float_eq(y[i], xs[i] + 1.0f);
	expect_ok("session", err, grt_session_create(m, NULL, &s, err, sizeof(err)));
	grt_session_input(s, 1, &v);
	*(uint8_t *)v.data = 0;
	rc = grt_session_run(s);
	expect_error("the unplannable branch", grt_session_errmsg(s), rc, GRT_E_SHAPE,
	             "else_branch cannot run with these input shapes");
	expect_error("the unplannable branch", grt_session_errmsg(s), rc, GRT_E_SHAPE, "Reshape");
	grt_session_free(s);
	grt_model_free(m);
}
END_TEST

/* What the loader and planner refuse, with the code and the words. */
START_TEST(if_errors)
{
	grt_model *m = NULL;
	grt_session *s = NULL;
	char err[512];
	struct mg *g, *e;
	int n, rc;

	/* no else branch */
	g = model_xc();
	n = mg_node(g, "If", "lonely", "c", "y");
	mg_attr_graph(g, n, "then_branch", branch_add("x", 1.0f, "t"));
	m = load(g);
	rc = grt_session_create(m, NULL, &s, err, sizeof(err));
	expect_error("no else_branch", err, rc, GRT_E_INVALID_MODEL, "else_branch");
	grt_model_free(m);

	/* the branches give different shapes and the condition is not known */
	g = model_xc();
	e = mg_new(8, OPSET);
	{
		const int64_t d6 = 6;
		const int64_t one_dim = 1;
		mg_init(e, "six", INT64, 1, &one_dim, &d6);
		mg_node(e, "Reshape", "", "x,six", "flat");
		mg_output(e, "flat", FLOAT, 1, &d6);
	}
	n = mg_node(g, "If", "shapes", "c", "y");
	mg_attr_graph(g, n, "then_branch", branch_add("x", 1.0f, "t"));
	mg_attr_graph(g, n, "else_branch", e);
	m = load(g);
	rc = grt_session_create(m, NULL, &s, err, sizeof(err));
	expect_error("branch shapes differ", err, rc, GRT_E_DYNAMIC, "differs between the branches");
	expect_error("branch shapes differ", err, rc, GRT_E_DYNAMIC, "shapes");
	grt_model_free(m);

	/* a condition that is not one bool */
	g = mg_new(8, OPSET);
	mg_input(g, "x", FLOAT, 2, d23);
	mg_output(g, "y", FLOAT, 2, d23);
	n = mg_node(g, "If", "fcond", "x", "y");
	mg_attr_graph(g, n, "then_branch", branch_add("x", 1.0f, "t"));
	mg_attr_graph(g, n, "else_branch", branch_square("x", "e"));
	m = load(g);
	rc = grt_session_create(m, NULL, &s, err, sizeof(err));
	expect_error("float condition", err, rc, GRT_E_DTYPE, "condition 'x' must hold one bool");
	grt_model_free(m);

	/* a branch that reads a name no graph defines */
	g = model_xc();
	n = mg_node(g, "If", "ghost", "c", "y");
	mg_attr_graph(g, n, "then_branch", branch_add("nowhere", 1.0f, "t"));
	mg_attr_graph(g, n, "else_branch", branch_square("x", "e"));
	rc = mg_load(g, &m, err, sizeof(err));
	expect_error("unknown outer name", err, rc, GRT_E_MISSING, "'nowhere'");

	/* a branch that reads the If's own output: a cycle through the subgraph */
	g = model_xc();
	n = mg_node(g, "If", "selfish", "c", "y");
	mg_node(g, "Mul", "", "y,y", "ny");
	mg_attr_graph(g, n, "then_branch", branch_add("ny", 1.0f, "t"));
	mg_attr_graph(g, n, "else_branch", branch_square("x", "e"));
	rc = mg_load(g, &m, err, sizeof(err));
	expect_error("cycle through a branch", err, rc, GRT_E_CYCLE, "cycle");

	/* a branch with the wrong number of outputs */
	g = model_xc();
	e = branch_square("x", "e");
	mg_output(e, "x", FLOAT, 2, d23);
	n = mg_node(g, "If", "two", "c", "y");
	mg_attr_graph(g, n, "then_branch", branch_add("x", 1.0f, "t"));
	mg_attr_graph(g, n, "else_branch", e);
	m = load(g);
	rc = grt_session_create(m, NULL, &s, err, sizeof(err));
	expect_error("branch outputs", err, rc, GRT_E_INVALID_MODEL, "else_branch has 0 inputs and 2");
	grt_model_free(m);
}
END_TEST

/* x [2, 3] reshaped to the shape that input s holds, plus 1: a Reshape
 * whose output shape is known only at run time, and an Add after it. */
static grt_model *model_reshape(void)
{
	struct mg *g = mg_new(8, OPSET);
	const int64_t d1 = 2, dyn[2] = { -1, -1 };
	const float one = 1.0f;

	mg_input(g, "x", FLOAT, 2, d23);
	mg_input(g, "s", INT64, 1, &d1);
	mg_output(g, "y", FLOAT, 2, dyn);
	mg_init(g, "one", FLOAT, 0, NULL, &one);
	mg_node(g, "Reshape", "", "x,s", "r");
	mg_node(g, "Add", "", "r,one", "y");
	return load(g);
}

static int run_reshape(grt_session *s, int64_t a, int64_t b, grt_value *y)
{
	grt_value v;
	int rc;

	grt_session_input(s, 0, &v);
	memcpy(v.data, xs, sizeof(xs));
	grt_session_input(s, 1, &v);
	((int64_t *)v.data)[0] = a;
	((int64_t *)v.data)[1] = b;
	rc = grt_session_run(s);
	grt_session_output(s, 0, y);
	return rc;
}

START_TEST(dynamic_nodes)
{
	grt_model *m = model_reshape();
	grt_session *s = NULL;
	grt_session_stats st;
	grt_session_opts o = { 0 };
	grt_value y;
	char err[512];
	int rc;

	expect_ok("session", err, grt_session_create(m, NULL, &s, err, sizeof(err)));
	grt_session_stats_get(s, &st);
	ck_assert_int_eq(st.n_nodes_dynamic, 2);       /* the Reshape and what reads it */
	ck_assert_int_eq(st.n_nodes_planned, 2);
	for (int run = 0; run < 3; run++) {             /* [3, 2], [6, 1], [3, 2] again */
		int64_t a = run == 1 ? 6 : 3, b = run == 1 ? 1 : -1;
		expect_ok("run", grt_session_errmsg(s), run_reshape(s, a, b, &y));
		ck_assert_int_eq(y.ndim, 2);
		ck_assert_int_eq(y.dims[0], a);
		ck_assert_int_eq(y.dims[1], run == 1 ? 1 : 2);
		ck_assert_int_eq(y.dtype, GRT_FLOAT);
		for (int i = 0; i < 6; i++)
			ck_assert_float_eq(((float *)y.data)[i], xs[i] + 1.0f);
	}
	rc = run_reshape(s, 4, 2, &y);                  /* 8 elements from 6 */
	expect_error("bad shape at run time", grt_session_errmsg(s), rc, GRT_E_SHAPE, "Reshape");
	grt_session_free(s);

	o.flags = GRT_SESSION_STATIC;                   /* refused, as before */
	rc = grt_session_create(m, &o, &s, err, sizeof(err));
	expect_error("static session", err, rc, GRT_E_DYNAMIC, "shape comes from input 1 's'");

	o.flags = 0;                                    /* a budget the outputs exceed */
	o.max_bytes = 256;
	expect_ok("small session", err, grt_session_create(m, &o, &s, err, sizeof(err)));
	grt_session_stats_get(s, &st);
	ck_assert_uint_le(st.arena_bytes + st.scratch_bytes + st.const_bytes, 256);
	rc = run_reshape(s, 3, 2, &y);
	expect_error("over the budget at run time", grt_session_errmsg(s), rc, GRT_E_LIMIT,
	             "memory budget of 256 bytes");
	grt_session_free(s);
	grt_model_free(m);
}
END_TEST

/* Loop(M, cond, x): y doubles each iteration, the scan output stacks each
 * iteration's y, and the body stops after iteration `stop`. */
static grt_model *model_loop(int64_t stop, int with_cond, int with_scan)
{
	struct mg *g = mg_new(8, OPSET), *b = mg_new(8, OPSET);
	const int64_t dyn3[3] = { -1, 2, 3 };
	const float two = 2.0f;
	int n;

	mg_input(g, "M", INT64, 0, NULL);
	mg_input(g, "x", FLOAT, 2, d23);
	mg_output(g, "y", FLOAT, 2, d23);
	if (with_scan)
		mg_output(g, "ys", FLOAT, 3, dyn3);
	mg_init(g, "two", FLOAT, 0, NULL, &two);
	mg_init(g, "stop", INT64, 0, NULL, &stop);
	if (with_cond) {
		const uint8_t yes = 1;
		mg_init(g, "go", BOOL, 0, NULL, &yes);
	}
	n = mg_node(g, "Loop", "loop", with_cond ? "M,go,x" : "M,,x", with_scan ? "y,ys" : "y");
	mg_input(b, "i", INT64, 0, NULL);
	mg_input(b, "c_in", BOOL, 0, NULL);
	mg_input(b, "y_in", FLOAT, 2, d23);
	mg_node(b, "Mul", "", "y_in,two", "y_out");          /* reads an outer value */
	mg_node(b, "Less", "", "i,stop", "c_out");
	mg_output(b, "c_out", BOOL, 0, NULL);
	mg_output(b, "y_out", FLOAT, 2, d23);
	if (with_scan) {
		mg_node(b, "Identity", "", "y_out", "scan");
		mg_output(b, "scan", FLOAT, 2, d23);
	}
	mg_attr_graph(g, n, "body", b);
	return load(g);
}

static int run_loop(grt_session *s, int64_t trips)
{
	grt_value v;

	grt_session_input(s, 0, &v);
	*(int64_t *)v.data = trips;
	grt_session_input(s, 1, &v);
	memcpy(v.data, xs, sizeof(xs));
	return grt_session_run(s);
}

START_TEST(loop_carried_and_scanned)
{
	grt_model *m = model_loop(3, 1, 1);
	grt_session *s = NULL;
	grt_session_stats st;
	char err[512];

	expect_ok("session", err, grt_session_create(m, NULL, &s, err, sizeof(err)));
	grt_session_stats_get(s, &st);
	ck_assert_int_ge(st.n_nodes_dynamic, 1);
	/* M = 10: the body stops after i = 3 (4 iterations); M = 2: two; M = 0: none */
	for (int run = 0; run < 3; run++) {
		int64_t trips = run == 0 ? 10 : run == 1 ? 2 : 0, iters = trips < 4 ? trips : 4;
		grt_value y, ys;
		expect_ok("run", grt_session_errmsg(s), run_loop(s, trips));
		grt_session_output(s, 0, &y);
		grt_session_output(s, 1, &ys);
		ck_assert_int_eq(y.ndim, 2);
		ck_assert_int_eq(ys.dims[0], iters);
		for (int i = 0; i < 6; i++)
			ck_assert_float_eq(((float *)y.data)[i], xs[i] * (float)(1 << iters));
		if (iters) {
			ck_assert_int_eq(ys.ndim, 3);
			for (int t = 0; t < iters; t++)
				for (int i = 0; i < 6; i++)
					ck_assert_float_eq(((float *)ys.data)[t * 6 + i],
					                   xs[i] * (float)(2 << t));
		}
	}
	grt_session_free(s);
	grt_model_free(m);
}
END_TEST

/* A trip count no run may make: GRT_E_LIMIT, not hours of work; a static
 * session refuses the Loop outright. */
START_TEST(loop_hostile_trip_count)
{
	grt_model *m = model_loop(INT64_MAX, 0, 0);
	grt_session *s = NULL;
	grt_session_opts o = { 0 };
	char err[512];
	int rc;

	expect_ok("session", err, grt_session_create(m, &o, &s, err, sizeof(err)));
	rc = run_loop(s, INT64_MAX);
	expect_error("huge trip count", grt_session_errmsg(s), rc, GRT_E_LIMIT,
	             "more than 4194304 loop iterations in one run");
	/* the cap is per run: the same session then runs a short loop */
	expect_ok("the next run", grt_session_errmsg(s), run_loop(s, 2));
	grt_session_free(s);
	grt_model_free(m);
	m = model_loop(INT64_MAX, 0, 1);                /* its scan output outgrows the budget */
	o.max_bytes = (size_t)1 << 26;
	expect_ok("session", err, grt_session_create(m, &o, &s, err, sizeof(err)));
	rc = run_loop(s, INT64_MAX);
	expect_error("huge scan output", grt_session_errmsg(s), rc, GRT_E_LIMIT,
	             "over the memory budget of 67108864 bytes");
	grt_session_free(s);
	o.flags = GRT_SESSION_STATIC;
	rc = grt_session_create(m, &o, &s, err, sizeof(err));
	expect_error("static session", err, rc, GRT_E_DYNAMIC, "runs its body at run time");
	grt_model_free(m);
}
END_TEST

/* Scan: a running sum over the rows of x [3, 2] (axis 0), and the same over
 * its columns read backwards (axis 1, reverse) stacked along output axis 1. */
static void scan_case(int axis_in, int reverse, int axis_out)
{
	struct mg *g = mg_new(8, OPSET), *b = mg_new(8, OPSET);
	const int64_t d2 = 2, d32[2] = { 3, 2 }, dyn2[2] = { -1, -1 };
	const int64_t in_axes = axis_in, dirs = reverse, out_axes = axis_out;
	const float x[6] = { 1, 2, 3, 4, 5, 6 };
	float want_sum[2], want[6];
	grt_session *s = NULL;
	grt_model *m;
	grt_value v;
	char err[512];
	int n, len = axis_in ? 2 : 3, width = axis_in ? 3 : 2;

	mg_input(g, "init", FLOAT, 1, axis_in ? &(int64_t){ 3 } : &d2);
	mg_input(g, "x", FLOAT, 2, d32);
	mg_output(g, "sum", FLOAT, 1, dyn2);
	mg_output(g, "partial", FLOAT, 2, dyn2);
	n = mg_node(g, "Scan", "scan", "init,x", "sum,partial");
	mg_attr_int(g, n, "num_scan_inputs", 1);
	mg_attr_ints(g, n, "scan_input_axes", 1, &in_axes);
	mg_attr_ints(g, n, "scan_input_directions", 1, &dirs);
	mg_attr_ints(g, n, "scan_output_axes", 1, &out_axes);
	mg_input(b, "acc", FLOAT, 1, dyn2);
	mg_input(b, "row", FLOAT, 1, dyn2);
	mg_node(b, "Add", "", "acc,row", "acc_out");
	mg_node(b, "Identity", "", "acc_out", "part");
	mg_output(b, "acc_out", FLOAT, 1, dyn2);
	mg_output(b, "part", FLOAT, 1, dyn2);
	mg_attr_graph(g, n, "body", b);
	m = load(g);
	expect_ok("session", err, grt_session_create(m, NULL, &s, err, sizeof(err)));
	grt_session_input(s, 0, &v);
	memset(v.data, 0, (size_t)width * sizeof(float));
	grt_session_input(s, 1, &v);
	memcpy(v.data, x, sizeof(x));
	expect_ok("run", grt_session_errmsg(s), grt_session_run(s));
	/* the reference: iteration t reads slice (reverse ? len - 1 - t : t) */
	memset(want_sum, 0, sizeof(want_sum));
	{
		float acc[3] = { 0, 0, 0 };
		for (int t = 0; t < len; t++) {
			int p = reverse ? len - 1 - t : t;
			for (int j = 0; j < width; j++) {
				acc[j] += axis_in ? x[j * 2 + p] : x[p * 2 + j];
				/* output slice t at position t along axis_out */
				if (axis_out)
					want[j * len + t] = acc[j];
				else
					want[t * width + j] = acc[j];
			}
		}
		grt_session_output(s, 0, &v);
		for (int j = 0; j < width; j++)
			ck_assert_float_eq(((float *)v.data)[j], acc[j]);
	}
	grt_session_output(s, 1, &v);
	ck_assert_int_eq(v.dims[axis_out], len);
	ck_assert_int_eq(v.dims[1 - axis_out], width);
	for (int i = 0; i < len * width; i++)
		ck_assert_float_eq(((float *)v.data)[i], want[i]);
	grt_session_free(s);
	grt_model_free(m);
}

START_TEST(scan_axes_directions)
{
	scan_case(0, 0, 0);
	scan_case(1, 1, 1);
	scan_case(1, 0, 0);
}
END_TEST

/* Opset 8's Scan: x [2, 3, 2] is 2 batches of 3 rows; a running sum from init
 * [2, 2] per batch, over the first lens[b] rows (all 3 without sequence_lens),
 * forward or backward. The partial sums stack to [2, 3, 2], zero past a
 * batch's length. */
static void scan8_case(int reverse, int with_lens)
{
	struct mg *g = mg_new(8, 8), *b = mg_new(8, 8);
	const int64_t d2 = 2, d22[2] = { 2, 2 }, d232[3] = { 2, 3, 2 }, dyn[3] = { -1, -1, -1 };
	const int64_t dirs = reverse, lens[2] = { 3, 1 };
	const float x[12] = { 1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60 };
	const float init[4] = { 0.5f, -1, 100, 200 };
	float want_sum[4], want[12] = { 0 };
	grt_session *s = NULL;
	grt_model *m;
	grt_value v;
	char err[512];
	int n;

	if (with_lens)
		mg_input(g, "lens", INT64, 1, &d2);
	mg_input(g, "init", FLOAT, 2, d22);
	mg_input(g, "x", FLOAT, 3, d232);
	mg_output(g, "sum", FLOAT, 2, dyn);
	mg_output(g, "partial", FLOAT, 3, dyn);
	n = mg_node(g, "Scan", "scan8", with_lens ? "lens,init,x" : ",init,x", "sum,partial");
	mg_attr_int(g, n, "num_scan_inputs", 1);
	mg_attr_ints(g, n, "directions", 1, &dirs);
	mg_input(b, "acc", FLOAT, 1, dyn);
	mg_input(b, "row", FLOAT, 1, dyn);
	mg_node(b, "Add", "", "acc,row", "acc_out");
	mg_node(b, "Identity", "", "acc_out", "part");
	mg_output(b, "acc_out", FLOAT, 1, dyn);
	mg_output(b, "part", FLOAT, 1, dyn);
	mg_attr_graph(g, n, "body", b);
	m = load(g);
	expect_ok("session", err, grt_session_create(m, NULL, &s, err, sizeof(err)));
	n = 0;
	if (with_lens) {
		grt_session_input(s, n++, &v);
		memcpy(v.data, lens, sizeof(lens));
	}
	grt_session_input(s, n++, &v);
	memcpy(v.data, init, sizeof(init));
	grt_session_input(s, n, &v);
	memcpy(v.data, x, sizeof(x));
	expect_ok("run", grt_session_errmsg(s), grt_session_run(s));
	/* the reference: batch bt, iteration t reads row (reverse ? len - 1 - t : t) */
	for (int bt = 0; bt < 2; bt++) {
		int len = with_lens ? (int)lens[bt] : 3;
		float acc[2] = { init[bt * 2], init[bt * 2 + 1] };
		for (int t = 0; t < len; t++)
			for (int j = 0; j < 2; j++) {
				acc[j] += x[bt * 6 + (reverse ? len - 1 - t : t) * 2 + j];
				want[bt * 6 + t * 2 + j] = acc[j];
			}
		want_sum[bt * 2] = acc[0];
		want_sum[bt * 2 + 1] = acc[1];
	}
	grt_session_output(s, 0, &v);
	ck_assert_int_eq(v.ndim, 2);
	for (int i = 0; i < 4; i++)
		ck_assert_float_eq(((float *)v.data)[i], want_sum[i]);
	grt_session_output(s, 1, &v);
	ck_assert_int_eq(v.ndim, 3);
	ck_assert_int_eq(v.dims[0], 2);
	ck_assert_int_eq(v.dims[1], 3);
	for (int i = 0; i < 12; i++)
		ck_assert_float_eq(((float *)v.data)[i], want[i]);
	if (with_lens) {              /* a length past the sequence axis */
		grt_session_input(s, 0, &v);
		((int64_t *)v.data)[1] = 4;
		expect_error("sequence_lens 4", grt_session_errmsg(s), grt_session_run(s),
		             GRT_E_SHAPE, "sequence_lens[1] = 4 is outside [0, 3]");
	}
	grt_session_free(s);
	grt_model_free(m);
}

START_TEST(scan8_batches)
{
	scan8_case(0, 0);
	scan8_case(0, 1);
	scan8_case(1, 1);
}
END_TEST

/* If within If, depth levels deep, each level's then branch holding the next:
 * 8 levels plan and run; 30 exceed what the loader parses. */
static struct mg *nested_ifs(int depth, int level)
{
	struct mg *g = level ? mg_new(8, OPSET) : model_xc();
	char out[32], inner[32];
	int n;

	snprintf(out, sizeof(out), level ? "y%d" : "y", level);
	snprintf(inner, sizeof(inner), "y%d", level + 1);
	if (level + 1 == depth) {
		mg_node(g, "Neg", "", "x", out);
	} else {
		n = mg_node(g, "If", "", "c", out);
		mg_attr_graph(g, n, "then_branch", nested_ifs(depth, level + 1));
		mg_attr_graph(g, n, "else_branch", branch_square("x", inner));
	}
	if (level)
		mg_output(g, out, FLOAT, 2, d23);
	return g;
}

START_TEST(if_deep_nesting)
{
	grt_model *m = load(nested_ifs(8, 0));
	grt_model *deep = NULL;
	char err[512];
	float y[6];
	int rc;

	run_xc(m, NULL, 1, y);
	for (int i = 0; i < 6; i++)
		ck_assert_float_eq(y[i], -xs[i]);
	run_xc(m, NULL, 0, y);
	for (int i = 0; i < 6; i++)
		ck_assert_float_eq(y[i], xs[i] * xs[i]);
	grt_model_free(m);
	rc = mg_load(nested_ifs(30, 0), &deep, err, sizeof(err));
	expect_error("30 nested Ifs", err, rc, GRT_E_LIMIT, "nests messages");
	ck_assert_ptr_null(deep);
}
END_TEST

int main(void)
{
	const struct test_def defs[] = {
		{ "if", if_dynamic, 0, 0, 0 },
		{ "if", if_const_inlined, 0, 0, 0 },
		{ "if", if_nested, 0, 0, 0 },
		{ "if", if_rewrites_stay_inside, 0, 0, 0 },
		{ "if", if_errors, 0, 0, 0 },
		{ "if", if_branch_unplannable, 0, 0, 0 },
		{ "if", if_deep_nesting, 0, 0, 0 },
		{ "dynamic", dynamic_nodes, 0, 0, 0 },
		{ "loop", loop_carried_and_scanned, 0, 0, 0 },
		{ "loop", loop_hostile_trip_count, 0, 0, 60 },
		{ "loop", scan_axes_directions, 0, 0, 0 },
		{ "loop", scan8_batches, 0, 0, 0 },
	};
	Suite *suites[] = { suite_from_table("control", defs, N_ELEMS(defs)) };

	return run_suites(suites, N_ELEMS(suites), 0);
}

/* check_functions.c - model-local functions (runtime/model_function.c): calls
 * expanded at load, checked against values computed here from the formulas
 * (x*w, LayerNormalization, ...), renaming inside subgraphs, and the models
 * that are refused (recursion, depth, fan-out, arity) with their messages. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "proto/onnx.pb-c.h"
#include "runtime/internal.h"
#include "tests/check_util.h"
#include "tests/modelgen.h"

#define T_FLOAT ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT
#define T_INT ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT

static char err[512];
static const int64_t d23[2] = { 2, 3 }, d3[1] = { 3 };
static const float x23[6] = { 0.5f, -1.0f, 2.0f, 3.0f, 0.25f, -2.0f };
static const float w23[6] = { 1.5f, 2.0f, -0.5f, 0.75f, -3.0f, 1.0f };
static const float scale3[3] = { 1.0f, 0.5f, 2.0f }, bias3[3] = { 0.1f, -0.2f, 0.3f };

/* Loads g (freed), runs it on x (2,3) as input 0, copies output k (2,3) to out[k]. */
static void run_x(struct mg *g, int n_out, float (*out)[6], int *n_nodes)
{
	grt_model *m = NULL;
	grt_session *s = NULL;
	grt_value v;

	expect_ok("load", err, mg_load(g, &m, err, sizeof(err)));
	if (n_nodes)
		*n_nodes = grt_model_n_nodes(m);
	expect_ok("session", err, grt_session_create(m, NULL, &s, err, sizeof(err)));
	grt_session_input(s, 0, &v);
	memcpy(v.data, x23, sizeof(x23));
	ck_assert_int_eq(grt_session_run(s), GRT_OK);
	for (int k = 0; k < n_out; k++) {
		grt_session_output(s, k, &v);
		ck_assert_int_eq(v.dims[0] * v.dims[1], 6);
		memcpy(out[k], v.data, sizeof(out[k]));
	}
	grt_session_free(s);
	grt_model_free(m);
}

static void expect_close(const char *what, const float *got, const float *want, int n)
{
	for (int i = 0; i < n; i++)
		ck_assert_msg(fabsf(got[i] - want[i]) <= 1e-5f * (1 + fabsf(want[i])),
		              "%s: element %d: got %.7g, expected %.7g", what, i, got[i], want[i]);
}

/* LayerNormalization over the last axis of x (2,3) into y. */
static void layer_norm(const float *x, float eps, float *y)
{
	for (int r = 0; r < 2; r++) {
		double mean = 0, var = 0;
		for (int c = 0; c < 3; c++)
			mean += x[3 * r + c] / 3.0;
		for (int c = 0; c < 3; c++)
			var += (x[3 * r + c] - mean) * (x[3 * r + c] - mean) / 3.0;
		for (int c = 0; c < 3; c++)
			y[3 * r + c] = (float)((x[3 * r + c] - mean) / sqrt(var + eps) * scale3[c] +
			                       bias3[c]);
	}
}

static struct mg *new_model(int64_t ir, int opset, int n_out)
{
	struct mg *g = mg_new(ir, opset);
	const char *names[3] = { "y", "y1", "y2" };

	mg_import(g, "pkg.local", 1);
	mg_input(g, "x", 1, 2, d23);
	for (int k = 0; k < n_out; k++)
		mg_output(g, names[k], 1, 2, d23);
	return g;
}

/* f(A, B) = A * B + A, called twice: y = f(f(x, w), w). */
START_TEST(call_twice)
{
	struct mg *g = new_model(8, 17, 1);
	int fn = mg_function(g, "pkg.local", "f", "A,B", "C", NULL);
	float y[1][6], want[6];
	int n_nodes;

	mg_fn_import(g, fn, "", 17);
	mg_body(g, fn);
	mg_node(g, "Mul", "mul", "A,B", "T");
	mg_node(g, "Add", "add", "T,A", "C");
	mg_body(g, -1);
	mg_init(g, "w", 1, 2, d23, w23);
	mg_domain(g, mg_node(g, "f", "call1", "x,w", "t"), "pkg.local");
	mg_domain(g, mg_node(g, "f", "call2", "t,w", "y"), "pkg.local");
	run_x(g, 1, y, &n_nodes);
	ck_assert_int_eq(n_nodes, 4);
	for (int i = 0; i < 6; i++) {
		float t = x23[i] * w23[i] + x23[i];
		want[i] = t * w23[i] + t;
	}
	expect_close(__func__, y[0], want, 6);
}
END_TEST

/* ln(X, S, B) = LayerNormalization(epsilon = ref eps, axis = ref ax), eps
 * defaulting to 0.5 (attribute_proto): called with both, with axis only (the
 * default applies) and with neither (axis is left out: LayerNormalization's
 * own default, -1). */
START_TEST(attribute_refs)
{
	struct mg *g = new_model(9, 17, 3);
	int fn = mg_function(g, "pkg.local", "ln", "X,S,B", "Y", "eps,ax");
	float y[3][6], want[6];
	int n;

	mg_fn_import(g, fn, "", 17);
	mg_fn_default_float(g, fn, "eps", 0.5f);
	mg_body(g, fn);
	n = mg_node(g, "LayerNormalization", "ln", "X,S,B", "Y");
	mg_attr_ref(g, n, "epsilon", T_FLOAT, "eps");
	mg_attr_ref(g, n, "axis", T_INT, "ax");
	mg_body(g, -1);
	mg_init(g, "s", 1, 1, d3, scale3);
	mg_init(g, "b", 1, 1, d3, bias3);
	n = mg_node(g, "ln", "both", "x,s,b", "y");
	mg_domain(g, n, "pkg.local");
	mg_attr_float(g, n, "eps", 0.01f);
	mg_attr_int(g, n, "ax", 1);
	n = mg_node(g, "ln", "axis_only", "x,s,b", "y1");
	mg_domain(g, n, "pkg.local");
	mg_attr_int(g, n, "ax", -1);
	mg_domain(g, mg_node(g, "ln", "neither", "x,s,b", "y2"), "pkg.local");
	run_x(g, 3, y, NULL);
	layer_norm(x23, 0.01f, want);
	expect_close("eps 0.01", y[0], want, 6);
	layer_norm(x23, 0.5f, want);
	expect_close("eps default 0.5", y[1], want, 6);
	expect_close("axis left out", y[2], want, 6);
}
END_TEST

/* A model at opset 18 calls outer (opset 13: ReduceMean's axes attribute),
 * which calls inner (opset 18) passing its attribute on by reference:
 * y = LayerNormalization(x - mean(x), epsilon = 0.25) + (x - mean(x)). */
START_TEST(nested_calls_own_opsets)
{
	struct mg *g = new_model(8, 18, 1);
	int outer = mg_function(g, "pkg.local", "outer", "A,S,B", "Y", "eps");
	int inner = mg_function(g, "pkg.local", "inner", "A,M,S,B", "Y", "e");
	const int64_t axes[1] = { 1 };
	float y[1][6], want[6], d[6];
	int n;

	mg_fn_import(g, outer, "", 13);
	mg_fn_import(g, outer, "pkg.local", 1);
	mg_body(g, outer);
	n = mg_node(g, "ReduceMean", "mean", "A", "M");
	mg_attr_ints(g, n, "axes", 1, axes);
	n = mg_node(g, "inner", "call_inner", "A,M,S,B", "Y");
	mg_domain(g, n, "pkg.local");
	mg_attr_ref(g, n, "e", T_FLOAT, "eps");
	mg_fn_import(g, inner, "", 18);
	mg_body(g, inner);
	mg_node(g, "Sub", "sub", "A,M", "D");
	n = mg_node(g, "LayerNormalization", "ln", "D,S,B", "L");
	mg_attr_ref(g, n, "epsilon", T_FLOAT, "e");
	mg_node(g, "Add", "add", "L,D", "Y");
	mg_body(g, -1);
	mg_init(g, "s", 1, 1, d3, scale3);
	mg_init(g, "b", 1, 1, d3, bias3);
	n = mg_node(g, "outer", "call_outer", "x,s,b", "y");
	mg_domain(g, n, "pkg.local");
	mg_attr_float(g, n, "eps", 0.25f);
	run_x(g, 1, y, NULL);
	for (int r = 0; r < 2; r++)
		for (int c = 0; c < 3; c++)
			d[3 * r + c] = x23[3 * r + c] -
			               (x23[3 * r] + x23[3 * r + 1] + x23[3 * r + 2]) / 3.0f;
	layer_norm(d, 0.25f, want);
	for (int i = 0; i < 6; i++)
		want[i] += d[i];
	expect_close(__func__, y[0], want, 6);
}
END_TEST

/* p(X, P, V) -> (Y, Z): Y = Pad(X, P, V), Z = Mul(X, X); called without V
 * (Pad's constant_value is then omitted: zeros) and without Z. */
START_TEST(omitted_input_and_output)
{
	struct mg *g = mg_new(8, 17);
	int fn = mg_function(g, "pkg.local", "p", "X,P,V", "Y,Z", NULL);
	const int64_t pads[4] = { 0, 1, 0, 0 }, d2[1] = { 4 }, d24[2] = { 2, 4 };
	grt_model *m = NULL;
	grt_session *s = NULL;
	grt_value v;
	const float *y;

	mg_import(g, "pkg.local", 1);
	mg_input(g, "x", 1, 2, d23);
	mg_output(g, "y", 1, 2, d24);
	mg_fn_import(g, fn, "", 17);
	mg_body(g, fn);
	mg_node(g, "Pad", "pad", "X,P,V", "Y");
	mg_node(g, "Mul", "sq", "X,X", "Z");
	mg_body(g, -1);
	mg_init(g, "pads", 7, 1, d2, pads);
	mg_domain(g, mg_node(g, "p", "call", "x,pads", "y"), "pkg.local");
	expect_ok("load", err, mg_load(g, &m, err, sizeof(err)));
	expect_ok("session", err, grt_session_create(m, NULL, &s, err, sizeof(err)));
	grt_session_input(s, 0, &v);
	memcpy(v.data, x23, sizeof(x23));
	ck_assert_int_eq(grt_session_run(s), GRT_OK);
	grt_session_output(s, 0, &v);
	y = v.data;
	for (int r = 0; r < 2; r++)
		for (int c = 0; c < 4; c++)
			ck_assert_float_eq(y[4 * r + c], c == 0 ? 0.0f : x23[3 * r + c - 1]);
	grt_session_free(s);
	grt_model_free(m);
}
END_TEST

/* IR 10: two functions named f, told apart by their overload. */
START_TEST(overloads)
{
	struct mg *g = new_model(10, 17, 2);
	int fa = mg_function(g, "pkg.local", "f", "A", "B", NULL);
	int fb = mg_function(g, "pkg.local", "f", "A", "B", NULL);
	float y[2][6];
	int n;

	mg_overload(g, fa, -1, "add");
	mg_overload(g, fb, -1, "mul");
	mg_fn_import(g, fa, "", 17);
	mg_fn_import(g, fb, "", 17);
	mg_body(g, fa);
	mg_node(g, "Add", "add", "A,A", "B");
	mg_body(g, fb);
	mg_node(g, "Mul", "mul", "A,A", "B");
	mg_body(g, -1);
	n = mg_node(g, "f", "call_mul", "x", "y");
	mg_domain(g, n, "pkg.local");
	mg_overload(g, -1, n, "mul");
	n = mg_node(g, "f", "call_add", "x", "y1");
	mg_domain(g, n, "pkg.local");
	mg_overload(g, -1, n, "add");
	run_x(g, 2, y, NULL);
	for (int i = 0; i < 6; i++) {
		ck_assert_float_eq(y[0][i], x23[i] * x23[i]);
		ck_assert_float_eq(y[1][i], x23[i] + x23[i]);
	}
}
END_TEST

/* The expansion itself, on the parse tree: a body node's subgraph that reads
 * a function-local value and a formal input gets both renamed, and a call in
 * a subgraph of the main graph is expanded there. (Our registry has no If
 * yet: the tree is checked, not run.) */
START_TEST(subgraph_renaming)
{
	struct mg *g = new_model(8, 17, 1);
	int fn = mg_function(g, "pkg.local", "f", "A,C", "Y", NULL);
	struct parse_arena arena = { NULL, NULL };
	ProtobufCAllocator alloc = { parse_alloc, parse_free, &arena };
	struct fn_expansion *fx;
	Onnx__ModelProto *mp;
	const Onnx__NodeProto *np, *inner;
	uint8_t *buf;
	size_t len;
	int n;

	mg_fn_import(g, fn, "", 17);
	mg_body(g, fn);
	mg_node(g, "Sqrt", "sq", "A", "T");
	n = mg_node(g, "If", "if", "C", "Y");
	mg_attr_graph_open(g, n, "then_branch");
	mg_node(g, "Add", "in_then", "T,A", "U");
	mg_body(g, -1);
	n = mg_node(g, "If", "main_if", "c", "y");
	mg_attr_graph_open(g, n, "then_branch");
	mg_domain(g, mg_node(g, "f", "call_in_branch", "x,c", "z"), "pkg.local");
	mg_pack(g, &buf, &len);
	mp = onnx__model_proto__unpack(&alloc, len, buf);
	free(buf);
	ck_assert_ptr_nonnull(mp);
	expect_ok("expand", err, expand_functions(mp, &arena, &fx, err, sizeof(err)));
	ck_assert_ptr_nonnull(fx);
	ck_assert_int_eq(mp->graph->n_node, 1);
	np = mp->graph->node[0]->attribute[0]->g->node[0];          /* Sqrt, from f */
	ck_assert_str_eq(np->op_type, "Sqrt");
	ck_assert_str_eq(np->name, "_f0/sq");
	ck_assert_str_eq(np->input[0], "x");
	ck_assert_str_eq(np->output[0], "_f0/T");
	ck_assert_int_eq(function_node_opset(fx, np, 99), 17);
	ck_assert_int_eq(function_node_opset(fx, mp->graph->node[0], 99), 99);
	np = mp->graph->node[0]->attribute[0]->g->node[1];          /* If, from f */
	ck_assert_str_eq(np->input[0], "c");
	ck_assert_str_eq(np->output[0], "z");
	inner = np->attribute[0]->g->node[0];
	ck_assert_str_eq(inner->input[0], "_f0/T");
	ck_assert_str_eq(inner->input[1], "x");
	ck_assert_str_eq(inner->output[0], "_f0/U");
	ck_assert_int_eq(function_node_opset(fx, inner, 99), 17);
	parse_arena_free(&arena);
}
END_TEST

/* --- refusals --- */

static void chain(struct mg *g, int n_fns, int calls_each)
{
	char name[16], callee[16];

	for (int i = 0; i < n_fns; i++) {
		int fn;
		snprintf(name, sizeof(name), "f%d", i);
		fn = mg_function(g, "pkg.local", name, "A", "B", NULL);
		mg_fn_import(g, fn, "", 17);
		mg_fn_import(g, fn, "pkg.local", 1);
		mg_body(g, fn);
		if (i == n_fns - 1) {
			mg_node(g, "Sqrt", "leaf", "A", "B");
			continue;
		}
		snprintf(callee, sizeof(callee), "f%d", i + 1);
		for (int k = 0; k < calls_each; k++) {
			char in[8], out[8];
			snprintf(in, sizeof(in), k ? "T%d" : "A", k - 1);
			snprintf(out, sizeof(out), k == calls_each - 1 ? "B" : "T%d", k);
			mg_domain(g, mg_node(g, callee, NULL, in, out), "pkg.local");
		}
	}
	mg_body(g, -1);
}

static void direct_recursion(struct mg *g)
{
	int fn = mg_function(g, "pkg.local", "f", "A", "B", NULL);

	mg_fn_import(g, fn, "pkg.local", 1);
	mg_body(g, fn);
	mg_domain(g, mg_node(g, "f", "again", "A", "B"), "pkg.local");
	mg_body(g, -1);
}

static void indirect_recursion(struct mg *g)
{
	int f = mg_function(g, "pkg.local", "f", "A", "B", NULL);
	int h = mg_function(g, "pkg.local", "g", "A", "B", NULL);

	mg_body(g, f);
	mg_domain(g, mg_node(g, "g", NULL, "A", "B"), "pkg.local");
	mg_body(g, h);
	mg_domain(g, mg_node(g, "f", NULL, "A", "B"), "pkg.local");
	mg_body(g, -1);
}

static void too_deep(struct mg *g) { chain(g, 40, 1); }
static void fan_out(struct mg *g) { chain(g, 12, 4); }      /* 4^11 Sqrt nodes */

static void too_many_inputs(struct mg *g) { chain(g, 1, 1); }

static void duplicate(struct mg *g)
{
	chain(g, 1, 1);
	chain(g, 1, 1);
}

static void ref_type_mismatch(struct mg *g)
{
	int fn = mg_function(g, "pkg.local", "f0", "A", "B", "k");
	int n;

	mg_fn_import(g, fn, "", 17);
	mg_body(g, fn);
	n = mg_node(g, "LayerNormalization", "ln", "A", "B");
	mg_attr_ref(g, n, "epsilon", T_FLOAT, "k");
	mg_body(g, -1);
}

static const struct refusal {
	const char *what;
	void (*build)(struct mg *g);
	const char *call_inputs;        /* of the main graph's call of f0 (or f) */
	const char *callee;
	int want;
	const char *msg;
} refusals[] = {
	{ "direct recursion", direct_recursion, "x", "f", GRT_E_INVALID_MODEL,
	  "function 'f' calls itself ('f' -> 'f')" },
	{ "indirect recursion", indirect_recursion, "x", "f", GRT_E_INVALID_MODEL,
	  "calls itself ('f' -> 'g' -> 'f')" },
	{ "depth", too_deep, "x", "f0", GRT_E_LIMIT, "deeper than 32 levels" },
	{ "fan-out", fan_out, "x", "f0", GRT_E_LIMIT, "more than 1048576 nodes and names" },
	{ "arity", too_many_inputs, "x,x", "f0", GRT_E_INVALID_MODEL,
	  "node 'call' calls function 'f0' with 2 inputs" },
	{ "duplicate", duplicate, "x", "f0", GRT_E_INVALID_MODEL,
	  "function 'f0' of domain 'pkg.local' is defined twice" },
	{ "ref type", ref_type_mismatch, "x", "f0", GRT_E_INVALID_MODEL,
	  "attribute 'epsilon' refers to 'k' of type 1, the call gives type 2" },
	{ "not a function", too_many_inputs, "x", "f9", GRT_E_UNSUPPORTED,
	  "domain 'pkg.local' is not supported" },
};

START_TEST(refused)
{
	const struct refusal *r = &refusals[_i];
	struct mg *g = new_model(9, 17, 1);
	grt_model *m = NULL;
	int n;

	if (r->build)
		r->build(g);
	n = mg_node(g, r->callee, "call", r->call_inputs, "y");
	mg_domain(g, n, "pkg.local");
	mg_attr_int(g, n, "k", 3);
	expect_error(r->what, err, mg_load(g, &m, err, sizeof(err)), r->want, r->msg);
	ck_assert_ptr_null(m);
}
END_TEST

int main(void)
{
	const struct test_def tests[] = {
		{ "values", call_twice }, { "values", attribute_refs },
		{ "values", nested_calls_own_opsets }, { "values", omitted_input_and_output },
		{ "values", overloads }, { "expansion", subgraph_renaming },
		{ "errors", refused, 0, N_ELEMS(refusals) },
	};
	Suite *s = suite_from_table("functions", tests, N_ELEMS(tests));

	return run_suites(&s, 1, 0);
}

/* seeds.c - the seed models of fuzz_load and fuzz_mutate, written with
 * tests/modelgen.c (fuzz.h): the replayers run them in memory, make_seeds
 * writes them out for `make fuzz`. Small graphs of the op families GTCRN
 * uses: Conv with pads and a PRelu, a bidirectional GRU, a cache update
 * (Concat, Slice, ScatterND), a decomposed LayerNorm with MatMul + Add,
 * Gather + Transpose + Einsum, MaxPool with Indices + Resize +
 * InstanceNormalization; control flow (If, Loop, Scan); and model-local
 * functions (nested, with attribute references, a default value and an
 * overload). */
#include <stdlib.h>
#include "tests/fuzz/fuzz.h"
#include "tests/modelgen.h"

void fuzz_emit(struct mg *g, const char *name, fuzz_seed_fn fn, void *ctx)
{
	uint8_t *buf;
	size_t len;

	mg_pack(g, &buf, &len);
	fn(name, buf, len, ctx);
	free(buf);
}

static void conv_prelu(fuzz_seed_fn fn, void *ctx)
{
	static const int64_t dx[4] = { 1, 2, 4, 5 }, dw[4] = { 3, 2, 3, 3 }, db[1] = { 3 };
	static const int64_t dy[4] = { 1, 3, 4, 5 }, ds[3] = { 3, 1, 1 }, pads[4] = { 1, 1, 1, 1 };
	static const float b[3] = { 0.1f, 0.2f, 0.3f }, slope[3] = { 0.25f, 0.25f, 0.1f };
	struct mg *g = mg_new(7, 13);
	float w[54];
	int n;

	for (int i = 0; i < 54; i++)
		w[i] = (float)((i * 7) % 11 - 5) / 10;
	mg_input(g, "x", 1, 4, dx);
	mg_output(g, "y", 1, 4, dy);
	mg_init(g, "w", 1, 4, dw, w);
	mg_init(g, "b", 1, 1, db, b);
	mg_init(g, "slope", 1, 3, ds, slope);
	n = mg_node(g, "Conv", "conv", "x,w,b", "c");
	mg_attr_ints(g, n, "pads", 4, pads);
	mg_node(g, "PRelu", "prelu", "c,slope", "y");
	fuzz_emit(g, "conv_prelu.onnx", fn, ctx);
}

static void gru_bidir(fuzz_seed_fn fn, void *ctx)
{
	static const int64_t dx[3] = { 3, 1, 4 }, dw[3] = { 2, 6, 4 }, dr[3] = { 2, 6, 2 };
	static const int64_t db[2] = { 2, 12 }, dy[4] = { 3, 2, 1, 2 };
	struct mg *g = mg_new(7, 14);
	float w[48], r[24], b[24];
	int n;

	for (int i = 0; i < 48; i++)
		w[i] = (float)(i % 5) / 10 - 0.2f;
	for (int i = 0; i < 24; i++) {
		r[i] = (float)(i % 3) / 10;
		b[i] = 0.01f * (float)i;
	}
	mg_input(g, "x", 1, 3, dx);
	mg_output(g, "y", 1, 4, dy);
	mg_init(g, "w", 1, 3, dw, w);
	mg_init(g, "r", 1, 3, dr, r);
	mg_init(g, "b", 1, 2, db, b);
	n = mg_node(g, "GRU", "gru", "x,w,r,b", "y");
	mg_attr_int(g, n, "hidden_size", 2);
	mg_attr_string(g, n, "direction", "bidirectional");
	mg_attr_int(g, n, "linear_before_reset", 1);
	fuzz_emit(g, "gru_bidir.onnx", fn, ctx);
}

/* cache_out = the cache with its last column set to the new frame */
static void cache_scatter(fuzz_seed_fn fn, void *ctx)
{
	static const int64_t dc[3] = { 1, 3, 4 }, di[3] = { 1, 3, 3 }, dx[3] = { 1, 3, 1 };
	static const int64_t dcat[3] = { 1, 3, 5 }, d1[1] = { 1 };
	static const int64_t idx[9] = { 0, 0, 3, 0, 1, 3, 0, 2, 3 };
	static const int64_t start[1] = { 1 }, end[1] = { 4 }, axis[1] = { 2 };
	struct mg *g = mg_new(7, 13);
	int n;

	mg_input(g, "cache", 1, 3, dc);
	mg_input(g, "x", 1, 3, dx);
	mg_output(g, "cache_out", 1, 3, dc);
	mg_output(g, "cat", 1, 3, dcat);
	mg_init(g, "idx", 7, 3, di, idx);
	mg_init(g, "s", 7, 1, d1, start);
	mg_init(g, "e", 7, 1, d1, end);
	mg_init(g, "a", 7, 1, d1, axis);
	n = mg_node(g, "Concat", "cat", "cache,x", "cat");
	mg_attr_int(g, n, "axis", 2);
	mg_node(g, "Slice", "sl", "cat,s,e,a", "sh");
	mg_node(g, "ReduceMean", "rm", "sh", "u0");
	n = mg_node(g, "ReduceMean", "sq", "x", "u");
	mg_attr_ints(g, n, "axes", 1, axis);
	mg_attr_int(g, n, "keepdims", 0);
	mg_node(g, "ScatterND", "sc", "cache,idx,u", "cache_out");
	fuzz_emit(g, "cache_scatter.onnx", fn, ctx);
}

static void layernorm_matmul(fuzz_seed_fn fn, void *ctx)
{
	static const int64_t dx[2] = { 2, 4 }, dw[2] = { 4, 3 }, dy[2] = { 2, 3 }, d1[1] = { 1 };
	static const int64_t db[1] = { 3 }, last[1] = { -1 };
	static const float w[12] = { 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1 }, b[3] = { 0.5f, -0.5f, 0 };
	static const float two[1] = { 2 }, eps[1] = { 1e-5f };
	struct mg *g = mg_new(7, 13);
	int n;

	mg_input(g, "x", 1, 2, dx);
	mg_output(g, "y", 1, 2, dy);
	mg_init(g, "w", 1, 2, dw, w);
	mg_init(g, "b", 1, 1, db, b);
	mg_init(g, "two", 1, 1, d1, two);
	mg_init(g, "eps", 1, 1, d1, eps);
	n = mg_node(g, "ReduceMean", "m1", "x", "mu");
	mg_attr_ints(g, n, "axes", 1, last);
	mg_node(g, "Sub", "sub", "x,mu", "d");
	mg_node(g, "Pow", "pow", "d,two", "d2");
	n = mg_node(g, "ReduceMean", "m2", "d2", "var");
	mg_attr_ints(g, n, "axes", 1, last);
	mg_node(g, "Add", "adde", "var,eps", "ve");
	mg_node(g, "Sqrt", "sqrt", "ve", "sd");
	mg_node(g, "Div", "div", "d,sd", "nrm");
	mg_node(g, "MatMul", "mm", "nrm,w", "p");
	mg_node(g, "Add", "addb", "p,b", "y");
	fuzz_emit(g, "layernorm_matmul.onnx", fn, ctx);
}

static void gather_einsum(fuzz_seed_fn fn, void *ctx)
{
	static const int64_t dx[3] = { 2, 3, 4 }, di[1] = { 2 }, dy[2] = { 3, 3 };
	static const int64_t idx[2] = { 0, -1 }, perm[3] = { 1, 0, 2 };
	struct mg *g = mg_new(7, 13);
	int n;

	mg_input(g, "x", 1, 3, dx);
	mg_output(g, "y", 1, 2, dy);
	mg_init(g, "i", 7, 1, di, idx);
	n = mg_node(g, "Gather", "g", "x,i", "gx");
	mg_attr_int(g, n, "axis", 2);
	n = mg_node(g, "Transpose", "t", "gx", "tx");
	mg_attr_ints(g, n, "perm", 3, perm);
	n = mg_node(g, "Einsum", "e", "tx,tx", "y");
	mg_attr_string(g, n, "equation", "abc,dbc->ad");
	fuzz_emit(g, "gather_einsum.onnx", fn, ctx);
}

/* If on a run-time condition around a nested If on a shape, a Loop with a
 * carried value and a scan output, and a Scan: the subgraphs, their outer
 * values and the planner's control steps. */
static void control_flow(fuzz_seed_fn fn, void *ctx)
{
	static const int64_t dx[2] = { 2, 3 }, dys[3] = { -1, 2, 3 }, one = 1, zero = 0;
	static const float two = 2.0f;
	struct mg *g = mg_new(8, 16), *t = mg_new(8, 16), *e = mg_new(8, 16);
	struct mg *tt = mg_new(8, 16), *te = mg_new(8, 16), *b = mg_new(8, 16);
	struct mg *sb = mg_new(8, 16);
	int n;

	mg_input(g, "x", 1, 2, dx);
	mg_input(g, "c", 9, 0, NULL);
	mg_input(g, "M", 7, 0, NULL);
	mg_output(g, "y", 1, 2, dx);
	mg_output(g, "ys", 1, 3, dys);
	mg_output(g, "s", 1, 1, dx + 1);
	mg_init(g, "two", 1, 0, NULL, &two);
	mg_init(g, "one", 7, 0, NULL, &one);
	mg_init(g, "zero", 7, 0, NULL, &zero);
	/* If(c) { If(Shape(x)[0] == 2) { x * two } else { x } } else { x + two } */
	mg_node(t, "Shape", "", "x", "shp");
	mg_node(t, "Gather", "", "shp,zero", "d0");
	mg_node(t, "Equal", "", "d0,two_i", "is2");
	mg_init(t, "two_i", 7, 0, NULL, &(int64_t){ 2 });
	n = mg_node(t, "If", "inner", "is2", "ti");
	mg_node(tt, "Mul", "", "x,two", "m");
	mg_output(tt, "m", 1, 2, dx);
	mg_output(te, "x", 1, 2, dx);
	mg_attr_graph(t, n, "then_branch", tt);
	mg_attr_graph(t, n, "else_branch", te);
	mg_output(t, "ti", 1, 2, dx);
	mg_node(e, "Add", "", "x,two", "ea");
	mg_output(e, "ea", 1, 2, dx);
	n = mg_node(g, "If", "outer", "c", "xi");
	mg_attr_graph(g, n, "then_branch", t);
	mg_attr_graph(g, n, "else_branch", e);
	/* Loop(M, , xi): y = y * two each iteration, ys stacks them */
	mg_input(b, "i", 7, 0, NULL);
	mg_input(b, "cin", 9, 0, NULL);
	mg_input(b, "yin", 1, 2, dx);
	mg_node(b, "Identity", "", "cin", "cout");
	mg_node(b, "Mul", "", "yin,two", "yout");
	mg_node(b, "Identity", "", "yout", "scan");
	mg_output(b, "cout", 9, 0, NULL);
	mg_output(b, "yout", 1, 2, dx);
	mg_output(b, "scan", 1, 2, dx);
	n = mg_node(g, "Loop", "loop", "M,,xi", "y,ys");
	mg_attr_graph(g, n, "body", b);
	/* Scan over the rows of x: a running sum */
	mg_input(sb, "acc", 1, 1, dx + 1);
	mg_input(sb, "row", 1, 1, dx + 1);
	mg_node(sb, "Add", "", "acc,row", "acc2");
	mg_output(sb, "acc2", 1, 1, dx + 1);
	n = mg_node(g, "Scan", "scan", "row0,x", "s");
	mg_node(g, "Gather", "", "x,zero", "row0");
	mg_attr_int(g, n, "num_scan_inputs", 1);
	mg_attr_graph(g, n, "body", sb);
	fuzz_emit(g, "control_flow.onnx", fn, ctx);
}

/* block(X, S, B) = ln(X, S, B) * ln(X, S, B; eps): two calls of the
 * overloaded ln (LayerNormalization, epsilon a reference with a default),
 * the first leaving eps out, the second passing block's own on. */
static void functions_nested(fuzz_seed_fn fn, void *ctx)
{
	static const int64_t dx[2] = { 2, 3 }, d3[1] = { 3 };
	static const float s[3] = { 1.0f, 0.5f, 2.0f }, b[3] = { 0.1f, -0.2f, 0.3f };
	struct mg *g = mg_new(10, 18);
	int block = mg_function(g, "pkg.local", "block", "X,S,B", "Y", "eps");
	int ln = mg_function(g, "pkg.local", "ln", "X,S,B", "Y", "e");
	int n;

	mg_import(g, "pkg.local", 1);
	mg_input(g, "x", 1, 2, dx);
	mg_output(g, "y", 1, 2, dx);
	mg_init(g, "s", 1, 1, d3, s);
	mg_init(g, "b", 1, 1, d3, b);
	mg_fn_import(g, block, "", 18);
	mg_fn_import(g, block, "pkg.local", 1);
	mg_body(g, block);
	for (int k = 0; k < 2; k++) {
		n = mg_node(g, "ln", NULL, "X,S,B", k ? "L1" : "L0");
		mg_domain(g, n, "pkg.local");
		mg_overload(g, -1, n, "v2");
		if (k)
			mg_attr_ref(g, n, "e", 1, "eps");
	}
	mg_node(g, "Mul", "mul", "L0,L1", "Y");
	mg_fn_import(g, ln, "", 17);
	mg_overload(g, ln, -1, "v2");
	mg_fn_default_float(g, ln, "e", 1e-3f);
	mg_body(g, ln);
	n = mg_node(g, "LayerNormalization", "ln", "X,S,B", "Y");
	mg_attr_ref(g, n, "epsilon", 1, "e");
	mg_body(g, -1);
	n = mg_node(g, "block", "call_block", "x,s,b", "y");
	mg_domain(g, n, "pkg.local");
	mg_attr_float(g, n, "eps", 0.25f);
	fuzz_emit(g, "functions_nested.onnx", fn, ctx);
}

/* MaxPool with Indices, Resize and InstanceNormalization */
static void pool_resize(fuzz_seed_fn fn, void *ctx)
{
	static const int64_t dx[4] = { 1, 2, 6, 7 }, dp[4] = { 1, 2, 4, 4 }, dy[4] = { 1, 2, 6, 8 };
	static const int64_t d4[1] = { 4 }, d2[1] = { 2 }, k[2] = { 3, 2 }, st[2] = { 2, 2 };
	static const int64_t pads[4] = { 1, 1, 1, 1 };
	static const float scales[4] = { 1, 1, 1.5f, 2 }, sc[2] = { 0.5f, 2 }, b[2] = { 0, 1 };
	struct mg *g = mg_new(8, 18);
	int n;

	mg_input(g, "x", 1, 4, dx);
	mg_output(g, "y", 1, 4, dy);
	mg_output(g, "ind", 7, 4, dp);
	mg_init(g, "scales", 1, 1, d4, scales);
	mg_init(g, "sc", 1, 1, d2, sc);
	mg_init(g, "b", 1, 1, d2, b);
	n = mg_node(g, "MaxPool", "pool", "x", "p,ind");
	mg_attr_ints(g, n, "kernel_shape", 2, k);
	mg_attr_ints(g, n, "strides", 2, st);
	mg_attr_ints(g, n, "pads", 4, pads);
	mg_attr_int(g, n, "ceil_mode", 1);
	n = mg_node(g, "Resize", "resize", "p,,scales", "r");
	mg_attr_string(g, n, "mode", "linear");
	mg_node(g, "InstanceNormalization", "norm", "r,sc,b", "y");
	fuzz_emit(g, "pool_resize.onnx", fn, ctx);
}

void fuzz_seeds(fuzz_seed_fn fn, void *ctx)
{
	control_flow(fn, ctx);
	conv_prelu(fn, ctx);
	gru_bidir(fn, ctx);
	cache_scatter(fn, ctx);
	layernorm_matmul(fn, ctx);
	gather_einsum(fn, ctx);
	functions_nested(fn, ctx);
	pool_resize(fn, ctx);
}

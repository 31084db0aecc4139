/* check_errors.c - bad input gets a specific status and a message naming
 * the node, op type or tensor; nothing crashes. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "runtime/grt.h"
#include "tests/check_util.h"
#include "tests/modelgen.h"

static char err[512];

/* size_t wider than 32 bits (x86-64, aarch64). Where it is 32 bits (armhf)
 * a tensor over 2 GiB is refused by its shape, before any budget. */
#define SIZE_T_WIDE ((uint64_t)SIZE_MAX > UINT32_MAX)

static int load(struct mg *g, grt_model **m)
{
	return mg_load(g, m, err, sizeof(err));
}

START_TEST(truncated_model)
{
	uint8_t *buf;
	size_t len;
	grt_model *m = (grt_model *)1;
	int rc;

	buf = read_file(MODELS_DIR "/gtcrn_simple.onnx", &len);
	rc = grt_model_load_buffer(buf, len / 2, &m, err, sizeof(err));
	ck_assert_ptr_null(m);
	expect_error(__func__, err, rc, GRT_E_PARSE, "truncated");
	free(buf);
}
END_TEST

START_TEST(random_bytes)
{
	uint8_t buf[4096];
	uint32_t x = 12345;
	grt_model *m = NULL;
	int rc;

	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1664525u + 1013904223u;
		buf[i] = (uint8_t)(x >> 24);
	}
	rc = grt_model_load_buffer(buf, sizeof(buf), &m, err, sizeof(err));
	ck_assert_ptr_null(m);
	expect_error(__func__, err, rc, GRT_E_PARSE, "not an ONNX model");
}
END_TEST

START_TEST(missing_file)
{
	grt_model *m = NULL;
	int rc;

	rc = grt_model_load_file("/nonexistent/x.onnx", &m, err, sizeof(err));
	expect_error(__func__, err, rc, GRT_E_IO, "/nonexistent/x.onnx");
}
END_TEST

static const int64_t d23[2] = { 2, 3 };

/* Graphs from x (2,3) to y (2,3) that do not load: the nodes of each. */
static void frobnicate(struct mg *g)
{
	mg_node(g, "FrobnicateTensor", "frob_1", "x", "y");
}

static void mul_by_missing(struct mg *g)
{
	mg_node(g, "Mul", "scale", "x,gain_weight", "y");
}

static void two_writers(struct mg *g)
{
	mg_node(g, "Sqrt", "s1", "x", "y");
	mg_node(g, "Sqrt", "s2", "x", "y");
}

static void one_sqrt(struct mg *g)
{
	mg_node(g, "Sqrt", "s1", "x", "y");
}

static const struct {
	const char *name;
	int64_t ir_version;
	void (*nodes)(struct mg *g);
	int code;
	const char *msg[2];          /* both in the message; msg[1] may be NULL */
} graph_errors_table[] = {
	{ "unknown op", 7, frobnicate, GRT_E_UNSUPPORTED, { "frob_1", "FrobnicateTensor" } },
	{ "missing initializer", 7, mul_by_missing, GRT_E_MISSING, { "gain_weight", "scale" } },
	{ "duplicate output name", 7, two_writers, GRT_E_INVALID_MODEL, { "'y'" } },
	{ "no opset (IR version 2)", 2, one_sqrt, GRT_E_UNSUPPORTED, { "IR version 2" } },
};

START_TEST(graph_errors)
{
	struct mg *g = mg_new(graph_errors_table[_i].ir_version, 13);
	grt_model *m = NULL;
	int rc;

	mg_input(g, "x", 1, 2, d23);
	mg_output(g, "y", 1, 2, d23);
	graph_errors_table[_i].nodes(g);
	rc = load(g, &m);
	for (int k = 0; k < 2 && graph_errors_table[_i].msg[k]; k++)
		expect_error(graph_errors_table[_i].name, err, rc, graph_errors_table[_i].code,
		             graph_errors_table[_i].msg[k]);
}
END_TEST


START_TEST(cycle)
{
	struct mg *g = mg_new(7, 13);
	grt_model *m = NULL;
	int rc;

	mg_input(g, "x", 1, 2, d23);
	mg_output(g, "y", 1, 2, d23);
	mg_node(g, "Add", "add_a", "x,b", "a");
	mg_node(g, "Add", "add_b", "a,x", "b");
	mg_node(g, "Add", "add_y", "a,b", "y");
	rc = load(g, &m);
	expect_error(__func__, err, rc, GRT_E_CYCLE, "cycle");
	ck_assert_msg(strstr(err, "add_a") || strstr(err, "add_b"), "message: %s", err);
}
END_TEST

START_TEST(wrong_attr_type)
{
	struct mg *g = mg_new(7, 13);
	grt_model *m = NULL;
	grt_session *s = NULL;
	int k;
	int rc;

	mg_input(g, "x", 1, 2, d23);
	mg_output(g, "y", 1, 2, d23);
	k = mg_node(g, "Transpose", "tr", "x", "y");
	mg_attr_float(g, k, "perm", 1.0f);
	ck_assert_int_eq(load(g, &m), GRT_OK);
	rc = grt_session_create(m, NULL, &s, err, sizeof(err));
	expect_error(__func__, err, rc, GRT_E_ATTR, "perm");
	expect_error(__func__, err, rc, GRT_E_ATTR, "tr");
	grt_model_free(m);
}
END_TEST

static grt_model *simple(void)
{
	grt_model *m = NULL;

	ck_assert_int_eq(grt_model_load_file(MODELS_DIR "/gtcrn_simple.onnx", &m, err, sizeof(err)),
	                 GRT_OK);
	return m;
}

static void declared(const grt_model *m, grt_value *in)
{
	for (int i = 0; i < grt_model_n_inputs(m); i++)
		grt_model_input(m, i, NULL, &in[i], NULL);
}

START_TEST(wrong_input_shape)
{
	grt_model *m = simple();
	grt_value in[8];
	grt_session_opts o = { in, 4, 0, 0, 0 };
	grt_session *s = NULL;
	int rc;

	declared(m, in);
	in[0].dims[2] = 2;
	rc = grt_session_create(m, &o, &s, err, sizeof(err));
	ck_assert_ptr_null(s);
	expect_error(__func__, err, rc, GRT_E_SHAPE, "'mix'");
	expect_error(__func__, err, rc, GRT_E_SHAPE, "dim 2");
	declared(m, in);
	in[1].ndim = 4;
	rc = grt_session_create(m, &o, &s, err, sizeof(err));
	expect_error(__func__, err, rc, GRT_E_SHAPE, "'conv_cache'");
	grt_model_free(m);
}
END_TEST

START_TEST(wrong_input_dtype)
{
	grt_model *m = simple();
	grt_value in[8];
	grt_session_opts o = { in, 4, 0, 0, 0 };
	grt_session *s = NULL;
	int rc;

	declared(m, in);
	in[2].dtype = GRT_DOUBLE;
	rc = grt_session_create(m, &o, &s, err, sizeof(err));
	expect_error(__func__, err, rc, GRT_E_DTYPE, "'tra_cache'");
	expect_error(__func__, err, rc, GRT_E_DTYPE, "double");
	grt_model_free(m);
}
END_TEST

START_TEST(dynamic_dim_needs_shape)
{
	grt_model *m = NULL;
	grt_session *s = NULL;
	int rc;

	ck_assert_int_eq(grt_model_load_file(MODELS_DIR "/gtcrn_offline_op13.onnx", &m, err,
	                                     sizeof(err)), GRT_OK);
	rc = grt_session_create(m, NULL, &s, err, sizeof(err));
	expect_error(__func__, err, rc, GRT_E_SHAPE, "'spec'");
	expect_error(__func__, err, rc, GRT_E_SHAPE, "dynamic");
	grt_model_free(m);
}
END_TEST

/* A graph whose second input is an index tensor supplied at run time. */
static grt_session *index_model(const char *op, grt_model **mp)
{
	struct mg *g = mg_new(7, 13);
	static const int64_t d2[1] = { 2 }, d21[2] = { 2, 1 }, d2x3[2] = { 2, 3 };
	grt_session *s = NULL;

	mg_input(g, "data", 1, 2, d23);
	if (!strcmp(op, "Gather")) {
		mg_input(g, "idx", 7, 1, d2);
		mg_output(g, "y", 1, 2, d23);
		mg_node(g, "Gather", "gather_rows", "data,idx", "y");
	} else {
		mg_input(g, "idx", 7, 2, d21);
		mg_input(g, "upd", 1, 2, d2x3);
		mg_output(g, "y", 1, 2, d23);
		mg_node(g, "ScatterND", "scatter_rows", "data,idx,upd", "y");
	}
	ck_assert_int_eq(load(g, mp), GRT_OK);
	ck_assert_int_eq(grt_session_create(*mp, NULL, &s, err, sizeof(err)), GRT_OK);
	return s;
}

START_TEST(gather_index_out_of_range)
{
	grt_model *m;
	grt_session *s = index_model("Gather", &m);
	grt_value v;
	int rc;

	grt_session_input(s, 1, &v);
	((int64_t *)v.data)[0] = 1;
	((int64_t *)v.data)[1] = 7;
	rc = grt_session_run(s);
	expect_error(__func__, grt_session_errmsg(s), rc, GRT_E_INDEX, "gather_rows");
	expect_error(__func__, grt_session_errmsg(s), rc, GRT_E_INDEX, "7");
	((int64_t *)v.data)[1] = -2;          /* valid again: the session recovers */
	ck_assert_int_eq(grt_session_run(s), GRT_OK);
	grt_session_free(s);
	grt_model_free(m);
}
END_TEST

START_TEST(scatternd_index_out_of_range)
{
	grt_model *m;
	grt_session *s = index_model("ScatterND", &m);
	grt_value v;
	int rc;

	grt_session_input(s, 1, &v);
	((int64_t *)v.data)[0] = 0;
	((int64_t *)v.data)[1] = 5;
	rc = grt_session_run(s);
	expect_error(__func__, grt_session_errmsg(s), rc, GRT_E_INDEX, "scatter_rows");
	expect_error(__func__, grt_session_errmsg(s), rc, GRT_E_INDEX, "5");
	grt_session_free(s);
	grt_model_free(m);
}
END_TEST

/* An initializer whose dims claim far more than its bytes is refused at load,
 * before anything of that size is allocated. */
START_TEST(initializer_claims_too_much)
{
	static const int64_t huge[2] = { 100000, 100000 }, d2[1] = { 2 };
	static const float two[2] = { 1, 2 };
	struct mg *g = mg_new(7, 13);
	grt_model *m = NULL;
	int rc;

	mg_input(g, "x", 1, 1, d2);
	mg_output(g, "y", 1, 1, d2);
	mg_init(g, "w", 1, 1, d2, two);
	mg_init_empty(g, "big", 1, 2, huge);
	mg_node(g, "Add", "add", "x,w", "y");
	rc = load(g, &m);
	ck_assert_ptr_null(m);
	expect_error(__func__, err, rc, GRT_E_INVALID_MODEL, "'big'");
	expect_error(__func__, err, rc, GRT_E_INVALID_MODEL,
	             "0 values for a shape of 10000000000 elements");
}
END_TEST

/* Sizes beyond 32 bits (issue 18): where size_t is 32 bits (armhf) they must
 * not wrap. An initializer claiming 2^30 + 1 floats (4 GiB + 4 bytes, which
 * a 32-bit product wraps to 4) with 4 bytes of raw_data; a graph input of 8
 * GiB; and a plan whose live buffers (four of 1.5 GiB) exceed 4 GiB
 * together, planned only and without a budget. The same verdicts on every
 * architecture, but what does not fit a 32-bit address space is GRT_E_LIMIT
 * there. */
START_TEST(sizes_beyond_32_bits)
{
	static const int64_t claim[1] = { ((int64_t)1 << 30) + 1 }, d1[1] = { 1 },
	                     input_8g[2] = { (int64_t)1 << 31, 1 }, x_15g[1] = { 3 << 27 };
	static const float one = 1;
	struct mg *g = mg_new(7, 13);
	grt_model *m = NULL;
	grt_session *s = NULL;
	grt_session_opts o = { NULL, 0, GRT_SESSION_PLAN_ONLY | GRT_SESSION_NO_INPLACE |
	                       GRT_SESSION_NO_ALIAS | GRT_SESSION_NO_FUSE |
	                       GRT_SESSION_NO_EPILOGUE, SIZE_MAX, 0 };
	int rc;

	mg_input(g, "x", 1, 1, d1);
	mg_output(g, "y", 1, 1, d1);
	mg_init_raw(g, "w", 1, 1, claim, &one, sizeof(one));
	mg_node(g, "Add", "add", "x,w", "y");
	rc = load(g, &m);
	ck_assert_ptr_null(m);
	expect_error("initializer", err, rc, GRT_E_INVALID_MODEL,
	             "tensor 'w': raw_data has 4 bytes, shape needs 4294967300");

	g = mg_new(7, 13);
	mg_input(g, "x", 1, 2, input_8g);
	mg_output(g, "y", 1, 2, input_8g);
	mg_node(g, "Sqrt", "sqrt", "x", "y");
	ck_assert_int_eq(load(g, &m), GRT_OK);
	rc = grt_session_create(m, NULL, &s, err, sizeof(err));
	ck_assert_ptr_null(s);
	expect_error("8 GiB input", err, rc, GRT_E_LIMIT,
	             SIZE_T_WIDE ? "more than the limit of 1073741824" : "input 'x': shape too large");
	grt_model_free(m);

	g = mg_new(7, 13);         /* x, a, b and y live together at y's node */
	mg_input(g, "x", 1, 1, x_15g);
	mg_output(g, "y", 1, 1, x_15g);
	mg_node(g, "Sigmoid", "a", "x", "a");
	mg_node(g, "Tanh", "b", "a", "b");
	mg_node(g, "Add", "y", "a,b", "y");
	ck_assert_int_eq(load(g, &m), GRT_OK);
	rc = grt_session_create(m, &o, &s, err, sizeof(err));
	if (SIZE_T_WIDE) {
		grt_session_stats st;
		expect_ok("6 GiB plan", err, rc);
		grt_session_stats_get(s, &st);
		ck_assert_uint_eq(st.arena_bytes, (size_t)4 * (3 << 27) * sizeof(float));
		grt_session_free(s);
	} else {
		ck_assert_ptr_null(s);
		expect_error("6 GiB plan", err, rc, GRT_E_LIMIT,
		             "the plan's live buffers exceed the 32-bit address space");
	}
	grt_model_free(m);
}
END_TEST

/* A graph whose constants would be huge (a constant expanded to 100000 x
 * 100000: 40 GB) is refused while it is planned, with the node and the
 * sizes, and the budget is the caller's to set. */
START_TEST(implied_constant_over_budget)
{
	static const int64_t d1[1] = { 1 }, d2[1] = { 2 }, shape[2] = { 100000, 100000 },
	                     small[2] = { 1000, 1000 };
	static const float one[1] = { 1 };
	for (int k = 0; k < 2; k++) {
		struct mg *g = mg_new(7, 13);
		grt_model *m = NULL;
		grt_session *s = NULL;
		grt_session_opts o = { NULL, 0, 0, k ? 2u << 20 : 0, 0 };
		int rc;

		mg_input(g, "x", 1, 1, d2);
		mg_output(g, "y", 1, 1, d2);
		mg_output(g, "z", 1, 2, k ? small : shape);
		mg_init(g, "shape", 7, 1, d2, k ? small : shape);
		mg_init(g, "one", 1, 1, d1, one);
		mg_node(g, "Expand", "fill", "one,shape", "z");
		mg_node(g, "Sigmoid", "sigmoid", "x", "y");
		ck_assert_msg(load(g, &m) == GRT_OK, "%s", err);
		rc = grt_session_create(m, &o, &s, err, sizeof(err));
		ck_assert_ptr_null(s);
		expect_error(__func__, err, rc, GRT_E_LIMIT, "fill");
		if (!k && !SIZE_T_WIDE) {
			expect_error(__func__, err, rc, GRT_E_LIMIT, "exceeds the runtime's limits");
			grt_model_free(m);
			continue;
		}
		expect_error(__func__, err, rc, GRT_E_LIMIT,
		             k ? "needs 4000000 bytes" : "needs 40000000000 bytes");
		expect_error(__func__, err, rc, GRT_E_LIMIT,
		             k ? "budget of 2097152" : "budget of 1073741824");
		if (k) {           /* within a budget that allows it: fine */
			o.max_bytes = 16u << 20;
			ck_assert_int_eq(grt_session_create(m, &o, &s, err, sizeof(err)), GRT_OK);
			grt_session_free(s);
		}
		grt_model_free(m);
	}
}
END_TEST

static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	do {
		p[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	return n;
}

static size_t varint_len(uint64_t v)
{
	uint8_t b[10];

	return put_varint(b, v);
}

/* A model whose graph holds a node with a subgraph attribute holding a node
 * with a subgraph... `depth` times (written front to back: every nested
 * message is the last field of its parent). */
static uint8_t *nested_model(int depth, size_t *len)
{
	static const uint8_t attr_fixed[] = { 0x0a, 1, 'g', 0xa0, 0x01, 5 };  /* name, type */
	static const uint8_t node_fixed[] = { 0x22, 2, 'I', 'f' };             /* op_type */
	size_t *graph_len = malloc(sizeof(size_t) * ((size_t)depth + 1)), cap, at = 0;
	uint8_t *p;

	graph_len[0] = 0;                                   /* the innermost graph */
	for (int i = 1; i <= depth; i++) {
		size_t a = sizeof(attr_fixed) + 1 + varint_len(graph_len[i - 1]) + graph_len[i - 1];
		size_t n = sizeof(node_fixed) + 1 + varint_len(a) + a;
		graph_len[i] = 1 + varint_len(n) + n;
	}
	cap = graph_len[depth] + 16;
	p = malloc(cap);
	p[at++] = 0x08;                                     /* ir_version 8 */
	p[at++] = 8;
	p[at++] = 0x3a;                                     /* graph */
	at += put_varint(p + at, graph_len[depth]);
	for (int i = depth; i >= 1; i--) {
		size_t a = sizeof(attr_fixed) + 1 + varint_len(graph_len[i - 1]) + graph_len[i - 1];
		size_t n = sizeof(node_fixed) + 1 + varint_len(a) + a;
		p[at++] = 0x0a;                                 /* graph.node */
		at += put_varint(p + at, n);
		memcpy(p + at, node_fixed, sizeof(node_fixed));
		at += sizeof(node_fixed);
		p[at++] = 0x2a;                                 /* node.attribute */
		at += put_varint(p + at, a);
		memcpy(p + at, attr_fixed, sizeof(attr_fixed));
		at += sizeof(attr_fixed);
		p[at++] = 0x32;                                 /* attribute.g */
		at += put_varint(p + at, graph_len[i - 1]);
	}
	free(graph_len);
	*len = at;
	return p;
}

/* 2 MB that nest 100000 subgraphs: refused before protobuf-c's recursive
 * parse could overflow the stack; 10 levels are parsed (and then refused
 * for what they lack). */
START_TEST(deeply_nested_model)
{
	size_t len;
	uint8_t *p = nested_model(100000, &len);
	grt_model *m = NULL;
	int rc;

	rc = grt_model_load_buffer(p, len, &m, err, sizeof(err));
	ck_assert_ptr_null(m);
	expect_error(__func__, err, rc, GRT_E_LIMIT,
	             "nests messages (subgraphs or types) deeper than 64 levels");
	free(p);
	p = nested_model(10, &len);
	rc = grt_model_load_buffer(p, len, &m, err, sizeof(err));
	expect_error(__func__, err, rc, GRT_E_INVALID_MODEL, "opset");
	free(p);
}
END_TEST

static long hwm_kib(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6))
			v = atol(line + 6);
	if (f)
		fclose(f);
	return v;
}

/* 500 MB that are not a model (a few random bytes, then zeros): refused at
 * the first bytes, without reading, let alone copying, the rest. */
START_TEST(huge_garbage_file)
{
	char path[] = "/tmp/gtcrn-garbage-XXXXXX";
	int fd = mkstemp(path);
	uint8_t junk[4096];
	grt_model *m = NULL;
	long before;
	int rc;

	ck_assert(fd >= 0);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 2654435761u >> 13);
	junk[0] = 0x0f;                        /* wire type 7: no valid protobuf starts so */
	ck_assert_int_eq(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	ck_assert(ftruncate(fd, 500l << 20) == 0);
	close(fd);
	before = hwm_kib();
	rc = grt_model_load_file(path, &m, err, sizeof(err));
	ck_assert_ptr_null(m);
	expect_error(__func__, err, rc, GRT_E_PARSE, "do not parse as onnx.ModelProto");
	ck_assert_msg(hwm_kib() - before < 10240, "peak RSS grew by %ld KiB", hwm_kib() - before);
	unlink(path);
}
END_TEST

/* A file over 2 GiB (sparse, 3 GiB) is refused by its size before it is
 * read, on every architecture: where off_t is 32 bits (armhf) that takes
 * _FILE_OFFSET_BITS=64 (configure's AC_SYS_LARGEFILE), else fstat fails. */
START_TEST(file_over_2_gib)
{
	char path[] = "/tmp/gtcrn-huge-XXXXXX";
	int fd = mkstemp(path);
	grt_model *m = NULL;
	int rc;

	ck_assert(fd >= 0);
	ck_assert(ftruncate(fd, (off_t)3 << 30) == 0);
	close(fd);
	rc = grt_model_load_file(path, &m, err, sizeof(err));
	unlink(path);
	ck_assert_ptr_null(m);
	expect_error(__func__, err, rc, GRT_E_LIMIT, "has 3221225472 bytes, more than 2 GiB");
}
END_TEST

/* An op's own plan data counts against the budget too: a Conv whose weight
 * is a computed tensor with a 2^31-long kernel would need 32 GB of tap
 * tables (found by fuzz_mutate: tests/fuzz/regress/mutate). */
START_TEST(plan_data_over_budget)
{
	static const int64_t dx[4] = { 1, 2, (int64_t)1 << 31, 6 }, dw[4] = { 3, 2, 3, 3 };
	static const int64_t dy[4] = { 1, 1, 1, 1 }, pads[4] = { 3, 2, 1, 9 };
	static float w[54];
	struct mg *g = mg_new(7, 13);
	grt_model *m = NULL;
	grt_session *s = NULL;
	int node;
	int rc;

	mg_input(g, "x", 1, 4, dx);
	mg_output(g, "y", 1, 4, dy);
	mg_init(g, "w", 1, 4, dw, w);
	node = mg_node(g, "Conv", "conv", "x,w", "c");
	mg_attr_ints(g, node, "pads", 4, pads);
	mg_node(g, "Conv", "conv_self", "c,c", "y");
	ck_assert_msg(load(g, &m) == GRT_OK, "%s", err);
	rc = grt_session_create(m, NULL, &s, err, sizeof(err));
	ck_assert_ptr_null(s);
	expect_error(__func__, err, rc, GRT_E_LIMIT,
	             SIZE_T_WIDE ? "planning needs more than the memory budget of 1073741824 bytes"
	                         : "input 'x': shape too large");
	grt_model_free(m);
}
END_TEST

START_TEST(strerror_covers_all)
{
	for (int c = 0; c >= GRT_E_LIMIT; c--)
		ck_assert_str_ne(grt_strerror(c), "unknown status");
	ck_assert_str_eq(grt_strerror(-999), "unknown status");
}
END_TEST

START_TEST(null_arguments)
{
	grt_model *m = NULL;

	ck_assert_int_eq(grt_model_load_file(NULL, &m, err, sizeof(err)), GRT_E_ARG);
	ck_assert_int_eq(grt_model_load_buffer(NULL, 10, &m, err, sizeof(err)), GRT_E_ARG);
	ck_assert_int_eq(grt_session_create(NULL, NULL, NULL, err, sizeof(err)), GRT_E_ARG);
	ck_assert_int_eq(grt_session_run(NULL), GRT_E_ARG);
	grt_model_free(NULL);
	grt_session_free(NULL);
}
END_TEST

int main(void)
{
	const struct test_def tests[] = {
		{ "load", truncated_model }, { "load", random_bytes }, { "load", missing_file },
		{ "load", graph_errors, 0, N_ELEMS(graph_errors_table) }, { "load", cycle },
		{ "load", null_arguments },
		{ "load", strerror_covers_all }, { "load", deeply_nested_model },
		{ "load", huge_garbage_file }, { "load", file_over_2_gib },
		{ "plan", wrong_attr_type }, { "plan", wrong_input_shape },
		{ "plan", wrong_input_dtype }, { "plan", dynamic_dim_needs_shape },
		{ "plan", initializer_claims_too_much }, { "plan", implied_constant_over_budget },
		{ "plan", plan_data_over_budget }, { "plan", sizes_beyond_32_bits },
		{ "run", gather_index_out_of_range }, { "run", scatternd_index_out_of_range },
	};
	Suite *s = suite_from_table("errors", tests, N_ELEMS(tests));

	return run_suites(&s, 1, 0);
}

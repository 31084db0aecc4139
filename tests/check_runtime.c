/* check_runtime.c - the registry, the loader's IR, the planner (folding,
 * dead nodes, memory plan) and the API's thread and ownership rules. */
#include <check.h>
#include <glob.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/internal.h"
#include "tests/check_util.h"
#include "tests/modelgen.h"
#include "tests/testset.h"

static char err[512];

/* op_at(first .. first + len - 1): op_table, or the unary table. */
static void check_sorted(const char *table, int first, int len)
{
	for (int i = first; i < first + len; i++) {
		const struct op_def *a = op_at(i);
		ck_assert_msg(a->since >= 1 && a->since <= a->until, "%s: bad opset range %d..%d",
		              a->op_type, a->since, a->until);
		ck_assert_ptr_nonnull(a->prepare);
		ck_assert_ptr_nonnull(a->run);
		if (i > first) {
			const struct op_def *p = op_at(i - 1);
			int c = strcmp(p->op_type, a->op_type);
			ck_assert_msg(c < 0 || (c == 0 && p->until < a->since),
			              "%s[%d] %s (%d..%d) is out of order or overlaps %s (%d..%d)",
			              table, i - first, a->op_type, a->since, a->until, p->op_type,
			              p->since, p->until);
		}
	}
}

START_TEST(registry_sorted)
{
	check_sorted("op_table", 0, op_table_len);
	check_sorted("unary_table", op_table_len, op_count() - op_table_len);
	for (int i = op_table_len; i < op_count(); i++)
		for (int j = 0; j < op_table_len; j++)
			ck_assert_msg(strcmp(op_at(i)->op_type, op_table[j]->op_type),
			              "%s is in op_table and in the unary table", op_table[j]->op_type);
}
END_TEST

START_TEST(registry_lookup)
{
	const struct op_def *s11 = op_lookup("Squeeze", 11), *s13 = op_lookup("Squeeze", 13);

	ck_assert_ptr_nonnull(s11);
	ck_assert_ptr_nonnull(s13);
	ck_assert_ptr_ne(s11, s13);
	ck_assert_ptr_null(op_lookup("NoSuchOp", 13));
	ck_assert_ptr_null(op_lookup("Conv", 0));
	for (int i = 0; i < op_count(); i++)
		ck_assert_ptr_eq(op_lookup(op_at(i)->op_type, op_at(i)->since), op_at(i));
}
END_TEST

static grt_model *load_buf(struct mg *g)
{
	uint8_t *buf;
	size_t len;
	grt_model *m = NULL;

	mg_pack(g, &buf, &len);
	ck_assert_msg(grt_model_load_buffer(buf, len, &m, err, sizeof(err)) == GRT_OK, "%s", err);
	memset(buf, 0xee, len);         /* the model must not keep the buffer */
	free(buf);
	return m;
}

/* Plans g (freed) with flags, writes x (xbytes) into input 0, runs once and
 * copies output k into out[k] (out_bytes[k] bytes). Returns the plan's stats. */
static grt_session_stats plan_and_run(struct mg *g, unsigned flags, const void *x,
                                      size_t xbytes, int n_out, void *const *out,
                                      const size_t *out_bytes)
{
	grt_session_opts o = { NULL, 0, flags, 0, 0 };
	grt_session_stats st;
	grt_model *m = load_buf(g);
	grt_session *s = NULL;
	grt_value v;

	ck_assert_msg(grt_session_create(m, &o, &s, err, sizeof(err)) == GRT_OK, "%s", err);
	grt_session_stats_get(s, &st);
	grt_session_input(s, 0, &v);
	memcpy(v.data, x, xbytes);
	ck_assert_int_eq(grt_session_run(s), GRT_OK);
	for (int k = 0; k < n_out; k++) {
		grt_session_output(s, k, &v);
		memcpy(out[k], v.data, out_bytes[k]);
	}
	grt_session_free(s);
	grt_model_free(m);
	return st;
}

static const int64_t d4[1] = { 4 };

/* y = sqrt(x) + (c1 * c2), with c1 * c2 foldable, and a dead branch. The
 * file lists nodes out of order: the loader sorts them. */
static grt_model *fold_model(void)
{
	struct mg *g = mg_new(7, 13);
	static const float c1[4] = { 1, 2, 3, 4 }, c2[4] = { 2, 2, 2, 2 };

	mg_input(g, "x", 1, 1, d4);
	mg_output(g, "y", 1, 1, d4);
	mg_init(g, "c1", 1, 1, d4, c1);
	mg_init(g, "c2", 1, 1, d4, c2);
	mg_node(g, "Add", "add", "s,c", "y");
	mg_node(g, "Sqrt", "sqrt", "x", "s");
	mg_node(g, "Mul", "mul_const", "c1,c2", "c");
	mg_node(g, "Tanh", "dead_tanh", "x", "unused");
	mg_metadata(g, "sample_rate", "16000");
	mg_metadata(g, "n_fft", "512");
	return load_buf(g);
}

START_TEST(fold_and_dead_nodes)
{
	grt_model *m = fold_model();
	grt_session *s = NULL;
	grt_session_stats st;
	grt_value x, y;
	static const float in[4] = { 4, 9, 16, 25 }, want[4] = { 4, 7, 10, 13 };

	ck_assert_int_eq(grt_model_n_nodes(m), 4);
	ck_assert_int_eq(grt_session_create(m, NULL, &s, err, sizeof(err)), GRT_OK);
	grt_session_stats_get(s, &st);
	ck_assert_int_eq(st.n_nodes_model, 4);
	ck_assert_int_eq(st.n_nodes_folded, 1);
	ck_assert_int_eq(st.n_nodes_dead, 1);
	ck_assert_int_eq(st.n_nodes_planned, 2);
	grt_session_input(s, 0, &x);
	memcpy(x.data, in, sizeof(in));
	ck_assert_int_eq(grt_session_run(s), GRT_OK);
	grt_session_output(s, 0, &y);
	ck_assert_int_eq(y.ndim, 1);
	ck_assert_int_eq(y.dims[0], 4);
	for (int i = 0; i < 4; i++)
		ck_assert_float_eq_tol(((float *)y.data)[i], want[i], 1e-6);
	ck_assert_mem_eq(x.data, in, sizeof(in));    /* inputs keep their values */
	grt_session_free(s);
	grt_model_free(m);
}
END_TEST

START_TEST(metadata)
{
	grt_model *m = fold_model();
	const char *k, *v;

	ck_assert_int_eq(grt_model_n_metadata(m), 2);
	ck_assert_str_eq(grt_model_metadata(m, "sample_rate"), "16000");
	ck_assert_str_eq(grt_model_metadata(m, "n_fft"), "512");
	ck_assert_ptr_null(grt_model_metadata(m, "hop_length"));
	ck_assert_int_eq(grt_model_metadata_at(m, 1, &k, &v), GRT_OK);
	ck_assert_str_eq(k, "n_fft");
	ck_assert_int_eq(grt_model_metadata_at(m, 2, &k, &v), GRT_E_ARG);
	grt_model_free(m);
}
END_TEST

/* A chain of 8 elementwise nodes on a large tensor: the plan must reuse
 * memory. Without in-place ops: two buffers in flight, plus input and output;
 * with them the chain runs in one buffer beside the input. */
START_TEST(arena_reuse)
{
	static const int64_t big[1] = { 1 << 16 };
	size_t one = (size_t)(1 << 16) * sizeof(float);

	for (int pass = 0; pass < 2; pass++) {
		struct mg *g = mg_new(7, 13);
		grt_session_opts o = { NULL, 0, pass ? GRT_SESSION_NO_INPLACE : 0, 0, 0 };
		grt_model *m;
		grt_session *s = NULL;
		grt_session_stats st;

		mg_input(g, "x", 1, 1, big);
		mg_output(g, "y", 1, 1, big);
		mg_node(g, "Sigmoid", "n0", "x", "t0");
		for (int i = 1; i < 7; i++) {
			char in[8], out[8];
			snprintf(in, sizeof(in), "t%d", i - 1);
			snprintf(out, sizeof(out), "t%d", i);
			mg_node(g, "Tanh", NULL, in, out);
		}
		mg_node(g, "Sqrt", "last", "t6", "y");
		m = load_buf(g);
		ck_assert_int_eq(grt_session_create(m, &o, &s, err, sizeof(err)), GRT_OK);
		grt_session_stats_get(s, &st);
		ck_assert_int_eq(st.n_nodes_planned, 8);
		ck_assert_int_eq(st.n_nodes_inplace, pass ? 0 : 7);
		if (pass) {
			ck_assert_msg(st.arena_bytes <= 4 * one, "arena %zu bytes for 10 tensors of %zu",
			              st.arena_bytes, one);
			ck_assert_msg(st.arena_bytes >= 3 * one, "arena %zu too small", st.arena_bytes);
		} else {
			ck_assert_msg(st.arena_bytes == 2 * one, "arena %zu bytes, want %zu in place",
			              st.arena_bytes, 2 * one);
		}
		grt_session_free(s);
		grt_model_free(m);
	}
}
END_TEST

/* Every node of the file in one category of grt_session_stats, with and
 * without rewrites and buffer sharing: folded + dead + rewritten away +
 * aliased + empty + planned = the model's nodes, for every shared GTCRN
 * model (dynamic axes planned at 100). */
START_TEST(stats_categories_sum)
{
	static const unsigned flags[] = { 0, GRT_SESSION_NO_ALIAS,
	                                  GRT_SESSION_NO_FUSE | GRT_SESSION_NO_FOLD_BN |
	                                  GRT_SESSION_NO_EPILOGUE, GRT_SESSION_NO_INPLACE };
	glob_t g;

	ck_assert_int_eq(glob(MODELS_DIR "/gtcrn*.onnx", 0, NULL, &g), 0);
	ck_assert_uint_eq(g.gl_pathc, 7);          /* the exports check_models lists */
	for (size_t i = 0; i < g.gl_pathc; i++) {
		grt_model *m = NULL;
		grt_value in[16];
		int n_in;
		ck_assert_msg(grt_model_load_file(g.gl_pathv[i], &m, err, sizeof(err)) == GRT_OK,
		              "%s", err);
		n_in = grt_model_n_inputs(m);
		ck_assert_int_le(n_in, (int)N_ELEMS(in));
		for (int k = 0; k < n_in; k++) {
			const char *name;
			grt_model_input(m, k, &name, &in[k], NULL);
			for (int d = 0; d < in[k].ndim; d++)
				if (in[k].dims[d] < 0)
					in[k].dims[d] = 100;
			in[k].data = NULL;
		}
		for (size_t f = 0; f < N_ELEMS(flags); f++) {
			grt_session_opts so = { in, n_in, flags[f] | GRT_SESSION_PLAN_ONLY, 0, 0 };
			grt_session *s = NULL;
			grt_session_stats st;
			int sum;
			ck_assert_msg(grt_session_create(m, &so, &s, err, sizeof(err)) == GRT_OK, "%s",
			              err);
			grt_session_stats_get(s, &st);
			sum = st.n_nodes_folded + st.n_nodes_dead + st.n_nodes_rewritten_away +
			      st.n_nodes_aliased + st.n_nodes_empty + st.n_nodes_planned;
			ck_assert_msg(st.n_nodes_model == grt_model_n_nodes(m) && sum == st.n_nodes_model,
			              "%s, flags %u: %d nodes = %d folded + %d dead + %d rewritten away + "
			              "%d aliased + %d empty + %d planned = %d", g.gl_pathv[i], flags[f],
			              grt_model_n_nodes(m), st.n_nodes_folded, st.n_nodes_dead,
			              st.n_nodes_rewritten_away, st.n_nodes_aliased, st.n_nodes_empty,
			              st.n_nodes_planned, sum);
			ck_assert_int_le(st.n_nodes_inplace, st.n_nodes_planned);
			grt_session_free(s);
		}
		grt_model_free(m);
	}
	globfree(&g);
}
END_TEST

/* gtcrn_stream.onnx (1786 nodes, shape arithmetic computed at run time)
 * must plan to about the work of gtcrn_simple.onnx (415 nodes). */
START_TEST(stream_folds_to_simple)
{
	const char *names[2] = { "gtcrn_simple", "gtcrn_stream" };
	int planned[2];

	for (int i = 0; i < 2; i++) {
		char path[1024];
		grt_model *m = NULL;
		grt_session *s = NULL;
		grt_session_stats st;
		snprintf(path, sizeof(path), "%s/%s.onnx", MODELS_DIR, names[i]);
		ck_assert_int_eq(grt_model_load_file(path, &m, err, sizeof(err)), GRT_OK);
		ck_assert_msg(grt_session_create(m, NULL, &s, err, sizeof(err)) == GRT_OK, "%s", err);
		grt_session_stats_get(s, &st);
		printf("%s: %d nodes, %d folded, %d dead, %d planned, arena %zu bytes\n", names[i],
		       st.n_nodes_model, st.n_nodes_folded, st.n_nodes_dead, st.n_nodes_planned,
		       st.arena_bytes);
		planned[i] = st.n_nodes_planned;
		grt_session_free(s);
		grt_model_free(m);
	}
	ck_assert_int_eq(planned[0] <= 415, 1);
	ck_assert_msg(planned[1] <= planned[0] + planned[0] / 10,
	              "gtcrn_stream plans %d nodes, gtcrn_simple %d", planned[1], planned[0]);
}
END_TEST

START_TEST(file_equals_buffer)
{
	FILE *f = fopen(MODELS_DIR "/gtcrn_simple.onnx", "rb");
	uint8_t *buf;
	long n;
	grt_model *a = NULL, *b = NULL;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), n);
	fclose(f);
	ck_assert_int_eq(grt_model_load_buffer(buf, (size_t)n, &a, err, sizeof(err)), GRT_OK);
	free(buf);
	ck_assert_int_eq(grt_model_load_file(MODELS_DIR "/gtcrn_simple.onnx", &b, err, sizeof(err)), GRT_OK);
	ck_assert_int_eq(grt_model_n_nodes(a), grt_model_n_nodes(b));
	ck_assert_int_eq(grt_model_n_inputs(a), 4);
	ck_assert_int_eq(grt_model_n_outputs(a), 4);
	ck_assert_int_eq(grt_model_opset(a), 11);
	ck_assert_int_eq(grt_model_ir_version(a), 6);
	grt_model_free(a);
	grt_model_free(b);
}
END_TEST

START_TEST(introspection_dynamic_dims)
{
	grt_model *m = NULL;
	const char *name, *dn[GRT_MAX_DIMS];
	grt_value info;

	ck_assert_int_eq(grt_model_load_file(MODELS_DIR "/gtcrn_offline_op13.onnx", &m, err,
	                                     sizeof(err)), GRT_OK);
	ck_assert_int_eq(grt_model_input(m, 0, &name, &info, dn), GRT_OK);
	ck_assert_str_eq(name, "spec");
	ck_assert_int_eq(info.dtype, GRT_FLOAT);
	ck_assert_int_eq(info.ndim, 4);
	ck_assert_int_eq(info.dims[1], 257);
	ck_assert_int_eq(info.dims[2], -1);
	ck_assert_ptr_nonnull(dn[2]);
	ck_assert_int_eq(grt_model_input(m, 1, &name, &info, dn), GRT_E_ARG);
	grt_model_free(m);
}
END_TEST

/* Two sessions on one model, in two threads, on different data: each gives
 * the same numbers as a session run alone. */
struct job { const grt_model *m; const char *set; int ok; };

static void *run_job(void *arg)
{
	struct job *j = arg;
	struct ts_result r;

	j->ok = 1;
	for (int k = 0; k < 3 && j->ok; k++)
		j->ok = ts_run_set(j->m, j->set, 1e-4, 1e-3, &r);
	return NULL;
}

START_TEST(threads_share_model)
{
	grt_model *m = NULL;
	pthread_t th[2];
	struct job jobs[2];

	ck_assert_int_eq(grt_model_load_file(MODELS_DIR "/gtcrn_simple.onnx", &m, err, sizeof(err)), GRT_OK);
	jobs[0] = (struct job){ m, TESTDATA_DIR "/gtcrn_simple/test_data_set_2", 0 };
	jobs[1] = (struct job){ m, TESTDATA_DIR "/gtcrn_simple/test_data_set_4", 0 };
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, run_job, &jobs[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ck_assert(jobs[0].ok);
	ck_assert(jobs[1].ok);
	grt_model_free(m);
}
END_TEST

/* Views share their input's buffer and leave the plan; ScatterND writes in
 * place into a buffer nothing reads later, never into a graph input. The
 * numbers do not change. */
START_TEST(alias_and_inplace)
{
	static const int64_t d6[1] = { 6 }, d23[2] = { 2, 3 }, d32[2] = { 3, 2 }, d11[2] = { 1, 1 };
	static const int64_t shape[2] = { 3, 2 }, idx[1] = { 1 };
	static const float upd[2] = { -7, -8 };
	static const float x[6] = { 1, 4, 9, 16, 25, 36 };
	grt_value out[3][2];
	float keep[3][2][6];

	/* pass 0: default; 1: no sharing; 2: input x may be overwritten */
	for (int pass = 0; pass < 3; pass++) {
		struct mg *g = mg_new(7, 13);
		grt_session_opts o = { NULL, 0, pass == 1 ? GRT_SESSION_NO_ALIAS | GRT_SESSION_NO_INPLACE : 0,
		                       0, pass == 2 ? 1u : 0 };
		grt_session_stats st;
		grt_model *m;
		grt_session *s = NULL;
		grt_value in;
		int k;

		mg_input(g, "x", 1, 1, d6);
		mg_output(g, "y", 1, 2, d32);
		mg_output(g, "z", 1, 2, d32);
		mg_init(g, "shape", 7, 1, (const int64_t[1]){ 2 }, shape);
		mg_init(g, "idx", 7, 2, d11, idx);
		mg_init(g, "upd", 1, 2, (const int64_t[2]){ 1, 2 }, upd);
		mg_node(g, "Sqrt", "sqrt", "x", "s");
		mg_node(g, "Reshape", "view", "s,shape", "r");          /* a view */
		mg_node(g, "ScatterND", "write_row", "r,idx,upd", "y");  /* r dies here: in place */
		mg_node(g, "Reshape", "view_x", "x,shape", "xr");        /* a view of a graph input */
		mg_node(g, "ScatterND", "write_x", "xr,idx,upd", "z");   /* must not write into x */
		k = mg_node(g, "Transpose", "tr", "z", "zt");             /* not a view: (3,2)->(2,3) */
		mg_attr_ints(g, k, "perm", 2, (const int64_t[2]){ 1, 0 });
		mg_output(g, "zt", 1, 2, d23);
		m = load_buf(g);
		ck_assert_int_eq(grt_session_create(m, &o, &s, err, sizeof(err)), GRT_OK);
		grt_session_stats_get(s, &st);
		ck_assert_int_eq(st.n_nodes_aliased, pass == 1 ? 0 : 2);
		ck_assert_int_eq(st.n_nodes_inplace, pass == 1 ? 0 : pass == 2 ? 2 : 1);
		ck_assert_int_eq(st.n_nodes_planned, pass == 1 ? 6 : 4);
		grt_session_input(s, 0, &in);
		memcpy(in.data, x, sizeof(x));
		ck_assert_int_eq(grt_session_run(s), GRT_OK);
		if (pass != 2)
			ck_assert_mem_eq(in.data, x, sizeof(x));
		else        /* z was written into x's buffer */
			ck_assert_ptr_eq(in.data, (grt_session_output(s, 1, &out[2][1]), out[2][1].data));
		for (int j = 0; j < 2; j++) {
			grt_session_output(s, j, &out[pass][j]);
			memcpy(keep[pass][j], out[pass][j].data, sizeof(keep[0][0]));
		}
		grt_session_free(s);
		grt_model_free(m);
	}
	{
		static const float y[6] = { 1, 2, -7, -8, 5, 6 }, z[6] = { 1, 4, -7, -8, 25, 36 };
		ck_assert_mem_eq(keep[0][0], y, sizeof(y));
		ck_assert_mem_eq(keep[0][1], z, sizeof(z));
		ck_assert_mem_eq(keep[1][0], y, sizeof(y));
		ck_assert_mem_eq(keep[1][1], z, sizeof(z));
		ck_assert_mem_eq(keep[2][0], y, sizeof(y));
		ck_assert_mem_eq(keep[2][1], z, sizeof(z));
	}
	(void)d23;
}
END_TEST

/* A streaming cache's update through a view: Gather takes block 0 of the cache c (a
 * view), ScatterND writes a row of it, and a second ScatterND writes the block back
 * into c. With c a scratch input both run in place: the first into c's own block (no
 * later node needs the old values there: the write-back copies over them), the second
 * with its updates already where they land. Not when a later node reads the old block
 * (variant 1: that reader, Neg, is the one then written into c's block, which the
 * write-back copies over), nor when c keeps its value (pass 1). Numbers: c with row 1
 * of block 0 replaced, and the old row 0 (negated) read before. */
START_TEST(inplace_through_view)
{
	static const int64_t dc[3] = { 2, 2, 3 }, d13[2] = { 1, 3 }, d11[2] = { 1, 1 };
	static const int64_t zero[1] = { 0 }, one[1] = { 1 }, axes[1] = { 0 };
	static const int64_t starts[1] = { 0 }, ends[1] = { 1 };
	static const float upd[3] = { -1, -2, -3 };
	float c0[12];

	for (int i = 0; i < 12; i++)
		c0[i] = (float)(i + 1) * 0.5f;
	for (int variant = 0; variant < 2; variant++)
	for (int pass = 0; pass < 3; pass++) {
		/* pass 0: c is scratch; 1: c keeps its value; 2: no sharing at all */
		struct mg *g = mg_new(7, 13);
		grt_session_opts o = { NULL, 0, pass == 2 ? GRT_SESSION_NO_ALIAS | GRT_SESSION_NO_INPLACE
		                                          : 0, 0, pass == 0 ? 1u : 0 };
		grt_session_stats st;
		grt_model *m;
		grt_session *s = NULL;
		grt_value v, y, r;
		float want[12];
		int k;

		mg_input(g, "c", 1, 3, dc);
		mg_init(g, "zero", 7, 0, NULL, zero);
		mg_init(g, "i1", 7, 2, d11, one);
		mg_init(g, "i0", 7, 2, d11, zero);
		mg_init(g, "upd", 1, 2, d13, upd);
		mg_init(g, "axes", 7, 1, (const int64_t[1]){ 1 }, axes);
		mg_init(g, "starts", 7, 1, (const int64_t[1]){ 1 }, starts);
		mg_init(g, "ends", 7, 1, (const int64_t[1]){ 1 }, ends);
		mg_node(g, "Gather", "block0", "c,zero", "b");            /* a view of c */
		mg_node(g, "Slice", "row0", "b,starts,ends,axes", "r0");   /* a view too */
		mg_node(g, "Neg", "old_row", "r0", "r");                   /* reads it first */
		mg_node(g, "ScatterND", "write_row", "b,i1,upd", "b1");
		if (variant)
			mg_node(g, "Neg", "late_reader", "b", "nb");     /* the old block, later */
		mg_node(g, "Unsqueeze", "as_block", "b1,axes", "b1u");   /* a view of b1 */
		mg_node(g, "ScatterND", "write_back", "c,i0,b1u", "y");
		mg_output(g, "y", 1, 3, dc);
		mg_output(g, "r", 1, 2, d13);
		if (variant)
			mg_output(g, "nb", 1, 2, (const int64_t[2]){ 2, 3 });
		m = load_buf(g);
		ck_assert_msg(grt_session_create(m, &o, &s, err, sizeof(err)) == GRT_OK, "%s", err);
		grt_session_stats_get(s, &st);
		k = pass == 0 ? (variant ? 1 : 2) : 0;
		ck_assert_msg(st.n_nodes_inplace == k, "variant %d pass %d: %d nodes in place, want %d",
		              variant, pass, st.n_nodes_inplace, k);
		grt_session_input(s, 0, &v);
		memcpy(v.data, c0, sizeof(c0));
		ck_assert_int_eq(grt_session_run(s), GRT_OK);
		grt_session_output(s, 0, &y);
		grt_session_output(s, 1, &r);
		memcpy(want, c0, sizeof(want));
		memcpy(want + 3, upd, sizeof(upd));
		ck_assert_mem_eq(y.data, want, sizeof(want));
		for (int i = 0; i < 3; i++)
			ck_assert_float_eq(((const float *)r.data)[i], -c0[i]);
		if (variant) {
			grt_value nb;
			grt_session_output(s, 2, &nb);
			for (int i = 0; i < 6; i++)
				ck_assert_float_eq(((const float *)nb.data)[i], -c0[i]);
		}
		if (pass == 0 && !variant)      /* the write-back is c's own buffer */
			ck_assert_ptr_eq(y.data, v.data);
		else if (pass == 1)
			ck_assert_mem_eq(v.data, c0, sizeof(c0));
		grt_session_free(s);
		grt_model_free(m);
	}
}
END_TEST

/* A zero Pad of the spatial axes before a Conv becomes the Conv's own pads
 * (opset 13 and 10 forms); a Pad with a non-zero value or of the channel axis
 * stays. Same numbers as the plan without fusion. */
START_TEST(pad_conv_fusion)
{
	static const int64_t dx[4] = { 1, 2, 5, 7 };
	static const struct { int opset; int64_t pads[8]; float value; int fused; } v[] = {
		{ 13, { 0, 0, 1, 2, 0, 0, 2, 0 }, 0.0f, 1 },
		{ 10, { 0, 0, 1, 2, 0, 0, 2, 0 }, 0.0f, 1 },
		{ 13, { 0, 0, 1, 2, 0, 0, 2, 0 }, 0.5f, 0 },
		{ 13, { 0, 1, 1, 2, 0, 0, 2, 0 }, 0.0f, 0 },     /* pads the channels */
	};
	float w[3 * 3 * 9], x[70];        /* W [3, channels <= 3, 3, 3] */

	for (int i = 0; i < 81; i++)
		w[i] = cosf((float)i * 0.3f);
	for (int i = 0; i < 70; i++)
		x[i] = sinf((float)i * 0.37f);
	for (size_t c = 0; c < sizeof(v) / sizeof(v[0]); c++) {
		float y[2][3 * 8 * 5];
		int64_t dy[4] = { 1, 3, 0, 0 };
		for (int pass = 0; pass < 2; pass++) {
			struct mg *g = mg_new(7, v[c].opset);
			grt_session_stats st;
			size_t yb = sizeof(float) * 3 * 5 * 4;
			int k, ch = (int)(2 + v[c].pads[1] + v[c].pads[5]);

			mg_input(g, "x", 1, 4, dx);
			mg_init(g, "w", 1, 4, (const int64_t[4]){ 3, ch, 3, 3 }, w);
			if (v[c].opset >= 11) {
				mg_init(g, "pads", 7, 1, (const int64_t[1]){ 8 }, v[c].pads);
				mg_init(g, "value", 1, 0, NULL, &v[c].value);
				mg_node(g, "Pad", "pad", "x,pads,value", "p");
			} else {
				k = mg_node(g, "Pad", "pad", "x", "p");
				mg_attr_ints(g, k, "pads", 8, v[c].pads);
				mg_attr_float(g, k, "value", v[c].value);
			}
			k = mg_node(g, "Conv", "conv", "p,w", "y");
			mg_attr_ints(g, k, "pads", 4, (const int64_t[4]){ 0, 1, 1, 0 });
			mg_attr_ints(g, k, "dilations", 2, (const int64_t[2]){ 2, 1 });
			mg_attr_ints(g, k, "strides", 2, (const int64_t[2]){ 1, 2 });
			/* H: 5 + 3 pad + 1 conv pad - 4 - 1 + 1 = 5; W: 7 + 2 + 1 - 2 - 1 = 7 -> 4 */
			dy[2] = 5;
			dy[3] = 4;
			mg_output(g, "y", 1, 4, dy);
			st = plan_and_run(g, pass ? GRT_SESSION_NO_FUSE : 0, x, sizeof(x), 1,
			                  (void *const[]){ y[pass] }, &yb);
			ck_assert_msg(st.n_nodes_fused == (pass ? 0 : v[c].fused), "case %zu: %d fused", c,
			              st.n_nodes_fused);
			ck_assert_int_eq(st.n_nodes_planned, pass || !v[c].fused ? 2 : 1);
		}
		for (int i = 0; i < 60; i++)
			ck_assert_msg(y[0][i] == y[1][i], "case %zu: y[%d] fused %g, unfused %g", c, i,
			              (double)y[0][i], (double)y[1][i]);
	}
}
END_TEST

/* The Transposes around a GRU (X from [batch, seq, input]; Y rearranged to
 * [batch, seq, dirs*hidden] through Transpose, Reshape, Transpose, or through
 * Squeeze and Transpose with one direction) fold into the GRU's strides; a Y
 * with a second reader stays. Same numbers, bit for bit. */
static void gru_layout_case(int dirs, int second_reader)
{
	const int B = 3, T = 5, C = 4, H = 4, G = 3 * H;
	float w[2 * 12 * 4], r[2 * 12 * 4], b[2 * 24], x[3 * 5 * 4], y[2][3 * 5 * 8];
	const int64_t yn = (int64_t)B * T * dirs * H;

	for (int i = 0; i < 2 * G * C; i++)
		w[i] = 0.3f * sinf((float)i * 0.7f);
	for (int i = 0; i < 2 * G * H; i++)
		r[i] = 0.3f * cosf((float)i * 0.3f);
	for (int i = 0; i < 4 * G; i++)
		b[i] = 0.05f * (float)(i % 7);
	for (int i = 0; i < B * T * C; i++)
		x[i] = sinf((float)i * 0.37f);
	for (int pass = 0; pass < 2; pass++) {
		struct mg *g = mg_new(7, 13);
		grt_session_stats st;
		size_t yb = sizeof(float) * (size_t)yn;
		int k;

		mg_input(g, "x", 1, 3, (const int64_t[3]){ B, T, C });
		mg_init(g, "w", 1, 3, (const int64_t[3]){ dirs, G, C }, w);
		mg_init(g, "r", 1, 3, (const int64_t[3]){ dirs, G, H }, r);
		mg_init(g, "b", 1, 2, (const int64_t[2]){ dirs, 2 * G }, b);
		mg_init(g, "shape", 7, 1, (const int64_t[1]){ 3 },
		        (const int64_t[3]){ T, B, dirs * H });
		mg_init(g, "ax1", 7, 1, (const int64_t[1]){ 1 }, (const int64_t[1]){ 1 });
		k = mg_node(g, "Transpose", "tx", "x", "xt");
		mg_attr_ints(g, k, "perm", 3, (const int64_t[3]){ 1, 0, 2 });
		k = mg_node(g, "GRU", "gru", "xt,w,r,b", "y,yh");
		mg_attr_int(g, k, "hidden_size", H);
		mg_attr_int(g, k, "linear_before_reset", 1);
		if (dirs == 2) {
			mg_attr_string(g, k, "direction", "bidirectional");
			k = mg_node(g, "Transpose", "t1", "y", "y1");
			mg_attr_ints(g, k, "perm", 4, (const int64_t[4]){ 0, 2, 1, 3 });
			mg_node(g, "Reshape", "rs", "y1,shape", "y2");
		} else {
			mg_node(g, "Squeeze", "sq", "y,ax1", "y2");
		}
		k = mg_node(g, "Transpose", "t2", "y2", "out");
		mg_attr_ints(g, k, "perm", 3, (const int64_t[3]){ 1, 0, 2 });
		mg_output(g, "out", 1, 3, (const int64_t[3]){ B, T, dirs * H });
		mg_output(g, "yh", 1, 3, (const int64_t[3]){ dirs, B, H });
		if (second_reader) {
			mg_node(g, "Sqrt", "sqrt_y", "y", "z");
			mg_output(g, "z", 1, 4, (const int64_t[4]){ T, dirs, B, H });
		}
		st = plan_and_run(g, pass ? GRT_SESSION_NO_FUSE : 0, x, sizeof(x), 1,
		                  (void *const[]){ y[pass] }, &yb);
		ck_assert_msg(st.n_nodes_fused == (pass ? 0 : second_reader ? 1 : dirs == 2 ? 4 : 3),
		              "dirs %d reader %d: %d fused", dirs, second_reader, st.n_nodes_fused);
	}
	ck_assert_mem_eq(y[0], y[1], sizeof(float) * (size_t)yn);
}

START_TEST(gru_layout_fusion)
{
	gru_layout_case(2, 0);
	gru_layout_case(1, 0);
	gru_layout_case(2, 1);
}
END_TEST

/* Two GRUs that read halves of their inputs' channels (Slices) and whose
 * rearranged outputs are concatenated along the last axis (as GTCRN's grouped
 * RNNs are) read the halves in place and write straight into the Concat's
 * output, with other work between them. Same numbers. (That the memory plan keeps a tensor with two
 * writers alive from the first one is also what gtcrn_offline_op13's goldens in
 * check_models need: they fail without it.) */
START_TEST(gru_concat_writers)
{
	const int B = 3, T = 5, C = 4, H = 4, G = 3 * H;
	float w[2 * 12 * 4], r[2 * 12 * 4], b[2 * 24], x[3 * 5 * 8], y[2][3 * 5 * 16],
	      z[2][3 * 5 * 8];

	for (int i = 0; i < 2 * G * C; i++)
		w[i] = 0.3f * sinf((float)i * 0.7f);
	for (int i = 0; i < 2 * G * H; i++)
		r[i] = 0.3f * cosf((float)i * 0.3f);
	for (int i = 0; i < 4 * G; i++)
		b[i] = 0.05f * (float)(i % 7);
	for (int i = 0; i < B * T * 2 * C; i++)
		x[i] = sinf((float)i * 0.37f) + 1.5f;
	for (int pass = 0; pass < 2; pass++) {
		struct mg *g = mg_new(7, 13);
		grt_session_stats st;
		const size_t ob[2] = { sizeof(y[0]), sizeof(z[0]) };
		int k;

		mg_input(g, "x", 1, 3, (const int64_t[3]){ B, T, 2 * C });
		mg_init(g, "s0", 7, 1, (const int64_t[1]){ 1 }, (const int64_t[1]){ 0 });
		mg_init(g, "s1", 7, 1, (const int64_t[1]){ 1 }, (const int64_t[1]){ C });
		mg_init(g, "s2", 7, 1, (const int64_t[1]){ 1 }, (const int64_t[1]){ 2 * C });
		mg_init(g, "ax2", 7, 1, (const int64_t[1]){ 1 }, (const int64_t[1]){ 2 });
		mg_init(g, "w", 1, 3, (const int64_t[3]){ 2, G, C }, w);
		mg_init(g, "r", 1, 3, (const int64_t[3]){ 2, G, H }, r);
		mg_init(g, "b", 1, 2, (const int64_t[2]){ 2, 2 * G }, b);
		mg_init(g, "shape", 7, 1, (const int64_t[1]){ 3 }, (const int64_t[3]){ T, B, 2 * H });
		for (int q = 0; q < 2; q++) {
			char in[32], nm[16], o1[16], o2[16], o3[16], o4[16];
			snprintf(nm, sizeof(nm), "gru%d", q);
			snprintf(o1, sizeof(o1), "xs%d", q);
			snprintf(o2, sizeof(o2), "y%d", q);
			snprintf(o3, sizeof(o3), "ya%d", q);
			snprintf(o4, sizeof(o4), "yb%d", q);
			if (q == 0) {        /* the first half of x's channels */
				mg_node(g, "Slice", "half0", "x,s0,s1,ax2", "h0");
				k = mg_node(g, "Transpose", "tx0", "h0", o1);
			} else {             /* the second half of sqrt(x)'s */
				mg_node(g, "Sqrt", "between", "x", "sq");
				mg_node(g, "Slice", "half1", "sq,s1,s2,ax2", "h1");
				k = mg_node(g, "Transpose", "tx1", "h1", o1);
			}
			mg_attr_ints(g, k, "perm", 3, (const int64_t[3]){ 1, 0, 2 });
			snprintf(in, sizeof(in), "%s,w,r,b", o1);
			k = mg_node(g, "GRU", nm, in, o2);
			mg_attr_int(g, k, "hidden_size", H);
			mg_attr_int(g, k, "linear_before_reset", 1);
			mg_attr_string(g, k, "direction", "bidirectional");
			snprintf(nm, sizeof(nm), "t1_%d", q);
			k = mg_node(g, "Transpose", nm, o2, o3);
			mg_attr_ints(g, k, "perm", 4, (const int64_t[4]){ 0, 2, 1, 3 });
			snprintf(nm, sizeof(nm), "rs%d", q);
			snprintf(in, sizeof(in), "%s,shape", o3);
			mg_node(g, "Reshape", nm, in, o4);
			snprintf(nm, sizeof(nm), "t2_%d", q);
			snprintf(o3, sizeof(o3), "yc%d", q);
			k = mg_node(g, "Transpose", nm, o4, o3);
			mg_attr_ints(g, k, "perm", 3, (const int64_t[3]){ 1, 0, 2 });
		}
		mg_attr_int(g, mg_node(g, "Concat", "cat", "yc0,yc1", "out"), "axis", -1);
		mg_node(g, "Sqrt", "after", "sq", "z");
		mg_output(g, "out", 1, 3, (const int64_t[3]){ B, T, 4 * H });
		mg_output(g, "z", 1, 3, (const int64_t[3]){ B, T, 2 * C });
		st = plan_and_run(g, pass ? GRT_SESSION_NO_FUSE : 0, x, sizeof(x), 2,
		                  (void *const[]){ y[pass], z[pass] }, ob);
		ck_assert_int_eq(st.n_nodes_fused, pass ? 0 : 2 * 5 + 1);
	}
	ck_assert_mem_eq(y[0], y[1], sizeof(y[0]));
	ck_assert_mem_eq(z[0], z[1], sizeof(z[0]));
}
END_TEST

/* An Expand that repeats nothing is a view; one that repeats copies. */
START_TEST(expand_view)
{
	static const float x[6] = { 1, 2, 3, 4, 5, 6 };
	struct mg *g = mg_new(7, 13);
	grt_session_stats st;
	grt_model *m;
	grt_session *s = NULL;
	grt_value v;

	mg_input(g, "x", 1, 1, (const int64_t[1]){ 6 });
	mg_init(g, "s16", 7, 1, (const int64_t[1]){ 2 }, (const int64_t[2]){ 1, 6 });
	mg_init(g, "s26", 7, 1, (const int64_t[1]){ 2 }, (const int64_t[2]){ 2, 6 });
	mg_node(g, "Expand", "same", "x,s16", "a");
	mg_node(g, "Sqrt", "sq", "a", "y");
	mg_node(g, "Expand", "twice", "x,s26", "z");
	mg_output(g, "y", 1, 2, (const int64_t[2]){ 1, 6 });
	mg_output(g, "z", 1, 2, (const int64_t[2]){ 2, 6 });
	m = load_buf(g);
	ck_assert_msg(grt_session_create(m, NULL, &s, err, sizeof(err)) == GRT_OK, "%s", err);
	grt_session_stats_get(s, &st);
	ck_assert_int_eq(st.n_nodes_aliased, 1);
	ck_assert_int_eq(st.n_nodes_planned, 2);
	grt_session_input(s, 0, &v);
	memcpy(v.data, x, sizeof(x));
	ck_assert_int_eq(grt_session_run(s), GRT_OK);
	grt_session_output(s, 0, &v);
	for (int i = 0; i < 6; i++)
		ck_assert_float_eq(((float *)v.data)[i], sqrtf(x[i]));
	grt_session_output(s, 1, &v);
	for (int i = 0; i < 12; i++)
		ck_assert_float_eq(((float *)v.data)[i], x[i % 6]);
	grt_session_free(s);
	grt_model_free(m);
}
END_TEST

/* Elementwise ops write into their first input's buffer when it dies there and
 * has their output's size: not into a graph input, not when the other operand is
 * the same buffer, not when the first input is broadcast. Same numbers. */
START_TEST(elementwise_inplace)
{
	static const int64_t d23[2] = { 2, 3 }, d3[1] = { 3 };
	static const float x[6] = { 0.5f, 1, 2, 3, 4, 5 }, c[3] = { 0.25f, 0.5f, 1 };
	static const float yv[3] = { 4, 9, 16 };
	float keep[2][2][6];

	for (int pass = 0; pass < 2; pass++) {
		struct mg *g = mg_new(7, 13);
		grt_session_opts o = { NULL, 0, pass ? GRT_SESSION_NO_INPLACE : 0, 0, 0 };
		grt_session_stats st;
		grt_model *m;
		grt_session *s = NULL;
		grt_value v;

		mg_input(g, "x", 1, 2, d23);
		mg_input(g, "y", 1, 1, d3);
		mg_init(g, "c", 1, 1, d3, c);
		mg_node(g, "Add", "add", "x,c", "a");        /* x is a graph input: no */
		mg_node(g, "Sqrt", "sqrt", "a", "b");        /* a dies: in place */
		mg_node(g, "Mul", "square", "b,b", "d");     /* both operands are b: no */
		mg_node(g, "Sub", "sub", "d,x", "e");        /* d dies: in place */
		mg_node(g, "Tanh", "tanh", "e", "f");        /* e dies: in place */
		mg_node(g, "Sqrt", "sqrt_y", "y", "u");      /* graph input: no */
		mg_node(g, "Mul", "scale", "u,x", "k");      /* u [3] broadcasts: no */
		mg_output(g, "f", 1, 2, d23);
		mg_output(g, "k", 1, 2, d23);
		m = load_buf(g);
		ck_assert_msg(grt_session_create(m, &o, &s, err, sizeof(err)) == GRT_OK, "%s", err);
		grt_session_stats_get(s, &st);
		ck_assert_int_eq(st.n_nodes_inplace, pass ? 0 : 3);
		grt_session_input(s, 0, &v);
		memcpy(v.data, x, sizeof(x));
		grt_session_input(s, 1, &v);
		memcpy(v.data, yv, sizeof(yv));
		ck_assert_int_eq(grt_session_run(s), GRT_OK);
		grt_session_input(s, 0, &v);
		ck_assert_mem_eq(v.data, x, sizeof(x));
		for (int j = 0; j < 2; j++) {
			grt_session_output(s, j, &v);
			memcpy(keep[pass][j], v.data, sizeof(keep[0][0]));
		}
		grt_session_free(s);
		grt_model_free(m);
	}
	ck_assert_mem_eq(keep[0], keep[1], sizeof(keep[0]));
	for (int i = 0; i < 6; i++) {
		ck_assert_float_eq_tol(keep[0][0][i], tanhf(c[i % 3]), 1e-5);
		ck_assert_float_eq_tol(keep[0][1][i], sqrtf(yv[i % 3]) * x[i], 1e-6);
	}
}
END_TEST

/* A Gather of one row and a Slice of whole rows are views at an offset into
 * their input; a Slice with a step is not. Same numbers as copies. */
START_TEST(offset_views)
{
	static const int64_t d43[2] = { 4, 3 }, d3[1] = { 3 }, d23[2] = { 2, 3 }, d42[2] = { 4, 2 };
	static const int64_t one[1] = { 1 }, two[1] = { 2 }, three[1] = { 3 }, ax0[1] = { 0 };
	static const int64_t ax1[1] = { 1 }, big[1] = { 100 }, zero[1] = { 0 };
	float x[12], got[2][3][8];

	for (int i = 0; i < 12; i++)
		x[i] = 0.25f * (float)(i + 1);
	for (int pass = 0; pass < 2; pass++) {
		struct mg *g = mg_new(7, 13);
		grt_session_opts o = { NULL, 0, pass ? GRT_SESSION_NO_ALIAS : 0, 0, 0 };
		grt_session_stats st;
		grt_model *m;
		grt_session *s = NULL;
		grt_value v;

		mg_input(g, "x", 1, 2, d43);
		mg_init(g, "i2", 7, 0, NULL, two);
		mg_init(g, "s1", 7, 1, one, one);
		mg_init(g, "e3", 7, 1, one, three);
		mg_init(g, "a0", 7, 1, one, ax0);
		mg_init(g, "a1", 7, 1, one, ax1);
		mg_init(g, "s0", 7, 1, one, zero);
		mg_init(g, "e100", 7, 1, one, big);
		mg_init(g, "st2", 7, 1, one, two);
		mg_node(g, "Sqrt", "sq", "x", "r");                      /* arena input of the views */
		mg_node(g, "Gather", "row2", "r,i2", "g");               /* view: row 2 */
		mg_node(g, "Slice", "rows12", "r,s1,e3,a0", "sl");       /* view: rows 1..2 */
		mg_node(g, "Slice", "cols02", "r,s0,e100,a1,st2", "sc"); /* strided: a copy */
		mg_node(g, "Tanh", "t1", "g", "y1");
		mg_node(g, "Tanh", "t2", "sl", "y2");
		mg_node(g, "Tanh", "t3", "sc", "y3");
		mg_output(g, "y1", 1, 1, d3);
		mg_output(g, "y2", 1, 2, d23);
		mg_output(g, "y3", 1, 2, d42);
		m = load_buf(g);
		ck_assert_msg(grt_session_create(m, &o, &s, err, sizeof(err)) == GRT_OK, "%s", err);
		grt_session_stats_get(s, &st);
		ck_assert_int_eq(st.n_nodes_aliased, pass ? 0 : 2);
		grt_session_input(s, 0, &v);
		memcpy(v.data, x, sizeof(x));
		ck_assert_int_eq(grt_session_run(s), GRT_OK);
		for (int k = 0; k < 3; k++) {
			grt_session_output(s, k, &v);
			memcpy(got[pass][k], v.data, sizeof(float) * (size_t)grt_value_numel(&v));
		}
		grt_session_free(s);
		grt_model_free(m);
	}
	for (int i = 0; i < 3; i++)
		ck_assert_float_eq(got[0][0][i], tanhf(sqrtf(x[6 + i])));
	ck_assert_mem_eq(got[0][0], got[1][0], 3 * sizeof(float));
	ck_assert_mem_eq(got[0][1], got[1][1], 6 * sizeof(float));
	ck_assert_mem_eq(got[0][2], got[1][2], 8 * sizeof(float));
}
END_TEST

/* The decomposed LayerNorm exporters emit (over the last two axes, gamma
 * and beta with a leading 1) becomes one LayerNormalization node with the
 * same numbers; a near miss (Pow 3) stays decomposed. */
START_TEST(layernorm_fusion)
{
	static const int64_t dx[3] = { 2, 3, 4 }, dg[3] = { 1, 3, 4 }, d1[1] = { 1 }, ax[2] = { -2, -1 };
	float gamma[12], beta[12], x[24], y[3][24];

	for (int i = 0; i < 12; i++) {
		gamma[i] = 0.5f + 0.1f * (float)i;
		beta[i] = 0.05f * (float)i - 0.3f;
	}
	for (int i = 0; i < 24; i++)
		x[i] = sinf((float)i * 1.7f) * 3 + 1;
	for (int pass = 0; pass < 3; pass++) {
		struct mg *g = mg_new(7, 11);
		static const float eps = 1e-5f, two = 2, three = 3;
		grt_session_opts o = { NULL, 0, pass == 1 ? GRT_SESSION_NO_FUSE : 0, 0, 0 };
		grt_session_stats st;
		grt_model *m;
		grt_session *s = NULL;
		grt_value v;
		int k;

		mg_input(g, "x", 1, 3, dx);
		mg_output(g, "z", 1, 3, dx);
		mg_init(g, "eps", 1, 1, d1, &eps);
		mg_init(g, "two", 1, 1, d1, pass == 2 ? &three : &two);
		mg_init(g, "gamma", 1, 3, dg, gamma);
		mg_init(g, "beta", 1, 3, dg, beta);
		k = mg_node(g, "ReduceMean", "m1", "x", "m");
		mg_attr_ints(g, k, "axes", 2, ax);
		mg_node(g, "Sub", "sub", "x,m", "d");
		mg_node(g, "Pow", "pow", "d,two", "p");
		k = mg_node(g, "ReduceMean", "m2", "p", "v");
		mg_attr_ints(g, k, "axes", 2, ax);
		mg_node(g, "Add", "add_eps", "eps,v", "ve");
		mg_node(g, "Sqrt", "sqrt", "ve", "sd");
		mg_node(g, "Div", "div", "d,sd", "n");
		mg_node(g, "Mul", "mul", "n,gamma", "ng");
		mg_node(g, "Add", "add_beta", "ng,beta", "z");
		m = load_buf(g);
		ck_assert_int_eq(grt_session_create(m, &o, &s, err, sizeof(err)), GRT_OK);
		grt_session_stats_get(s, &st);
		ck_assert_int_eq(st.n_nodes_fused, pass == 0 ? 9 : 0);
		ck_assert_int_eq(st.n_nodes_planned, pass == 0 ? 1 : 9);
		grt_session_input(s, 0, &v);
		memcpy(v.data, x, sizeof(x));
		ck_assert_int_eq(grt_session_run(s), GRT_OK);
		grt_session_output(s, 0, &v);
		memcpy(y[pass], v.data, sizeof(y[0]));
		grt_session_free(s);
		grt_model_free(m);
	}
	for (int i = 0; i < 24; i++)
		ck_assert_float_eq_tol(y[0][i], y[1][i], 1e-5);
}
END_TEST

/* BatchNormalization folds into a grouped Conv and a grouped ConvTranspose
 * (with and without a bias); the results match the unfolded plan. */
START_TEST(bn_folding)
{
	static const int64_t dx[4] = { 1, 4, 3, 5 }, dwc[4] = { 6, 2, 1, 3 }, dwt[4] = { 4, 3, 1, 3 };
	static const int64_t d6[1] = { 6 };
	float wc[36], wt[36], bc[6], g6[6], b6[6], m6[6], v6[6], x[60], y[2][2][6 * 3 * 7];

	for (int i = 0; i < 36; i++) {
		wc[i] = cosf((float)i) * 0.5f;
		wt[i] = sinf((float)i * 0.7f) * 0.5f;
	}
	for (int i = 0; i < 6; i++) {
		bc[i] = 0.1f * (float)i;
		g6[i] = 0.5f + 0.2f * (float)i;
		b6[i] = -0.1f * (float)i;
		m6[i] = 0.3f - 0.05f * (float)i;
		v6[i] = 0.5f + 0.3f * (float)i;
	}
	for (int i = 0; i < 60; i++)
		x[i] = sinf((float)i * 0.37f);
	for (int pass = 0; pass < 2; pass++) {
		struct mg *g = mg_new(7, 13);
		grt_session_opts o = { NULL, 0, pass ? GRT_SESSION_NO_FOLD_BN : 0, 0, 0 };
		grt_session_stats st;
		grt_model *m;
		grt_session *s = NULL;
		grt_value v;
		int k;

		mg_input(g, "x", 1, 4, dx);
		mg_init(g, "wc", 1, 4, dwc, wc);
		mg_init(g, "wt", 1, 4, dwt, wt);
		mg_init(g, "bc", 1, 1, d6, bc);
		mg_init(g, "g", 1, 1, d6, g6);
		mg_init(g, "b", 1, 1, d6, b6);
		mg_init(g, "m", 1, 1, d6, m6);
		mg_init(g, "v", 1, 1, d6, v6);
		k = mg_node(g, "Conv", "conv", "x,wc,bc", "c");
		mg_attr_int(g, k, "group", 2);
		mg_attr_ints(g, k, "pads", 4, (const int64_t[4]){ 0, 1, 0, 1 });
		k = mg_node(g, "BatchNormalization", "bn1", "c,g,b,m,v", "y1");
		mg_attr_float(g, k, "epsilon", 1e-3f);
		k = mg_node(g, "ConvTranspose", "convt", "x,wt", "t");
		mg_attr_int(g, k, "group", 2);
		mg_node(g, "BatchNormalization", "bn2", "t,g,b,m,v", "y2");
		mg_output(g, "y1", 1, 4, (const int64_t[4]){ 1, 6, 3, 5 });
		mg_output(g, "y2", 1, 4, (const int64_t[4]){ 1, 6, 3, 7 });
		m = load_buf(g);
		ck_assert_msg(grt_session_create(m, &o, &s, err, sizeof(err)) == GRT_OK, "%s", err);
		grt_session_stats_get(s, &st);
		ck_assert_int_eq(st.n_nodes_fused, pass ? 0 : 2);
		ck_assert_int_eq(st.n_nodes_planned, pass ? 4 : 2);
		grt_session_input(s, 0, &v);
		memcpy(v.data, x, sizeof(x));
		ck_assert_int_eq(grt_session_run(s), GRT_OK);
		grt_session_output(s, 0, &v);
		memcpy(y[pass][0], v.data, sizeof(float) * 90);
		grt_session_output(s, 1, &v);
		memcpy(y[pass][1], v.data, sizeof(float) * 126);
		grt_session_free(s);
		grt_model_free(m);
	}
	for (int i = 0; i < 90; i++)
		ck_assert_float_eq_tol(y[0][0][i], y[1][0][i], 1e-5);
	for (int i = 0; i < 126; i++)
		ck_assert_float_eq_tol(y[0][1][i], y[1][1][i], 1e-5);
}
END_TEST

/* Activations run as epilogues of the Conv / ConvTranspose that writes their
 * input: PRelu with one slope per channel, Sigmoid, Tanh and Relu, also after a
 * BatchNormalization folded into the ConvTranspose. A PRelu whose slope varies
 * along the last axis, and a Tanh whose input is also a graph output, stay
 * nodes. The results match the plan without epilogues exactly. */
START_TEST(activation_epilogues)
{
	static const int64_t dx[4] = { 1, 4, 3, 5 }, dw[4] = { 6, 4, 1, 3 }, dwt[4] = { 4, 3, 1, 3 };
	static const int64_t ds[3] = { 6, 1, 1 }, dsw[1] = { 5 };
	static const int64_t d6[1] = { 6 };
	float w[72], wt[36], sl[6], slw[5], x[60], bn[4][6], y[2][7][6 * 3 * 7];
	static const int64_t yd[7][4] = { { 1, 6, 3, 5 }, { 1, 6, 3, 7 }, { 1, 6, 3, 5 },
	                                  { 1, 6, 3, 5 }, { 1, 6, 3, 5 }, { 1, 6, 3, 7 },
	                                  { 1, 6, 3, 5 } };

	for (int i = 0; i < 72; i++)
		w[i] = cosf((float)i) * 0.5f;
	for (int i = 0; i < 36; i++)
		wt[i] = sinf((float)i * 0.7f) * 0.5f;
	for (int i = 0; i < 6; i++)
		sl[i] = 0.05f * (float)(i + 1);
	for (int i = 0; i < 5; i++)
		slw[i] = -0.1f * (float)i;
	for (int i = 0; i < 60; i++)
		x[i] = sinf((float)i * 0.37f);
	for (int i = 0; i < 6; i++) {
		bn[0][i] = 0.5f + 0.2f * (float)i;    /* scale, bias, mean, var */
		bn[1][i] = -0.1f * (float)i;
		bn[2][i] = 0.3f - 0.05f * (float)i;
		bn[3][i] = 0.5f + 0.3f * (float)i;
	}
	for (int pass = 0; pass < 2; pass++) {
		struct mg *g = mg_new(7, 13);
		grt_session_stats st;
		void *outs[7];
		size_t ob[7];
		int k;

		mg_input(g, "x", 1, 4, dx);
		mg_init(g, "w", 1, 4, dw, w);
		mg_init(g, "wt", 1, 4, dwt, wt);
		mg_init(g, "sl", 1, 3, ds, sl);
		mg_init(g, "slw", 1, 1, dsw, slw);
		mg_init(g, "bn_g", 1, 1, d6, bn[0]);
		mg_init(g, "bn_b", 1, 1, d6, bn[1]);
		mg_init(g, "bn_m", 1, 1, d6, bn[2]);
		mg_init(g, "bn_v", 1, 1, d6, bn[3]);
		k = mg_node(g, "Conv", "c1", "x,w", "a");
		mg_attr_ints(g, k, "pads", 4, (const int64_t[4]){ 0, 1, 0, 1 });
		mg_node(g, "PRelu", "p1", "a,sl", "y1");
		k = mg_node(g, "ConvTranspose", "ct", "x,wt", "b");
		mg_attr_int(g, k, "group", 2);
		mg_node(g, "Sigmoid", "sg", "b", "y2");
		k = mg_node(g, "Conv", "c3", "x,w", "y3");
		mg_attr_ints(g, k, "pads", 4, (const int64_t[4]){ 0, 1, 0, 1 });
		mg_node(g, "Tanh", "th", "y3", "y4");
		k = mg_node(g, "Conv", "c5", "x,w", "e");
		mg_attr_ints(g, k, "pads", 4, (const int64_t[4]){ 0, 1, 0, 1 });
		mg_node(g, "PRelu", "p5", "e,slw", "y5");
		k = mg_node(g, "ConvTranspose", "ct6", "x,wt", "f");
		mg_attr_int(g, k, "group", 2);
		mg_node(g, "BatchNormalization", "bn6", "f,bn_g,bn_b,bn_m,bn_v", "h");
		mg_node(g, "PRelu", "p6", "h,sl", "y6");
		k = mg_node(g, "Conv", "c7", "x,w", "r");
		mg_attr_ints(g, k, "pads", 4, (const int64_t[4]){ 0, 1, 0, 1 });
		mg_node(g, "Relu", "r7", "r", "y7");
		mg_output(g, "y1", 1, 4, yd[0]);
		mg_output(g, "y2", 1, 4, yd[1]);
		mg_output(g, "y3", 1, 4, yd[2]);
		mg_output(g, "y4", 1, 4, yd[3]);
		mg_output(g, "y5", 1, 4, yd[4]);
		mg_output(g, "y6", 1, 4, yd[5]);
		mg_output(g, "y7", 1, 4, yd[6]);
		for (int o_ = 0; o_ < 7; o_++) {
			outs[o_] = y[pass][o_];
			ob[o_] = sizeof(float) * (size_t)(6 * 3 * yd[o_][3]);
		}
		st = plan_and_run(g, pass ? GRT_SESSION_NO_EPILOGUE : 0, x, sizeof(x), 7, outs, ob);
		ck_assert_int_eq(st.n_nodes_fused, pass ? 1 : 5);     /* BN folds either way */
		ck_assert_int_eq(st.n_nodes_planned, pass ? 12 : 8);
	}
	for (int o_ = 0; o_ < 7; o_++)
		for (int i = 0; i < 6 * 3 * yd[o_][3]; i++)
			ck_assert_msg(y[0][o_][i] == y[1][o_][i], "y%d[%d]: %g with epilogues, %g without",
			              o_ + 1, i, (double)y[0][o_][i], (double)y[1][o_][i]);
	/* y1 is PRelu(y3) with channel c's slope */
	for (int i = 0; i < 6 * 3 * 5; i++) {
		float c3 = y[0][2][i], want = c3 < 0 ? sl[i / 15] * c3 : c3;
		ck_assert_msg(y[0][0][i] == want, "y1[%d] = %g, want %g", i, (double)y[0][0][i],
		              (double)want);
		ck_assert_msg(y[0][6][i] == (c3 > 0 ? c3 : 0), "y7[%d] = %g, want Relu(%g)", i,
		              (double)y[0][6][i], (double)c3);
	}
}
END_TEST

/* Initializers in raw_data and in every typed field, scalars included,
 * come back unchanged as graph outputs. */
START_TEST(tensor_storage_forms)
{
	struct mg *g = mg_new(7, 13);
	static const int64_t d3[1] = { 3 };
	static const float f[3] = { 1.5f, -2.25f, 3e-8f };
	static const double dbl[3] = { 1e300, -0.5, 2 };
	static const int64_t i64[3] = { INT64_MIN, -1, INT64_MAX };
	static const int32_t i32[3] = { INT32_MIN, 0, INT32_MAX };
	static const int8_t i8[3] = { -128, 0, 127 };
	static const uint8_t u8[3] = { 0, 200, 255 }, b[3] = { 1, 0, 1 };
	static const float scalar = 42.0f;
	const void *want[9] = { f, dbl, i64, i32, i8, u8, b, &scalar, f };
	const int dt[9] = { 1, 11, 7, 6, 3, 2, 9, 1, 1 };
	const size_t es[9] = { 4, 8, 8, 4, 1, 1, 1, 4, 4 };
	grt_model *m;
	grt_session *s = NULL;

	for (int i = 0; i < 8; i++) {
		char name[8];
		snprintf(name, sizeof(name), "t%d", i);
		if (i == 7)
			mg_init_typed(g, name, dt[i], 0, NULL, want[i]);
		else
			mg_init_typed(g, name, dt[i], 1, d3, want[i]);
		mg_output(g, name, dt[i], i == 7 ? 0 : 1, d3);
	}
	mg_init(g, "t8", 1, 1, d3, f);                 /* raw_data */
	mg_output(g, "t8", 1, 1, d3);
	m = load_buf(g);
	ck_assert_int_eq(grt_model_n_inputs(m), 0);
	ck_assert_int_eq(grt_session_create(m, NULL, &s, err, sizeof(err)), GRT_OK);
	ck_assert_int_eq(grt_session_run(s), GRT_OK);
	for (int i = 0; i < 9; i++) {
		grt_value v;
		grt_session_output(s, i, &v);
		ck_assert_int_eq(v.dtype, dt[i]);
		ck_assert_int_eq(v.ndim, i == 7 ? 0 : 1);
		ck_assert_int_eq(grt_value_numel(&v), i == 7 ? 1 : 3);
		ck_assert_mem_eq(v.data, want[i], (size_t)grt_value_numel(&v) * es[i]);
	}
	grt_session_free(s);
	grt_model_free(m);
}
END_TEST

/* Large int64 initializers are kept narrower by the model and widened for a
 * session (runtime/model.c: keep_int64): every width gives back the exact
 * values, read by a node or as a graph output. */
START_TEST(large_int64_initializers)
{
	enum { N = 1500 };
	static const int64_t dn[1] = { N };
	static const int64_t span[5] = { 100, 30000, 2000000000, (int64_t)1 << 40, 0 };
	static int64_t c[5][N];
	struct mg *g = mg_new(7, 13);
	grt_model *m;
	grt_session *s = NULL;
	grt_value v;

	for (int w = 0; w < 5; w++)
		for (int i = 0; i < N; i++)
			c[w][i] = w == 4 ? INT64_MIN + i : (i % 3 - 1) * span[w] + i % 7;
	mg_input(g, "x", 7, 1, dn);
	for (int w = 0; w < 5; w++) {
		char cn[8], yn[8], in[16];
		snprintf(cn, sizeof(cn), "c%d", w);
		snprintf(yn, sizeof(yn), "y%d", w);
		snprintf(in, sizeof(in), w % 2 ? "x,%s" : "%s,x", cn);
		mg_init(g, cn, 7, 1, dn, c[w]);
		mg_node(g, "Add", yn, in, yn);
		mg_output(g, yn, 7, 1, dn);
		mg_output(g, cn, 7, 1, dn);
	}
	m = load_buf(g);
	ck_assert_int_eq(grt_session_create(m, NULL, &s, err, sizeof(err)), GRT_OK);
	grt_session_input(s, 0, &v);
	memset(v.data, 0, sizeof(int64_t) * N);
	ck_assert_int_eq(grt_session_run(s), GRT_OK);
	for (int w = 0; w < 5; w++)
		for (int k = 0; k < 2; k++) {
			grt_session_output(s, 2 * w + k, &v);
			ck_assert_int_eq(v.dtype, GRT_INT64);
			ck_assert_int_eq(grt_value_numel(&v), N);
			ck_assert_msg(!memcmp(v.data, c[w], sizeof(c[w])), "width case %d, %s differs", w,
			              k ? "the initializer as an output" : "the sum");
		}
	grt_session_free(s);
	grt_model_free(m);
}
END_TEST

/* ScatterND resolves constant indices at prepare (node->baked): a folded
 * index tensor that nothing else reads is freed while the session is
 * planned; one that a node to run also reads stays. */
START_TEST(baked_indices_freed)
{
	enum { N = 2000 };
	static const int64_t dn[1] = { N }, dn1[2] = { N, 1 };
	static int64_t ia[N], ib[N];
	static float x[N], y[N];

	for (int i = 0; i < N; i++) {
		ia[i] = N - 1 - i;       /* reversed, as ia + ib (folded) */
		ib[i] = 0;
		x[i] = (float)i * 0.5f;
	}
	for (int second = 0; second < 2; second++) {
		struct mg *g = mg_new(7, 13);
		grt_model *m;
		grt_session *s = NULL;
		grt_session_stats st;
		grt_value v;

		mg_input(g, "x", 1, 1, dn);
		mg_init(g, "ia", 7, 2, dn1, ia);
		mg_init(g, "ib", 7, 2, dn1, ib);
		mg_node(g, "Add", "fold", "ia,ib", "ind");
		mg_node(g, "ScatterND", "scatter", "x,ind,x", "y");
		mg_output(g, "y", 1, 1, dn);
		if (second) {            /* a reader that needs the values at run time */
			mg_input(g, "k", 7, 2, dn1);
			mg_node(g, "Add", "reader", "ind,k", "z");
			mg_output(g, "z", 7, 2, dn1);
		}
		m = load_buf(g);
		ck_assert_int_eq(grt_session_create(m, NULL, &s, err, sizeof(err)), GRT_OK);
		grt_session_stats_get(s, &st);
		ck_assert_int_eq(st.n_nodes_folded, 1);
		if (second)
			ck_assert_uint_ge(st.const_bytes, sizeof(ia));
		else
			ck_assert_uint_eq(st.const_bytes, 0);
		grt_session_input(s, 0, &v);
		memcpy(v.data, x, sizeof(x));
		if (second) {
			grt_session_input(s, 1, &v);
			memset(v.data, 0, sizeof(ia));
		}
		ck_assert_int_eq(grt_session_run(s), GRT_OK);
		grt_session_output(s, 0, &v);
		memcpy(y, v.data, sizeof(y));
		for (int i = 0; i < N; i++)
			ck_assert_msg(y[N - 1 - i] == x[i], "y[%d] = %g", N - 1 - i, (double)y[N - 1 - i]);
		if (second) {
			grt_session_output(s, 1, &v);
			ck_assert_mem_eq(v.data, ia, sizeof(ia));
		}
		grt_session_free(s);
		grt_model_free(m);
	}
}
END_TEST

/* A node whose outputs hold nothing is not run: a MatMul over 2^30 empty
 * matrices would still loop over them (fuzz_mutate's 80-second case was a
 * ConvTranspose of that kind). */
START_TEST(empty_outputs_not_run)
{
	static const int64_t da[3] = { (int64_t)1 << 30, 0, 4 }, db[2] = { 4, 3 };
	static const int64_t dy[3] = { (int64_t)1 << 30, 0, 3 };
	struct mg *g = mg_new(7, 13);
	grt_model *m;
	grt_session *s = NULL;
	grt_session_stats st;

	mg_input(g, "a", 1, 3, da);
	mg_input(g, "b", 1, 2, db);
	mg_output(g, "y", 1, 3, dy);
	mg_node(g, "MatMul", "mm", "a,b", "y");
	m = load_buf(g);
	ck_assert_int_eq(grt_session_create(m, NULL, &s, err, sizeof(err)), GRT_OK);
	grt_session_stats_get(s, &st);
	ck_assert_int_eq(st.n_nodes_planned, 0);
	ck_assert_int_eq(grt_session_run(s), GRT_OK);
	grt_session_free(s);
	grt_model_free(m);
}
END_TEST

/* pool_rollback() gives back everything since pool_mark(): chunks, large
 * blocks and the carved tail, which reads as zero again. */
START_TEST(pool_mark_rollback)
{
	struct mem_block *pool = NULL;
	struct pool_mark mk;
	unsigned char *a, *b;
	size_t used;

	ck_assert_ptr_nonnull(pool_alloc_small(&pool, 100));
	pool_mark(&pool, &mk);
	used = pool->used;
	for (int round = 0; round < 3; round++) {
		a = pool_alloc_small(&pool, 40);
		memset(a, 0xAB, 40);
		b = pool_alloc(&pool, 100000);          /* a block of its own */
		memset(b, 0xCD, 100000);
		for (int i = 0; i < 50; i++)            /* new chunks in front */
			memset(pool_alloc(&pool, 1000), 0xEF, 1000);
		pool_rollback(&pool, &mk);
		ck_assert_ptr_eq(pool, mk.head);
		ck_assert_ptr_eq(pool->next, mk.next);
		ck_assert_uint_eq(pool->used, used);
		a = pool_alloc_small(&pool, 40);
		for (int i = 0; i < 40; i++)
			ck_assert_uint_eq(a[i], 0);
		pool_rollback(&pool, &mk);
	}
	pool_free(&pool);
	pool_mark(&pool, &mk);                      /* an empty pool */
	ck_assert_ptr_nonnull(pool_alloc(&pool, 10));
	pool_rollback(&pool, &mk);
	ck_assert_ptr_null(pool);
}
END_TEST

int main(void)
{
	const struct test_def tests[] = {
		{ "registry", registry_sorted }, { "registry", registry_lookup },
		{ "plan", fold_and_dead_nodes, .timeout_s = 120 }, { "plan", arena_reuse },
		{ "plan", alias_and_inplace }, { "plan", inplace_through_view },
		{ "plan", layernorm_fusion },
		{ "plan", offset_views }, { "plan", bn_folding }, { "plan", activation_epilogues },
		{ "plan", elementwise_inplace }, { "plan", pad_conv_fusion },
		{ "plan", expand_view }, { "plan", gru_layout_fusion },
		{ "plan", gru_concat_writers }, { "plan", stream_folds_to_simple },
		{ "plan", stats_categories_sum, .timeout_s = 120 },
		{ "plan", baked_indices_freed }, { "plan", pool_mark_rollback },
		{ "plan", empty_outputs_not_run },
		{ "api", metadata, .timeout_s = 120 }, { "api", tensor_storage_forms },
		{ "api", large_int64_initializers }, { "api", file_equals_buffer },
		{ "api", introspection_dynamic_dims }, { "api", threads_share_model },
	};
	Suite *s = suite_from_table("runtime", tests, N_ELEMS(tests));

	return run_suites(&s, 1, 0);
}

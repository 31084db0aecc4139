/* session.c - model + input shapes -> a plan, and the run loop.
 * Plan: prepare every node in topological order (shape/type inference),
 * fold nodes whose inputs are all known by running their own kernel, drop
 * nodes no graph output needs, then give every remaining tensor an offset in
 * one arena from its lifetime. Run: a loop over the prepared nodes. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runtime/internal.h"

static void exec_init(grt_session *s, char *err, size_t err_len)
{
	s->exec.errmsg = err;
	s->exec.errlen = err_len;
	s->exec.pool = &s->pool;
	s->exec.dyn = NULL;
}

/* Checks one caller-given input against its declaration. */
static int check_input(const struct value_info *vi, const grt_value *g, char *err, size_t err_len)
{
	const struct value_decl *v = vi->decl;

	if ((enum dtype)g->dtype != v->dtype) {
		set_err(err, err_len, "input '%s': element type %s given, the model declares %s",
		        vi->name, dtype_name((enum dtype)g->dtype), dtype_name(v->dtype));
		return GRT_E_DTYPE;
	}
	if (g->ndim != v->ndim) {
		set_err(err, err_len, "input '%s': rank %d given, the model declares rank %d",
		        vi->name, g->ndim, v->ndim);
		return GRT_E_SHAPE;
	}
	for (int d = 0; d < v->ndim; d++) {
		if (g->dims[d] < 0) {
			set_err(err, err_len, "input '%s': dim %d is %lld; give a size >= 0",
			        vi->name, d, (long long)g->dims[d]);
			return GRT_E_SHAPE;
		}
		if (v->dims[d] >= 0 && g->dims[d] != v->dims[d]) {
			set_err(err, err_len, "input '%s': dim %d is %lld, the model declares %lld",
			        vi->name, d, (long long)g->dims[d], (long long)v->dims[d]);
			return GRT_E_SHAPE;
		}
	}
	return GRT_OK;
}

static int setup_inputs(grt_session *s, const grt_session_opts *opts, char *err, size_t err_len)
{
	const grt_model *m = s->model;

	if (opts && opts->inputs && opts->n_inputs != m->n_inputs) {
		set_err(err, err_len, "%d input shapes given, the model has %d inputs",
		        opts->n_inputs, m->n_inputs);
		return GRT_E_ARG;
	}
	for (int i = 0; i < m->n_inputs; i++) {
		const struct value_info *vi = &m->values[m->inputs[i]];
		const struct value_decl *v = vi->decl;    /* graph inputs have one */
		struct tensor *t = &s->tensors[m->inputs[i]];
		grt_value decl;
		const grt_value *g;
		int rc;

		if (opts && opts->inputs) {
			g = &opts->inputs[i];
		} else {
			memset(&decl, 0, sizeof(decl));
			decl.dtype = (grt_dtype)v->dtype;
			decl.ndim = v->ndim;
			for (int d = 0; d < v->ndim; d++) {
				if (v->dims[d] < 0) {
					set_err(err, err_len, "input '%s': dim %d ('%s') is dynamic; "
					        "give the input shapes", vi->name, d,
					        v->dim_names && v->dim_names[d] ? v->dim_names[d] : "?");
					return GRT_E_SHAPE;
				}
				decl.dims[d] = v->dims[d];
			}
			g = &decl;
		}
		if ((rc = check_input(vi, g, err, err_len)))
			return rc;
		rc = tensor_set_shape(t, v->dtype, g->ndim, g->dims);
		if (rc) {
			set_err(err, err_len, "input '%s': shape too large", vi->name);
			return rc;
		}
		s->inputs[i] = t;
		if (g->data) {
			t->data = pool_alloc(&s->pool.blocks, t->nbytes);
			if (!t->data)
				return GRT_E_NOMEM;
			memcpy(t->data, g->data, t->nbytes);
			t->is_const = 1;
			s->input_fixed[i] = 1;
			s->stats.const_bytes += t->nbytes;
		}
	}
	return GRT_OK;
}

/* Plan-time memory of folded values counts against the session's budget:
 * a model that implies huge constants is refused before they exist. */
static int const_alloc(grt_session *s, struct node *n, int v, size_t bytes)
{
	if (bytes > s->budget - s->const_live) {
		if (!n) {
			set_err(s->exec.errmsg, s->exec.errlen, "value '%s' needs %zu bytes, over the "
			        "memory budget of %zu", s->tensors[v].name, bytes, s->budget);
			return GRT_E_LIMIT;
		}
		return op_fail(n, &s->exec, GRT_E_LIMIT, "value '%s' needs %zu bytes at plan time, "
		               "over the memory budget of %zu (%zu in use)", s->tensors[v].name, bytes,
		               s->budget, s->const_live);
	}
	if (posix_memalign(&s->folded[v], ARENA_ALIGN, bytes ? bytes : 1)) {
		s->folded[v] = NULL;
		return GRT_E_NOMEM;
	}
	s->const_live += bytes;
	s->tensors[v].data = s->folded[v];
	return GRT_OK;
}

/* A node whose outputs hold no element has nothing to compute (its loops
 * may still be long: a batch of 2^31 empty items). */
static int all_empty(const struct node *n)
{
	if (n->op->flags & OP_CONTROL)
		return 0;
	for (int o = 0; o < n->n_outputs; o++)
		if (n->outputs[o] && n->outputs[o]->numel)
			return 0;
	return 1;
}

static int fold_node(grt_session *s, struct node *n)
{
	void *scratch = NULL;
	int rc;

	for (int o = 0; o < n->n_outputs; o++) {
		struct tensor *t = n->outputs[o];
		if (t && (rc = const_alloc(s, n, (int)(t - s->tensors), t->nbytes)))
			return rc;
	}
	if (n->scratch_bytes > s->budget - s->const_live)
		return op_fail(n, &s->exec, GRT_E_LIMIT, "needs %zu bytes of scratch at plan time, "
		               "over the memory budget of %zu", n->scratch_bytes, s->budget);
	if (n->scratch_bytes && posix_memalign(&scratch, ARENA_ALIGN, n->scratch_bytes))
		return GRT_E_NOMEM;
	s->exec.scratch = scratch;
	rc = all_empty(n) ? GRT_OK : n->op->run(n, &s->exec);
	s->exec.scratch = NULL;
	free(scratch);
	if (rc)
		return rc;
	for (int o = 0; o < n->n_outputs; o++)
		if (n->outputs[o])
			n->outputs[o]->is_const = 1;
	return GRT_OK;
}

/* An initializer that the model keeps narrowed (model.c: keep_int64) gets
 * its int64 values when a node first reads it; the copy is the session's,
 * freed like a folded value. */
static int widen(grt_session *s, struct node *n, int v)
{
	struct tensor *t = &s->tensors[v];
	int rc;

	if (t->data || !s->model->values[v].narrow)
		return GRT_OK;
	if ((rc = const_alloc(s, n, v, t->nbytes)))
		return rc;
	model_widen(s->model, v, t->data);
	return GRT_OK;
}

static void drop_folded(grt_session *s, int v)
{
	s->const_live -= s->tensors[v].nbytes;
	free(s->folded[v]);
	s->folded[v] = NULL;
	s->tensors[v].data = NULL;
}

/* Readers left of each value while nodes are prepared: a folded value goes
 * as soon as the last node that reads it has been folded too, or has baked
 * it (shape arithmetic and index tensors of unsimplified exports add up to
 * megabytes). Graph outputs and values that a node to run reads are kept
 * for now. */
static void count_reads(struct readers *r, const struct model_node *nodes, int n)
{
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < nodes[i].n_inputs; k++)
			if (nodes[i].inputs[k] >= 0)
				r->left[nodes[i].inputs[k]]++;
		/* a subgraph's outputs are read by its node (runtime/control.c) */
		for (int a = 0; a < nodes[i].n_attrs; a++)
			if (nodes[i].attrs[a].type == ATTR_GRAPH)
				for (int k = 0; k < nodes[i].attrs[a].g->n_outputs; k++)
					r->left[nodes[i].attrs[a].g->outputs[k]]++;
	}
}

static void readers_init(struct readers *r, const grt_model *m)
{
	r->left = calloc((size_t)m->n_values + 1, sizeof(int));
	r->run = calloc((size_t)m->n_values + 1, 1);
	if (!r->left || !r->run) {      /* then nothing goes early: correct, larger */
		free(r->left);
		free(r->run);
		r->left = NULL;
		r->run = NULL;
		return;
	}
	count_reads(r, m->nodes, m->n_nodes);
	for (int k = 0; k < m->n_graphs; k++)
		count_reads(r, m->graphs[k]->nodes, m->graphs[k]->n_nodes);
	for (int i = 0; i < m->n_outputs; i++)
		r->run[m->outputs[i]] = 1;
}

void readers_done(grt_session *s, struct readers *r, const struct model_node *mn,
                  const struct node *n, int folded)
{
	if (!r->left)
		return;
	for (int k = 0; k < mn->n_inputs; k++) {
		int v = mn->inputs[k];
		if (v < 0)
			continue;
		v = s->redirect[v];
		if (!folded && !(k < 32 && (n->baked >> k & 1)))
			r->run[v] = 1;
		if (!--r->left[v] && !r->run[v] && s->folded[v])
			drop_folded(s, v);
	}
	for (int k = 0; folded && k < mn->n_outputs; k++) {   /* read by nothing */
		int v = mn->outputs[k];
		if (v >= 0 && !r->left[v] && !r->run[v] && s->folded[v])
			drop_folded(s, v);
	}
}

/* Node n (of model node mn) needs a value known only at run time, or reads
 * a dynamic output: it is kept to be prepared at each run; its outputs'
 * shapes (and types) are unknown until then. */
static int plan_dynamic(grt_session *s, const struct model_node *mn, struct node *n,
                        struct readers *rd)
{
	n->params = NULL;
	n->scratch_bytes = 0;
	n->view = n->inplace = 0;
	n->baked = 0;
	n->dynamic = 1;
	for (int k = 0; k < n->n_outputs; k++)
		if (n->outputs[k]) {
			n->outputs[k]->is_dynamic = 1;
			n->outputs[k]->dtype = DT_UNDEFINED;
			n->outputs[k]->ndim = 0;
			n->outputs[k]->numel = 0;
			n->outputs[k]->nbytes = 0;
		}
	readers_done(s, rd, mn, n, 0);
	s->stats.n_nodes_dynamic++;
	s->n_run++;
	return GRT_OK;
}

/* Prepares model node mn into the next slot of s->nodes; folds it when it
 * can be folded, else keeps it to run. */
int plan_node(grt_session *s, unsigned flags, const struct model_node *mn, struct readers *rd)
{
	struct node *n;
	struct pool_mark mark, mark_prep;
	size_t used0 = s->pool.used, used_prep;
	int all_const = 1, dyn_in = 0, rc;

	if (s->n_run == s->cap_run) {
		int cap = s->cap_run ? 2 * s->cap_run : 64;
		struct node *more = realloc(s->nodes, (size_t)cap * sizeof(*more));
		if (!more)
			return GRT_E_NOMEM;
		s->nodes = more;
		s->cap_run = cap;
	}
	n = &s->nodes[s->n_run];
	pool_mark(&s->pool.blocks, &mark);    /* a folded node leaves nothing behind */
	memset(n, 0, sizeof(*n));
	n->op = mn->op;
	n->name = mn->name;
	n->op_type = mn->op_type;
	n->opset = mn->opset;
	n->attrs = mn->attrs;
	n->n_attrs = mn->n_attrs;
	n->n_inputs = mn->n_inputs;
	n->n_outputs = mn->n_outputs;
	n->inputs = pool_alloc_small(&s->pool.blocks,
	                             ((size_t)n->n_inputs + 1) * sizeof(*n->inputs));
	n->outputs = pool_alloc_small(&s->pool.blocks,
	                              ((size_t)n->n_outputs + 1) * sizeof(*n->outputs));
	if (!n->inputs || !n->outputs)
		return GRT_E_NOMEM;
	for (int k = 0; k < n->n_inputs; k++) {
		int v = mn->inputs[k] >= 0 ? s->redirect[mn->inputs[k]] : -1;
		n->inputs[k] = v >= 0 ? &s->tensors[v] : NULL;
		if (v >= 0 && !s->tensors[v].is_const)
			all_const = 0;
		if (v >= 0 && s->tensors[v].is_dynamic)
			dyn_in = 1;
		if (v >= 0 && (rc = widen(s, n, v)))
			return rc;
	}
	for (int k = 0; k < n->n_outputs; k++)
		n->outputs[k] = mn->outputs[k] >= 0 ? &s->tensors[mn->outputs[k]] : NULL;

	s->exec.dyn = NULL;
	pool_mark(&s->pool.blocks, &mark_prep);
	used_prep = s->pool.used;
	rc = dyn_in ? GRT_E_DYNAMIC : n->op->prepare(n, &s->exec);
	if (rc == GRT_E_DYNAMIC && !(flags & GRT_SESSION_STATIC) && !(n->op->flags & OP_CONTROL)) {
		pool_rollback(&s->pool.blocks, &mark_prep);     /* prepared again per run */
		s->pool.used = used_prep;
		return plan_dynamic(s, mn, n, rd);
	}
	if (rc)
		return rc;
	for (int k = 0; k < n->n_outputs; k++)
		if (n->outputs[k] && !dtype_size(n->outputs[k]->dtype))
			return op_fail(n, &s->exec, GRT_E_DTYPE,
			               "output %d '%s' has no element type after prepare",
			               k, n->outputs[k]->name);
	if (!(flags & GRT_SESSION_NO_FOLD) && !(n->op->flags & OP_CONTROL) &&
	    (all_const || (n->op->flags & OP_SHAPE_ONLY))) {
		rc = fold_node(s, n);
		if (rc)
			return rc;
		s->stats.n_nodes_folded++;
		readers_done(s, rd, mn, n, 1);
		pool_rollback(&s->pool.blocks, &mark);
		s->pool.used = used0;
		return GRT_OK;
	}
	readers_done(s, rd, mn, n, 0);
	s->n_run++;
	return GRT_OK;
}

/* Nodes in order into the run list; an If, Loop or Scan plans its bodies
 * (runtime/control.c), which come back here. */
int plan_nodes(grt_session *s, unsigned flags, const struct model_node *nodes, int n,
               struct readers *rd)
{
	int rc = GRT_OK;

	for (int i = 0; i < n && !rc; i++)
		rc = nodes[i].op->flags & OP_CONTROL ? plan_control(s, flags, &nodes[i], rd)
		                                     : plan_node(s, flags, &nodes[i], rd);
	return rc;
}

/* Prepares every node; folds what can be folded; the rest goes to s->nodes. */
static int prepare_nodes(grt_session *s, unsigned flags)
{
	const grt_model *m = s->model;
	struct readers rd;
	struct node *all;
	int rc;

	readers_init(&rd, m);
	rc = plan_nodes(s, flags, m->nodes, m->n_nodes, &rd);
	free(rd.left);
	free(rd.run);
	all = s->nodes;     /* unsimplified exports fold most nodes: keep the rest */
	s->nodes = rc ? NULL : pool_alloc(&s->pool.blocks, ((size_t)s->n_run + 1) * sizeof(*all));
	if (s->nodes)
		memcpy(s->nodes, all, (size_t)s->n_run * sizeof(*all));
	else if (!rc)
		rc = GRT_E_NOMEM;
	free(all);
	s->cap_run = 0;
	return rc;
}

/* Removes run nodes whose outputs no graph output needs. */
static void remove_dead(grt_session *s)
{
	const grt_model *m = s->model;
	char *needed = calloc((size_t)m->n_values + 1, 1);
	int kept = 0;

	if (!needed)
		return;            /* keeping dead nodes is correct, only slower */
	for (int i = 0; i < m->n_outputs; i++)
		needed[s->redirect[m->outputs[i]]] = 1;
	for (int i = s->n_run - 1; i >= 0; i--) {
		struct node *n = &s->nodes[i];
		int live = (n->op->flags & OP_CONTROL) != 0;   /* jumps stay */
		for (int k = 0; k < n->n_outputs; k++)
			if (n->outputs[k] && needed[n->outputs[k] - s->tensors])
				live = 1;
		if (!live) {
			n->op = NULL;
			continue;
		}
		for (int k = 0; k < n->n_inputs; k++)
			if (n->inputs[k])
				needed[n->inputs[k] - s->tensors] = 1;
	}
	for (int i = 0; i < s->n_run; i++)
		if (s->nodes[i].op)
			s->nodes[kept++] = s->nodes[i];
	s->stats.n_nodes_dead += s->n_run - kept;   /* after the untaken If branches */
	s->n_run = kept;
	free(needed);
}

/* Frees the folded values that no planned node reads (or only reads at
 * prepare: node->baked) and no graph output is: intermediates of shape
 * arithmetic, index tensors resolved at prepare, weights folded into others. */
static void release_folded(grt_session *s)
{
	const grt_model *m = s->model;
	char *keep = calloc((size_t)m->n_values + 1, 1);

	if (!keep)
		return;           /* keeping them is correct, only larger */
	for (int i = 0; i < s->n_run; i++)
		for (int k = 0; k < s->nodes[i].n_inputs; k++) {
			const struct tensor *t = s->nodes[i].inputs[k];
			if (k < 32 && (s->nodes[i].baked >> k & 1))
				continue;           /* prepare kept what run() needs */
			if (t && t >= s->tensors && t < s->tensors + m->n_values)
				keep[t - s->tensors] = 1;
		}
	for (int i = 0; i < m->n_outputs; i++)
		keep[s->redirect[m->outputs[i]]] = 1;
	for (int v = 0; v < m->n_values; v++) {
		if (!s->folded[v])
			continue;
		if (keep[v]) {
			s->stats.const_bytes += s->tensors[v].nbytes;
			continue;
		}
		drop_folded(s, v);
	}
	free(keep);
}

/* --- buffer sharing --- */

/* Index of a session tensor. Rewrites may give nodes extra constant
 * inputs that live outside s->tensors: callers skip constants first. */
static int tid(const grt_session *s, const struct tensor *t)
{
	return (int)(t - s->tensors);
}

/* Views (n->view): the output becomes another name for the input's buffer
 * and the node is dropped. In-place (n->inplace): the output takes the
 * input's buffer when no later node reads that buffer and it is not a
 * graph output, nor a graph input that keeps its value. root[v] names the
 * tensor whose buffer v uses. */
static int share_buffers(grt_session *s, unsigned flags, uint64_t scratch_inputs, int *root,
                         size_t *voff)
{
	const grt_model *m = s->model;
	int nv = m->n_values, kept = 0;
	int *last = NULL;

	for (int v = 0; v < nv; v++) {
		root[v] = v;
		voff[v] = 0;
	}
	if (!(flags & GRT_SESSION_NO_ALIAS)) {
		for (int i = 0; i < s->n_run; i++) {
			struct node *n = &s->nodes[i];
			struct tensor *in = n->n_inputs ? n->inputs[0] : NULL;
			struct tensor *out = n->n_outputs ? n->outputs[0] : NULL;
			if (n->view && in && out && !in->is_const && !out->is_const &&
			    in->dtype == out->dtype && n->view_offset + out->nbytes <= in->nbytes &&
			    n->view_offset % dtype_size(in->dtype) == 0) {
				root[tid(s, out)] = root[tid(s, in)];
				voff[tid(s, out)] = voff[tid(s, in)] + n->view_offset;
				s->stats.n_nodes_aliased++;
				continue;
			}
			s->nodes[kept++] = *n;
		}
		s->n_run = kept;
	}
	if (flags & GRT_SESSION_NO_INPLACE)
		return GRT_OK;
	/* last[r]: the last step that reads buffer r (n_run: kept to the end) */
	last = malloc(((size_t)nv + 1) * sizeof(int));
	if (!last)
		return GRT_E_NOMEM;
	for (int v = 0; v < nv; v++)
		last[v] = -1;
	for (int i = 0; i < s->n_run; i++)
		for (int k = 0; k < s->nodes[i].n_inputs; k++)
			if (s->nodes[i].inputs[k] && !s->nodes[i].inputs[k]->is_const)
				last[root[tid(s, s->nodes[i].inputs[k])]] = i;
	for (int i = 0; i < m->n_outputs; i++)
		last[root[s->redirect[m->outputs[i]]]] = s->n_run;
	for (int i = 0; i < m->n_inputs; i++)
		if (i >= 64 || !(scratch_inputs >> i & 1))
			last[root[m->inputs[i]]] = s->n_run;   /* inputs keep their values */
	for (int i = 0; i < s->n_run; i++) {
		struct node *n = &s->nodes[i];
		struct tensor *in = n->n_inputs ? n->inputs[0] : NULL;
		struct tensor *out = n->n_outputs ? n->outputs[0] : NULL;
		int r, o, shared = 0;
		if (!n->inplace || !in || !out || in->is_const || in->nbytes != out->nbytes)
			continue;
		r = root[tid(s, in)];
		o = tid(s, out);
		if (last[r] != i || s->tensors[r].is_const)
			continue;
		for (int k = 1; k < n->n_inputs; k++)
			if (n->inputs[k] && !n->inputs[k]->is_const && root[tid(s, n->inputs[k])] == r)
				shared = 1;
		if (shared)
			continue;
		for (int v = 0; v < nv; v++)     /* o and its views move to r's buffer */
			if (root[v] == o && v != o) {
				root[v] = r;
				voff[v] += voff[tid(s, in)];
			}
		root[o] = r;
		voff[o] = voff[tid(s, in)];
		last[r] = last[o];
		s->stats.n_nodes_inplace++;
	}
	free(last);
	return GRT_OK;
}

/* --- memory plan --- */

struct live { size_t off, size; int last; };

static int cmp_live(const void *a, const void *b)
{
	const struct live *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

static size_t align_up(size_t n)
{
	return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

/* Gives every non-constant tensor that a run node writes, and every free
 * graph input, an arena offset: first fit among the blocks live at its
 * definition. A tensor lives from the step that defines it to the last step
 * that reads it; graph inputs and outputs live through the whole run. */
static int plan_memory(grt_session *s, const int *root, const size_t *voff, size_t *offsets)
{
	const grt_model *m = s->model;
	int nv = m->n_values, n_live = 0, rc = GRT_OK;
	int *first = malloc(((size_t)nv + 1) * sizeof(int));
	int *last = malloc(((size_t)nv + 1) * sizeof(int));
	struct live *lv = malloc(((size_t)nv + 1) * sizeof(*lv));
	size_t arena = 0;

	if (!first || !last || !lv) {
		rc = GRT_E_NOMEM;
		goto out;
	}
	/* lifetimes of buffers: a buffer is a root tensor together with the
	 * tensors that share it (views, in-place outputs) */
	for (int v = 0; v < nv; v++) {
		first[v] = -2;      /* -2: not in the arena */
		last[v] = -2;
		offsets[v] = 0;
	}
	for (int i = 0; i < m->n_inputs; i++)
		if (!s->input_fixed[i]) {
			first[m->inputs[i]] = -1;
			last[m->inputs[i]] = s->n_run;
		}
	for (int i = 0; i < s->n_run; i++) {
		struct node *n = &s->nodes[i];
		for (int k = 0; k < n->n_outputs; k++)
			if (n->outputs[k] && !n->outputs[k]->is_dynamic) {
				int v = (int)(n->outputs[k] - s->tensors), r = root[v];
				if (r == v && first[v] == -2)     /* the first of its writers */
					first[v] = i;
				if (first[r] != -2 && last[r] < i)
					last[r] = i;
			}
		for (int k = 0; k < n->n_inputs; k++)
			if (n->inputs[k] && !n->inputs[k]->is_const) {
				int r = root[n->inputs[k] - s->tensors];
				if (first[r] != -2 && last[r] < i)
					last[r] = i;
			}
	}
	for (int i = 0; i < m->n_outputs; i++)
		if (first[root[s->redirect[m->outputs[i]]]] != -2)
			last[root[s->redirect[m->outputs[i]]]] = s->n_run;

	/* place in order of definition: inputs (step -1), then each step's outputs */
	for (int step = -1; step < s->n_run; step++) {
		int k_end = step < 0 ? m->n_inputs : s->nodes[step].n_outputs;
		int w = 0;
		for (int j = 0; j < n_live; j++)      /* free what died before this step */
			if (lv[j].last >= step)
				lv[w++] = lv[j];
		n_live = w;
		qsort(lv, (size_t)n_live, sizeof(*lv), cmp_live);
		for (int k = 0; k < k_end; k++) {
			struct tensor *t = step < 0 ? s->inputs[k] : s->nodes[step].outputs[k];
			int v;
			size_t size, off = 0;
			if (!t)
				continue;
			v = (int)(t - s->tensors);
			if (root[v] != v || first[v] != step)
				continue;
			size = align_up(t->nbytes);
			for (int j = 0; j < n_live; j++) {     /* first gap that fits */
				if (lv[j].off >= off + size)
					break;
				if (lv[j].off + lv[j].size > off)
					off = lv[j].off + lv[j].size;
			}
			offsets[v] = off;
			if (off + size > arena)
				arena = off + size;
			if (size) {
				int j = n_live++;
				lv[j].off = off;
				lv[j].size = size;
				lv[j].last = last[v];
				qsort(lv, (size_t)n_live, sizeof(*lv), cmp_live);
			}
		}
	}
	s->stats.arena_bytes = arena;
	for (int v = 0; v < nv; v++)
		if (first[root[v]] == -2)
			offsets[v] = (size_t)-1;     /* constant, or a view of one */
		else if (root[v] != v)
			offsets[v] = offsets[root[v]] + voff[v];
out:
	free(first);
	free(last);
	free(lv);
	return rc;
}

static int allocate(grt_session *s, const grt_session_opts *opts, const int *root,
                    const size_t *voff, char *err, size_t err_len)
{
	const grt_model *m = s->model;
	size_t *offsets = malloc(((size_t)m->n_values + 1) * sizeof(size_t));
	size_t scratch = 0, limit = s->budget;
	int rc;

	if (!offsets)
		return GRT_E_NOMEM;
	rc = plan_memory(s, root, voff, offsets);
	if (rc)
		goto out;
	for (int i = 0; i < s->n_run; i++)
		if (s->nodes[i].scratch_bytes > scratch)
			scratch = s->nodes[i].scratch_bytes;
	s->stats.scratch_bytes = scratch;
	if (s->stats.arena_bytes > limit || scratch > limit - s->stats.arena_bytes ||
	    s->const_live > limit - s->stats.arena_bytes - scratch) {
		set_err(err, err_len, "the plan needs %zu bytes (arena %zu + scratch %zu + "
		        "constants %zu), more than the limit of %zu",
		        s->stats.arena_bytes + scratch + s->const_live, s->stats.arena_bytes, scratch,
		        s->const_live, limit);
		rc = GRT_E_LIMIT;
		goto out;
	}
	if (opts && (opts->flags & GRT_SESSION_PLAN_ONLY))
		goto out;
	if (posix_memalign(&s->arena, ARENA_ALIGN, s->stats.arena_bytes ? s->stats.arena_bytes : ARENA_ALIGN)) {
		s->arena = NULL;
		rc = GRT_E_NOMEM;
		goto out;
	}
	memset(s->arena, 0, s->stats.arena_bytes);
	for (int v = 0; v < m->n_values; v++)
		if (offsets[v] != (size_t)-1)
			s->tensors[v].data = (char *)s->arena + offsets[v];
		else if (root[v] != v && s->tensors[root[v]].data)   /* view of a constant */
			s->tensors[v].data = (char *)s->tensors[root[v]].data + voff[v];
	if (posix_memalign(&s->scratch, ARENA_ALIGN, scratch ? align_up(scratch) : ARENA_ALIGN)) {
		s->scratch = NULL;
		rc = GRT_E_NOMEM;
	}
out:
	free(offsets);
	return rc;
}

/* One pointer the plan holds: into old[0, nv) marks its value (t NULL) or
 * moves it to t[to[v]]; pointers elsewhere (constants fuse.c made) stay. */
static void remap_ref(struct tensor **p, const struct tensor *old, int nv, int *to,
                      struct tensor *t)
{
	if (!*p || *p < old || *p >= old + nv)
		return;
	if (t)
		*p = t + to[*p - old];
	else
		to[*p - old] = 0;
}

static void remap_all(grt_session *s, const struct tensor *old, int *to, struct tensor *t)
{
	const grt_model *m = s->model;

	for (int i = 0; i < m->n_inputs; i++)
		remap_ref(&s->inputs[i], old, m->n_values, to, t);
	for (int i = 0; i < m->n_outputs; i++)
		remap_ref(&s->outputs[i], old, m->n_values, to, t);
	for (int i = 0; i < s->n_run; i++) {
		for (int k = 0; k < s->nodes[i].n_inputs; k++)
			remap_ref(&s->nodes[i].inputs[k], old, m->n_values, to, t);
		for (int k = 0; k < s->nodes[i].n_outputs; k++)
			remap_ref(&s->nodes[i].outputs[k], old, m->n_values, to, t);
	}
}

/* Keeps the records of the values that the plan still uses (inputs, outputs
 * and those of the nodes to run) and drops the rest: an unsimplified export
 * has thousands of values, nearly all folded away. Nodes may also read
 * constants that fuse.c made; those live in the pool and stay. */
static int compact_tensors(grt_session *s)
{
	const grt_model *m = s->model;
	struct tensor *old = s->tensors, *t;
	int *to = malloc(((size_t)m->n_values + 1) * sizeof(int)), n = 0;

	if (!to)
		return GRT_E_NOMEM;
	for (int v = 0; v < m->n_values; v++)
		to[v] = -1;
	remap_all(s, old, to, NULL);             /* mark the values in use */
	for (int v = 0; v < m->n_values; v++)
		if (!to[v])
			to[v] = n++;
	if (!(t = malloc(((size_t)n + 1) * sizeof(*t)))) {
		free(to);
		return GRT_E_NOMEM;
	}
	for (int v = 0; v < m->n_values; v++)
		if (to[v] >= 0)
			t[to[v]] = old[v];
	remap_all(s, old, to, t);
	free(to);
	free(old);
	s->tensors = t;
	return GRT_OK;
}

int grt_session_create(const grt_model *m, const grt_session_opts *opts, grt_session **out,
                       char *err, size_t err_len)
{
	grt_session *s;
	int *root = NULL;     /* [n_values] whose buffer each tensor uses */
	size_t *voff = NULL;  /* [n_values] byte offset of a view in that buffer */
	int rc;

	if (!m || !out) {
		set_err(err, err_len, "grt_session_create: NULL argument");
		return GRT_E_ARG;
	}
	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		set_err(err, err_len, "out of memory");
		return GRT_E_NOMEM;
	}
	s->model = m;
	s->budget = opts && opts->max_bytes ? opts->max_bytes : GRT_DEFAULT_MAX_BYTES;
	s->pool.limit = s->budget;
	s->stats.n_nodes_model = m->n_nodes_all;
	exec_init(s, err, err_len);
	s->exec.kern = kernels_select(opts && (opts->flags & GRT_SESSION_PORTABLE));
	s->tensors = calloc((size_t)m->n_values + 1, sizeof(*s->tensors));
	s->redirect = malloc(((size_t)m->n_values + 1) * sizeof(int));
	s->inputs = pool_alloc(&s->pool.blocks, ((size_t)m->n_inputs + 1) * sizeof(*s->inputs));
	s->outputs = pool_alloc(&s->pool.blocks, ((size_t)m->n_outputs + 1) * sizeof(*s->outputs));
	s->input_fixed = pool_alloc(&s->pool.blocks, ((size_t)m->n_inputs + 1) * sizeof(int));
	s->folded = pool_alloc(&s->pool.blocks, ((size_t)m->n_values + 1) * sizeof(void *));
	if (!s->tensors || !s->redirect || !s->inputs || !s->outputs || !s->input_fixed ||
	    !s->folded) {
		rc = GRT_E_NOMEM;
		goto fail;
	}
	for (int v = 0; v < m->n_values; v++) {
		struct tensor *t = &s->tensors[v];
		if (m->values[v].init) {
			*t = *m->values[v].init;   /* shares the model's weights */
		}
		t->name = m->values[v].name;
		s->redirect[v] = v;
	}
	if ((rc = setup_inputs(s, opts, err, err_len)))
		goto fail;
	if ((rc = prepare_nodes(s, opts ? opts->flags : 0)))
		goto fail;
	remove_dead(s);
	for (int i = 0; i < m->n_outputs; i++) {
		s->outputs[i] = &s->tensors[s->redirect[m->outputs[i]]];
		if ((rc = widen(s, NULL, s->redirect[m->outputs[i]])))  /* an initializer as an output */
			goto fail;
	}
	root = malloc(((size_t)m->n_values + 1) * sizeof(int));
	voff = malloc(((size_t)m->n_values + 1) * sizeof(size_t));
	if (!root || !voff) {
		rc = GRT_E_NOMEM;
		goto fail;
	}
	if ((rc = fuse_nodes(s, opts ? opts->flags : 0)))
		goto fail;
	release_folded(s);
	if (
	    (rc = share_buffers(s, opts ? opts->flags : 0, opts ? opts->scratch_inputs : 0, root,
	                         voff)) ||
	    (rc = allocate(s, opts, root, voff, err, err_len)))
		goto fail;
	free(root);
	free(voff);
	root = NULL;
	voff = NULL;
	{
		int kept = 0;                   /* buffers are placed: drop what computes nothing */
		for (int i = 0; i < s->n_run; i++)
			if (s->nodes[i].dynamic || !all_empty(&s->nodes[i]))
				s->nodes[kept++] = s->nodes[i];
		s->stats.n_nodes_empty = s->n_run - kept;
		s->n_run = kept;
	}
	s->stats.n_nodes_planned = s->n_run - s->n_ctl_steps;
	s->stats.n_nodes_dynamic = 0;
	for (int i = 0; i < s->n_run; i++)
		s->stats.n_nodes_dynamic += s->nodes[i].dynamic;
	control_resolve(s);
	if ((rc = compact_tensors(s)))
		goto fail;
	exec_init(s, s->errmsg, sizeof(s->errmsg));
	*out = s;
	return GRT_OK;
fail:
	if (rc == GRT_E_NOMEM && s->pool.over) {
		set_err(err, err_len, "planning needs more than the memory budget of %zu bytes "
		        "(node data: %zu bytes so far)", s->budget, s->pool.used);
		rc = GRT_E_LIMIT;
	} else if (rc == GRT_E_NOMEM) {
		set_err(err, err_len, "out of memory while planning the session");
	}
	free(root);
	free(voff);
	grt_session_free(s);
	return rc;
}

void grt_session_free(grt_session *s)
{
	if (!s)
		return;
	free(s->arena);
	free(s->scratch);
	free(s->tensors);
	free(s->redirect);
	for (int v = 0; s->folded && v < s->model->n_values; v++)
		free(s->folded[v]);
	pool_free(&s->pool.blocks);
	pool_free(&s->dyn_pool.blocks);
	free(s);
}

static void value_of(const struct tensor *t, grt_value *v)
{
	memset(v, 0, sizeof(*v));
	v->dtype = (grt_dtype)t->dtype;
	v->ndim = t->ndim;
	for (int d = 0; d < t->ndim; d++)
		v->dims[d] = t->dims[d];
	v->data = t->data;
}

int grt_session_input(grt_session *s, int i, grt_value *out)
{
	if (!s || !out || i < 0 || i >= s->model->n_inputs)
		return GRT_E_ARG;
	value_of(s->inputs[i], out);
	if (s->input_fixed[i])
		out->data = NULL;
	return GRT_OK;
}

int grt_session_output(grt_session *s, int i, grt_value *out)
{
	if (!s || !out || i < 0 || i >= s->model->n_outputs)
		return GRT_E_ARG;
	value_of(s->outputs[i], out);
	return GRT_OK;
}

/* Run-time memory of dynamic nodes, zeroed and 64-aligned, from the
 * session's dynamic pool (under the budget the plan leaves). */
static void *dyn_alloc(grt_session *s, const struct node *n, size_t bytes, const char *what)
{
	void *p = plan_alloc(&s->exec, bytes ? bytes : 1);

	if (!p)
		op_fail(n, &s->exec, s->dyn_pool.over ? GRT_E_LIMIT : GRT_E_NOMEM, "%s needs %zu "
		        "bytes at run time, over the memory budget of %zu bytes", what, bytes,
		        s->budget);
	return p;
}

/* A dynamic node, now that its inputs hold values: prepared with every
 * input readable as a constant, its outputs and scratch from the dynamic
 * pool, then run. */
static int run_dynamic(grt_session *s, struct node *n)
{
	struct exec *x = &s->exec;
	char *was_const;
	int rc;

	x->pool = &s->dyn_pool;
	if (!(was_const = dyn_alloc(s, n, (size_t)n->n_inputs, "its plan"))) {
		x->pool = &s->pool;
		return s->dyn_pool.over ? GRT_E_LIMIT : GRT_E_NOMEM;
	}
	for (int k = 0; k < n->n_inputs; k++)
		if (n->inputs[k]) {
			was_const[k] = (char)n->inputs[k]->is_const;
			n->inputs[k]->is_const = 1;
		}
	n->params = NULL;
	n->scratch_bytes = 0;
	x->dyn = NULL;
	rc = n->op->prepare(n, x);
	for (int k = 0; k < n->n_inputs; k++)
		if (n->inputs[k])
			n->inputs[k]->is_const = was_const[k];
	if (rc == GRT_E_NOMEM && s->dyn_pool.over)
		rc = op_fail(n, x, GRT_E_LIMIT, "its plan needs more than the memory budget of %zu "
		             "bytes at run time", s->budget);
	for (int k = 0; !rc && k < n->n_outputs; k++) {
		struct tensor *o = n->outputs[k];
		if (!o)
			continue;
		if (!dtype_size(o->dtype))
			rc = op_fail(n, x, GRT_E_DTYPE, "output %d '%s' has no element type after "
			             "prepare", k, o->name);
		else if (!(o->data = dyn_alloc(s, n, o->nbytes, "an output")))
			rc = s->dyn_pool.over ? GRT_E_LIMIT : GRT_E_NOMEM;
	}
	if (!rc && n->scratch_bytes && !(x->scratch = dyn_alloc(s, n, n->scratch_bytes, "scratch")))
		rc = s->dyn_pool.over ? GRT_E_LIMIT : GRT_E_NOMEM;
	if (!rc && !all_empty(n))
		rc = n->op->run(n, x);
	x->scratch = s->scratch;
	x->pool = &s->pool;
	return rc;
}

/* Before a run: the dynamic nodes' memory of the last run goes back. */
static void dyn_reset(grt_session *s)
{
	size_t fixed = s->stats.arena_bytes + s->stats.scratch_bytes + s->stats.const_bytes;

	pool_free(&s->dyn_pool.blocks);
	s->dyn_pool.used = 0;
	s->dyn_pool.over = 0;
	s->dyn_pool.limit = s->budget > fixed ? s->budget - fixed : 1;
}

static int run_node(grt_session *s, struct node *n)
{
	return n->dynamic ? run_dynamic(s, n) : n->op->run(n, &s->exec);
}

int grt_session_run(grt_session *s)
{
	if (!s)
		return GRT_E_ARG;
	if (!s->arena) {
		set_err(s->errmsg, sizeof(s->errmsg), "the session was planned only (GRT_SESSION_PLAN_ONLY)");
		return GRT_E_ARG;
	}
	s->exec.scratch = s->scratch;
	if (s->stats.n_nodes_dynamic)
		dyn_reset(s);
	for (int i = 0; i < s->n_run; i = s->exec.next) {
		struct node *n = &s->nodes[i];
		int rc;
		s->exec.next = i + 1;       /* control steps (If, Loop) set another */
		if ((rc = run_node(s, n)))
			return rc;       /* run() wrote s->errmsg */
	}
	return GRT_OK;
}

const char *grt_session_errmsg(const grt_session *s)
{
	return s ? s->errmsg : "no session";
}

int grt_session_stats_get(const grt_session *s, grt_session_stats *st)
{
	if (!s || !st)
		return GRT_E_ARG;
	*st = s->stats;
	return GRT_OK;
}

int grt_session_n_planned(const grt_session *s)
{
	return s ? s->n_run : 0;
}

int grt_session_node(const grt_session *s, int i, grt_node_info *info)
{
	const struct node *n;

	if (!s || !info || i < 0 || i >= s->n_run)
		return GRT_E_ARG;
	n = &s->nodes[i];
	info->name = n->name;
	info->op_type = n->op_type;
	info->output = "";
	for (int k = 0; k < n->n_outputs; k++)
		if (n->outputs[k]) {
			info->output = n->outputs[k]->name;
			break;
		}
	if (n->dynamic)
		info->macs = 0;      /* not known before each run */
	else if (n->op->macs)
		info->macs = n->op->macs(n);
	else if (n->op->flags & OP_MOVES_DATA)
		info->macs = 0;
	else
		info->macs = n->outputs[0] ? n->outputs[0]->numel : 0;
	return GRT_OK;
}

static uint64_t clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int grt_session_run_profiled(grt_session *s, uint64_t *ns)
{
	if (!s || !ns)
		return GRT_E_ARG;
	if (!s->arena)
		return grt_session_run(s);
	s->exec.scratch = s->scratch;
	if (s->stats.n_nodes_dynamic)
		dyn_reset(s);
	for (int i = 0; i < s->n_run; i = s->exec.next) {
		struct node *n = &s->nodes[i];
		uint64_t t0 = clock_ns();
		int rc;
		s->exec.next = i + 1;
		rc = run_node(s, n);
		ns[i] += clock_ns() - t0;
		if (rc)
			return rc;
	}
	return GRT_OK;
}

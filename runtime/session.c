/* session.c - model + input shapes -> a plan. Prepare every node in
 * topological order (shape/type inference; If, Loop and Scan through
 * runtime/control.c), fold nodes whose inputs are all known by running their
 * own kernel, keep those whose shapes need run-time values as dynamic nodes,
 * drop nodes no graph output needs, run the rewrites (runtime/fuse.c), then
 * the memory plan (runtime/memplan.c). The run is runtime/run.c's. */
#include <stdlib.h>
#include <string.h>
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
int node_all_empty(const struct node *n)
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
	rc = node_all_empty(n) ? GRT_OK : n->op->run(n, &s->exec);
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
int value_widen(grt_session *s, struct node *n, int v)
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
struct node *plan_slot(grt_session *s)
{
	if (s->n_run == s->cap_run) {
		int cap = s->cap_run ? 2 * s->cap_run : 64;
		struct node *more = realloc(s->nodes, (size_t)cap * sizeof(*more));
		if (!more)
			return NULL;
		s->nodes = more;
		s->cap_run = cap;
	}
	memset(&s->nodes[s->n_run], 0, sizeof(s->nodes[s->n_run]));
	return &s->nodes[s->n_run];
}

int node_from_model(grt_session *s, struct node *n, const struct model_node *mn,
                    int extra_inputs)
{
	int rc;

	n->op = mn->op;
	n->name = mn->name;
	n->op_type = mn->op_type;
	n->opset = mn->opset;
	n->attrs = mn->attrs;
	n->n_attrs = mn->n_attrs;
	n->n_inputs = mn->n_inputs + extra_inputs;
	n->n_outputs = mn->n_outputs;
	n->inputs = pool_alloc_small(&s->pool.blocks,
	                             ((size_t)n->n_inputs + 1) * sizeof(*n->inputs));
	n->outputs = pool_alloc_small(&s->pool.blocks,
	                              ((size_t)n->n_outputs + 1) * sizeof(*n->outputs));
	if (!n->inputs || !n->outputs)
		return GRT_E_NOMEM;
	for (int k = 0; k < mn->n_inputs; k++) {
		int v = mn->inputs[k] >= 0 ? s->redirect[mn->inputs[k]] : -1;
		n->inputs[k] = v >= 0 ? &s->tensors[v] : NULL;
		if (v >= 0 && (rc = value_widen(s, n, v)))
			return rc;
	}
	for (int k = 0; k < n->n_outputs; k++)
		n->outputs[k] = mn->outputs[k] >= 0 ? &s->tensors[mn->outputs[k]] : NULL;
	return GRT_OK;
}

int plan_node(grt_session *s, unsigned flags, const struct model_node *mn, struct readers *rd)
{
	struct node *n;
	struct pool_mark mark, mark_prep;
	size_t used0 = s->pool.used, used_prep;
	int all_const = 1, dyn_in = 0, rc;

	if (!(n = plan_slot(s)))
		return GRT_E_NOMEM;
	pool_mark(&s->pool.blocks, &mark);    /* a folded node leaves nothing behind */
	if ((rc = node_from_model(s, n, mn, 0)))
		return rc;
	for (int k = 0; k < n->n_inputs; k++) {
		all_const &= !n->inputs[k] || n->inputs[k]->is_const;
		dyn_in |= n->inputs[k] && n->inputs[k]->is_dynamic;
	}

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
	if (s->nodes) {
		if (s->n_run)       /* all is NULL when nothing was planned */
			memcpy(s->nodes, all, (size_t)s->n_run * sizeof(*all));
	} else if (!rc) {
		rc = GRT_E_NOMEM;
	}
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
		if ((rc = value_widen(s, NULL, s->redirect[m->outputs[i]])))  /* an initializer as an output */
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
	    (rc = allocate_plan(s, opts, root, voff, err, err_len)))
		goto fail;
	free(root);
	free(voff);
	root = NULL;
	voff = NULL;
	{
		int kept = 0;                   /* buffers are placed: drop what computes nothing */
		for (int i = 0; i < s->n_run; i++)
			if (s->nodes[i].dynamic || !node_all_empty(&s->nodes[i]))
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


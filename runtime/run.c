/* run.c - a planned session at run time: its inputs and outputs, the run
 * loop (with the jumps of If steps), the dynamic nodes prepared at each run,
 * the profiler and what the API tells about the plan. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runtime/internal.h"

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

/* Run-time memory of dynamic nodes, zeroed and 64-aligned, from the pool
 * that s->exec.pool names (under the budget the plan leaves). */
void *dyn_alloc(grt_session *s, const struct node *n, size_t bytes, const char *what)
{
	void *p = plan_alloc(&s->exec, bytes ? bytes : 1);

	if (!p)
		op_fail(n, &s->exec, s->exec.pool->over ? GRT_E_LIMIT : GRT_E_NOMEM, "%s needs %zu "
		        "bytes at run time, over the memory budget of %zu bytes", what, bytes,
		        s->budget);
	return p;
}

/* A dynamic node, now that its inputs hold values: prepared with every
 * input readable as a constant, its outputs and scratch from pool, then
 * run. */
int run_dynamic(grt_session *s, struct node *n, struct plan_pool *pool)
{
	struct exec *x = &s->exec;
	struct plan_pool *was = x->pool;
	char *was_const;
	int rc = GRT_OK;

	x->pool = pool;
	if (!(was_const = dyn_alloc(s, n, (size_t)n->n_inputs, "its plan"))) {
		x->pool = was;
		return pool->over ? GRT_E_LIMIT : GRT_E_NOMEM;
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
	if (rc == GRT_E_NOMEM && pool->over)
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
			rc = pool->over ? GRT_E_LIMIT : GRT_E_NOMEM;
	}
	if (!rc && n->scratch_bytes && !(x->scratch = dyn_alloc(s, n, n->scratch_bytes, "scratch")))
		rc = pool->over ? GRT_E_LIMIT : GRT_E_NOMEM;
	if (!rc && !node_all_empty(n))
		rc = n->op->run(n, x);
	x->scratch = s->scratch;
	x->pool = was;
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
	return n->dynamic && !(n->op->flags & OP_CONTROL) ? run_dynamic(s, n, &s->dyn_pool)
	                                                  : n->op->run(n, &s->exec);
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
	s->iterations = 0;
	if (!s->stats.n_nodes_dynamic && !s->n_ctl_steps) {
		/* a static plan without If steps: node after node */
		for (int i = 0; i < s->n_run; i++) {
			struct node *n = &s->nodes[i];
			int rc = n->op->run(n, &s->exec);
			if (rc)
				return rc;       /* run() wrote s->errmsg */
		}
		return GRT_OK;
	}
	if (s->stats.n_nodes_dynamic)
		dyn_reset(s);
	for (int i = 0; i < s->n_run; i = s->exec.next) {
		struct node *n = &s->nodes[i];
		int rc;
		s->exec.next = i + 1;       /* control steps (If, Loop) set another */
		if ((rc = run_node(s, n)))
			return rc;
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
	s->iterations = 0;
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

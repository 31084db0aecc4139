/* control.c - If (and later Loop, Scan) planned into the session's one run
 * list. An If whose condition is known at plan time (most Ifs of exported
 * models test shapes) is replaced by the branch it takes: its nodes are
 * planned in place and the If's outputs are the branch's outputs. Otherwise
 * both branches are planned one after the other between the control steps
 * of ops/control.c: one arena, lifetimes over the run list (a branch that
 * does not run only wastes its steps' order, never memory safety), and no
 * allocation at run time. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "runtime/internal.h"

static const struct model_graph *graph_attr(const struct model_node *mn, const char *name)
{
	for (int a = 0; a < mn->n_attrs; a++)
		if (mn->attrs[a].type == ATTR_GRAPH && !strcmp(mn->attrs[a].name, name))
			return mn->attrs[a].g;
	return NULL;
}

static const char *label(const struct model_node *mn)
{
	return mn->name[0] ? mn->name : "?";
}

/* Nodes of g and of the graphs nested in it. */
static int count_nodes(const struct model_graph *g)
{
	int n = g->n_nodes;

	for (int i = 0; i < g->n_nodes; i++)
		for (int a = 0; a < g->nodes[i].n_attrs; a++)
			if (g->nodes[i].attrs[a].type == ATTR_GRAPH)
				n += count_nodes(g->nodes[i].attrs[a].g);
	return n;
}

/* A branch that is not planned: its reads will never happen. */
static void skip_reads(grt_session *s, struct readers *rd, const struct model_graph *g)
{
	if (!rd->left)
		return;
	for (int i = 0; i < g->n_nodes; i++) {
		const struct model_node *mn = &g->nodes[i];
		for (int k = 0; k < mn->n_inputs; k++)
			if (mn->inputs[k] >= 0)
				rd->left[s->redirect[mn->inputs[k]]]--;
		for (int a = 0; a < mn->n_attrs; a++)
			if (mn->attrs[a].type == ATTR_GRAPH) {
				const struct model_graph *sub = mn->attrs[a].g;
				skip_reads(s, rd, sub);
				for (int k = 0; k < sub->n_outputs; k++)
					rd->left[s->redirect[sub->outputs[k]]]--;
			}
	}
}

/* The If's outputs become the taken branch's outputs; the other branch is
 * dropped unplanned. */
static int plan_if_const(grt_session *s, unsigned flags, const struct model_node *mn,
                         struct readers *rd, const struct model_graph *take,
                         const struct model_graph *skip)
{
	int rc = plan_nodes(s, flags, take->nodes, take->n_nodes, rd);

	if (rc)
		return rc;
	skip_reads(s, rd, skip);
	for (int k = 0; k < skip->n_outputs; k++)
		if (rd->left)
			rd->left[s->redirect[skip->outputs[k]]]--;
	s->stats.n_nodes_dead += count_nodes(skip);
	s->stats.n_nodes_folded++;
	readers_done(s, rd, mn, NULL, 1);     /* the condition */
	for (int k = 0; k < mn->n_outputs; k++) {
		int o = mn->outputs[k], b = s->redirect[take->outputs[k]];
		if (o < 0)
			continue;
		s->redirect[o] = b;
		if (rd->left) {        /* the If's readers now read b; the If's own read is done */
			rd->left[b] += rd->left[o] - 1;
			rd->run[b] |= rd->run[o];
			rd->left[o] = 0;
		}
	}
	return GRT_OK;
}

/* One control step: a node of op over the given values, sharing blk. */
static int plan_step(grt_session *s, unsigned flags, const struct model_node *mn,
                     const struct op_def *op, int n_in, int *in, int n_out, int *out,
                     struct ctl_block *blk, struct readers *rd)
{
	struct model_node step = *mn;
	int rc;

	step.op = op;
	step.n_inputs = n_in;
	step.inputs = in;
	step.n_outputs = n_out;
	step.outputs = out;
	if ((rc = plan_node(s, flags, &step, rd)))
		return rc;
	s->nodes[s->n_run - 1].params = blk;
	return GRT_OK;
}

/* Plans branch g of If mn. A branch that cannot be prepared with these
 * shapes (Silero VAD's 8 kHz branch given a 16 kHz window) is taken back
 * whole: *failed = 1 (2 if the other one failed too) with the message kept
 * in the If's block, and a run that takes it fails with that message. */
static int plan_branch(grt_session *s, unsigned flags, const struct model_node *mn,
                       const struct model_graph *g, struct readers *rd, int *failed)
{
	struct ctl_block *blk = s->nodes[s->n_run - 1].params;   /* the If's head */
	grt_session_stats st = s->stats;
	struct pool_mark mark;
	size_t used = s->pool.used;
	int n_run = s->n_run, n_ctl = s->n_ctl_steps, rc;

	pool_mark(&s->pool.blocks, &mark);
	rc = plan_nodes(s, flags, g->nodes, g->n_nodes, rd);
	if (!rc || rc == GRT_E_NOMEM || rc == GRT_E_LIMIT)
		return rc;
	s->n_run = n_run;
	s->n_ctl_steps = n_ctl;
	s->stats = st;
	s->stats.n_nodes_dead += count_nodes(g);
	pool_rollback(&s->pool.blocks, &mark);
	s->pool.used = used;
	*failed = blk->failed ? 2 : 1;
	if (!blk->failed) {
		snprintf(blk->why, sizeof(blk->why), "%s", s->exec.errmsg);
		blk->why_rc = rc;
	}
	(void)mn;
	return GRT_OK;
}

/* The step that stands for a branch that could not be planned. */
static int plan_fail_step(grt_session *s, const struct model_node *mn, struct ctl_block *blk,
                          int b)
{
	struct node *n = plan_slot(s);

	if (!n)
		return GRT_E_NOMEM;
	n->op = &ctl_if_fail;
	n->name = mn->name;
	n->op_type = mn->op_type;
	n->opset = mn->opset;
	n->params = blk;
	n->view_offset = (size_t)b;       /* which branch, for the message */
	s->n_run++;
	s->n_ctl_steps++;
	return GRT_OK;
}

static int plan_if(grt_session *s, unsigned flags, const struct model_node *mn,
                   struct readers *rd)
{
	const struct model_graph *br[2] = { graph_attr(mn, "then_branch"),
	                                    graph_attr(mn, "else_branch") };
	const struct tensor *cond;
	struct ctl_block *blk;
	int rc;

	if (!br[0] || !br[1] || mn->n_inputs != 1 || mn->inputs[0] < 0) {
		set_err(s->exec.errmsg, s->exec.errlen, "node '%s' (If): needs one condition input "
		        "and the graphs then_branch and else_branch", label(mn));
		return GRT_E_INVALID_MODEL;
	}
	for (int b = 0; b < 2; b++)
		if (br[b]->n_outputs != mn->n_outputs || br[b]->n_inputs) {
			set_err(s->exec.errmsg, s->exec.errlen, "node '%s' (If): %s has %d inputs and "
			        "%d outputs; an If branch takes no inputs and gives the If's %d outputs",
			        label(mn), b ? "else_branch" : "then_branch", br[b]->n_inputs,
			        br[b]->n_outputs, mn->n_outputs);
			return GRT_E_INVALID_MODEL;
		}
	cond = &s->tensors[s->redirect[mn->inputs[0]]];
	if (cond->dtype != DT_BOOL || cond->numel != 1) {
		set_err(s->exec.errmsg, s->exec.errlen, "node '%s' (If): condition '%s' must hold one "
		        "bool, it is %s with %lld elements", label(mn), cond->name,
		        dtype_name(cond->dtype), (long long)cond->numel);
		return GRT_E_DTYPE;
	}
	if (cond->is_const && !(flags & GRT_SESSION_NO_FOLD)) {
		int b = *(const uint8_t *)cond->data ? 0 : 1;
		return plan_if_const(s, flags, mn, rd, br[b], br[!b]);
	}
	if (!(blk = plan_alloc(&s->exec, sizeof(*blk))))
		return GRT_E_NOMEM;
	if ((rc = plan_step(s, flags, mn, &ctl_if_head, 1, mn->inputs, 0, NULL, blk, rd)))
		return rc;
	for (int b = 0; b < 2; b++) {
		int failed = 0;
		if ((rc = plan_branch(s, flags, mn, br[b], rd, &failed)))
			return rc;
		if (failed == 2) {
			set_err(s->exec.errmsg, s->exec.errlen, "node '%s' (If): neither branch can "
			        "run with these input shapes: %s", label(mn), blk->why);
			return blk->why_rc;
		}
		if (failed) {
			blk->failed |= 1 << b;
			/* the first failure's message, for the run that takes this branch */
			if ((rc = plan_fail_step(s, mn, blk, b)))
				return rc;
		}
		if ((rc = plan_step(s, flags, mn, b ? &ctl_else_end : &ctl_then_end,
		                    failed ? 0 : br[b]->n_outputs, br[b]->outputs,
		                    failed ? 0 : mn->n_outputs, mn->outputs, blk, rd)))
			return rc;
		s->n_ctl_steps++;
	}
	return GRT_OK;
}

static int plan_loop(grt_session *s, const struct model_node *mn, struct readers *rd);

int plan_control(grt_session *s, unsigned flags, const struct model_node *mn,
                 struct readers *rd)
{
	if (mn->op == &op_if)
		return plan_if(s, flags, mn, rd);
	if (flags & GRT_SESSION_STATIC) {
		set_err(s->exec.errmsg, s->exec.errlen, "node '%s' (%s): runs its body at run time, "
		        "which a GRT_SESSION_STATIC session refuses", label(mn), mn->op_type);
		return GRT_E_DYNAMIC;
	}
	return plan_loop(s, mn, rd);
}

void control_resolve(grt_session *s)
{
	for (int i = 0; i < s->n_run; i++) {
		struct ctl_block *blk = s->nodes[i].params;
		if (s->nodes[i].op == &ctl_then_end)
			blk->else_at = i + 1;
		else if (s->nodes[i].op == &ctl_else_end)
			blk->end_at = i + 1;
	}
}

/* --- Loop and Scan: interpreted at run time ---
 *
 * A Loop or Scan is one step of the run list; its body runs node by node
 * through run_dynamic (runtime/run.c), each node prepared with its inputs'
 * values, its outputs allocated from one of two pools that alternate per
 * iteration (an iteration reads the carried values of the one before and
 * nothing older). Ifs inside a body are interpreted too. The step reads
 * every outer value the body reads, so the arena keeps them alive. */

struct ctl_params {
	grt_session *s;
	const struct model_node *mn;
};

static int interp_graph(grt_session *s, const struct model_graph *g, struct plan_pool *pool);

/* t takes src's type, shape and data (no copy). */
static void take(struct tensor *t, const struct tensor *src)
{
	const char *name = t->name;

	if (t == src)
		return;
	*t = *src;
	t->name = name;
	t->is_const = 0;
	t->is_dynamic = 1;
}

/* t takes src's type and shape and a copy of its data, from s->exec.pool. */
static int settle(grt_session *s, const struct node *n, struct tensor *t,
                  const struct tensor *src)
{
	const void *from = src->data;

	take(t, src);
	if (!(t->data = dyn_alloc(s, n, t->nbytes, "an output")))
		return s->exec.pool->over ? GRT_E_LIMIT : GRT_E_NOMEM;
	if (t->nbytes)
		memcpy(t->data, from, t->nbytes);
	return GRT_OK;
}

static int scalar_tensor(grt_session *s, const struct node *n, struct tensor *t, enum dtype dt)
{
	tensor_set_shape(t, dt, 0, NULL);
	t->is_dynamic = 1;
	if (!(t->data = dyn_alloc(s, n, t->nbytes, "an iteration value")))
		return s->exec.pool->over ? GRT_E_LIMIT : GRT_E_NOMEM;
	return GRT_OK;
}

static void pool_reset(struct plan_pool *p, size_t limit)
{
	pool_free(&p->blocks);
	p->used = 0;
	p->over = 0;
	p->limit = limit;
}

static int count_iteration(grt_session *s, const struct node *n)
{
	if (++s->iterations > MAX_ITERATIONS_PER_RUN)
		return op_fail(n, &s->exec, GRT_E_LIMIT, "more than %lld loop iterations in one run",
		               MAX_ITERATIONS_PER_RUN);
	return GRT_OK;
}

static int interp_if(grt_session *s, struct node *n, const struct model_node *mn,
                     struct plan_pool *pool)
{
	const struct tensor *c = n->inputs[0];
	const struct model_graph *g;
	int rc;

	if (!c || c->dtype != DT_BOOL || c->numel != 1)
		return op_fail(n, &s->exec, GRT_E_DTYPE, "the condition must hold one bool");
	g = graph_attr(mn, *(const uint8_t *)c->data ? "then_branch" : "else_branch");
	if (!g || g->n_outputs != n->n_outputs)
		return op_fail(n, &s->exec, GRT_E_INVALID_MODEL, "needs then_branch and else_branch "
		               "with one output per output of the If");
	if ((rc = interp_graph(s, g, pool)))
		return rc;
	for (int k = 0; k < n->n_outputs; k++)
		if (n->outputs[k])
			take(n->outputs[k], s->gframes[g->id].outputs[k]);
	return GRT_OK;
}

/* Loop's scan outputs grow by doubling in the output pool. */
struct acc {
	char *data;
	size_t used, cap;
	const struct tensor *first;     /* shape of the first iteration's slice */
	enum dtype dtype;
	int ndim;
	int64_t dims[MAX_DIMS];
};

static int acc_add(grt_session *s, const struct node *n, struct acc *a, const struct tensor *t)
{
	int same = a->used == 0 || (t->dtype == a->dtype && t->ndim == a->ndim);

	for (int d = 0; same && a->used && d < t->ndim; d++)
		same = t->dims[d] == a->dims[d];
	if (!same)
		return op_fail(n, &s->exec, GRT_E_SHAPE, "scan output '%s' changes shape between "
		               "iterations", t->name);
	if (!a->used) {
		a->dtype = t->dtype;
		a->ndim = t->ndim;
		memcpy(a->dims, t->dims, sizeof(a->dims));
	}
	if (a->used > SIZE_MAX / 2 || t->nbytes > SIZE_MAX / 2 - a->used)  /* 32-bit size_t */
		return op_fail(n, &s->exec, GRT_E_LIMIT, "scan output '%s' grows beyond the "
		               "address space", t->name);
	if (a->used + t->nbytes > a->cap) {
		size_t cap = 2 * (a->used + t->nbytes);
		char *more = dyn_alloc(s, n, cap, "a scan output");
		if (!more)
			return s->exec.pool->over ? GRT_E_LIMIT : GRT_E_NOMEM;
		if (a->used)
			memcpy(more, a->data, a->used);
		a->data = more;
		a->cap = cap;
	}
	if (t->nbytes)
		memcpy(a->data + a->used, t->data, t->nbytes);
	a->used += t->nbytes;
	return GRT_OK;
}

/* A Loop's scan output: [iterations, the slice's dims]. */
static int acc_finish(grt_session *s, const struct node *n, struct acc *a, int64_t iters,
                      struct tensor *t)
{
	int64_t dims[MAX_DIMS];

	if (!t)
		return GRT_OK;
	if (a->ndim + 1 > MAX_DIMS)
		return op_fail(n, &s->exec, GRT_E_LIMIT, "scan output rank over %d", MAX_DIMS);
	dims[0] = iters;
	memcpy(dims + 1, a->dims, (size_t)a->ndim * sizeof(int64_t));
	tensor_set_shape(t, a->used ? a->dtype : DT_FLOAT, a->used ? a->ndim + 1 : 1, dims);
	t->is_dynamic = 1;
	t->data = a->data;
	if (!t->data && !(t->data = dyn_alloc(s, n, 1, "a scan output")))
		return GRT_E_NOMEM;
	return GRT_OK;
}

static int loop_check(grt_session *s, const struct node *n, const struct model_node *mn,
                      const struct model_graph *body)
{
	int n_carried = mn->n_inputs - 2;

	if (!body || mn->n_inputs < 2 || body->n_inputs != n_carried + 2 ||
	    body->n_outputs < n_carried + 1 || mn->n_outputs != body->n_outputs - 1)
		return op_fail(n, &s->exec, GRT_E_INVALID_MODEL, "needs a body with 2 + N inputs "
		               "and 1 + N + K outputs for N carried values (inputs 3...) and K scan "
		               "outputs");
	return GRT_OK;
}

static int interp_loop(grt_session *s, struct node *n, const struct model_node *mn,
                       struct plan_pool *pool)
{
	const struct model_graph *body = graph_attr(mn, "body");
	struct node *fr;
	struct plan_pool pp[2] = { { 0 } };
	const struct tensor **cur = NULL;
	struct acc *acc = NULL;
	int64_t max = INT64_MAX, i = 0;
	int n_carried = mn->n_inputs - 2, n_scan, cond = 1, rc;

	if ((rc = loop_check(s, n, mn, body)))
		return rc;
	fr = &s->gframes[body->id];
	n_scan = body->n_outputs - 1 - n_carried;
	if (n->inputs[0]) {
		if (n->inputs[0]->dtype != DT_INT64 || n->inputs[0]->numel != 1)
			return op_fail(n, &s->exec, GRT_E_DTYPE, "trip count M must be one int64");
		max = *(const int64_t *)n->inputs[0]->data;
	}
	if (n->inputs[1]) {
		if (n->inputs[1]->dtype != DT_BOOL || n->inputs[1]->numel != 1)
			return op_fail(n, &s->exec, GRT_E_DTYPE, "cond must be one bool");
		cond = *(const uint8_t *)n->inputs[1]->data;
	}
	s->exec.pool = pool;
	cur = dyn_alloc(s, n, ((size_t)n_carried + 1) * sizeof(*cur), "its state");
	acc = dyn_alloc(s, n, ((size_t)n_scan + 1) * sizeof(*acc), "its state");
	if (!cur || !acc)
		return pool->over ? GRT_E_LIMIT : GRT_E_NOMEM;
	for (int k = 0; k < n_carried; k++)
		if (!(cur[k] = n->inputs[2 + k]))
			return op_fail(n, &s->exec, GRT_E_INVALID_MODEL, "carried input %d is empty", k);
	for (rc = GRT_OK; !rc && i < max && cond; i++) {
		struct plan_pool *p = &pp[i & 1];
		const struct tensor *c;
		if ((rc = count_iteration(s, n)))
			break;
		pool_reset(p, s->budget);
		s->exec.pool = p;
		if ((rc = scalar_tensor(s, n, fr->inputs[0], DT_INT64)) ||
		    (rc = scalar_tensor(s, n, fr->inputs[1], DT_BOOL)))
			break;
		*(int64_t *)fr->inputs[0]->data = i;
		*(uint8_t *)fr->inputs[1]->data = 1;
		for (int k = 0; k < n_carried; k++)
			take(fr->inputs[2 + k], cur[k]);
		if ((rc = interp_graph(s, body, p)))
			break;
		c = fr->outputs[0];
		if (c->dtype != DT_BOOL || c->numel != 1) {
			rc = op_fail(n, &s->exec, GRT_E_DTYPE, "the body's condition output must be one "
			             "bool");
			break;
		}
		cond = *(const uint8_t *)c->data;
		for (int k = 0; k < n_carried; k++)
			cur[k] = fr->outputs[1 + k];
		s->exec.pool = pool;
		for (int k = 0; !rc && k < n_scan; k++)
			rc = acc_add(s, n, &acc[k], fr->outputs[1 + n_carried + k]);
	}
	s->exec.pool = pool;
	for (int k = 0; !rc && k < n_carried; k++)
		if (n->outputs[k])
			rc = settle(s, n, n->outputs[k], cur[k]);
	for (int k = 0; !rc && k < n_scan; k++)
		rc = acc_finish(s, n, &acc[k], i, n->outputs[n_carried + k]);
	pool_free(&pp[0].blocks);
	pool_free(&pp[1].blocks);
	return rc;
}

/* Scan's per-input and per-output attribute k (an axis or a direction), 0
 * if the list is absent. */
static int scan_attr(grt_session *s, struct node *n, const char *name, int count, int k,
                     int64_t *v)
{
	const int64_t *list;
	int len, rc = attr_ints(n, &s->exec, name, &list, &len);

	*v = 0;
	if (rc)
		return rc;
	if (len >= 0 && len != count)
		return op_fail(n, &s->exec, GRT_E_ATTR, "%s has %d entries, expected %d", name, len,
		               count);
	if (len > 0)
		*v = list[k];
	return GRT_OK;
}

/* Slice t of x along axis ax into y (x's shape without that axis). */
static void slice_axis(const struct tensor *x, int ax, int64_t t, struct tensor *y)
{
	size_t es = dtype_size(x->dtype);
	int64_t outer = 1, inner = 1, len = x->dims[ax];

	for (int d = 0; d < ax; d++)
		outer *= x->dims[d];
	for (int d = ax + 1; d < x->ndim; d++)
		inner *= x->dims[d];
	for (int64_t o = 0; o < outer; o++)
		memcpy((char *)y->data + (size_t)(o * inner) * es,
		       (const char *)x->data + (size_t)((o * len + t) * inner) * es, (size_t)inner * es);
}

/* Slice y placed at position t of axis ax of out (len positions). */
static void place_axis(struct tensor *out, int ax, int64_t t, const struct tensor *y)
{
	size_t es = dtype_size(out->dtype);
	int64_t outer = 1, inner = 1, len = out->dims[ax];

	for (int d = 0; d < ax; d++)
		outer *= out->dims[d];
	for (int d = ax + 1; d < out->ndim; d++)
		inner *= out->dims[d];
	for (int64_t o = 0; o < outer; o++)
		memcpy((char *)out->data + (size_t)((o * len + t) * inner) * es,
		       (const char *)y->data + (size_t)(o * inner) * es, (size_t)inner * es);
}

/* Scan input k's axis (normalised) and the number of iterations it gives. */
static int scan_input_axis(grt_session *s, struct node *n, int n_scan_in, int k, int *ax,
                           int64_t *len)
{
	const struct tensor *x = n->inputs[n->n_inputs - n_scan_in + k];
	int64_t a;
	int rc;

	if (!x)
		return op_fail(n, &s->exec, GRT_E_INVALID_MODEL, "scan input %d is empty", k);
	if ((rc = scan_attr(s, n, "scan_input_axes", n_scan_in, k, &a)) ||
	    (rc = op_axis(n, &s->exec, a, x->ndim, ax)))
		return rc;
	if (*len >= 0 && x->dims[*ax] != *len)
		return op_fail(n, &s->exec, GRT_E_SHAPE, "scan inputs differ in length along their "
		               "axes (%lld and %lld)", (long long)*len, (long long)x->dims[*ax]);
	*len = x->dims[*ax];
	return GRT_OK;
}

static int interp_scan(grt_session *s, struct node *n, int n_in, const struct model_node *mn,
                       struct plan_pool *pool)
{
	const struct model_graph *body = graph_attr(mn, "body");
	struct node *fr;
	struct plan_pool pp[2] = { { 0 } };
	const struct tensor **cur;
	struct acc *acc;
	int64_t *in_rev;
	int *in_ax;
	int64_t m, len = -1, i;
	int n_state, n_out, rc;

	/* the node's own inputs (a step has the body's outer values after them) */
	n->n_inputs = n_in;
	rc = attr_int(n, &s->exec, "num_scan_inputs", -1, &m);
	if (!rc && (!body || m < 1 || m > n_in || body->n_inputs != n_in ||
	            body->n_outputs < n_in - m || mn->n_outputs != body->n_outputs))
		rc = op_fail(n, &s->exec, GRT_E_INVALID_MODEL, "needs num_scan_inputs >= 1 and a "
		             "body with one input per input and one output per output");
	if (rc)
		return rc;
	fr = &s->gframes[body->id];
	n_state = n_in - (int)m;
	n_out = body->n_outputs - n_state;
	s->exec.pool = pool;
	cur = dyn_alloc(s, n, ((size_t)n_state + 1) * sizeof(*cur), "its state");
	acc = dyn_alloc(s, n, ((size_t)n_out + 1) * sizeof(*acc), "its state");
	in_ax = dyn_alloc(s, n, ((size_t)m + 1) * sizeof(*in_ax), "its state");
	in_rev = dyn_alloc(s, n, ((size_t)m + 1) * sizeof(*in_rev), "its state");
	if (!cur || !acc || !in_ax || !in_rev)
		return pool->over ? GRT_E_LIMIT : GRT_E_NOMEM;
	for (int k = 0; k < m; k++)      /* the scan inputs' axes, once, before the loop */
		if ((rc = scan_input_axis(s, n, (int)m, k, &in_ax[k], &len)) ||
		    (rc = scan_attr(s, n, "scan_input_directions", (int)m, k, &in_rev[k])))
			return rc;
	for (int k = 0; k < n_state; k++)
		if (!(cur[k] = n->inputs[k]))
			return op_fail(n, &s->exec, GRT_E_INVALID_MODEL, "state input %d is empty", k);
	for (i = 0, rc = GRT_OK; !rc && i < len; i++) {
		struct plan_pool *p = &pp[i & 1];
		if ((rc = count_iteration(s, n)))
			break;
		pool_reset(p, s->budget);
		s->exec.pool = p;
		for (int k = 0; k < n_state; k++)
			take(fr->inputs[k], cur[k]);
		for (int k = 0; !rc && k < m; k++) {
			const struct tensor *x = n->inputs[n_state + k];
			struct tensor *y = fr->inputs[n_state + k];
			int64_t dims[MAX_DIMS], rev = in_rev[k];
			int ax = in_ax[k], r = 0;
			for (int d = 0; d < x->ndim; d++)
				if (d != ax)
					dims[r++] = x->dims[d];
			tensor_set_shape(y, x->dtype, r, dims);
			y->is_dynamic = 1;
			if (!(y->data = dyn_alloc(s, n, y->nbytes, "a scan slice")))
				rc = p->over ? GRT_E_LIMIT : GRT_E_NOMEM;
			else
				slice_axis(x, ax, rev ? len - 1 - i : i, y);
		}
		if (rc || (rc = interp_graph(s, body, p)))
			break;
		for (int k = 0; k < n_state; k++)
			cur[k] = fr->outputs[k];
		s->exec.pool = pool;
		for (int k = 0; !rc && k < n_out; k++)
			rc = acc_add(s, n, &acc[k], fr->outputs[n_state + k]);
	}
	s->exec.pool = pool;
	for (int k = 0; !rc && k < n_state; k++)
		if (n->outputs[k])
			rc = settle(s, n, n->outputs[k], cur[k]);
	for (int k = 0; !rc && k < n_out; k++) {
		struct tensor *o = n->outputs[n_state + k], slice;
		int64_t a, rev, dims[MAX_DIMS];
		int ax;
		if (!o)
			continue;
		if ((rc = scan_attr(s, n, "scan_output_axes", n_out, k, &a)) ||
		    (rc = scan_attr(s, n, "scan_output_directions", n_out, k, &rev)) ||
		    (rc = op_axis(n, &s->exec, a, acc[k].ndim + 1, &ax)))
			break;
		for (int d = 0, r = 0; d <= acc[k].ndim; d++)
			dims[d] = d == ax ? len : acc[k].dims[r++];
		tensor_set_shape(o, acc[k].used ? acc[k].dtype : DT_FLOAT, acc[k].ndim + 1, dims);
		o->is_dynamic = 1;
		if (!(o->data = dyn_alloc(s, n, o->nbytes, "an output"))) {
			rc = pool->over ? GRT_E_LIMIT : GRT_E_NOMEM;
			break;
		}
		tensor_set_shape(&slice, o->dtype, acc[k].ndim, acc[k].dims);
		for (int64_t t = 0; t < len; t++) {
			slice.data = acc[k].data + (size_t)t * slice.nbytes;
			place_axis(o, ax, rev ? len - 1 - t : t, &slice);
		}
	}
	pool_free(&pp[0].blocks);
	pool_free(&pp[1].blocks);
	return rc;
}

/* Opset 8's Scan: input 0 is the optional sequence_lens [B]; every state and
 * scan input has the batch on axis 0, a scan input its sequence on axis 1
 * (scanned one way or the other by `directions`). Each batch runs from the
 * initial states; the final states are stacked to [B, ...], the scan outputs
 * to [B, L, ...], zero past a batch's sequence length. acc[k] gathers state
 * k's final value per batch, acc[n_state + j] scan output j's slices of every
 * batch in turn; iters[b] counts batch b's. */
struct scan8 {
	int64_t batch, len, m;
	int n_state, n_out;
	const int64_t *seq_lens;     /* NULL: every sequence is len long */
	const int64_t *dirs;         /* [m] or NULL */
	int n_dirs;
};

static int scan8_setup(grt_session *s, struct node *n, int n_in, const struct model_node *mn,
                       struct scan8 *c)
{
	const struct model_graph *body = graph_attr(mn, "body");
	const struct tensor *sl = n->inputs[0];
	int rc = attr_int(n, &s->exec, "num_scan_inputs", -1, &c->m);

	if (!rc && (!body || c->m < 1 || c->m > n_in - 1 || body->n_inputs != n_in - 1 ||
	            body->n_outputs < n_in - 1 - c->m || mn->n_outputs != body->n_outputs))
		rc = op_fail(n, &s->exec, GRT_E_INVALID_MODEL, "needs num_scan_inputs >= 1 and a "
		             "body with one input per input after sequence_lens and one output per "
		             "output");
	if (!rc)
		rc = attr_ints(n, &s->exec, "directions", &c->dirs, &c->n_dirs);
	if (rc)
		return rc;
	if (c->n_dirs >= 0 && c->n_dirs != c->m)
		return op_fail(n, &s->exec, GRT_E_ATTR, "directions has %d entries, expected %lld",
		               c->n_dirs, (long long)c->m);
	c->n_state = n_in - 1 - (int)c->m;
	c->n_out = body->n_outputs - c->n_state;
	c->batch = c->len = -1;
	for (int k = 0; k < n_in - 1; k++) {
		const struct tensor *x = n->inputs[1 + k];
		int scan = k >= c->n_state;
		if (!x || x->ndim < 1 + scan)
			return op_fail(n, &s->exec, GRT_E_SHAPE, "input %d needs a batch axis%s", 1 + k,
			               scan ? " and a sequence axis" : "");
		if ((c->batch >= 0 && x->dims[0] != c->batch) ||
		    (scan && c->len >= 0 && x->dims[1] != c->len))
			return op_fail(n, &s->exec, GRT_E_SHAPE, "inputs differ in batch size or "
			               "sequence length (input %d)", 1 + k);
		c->batch = x->dims[0];
		if (scan)
			c->len = x->dims[1];
	}
	c->seq_lens = NULL;
	if (sl) {
		if (sl->dtype != DT_INT64 || sl->numel != c->batch)
			return op_fail(n, &s->exec, GRT_E_SHAPE, "sequence_lens must hold %lld int64",
			               (long long)c->batch);
		c->seq_lens = sl->data;
		for (int64_t b = 0; b < c->batch; b++)
			if (c->seq_lens[b] < 0 || c->seq_lens[b] > c->len)
				return op_fail(n, &s->exec, GRT_E_SHAPE, "sequence_lens[%lld] = %lld is "
				               "outside [0, %lld]", (long long)b,
				               (long long)c->seq_lens[b], (long long)c->len);
	}
	return GRT_OK;
}

/* t is batch b of x: a view of x's data without its axis 0, skip more axes. */
static void batch_view(struct tensor *t, const struct tensor *x, int64_t b, int skip,
                       int64_t at)
{
	int64_t inner = 1;

	for (int d = 1 + skip; d < x->ndim; d++)
		inner *= x->dims[d];
	tensor_set_shape(t, x->dtype, x->ndim - 1 - skip, x->dims + 1 + skip);
	t->is_dynamic = 1;
	t->data = (char *)x->data + (size_t)((b * (skip ? x->dims[1] : 1) + at) * inner) *
	          dtype_size(x->dtype);
}

/* Output k of the node from acc (its batches stacked on axis 0; scan outputs
 * padded with zeros to len along axis 1). */
static int scan8_output(grt_session *s, struct node *n, const struct scan8 *c,
                        const struct acc *a, const int64_t *iters, int scan, struct tensor *o)
{
	int64_t dims[MAX_DIMS];
	int nd = 0;
	size_t slice;

	if (!o)
		return GRT_OK;
	if (a->ndim + 1 + scan > MAX_DIMS)
		return op_fail(n, &s->exec, GRT_E_LIMIT, "output rank over %d", MAX_DIMS);
	dims[nd++] = c->batch;
	if (scan)
		dims[nd++] = c->len;
	memcpy(dims + nd, a->dims, (size_t)a->ndim * sizeof(int64_t));
	tensor_set_shape(o, a->used ? a->dtype : DT_FLOAT, nd + a->ndim, dims);
	o->is_dynamic = 1;
	if (!(o->data = dyn_alloc(s, n, o->nbytes, "an output")))     /* zeroed */
		return s->exec.pool->over ? GRT_E_LIMIT : GRT_E_NOMEM;
	if (!scan) {
		memcpy(o->data, a->data, a->used);
		return GRT_OK;
	}
	slice = c->batch && c->len ? o->nbytes / (size_t)(c->batch * c->len) : 0;
	for (int64_t b = 0, from = 0; b < c->batch; from += iters[b], b++)
		memcpy((char *)o->data + (size_t)(b * c->len) * slice, a->data + (size_t)from * slice,
		       (size_t)iters[b] * slice);
	return GRT_OK;
}

static int interp_scan8(grt_session *s, struct node *n, int n_in, const struct model_node *mn,
                        struct plan_pool *pool)
{
	const struct model_graph *body = graph_attr(mn, "body");
	struct node *fr;
	struct plan_pool pp[2] = { { 0 } };
	struct scan8 c;
	struct tensor *init;
	const struct tensor **cur;
	struct acc *acc;
	int64_t *iters, it = 0;
	int rc;

	n->n_inputs = n_in;
	if ((rc = scan8_setup(s, n, n_in, mn, &c)))
		return rc;
	fr = &s->gframes[body->id];
	s->exec.pool = pool;
	init = dyn_alloc(s, n, ((size_t)c.n_state + 1) * sizeof(*init), "its state");
	cur = dyn_alloc(s, n, ((size_t)c.n_state + 1) * sizeof(*cur), "its state");
	acc = dyn_alloc(s, n, ((size_t)(c.n_state + c.n_out) + 1) * sizeof(*acc), "its state");
	iters = dyn_alloc(s, n, ((size_t)c.batch + 1) * sizeof(*iters), "its state");
	if (!init || !cur || !acc || !iters)
		return pool->over ? GRT_E_LIMIT : GRT_E_NOMEM;
	for (int64_t b = 0; !rc && b < c.batch; b++) {
		iters[b] = c.seq_lens ? c.seq_lens[b] : c.len;
		for (int k = 0; k < c.n_state; k++) {
			batch_view(&init[k], n->inputs[1 + k], b, 0, 0);
			cur[k] = &init[k];
		}
		for (int64_t t = 0; !rc && t < iters[b]; t++, it++) {
			struct plan_pool *p = &pp[it & 1];
			if ((rc = count_iteration(s, n)))
				break;
			pool_reset(p, s->budget);
			s->exec.pool = p;
			for (int k = 0; k < c.n_state; k++)
				take(fr->inputs[k], cur[k]);
			for (int k = 0; k < c.m; k++) {
				int rev = c.n_dirs > 0 && c.dirs[k];
				batch_view(fr->inputs[c.n_state + k], n->inputs[1 + c.n_state + k], b, 1,
				           rev ? iters[b] - 1 - t : t);
			}
			if ((rc = interp_graph(s, body, p)))
				break;
			for (int k = 0; k < c.n_state; k++)
				cur[k] = fr->outputs[k];
			s->exec.pool = pool;
			for (int k = 0; !rc && k < c.n_out; k++)
				rc = acc_add(s, n, &acc[c.n_state + k], fr->outputs[c.n_state + k]);
		}
		s->exec.pool = pool;
		for (int k = 0; !rc && k < c.n_state; k++)
			rc = acc_add(s, n, &acc[k], cur[k]);
	}
	s->exec.pool = pool;
	for (int k = 0; !rc && k < c.n_state + c.n_out; k++)
		rc = scan8_output(s, n, &c, &acc[k], iters, k >= c.n_state, n->outputs[k]);
	pool_free(&pp[0].blocks);
	pool_free(&pp[1].blocks);
	return rc;
}

static int interp_control(grt_session *s, struct node *n, int n_in, const struct model_node *mn,
                          struct plan_pool *pool)
{
	int rc;

	if (mn->op == &op_if)
		return interp_if(s, n, mn, pool);
	if (mn->op == &op_loop) {
		int saved = n->n_inputs;
		n->n_inputs = n_in;
		rc = interp_loop(s, n, mn, pool);
		n->n_inputs = saved;
		return rc;
	}
	{
		int saved = n->n_inputs;
		rc = mn->op == &op_scan8 ? interp_scan8(s, n, n_in, mn, pool)
		                         : interp_scan(s, n, n_in, mn, pool);
		n->n_inputs = saved;
		return rc;
	}
}

static int interp_graph(grt_session *s, const struct model_graph *g, struct plan_pool *pool)
{
	struct node *nodes = s->gnodes[g->id];
	int rc = GRT_OK;

	for (int i = 0; !rc && i < g->n_nodes; i++) {
		const struct model_node *mn = &g->nodes[i];
		rc = mn->op->flags & OP_CONTROL ? interp_control(s, &nodes[i], mn->n_inputs, mn, pool)
		                                : run_dynamic(s, &nodes[i], pool);
	}
	return rc;
}

/* The run-list step of a Loop or Scan: its outputs from the session's
 * dynamic pool, given back at the next run. */
static int loop_step_prepare(struct node *n, struct exec *x)
{
	(void)n;
	(void)x;
	return GRT_OK;
}

static int loop_step_run(struct node *n, struct exec *x)
{
	const struct ctl_params *p = n->params;
	struct plan_pool *was = x->pool;
	int rc = interp_control(p->s, n, p->mn->n_inputs, p->mn, &p->s->dyn_pool);

	x->pool = was;
	return rc;
}

static const struct op_def ctl_loop_step = {
	"Loop", 1, OPSET_LATEST, loop_step_prepare, loop_step_run, OP_CONTROL | OP_MOVES_DATA, NULL
};

/* Graph g's nodes (and those of the graphs nested in it) as the interpreter
 * runs them, built once at plan time. */
static int build_graph(grt_session *s, const struct model_graph *g)
{
	struct node *nodes, *fr;
	int rc;

	if (s->gnodes[g->id])
		return GRT_OK;
	if (!(nodes = plan_alloc(&s->exec, ((size_t)g->n_nodes + 1) * sizeof(*nodes))))
		return GRT_E_NOMEM;
	s->gnodes[g->id] = nodes;
	for (int i = 0; i < g->n_nodes; i++) {
		const struct model_node *mn = &g->nodes[i];
		struct node *n = &nodes[i];
		if ((rc = node_from_model(s, n, mn, 0)))
			return rc;
		n->dynamic = 1;
		for (int a = 0; a < mn->n_attrs; a++)
			if (mn->attrs[a].type == ATTR_GRAPH && (rc = build_graph(s, mn->attrs[a].g)))
				return rc;
	}
	fr = &s->gframes[g->id];
	fr->n_inputs = g->n_inputs;
	fr->n_outputs = g->n_outputs;
	fr->inputs = plan_alloc(&s->exec, ((size_t)g->n_inputs + 1) * sizeof(*fr->inputs));
	fr->outputs = plan_alloc(&s->exec, ((size_t)g->n_outputs + 1) * sizeof(*fr->outputs));
	if (!fr->inputs || !fr->outputs)
		return GRT_E_NOMEM;
	for (int k = 0; k < g->n_inputs; k++)
		fr->inputs[k] = &s->tensors[g->inputs[k]];
	for (int k = 0; k < g->n_outputs; k++)
		fr->outputs[k] = &s->tensors[s->redirect[g->outputs[k]]];
	return GRT_OK;
}

/* A Loop or Scan: one step that reads its inputs and every outer value its
 * body reads, and writes outputs of dynamic shape. */
static int plan_loop(grt_session *s, const struct model_node *mn, struct readers *rd)
{
	const struct model_graph *body = graph_attr(mn, "body");
	const grt_model *m = s->model;
	struct ctl_params *p;
	struct node *n;
	int rc;

	if (!body) {
		set_err(s->exec.errmsg, s->exec.errlen, "node '%s' (%s): needs the graph 'body'",
		        label(mn), mn->op_type);
		return GRT_E_INVALID_MODEL;
	}
	if (!s->gnodes) {
		s->gnodes = plan_alloc(&s->exec, ((size_t)m->n_graphs + 1) * sizeof(*s->gnodes));
		s->gframes = plan_alloc(&s->exec, ((size_t)m->n_graphs + 1) * sizeof(*s->gframes));
		if (!s->gnodes || !s->gframes)
			return GRT_E_NOMEM;
	}
	if ((rc = build_graph(s, body)))
		return rc;
	if (!(p = plan_alloc(&s->exec, sizeof(*p))) || !(n = plan_slot(s)))
		return GRT_E_NOMEM;
	p->s = s;
	p->mn = mn;
	if ((rc = node_from_model(s, n, mn, body->n_captures)))
		return rc;
	n->op = &ctl_loop_step;
	n->params = p;
	n->dynamic = 1;
	for (int k = 0; k < body->n_captures; k++)     /* the body's outer values */
		n->inputs[mn->n_inputs + k] = &s->tensors[s->redirect[body->captures[k]]];
	for (int k = 0; k < n->n_outputs; k++)
		if (n->outputs[k])
			n->outputs[k]->is_dynamic = 1;
	readers_done(s, rd, mn, n, 0);
	for (int k = 0; rd->run && k < body->n_captures; k++)
		rd->run[s->redirect[body->captures[k]]] = 1;
	s->n_run++;
	return GRT_OK;
}

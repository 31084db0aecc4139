/* fuse.c - the driver of plan-time graph rewrites (ops/op.h): builds the
 * graph view of the run list (which node writes each tensor, how many read
 * it), runs the phases of rewrite_table (ops/registry.c) in order, counts
 * the nodes they replace, and drops the nodes they removed. It knows no
 * operator: the rewrites live next to the op families they serve
 * (ops/<family>_fuse.c). */
#include <stdlib.h>
#include <string.h>
#include "runtime/internal.h"

/* The session flag that turns each phase off. */
static const unsigned phase_off[REWRITE_N_PHASES] = {
	[REWRITE_FOLD] = GRT_SESSION_NO_FOLD_BN,
	[REWRITE_SUBGRAPH] = GRT_SESSION_NO_FUSE,
	[REWRITE_NODE] = GRT_SESSION_NO_FUSE,
	[REWRITE_EPILOGUE] = GRT_SESSION_NO_EPILOGUE,
};

/* The rewrites of phase p on node i, in table order, until one applies:
 * the nodes it replaced, or a negative status. */
static int rewrite_node(struct rewrite_ctx *g, enum rewrite_phase p, int i)
{
	for (int r = 0; r < rewrite_table_len; r++) {
		const struct rewrite_def *d = rewrite_table[r];
		int rc;
		if (d->phase != p || strcmp(d->op_type, g->nodes[i].op->op_type))
			continue;
		rc = d->apply(g, i);
		if (rc)
			return rc;
	}
	return 0;
}

/* The branch of an If each node runs in (0: unconditionally), as the
 * control steps of ops/control.c delimit them; -1 if out of memory. */
static int *branch_regions(const struct rewrite_ctx *g)
{
	int *region = malloc(((size_t)g->n_nodes + 1) * sizeof(int));
	int *stack = malloc(((size_t)g->n_nodes + 1) * sizeof(int));
	int cur = 0, next = 0, depth = 0;

	if (!region || !stack) {
		free(region);
		free(stack);
		return NULL;
	}
	for (int i = 0; i < g->n_nodes; i++) {
		const struct op_def *op = g->nodes[i].op;
		region[i] = cur;
		if (op == &ctl_if_head) {
			stack[depth++] = cur;
			cur = ++next;
		} else if (op == &ctl_then_end) {
			cur = ++next;
		} else if (op == &ctl_else_end) {
			cur = depth ? stack[--depth] : 0;
		}
	}
	free(stack);
	return region;
}

/* producer and uses of every tensor, from the run list and the graph
 * outputs. A tensor that one branch of an If writes and a node outside it
 * reads (or the other way round) counts one reader more, so that no
 * rewrite merges nodes across the boundary. */
static int view_build(struct rewrite_ctx *g, const grt_session *s)
{
	const grt_model *m = s->model;
	int *region = branch_regions(g);

	if (!region)
		return GRT_E_NOMEM;
	for (int v = 0; v < m->n_values; v++)
		g->producer[v] = -1;
	for (int i = 0; i < g->n_nodes; i++) {
		struct node *n = &g->nodes[i];
		for (int k = 0; k < n->n_outputs; k++)
			if (n->outputs[k])
				g->producer[rw_id(g, n->outputs[k])] = i;
		for (int k = 0; k < n->n_inputs; k++)
			if (n->inputs[k])
				g->uses[rw_id(g, n->inputs[k])]++;
	}
	for (int i = 0; i < g->n_nodes; i++) {
		struct node *n = &g->nodes[i];
		for (int k = 0; k < n->n_inputs; k++) {
			int p = n->inputs[k] ? g->producer[rw_id(g, n->inputs[k])] : -1;
			if (p >= 0 && region[p] != region[i])
				g->uses[rw_id(g, n->inputs[k])]++;
		}
	}
	for (int i = 0; i < m->n_outputs; i++)
		g->uses[s->redirect[m->outputs[i]]]++;
	free(region);
	return GRT_OK;
}

int fuse_nodes(grt_session *s, unsigned flags)
{
	const grt_model *m = s->model;
	struct rewrite_ctx g = { s->nodes, s->n_run, s->tensors, NULL, NULL, &s->exec };
	int kept = 0, rc = GRT_OK;

	if ((flags & GRT_SESSION_NO_FUSE) && (flags & GRT_SESSION_NO_FOLD_BN) &&
	    (flags & GRT_SESSION_NO_EPILOGUE))
		return GRT_OK;
	g.producer = malloc(((size_t)m->n_values + 1) * sizeof(int));
	g.uses = calloc((size_t)m->n_values + 1, sizeof(int));
	if (!g.producer || !g.uses) {
		rc = GRT_E_NOMEM;
		goto out;
	}
	if ((rc = view_build(&g, s)))
		goto out;
	for (int p = 0; p < REWRITE_N_PHASES; p++) {
		if (flags & phase_off[p])
			continue;
		for (int i = 0; i < g.n_nodes; i++) {
			if (!g.nodes[i].op)
				continue;
			rc = rewrite_node(&g, (enum rewrite_phase)p, i);
			if (rc < 0)
				goto out;
			s->stats.n_nodes_fused += rc;
			rc = GRT_OK;
		}
	}
	for (int i = 0; i < s->n_run; i++)
		if (s->nodes[i].op)
			s->nodes[kept++] = s->nodes[i];
	s->stats.n_nodes_rewritten_away = s->n_run - kept;
	s->n_run = kept;
out:
	free(g.producer);
	free(g.uses);
	return rc;
}

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

/* producer and uses of every tensor, from the run list and the graph outputs */
static void view_build(struct rewrite_ctx *g, const grt_model *m)
{
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
	for (int i = 0; i < m->n_outputs; i++)
		g->uses[m->outputs[i]]++;
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
	view_build(&g, m);
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

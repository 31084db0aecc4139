/* control.c - If (and later Loop, Scan) planned into the session's one run
 * list. An If whose condition is known at plan time (most Ifs of exported
 * models test shapes) is replaced by the branch it takes: its nodes are
 * planned in place and the If's outputs are the branch's outputs. Otherwise
 * both branches are planned one after the other between the control steps
 * of ops/control.c: one arena, lifetimes over the run list (a branch that
 * does not run only wastes its steps' order, never memory safety), and no
 * allocation at run time. */
#include <stdint.h>
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
		if ((rc = plan_nodes(s, flags, br[b]->nodes, br[b]->n_nodes, rd)) ||
		    (rc = plan_step(s, flags, mn, b ? &ctl_else_end : &ctl_then_end,
		                    br[b]->n_outputs, br[b]->outputs, mn->n_outputs, mn->outputs,
		                    blk, rd)))
			return rc;
		s->n_ctl_steps++;
	}
	return GRT_OK;
}

int plan_control(grt_session *s, unsigned flags, const struct model_node *mn,
                 struct readers *rd)
{
	if (!strcmp(mn->op_type, "If"))
		return plan_if(s, flags, mn, rd);
	set_err(s->exec.errmsg, s->exec.errlen, "node '%s' (%s): not implemented", label(mn),
	        mn->op_type);
	return GRT_E_UNSUPPORTED;
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

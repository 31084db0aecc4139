/* control.c - If, Loop and Scan (https://onnx.ai/onnx/operators/onnx__If.html,
 * onnx__Loop.html, onnx__Scan.html): their registry entries, which the session
 * plans itself rather than prepares (runtime/control.c flattens their bodies
 * into the run list), and the steps it plans them into. The steps share one
 * record per control node (struct ctl_block, ops/registry.h), whose jump
 * targets the runtime fills in once the run list is final.
 *
 * An If whose condition is not known at plan time becomes
 *
 *     if_head(cond)         cond false: jump to else_at
 *     ...then_branch...
 *     then_end(outs)        copy the branch's outputs to the If's; jump to end_at
 *     ...else_branch...     (else_at: the step after then_end)
 *     else_end(outs)        copy the branch's outputs to the If's
 *                           (end_at: the step after else_end)
 */
#include <string.h>
#include "ops/registry.h"

static int control_prepare(struct node *n, struct exec *x)
{
	return op_fail(n, x, GRT_E_UNSUPPORTED, "is planned by the session, not prepared alone");
}

static int control_run(struct node *n, struct exec *x)
{
	return op_fail(n, x, GRT_E_UNSUPPORTED, "is run as the steps it was planned into");
}

const struct op_def op_if = {
	"If", 1, OPSET_LATEST, control_prepare, control_run, OP_CONTROL | OP_MOVES_DATA, NULL
};
const struct op_def op_loop = {
	"Loop", 1, OPSET_LATEST, control_prepare, control_run, OP_CONTROL | OP_MOVES_DATA, NULL
};
/* opset 8's Scan: a batch axis and sequence_lens (runtime/control.c) */
const struct op_def op_scan8 = {
	"Scan", 8, 8, control_prepare, control_run, OP_CONTROL | OP_MOVES_DATA, NULL
};
const struct op_def op_scan = {
	"Scan", 9, OPSET_LATEST, control_prepare, control_run, OP_CONTROL | OP_MOVES_DATA, NULL
};

/* --- the steps --- */

static int if_head_prepare(struct node *n, struct exec *x)
{
	const struct tensor *c;
	int rc = op_check_arity(n, x, 1, 1, 0, 0);

	if (rc)
		return rc;
	c = n->inputs[0];
	if (c->dtype != DT_BOOL || c->numel != 1)
		return op_fail(n, x, GRT_E_SHAPE, "condition '%s' must hold one bool, it is %s "
		               "with %lld elements", c->name, dtype_name(c->dtype), (long long)c->numel);
	return GRT_OK;
}

static int if_head_run(struct node *n, struct exec *x)
{
	const struct ctl_block *c = n->params;

	if (!*(const uint8_t *)n->inputs[0]->data)
		x->next = c->else_at;
	return GRT_OK;
}

/* The branch outputs (inputs) to the If's outputs: the then branch sets
 * their types and shapes, the else branch must give the same. */
static int branch_end_prepare(struct node *n, struct exec *x)
{
	const struct ctl_block *c = n->params;
	const int is_else = n->op == &ctl_else_end;

	if (n->n_inputs != n->n_outputs)
		return op_fail(n, x, GRT_E_INVALID_MODEL, "%s_branch gives %d outputs, the If has %d",
		               is_else ? "else" : "then", n->n_inputs, n->n_outputs);
	for (int k = 0; k < n->n_outputs; k++) {
		const struct tensor *b = n->inputs[k];
		struct tensor *o = n->outputs[k];
		int same = 1, rc;
		if (!o)
			continue;
		if (!b)
			return op_fail(n, x, GRT_E_INVALID_MODEL, "%s_branch output %d is empty",
			               is_else ? "else" : "then", k);
		if (o->dtype == DT_UNDEFINED) {     /* the first branch planned */
			if ((rc = tensor_set_shape(o, b->dtype, b->ndim, b->dims)))
				return op_fail(n, x, rc, "output shape too large");
			continue;
		}
		same = o->dtype == b->dtype && o->ndim == b->ndim;
		for (int d = 0; same && d < b->ndim; d++)
			same = o->dims[d] == b->dims[d];
		if (!same)
			return op_fail(n, x, GRT_E_DYNAMIC, "output %d '%s' differs between the "
			               "branches (%s rank %d from then_branch, %s rank %d from "
			               "else_branch, dim by dim equal required): an output shape that "
			               "depends on the condition is not supported", k, o->name,
			               dtype_name(o->dtype), o->ndim, dtype_name(b->dtype), b->ndim);
	}
	(void)c;
	return GRT_OK;
}

static int branch_end_run(struct node *n, struct exec *x)
{
	const struct ctl_block *c = n->params;

	for (int k = 0; k < n->n_outputs; k++) {
		struct tensor *o = n->outputs[k];
		if (o && o->data != n->inputs[k]->data && o->nbytes)
			memcpy(o->data, n->inputs[k]->data, o->nbytes);
	}
	if (n->op == &ctl_then_end)
		x->next = c->end_at;
	return GRT_OK;
}

static int if_fail_run(struct node *n, struct exec *x)
{
	const struct ctl_block *c = n->params;

	return op_fail(n, x, c->why_rc, "%s_branch cannot run with these input shapes: %s",
	               n->view_offset ? "else" : "then", c->why);
}

static int if_fail_prepare(struct node *n, struct exec *x)
{
	(void)n;
	(void)x;
	return GRT_OK;
}

const struct op_def ctl_if_fail = {
	"If", 1, OPSET_LATEST, if_fail_prepare, if_fail_run, OP_CONTROL | OP_MOVES_DATA, NULL
};

const struct op_def ctl_if_head = {
	"If", 1, OPSET_LATEST, if_head_prepare, if_head_run, OP_CONTROL | OP_MOVES_DATA, NULL
};
const struct op_def ctl_then_end = {
	"If", 1, OPSET_LATEST, branch_end_prepare, branch_end_run, OP_CONTROL | OP_MOVES_DATA, NULL
};
const struct op_def ctl_else_end = {
	"If", 1, OPSET_LATEST, branch_end_prepare, branch_end_run, OP_CONTROL | OP_MOVES_DATA, NULL
};

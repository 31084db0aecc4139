/* epilogue_fuse.c - plan-time rewrite of activations into their producer's
 * epilogue (ops/epilogue.c; ops/op.h says how rewrites work).
 *
 * A float Sigmoid, Tanh, Relu or PRelu (slope constant, one value per channel or
 * one for all) whose input is written by an op that can apply it (OP_EPILOGUE:
 * its run() calls op_epilogue() on each finished run of output 0) and read by
 * nothing else runs inside that op's kernel, while the values are in cache.
 * Element-wise activations need no other element, so applying them to each
 * run as it is finished gives the same values; the activation's output has
 * the input's shape, so the producer writes it directly. */
#include <string.h>
#include "ops/op.h"

/* The slope of a PRelu on y [N, C, ...] as C floats, or NULL if it varies along
 * any other axis than 1 (numpy broadcasting: slope dims align right). */
static float *channel_slope(struct exec *x, const struct tensor *slope, const struct tensor *y)
{
	const float *sd = slope->data;
	int64_t C, at = y->ndim - slope->ndim;  /* y axis of slope dim 0 */
	float *out;

	if (!rw_const_float(slope, -1) || y->ndim < 2 || slope->ndim > y->ndim)
		return NULL;
	for (int d = 0; d < slope->ndim; d++)
		if (slope->dims[d] != 1 && at + d != 1)
			return NULL;
	C = y->dims[1];
	out = plan_alloc(x, (size_t)(C > 0 ? C : 1) * sizeof(float));
	if (!out)
		return NULL;
	for (int64_t c = 0; c < C; c++)
		out[c] = slope->numel == 1 ? sd[0] : sd[c];
	return out;
}

static int try_epilogue(struct rewrite_ctx *g, int i_act)
{
	struct exec *x = g->x;
	struct node *act = &g->nodes[i_act], *p;
	struct tensor *y;
	enum epi_kind kind;
	const float *slope = NULL;
	int i_p;

	if (!strcmp(act->op_type, "Sigmoid"))
		kind = EPI_SIGMOID;
	else if (!strcmp(act->op_type, "Tanh"))
		kind = EPI_TANH;
	else if (!strcmp(act->op_type, "PRelu"))
		kind = EPI_PRELU;
	else if (!strcmp(act->op_type, "Relu"))
		kind = EPI_RELU;
	else
		return 0;
	y = act->inputs[0];
	if (!y || y->dtype != DT_FLOAT || act->n_outputs != 1 || !act->outputs[0] ||
	    !rw_used_once(g, y) || (i_p = g->producer[rw_id(g, y)]) < 0)
		return 0;
	p = &g->nodes[i_p];
	if (!p->op || !(p->op->flags & OP_EPILOGUE) || p->epi.kind != EPI_NONE ||
	    p->outputs[0] != y || y->ndim < 2)
		return 0;
	if (kind == EPI_PRELU && !(slope = channel_slope(x, act->inputs[1], y)))
		return 0;
	/* the activation's output has y's shape: the producer writes it directly */
	op_epilogue_set(&p->epi, kind, slope, x);
	p->outputs[0] = act->outputs[0];
	g->producer[rw_id(g, act->outputs[0])] = i_p;
	act->op = NULL;
	return 1;
}

const struct rewrite_def rewrite_epilogue_sigmoid = { "Sigmoid", REWRITE_EPILOGUE, try_epilogue };
const struct rewrite_def rewrite_epilogue_tanh = { "Tanh", REWRITE_EPILOGUE, try_epilogue };
const struct rewrite_def rewrite_epilogue_prelu = { "PRelu", REWRITE_EPILOGUE, try_epilogue };
const struct rewrite_def rewrite_epilogue_relu = { "Relu", REWRITE_EPILOGUE, try_epilogue };

/* rewrite.h - plan-time graph rewrites: what a rewrite sees and may do.
 *
 * A rewrite replaces a subgraph of the session's run list that computes a
 * known operator with one node of that operator (prepared like any other),
 * or folds nodes into another node's weights, layout or epilogue. It is
 * driven by ONNX semantics, never by node names. Each lives in the ops/
 * family file it serves (ops/<family>_fuse.c), where a struct rewrite_def
 * names the op_type of the node it starts from, its phase and its function, and
 * is listed once in rewrite_table (ops/registry.c). The driver
 * (runtime/fuse.c) runs the phases in order; in each, it visits the nodes in
 * run order and calls the phase's rewrites of the node's op_type, in table
 * order, until one of them applies. (By name, not by op_def: one op_type may
 * have several op_defs, for its opset ranges, or a row in a family table.)
 *
 * A rewrite: int fn(struct rewrite_ctx *g, int i), i the node it starts from.
 * It matches the pattern through the helpers below, prepares the replacement
 * node on a copy (a kernel that declines leaves the graph as it was), then
 * clears op in every node it removed (the driver drops them), keeps
 * g->producer up to date for tensors it gives another writer, and returns
 * how many of the graph's nodes it replaced (the count the caller sees in
 * grt_session_stats.n_nodes_fused), 0 if it does not apply, or a negative
 * status (GRT_E_NOMEM) that stops planning.
 */
#ifndef OPS_REWRITE_H
#define OPS_REWRITE_H

#include "ops/op.h"

/* The phases, in the order they run. Each is disabled by a session flag. */
enum rewrite_phase {
	REWRITE_FOLD,       /* constant folding into weights (GRT_SESSION_NO_FOLD_BN) */
	REWRITE_SUBGRAPH,   /* decomposed operators recomposed first (GRT_SESSION_NO_FUSE) */
	REWRITE_NODE,       /* fusions and layouts, per node (GRT_SESSION_NO_FUSE) */
	REWRITE_EPILOGUE,   /* activations into their producer (GRT_SESSION_NO_EPILOGUE) */
	REWRITE_N_PHASES
};

/* The graph as the rewrites see it. A node with op == NULL was removed. */
struct rewrite_ctx {
	struct node *nodes;         /* [n_nodes] the run list, in order */
	int n_nodes;
	const struct tensor *tensors;  /* the session's tensors; a tensor's id is t - tensors */
	int *producer;              /* [id] index of the node that writes it, or -1 */
	int *uses;                  /* [id] readers among the nodes, plus 1 per graph output */
	struct exec *x;             /* plan-time context: plan_alloc, attributes, messages */
};

struct rewrite_def {
	const char *op_type;        /* ONNX op_type of the node the rewrite starts from */
	enum rewrite_phase phase;
	int (*apply)(struct rewrite_ctx *g, int i);
};

static inline int rw_id(const struct rewrite_ctx *g, const struct tensor *t)
{
	return (int)(t - g->tensors);
}

/* Readers of t (graph outputs count as one each). */
static inline int rw_uses(const struct rewrite_ctx *g, const struct tensor *t)
{
	return g->uses[rw_id(g, t)];
}

static inline int rw_used_once(const struct rewrite_ctx *g, const struct tensor *t)
{
	return rw_uses(g, t) == 1;
}

/* n now writes t (a rewrite that gave t a new producer). */
static inline void rw_set_producer(struct rewrite_ctx *g, const struct tensor *t,
                                   const struct node *n)
{
	g->producer[rw_id(g, t)] = (int)(n - g->nodes);
}

/* The live node that writes t, if there is one (and its op_type is op_type,
 * unless that is NULL); else NULL. */
struct node *rw_producer(struct rewrite_ctx *g, const struct tensor *t, const char *op_type);
/* The node that reads t, when exactly one does (and t is not a graph output). */
struct node *rw_sole_reader(struct rewrite_ctx *g, const struct tensor *t);

/* A zeroed node of op (op_type, opset and name set): the replacement of a
 * pattern, for the rewrite to fill in and prepare. */
struct node rw_new_node(const struct op_def *op, const char *op_type, int opset,
                        const char *name);

/* --- constants --- */

/* A constant float tensor of one element, or NULL. */
const float *rw_const_scalar(const struct tensor *t);
/* t is a constant float tensor of numel elements (any count if numel < 0). */
int rw_const_float(const struct tensor *t, int64_t numel);
/* The constant integer tensor t as int64 values in buf [max], or NULL. */
const int64_t *rw_const_ints(const struct tensor *t, int64_t *buf, int64_t max);

/* --- pattern pieces more than one family's rewrites use (ops/rewrite.c) --- */

/* Pad(X) with mode constant, value 0 and pads >= 0 on the spatial axes (2 and
 * up) of X (rank >= 3) only, its output read by `readers` nodes of the pattern
 * and nothing else: sets pads [begin of each spatial axis, end of each] (Conv's
 * layout) and returns X, else NULL. */
struct tensor *rw_spatial_zero_pad(struct rewrite_ctx *g, struct node *pad, int readers,
                                   int64_t *pads);
/* The start and step along the last axis of a Slice that keeps the other axes
 * whole: returns 1, else 0. */
int rw_slice_last(struct node *sl, struct exec *x, int64_t *start, int64_t *step);

#endif

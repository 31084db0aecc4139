/* internal.h - the runtime's own graph IR, session plan and helpers.
 * Not installed; tests reach it through the convenience library. */
#ifndef RUNTIME_INTERNAL_H
#define RUNTIME_INTERNAL_H

#include "runtime/grt.h"
#include "ops/op.h"
#include "ops/registry.h"

#define ARENA_ALIGN 64

/* The type and shape the file declares for a graph input or output. */
struct value_decl {
	enum dtype dtype;           /* DT_UNDEFINED if not declared */
	int ndim;                   /* -1 if the shape is not declared */
	int64_t dims[MAX_DIMS];     /* -1 for a dynamic dim */
	const char **dim_names;     /* [MAX_DIMS] names of symbolic dims, or NULL if none */
};

/* A named value of the graph: graph input, initializer, node output. (An
 * unsimplified export has thousands: the record stays small.) */
struct value_info {
	const char *name;
	const struct value_decl *decl;  /* graph inputs, and outputs that nodes produce */
	const struct tensor *init;  /* initializer (model-owned), or NULL */
	const void *narrow;         /* a large int64 initializer kept narrower (init->data
	                               is NULL then; model_widen() gives its values) */
	int narrow_size;            /* bytes per element of narrow: 1, 2 or 4 */
	int producer;               /* index of the node that writes it in its graph's
	                               node array, or -1 */
	int graph_input;            /* index in model inputs, or -1 */
	int graph;                  /* the graph that defines it: 0 the main graph,
	                               k the subgraph m->graphs[k - 1] */
};

struct model_node {
	const char *name;
	const char *op_type;
	const char *domain;
	int opset;
	const struct op_def *op;
	int n_inputs, n_outputs;
	int *inputs;                /* value ids; -1 for "" */
	int *outputs;
	struct attr *attrs;
	int n_attrs;
	/* values of enclosing graphs that its subgraphs (If, Loop and Scan
	 * bodies) read: the node runs after their producers */
	int n_deps;
	int *deps;
};

/* A subgraph: the body of an If branch, Loop or Scan (an attribute of type
 * GRAPH, struct attr.g). Its values are in the model's one value table;
 * names it does not define resolve to the enclosing graphs' values. */
struct model_graph {
	int id;                     /* values[v].graph of the values it defines */
	int n_nodes;
	struct model_node *nodes;   /* topological order */
	int n_inputs, n_outputs;
	int *inputs;                /* formal inputs (Loop, Scan), set per iteration */
	int *outputs;               /* value ids: its own values, or outer ones */
	int n_captures;
	int *captures;              /* values of enclosing graphs it (or a graph nested
	                               in it) reads */
};

struct kv { const char *key, *value; };

struct grt_model {
	int64_t ir_version;
	int opset;                  /* default domain */
	int opset_grt;              /* OP_DOMAIN, or 0 if the model does not import it */
	int n_values;
	struct value_info *values;
	int n_nodes;
	struct model_node *nodes;   /* topological order */
	int n_inputs, n_outputs;
	int *inputs;                /* value ids of graph inputs (no initializer) */
	int *outputs;               /* value ids of graph outputs */
	int n_graphs;
	struct model_graph **graphs;  /* every subgraph, at any depth; graphs[k - 1]
	                                 has id k */
	int n_nodes_all;            /* nodes of the main graph and every subgraph */
	int n_meta;
	struct kv *meta;
	struct mem_block *mem;      /* every allocation of the model, freed together */
};

/* Plan-time memory: a list of blocks freed together. */
/* The first block of a pool is the chunk that small allocations are carved
 * from (used of cap bytes after the header); larger ones get a block of their
 * own, linked behind it. */
/* release (or NULL): called with the payload when the block is freed (a block of
 * pool_alloc_release) */
struct mem_block {
	struct mem_block *next;
	size_t used, cap;
	void (*release)(void *payload);
};
void *pool_alloc(struct mem_block **pool, size_t bytes);    /* zeroed, 64-aligned */
/* A zeroed, 64-aligned block of its own: release(block) runs when pool_free or
 * pool_rollback frees it (it holds what must be given back otherwise: FFTW plans). */
void *pool_alloc_release(struct mem_block **pool, size_t bytes, void (*release)(void *));
void *pool_alloc_small(struct mem_block **pool, size_t bytes); /* zeroed, 16-aligned */
char *pool_strdup(struct mem_block **pool, const char *s, size_t len);
void pool_free(struct mem_block **pool);
/* pool_rollback() frees every allocation made from the pool since
 * pool_mark() (nothing else may have marked or rolled back in between). */
struct pool_mark { struct mem_block *head, *next; size_t used; };
void pool_mark(struct mem_block *const *pool, struct pool_mark *mk);
void pool_rollback(struct mem_block **pool, const struct pool_mark *mk);

/* Ops' plan-time memory (plan_alloc): counted against the session's budget
 * (limit 0: none); over = 1 once an allocation was refused for it. */
struct plan_pool {
	struct mem_block *blocks;
	size_t used, limit;
	int over;
};

struct grt_session {
	const grt_model *model;
	struct tensor *tensors;     /* [model->n_values] while planning, then only the
	                               values the plan uses (compact_tensors) */
	struct node *nodes;         /* [n_run] nodes left to run, in order */
	int n_run;
	struct tensor **inputs;     /* [model->n_inputs] */
	struct tensor **outputs;    /* [model->n_outputs] */
	int *input_fixed;           /* [model->n_inputs] */
	void *arena;
	void *scratch;
	grt_session_stats stats;
	struct plan_pool pool;      /* params, node arrays */
	size_t budget;              /* opts->max_bytes, or the default */
	size_t const_live;          /* bytes in folded[] now */
	void **folded;              /* [n_values] buffers of folded values; those no
	                               planned node reads are freed after planning */
	struct exec exec;
	char errmsg[512];
	int cap_run;                /* planning: room in nodes */
	int *redirect;              /* planning: [n_values] the value a value id stands
	                               for (an If output planned as its branch's) */
	int n_ctl_steps;            /* steps in nodes that are not model nodes (the
	                               ends of If branches) */
	struct plan_pool dyn_pool;  /* run time: dynamic nodes' parameters, outputs and
	                               scratch, given back at the start of each run */
	/* the bodies of Loop and Scan nodes (and the graphs nested in them), as
	 * the interpreter runs them, by graph id (NULL: not built) */
	struct node **gnodes;       /* [n_graphs + 1] the graph's nodes, in order */
	struct node *gframes;       /* [n_graphs + 1] inputs: the graph's formal inputs,
	                               outputs: its outputs */
	long long iterations;       /* run time: Loop and Scan iterations in this run */
};

/* Loop and Scan iterations one run may make, in all: a hostile trip count
 * ends in GRT_E_LIMIT instead of running (nearly) forever. */
#define MAX_ITERATIONS_PER_RUN (1LL << 22)

/* Readers left of each value while nodes are prepared (runtime/session.c). */
struct readers {
	int  *left;        /* [n_values] model nodes still to prepare that read it */
	char *run;         /* [n_values] a node to run reads it */
};

/* runtime/session.c: planning, for runtime/control.c (plan_slot: the next
 * node of the run list, zeroed, or NULL; value_widen: a narrowed int64
 * initializer's values for a node that reads it) */
struct node *plan_slot(grt_session *s);
/* n from model node mn (with room for extra_inputs more inputs after mn's):
 * op, name, attributes, and the session's tensors of its values */
int node_from_model(grt_session *s, struct node *n, const struct model_node *mn,
                    int extra_inputs);
int value_widen(grt_session *s, struct node *n, int v);
int plan_node(grt_session *s, unsigned flags, const struct model_node *mn, struct readers *rd);
int plan_nodes(grt_session *s, unsigned flags, const struct model_node *nodes, int n,
               struct readers *rd);
void readers_done(grt_session *s, struct readers *r, const struct model_node *mn,
                  const struct node *n, int folded);

/* runtime/session.c */
int node_all_empty(const struct node *n);   /* no output holds an element */

/* runtime/memplan.c: buffers shared by views and in-place nodes (root[v]:
 * the tensor whose buffer v uses, voff[v] the offset in it), the arena, and
 * the tensor table compacted to what the plan uses */
int share_buffers(grt_session *s, unsigned flags, uint64_t scratch_inputs, int *root,
                  size_t *voff);
int allocate_plan(grt_session *s, const grt_session_opts *opts, const int *root,
                  const size_t *voff, char *err, size_t err_len);
int compact_tensors(grt_session *s);

/* runtime/run.c: run time of dynamic nodes (and of the bodies of Loop
 * and Scan): dyn_alloc from s->exec.pool (a message on failure), run_dynamic
 * prepares n with its inputs' values, allocates its outputs from pool, runs it */
void *dyn_alloc(grt_session *s, const struct node *n, size_t bytes, const char *what);
int run_dynamic(grt_session *s, struct node *n, struct plan_pool *pool);

/* runtime/control.c: If, Loop and Scan planned into the run list, and the
 * jump targets of their steps once the run list is final */
int plan_control(grt_session *s, unsigned flags, const struct model_node *mn,
                 struct readers *rd);
void control_resolve(grt_session *s);

/* runtime/fuse.c: plan-time rewrites of the run list */
int fuse_nodes(grt_session *s, unsigned flags);

/* runtime/model.c */
int model_topo_sort(grt_model *m, char *err, size_t err_len);
void model_widen(const grt_model *m, int v, int64_t *out);

/* runtime/model_parse.c: the parse tree's memory, for protobuf-c's allocator
 * (parse_alloc, parse_free on &arena); parse_arena_free gives it all back. */
struct parse_arena {
	struct parse_block *chunks;     /* head: the one being carved */
	struct parse_block *big;        /* one mapping per large block */
};
void *parse_alloc(void *data, size_t size);
void parse_free(void *data, void *ptr);
void parse_arena_free(struct parse_arena *a);
/* GRT_E_LIMIT if the wire format nests messages too deep to unpack safely,
 * GRT_E_PARSE if it breaks before that can be told. */
int check_nesting(const uint8_t *p, size_t len, char *err, size_t err_len);

/* runtime/model_function.c: every call of a model-local function in proto (an
 * Onnx__ModelProto whose memory is arena) replaced by a renamed copy of its
 * body, in the arena. *out (NULL if the model has no functions) tells which
 * opset a copied node binds to: function_node_opset() gives the version its
 * function imports for the node's domain, or dflt (any other node, x NULL). */
/* runtime/model_ops.c: grt_model_ops_file's walk over a parsed model (an
 * Onnx__ModelProto). */
int model_list_ops(const void *proto, grt_op_fn fn, void *ctx, char *err, size_t err_len);

struct fn_expansion;
int expand_functions(void *proto, struct parse_arena *arena, struct fn_expansion **out,
                     char *err, size_t err_len);
int function_node_opset(const struct fn_expansion *x, const void *node /* Onnx__NodeProto */,
                        int dflt);

/* runtime/model_convert.c: the parsed tree proto (an Onnx__ModelProto whose
 * memory is arena, functions expanded as fx says) into m, whose nodes are
 * then in file order. */
int model_convert(grt_model *m, const void *proto, struct parse_arena *arena,
                  const struct fn_expansion *fx, char *err, size_t err_len);

/* runtime/status.c */
void set_err(char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* runtime/tensor.c */
int tensor_from_proto(const void *proto /* Onnx__TensorProto */, struct mem_block **pool,
                      struct tensor *t, char *err, size_t err_len);

#endif

/* op.h - what an operator family sees: tensors, nodes, attributes, the
 * prepare/run contract, and the plan-time graph rewrite contract (at the
 * end). Every family file includes it; beyond it a family includes only its
 * own headers, ops/cpu.h for the kernels that exist per instruction set, and
 * the shared kernels it calls (ops/math/gemm.h, ops/math/mathfn.h).
 *
 * prepare() runs once per session at plan time: it validates inputs and
 * attributes, sets every present output's dtype and dims, may allocate
 * parameters with plan_alloc() and may ask for scratch memory. It can read the
 * data of an input only through op_const_input() (weights, constants and
 * folded values); a shape that needs any other value is GRT_E_DYNAMIC.
 * run() computes the outputs; it must not allocate or look anything up by
 * name, and it reports bad data (an index out of range) with op_fail().
 */
#ifndef OPS_OP_H
#define OPS_OP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "runtime/grt.h"

#define MAX_DIMS GRT_MAX_DIMS
#define OPSET_LATEST 1000

enum dtype {
	DT_UNDEFINED = GRT_UNDEFINED, DT_FLOAT = GRT_FLOAT, DT_UINT8 = GRT_UINT8,
	DT_INT8 = GRT_INT8, DT_UINT16 = GRT_UINT16, DT_INT16 = GRT_INT16,
	DT_INT32 = GRT_INT32, DT_INT64 = GRT_INT64, DT_STRING = GRT_STRING,
	DT_BOOL = GRT_BOOL, DT_FLOAT16 = GRT_FLOAT16, DT_DOUBLE = GRT_DOUBLE,
	DT_UINT32 = GRT_UINT32, DT_UINT64 = GRT_UINT64, DT_BFLOAT16 = GRT_BFLOAT16,
};

struct tensor {
	enum dtype dtype;
	int        ndim;
	int64_t    dims[MAX_DIMS];  /* row-major, contiguous */
	int64_t    numel;           /* product of dims (1 for a scalar) */
	size_t     nbytes;          /* numel * element size */
	void      *data;            /* arena + offset, constant storage, or weights */
	int        is_const;        /* value known at plan time */
	int        is_dynamic;      /* shape known only at run time: written by a
	                               dynamic node (struct node) */
	const char *name;           /* for messages only */
};

enum attr_type {
	ATTR_UNDEFINED = 0, ATTR_FLOAT = 1, ATTR_INT = 2, ATTR_STRING = 3,
	ATTR_TENSOR = 4, ATTR_GRAPH = 5, ATTR_FLOATS = 6, ATTR_INTS = 7,
	ATTR_STRINGS = 8, ATTR_TENSORS = 9, ATTR_GRAPHS = 10,
};

/* One value, by type (read it through attr_int() etc., which check the type). */
struct attr {
	const char     *name;
	enum attr_type  type;
	int             n;        /* FLOATS, INTS, STRINGS: entries */
	union {
		float           f;
		int64_t         i;
		struct {
			const char *s;    /* NUL-terminated copy of the bytes */
			size_t      s_len;
		};
		const float    *floats;   /* [n] */
		const int64_t  *ints;     /* [n] */
		const char *const *strings; /* [n] NUL-terminated copies */
		const struct tensor *t;   /* TENSOR: weights-like, owned by the model */
		const struct model_graph *g;  /* GRAPH: a subgraph, planned by the runtime */
	};
};

struct exec;
struct kernels;
struct half_node;
struct node;
struct model_graph;

struct op_def {
	const char *op_type;       /* ONNX name, verbatim */
	int since;                 /* first opset of this definition */
	int until;                 /* last opset it covers (OPSET_LATEST if current) */
	int (*prepare)(struct node *n, struct exec *x);
	int (*run)(struct node *n, struct exec *x);
	unsigned flags;            /* OP_* */
	/* Multiply-adds of one run of a prepared node; NULL: counted by the
	 * runtime as one per output element, or 0 with OP_MOVES_DATA. */
	int64_t (*macs)(const struct node *n);
};

/* The project's operator domain and its one version: ops that the planner
 * fuses subgraphs into, which models may also use directly (docs/OPERATORS.md).
 * ops/registry.c lists them in their own table. */
#define OP_DOMAIN "org.gtcrn-run"
#define OP_DOMAIN_VERSION 1

/* The op reads only the shapes of its inputs (Shape): it folds whenever the
 * shapes are known. */
#define OP_SHAPE_ONLY 1u
/* The op only moves, selects or relabels data (or computes shapes): it does
 * no arithmetic, so profilers count no multiply-adds for it. */
#define OP_MOVES_DATA 2u
/* The op's run() applies node->epi to output 0 (float only, layout [N, C, ...])
 * with op_epilogue(), so the planner may fuse a following activation into it. */
#define OP_EPILOGUE 4u
/* If, Loop, Scan and the steps they are planned into: the session plans
 * them itself (runtime/control.c); never folded, dropped or rewritten. */
#define OP_CONTROL 8u

/* An activation fused into the node that produces its input (ops/epilogue_fuse.c):
 * run() calls op_epilogue() on each finished run of output 0, while it is still
 * in cache. EPI_NONE: nothing to do. */
enum epi_kind { EPI_NONE, EPI_SIGMOID, EPI_TANH, EPI_PRELU, EPI_RELU };
struct epilogue {
	enum epi_kind kind;
	const float *slope;         /* EPI_PRELU: [C], one slope per channel (axis 1) */
	void (*fn)(float *o, const float *a, int64_t n);  /* sigmoid / tanh / relu variant */
};

/* A block of bytes a node copies: len bytes from src (into its input) to dst (into its
 * output 0). */
struct block_copy {
	size_t dst, src, len;
};

struct node {
	const struct op_def *op;
	const char *name;           /* node name, or "" */
	const char *op_type;
	int opset;                  /* opset of the node's domain in this model */
	int n_inputs;
	int n_outputs;
	struct tensor **inputs;     /* [n_inputs]; NULL for an omitted optional input */
	struct tensor **outputs;    /* [n_outputs]; NULL for an omitted optional output */
	const struct attr *attrs;   /* [n_attrs] */
	int n_attrs;
	void *params;               /* op-private, from plan_alloc() in prepare */
	size_t scratch_bytes;       /* prepare: scratch needed by run() */
	/* prepare sets view = 1 when output 0 holds exactly input 0's bytes
	 * (a relabelling: Reshape, Squeeze, a Transpose that keeps the order) or a
	 * contiguous part of them starting view_offset bytes in (a Slice or a
	 * Gather that selects one contiguous block);
	 * the planner may then alias the two and drop the node. It sets
	 * inplace = 1 when run() also works with output 0 sharing input 0's
	 * buffer (it must then skip copying input 0 onto itself). */
	int view;
	size_t view_offset;         /* view: bytes into input 0 where output 0 starts */
	int inplace;
	/* prepare may also describe an inplace node's writes (ScatterND with constant
	 * indices): run() makes output 0 a copy of input 0 (nothing to do in place), then
	 * copies these n_copies blocks of input copies_input over it, and reads nothing of
	 * input 0 where they land. The planner may then let an earlier node change those
	 * bytes of input 0 in place, and let input copies_input share output 0's buffer
	 * where every block would land on itself (run() must skip such a copy). */
	const struct block_copy *copies;
	int n_copies, copies_input;
	/* prepare sets bit k when it kept what run() needs of constant input k
	 * (resolved indices) and nothing reads that input after prepare, neither
	 * run() nor a graph rewrite (below): the planner frees a folded
	 * value as soon as only such readers are left. */
	unsigned baked;
	struct epilogue epi;        /* set by the fuse pass, OP_EPILOGUE ops only */
	/* 1: a shape it needs depends on a value known only at run time (an
	 * input's value, or an input of dynamic shape): the session prepares it
	 * at each run, every input then readable through op_const_input(), and
	 * allocates its outputs and scratch per run (runtime/session.c) */
	int dynamic;
	/* set by half_prepare (ops/half.h): the node's 2-byte floats are run by its
	 * float32 kernel, and run() hands the node to half_run() */
	struct half_node *half;
};

/* Execution context, plan time and run time. */
struct exec {
	void  *scratch;             /* run(): at least node->scratch_bytes, 64-aligned */
	char  *errmsg;              /* message buffer */
	size_t errlen;
	const struct tensor *dyn;   /* prepare: the tensor whose value was missing */
	struct plan_pool *pool;     /* prepare: plan-time allocations */
	/* the kernel table of this session's instruction set (ops/cpu.h), chosen once
	 * at session creation; prepare copies what its run() needs into the params */
	const struct kernels *kern;
	/* run(): the index in the run list of the step to run next (the run loop
	 * sets it to the following one; control steps of If and Loop change it) */
	int next;
};

/* --- helpers for ops (runtime/tensor.c, runtime/attr.c) --- */

size_t dtype_size(enum dtype dt);
const char *dtype_name(enum dtype dt);
int dtype_is_float(enum dtype dt);   /* float, double, float16, bfloat16 */

/* Sets dims/numel/nbytes; GRT_E_LIMIT on overflow or too many dims. */
int tensor_set_shape(struct tensor *t, enum dtype dt, int ndim, const int64_t *dims);
int64_t shape_numel(int ndim, const int64_t *dims);

/* Attributes by name; a missing attribute gives the default. A present
 * attribute of the wrong type is GRT_E_ATTR (with a message). */
const struct attr *node_attr(const struct node *n, const char *name);
int attr_int(struct node *n, struct exec *x, const char *name, int64_t def, int64_t *out);
int attr_float(struct node *n, struct exec *x, const char *name, float def, float *out);
int attr_string(struct node *n, struct exec *x, const char *name, const char *def,
                const char **out);
/* *out = NULL and *count = -1 when the attribute is absent. */
int attr_ints(struct node *n, struct exec *x, const char *name,
              const int64_t **out, int *count);
int attr_floats(struct node *n, struct exec *x, const char *name,
                const float **out, int *count);
int attr_strings(struct node *n, struct exec *x, const char *name,
                 const char *const **out, int *count);

/* Input i if present, else NULL. */
static inline struct tensor *op_input(const struct node *n, int i)
{
	return i < n->n_inputs ? n->inputs[i] : NULL;
}
static inline struct tensor *op_output(const struct node *n, int i)
{
	return i < n->n_outputs ? n->outputs[i] : NULL;
}

/* The value of input i at plan time: its data if constant, else NULL with
 * x->dyn set (return GRT_E_DYNAMIC via op_dynamic()). */
const void *op_const_input(struct node *n, struct exec *x, int i);
int op_dynamic(struct node *n, struct exec *x, int i, const char *what);

/* Reads an integer tensor (int32 or int64) as int64 into out[0..numel). */
int tensor_read_ints(const struct tensor *t, int64_t *out, int64_t max);

/* Formats "node 'NAME' (OpType): ..." into x->errmsg and returns code. */
int op_fail(const struct node *n, struct exec *x, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* y[i] = f(y[i]), i in [0, count), for channel c of output 0 (ops/epilogue.c).
 * Cheap when e->kind == EPI_NONE; callers may test it first. */
void op_epilogue(const struct epilogue *e, float *y, int64_t count, int64_t c);
/* Sets e to apply kind (with slope [C] for EPI_PRELU), with the sigmoid / tanh / relu
 * kernel the standalone ops use in this session (x->kern). */
void op_epilogue_set(struct epilogue *e, enum epi_kind kind, const float *slope,
                     const struct exec *x);

/* Checks the input/output count against [min, max]. */
int op_check_arity(struct node *n, struct exec *x, int min_in, int max_in,
                   int min_out, int max_out);
/* Checks input i's dtype is one of the list (terminated by DT_UNDEFINED). */
int op_check_dtype(struct node *n, struct exec *x, int i, const enum dtype *allowed);

/* Zeroed, 64-aligned plan-time memory owned by the session; NULL on OOM. */
void *plan_alloc(struct exec *x, size_t bytes);
/* plan_alloc for parameters that hold resources of their own (FFTW plans):
 * release(p) runs when the session gives the memory back (session end, a
 * folded node, a dynamic node's next run). */
void *plan_alloc_release(struct exec *x, size_t bytes, void (*release)(void *));

/* Normalises an axis in [-rank, rank) to [0, rank); GRT_E_ATTR otherwise. */
int op_axis(struct node *n, struct exec *x, int64_t axis, int rank, int *out);

/* --- numpy broadcasting (ops/broadcast.c) --- */

/* Output shape of a multidirectional broadcast of k tensors. */
int broadcast_shape(struct node *n, struct exec *x, const struct tensor *const *ts, int k,
                    int *ndim, int64_t *dims);
/* Element strides of t seen in an output of rank ndim and dims (0 on
 * broadcast axes). */
void broadcast_strides(const struct tensor *t, int ndim, const int64_t *dims,
                       int64_t *strides);

/* Float to integer without undefined behaviour (runtime/tensor.c): v
 * truncated toward zero and clamped to [lo, hi] (or [0, hi]); NaN gives 0. */
int64_t sat_int(double v, int64_t lo, int64_t hi);
uint64_t sat_uint(double v, uint64_t hi);

/* Element i of an array of dtype dt, as a double (tests, tools, messages). */
double elem_as_double(enum dtype dt, const void *p, int64_t i);
/* Element i of an integer array, sign-extended for signed types (else 0). */
uint64_t elem_as_bits(enum dtype dt, const void *p, int64_t i);
/* Stores v into element i: floats rounded, integers truncated and clamped. */
void elem_set_double(enum dtype dt, void *p, int64_t i, double v);
/* Stores the low bits of v into integer element i (wraps). */
void elem_set_bits(enum dtype dt, void *p, int64_t i, uint64_t v);
/* Elements [0, n) of an array of dtype dt as doubles (d [n]); and doubles into an
 * array of a floating-point dtype (float16 and bfloat16 rounded to nearest even). */
void elems_to_f64(enum dtype dt, const void *p, double *d, int64_t n);
void f64_to_floats(enum dtype dt, const double *d, void *p, int64_t n);

/* float16 / bfloat16 conversions (runtime/tensor.c) */
float half_to_float(uint16_t h);
uint16_t float_to_half(float f);
float bf16_to_float(uint16_t h);
uint16_t float_to_bf16(float f);

/* --- plan-time graph rewrites (ops/rewrite.c, driven by runtime/fuse.c) ---
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

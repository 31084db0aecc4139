/* grt.h - the gtcrn-run ONNX runtime: load an ONNX model, plan a session for
 * concrete input shapes, run it.
 *
 * Threads: a grt_model is immutable after load and may be shared by any number
 * of threads and sessions (sessions borrow its weights; free the model after
 * every session made from it). A grt_session is used by one thread at a time;
 * different sessions run concurrently. The library keeps no global mutable
 * state (but the one lock below, around FFTW's planner), never prints, never
 * exits or aborts.
 *
 * Errors: every fallible function returns GRT_OK (0) or a negative grt_status;
 * the codes are never renumbered. Functions that take an (err, err_len) buffer
 * write a one-line message there naming the node, op type or tensor at fault.
 */
#ifndef GRT_H
#define GRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(GRT_BUILDING) && defined(__GNUC__)
#define GRT_API __attribute__((visibility("default")))
#else
#define GRT_API
#endif

#define GRT_MAX_DIMS 8

typedef enum grt_status {
	GRT_OK = 0,
	GRT_E_NOMEM = -1,          /* out of memory */
	GRT_E_IO = -2,             /* file cannot be read */
	GRT_E_PARSE = -3,          /* bytes are not an ONNX protobuf message */
	GRT_E_INVALID_MODEL = -4,  /* parses, but breaks the ONNX spec */
	GRT_E_UNSUPPORTED = -5,    /* operator, opset, dtype or attribute we lack */
	GRT_E_CYCLE = -6,          /* the graph has a cycle */
	GRT_E_SHAPE = -7,          /* shapes do not fit (plan time) */
	GRT_E_DTYPE = -8,          /* element types do not fit */
	GRT_E_DYNAMIC = -9,        /* a shape depends on a value unknown at plan time */
	GRT_E_INDEX = -10,         /* an index tensor is out of range (run time) */
	GRT_E_ARG = -11,           /* bad argument to an API function */
	GRT_E_ATTR = -12,          /* attribute missing, mistyped or out of range */
	GRT_E_MISSING = -13,       /* a tensor the graph needs is not defined */
	GRT_E_LIMIT = -14,         /* a size exceeds what the runtime supports */
} grt_status;

/* Element types: the numbering of onnx.TensorProto.DataType. */
typedef enum grt_dtype {
	GRT_UNDEFINED = 0,
	GRT_FLOAT = 1,
	GRT_UINT8 = 2,
	GRT_INT8 = 3,
	GRT_UINT16 = 4,
	GRT_INT16 = 5,
	GRT_INT32 = 6,
	GRT_INT64 = 7,
	GRT_STRING = 8,           /* not supported as a tensor type */
	GRT_BOOL = 9,
	GRT_FLOAT16 = 10,
	GRT_DOUBLE = 11,
	GRT_UINT32 = 12,
	GRT_UINT64 = 13,
	GRT_BFLOAT16 = 16,
} grt_dtype;

/* A tensor the caller sees: contiguous, row-major, ONNX dimension order. */
typedef struct grt_value {
	grt_dtype dtype;
	int ndim;                          /* 0 = scalar */
	int64_t dims[GRT_MAX_DIMS];        /* -1 = dynamic (model info only) */
	void *data;                        /* NULL = shape only */
} grt_value;

typedef struct grt_model grt_model;
typedef struct grt_session grt_session;

GRT_API const char *grt_strerror(int status);
GRT_API const char *grt_dtype_name(grt_dtype dt);
GRT_API size_t grt_dtype_size(grt_dtype dt);   /* 0 if unsupported */
GRT_API int64_t grt_value_numel(const grt_value *v);
/* Element i (flat, row-major) of v->data as a double, for any supported
 * dtype (float16 and bfloat16 widened, integers converted; 0 for others):
 * for comparing and printing values whatever their type. */
GRT_API double grt_value_element(const grt_value *v, int64_t i);

/* --- model ------------------------------------------------------------- */

GRT_API int grt_model_load_file(const char *path, grt_model **out,
                                char *err, size_t err_len);
/* The buffer is not kept: it may be freed when this returns. */
GRT_API int grt_model_load_buffer(const void *buf, size_t len, grt_model **out,
                                  char *err, size_t err_len);
GRT_API void grt_model_free(grt_model *m);           /* accepts NULL */

GRT_API int grt_model_n_inputs(const grt_model *m);
GRT_API int grt_model_n_outputs(const grt_model *m);
/* Name, dtype and declared shape (-1 for a dynamic dim). dim_names, if not
 * NULL, is an array of GRT_MAX_DIMS entries that receives each dim's symbolic
 * name, or NULL. Strings live as long as the model. */
GRT_API int grt_model_input(const grt_model *m, int i, const char **name,
                            grt_value *info, const char **dim_names);
GRT_API int grt_model_output(const grt_model *m, int i, const char **name,
                             grt_value *info, const char **dim_names);
GRT_API int grt_model_find_input(const grt_model *m, const char *name);  /* index or -1 */
GRT_API int grt_model_find_output(const grt_model *m, const char *name);

GRT_API int grt_model_n_nodes(const grt_model *m);
GRT_API int64_t grt_model_ir_version(const grt_model *m);
GRT_API int grt_model_opset(const grt_model *m);     /* default domain */
GRT_API int grt_model_n_metadata(const grt_model *m);
GRT_API int grt_model_metadata_at(const grt_model *m, int i,
                                  const char **key, const char **value);
GRT_API const char *grt_model_metadata(const grt_model *m, const char *key); /* NULL if absent */

/* The operators a model file uses, without loading it (so also for a model this
 * build cannot run): every (domain, op_type) of its graph, the graphs nested in
 * its nodes and its model-local functions, once each, sorted by domain then
 * op_type. opset is the version the model (or the function) imports for the
 * domain; available is 1 when this build's registry has the operator at that
 * opset or the model defines it as a function (configure --with-ops builds
 * carry a subset). fn is called for each, with strings that live until it
 * returns. */
typedef struct {
	const char *domain;         /* "" for the ONNX domain */
	const char *op_type;
	int opset;
	int count;                  /* nodes of this type */
	int available;
	int is_function;            /* a model-local function */
} grt_op_info;
typedef void (*grt_op_fn)(void *ctx, const grt_op_info *op);
GRT_API int grt_model_ops_file(const char *path, grt_op_fn fn, void *ctx, char *err,
                               size_t err_len);

/* --- session ------------------------------------------------------------ */

/* Options for grt_session_create; a NULL options pointer or zeroed fields
 * mean defaults. */
typedef struct grt_session_opts {
	/* n_inputs entries in model input order, or NULL: the declared shapes
	 * (which must then be static). inputs[i].dtype must equal the declared
	 * dtype. If inputs[i].data is non-NULL, that input is fixed: its value is
	 * copied at creation, constant-folded, and it cannot be set later. */
	const grt_value *inputs;
	int n_inputs;
	unsigned flags;                    /* GRT_SESSION_* */
	/* Refuse (GRT_E_LIMIT, with the sizes in the message) a plan whose arena,
	 * scratch and plan-time constants (folded values) would exceed this many
	 * bytes, before allocating them. 0 = GRT_DEFAULT_MAX_BYTES; SIZE_MAX = no
	 * limit. */
	size_t max_bytes;
	/* Bit i set: the run may overwrite input i (i < 64) once it has read it,
	 * so nodes can work in its buffer. For streaming caches that are fed
	 * back: the matching output may then share the input's buffer (compare
	 * the pointers and skip the copy). Other inputs keep their values. */
	uint64_t scratch_inputs;
} grt_session_opts;

#define GRT_DEFAULT_MAX_BYTES ((size_t)1 << 30)   /* 1 GiB */

#define GRT_SESSION_NO_FOLD 1u          /* debugging: do not fold constants */
#define GRT_SESSION_PLAN_ONLY 2u        /* plan and report stats; allocate no arena, cannot run */
#define GRT_SESSION_NO_ALIAS 4u         /* debugging: run views (Reshape...) as copies */
#define GRT_SESSION_NO_INPLACE 8u       /* debugging: no in-place outputs */
#define GRT_SESSION_NO_FUSE 16u         /* debugging: keep decomposed subgraphs (LayerNorm) */
#define GRT_SESSION_NO_FOLD_BN 32u      /* debugging: keep BatchNormalization after Conv */
#define GRT_SESSION_NO_EPILOGUE 64u     /* debugging: keep activations (Sigmoid, Tanh,
                                         * Relu, PRelu) as nodes, not in their producer's
                                         * kernel */
#define GRT_SESSION_PORTABLE 128u       /* testing: the portable kernels even where the CPU
                                         * has faster ones (AVX2): compare against them */
#define GRT_SESSION_STATIC 256u         /* refuse (GRT_E_DYNAMIC) a node whose output shape
                                         * depends on a value known only at run time,
                                         * instead of preparing it at each run: a session
                                         * that must never allocate while it runs */

GRT_API int grt_session_create(const grt_model *m, const grt_session_opts *opts,
                               grt_session **out, char *err, size_t err_len);
GRT_API void grt_session_free(grt_session *s);        /* accepts NULL */

/* Where to write input i before grt_session_run (dims and a writable data
 * pointer; fixed inputs have data = NULL). Inputs keep their values through
 * a run, except those named in opts.scratch_inputs. Pointers stay valid for
 * the session's life. */
GRT_API int grt_session_input(grt_session *s, int i, grt_value *out);
/* Output i: its dims and data pointer. Input and output pointers stay fixed
 * for the session's life (except outputs of dynamic nodes, see
 * grt_session_stats.n_nodes_dynamic: ask again after each run); an output
 * holds the values of the last run, and the next run overwrites them. */
GRT_API int grt_session_output(grt_session *s, int i, grt_value *out);
/* Runs the planned graph. No allocation, no string lookups (unless the plan
 * has dynamic nodes: grt_session_stats.n_nodes_dynamic). On failure the
 * message is in grt_session_errmsg(). */
GRT_API int grt_session_run(grt_session *s);
GRT_API const char *grt_session_errmsg(const grt_session *s);

typedef struct grt_session_stats {
	int n_nodes_model;      /* nodes in the file */
	int n_nodes_planned;    /* nodes left to run after folding and dead-node removal */
	int n_nodes_folded;     /* nodes evaluated at plan time */
	int n_nodes_dead;       /* nodes removed because no output needs them */
	int n_nodes_aliased;    /* views dropped: their output shares the input's buffer */
	int n_nodes_inplace;    /* nodes that write into their input's buffer */
	int n_nodes_fused;      /* nodes that plan-time rewrites replaced: merged
	                           into a fused kernel, folded into another node's
	                           weights, or made a layout or epilogue of another
	                           node (docs/OPERATORS.md); 0 with the
	                           GRT_SESSION_NO_FUSE, NO_FOLD_BN and NO_EPILOGUE
	                           flags. A figure to compare plans by, not a
	                           count of nodes removed. */
	size_t arena_bytes;     /* one arena for every intermediate, input and output */
	size_t scratch_bytes;   /* largest per-node scratch buffer */
	size_t const_bytes;     /* plan-time tensors owned by the session */
	/* Appended (never reorder): with the counts above, every node of the
	 * file is in one category: n_nodes_model = n_nodes_folded + n_nodes_dead
	 * + n_nodes_rewritten_away + n_nodes_aliased + n_nodes_empty
	 * + n_nodes_planned (n_nodes_inplace counts some of the planned). */
	int n_nodes_rewritten_away; /* nodes the plan-time rewrites removed from the plan */
	int n_nodes_empty;      /* nodes dropped because all their outputs have 0 elements */
	/* Of the planned nodes: those whose output shapes depend on values known
	 * only at run time (NonZero, a Reshape to a computed shape, what reads
	 * their outputs...). Each run prepares them again and allocates their
	 * outputs from a per-session pool under max_bytes (given back at the next
	 * run): with any, grt_session_run allocates, and the dims and data of an
	 * output they write are valid only until the next run. 0 with
	 * GRT_SESSION_STATIC. */
	int n_nodes_dynamic;
} grt_session_stats;

GRT_API int grt_session_stats_get(const grt_session *s, grt_session_stats *st);

/* The planned nodes, in run order (for profilers and tools). */
typedef struct grt_node_info {
	const char *name;        /* as in the file (may be "") */
	const char *op_type;
	const char *output;      /* name of its first present output */
	int64_t macs;            /* multiply-adds per run (arithmetic ops; 0 for data movement) */
} grt_node_info;

GRT_API int grt_session_n_planned(const grt_session *s);
GRT_API int grt_session_node(const grt_session *s, int i, grt_node_info *info);
/* grt_session_run that also adds each node's wall time, in nanoseconds, to
 * ns[i] (ns has grt_session_n_planned() entries). */
GRT_API int grt_session_run_profiled(grt_session *s, uint64_t *ns);

/* --- tensor files -------------------------------------------------------- */

/* Reads a serialized onnx.TensorProto (the .pb files of ONNX test data sets).
 * On success v->data is malloc'ed (free with grt_value_free); *name, if
 * non-NULL, gets a malloc'ed copy of the tensor's name (may be empty). */
GRT_API int grt_tensor_load_file(const char *path, grt_value *v, char **name,
                                 char *err, size_t err_len);
GRT_API void grt_value_free(grt_value *v);

/* --- FFTW ---------------------------------------------------------------- */

/* FFTW's planner is one per process and not thread-safe (executing a plan
 * is). Sessions make and destroy their FFTW plans (DFT and STFT nodes) holding
 * this lock; other code of the process that plans with FFTW (libgtcrn does)
 * holds it around its own planner calls (fftw*_plan_*, fftw*_destroy_plan). */
GRT_API void grt_fftw_planner_lock(void);
GRT_API void grt_fftw_planner_unlock(void);

#ifdef __cplusplus
}
#endif
#endif

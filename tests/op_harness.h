/* op_harness.h - run one operator directly (prepare + run) without a model,
 * and check its output tensors, for the per-family unit tests
 * (tests/check_ops_*.c, tests/check_mathfn.c). Builds on tests/check_util.h. */
#ifndef TESTS_OP_HARNESS_H
#define TESTS_OP_HARNESS_H

#include <check.h>
#include "runtime/internal.h"
#include "tests/check_util.h"

/* Literal arrays for inputs, dims and expected values. */
#define DIMS(...) ((const int64_t[]){ __VA_ARGS__ })
#define I64(...) ((const int64_t[]){ __VA_ARGS__ })
#define I32(...) ((const int32_t[]){ __VA_ARGS__ })
#define I16(...) ((const int16_t[]){ __VA_ARGS__ })
#define I8(...) ((const int8_t[]){ __VA_ARGS__ })
#define U8(...) ((const uint8_t[]){ __VA_ARGS__ })
#define U16(...) ((const uint16_t[]){ __VA_ARGS__ })
#define F32(...) ((const float[]){ __VA_ARGS__ })
#define F64(...) ((const double[]){ __VA_ARGS__ })

#define H_MAX_T 16
#define H_MAX_ATTR 16

struct harness {
	struct node n;
	struct exec x;
	struct plan_pool pool;
	struct tensor t[H_MAX_T];
	int n_t;
	struct tensor *in[H_MAX_T];
	struct tensor *out[H_MAX_T];
	struct attr attrs[H_MAX_ATTR];
	char err[512];
};

/* Sets up a node of op_type at opset; the op is found in the registry
 * (h->n.op is NULL if none covers that opset). */
void h_init(struct harness *h, const char *op_type, int opset);
/* Adds an input; data is copied (may be NULL for a shape-only input). */
struct tensor *h_input(struct harness *h, enum dtype dt, int ndim, const int64_t *dims,
                       const void *data, int is_const);
void h_input_none(struct harness *h);           /* omitted optional input ("") */
void h_output(struct harness *h);               /* adds a requested output */
void h_output_none(struct harness *h);          /* omitted optional output ("") */
void h_attr_int(struct harness *h, const char *name, int64_t v);
void h_attr_float(struct harness *h, const char *name, float v);
void h_attr_string(struct harness *h, const char *name, const char *s);
void h_attr_ints(struct harness *h, const char *name, int n, const int64_t *v);
void h_attr_floats(struct harness *h, const char *name, int n, const float *v);
void h_attr_strings(struct harness *h, const char *name, int n, const char *const *v);
/* prepare, then allocate outputs and scratch, then run. Returns the status;
 * the message is in h->err. */
int h_run(struct harness *h);
void h_free(struct harness *h);

/* Check assertions (call from a Check test). */
double h_value(enum dtype dt, const void *p, int64_t i);   /* element i as double */
/* h_run must succeed (expect_ok, named by the op type). */
void h_run_ok(struct harness *h);
/* h_run must fail with code and a message that contains substr (expect_error,
 * named by the op type). */
void h_run_err(struct harness *h, int code, const char *substr);
/* Output k has dtype dt, the shape (ndim, dims) and, unless want is NULL,
 * exactly the elements of want (bit for bit). */
void h_expect_out(struct harness *h, int k, enum dtype dt, int ndim, const int64_t *dims,
                  const void *want);

/* Error tables: one row per bad node, iterated by one loop test
 * ({ "errors", test, 0, N_ELEMS(table) } in the suite table):
 *     START_TEST(conv_errors) { h_expect_case(&conv_errors_table[_i], NULL); } END_TEST
 * Inputs run until the first with dt DT_UNDEFINED that is not omitted,
 * attributes until the first without a name. */
struct h_in {
	enum dtype dt;
	int ndim;
	const int64_t *dims;         /* ndim values */
	const void *data;            /* NULL: shape only */
	int is_const;
	int omitted;                 /* 1: an omitted optional input ("") */
};
struct h_at {
	const char *name;
	enum attr_type type;         /* ATTR_INT, _FLOAT, _STRING, _INTS or _STRINGS */
	int64_t i;
	float f;
	const char *s;
	int n;                       /* ATTR_INTS, ATTR_STRINGS: n values */
	const int64_t *ints;
	const char *const *strings;
};
/* An h_in: a constant 1-D int64 input holding the values. */
#define CONST_I64(...) { DT_INT64, 1, DIMS(N_ELEMS(I64(__VA_ARGS__))), I64(__VA_ARGS__), 1 }

struct h_case {
	const char *name;            /* names the row in a failure */
	const char *op_type;
	int opset;
	struct h_in in[8];          /* LSTM has 8 inputs */
	struct h_at at[3];
	int n_out;                   /* requested outputs; 0 means 1 */
	int code;                    /* the status h_run must return */
	const char *msg;             /* a substring of its message */
	const char *domain;          /* NULL: the ONNX domain; else e.g. OP_DOMAIN */
};
/* Sets h up as case c describes (h_init, inputs, attributes, outputs). */
void h_build(struct harness *h, const struct h_case *c);
/* Builds and runs case c: the status must be c->code and the message must
 * contain c->msg and, unless NULL, also (expect_error, named by c->name). */
void h_expect_case(const struct h_case *c, const char *also);

/* Tensor t (float) has n elements, each within atol + rtol * |exp[i]| of exp;
 * a failure names what[index], got and expected. */
void expect_f32(const struct tensor *t, const float *exp, int64_t n, double atol,
                double rtol, const char *what);
/* The same for a double tensor, within atol. */
void expect_f64(const struct tensor *t, const double *exp, int64_t n, double atol,
                const char *what);
/* t has rank ndim and the dimensions dims. */
void expect_dims(const struct tensor *t, int ndim, const int64_t *dims);

/* Inputs and references. */
extern uint32_t rng_state;                  /* seed of frand() */
float frand(void);                          /* uniform in [-1, 1) */
void fill(float *v, int64_t n, float scale);   /* v[i] = scale * frand() */
/* Y = A B for one [m,k] x [k,n] matrix, in double. */
void ref_gemm(const float *a, const float *b, float *y, int64_t m, int64_t k, int64_t n);
/* Error of got in ulps of the float nearest ref; the logistic in double. */
double ulps(float got, double ref);
double ref_sigmoid(double x);

#endif

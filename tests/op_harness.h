/* op_harness.h - run one operator directly (prepare + run) without a model,
 * for the per-family unit tests (tests/check_ops_*.c). */
#ifndef TESTS_OP_HARNESS_H
#define TESTS_OP_HARNESS_H

#include <check.h>
#include "runtime/internal.h"

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
void h_run_ok(struct harness *h);                           /* h_run must succeed */
/* h_run must fail with code and a message that contains substr. */
void h_run_err(struct harness *h, int code, const char *substr);
/* Output k has dtype dt, the shape (ndim, dims) and, unless want is NULL,
 * exactly the elements of want (bit for bit). */
void h_expect_out(struct harness *h, int k, enum dtype dt, int ndim, const int64_t *dims,
                  const void *want);

/* One suite per op type: the values, shapes, errors and opsets test cases, each
 * a NULL-terminated list (TESTS(...)) or NULL to skip the group. */
Suite *h_suite(const char *name, const TTest *const *values, const TTest *const *shapes,
               const TTest *const *errors, const TTest *const *opsets);
#define TESTS(...) ((const TTest *const[]){ __VA_ARGS__, NULL })

#endif

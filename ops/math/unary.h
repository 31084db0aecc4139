/* unary.h - the unary elementwise ops (ops/math/unary.c): one row each in unary_table,
 * sorted by op_type like ops/registry.c's op_table, which op_lookup() searches with it
 * (tests/check_runtime.c checks the order and that no op_type is in both). */
#ifndef OPS_UNARY_H
#define OPS_UNARY_H

#include <stddef.h>
#include "ops/op.h"

/* The element types a row accepts (bits of unary_def.types). */
enum unary_types {
	UT_FLOAT = 1,               /* float, double, float16, bfloat16 */
	UT_SINT = 2,                /* int8 .. int64 */
	UT_UINT = 4,                /* uint8 .. uint64 */
	UT_BOOL = 8,
	UT_BOOL_OUT = 16,           /* the output is bool (IsNaN, IsInf) */
};

#define UNARY_MAX_ATTRS 2

struct unary_def {
	struct op_def op;          /* first member: the registry hands out &row->op */
	float (*f)(float);         /* float, and float16 / bfloat16 computed in float */
	double (*d)(double);       /* double (and every float type of a UT_BOOL_OUT row) */
	/* float arrays, the fastest form first: kern, offsetof(struct kernels, member)
	 * of this session's kernel (ops/cpu.h), or 0; else f32_n; else f per element */
	size_t kern;
	void (*f32_n)(float *o, const float *a, int64_t n);
	/* ops with attributes: attrs() reads them at plan time into k[UNARY_MAX_ATTRS]
	 * (float_attrs: the float attributes named an[] with defaults ad[]) and dk
	 * computes every float type in double from them, instead of f and d */
	int (*attrs)(struct node *n, struct exec *x, double *k);
	double (*dk)(double v, const double *k);
	const char *an[UNARY_MAX_ATTRS];
	float ad[UNARY_MAX_ATTRS];
	int64_t (*i)(int64_t v);   /* signed integers and bool (0 or 1 in and out) */
	uint64_t (*u)(uint64_t v); /* unsigned integers */
	unsigned types;            /* UT_*; 0 means UT_FLOAT */
};

extern const struct unary_def unary_table[];
extern const int unary_table_len;

#endif

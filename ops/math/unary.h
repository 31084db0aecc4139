/* unary.h - the unary elementwise ops (ops/math/unary.c): one row each in unary_table,
 * sorted by op_type like ops/registry.c's op_table, which op_lookup() searches with it
 * (tests/check_runtime.c checks the order and that no op_type is in both). */
#ifndef OPS_UNARY_H
#define OPS_UNARY_H

#include <stddef.h>
#include "ops/op.h"

struct unary_def {
	struct op_def op;          /* first member: the registry hands out &row->op */
	float (*f)(float);         /* float (and float16 / bfloat16, widened: ops/half.h) */
	double (*d)(double);       /* double */
	/* float arrays, the fastest form first: kern, offsetof(struct kernels, member)
	 * of this session's kernel (ops/cpu.h), or 0; else f32_n; else f per element */
	size_t kern;
	void (*f32_n)(float *o, const float *a, int64_t n);
};

extern const struct unary_def unary_table[];
extern const int unary_table_len;

#endif

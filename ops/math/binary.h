/* binary.h - the row kernels of the binary elementwise ops (ops/math/binary_kernels.c), for
 * ops/math/elementwise.c: one table per op, indexed by enum dtype (NULL: type not
 * supported). */
#ifndef OPS_BINARY_H
#define OPS_BINARY_H

#include "ops/op.h"

#define N_DT (DT_BFLOAT16 + 1)  /* kernel tables are indexed by enum dtype */

/* One row: o[i] = a[i] op b[i] (vv), a[i] op b[0] (vs), a[0] op b[i] (sv).
 * o may be a (in place: same index read then written), so neither is restrict. */
typedef void (*row_fn)(void *o, const void *a, const void *restrict b, int64_t n);
struct row_fns { row_fn vv, vs, sv; };

extern const struct row_fns *const binary_add[N_DT], *const binary_sub[N_DT],
	*const binary_mul[N_DT], *const binary_div[N_DT], *const binary_equal[N_DT],
	*const binary_prelu[N_DT], *const binary_pow[N_DT];
/* ops/math/compare_kernels.c */
extern const struct row_fns *const binary_less[N_DT], *const binary_greater[N_DT],
	*const binary_less_equal[N_DT], *const binary_greater_equal[N_DT],
	*const binary_max[N_DT], *const binary_min[N_DT], *const binary_and[N_DT],
	*const binary_or[N_DT], *const binary_xor[N_DT];
/* Pow(x, 2) for float: x * x */
extern const struct row_fns *const binary_square_f32;

#endif

/* sparse.h - products with a constant float matrix B [k][n] that is mostly zeros (the
 * ERB filterbanks of speech models: GTCRN's two are 3% nonzero), over B's nonzeros only.
 * B is kept as runs of consecutive nonzeros, along its columns (each Y element is then
 * a sum of short dot products) or along its rows (each row of A scales short runs into
 * a row of Y), whichever makes fewer runs.
 *
 * The sums are gemm_f32_run's (ops/math/gemm.h) without fused multiply-adds: every
 * element's over p = 0..k-1 in order from 0, less the terms whose B element is zero.
 * Such a term adds +-0 to a sum that is never -0, so it changes nothing, provided A is
 * finite: an infinity or NaN times zero is NaN. sparse_product() then returns 0 and
 * the caller runs the full product. */
#ifndef OPS_MATH_SPARSE_H
#define OPS_MATH_SPARSE_H

#include <stdint.h>

struct exec;

struct sparse_b {
	int64_t k, n;
	int by_rows;             /* 1: runs along B's rows; 0: along its columns */
	int64_t lines;           /* n columns or k rows */
	const int64_t *line;     /* [lines + 1] the runs of line i are [line[i], line[i + 1]) */
	const int64_t *start;    /* [runs] first row (along columns) or column of a run */
	const int64_t *val;      /* [runs + 1] the run's values are vals[val[r] .. val[r + 1]) */
	const float *vals;       /* [nonzeros] */
};

/* Below one nonzero in SPARSE_RATIO, a product over B's nonzeros (scalar, by index)
 * beats the vector product over all of B. */
#define SPARSE_RATIO 16

/* Plans B [k][n] (row-major) into sb (plan_alloc'd) when it has at most k n /
 * SPARSE_RATIO nonzeros: 1; not sparse enough: 0 (sb untouched); out of plan memory:
 * a negative GRT_E_ code. */
int sparse_plan(struct sparse_b *sb, const float *b, int64_t k, int64_t n, struct exec *x);

/* Y[m][n] = A[m][k] B (A row-major, rows a_rs apart; Y rows n apart): 1; A holds an
 * infinity or NaN: 0, nothing written. */
int sparse_product(const struct sparse_b *sb, const float *a, int64_t a_rs, int64_t m,
                   float *y);

#endif

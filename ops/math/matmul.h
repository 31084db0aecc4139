/* matmul.h - numpy matmul's shapes (ops/math/matmul.c), for MatMul and the products
 * that follow its broadcasting (MatMulInteger, QLinearMatMul: ops/quantization/qmatmul.c). */
#ifndef OPS_MATMUL_H
#define OPS_MATMUL_H

#include <stdint.h>
#include "ops/op.h"

struct matmul_shape {
	int64_t m, k, n;          /* per batch: A [m,k], B [k,n], Y [m,n] */
	int64_t n_batch;          /* products (0 when Y is empty) */
	const int64_t *a_off;     /* [n_batch] element offset of each batch's A matrix */
	const int64_t *b_off;     /* [n_batch] element offset of each batch's B matrix */
};

/* Checks a and b (1-D operands promoted, batch dims broadcast), sets y's shape with
 * dtype ydt and s. fold_ok: batches of A that share one B may become one product of
 * n_batch * m rows (m then counts them all). */
int matmul_shape(struct node *n, struct exec *x, const struct tensor *a,
                 const struct tensor *b, struct tensor *y, enum dtype ydt, int fold_ok,
                 struct matmul_shape *s);

#endif

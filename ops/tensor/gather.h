/* gather.h - what the index ops share (ops/tensor/gather.c: Gather, GatherND, ScatterND;
 * ops/tensor/elements.c: GatherElements, ScatterElements): index reading and the
 * scatter reductions. */
#ifndef OPS_TENSOR_GATHER_H
#define OPS_TENSOR_GATHER_H

#include <stdint.h>
#include "ops/op.h"

/* Reads element i of an int32/int64 index tensor. */
static inline int64_t index_at(const struct tensor *t, int64_t i)
{
	return t->dtype == DT_INT64 ? ((const int64_t *)t->data)[i]
	                            : ((const int32_t *)t->data)[i];
}

enum scatter_reduction { RED_NONE, RED_ADD, RED_MUL, RED_MAX, RED_MIN };

/* The 'reduction' attribute of ScatterND / ScatterElements: none before opset 16,
 * none/add/mul from 16, max/min from 18. */
int scatter_reduction_attr(struct node *n, struct exec *x, enum scatter_reduction *out);

/* dst[i] = dst[i] (red) src[i], i in [0, count), elements of type dt (bool: add and
 * max are "or", mul and min "and"; float16/bfloat16 computed in float). */
void scatter_reduce_elems(enum dtype dt, void *dst, const void *src, int64_t count,
                          enum scatter_reduction red);

#endif

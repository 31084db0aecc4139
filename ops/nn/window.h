/* window.h - the geometry that sliding-window operators share (Conv and ConvTranspose,
 * ops/nn/conv_plan.c; the pools, ops/nn/pool.c): their spatial attributes
 * (kernel_shape, strides, dilations, pads, auto_pad) and, per spatial axis, the
 * output size and begin pad, with the pools' ceil_mode. */
#ifndef OPS_WINDOW_H
#define OPS_WINDOW_H

#include <stdint.h>
#include "ops/op.h"

/* Strides, dilations, kernel sizes and pads beyond this are refused: far past any
 * real model, and small enough that no size arithmetic on them can overflow (a dim
 * is at most 2^40, a product of two such terms stays under 2^57). */
#define WINDOW_ATTR_MAX ((int64_t)1 << 16)
#define WINDOW_SHAPE_MAX ((int64_t)1 << 40)

enum auto_pad { PAD_NOTSET, PAD_SAME_UPPER, PAD_SAME_LOWER, PAD_VALID };

/* The spatial attributes of a node with nsp spatial axes; absent ones take their
 * defaults (kernel 1, stride 1, dilation 1, pads 0, NOTSET). */
struct window_attrs {
	enum auto_pad ap;
	int has_k;                  /* kernel_shape was given */
	int has_pads;
	int64_t k[GRT_MAX_DIMS];        /* [nsp] kernel_shape */
	int64_t stride[GRT_MAX_DIMS];   /* [nsp] */
	int64_t dil[GRT_MAX_DIMS];      /* [nsp] */
	int64_t pads[2 * GRT_MAX_DIMS]; /* [2 * nsp]: begins, then ends */
};

/* X is (N, C, D1, ...) with 1 to max_sp spatial axes. */
int window_rank(struct node *n, struct exec *x, const struct tensor *X, int max_sp);

/* floor(a / b) for b > 0. */
int64_t window_floor_div(int64_t a, int64_t b);

/* The j in [0, n_j) with 0 <= j * s + off < n_p, as [*lo, *hi): the outputs (or,
 * for ConvTranspose, inputs) whose tap at offset off lands inside n_p. */
void window_tap_range(int64_t n_j, int64_t n_p, int64_t s, int64_t off, int64_t *lo,
                      int64_t *hi);

/* Reads INTS attribute `name` of `want` values, each in [min, WINDOW_ATTR_MAX]
 * (WINDOW_SHAPE_MAX for output_shape), into out; *present = 0 and out = def when
 * absent. */
int window_ints(struct node *n, struct exec *x, const char *name, int want, int64_t min,
                int64_t def, int64_t *out, int *present);

/* Reads auto_pad, kernel_shape, strides, dilations and pads; refuses nonzero pads
 * together with an auto_pad other than NOTSET. */
int window_attrs(struct node *n, struct exec *x, int nsp, struct window_attrs *w);

/* Output size and begin pad of spatial axis a of a window that slides over the
 * input: in + pads, minus the dilated kernel, over the stride, rounded down (up
 * with ceil_mode, where the last window must still start inside the input or its
 * begin pad); SAME_UPPER / SAME_LOWER: ceil(in / s), the extra pad at the end /
 * start. */
int window_axis(struct node *n, struct exec *x, int a, int nsp, const struct window_attrs *w,
                int ceil_mode, int64_t in, int64_t *out, int64_t *pad);

#endif

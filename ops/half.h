/* half.h - float16 and bfloat16 through the float32 kernels (ops/half.c). A node
 * whose float tensors are 2-byte floats is prepared and run as a float32 node:
 * prepare widens its constant 2-byte inputs once (plan memory) and prepares a
 * float32 copy of the node; run widens the other 2-byte inputs into scratch,
 * runs the float32 kernel on the copy and narrows its float outputs. An op
 * opts in with one line at the top of each of its two functions:
 *     prepare: if (half_wanted(n)) return half_prepare(n, x, same_prepare);
 *     run:     if (n->half) return half_run(n, x, same_run);
 * Plan-time rewrites see the node's real (2-byte) dtypes and decline it. */
#ifndef OPS_HALF_H
#define OPS_HALF_H

#include "ops/op.h"

struct kernels;

/* One input or output of the node, as the float32 copy sees it. */
struct half_io {
	struct tensor f32;          /* the stand-in: same dims, float (or the real dtype) */
	enum { HALF_PASS, HALF_CONST, HALF_WIDEN, HALF_NARROW } mode;
	size_t off;                 /* WIDEN, NARROW: bytes into the node's scratch */
};

struct half_node {
	struct node inner;          /* the node with float32 stand-ins; its own params, scratch */
	struct half_io *in;         /* [n_inputs]; PASS: inner reads the real tensor */
	struct half_io *out;        /* [n_outputs]; PASS: a non-float output, same storage */
	size_t inner_scratch;       /* bytes into the node's scratch where inner's starts */
	const struct kernels *kern; /* the session's table: its float16 conversions */
};

/* Some input of n is float16 or bfloat16. */
int half_wanted(const struct node *n);
/* Prepares n through prepare on a float32 copy; sets n->half, n->params (the
 * copy's, so macs() sees them), n->scratch_bytes and the outputs: a float
 * output of the copy is the first 2-byte input's type, the rest as the copy's. */
int half_prepare(struct node *n, struct exec *x, int (*prepare)(struct node *, struct exec *));
/* Widens, runs the float32 copy through run, narrows. */
int half_run(struct node *n, struct exec *x, int (*run)(struct node *, struct exec *));

/* Array conversions of dt (float16 or bfloat16), dst[i] = src[i] for i < count
 * (rounded to nearest even), float16 through the table k's kernels. */
void half_widen(const struct kernels *k, float *dst, const uint16_t *src, int64_t count,
                enum dtype dt);
void half_narrow(const struct kernels *k, uint16_t *dst, const float *src, int64_t count,
                 enum dtype dt);

#endif

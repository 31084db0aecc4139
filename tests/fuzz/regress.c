/* regress.c - the model inputs that crashed or hung the runtime under
 * fuzz_load and fuzz_mutate (issue 5), rebuilt with tests/modelgen.c:
 * the same graphs, shapes and attributes as the fuzzers' files, so the
 * replayers run them in memory at every `make check` (fuzz.h). Weights the
 * crashes did not depend on are the seeds' (seeds.c). A new crash input is
 * written here the same way once its bug is fixed. */
#include <stdio.h>
#include "tests/fuzz/fuzz.h"
#include "tests/modelgen.h"

#define BIG INT64_MAX

/* A 0 dim let huge dims through the size check: Transpose's stride
 * products overflowed (tensor_set_shape now bounds the non-zero dims). */
static void empty_tensor_huge_dims(fuzz_seed_fn fn, void *ctx)
{
	static const int64_t dx[3] = { 0, BIG, 2 }, dy[3] = { 2, BIG, 0 }, perm[3] = { 2, 1, 0 };
	struct mg *g = mg_new(7, 13);
	int n;

	mg_input_values(g, "x", 1, 3, dx);
	mg_output(g, "y", 1, 3, dy);
	n = mg_node(g, "Transpose", "t", "x", "y");
	mg_attr_ints(g, n, "perm", 3, perm);
	fuzz_emit(g, "empty-tensor-huge-dims.onnx", fn, ctx);
}

/* seeds.c's conv_prelu, mutated: the Conv with pads[1] = INT64_MAX, then a
 * Conv of its output by itself as weight. x: its input dims. */
static void conv_mutant(fuzz_seed_fn fn, void *ctx, const char *name, const int64_t dx[4],
                        const int64_t pads[4], int slope_dtype, const int64_t slope_dims[3])
{
	static const int64_t dw[4] = { 3, 2, 3, 3 }, db[1] = { 3 }, dy[4] = { 1, 3, 4, 5 };
	static const float b[3] = { 0.1f, 0.2f, 0.3f }, slope[6] = { 0.25f, 0.25f, 0.1f };
	struct mg *g = mg_new(7, 13);
	float w[54];
	int n;

	for (int i = 0; i < 54; i++)
		w[i] = (float)((i * 7) % 11 - 5) / 10;
	mg_input_values(g, "x", 1, 4, dx);
	mg_output(g, "y", 1, 4, dy);
	mg_init(g, "w", 1, 4, dw, w);
	mg_init(g, "b", 1, 1, db, b);
	mg_init(g, "slope", slope_dtype, 3, slope_dims, slope);   /* unused by the graph */
	n = mg_node(g, "Conv", "conv", "x,w,b", "c");
	mg_attr_ints(g, n, "pads", 4, pads);
	mg_node(g, "Conv", "prelu", "c,c", "y");
	fuzz_emit(g, name, fn, ctx);
}

/* A pad of INT64_MAX: the padded extent overflowed (Conv attributes are now
 * bounded by 65536). */
static void conv_huge_pad(fuzz_seed_fn fn, void *ctx)
{
	static const int64_t dx[4] = { 1, 2, 5, 5 }, pads[4] = { 1, BIG, 1, 1 }, ds[3] = { 3, 1, 1 };
	conv_mutant(fn, ctx, "conv-huge-pad.onnx", dx, pads, 1, ds);
}

/* A 2^31-long input: the second Conv's kernel is that long, and its tap
 * tables asked for 32 GB (ops' plan data now counts against the budget). */
static void conv_plan_over_budget(fuzz_seed_fn fn, void *ctx)
{
	static const int64_t dx1[4] = { 1, 2, 2147483648, 6 }, pads1[4] = { 3, 2, 1, 9 };
	static const int64_t dx2[4] = { 1, -1, -5, 2147483648 }, pads2[4] = { 2, 1, 1, 1 };
	static const int64_t ds1[3] = { 3, 2, 1 }, ds2[3] = { 3, 1, 1 };
	conv_mutant(fn, ctx, "conv-plan-over-budget-1.onnx", dx1, pads1, 10, ds1);   /* float16 */
	conv_mutant(fn, ctx, "conv-plan-over-budget-2.onnx", dx2, pads2, 1, ds2);
}

/* An ONNX node test of op mutated: inputs in[0] (dims dx) and in[1] (dw),
 * output out (dy), pads, and the strides under the fuzzer's garbled
 * attribute name (ignored by the runtime). Opset 11, as the node tests. */
static void node_test_mutant(fuzz_seed_fn fn, void *ctx, const char *name, const char *op,
                             const char *const io[3], const int64_t dx[4], const int64_t dw[4],
                             const int64_t dy[4], const int64_t pads[4], const char *strides_attr,
                             const int64_t strides[2])
{
	struct mg *g = mg_new(6, 11);
	char inputs[8];
	int n;

	mg_input_values(g, io[0], 1, 4, dx);
	mg_input_values(g, io[1], 1, 4, dw);
	mg_output(g, io[2], 1, 4, dy);
	snprintf(inputs, sizeof inputs, "%s,%s", io[0], io[1]);
	n = mg_node(g, op, NULL, inputs, io[2]);
	mg_attr_ints(g, n, "pads", 4, pads);
	mg_attr_ints(g, n, strides_attr, 2, strides);
	fuzz_emit(g, name, fn, ctx);
}

/* ONNX's test_conv_with_strides_padding, mutated: a weight with a 0 kernel
 * dim overflowed the plane plan's tap bounds (now refused). */
static void conv_empty_kernel(fuzz_seed_fn fn, void *ctx)
{
	static const char *const io[3] = { "x", "W", "y" };
	static const int64_t dx[4] = { 101, 1, 7, 6 }, dw[4] = { 2, 1, 0, 2 }, dy[4] = { 1, 1, 4, 3 };
	static const int64_t pads[4] = { 2, 1, 7, 33 }, strides[2] = { 4, 3 };
	node_test_mutant(fn, ctx, "conv-empty-kernel.onnx", "Conv", io, dx, dw, dy, pads, "`trides",
	                 strides);
}

/* ONNX's test_convtranspose_pads, mutated: 2^31 empty batch items looped for
 * 80 s (nodes whose outputs hold no element are no longer run). */
static void convt_empty_huge_batch(fuzz_seed_fn fn, void *ctx)
{
	static const char *const io[3] = { "X", "W", "Y" };
	static const int64_t dx[4] = { 2147483648, 0, 3, 3 }, dw[4] = { 0, 1, -4, -4 };
	static const int64_t dy[4] = { 1, 2, 7, 3 }, pads[4] = { 0, 3, 2, 1 }, strides[2] = { -2, 3 };
	node_test_mutant(fn, ctx, "convt-empty-huge-batch.onnx", "ConvTranspose", io, dx, dw, dy, pads,
	                 "wtrides", strides);
}

void fuzz_regress(fuzz_seed_fn fn, void *ctx)
{
	empty_tensor_huge_dims(fn, ctx);
	conv_huge_pad(fn, ctx);
	conv_plan_over_budget(fn, ctx);
	conv_empty_kernel(fn, ctx);
	convt_empty_huge_batch(fn, ctx);
}

/* registry.c - every operator: the ONNX domain's, sorted by op_type (strcmp),
 * then by first opset, and the project's own domain (OP_DOMAIN). The only list
 * of operators: adding one is a line here plus its family file. One family lists
 * its own members: the unary elementwise ops are the rows of ops/unary.c's
 * unary_table (an op there is one row, with nothing to add here), which
 * op_lookup() searches after op_table and op_at() lists after it.
 * tests/check_runtime.c fails if a table is unsorted, if the opset ranges of one
 * op_type overlap or if an op_type is in both. */
#include <string.h>
#include "ops/unary.h"
#include "runtime/internal.h"

extern const struct op_def op_add, op_batch_normalization, op_cast, op_concat,
	op_constant, op_constant_of_shape, op_conv, op_conv_transpose, op_div,
	op_einsum, op_equal, op_expand, op_gru, op_gather, op_layer_normalization,
	op_matmul, op_mul, op_prelu, op_pad_2, op_pad_11, op_pow, op_range,
	op_reduce_mean_1, op_reduce_mean_18, op_reshape, op_scatter_nd, op_shape,
	op_slice_1, op_slice_10, op_split_2, op_split_13, op_squeeze_1, op_squeeze_13,
	op_sub, op_transpose, op_unsqueeze_1, op_unsqueeze_13, op_where;
extern const struct op_def op_grt_matmul_add, op_grt_unfold;

const struct op_def *const op_table[] = {
	&op_add,
	&op_batch_normalization,
	&op_cast,
	&op_concat,
	&op_constant,
	&op_constant_of_shape,
	&op_conv,
	&op_conv_transpose,
	&op_div,
	&op_einsum,
	&op_equal,
	&op_expand,
	&op_gru,
	&op_gather,
	&op_layer_normalization,
	&op_matmul,
	&op_mul,
	&op_prelu,          /* "PRelu" sorts before "Pad" ('R' < 'a') */
	&op_pad_2,          /* pads and value are attributes */
	&op_pad_11,         /* pads and constant_value are inputs */
	&op_pow,
	&op_range,
	&op_reduce_mean_1,  /* axes is an attribute */
	&op_reduce_mean_18, /* axes is an input */
	&op_reshape,
	&op_scatter_nd,
	&op_shape,
	&op_slice_1,        /* starts/ends/axes are attributes */
	&op_slice_10,       /* starts/ends/axes/steps are inputs */
	&op_split_2,        /* split is an attribute */
	&op_split_13,       /* split is an input */
	&op_squeeze_1,      /* axes is an attribute */
	&op_squeeze_13,     /* axes is an input */
	&op_sub,
	&op_transpose,
	&op_unsqueeze_1,
	&op_unsqueeze_13,
	&op_where,
};

const int op_table_len = (int)(sizeof(op_table) / sizeof(op_table[0]));

const struct op_def *op_lookup(const char *op_type, int opset)
{
	int lo = 0, hi = op_table_len - 1;

	/* binary search for the first entry of op_type, then scan its versions */
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (strcmp(op_table[mid]->op_type, op_type) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (int i = lo; i < op_table_len && !strcmp(op_table[i]->op_type, op_type); i++)
		if (op_table[i]->since <= opset && opset <= op_table[i]->until)
			return op_table[i];
	for (int i = 0; i < unary_table_len; i++) {
		const struct op_def *u = &unary_table[i].op;
		if (!strcmp(u->op_type, op_type) && u->since <= opset && opset <= u->until)
			return u;
	}
	return NULL;
}

int op_count(void)
{
	return op_table_len + unary_table_len;
}

const struct op_def *op_at(int i)
{
	return i < op_table_len ? op_table[i] : &unary_table[i - op_table_len].op;
}

/* OP_DOMAIN, version OP_DOMAIN_VERSION */
const struct op_def *const op_table_grt[] = {
	&op_grt_matmul_add,
	&op_grt_unfold,
};

const int op_table_grt_len = (int)(sizeof(op_table_grt) / sizeof(op_table_grt[0]));

const struct op_def *op_lookup_domain(const char *domain, const char *op_type, int opset)
{
	if (!domain || !domain[0] || !strcmp(domain, "ai.onnx"))
		return op_lookup(op_type, opset);
	if (strcmp(domain, OP_DOMAIN))
		return NULL;
	for (int i = 0; i < op_table_grt_len; i++)
		if (!strcmp(op_table_grt[i]->op_type, op_type) && op_table_grt[i]->since <= opset &&
		    opset <= op_table_grt[i]->until)
			return op_table_grt[i];
	return NULL;
}

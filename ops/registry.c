/* registry.c - every operator: the ONNX domain's, sorted by op_type (strcmp),
 * then by first opset, and the project's own domain (OP_DOMAIN). The only list
 * of operators: adding one is a line here plus its family file. Then every
 * plan-time graph rewrite (ops/rewrite.h), one line each.
 * tests/check_runtime.c fails if the table is unsorted or if the opset ranges
 * of one op_type overlap. */
#include <string.h>
#include "ops/registry.h"
#include "ops/rewrite.h"

extern const struct op_def op_add, op_batch_normalization, op_cast, op_concat,
	op_constant, op_constant_of_shape, op_conv, op_conv_transpose, op_div,
	op_einsum, op_equal, op_expand, op_gru, op_gather, op_layer_normalization,
	op_matmul, op_mul, op_prelu, op_pad_2, op_pad_11, op_pow, op_range,
	op_reduce_mean_1, op_reduce_mean_18, op_reshape, op_scatter_nd, op_shape,
	op_sigmoid, op_slice_1, op_slice_10, op_split_2, op_split_13, op_sqrt,
	op_squeeze_1, op_squeeze_13, op_sub, op_tanh, op_transpose, op_unsqueeze_1,
	op_unsqueeze_13, op_where;
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
	&op_sigmoid,
	&op_slice_1,        /* starts/ends/axes are attributes */
	&op_slice_10,       /* starts/ends/axes/steps are inputs */
	&op_split_2,        /* split is an attribute */
	&op_split_13,       /* split is an input */
	&op_sqrt,
	&op_squeeze_1,      /* axes is an attribute */
	&op_squeeze_13,     /* axes is an input */
	&op_sub,
	&op_tanh,
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
	return NULL;
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

/* The graph rewrites (ops/<family>_fuse.c), grouped by phase in run order;
 * within a phase, the rewrites of one op are tried in this order until one
 * applies. */
extern const struct rewrite_def rewrite_fold_batchnorm, rewrite_layernorm,
	rewrite_unfold_gathers, rewrite_matmul_add, rewrite_pad_conv, rewrite_unfold_conv,
	rewrite_unfold_convt, rewrite_unfold_slices, rewrite_concat_writers, rewrite_gru_layout,
	rewrite_epilogue_sigmoid, rewrite_epilogue_tanh, rewrite_epilogue_prelu;

const struct rewrite_def *const rewrite_table[] = {
	&rewrite_fold_batchnorm,      /* REWRITE_FOLD */
	&rewrite_layernorm,           /* REWRITE_SUBGRAPH */
	&rewrite_unfold_gathers,      /* REWRITE_NODE */
	&rewrite_matmul_add,
	&rewrite_pad_conv,
	&rewrite_unfold_conv,
	&rewrite_unfold_convt,
	&rewrite_unfold_slices,
	&rewrite_concat_writers,
	&rewrite_gru_layout,
	&rewrite_epilogue_sigmoid,    /* REWRITE_EPILOGUE */
	&rewrite_epilogue_tanh,
	&rewrite_epilogue_prelu,
};

const int rewrite_table_len = (int)(sizeof(rewrite_table) / sizeof(rewrite_table[0]));

/* op_list.h - the registry's lists (ops/registry.c includes this file once per
 * list, with the macro of that list defined; the others default to nothing,
 * and all three are undefined at the end). Adding an
 * operator is one OP line here, in order; adding a graph rewrite is one
 * REWRITE line. tests/check_runtime.c fails if the ONNX list is unsorted or
 * if the opset ranges of one op_type overlap.
 *
 * OP(def):      the ONNX domain's operators, sorted by op_type (strcmp), then
 *               by first opset (the unary elementwise ops are rows of
 *               ops/math/unary.c's unary_table instead, one row each)
 * GRT_OP(def):  the project's own domain (OP_DOMAIN)
 * REWRITE(def): the plan-time graph rewrites (ops/<family>_fuse.c), grouped by
 *               phase in run order; within a phase, the rewrites of one
 *               op_type are tried in this order until one applies */
#ifndef OP
#define OP(def)
#endif
#ifndef GRT_OP
#define GRT_OP(def)
#endif
#ifndef REWRITE
#define REWRITE(def)
#endif

OP(op_add)
OP(op_and)
OP(op_arg_max)
OP(op_arg_min)
OP(op_average_pool)
OP(op_batch_normalization)
OP(op_bit_shift)
OP(op_blackman_window)
OP(op_cast)
OP(op_cast_like)
OP(op_clip_1)               /* min/max are attributes */
OP(op_clip_11)              /* min/max are inputs */
OP(op_col2im)
OP(op_compress)
OP(op_concat)
OP(op_constant)
OP(op_constant_of_shape)
OP(op_conv)
OP(op_conv_integer)
OP(op_conv_transpose)
OP(op_cumsum)
OP(op_dft_17)               /* axis is an attribute */
OP(op_dft_20)               /* axis is an input */
OP(op_depth_to_space)
OP(op_dequantize_linear)
OP(op_det)
OP(op_div)
OP(op_dropout)
OP(op_dynamic_quantize_linear)
OP(op_einsum)
OP(op_equal)
OP(op_expand)
OP(op_eye_like)
OP(op_flatten)
OP(op_gru)
OP(op_gather)
OP(op_gather_elements)
OP(op_gather_nd)
OP(op_gemm)
OP(op_global_average_pool)
OP(op_global_lp_pool)
OP(op_global_max_pool)
OP(op_greater)
OP(op_greater_or_equal)
OP(op_grid_sample)
OP(op_group_normalization)
OP(op_hamming_window)
OP(op_hann_window)
OP(op_hardmax_1)            /* the input coerced to a matrix */
OP(op_hardmax_13)           /* one axis */
OP(op_identity)
OP(op_if)                   /* planned by the session (runtime/control.c) */
OP(op_instance_normalization)
OP(op_lrn)
OP(op_lstm)
OP(op_layer_normalization)
OP(op_less)
OP(op_less_or_equal)
OP(op_log_softmax_1)
OP(op_log_softmax_13)
OP(op_loop)                 /* runs its body at run time (runtime/control.c) */
OP(op_lp_pool)
OP(op_matmul)
OP(op_matmul_integer)
OP(op_max)
OP(op_max_pool)
OP(op_max_unpool)
OP(op_mean)
OP(op_mean_variance_normalization)
OP(op_mel_weight_matrix)
OP(op_min)
OP(op_mod)
OP(op_mul)
OP(op_negative_log_likelihood_loss)
OP(op_non_max_suppression)
OP(op_non_zero)
OP(op_one_hot)
OP(op_or)
OP(op_prelu)                /* "PRelu" sorts before "Pad" ('R' < 'a') */
OP(op_pad_2)                /* pads and value are attributes */
OP(op_pad_11)               /* pads and constant_value are inputs */
OP(op_pow)
OP(op_qlinear_conv)
OP(op_qlinear_matmul)
OP(op_quantize_linear)
OP(op_rnn)
OP(op_range)
OP(op_reduce_l1_1)          /* axes is an attribute */
OP(op_reduce_l1_18)         /* axes is an input */
OP(op_reduce_l2_1)          /* axes is an attribute */
OP(op_reduce_l2_18)         /* axes is an input */
OP(op_reduce_log_sum_1)     /* axes is an attribute */
OP(op_reduce_log_sum_18)    /* axes is an input */
OP(op_reduce_log_sum_exp_1) /* axes is an attribute */
OP(op_reduce_log_sum_exp_18) /* axes is an input */
OP(op_reduce_max_1)         /* axes is an attribute */
OP(op_reduce_max_18)        /* axes is an input */
OP(op_reduce_mean_1)        /* axes is an attribute */
OP(op_reduce_mean_18)       /* axes is an input */
OP(op_reduce_min_1)         /* axes is an attribute */
OP(op_reduce_min_18)        /* axes is an input */
OP(op_reduce_prod_1)        /* axes is an attribute */
OP(op_reduce_prod_18)       /* axes is an input */
OP(op_reduce_sum_1)         /* axes is an attribute */
OP(op_reduce_sum_13)        /* axes is an input */
OP(op_reduce_sum_square_1)  /* axes is an attribute */
OP(op_reduce_sum_square_18) /* axes is an input */
OP(op_reshape)
OP(op_resize_10)            /* scales is input 1 */
OP(op_resize_11)            /* roi, scales, sizes */
OP(op_reverse_sequence)
OP(op_roi_align)
OP(op_stft)
OP(op_scan8)                /* runs its body at run time (runtime/control.c) */
OP(op_scan)                 /* runs its body at run time (runtime/control.c) */
OP(op_scatter)
OP(op_scatter_elements)
OP(op_scatter_nd)
OP(op_shape)
OP(op_size)
OP(op_slice_1)              /* starts/ends/axes are attributes */
OP(op_slice_10)             /* starts/ends/axes/steps are inputs */
OP(op_softmax_1)
OP(op_softmax_13)
OP(op_softmax_cross_entropy_loss)
OP(op_space_to_depth)
OP(op_split_2)              /* split is an attribute */
OP(op_split_13)             /* split is an input */
OP(op_split_18)             /* or num_outputs */
OP(op_squeeze_1)            /* axes is an attribute */
OP(op_squeeze_13)           /* axes is an input */
OP(op_sub)
OP(op_sum)
OP(op_tfidf_vectorizer)
OP(op_tile)
OP(op_top_k_1)              /* k is an attribute */
OP(op_top_k_10)             /* k is an input */
OP(op_transpose)
OP(op_trilu)
OP(op_unique)
OP(op_unsqueeze_1)
OP(op_unsqueeze_13)
OP(op_upsample_7)           /* scales is an attribute */
OP(op_upsample_9)           /* scales is an input */
OP(op_where)
OP(op_xor)

GRT_OP(op_grt_matmul_add)
GRT_OP(op_grt_unfold)

REWRITE(rewrite_fold_batchnorm)   /* REWRITE_FOLD */
REWRITE(rewrite_layernorm)        /* REWRITE_SUBGRAPH */
REWRITE(rewrite_qdq_conv)         /* REWRITE_NODE */
REWRITE(rewrite_qdq_matmul)
REWRITE(rewrite_unfold_gathers)
REWRITE(rewrite_unfold_gathernd)
REWRITE(rewrite_matmul_add)
REWRITE(rewrite_pad_conv)
REWRITE(rewrite_unfold_conv)
REWRITE(rewrite_unfold_convt)
REWRITE(rewrite_unfold_slices)
REWRITE(rewrite_concat_writers)
REWRITE(rewrite_gru_layout)
REWRITE(rewrite_epilogue_sigmoid) /* REWRITE_EPILOGUE */
REWRITE(rewrite_epilogue_tanh)
REWRITE(rewrite_epilogue_prelu)
REWRITE(rewrite_epilogue_relu)

#undef OP
#undef GRT_OP
#undef REWRITE

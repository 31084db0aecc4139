/* export_style.h - rewrites of a parsed ONNX model (protobuf-c, malloc'ed so
 * that protobuf_c_message_free_unpacked frees it) into the forms newer
 * exporters write: opset 18-21 operator forms, model-local functions. Test
 * code: allocation failures abort. Each rewrite works by op_type and graph
 * structure, never by node names, and returns how many nodes it changed. */
#ifndef TESTS_EXPORT_STYLE_H
#define TESTS_EXPORT_STYLE_H

#include <stddef.h>
#include <stdint.h>
#include "proto/onnx.pb-c.h"

/* The model at path (protobuf-c's default allocator); NULL if unreadable. */
Onnx__ModelProto *es_load(const char *path);
/* Serialises mp; *buf is malloc'ed. */
void es_pack(const Onnx__ModelProto *mp, uint8_t **buf, size_t *len);

/* IR version ir and default-domain opset `opset`. */
void es_set_versions(Onnx__ModelProto *mp, int64_t ir, int64_t opset);

/* Opset 18: the Reduce* operators (but ReduceSum, already at 13) take axes
 * as an optional int64 input instead of an attribute: each such attribute
 * becomes an initializer. */
int es_reduce_axes_as_input(Onnx__ModelProto *mp);
/* Opset 13: the same for Squeeze and Unsqueeze. */
int es_squeeze_axes_as_input(Onnx__ModelProto *mp);

/* Every node of op_type (default domain) becomes a call of a model-local
 * function `domain`:`name`, nested the way dynamo writes module calls: name
 * (opset = the model's) calls name + "_impl" (imports inner_opset), whose
 * body is the node itself. The node's attributes are passed on by
 * reference (ref_attr_name) at both levels; the value of attribute
 * default_attr that the first node has becomes the inner function's
 * default (FunctionProto.attribute_proto, IR 9) and call sites with that
 * value leave it out. */
int es_wrap_in_functions(Onnx__ModelProto *mp, const char *op_type, const char *domain,
                         const char *name, int64_t inner_opset, const char *default_attr);

/* A value the caller computed for the rewrite (e.g. by running the original
 * with it as an extra output): int64, row-major. */
struct es_value {
	const char *name;
	int ndim;
	int64_t dims[8];
	const int64_t *data;
};

/* The unfold the way dynamo decomposes nn.Unfold: Pad(X, constant pads) ->
 * Gather(axis a) -> Gather(next axis), the last two axes of X, becomes
 * Transpose (those axes first) -> GatherND(constant indices) -> Transpose
 * back. es_unfold_index_names lists the two Gathers' index inputs of each
 * such pattern (names[max], borrowed from mp); es_unfold_as_gathernd needs
 * their values (vals[n_vals]) and makes the model static in what they
 * depend on. */
int es_unfold_index_names(const Onnx__ModelProto *mp, const char **names, int max);
int es_unfold_as_gathernd(Onnx__ModelProto *mp, const struct es_value *vals, int n_vals);

/* float16 weights and activations the way onnxconverter-common's
 * convert_float_to_float16(keep_io_types=True) writes them (with an empty
 * op block list): float initializers, Constant and ConstantOfShape values
 * and Cast targets become float16; float graph inputs and outputs stay
 * float, with a Cast after and before them. Returns the count of nodes
 * changed (Casts added not counted). */
int es_to_float16(Onnx__ModelProto *mp);

#endif

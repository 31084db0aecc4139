/* modelgen.h - build small ONNX models in memory for tests (protobuf-c). */
#ifndef TESTS_MODELGEN_H
#define TESTS_MODELGEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "runtime/grt.h"

struct mg;

/* Allocation for protobuf-c messages that protobuf_c_message_free_unpacked
 * frees: calloc and strdup that abort on failure; GROW makes room for one
 * more element at arr[n]. */
void *xcalloc(size_t n, size_t s);
char *xstrdup(const char *s);
#define GROW(arr, n) ((arr) = realloc((arr), ((n) + 1) * sizeof(*(arr))), (arr) ? (void)0 : abort())

struct mg *mg_new(int64_t ir_version, int opset);
/* A builder over a model read from a file (its main graph; free() it, not the model). */
struct mg *mg_wrap(void *model_proto);
/* A graph input or output; dims may contain -1 for a dynamic dim. */
void mg_input(struct mg *g, const char *name, int dtype, int ndim, const int64_t *dims);
/* The same with every dim a dim_value, negative ones too (for tests of
 * what the loader refuses). */
void mg_input_values(struct mg *g, const char *name, int dtype, int ndim, const int64_t *dims);
void mg_output(struct mg *g, const char *name, int dtype, int ndim, const int64_t *dims);
/* raw_data form */
void mg_init(struct mg *g, const char *name, int dtype, int ndim, const int64_t *dims,
             const void *data);
/* raw_data of len bytes whatever dims say (for tests of what the loader refuses) */
void mg_init_raw(struct mg *g, const char *name, int dtype, int ndim, const int64_t *dims,
                 const void *data, size_t len);
/* dims and no values at all (for tests of what the loader refuses) */
void mg_init_empty(struct mg *g, const char *name, int dtype, int ndim, const int64_t *dims);
/* typed-field form (float_data, double_data, int64_data, int32_data) */
void mg_init_typed(struct mg *g, const char *name, int dtype, int ndim, const int64_t *dims,
                   const void *data);
/* inputs and outputs: comma-separated names; an empty field is an omitted
 * optional ("X,,Y"). Returns the node index. */
int mg_node(struct mg *g, const char *op_type, const char *name, const char *inputs,
            const char *outputs);
/* Imports opset `version` of `domain` as well; sets node's domain. */
void mg_import(struct mg *g, const char *domain, int64_t version);
void mg_domain(struct mg *g, int node, const char *domain);
void mg_attr_int(struct mg *g, int node, const char *name, int64_t v);
void mg_attr_ints(struct mg *g, int node, const char *name, int n, const int64_t *v);
void mg_attr_float(struct mg *g, int node, const char *name, float v);
void mg_attr_string(struct mg *g, int node, const char *name, const char *s);
/* A subgraph attribute (If branches, Loop and Scan bodies): body's graph,
 * built like a model (mg_new's versions are ignored; mg_input declares formal
 * inputs, mg_output the body's outputs). Frees body. */
void mg_attr_graph(struct mg *g, int node, const char *name, struct mg *body);
void mg_metadata(struct mg *g, const char *key, const char *value);
/* Model-local functions: mg_function adds one (comma-separated formal
 * inputs, outputs, attribute names) and returns its index; mg_body(g, fn)
 * makes mg_node, mg_domain and mg_attr_* work on its body, mg_body(g, -1) on
 * the main graph again. */
int mg_function(struct mg *g, const char *domain, const char *name, const char *inputs,
                const char *outputs, const char *attrs);
void mg_body(struct mg *g, int fn);
void mg_fn_import(struct mg *g, int fn, const char *domain, int64_t version);
/* an attribute that refers to the calling function's attribute ref */
void mg_attr_ref(struct mg *g, int node, const char *name, int type, const char *ref);
/* A field the ONNX 1.12 schema lacks, as protobuf-c keeps it: an unknown
 * length-delimited field of message (a ProtobufCMessage), its bytes behind
 * their varint length (protobuf-c packs them back as they are). */
void mg_unknown_field(void *message, uint32_t tag, const void *data, size_t len);
/* A new OperatorSetIdProto (an Onnx__OperatorSetIdProto *) of domain at version. */
void *mg_opset_import(const char *domain, int64_t version);
/* FunctionProto.attribute_proto (IR 9), which ONNX 1.12's schema lacks */
void mg_fn_default_float(struct mg *g, int fn, const char *name, float v);
/* FunctionProto.overload (node < 0) or NodeProto.overload of node (IR 10) */
void mg_overload(struct mg *g, int fn, int node, const char *overload);
/* An empty graph attribute of node; mg_node then adds to that graph until
 * mg_body (for a subgraph inside a function body; mg_attr_graph takes a whole
 * graph built apart). */
void mg_attr_graph_open(struct mg *g, int node, const char *name);
/* Serialises the model; *buf is malloc'ed. Frees g. */
void mg_pack(struct mg *g, uint8_t **buf, size_t *len);
/* mg_pack, then grt_model_load_buffer (err gets its message). Frees g. */
int mg_load(struct mg *g, grt_model **m, char *err, size_t err_len);

#endif

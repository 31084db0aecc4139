/* modelgen.c - see modelgen.h. Test code: allocation failures abort. */
#include <stdlib.h>
#include <string.h>
#include "proto/onnx.pb-c.h"
#include "tests/modelgen.h"

/* Every part is heap-allocated so protobuf-c's free walker can free it. */
struct mg {
	Onnx__ModelProto *m;
	Onnx__GraphProto *gr;
	Onnx__NodeProto ***nodes;   /* where mg_node adds: the main graph, a function's
	                               body (mg_body) or a subgraph (mg_attr_graph) */
	size_t *n_nodes;
};

void *xcalloc(size_t n, size_t s)
{
	void *p = calloc(n ? n : 1, s);

	if (!p)
		abort();
	return p;
}

char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

void *mg_opset_import(const char *domain, int64_t version)
{
	Onnx__OperatorSetIdProto *os = xcalloc(1, sizeof(*os));

	onnx__operator_set_id_proto__init(os);
	os->domain = xstrdup(domain);
	os->has_version = 1;
	os->version = version;
	return os;
}

struct mg *mg_new(int64_t ir_version, int opset)
{
	struct mg *g = xcalloc(1, sizeof(*g));

	g->m = xcalloc(1, sizeof(*g->m));
	g->gr = xcalloc(1, sizeof(*g->gr));
	onnx__model_proto__init(g->m);
	onnx__graph_proto__init(g->gr);
	g->m->has_ir_version = 1;
	g->m->ir_version = ir_version;
	g->m->opset_import = xcalloc(1, sizeof(*g->m->opset_import));
	g->m->opset_import[0] = mg_opset_import("", opset);
	g->m->n_opset_import = 1;
	g->m->graph = g->gr;
	g->gr->name = xstrdup("test");
	g->nodes = &g->gr->node;
	g->n_nodes = &g->gr->n_node;
	return g;
}

struct mg *mg_wrap(void *model_proto)
{
	struct mg *g = xcalloc(1, sizeof(*g));

	g->m = model_proto;
	g->gr = g->m->graph;
	g->nodes = &g->gr->node;
	g->n_nodes = &g->gr->n_node;
	return g;
}

static Onnx__ValueInfoProto *value_info(const char *name, int dtype, int ndim, const int64_t *dims,
                                        int negative_as_param)
{
	Onnx__ValueInfoProto *vi = xcalloc(1, sizeof(*vi));
	Onnx__TypeProto *tp = xcalloc(1, sizeof(*tp));
	Onnx__TypeProto__Tensor *tt = xcalloc(1, sizeof(*tt));
	Onnx__TensorShapeProto *sp = xcalloc(1, sizeof(*sp));

	onnx__value_info_proto__init(vi);
	onnx__type_proto__init(tp);
	onnx__type_proto__tensor__init(tt);
	onnx__tensor_shape_proto__init(sp);
	vi->name = xstrdup(name);
	vi->type = tp;
	tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
	tp->tensor_type = tt;
	tt->has_elem_type = 1;
	tt->elem_type = dtype;
	tt->shape = sp;
	sp->n_dim = (size_t)ndim;
	sp->dim = xcalloc((size_t)ndim, sizeof(*sp->dim));
	for (int d = 0; d < ndim; d++) {
		Onnx__TensorShapeProto__Dimension *dim = xcalloc(1, sizeof(*dim));
		onnx__tensor_shape_proto__dimension__init(dim);
		if (dims[d] >= 0 || !negative_as_param) {
			dim->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
			dim->dim_value = dims[d];
		} else {
			dim->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
			dim->dim_param = xstrdup("N");
		}
		sp->dim[d] = dim;
	}
	return vi;
}

void mg_input(struct mg *g, const char *name, int dtype, int ndim, const int64_t *dims)
{
	GROW(g->gr->input, g->gr->n_input);
	g->gr->input[g->gr->n_input++] = value_info(name, dtype, ndim, dims, 1);
}

void mg_input_values(struct mg *g, const char *name, int dtype, int ndim, const int64_t *dims)
{
	GROW(g->gr->input, g->gr->n_input);
	g->gr->input[g->gr->n_input++] = value_info(name, dtype, ndim, dims, 0);
}

void mg_output(struct mg *g, const char *name, int dtype, int ndim, const int64_t *dims)
{
	GROW(g->gr->output, g->gr->n_output);
	g->gr->output[g->gr->n_output++] = value_info(name, dtype, ndim, dims, 1);
}

void mg_init_raw(struct mg *g, const char *name, int dtype, int ndim, const int64_t *dims,
                 const void *data, size_t len)
{
	Onnx__TensorProto *t = xcalloc(1, sizeof(*t));

	onnx__tensor_proto__init(t);
	t->name = xstrdup(name);
	t->has_data_type = 1;
	t->data_type = dtype;
	t->n_dims = (size_t)ndim;
	t->dims = xcalloc((size_t)ndim + 1, sizeof(int64_t));
	for (int d = 0; d < ndim; d++)   /* (a scalar's dims may be NULL) */
		t->dims[d] = dims[d];
	t->has_raw_data = 1;
	t->raw_data.len = len;
	t->raw_data.data = xcalloc(len + 1, 1);
	if (len)
		memcpy(t->raw_data.data, data, len);
	GROW(g->gr->initializer, g->gr->n_initializer);
	g->gr->initializer[g->gr->n_initializer++] = t;
}

void mg_init(struct mg *g, const char *name, int dtype, int ndim, const int64_t *dims,
             const void *data)
{
	size_t n = 1, es = dtype == 7 || dtype == 11 ? 8 : dtype == 9 || dtype == 2 || dtype == 3 ? 1 :
	                dtype == 10 || dtype == 16 ? 2 : 4;

	for (int d = 0; d < ndim; d++)
		n *= (size_t)dims[d];
	mg_init_raw(g, name, dtype, ndim, dims, data, n * es);
}

static char **split_names(const char *list, size_t *n)
{
	char **v = NULL;
	const char *p = list;

	*n = 0;
	if (!list)
		return xcalloc(1, sizeof(char *));
	for (;;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		char *s = xcalloc(len + 1, 1);
		memcpy(s, p, len);
		GROW(v, *n);
		v[(*n)++] = s;
		if (!c)
			break;
		p = c + 1;
	}
	return v;
}

int mg_node(struct mg *g, const char *op_type, const char *name, const char *inputs,
            const char *outputs)
{
	Onnx__NodeProto *n = xcalloc(1, sizeof(*n));

	onnx__node_proto__init(n);
	n->op_type = xstrdup(op_type);
	n->name = xstrdup(name ? name : "");
	n->domain = xstrdup("");
	n->input = split_names(inputs && inputs[0] ? inputs : NULL, &n->n_input);
	n->output = split_names(outputs, &n->n_output);
	GROW(*g->nodes, *g->n_nodes);
	(*g->nodes)[*g->n_nodes] = n;
	return (int)(*g->n_nodes)++;
}

void mg_import(struct mg *g, const char *domain, int64_t version)
{
	GROW(g->m->opset_import, g->m->n_opset_import);
	g->m->opset_import[g->m->n_opset_import++] = mg_opset_import(domain, version);
}

void mg_domain(struct mg *g, int node, const char *domain)
{
	Onnx__NodeProto *n = (*g->nodes)[node];

	free(n->domain);
	n->domain = xstrdup(domain);
}

static Onnx__AttributeProto *new_attr(struct mg *g, int node, const char *name, int type)
{
	Onnx__NodeProto *n = (*g->nodes)[node];
	Onnx__AttributeProto *a = xcalloc(1, sizeof(*a));

	onnx__attribute_proto__init(a);
	a->name = xstrdup(name);
	a->has_type = 1;
	a->type = type;
	GROW(n->attribute, n->n_attribute);
	n->attribute[n->n_attribute++] = a;
	return a;
}

void mg_attr_int(struct mg *g, int node, const char *name, int64_t v)
{
	Onnx__AttributeProto *a = new_attr(g, node, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);

	a->has_i = 1;
	a->i = v;
}

void mg_attr_ints(struct mg *g, int node, const char *name, int n, const int64_t *v)
{
	Onnx__AttributeProto *a = new_attr(g, node, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);

	a->n_ints = (size_t)n;
	a->ints = xcalloc((size_t)n, sizeof(int64_t));
	memcpy(a->ints, v, (size_t)n * sizeof(int64_t));
}

void mg_attr_float(struct mg *g, int node, const char *name, float v)
{
	Onnx__AttributeProto *a = new_attr(g, node, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);

	a->has_f = 1;
	a->f = v;
}

void mg_attr_string(struct mg *g, int node, const char *name, const char *s)
{
	Onnx__AttributeProto *a = new_attr(g, node, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);

	a->has_s = 1;
	a->s.len = strlen(s);
	a->s.data = (uint8_t *)xstrdup(s);
}

/* --- model-local functions --- */

int mg_function(struct mg *g, const char *domain, const char *name, const char *inputs,
                const char *outputs, const char *attrs)
{
	Onnx__FunctionProto *f = xcalloc(1, sizeof(*f));

	onnx__function_proto__init(f);
	f->domain = xstrdup(domain);
	f->name = xstrdup(name);
	f->input = split_names(inputs && inputs[0] ? inputs : NULL, &f->n_input);
	f->output = split_names(outputs, &f->n_output);
	f->attribute = split_names(attrs && attrs[0] ? attrs : NULL, &f->n_attribute);
	GROW(g->m->functions, g->m->n_functions);
	g->m->functions[g->m->n_functions] = f;
	return (int)g->m->n_functions++;
}

void mg_body(struct mg *g, int fn)
{
	if (fn < 0) {
		g->nodes = &g->gr->node;
		g->n_nodes = &g->gr->n_node;
	} else {
		g->nodes = &g->m->functions[fn]->node;
		g->n_nodes = &g->m->functions[fn]->n_node;
	}
}

void mg_fn_import(struct mg *g, int fn, const char *domain, int64_t version)
{
	Onnx__FunctionProto *f = g->m->functions[fn];

	GROW(f->opset_import, f->n_opset_import);
	f->opset_import[f->n_opset_import++] = mg_opset_import(domain, version);
}

void mg_attr_ref(struct mg *g, int node, const char *name, int type, const char *ref)
{
	Onnx__AttributeProto *a = new_attr(g, node, name, type);

	a->ref_attr_name = xstrdup(ref);
}

void mg_unknown_field(void *message, uint32_t tag, const void *data, size_t len)
{
	ProtobufCMessage *msg = message;
	ProtobufCMessageUnknownField *u;
	size_t at = 0;

	GROW(msg->unknown_fields, msg->n_unknown_fields);
	u = &msg->unknown_fields[msg->n_unknown_fields++];
	u->tag = tag;
	u->wire_type = PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED;
	u->data = xcalloc(len + 10, 1);
	for (size_t n = len; ; n >>= 7) {
		u->data[at++] = (uint8_t)((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
		if (n < 0x80)
			break;
	}
	memcpy(u->data + at, data, len);
	u->len = at + len;
}

void mg_fn_default_float(struct mg *g, int fn, const char *name, float v)
{
	Onnx__AttributeProto a;
	uint8_t buf[256];

	onnx__attribute_proto__init(&a);
	a.name = (char *)name;
	a.has_type = 1;
	a.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
	a.has_f = 1;
	a.f = v;
	if (onnx__attribute_proto__get_packed_size(&a) > sizeof(buf))
		abort();
	mg_unknown_field(&g->m->functions[fn]->base, 11, buf, onnx__attribute_proto__pack(&a, buf));
}

void mg_overload(struct mg *g, int fn, int node, const char *overload)
{
	if (node < 0)
		mg_unknown_field(&g->m->functions[fn]->base, 13, overload, strlen(overload));
	else
		mg_unknown_field(&(*g->nodes)[node]->base, 8, overload, strlen(overload));
}

void mg_attr_graph_open(struct mg *g, int node, const char *name)
{
	Onnx__AttributeProto *a = new_attr(g, node, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH);

	a->g = xcalloc(1, sizeof(*a->g));
	onnx__graph_proto__init(a->g);
	a->g->name = xstrdup(name);
	g->nodes = &a->g->node;
	g->n_nodes = &a->g->n_node;
}

void mg_metadata(struct mg *g, const char *key, const char *value)
{
	Onnx__StringStringEntryProto *e = xcalloc(1, sizeof(*e));

	onnx__string_string_entry_proto__init(e);
	e->key = xstrdup(key);
	e->value = xstrdup(value);
	GROW(g->m->metadata_props, g->m->n_metadata_props);
	g->m->metadata_props[g->m->n_metadata_props++] = e;
}

void mg_pack(struct mg *g, uint8_t **buf, size_t *len)
{
	size_t n = onnx__model_proto__get_packed_size(g->m);

	*buf = xcalloc(n + 1, 1);
	*len = onnx__model_proto__pack(g->m, *buf);
	protobuf_c_message_free_unpacked(&g->m->base, NULL);
	free(g);
}

void mg_init_empty(struct mg *g, const char *name, int dtype, int ndim, const int64_t *dims)
{
	Onnx__TensorProto *t = xcalloc(1, sizeof(*t));

	onnx__tensor_proto__init(t);
	t->name = xstrdup(name);
	t->has_data_type = 1;
	t->data_type = dtype;
	t->n_dims = (size_t)ndim;
	t->dims = xcalloc((size_t)ndim + 1, sizeof(int64_t));
	memcpy(t->dims, dims, (size_t)ndim * sizeof(int64_t));
	GROW(g->gr->initializer, g->gr->n_initializer);
	g->gr->initializer[g->gr->n_initializer++] = t;
}

void mg_init_typed(struct mg *g, const char *name, int dtype, int ndim, const int64_t *dims,
                   const void *data)
{
	Onnx__TensorProto *t = xcalloc(1, sizeof(*t));
	size_t n = 1;

	onnx__tensor_proto__init(t);
	t->name = xstrdup(name);
	t->has_data_type = 1;
	t->data_type = dtype;
	t->n_dims = (size_t)ndim;
	t->dims = xcalloc((size_t)ndim, sizeof(int64_t));
	for (int d = 0; d < ndim; d++) {
		t->dims[d] = dims[d];
		n *= (size_t)dims[d];
	}
	switch (dtype) {
	case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
		t->n_float_data = n;
		t->float_data = xcalloc(n, sizeof(float));
		memcpy(t->float_data, data, n * sizeof(float));
		break;
	case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE:
		t->n_double_data = n;
		t->double_data = xcalloc(n, sizeof(double));
		memcpy(t->double_data, data, n * sizeof(double));
		break;
	case ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
		t->n_int64_data = n;
		t->int64_data = xcalloc(n, sizeof(int64_t));
		memcpy(t->int64_data, data, n * sizeof(int64_t));
		break;
	default:    /* int32, int16, int8, uint8, bool: one int32 per element */
		t->n_int32_data = n;
		t->int32_data = xcalloc(n, sizeof(int32_t));
		for (size_t i = 0; i < n; i++)
			t->int32_data[i] = dtype == ONNX__TENSOR_PROTO__DATA_TYPE__INT32 ? ((const int32_t *)data)[i]
			                 : dtype == ONNX__TENSOR_PROTO__DATA_TYPE__INT8 ? ((const int8_t *)data)[i]
			                 : ((const uint8_t *)data)[i];
		break;
	}
	GROW(g->gr->initializer, g->gr->n_initializer);
	g->gr->initializer[g->gr->n_initializer++] = t;
}

int mg_load(struct mg *g, grt_model **m, char *err, size_t err_len)
{
	uint8_t *buf;
	size_t len;
	int rc;

	mg_pack(g, &buf, &len);
	if (err_len)
		err[0] = 0;
	rc = grt_model_load_buffer(buf, len, m, err, err_len);
	free(buf);
	return rc;
}

void mg_attr_graph(struct mg *g, int node, const char *name, struct mg *body)
{
	Onnx__AttributeProto *a = new_attr(g, node, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH);

	a->g = body->gr;
	body->m->graph = NULL;
	protobuf_c_message_free_unpacked(&body->m->base, NULL);
	free(body);
}

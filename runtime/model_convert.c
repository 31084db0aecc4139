/* model_convert.c - the parsed protobuf tree -> the runtime's own graph: every
 * name, value, type, attribute, node and weight is validated as the ONNX IR
 * spec requires and copied into the model's memory pool, each node's operator
 * resolved, so that the tree can be freed whole (runtime/model.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "proto/onnx.pb-c.h"
#include "runtime/internal.h"

#define MIN_IR_VERSION 3      /* opset_import exists from IR 3 */
#define MAX_IR_VERSION 10

/* --- int64 initializers --- */

#define NARROW_MIN 1024     /* elements: smaller int64 tensors stay as they are */

/* Large int64 initializers are index tensors (an export of GTCRN's cache
 * updates carries 270 KB of them, every value below 40). The model keeps
 * such a tensor in the narrowest signed type that holds all its values,
 * with t->data = NULL; a session widens it when a node reads it and frees
 * the copy once nothing left to run needs it (runtime/session.c).
 * t->data holds the decoded values in a pool that the caller frees. */
static int keep_int64(grt_model *m, struct value_info *vi, struct tensor *t)
{
	const int64_t *v = t->data;
	int64_t lo = 0, hi = 0;
	int size = 8;
	void *d;

	for (int64_t i = 0; i < t->numel; i++) {
		lo = v[i] < lo ? v[i] : lo;
		hi = v[i] > hi ? v[i] : hi;
	}
	if (t->numel >= NARROW_MIN)
		size = lo >= INT8_MIN && hi <= INT8_MAX ? 1 :
		       lo >= INT16_MIN && hi <= INT16_MAX ? 2 :
		       lo >= INT32_MIN && hi <= INT32_MAX ? 4 : 8;
	if (!(d = pool_alloc(&m->mem, (size_t)t->numel * (size_t)size)))
		return GRT_E_NOMEM;
	for (int64_t i = 0; i < t->numel; i++)
		switch (size) {
		case 1: ((int8_t *)d)[i] = (int8_t)v[i]; break;
		case 2: ((int16_t *)d)[i] = (int16_t)v[i]; break;
		case 4: ((int32_t *)d)[i] = (int32_t)v[i]; break;
		default: ((int64_t *)d)[i] = v[i]; break;
		}
	if (size == 8) {
		t->data = d;
	} else {
		t->data = NULL;
		vi->narrow = d;
		vi->narrow_size = size;
	}
	return GRT_OK;
}


/* --- name table: open addressing, load time only --- */

struct name_map {
	const char **keys;
	int *ids;
	size_t cap;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int map_init(struct name_map *m, size_t n)
{
	m->cap = 16;
	while (m->cap < 2 * n + 16)
		m->cap *= 2;
	m->keys = calloc(m->cap, sizeof(*m->keys));
	m->ids = calloc(m->cap, sizeof(*m->ids));
	return m->keys && m->ids ? GRT_OK : GRT_E_NOMEM;
}

static void map_free(struct name_map *m)
{
	free(m->keys);
	free(m->ids);
}

/* Returns the id of name, or -1. */
static int map_get(const struct name_map *m, const char *name)
{
	size_t i = hash_str(name) & (m->cap - 1);

	for (; m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (!strcmp(m->keys[i], name))
			return m->ids[i];
	return -1;
}

static void map_put(struct name_map *m, const char *name, int id)
{
	size_t i = hash_str(name) & (m->cap - 1);

	while (m->keys[i])
		i = (i + 1) & (m->cap - 1);
	m->keys[i] = name;
	m->ids[i] = id;
}

/* --- conversion --- */

/* The names a graph defines, and the values of enclosing graphs it reads
 * (caps: with repeats until scope_end sorts them). */
struct scope {
	struct scope *parent;
	struct name_map names;
	int graph;                      /* its id: values[v].graph */
	int *caps;
	int n_caps, cap_caps;
};

struct loader {
	grt_model *m;
	struct parse_arena *arena;      /* the protobuf tree's memory */
	struct scope *sc;               /* the graph being converted */
	const struct fn_expansion *fx;  /* which nodes come from function bodies */
	int cap_values;
	int cap_graphs;
	char *err;
	size_t err_len;
};

static const char *node_label(const Onnx__NodeProto *np)
{
	if (np->name && np->name[0])
		return np->name;
	if (np->n_output && np->output[0][0])
		return np->output[0];
	return "?";
}

static int add_value(struct loader *l, const char *name, int *id)
{
	grt_model *m = l->m;
	struct value_info *v;

	if (m->n_values == l->cap_values)
		return GRT_E_LIMIT;   /* cap_values counts every possible value */
	v = &m->values[m->n_values];
	v->name = pool_strdup(&m->mem, name, strlen(name));
	if (!v->name)
		return GRT_E_NOMEM;
	v->producer = -1;
	v->graph_input = -1;
	v->graph = l->sc->graph;
	map_put(&l->sc->names, v->name, m->n_values);
	*id = m->n_values++;
	return GRT_OK;
}

static int add_capture(struct scope *sc, int id)
{
	if (sc->n_caps == sc->cap_caps) {
		int cap = sc->cap_caps ? 2 * sc->cap_caps : 16;
		int *more = realloc(sc->caps, (size_t)cap * sizeof(int));
		if (!more)
			return GRT_E_NOMEM;
		sc->caps = more;
		sc->cap_caps = cap;
	}
	sc->caps[sc->n_caps++] = id;
	return GRT_OK;
}

/* The value a name means in the graph being converted: its own, or that of
 * the nearest enclosing graph that defines it (a capture). -1: none. */
static int lookup(struct loader *l, const char *name, int *id)
{
	for (struct scope *sc = l->sc; sc; sc = sc->parent) {
		if ((*id = map_get(&sc->names, name)) < 0)
			continue;
		return sc == l->sc ? GRT_OK : add_capture(l->sc, *id);
	}
	return GRT_OK;
}

static int read_type(struct loader *l, const Onnx__ValueInfoProto *vi, struct value_decl *v)
{
	const Onnx__TypeProto *tp = vi->type;
	const Onnx__TensorShapeProto *sp;

	if (!tp || tp->value_case == ONNX__TYPE_PROTO__VALUE__NOT_SET)
		return GRT_OK;        /* no type given (exporters leave subgraph outputs so) */
	if (tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE) {
		set_err(l->err, l->err_len, "value '%s': only tensor types are supported", vi->name);
		return GRT_E_UNSUPPORTED;
	}
	if (tp->tensor_type->has_elem_type)
		v->dtype = (enum dtype)tp->tensor_type->elem_type;
	sp = tp->tensor_type->shape;
	if (!sp)
		return GRT_OK;
	if (sp->n_dim > MAX_DIMS) {
		set_err(l->err, l->err_len, "value '%s': rank %zu exceeds %d", vi->name,
		        sp->n_dim, MAX_DIMS);
		return GRT_E_LIMIT;
	}
	v->ndim = (int)sp->n_dim;
	v->dim_names = NULL;
	for (size_t d = 0; d < sp->n_dim; d++) {
		const Onnx__TensorShapeProto__Dimension *dim = sp->dim[d];
		v->dims[d] = -1;
		if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
		    dim->dim_value >= 0) {
			v->dims[d] = dim->dim_value;
		} else if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM) {
			if (!v->dim_names &&
			    !(v->dim_names = pool_alloc_small(&l->m->mem, MAX_DIMS * sizeof(char *))))
				return GRT_E_NOMEM;
			v->dim_names[d] = pool_strdup(&l->m->mem, dim->dim_param, strlen(dim->dim_param));
			if (!v->dim_names[d])
				return GRT_E_NOMEM;
		}
	}
	return GRT_OK;
}

static int convert_attr(struct loader *l, const Onnx__NodeProto *np,
                        const Onnx__AttributeProto *ap, struct attr *a)
{
	grt_model *m = l->m;
	int type = ap->has_type ? (int)ap->type : 0;
	const char *nl = node_label(np);

	if (!ap->name || !ap->name[0]) {
		set_err(l->err, l->err_len, "node '%s' (%s): attribute without a name", nl, np->op_type);
		return GRT_E_INVALID_MODEL;
	}
	if (ap->ref_attr_name && ap->ref_attr_name[0]) {
		set_err(l->err, l->err_len, "node '%s' (%s): attribute '%s' refers to a function "
		        "attribute, which is not supported", nl, np->op_type, ap->name);
		return GRT_E_UNSUPPORTED;
	}
	a->name = pool_strdup(&m->mem, ap->name, strlen(ap->name));
	if (!a->name)
		return GRT_E_NOMEM;
	if (type == 0) {      /* IR < 2 left the type out: infer it from the field set */
		if (ap->has_f) type = ATTR_FLOAT;
		else if (ap->has_i) type = ATTR_INT;
		else if (ap->has_s) type = ATTR_STRING;
		else if (ap->t) type = ATTR_TENSOR;
		else if (ap->g) type = ATTR_GRAPH;
		else if (ap->n_floats) type = ATTR_FLOATS;
		else if (ap->n_ints) type = ATTR_INTS;
		else if (ap->n_strings) type = ATTR_STRINGS;
	}
	a->type = (enum attr_type)type;
	switch (type) {
	case ATTR_FLOAT:
		if (!ap->has_f)
			goto mistyped;
		a->f = ap->f;
		break;
	case ATTR_INT:
		if (!ap->has_i)
			goto mistyped;
		a->i = ap->i;
		break;
	case ATTR_STRING:
		if (!ap->has_s)
			goto mistyped;
		a->s = pool_strdup(&m->mem, (const char *)ap->s.data, ap->s.len);
		a->s_len = ap->s.len;
		if (!a->s)
			return GRT_E_NOMEM;
		break;
	case ATTR_TENSOR: {
		struct tensor *t;
		int rc;
		if (!ap->t)
			goto mistyped;
		t = pool_alloc(&m->mem, sizeof(*t));
		if (!t)
			return GRT_E_NOMEM;
		rc = tensor_from_proto(ap->t, &m->mem, t, l->err, l->err_len);
		if (rc)
			return rc;
		t->name = a->name;
		a->t = t;
		break;
	}
	case ATTR_FLOATS: {
		float *f = pool_alloc_small(&m->mem, ap->n_floats * sizeof(float));
		if (!f)
			return GRT_E_NOMEM;
		if (ap->n_floats)
			memcpy(f, ap->floats, ap->n_floats * sizeof(float));
		a->floats = f;
		a->n = (int)ap->n_floats;
		break;
	}
	case ATTR_INTS: {
		int64_t *v = pool_alloc_small(&m->mem, ap->n_ints * sizeof(int64_t));
		if (!v)
			return GRT_E_NOMEM;
		if (ap->n_ints)
			memcpy(v, ap->ints, ap->n_ints * sizeof(int64_t));
		a->ints = v;
		a->n = (int)ap->n_ints;
		break;
	}
	case ATTR_STRINGS: {
		char **v = pool_alloc_small(&m->mem, (ap->n_strings + 1) * sizeof(char *));
		if (!v)
			return GRT_E_NOMEM;
		for (size_t k = 0; k < ap->n_strings; k++) {
			v[k] = pool_strdup(&m->mem, (const char *)ap->strings[k].data,
			                   ap->strings[k].len);
			if (!v[k])
				return GRT_E_NOMEM;
		}
		a->strings = (const char *const *)v;
		a->n = (int)ap->n_strings;
		break;
	}
	case ATTR_GRAPH:      /* converted with the node's inputs (convert_subgraphs) */
		if (!ap->g)
			goto mistyped;
		a->g = NULL;
		break;
	case ATTR_TENSORS: case ATTR_GRAPHS:
		a->n = 0;  /* kept as a typed marker: no supported operator reads these */
		break;
	default:
		set_err(l->err, l->err_len, "node '%s' (%s): attribute '%s' has unsupported type %d",
		        nl, np->op_type, ap->name, type);
		return GRT_E_UNSUPPORTED;
	}
	return GRT_OK;
mistyped:
	set_err(l->err, l->err_len, "node '%s' (%s): attribute '%s' is declared as type %d but "
	        "holds no value of that type", nl, np->op_type, ap->name, type);
	return GRT_E_INVALID_MODEL;
}

static int is_default_domain(const char *d)
{
	return !d || !d[0] || !strcmp(d, "ai.onnx");
}

static int convert_node(struct loader *l, const Onnx__NodeProto *np, struct model_node *mn,
                        int idx)
{
	grt_model *m = l->m;
	const char *nl = node_label(np);
	int rc;

	if (!np->op_type || !np->op_type[0]) {
		set_err(l->err, l->err_len, "node %d ('%s') has no op_type", idx, nl);
		return GRT_E_INVALID_MODEL;
	}
	mn->name = pool_strdup(&m->mem, np->name ? np->name : "", np->name ? strlen(np->name) : 0);
	mn->n_inputs = (int)np->n_input;
	mn->n_outputs = (int)np->n_output;
	mn->inputs = pool_alloc_small(&m->mem, (np->n_input + 1) * sizeof(int));
	mn->outputs = pool_alloc_small(&m->mem, (np->n_output + 1) * sizeof(int));
	mn->attrs = np->n_attribute ? pool_alloc_small(&m->mem, np->n_attribute * sizeof(struct attr))
	                            : NULL;
	if (!mn->name || !mn->inputs || !mn->outputs ||
	    (np->n_attribute && !mn->attrs))
		return GRT_E_NOMEM;
	if (is_default_domain(np->domain)) {
		mn->opset = m->opset;
	} else if (!strcmp(np->domain, OP_DOMAIN) && m->opset_grt) {
		mn->opset = m->opset_grt;
	} else if (!strcmp(np->domain, OP_DOMAIN)) {
		set_err(l->err, l->err_len, "node '%s' (%s): domain '%s' is used but not in "
		        "opset_import", nl, np->op_type, np->domain);
		return GRT_E_INVALID_MODEL;
	} else {
		set_err(l->err, l->err_len, "node '%s' (%s): domain '%s' is not supported",
		        nl, np->op_type, np->domain);
		return GRT_E_UNSUPPORTED;
	}
	mn->opset = function_node_opset(l->fx, np, mn->opset);  /* a function body's import */
	mn->op = op_lookup_domain(np->domain, np->op_type, mn->opset);
	if (!mn->op) {
		set_err(l->err, l->err_len, "node '%s': operator '%s' (%s opset %d) is not implemented",
		        nl, np->op_type, is_default_domain(np->domain) ? "ONNX" : np->domain,
		        mn->opset);
		return GRT_E_UNSUPPORTED;
	}
	/* the same spelling as the file's, without a copy per node */
	mn->op_type = mn->op->op_type;
	mn->domain = !np->domain || !np->domain[0] ? "" : !strcmp(np->domain, "ai.onnx") ?
	             "ai.onnx" : OP_DOMAIN;
	for (size_t i = 0; i < np->n_attribute; i++) {
		rc = convert_attr(l, np, np->attribute[i], &mn->attrs[i]);
		if (rc)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(mn->attrs[j].name, mn->attrs[i].name)) {
				set_err(l->err, l->err_len, "node '%s' (%s): attribute '%s' given twice",
				        nl, np->op_type, mn->attrs[i].name);
				return GRT_E_INVALID_MODEL;
			}
	}
	mn->n_attrs = (int)np->n_attribute;
	/* outputs: SSA, each name defined once */
	for (size_t i = 0; i < np->n_output; i++) {
		const char *name = np->output[i];
		int id;
		if (!name[0]) {
			mn->outputs[i] = -1;
			continue;
		}
		if (map_get(&l->sc->names, name) >= 0) {
			set_err(l->err, l->err_len, "node '%s' (%s): output '%s' is already defined "
			        "(names must be unique)", nl, np->op_type, name);
			return GRT_E_INVALID_MODEL;
		}
		rc = add_value(l, name, &id);
		if (rc)
			return rc;
		m->values[id].producer = idx;
		mn->outputs[i] = id;
	}
	return GRT_OK;
}

static int convert_graph(struct loader *l, const Onnx__GraphProto *g, struct model_graph *out);

/* The node's subgraph attributes, now that every name of its graph is
 * defined; the values of enclosing graphs they read become its deps. */
static int convert_subgraphs(struct loader *l, const Onnx__NodeProto *np, struct model_node *mn)
{
	grt_model *m = l->m;
	int n_deps = 0, rc;

	for (size_t i = 0; i < np->n_attribute; i++) {
		struct model_graph *sg;
		if (mn->attrs[i].type != ATTR_GRAPH)
			continue;
		if (!(sg = pool_alloc_small(&m->mem, sizeof(*sg))))
			return GRT_E_NOMEM;
		if ((rc = convert_graph(l, np->attribute[i]->g, sg)))
			return rc;
		mn->attrs[i].g = sg;
		n_deps += sg->n_captures;
	}
	if (!n_deps)
		return GRT_OK;
	if (!(mn->deps = pool_alloc_small(&m->mem, (size_t)n_deps * sizeof(int))))
		return GRT_E_NOMEM;
	for (int i = 0; i < mn->n_attrs; i++)
		if (mn->attrs[i].type == ATTR_GRAPH) {
			const struct model_graph *sg = mn->attrs[i].g;
			memcpy(mn->deps + mn->n_deps, sg->captures, (size_t)sg->n_captures * sizeof(int));
			mn->n_deps += sg->n_captures;
		}
	return GRT_OK;
}

static int resolve_inputs(struct loader *l, const Onnx__NodeProto *np, struct model_node *mn)
{
	for (size_t i = 0; i < np->n_input; i++) {
		const char *name = np->input[i];
		int id, rc;
		if (!name[0]) {
			mn->inputs[i] = -1;
			continue;
		}
		if ((rc = lookup(l, name, &id)))
			return rc;
		if (id < 0) {
			set_err(l->err, l->err_len, "node '%s' (%s): input '%s' is not a graph input, "
			        "initializer or node output", node_label(np), np->op_type, name);
			return GRT_E_MISSING;
		}
		mn->inputs[i] = id;
	}
	return convert_subgraphs(l, np, mn);
}

/* The IR version and the opsets: what the model may use. */
static int convert_versions(struct loader *l, const Onnx__ModelProto *mp)
{
	grt_model *m = l->m;
	int found = 0;

	if (!mp->has_ir_version || mp->ir_version < MIN_IR_VERSION ||
	    mp->ir_version > MAX_IR_VERSION) {
		set_err(l->err, l->err_len, "IR version %lld is not supported (need %d to %d)",
		        (long long)mp->ir_version, MIN_IR_VERSION, MAX_IR_VERSION);
		return mp->has_ir_version ? GRT_E_UNSUPPORTED : GRT_E_INVALID_MODEL;
	}
	m->ir_version = mp->ir_version;
	for (size_t i = 0; i < mp->n_opset_import; i++) {
		const Onnx__OperatorSetIdProto *os = mp->opset_import[i];
		if (is_default_domain(os->domain)) {
			if (found++) {
				set_err(l->err, l->err_len, "opset_import names the default domain twice");
				return GRT_E_INVALID_MODEL;
			}
			m->opset = (int)os->version;
		} else if (os->domain && !strcmp(os->domain, OP_DOMAIN)) {
			if (os->version < 1 || os->version > OP_DOMAIN_VERSION) {
				set_err(l->err, l->err_len, "opset %lld of domain '%s' is not "
				        "supported (have %d)", (long long)os->version, OP_DOMAIN,
				        OP_DOMAIN_VERSION);
				return GRT_E_UNSUPPORTED;
			}
			m->opset_grt = (int)os->version;
		}
	}
	if (!found || m->opset < 1) {
		set_err(l->err, l->err_len, "model imports no opset of the default ONNX domain");
		return GRT_E_INVALID_MODEL;
	}
	if (m->opset > OPSET_LATEST) {
		set_err(l->err, l->err_len, "opset %d is not supported", m->opset);
		return GRT_E_UNSUPPORTED;
	}
	return GRT_OK;
}

/* Values, nodes and subgraphs of g and every graph nested in it (bounded:
 * check_nesting bounds the depth). */
struct counts { size_t values, nodes, graphs; };

static void count_graph(const Onnx__GraphProto *g, struct counts *c)
{
	c->values += g->n_initializer + g->n_input;
	c->nodes += g->n_node;
	for (size_t i = 0; i < g->n_node; i++) {
		const Onnx__NodeProto *np = g->node[i];
		c->values += np->n_output;
		for (size_t k = 0; k < np->n_attribute; k++)
			if (np->attribute[k]->g) {
				c->graphs++;
				count_graph(np->attribute[k]->g, c);
			}
	}
}

/* The model's size limits, then its arrays, sized for every value it can
 * define in any of its graphs. */
static int alloc_model(struct loader *l, const Onnx__GraphProto *g)
{
	grt_model *m = l->m;
	struct counts c = { 0, 0, 0 };

	if (!g) {
		set_err(l->err, l->err_len, "model has no graph");
		return GRT_E_INVALID_MODEL;
	}
	count_graph(g, &c);
	if (c.nodes > (1u << 24) || c.values > (1u << 26) || c.graphs > (1u << 20)) {
		set_err(l->err, l->err_len, "graph too large (%zu nodes, %zu values, %zu subgraphs)",
		        c.nodes, c.values, c.graphs);
		return GRT_E_LIMIT;
	}
	l->cap_values = (int)c.values;
	l->cap_graphs = (int)c.graphs;
	m->n_nodes_all = (int)c.nodes;
	m->values = pool_alloc(&m->mem, (c.values + 1) * sizeof(*m->values));
	m->graphs = pool_alloc(&m->mem, (c.graphs + 1) * sizeof(*m->graphs));
	if (!m->values || !m->graphs)
		return GRT_E_NOMEM;
	return GRT_OK;
}

static int convert_initializers(struct loader *l, const Onnx__GraphProto *g)
{
	grt_model *m = l->m;
	int rc;

	if (g->n_sparse_initializer) {
		set_err(l->err, l->err_len, "sparse initializers are not supported");
		return GRT_E_UNSUPPORTED;
	}
	for (size_t i = 0; i < g->n_initializer; i++) {
		const Onnx__TensorProto *tp = g->initializer[i];
		struct tensor *t;
		int id;
		if (!tp->name || !tp->name[0]) {
			set_err(l->err, l->err_len, "initializer %zu has no name", i);
			return GRT_E_INVALID_MODEL;
		}
		if (map_get(&l->sc->names, tp->name) >= 0) {
			set_err(l->err, l->err_len, "initializer '%s' is defined twice", tp->name);
			return GRT_E_INVALID_MODEL;
		}
		if ((rc = add_value(l, tp->name, &id)))
			return rc;
		t = pool_alloc(&m->mem, sizeof(*t));
		if (!t)
			return GRT_E_NOMEM;
		if (tp->data_type == DT_INT64) {
			struct mem_block *tmp = NULL;
			rc = tensor_from_proto(tp, &tmp, t, l->err, l->err_len);
			if (!rc)
				rc = keep_int64(m, &m->values[id], t);
			pool_free(&tmp);
		} else {
			rc = tensor_from_proto(tp, &m->mem, t, l->err, l->err_len);
		}
		if (rc)
			return rc;
		/* the model has its own copy: give the parsed bytes back now, so that
		 * loading never holds the weights three times (file, parse, model) */
		if (g->initializer[i]->raw_data.data) {
			parse_free(l->arena, g->initializer[i]->raw_data.data);
			g->initializer[i]->raw_data.data = NULL;
			g->initializer[i]->raw_data.len = 0;
		}
		t->name = m->values[id].name;
		m->values[id].init = t;
	}
	return GRT_OK;
}

/* Graph inputs; in the main graph, one that names an initializer is that
 * initializer's declaration (IR < 4 style), not a run-time input, and each
 * needs a tensor type and shape. A subgraph's inputs are formal parameters
 * (Loop and Scan bodies), set by their node; their types may be left out. */
static int convert_inputs(struct loader *l, const Onnx__GraphProto *g, struct model_graph *out)
{
	grt_model *m = l->m;
	int main = !l->sc->parent, rc;

	for (size_t i = 0; i < g->n_input; i++) {
		const Onnx__ValueInfoProto *vi = g->input[i];
		struct value_decl *decl;
		int id;
		if (!vi->name || !vi->name[0]) {
			set_err(l->err, l->err_len, "graph input %zu has no name", i);
			return GRT_E_INVALID_MODEL;
		}
		id = map_get(&l->sc->names, vi->name);
		if (main && id >= 0 && m->values[id].init)
			continue;
		if (id >= 0) {
			set_err(l->err, l->err_len, "graph input '%s' is declared twice", vi->name);
			return GRT_E_INVALID_MODEL;
		}
		if ((rc = add_value(l, vi->name, &id)))
			return rc;
		if (!(decl = pool_alloc_small(&m->mem, sizeof(*decl))))
			return GRT_E_NOMEM;
		decl->ndim = -1;
		m->values[id].decl = decl;
		if ((rc = read_type(l, vi, decl)))
			return rc;
		if (main && (decl->dtype == DT_UNDEFINED || decl->ndim < 0)) {
			set_err(l->err, l->err_len, "graph input '%s' has no tensor type or shape",
			        vi->name);
			return GRT_E_INVALID_MODEL;
		}
		if (decl->dtype != DT_UNDEFINED && !dtype_size(decl->dtype)) {
			set_err(l->err, l->err_len, "graph input '%s': element type %s is not supported",
			        vi->name, dtype_name(decl->dtype));
			return GRT_E_UNSUPPORTED;
		}
		if (main)
			m->values[id].graph_input = out->n_inputs;
		out->inputs[out->n_inputs++] = id;
	}
	return GRT_OK;
}

static int convert_outputs(struct loader *l, const Onnx__GraphProto *g, struct model_graph *out)
{
	grt_model *m = l->m;
	int rc;

	for (size_t i = 0; i < g->n_output; i++) {
		const Onnx__ValueInfoProto *vi = g->output[i];
		struct value_decl tmp = { 0 }, *decl;
		int id = -1;
		if (vi->name && (rc = lookup(l, vi->name, &id)))
			return rc;
		if (id < 0) {
			set_err(l->err, l->err_len, "graph output '%s' is not produced by any node",
			        vi->name ? vi->name : "");
			return GRT_E_MISSING;
		}
		tmp.ndim = -1;
		if ((rc = read_type(l, vi, &tmp)))
			return rc;
		if (!l->sc->parent && m->values[id].producer >= 0) {
			/* keep the declaration for introspection */
			if (!(decl = pool_alloc_small(&m->mem, sizeof(*decl))))
				return GRT_E_NOMEM;
			*decl = tmp;
			m->values[id].decl = decl;
		}
		out->outputs[out->n_outputs++] = id;
	}
	return GRT_OK;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* The scope's captures, sorted and without repeats, into out; those that
 * the enclosing graph does not define are its captures too. */
static int scope_captures(struct loader *l, struct scope *sc, struct model_graph *out)
{
	int n = 0, rc;

	if (sc->n_caps)
		qsort(sc->caps, (size_t)sc->n_caps, sizeof(int), cmp_int);
	for (int i = 0; i < sc->n_caps; i++)
		if (!n || sc->caps[i] != sc->caps[n - 1])
			sc->caps[n++] = sc->caps[i];
	if (!(out->captures = pool_alloc_small(&l->m->mem, ((size_t)n + 1) * sizeof(int))))
		return GRT_E_NOMEM;
	if (n)
		memcpy(out->captures, sc->caps, (size_t)n * sizeof(int));
	out->n_captures = n;
	for (int i = 0; i < n; i++)
		if (l->m->values[sc->caps[i]].graph != sc->parent->graph &&
		    (rc = add_capture(sc->parent, sc->caps[i])))
			return rc;
	return GRT_OK;
}

/* One graph (the main graph, or a subgraph under the current scope) into
 * out: its own scope of names; nodes' outputs first (any order in the
 * file), then their inputs and subgraphs, then the graph's outputs. */
static int convert_graph(struct loader *l, const Onnx__GraphProto *g, struct model_graph *out)
{
	grt_model *m = l->m;
	struct scope sc = { 0 };
	size_t n_values = g->n_initializer + g->n_input;
	int rc;

	for (size_t i = 0; i < g->n_node; i++)
		n_values += g->node[i]->n_output;
	sc.parent = l->sc;
	if (sc.parent) {
		if (m->n_graphs == l->cap_graphs)
			return GRT_E_LIMIT;      /* alloc_model counted every subgraph */
		m->graphs[m->n_graphs++] = out;
		sc.graph = m->n_graphs;
	}
	out->id = sc.graph;
	out->nodes = pool_alloc(&m->mem, (g->n_node + 1) * sizeof(*out->nodes));
	out->inputs = pool_alloc_small(&m->mem, (g->n_input + 1) * sizeof(int));
	out->outputs = pool_alloc_small(&m->mem, (g->n_output + 1) * sizeof(int));
	if (!out->nodes || !out->inputs || !out->outputs ||
	    (rc = map_init(&sc.names, n_values)) == GRT_E_NOMEM) {
		map_free(&sc.names);
		return GRT_E_NOMEM;
	}
	l->sc = &sc;
	if ((rc = convert_initializers(l, g)) || (rc = convert_inputs(l, g, out)))
		goto out;
	for (size_t i = 0; i < g->n_node; i++) {
		rc = convert_node(l, g->node[i], &out->nodes[i], (int)i);
		out->n_nodes = (int)i + 1;
		if (rc)
			goto out;
	}
	for (size_t i = 0; i < g->n_node; i++)
		if ((rc = resolve_inputs(l, g->node[i], &out->nodes[i])))
			goto out;
	if ((rc = convert_outputs(l, g, out)))
		goto out;
	if (sc.parent)
		rc = scope_captures(l, &sc, out);
out:
	l->sc = sc.parent;
	map_free(&sc.names);
	free(sc.caps);
	return rc;
}

static int convert_metadata(struct loader *l, const Onnx__ModelProto *mp)
{
	grt_model *m = l->m;

	m->meta = pool_alloc(&m->mem, (mp->n_metadata_props + 1) * sizeof(*m->meta));
	if (!m->meta)
		return GRT_E_NOMEM;
	for (size_t i = 0; i < mp->n_metadata_props; i++) {
		const Onnx__StringStringEntryProto *e = mp->metadata_props[i];
		const char *k = e->key ? e->key : "", *v = e->value ? e->value : "";
		m->meta[i].key = pool_strdup(&m->mem, k, strlen(k));
		m->meta[i].value = pool_strdup(&m->mem, v, strlen(v));
		if (!m->meta[i].key || !m->meta[i].value)
			return GRT_E_NOMEM;
		m->n_meta++;
	}
	return GRT_OK;
}

static int convert_model(struct loader *l, const Onnx__ModelProto *mp)
{
	grt_model *m = l->m;
	struct model_graph main_graph = { 0 };
	int rc;

	if ((rc = convert_versions(l, mp)) || (rc = alloc_model(l, mp->graph)) ||
	    (rc = convert_graph(l, mp->graph, &main_graph)))
		return rc;
	m->n_nodes = main_graph.n_nodes;
	m->nodes = main_graph.nodes;
	m->n_inputs = main_graph.n_inputs;
	m->inputs = main_graph.inputs;
	m->n_outputs = main_graph.n_outputs;
	m->outputs = main_graph.outputs;
	return convert_metadata(l, mp);
}

int model_convert(grt_model *m, const void *proto, struct parse_arena *arena,
                  const struct fn_expansion *fx, char *err, size_t err_len)
{
	struct loader l = { 0 };

	l.m = m;
	l.arena = arena;
	l.fx = fx;
	l.err = err;
	l.err_len = err_len;
	return convert_model(&l, proto);
}

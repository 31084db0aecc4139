/* model.c - ONNX bytes -> the runtime's own graph (values, nodes, weights).
 * Parses with protobuf-c, validates what the ONNX IR spec requires, copies
 * everything into one memory pool, resolves each node's operator, sorts the
 * nodes topologically and frees the protobuf tree. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "proto/onnx.pb-c.h"
#include "runtime/internal.h"

#define MIN_IR_VERSION 3      /* opset_import exists from IR 3 */
#define MAX_IR_VERSION 10

int grt_read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t err_len);

/* --- the parse tree's memory --- */

/* protobuf-c allocates the tree node by node: thousands of small blocks for
 * an unsimplified export, freed again as soon as the model is converted.
 * From malloc they would leave the heap holey and resident for the life of
 * the process; here they are carved from private mappings that go back to
 * the system whole. Large blocks (weights' raw bytes) get a mapping each,
 * so that the loader can give them back one by one as it copies them. */

#define PARSE_CHUNK (256 * 1024)
#define PARSE_BIG   (32 * 1024)

struct parse_block { struct parse_block *next; size_t size, used; };   /* 32 bytes */
#define PARSE_HDR ((sizeof(struct parse_block) + 15) & ~(size_t)15)

struct parse_arena {
	struct parse_block *chunks;     /* head: the one being carved */
	struct parse_block *big;
};

static struct parse_block *parse_map(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct parse_block *b;

	if (p == MAP_FAILED)
		return NULL;
	b = p;
	b->size = size;
	b->used = PARSE_HDR;
	return b;
}

static void *parse_alloc(void *data, size_t size)
{
	struct parse_arena *a = data;
	struct parse_block *b = a->chunks;

	size = (size + 15) & ~(size_t)15;
	if (size >= PARSE_BIG) {
		if (size > SIZE_MAX - PARSE_HDR || !(b = parse_map(PARSE_HDR + size)))
			return NULL;
		b->next = a->big;
		a->big = b;
		return (char *)b + PARSE_HDR;
	}
	if (!b || b->size - b->used < size) {
		if (!(b = parse_map(PARSE_CHUNK)))
			return NULL;
		b->next = a->chunks;
		a->chunks = b;
	}
	b->used += size;
	return (char *)b + b->used - size;
}

/* Small blocks go with their chunk; a large one goes now. */
static void parse_free(void *data, void *ptr)
{
	struct parse_arena *a = data;

	for (struct parse_block **pb = &a->big; ptr && *pb; pb = &(*pb)->next)
		if ((char *)*pb + PARSE_HDR == ptr) {
			struct parse_block *b = *pb;
			*pb = b->next;
			munmap(b, b->size);
			return;
		}
}

static void parse_arena_free(struct parse_arena *a)
{
	struct parse_block *b, *next;

	for (int list = 0; list < 2; list++)
		for (b = list ? a->big : a->chunks; b; b = next) {
			next = b->next;
			munmap(b, b->size);
		}
	a->chunks = a->big = NULL;
}

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

/* Widens a value that keep_int64() narrowed into out[numel]. */
void model_widen(const grt_model *m, int v, int64_t *out)
{
	const struct value_info *vi = &m->values[v];
	const int64_t n = vi->init->numel;

	for (int64_t i = 0; i < n; i++)
		switch (vi->narrow_size) {
		case 1: out[i] = ((const int8_t *)vi->narrow)[i]; break;
		case 2: out[i] = ((const int16_t *)vi->narrow)[i]; break;
		default: out[i] = ((const int32_t *)vi->narrow)[i]; break;
		}
}

/* --- nesting --- */

/* protobuf-c unpacks nested messages by recursion, so a small file that nests
 * subgraphs (or sequence types) thousands deep would overflow the stack. The
 * wire format is walked first, without recursion, through the fields where
 * ONNX messages can contain themselves; deeper than MAX_NESTING is refused. */
#define MAX_NESTING 64

enum msg_kind { M_MODEL, M_GRAPH, M_NODE, M_ATTR, M_VALUE, M_TYPE, M_TYPE_ELEM, M_TYPE_MAP,
                M_FUNCTION, M_TRAINING, M_OTHER };

/* The kind of field `field` of a `kind` message, or M_OTHER if it cannot lead
 * back to a recursive message (then it is skipped whole). */
static enum msg_kind child_kind(enum msg_kind kind, uint64_t field)
{
	switch (kind) {
	case M_MODEL:
		return field == 7 ? M_GRAPH : field == 20 ? M_TRAINING : field == 25 ? M_FUNCTION :
		       M_OTHER;
	case M_GRAPH:
		return field == 1 ? M_NODE : field >= 11 && field <= 13 ? M_VALUE : M_OTHER;
	case M_NODE:
		return field == 5 ? M_ATTR : M_OTHER;
	case M_ATTR:
		return field == 6 || field == 11 ? M_GRAPH : field == 14 || field == 15 ? M_TYPE :
		       M_OTHER;
	case M_VALUE:
		return field == 2 ? M_TYPE : M_OTHER;
	case M_TYPE:         /* sequence_type, optional_type / map_type */
		return field == 4 || field == 9 ? M_TYPE_ELEM : field == 5 ? M_TYPE_MAP : M_OTHER;
	case M_TYPE_ELEM:
		return field == 1 ? M_TYPE : M_OTHER;
	case M_TYPE_MAP:
		return field == 2 ? M_TYPE : M_OTHER;
	case M_FUNCTION:
		return field == 7 ? M_NODE : field == 11 ? M_ATTR : field == 12 ? M_VALUE : M_OTHER;
	case M_TRAINING:
		return field == 1 || field == 2 ? M_GRAPH : M_OTHER;
	default:
		return M_OTHER;
	}
}

static int read_varint(const uint8_t *p, size_t end, size_t *at, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && *at < end; shift += 7) {
		uint8_t b = p[(*at)++];
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 1;
	}
	return 0;
}

static int check_nesting(const uint8_t *p, size_t len, char *err, size_t err_len)
{
	size_t end[MAX_NESTING + 1], at = 0;
	enum msg_kind kind[MAX_NESTING + 1];
	int depth = 0;

	end[0] = len;
	kind[0] = M_MODEL;
	for (;;) {
		uint64_t key, v;
		while (depth > 0 && at == end[depth])
			depth--;                          /* that message is done */
		if (at == end[depth] && depth == 0)
			return GRT_OK;
		if (!read_varint(p, end[depth], &at, &key))
			break;
		switch (key & 7) {
		case 0:
			if (!read_varint(p, end[depth], &at, &v))
				goto bad;
			continue;
		case 1:
			v = 8;
			break;
		case 5:
			v = 4;
			break;
		case 2:
			if (!read_varint(p, end[depth], &at, &v))
				goto bad;
			break;
		default:
			goto bad;
		}
		if (v > end[depth] - at)
			goto bad;
		if ((key & 7) == 2 && child_kind(kind[depth], key >> 3) != M_OTHER) {
			if (depth == MAX_NESTING) {
				set_err(err, err_len, "the model nests messages (subgraphs or types) "
				        "deeper than %d levels", MAX_NESTING);
				return GRT_E_LIMIT;
			}
			kind[depth + 1] = child_kind(kind[depth], key >> 3);
			end[depth + 1] = at + (size_t)v;
			depth++;
			continue;
		}
		at += (size_t)v;
	}
bad:
	set_err(err, err_len, "not an ONNX model: the %zu bytes do not parse as onnx.ModelProto "
	        "(truncated or corrupt file? the wire format breaks at byte %zu)", len, at);
	return GRT_E_PARSE;
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

struct loader {
	grt_model *m;
	struct parse_arena *arena;      /* the protobuf tree's memory */
	struct name_map names;
	int cap_values;
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
	map_put(&l->names, v->name, m->n_values);
	*id = m->n_values++;
	return GRT_OK;
}

static int read_type(struct loader *l, const Onnx__ValueInfoProto *vi, struct value_decl *v)
{
	const Onnx__TypeProto *tp = vi->type;
	const Onnx__TensorShapeProto *sp;

	if (!tp)
		return GRT_OK;
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
	case ATTR_TENSORS: case ATTR_GRAPH: case ATTR_GRAPHS:
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

static int convert_node(struct loader *l, const Onnx__NodeProto *np, int idx)
{
	grt_model *m = l->m;
	struct model_node *mn = &m->nodes[idx];
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
		if (map_get(&l->names, name) >= 0) {
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

static int resolve_inputs(struct loader *l, const Onnx__NodeProto *np, int idx)
{
	struct model_node *mn = &l->m->nodes[idx];

	for (size_t i = 0; i < np->n_input; i++) {
		const char *name = np->input[i];
		int id;
		if (!name[0]) {
			mn->inputs[i] = -1;
			continue;
		}
		id = map_get(&l->names, name);
		if (id < 0) {
			set_err(l->err, l->err_len, "node '%s' (%s): input '%s' is not a graph input, "
			        "initializer or node output", node_label(np), np->op_type, name);
			return GRT_E_MISSING;
		}
		mn->inputs[i] = id;
	}
	return GRT_OK;
}

/* Min-heap of node indices: Kahn's algorithm that picks the ready node that
 * comes first in the file, so an already sorted graph keeps its order. */
static void heap_push(int *h, int *n, int v)
{
	int i = (*n)++;

	for (; i > 0 && h[(i - 1) / 2] > v; i = (i - 1) / 2)
		h[i] = h[(i - 1) / 2];
	h[i] = v;
}

static int heap_pop(int *h, int *n)
{
	int top = h[0], v = h[--*n], i = 0;

	for (;;) {
		int c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1] < h[c])
			c++;
		if (h[c] >= v)
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = v;
	return top;
}

int model_topo_sort(grt_model *m, char *err, size_t err_len)
{
	int n = m->n_nodes, nv = m->n_values, rc = GRT_OK, done = 0, n_heap = 0, n_edges = 0;
	int *pending = calloc((size_t)n + 1, sizeof(int));
	int *order = calloc((size_t)n + 1, sizeof(int));
	int *heap = calloc((size_t)n + 1, sizeof(int));
	int *first = calloc((size_t)nv + 2, sizeof(int));      /* CSR: value -> consumers */
	int *cons = NULL;
	struct model_node *sorted = calloc((size_t)n + 1, sizeof(*sorted));

	if (!pending || !order || !heap || !first || !sorted) {
		rc = GRT_E_NOMEM;
		goto out;
	}
	for (int i = 0; i < n; i++)
		for (int k = 0; k < m->nodes[i].n_inputs; k++) {
			int v = m->nodes[i].inputs[k];
			if (v >= 0 && m->values[v].producer >= 0) {
				pending[i]++;
				first[v + 1]++;
				n_edges++;
			}
		}
	for (int v = 0; v < nv; v++)
		first[v + 1] += first[v];
	cons = calloc((size_t)n_edges + 1, sizeof(int));
	if (!cons) {
		rc = GRT_E_NOMEM;
		goto out;
	}
	for (int i = 0; i < n; i++)
		for (int k = 0; k < m->nodes[i].n_inputs; k++) {
			int v = m->nodes[i].inputs[k];
			if (v >= 0 && m->values[v].producer >= 0)
				cons[first[v]++] = i;
		}
	for (int v = nv; v > 0; v--)       /* undo the cursor advance */
		first[v] = first[v - 1];
	first[0] = 0;
	for (int i = 0; i < n; i++)
		if (!pending[i])
			heap_push(heap, &n_heap, i);
	while (n_heap) {
		int i = heap_pop(heap, &n_heap);
		order[done++] = i;
		for (int o = 0; o < m->nodes[i].n_outputs; o++) {
			int v = m->nodes[i].outputs[o];
			if (v < 0)
				continue;
			for (int e = first[v]; e < first[v + 1]; e++)
				if (--pending[cons[e]] == 0)
					heap_push(heap, &n_heap, cons[e]);
		}
	}
	if (done < n) {
		int i = 0;
		while (pending[i] <= 0)
			i++;
		/* walk back through unfinished producers: after n steps we are on the cycle */
		for (int step = 0; step < n; step++)
			for (int k = 0; k < m->nodes[i].n_inputs; k++) {
				int v = m->nodes[i].inputs[k];
				if (v >= 0 && m->values[v].producer >= 0 &&
				    pending[m->values[v].producer] > 0) {
					i = m->values[v].producer;
					break;
				}
			}
		set_err(err, err_len, "node '%s' (%s) is on a cycle: the graph is not a DAG",
		        m->nodes[i].name[0] ? m->nodes[i].name : "?", m->nodes[i].op_type);
		rc = GRT_E_CYCLE;
		goto out;
	}
	for (int i = 0; i < n; i++)
		sorted[i] = m->nodes[order[i]];
	memcpy(m->nodes, sorted, (size_t)n * sizeof(*sorted));
	for (int i = 0; i < n; i++)
		for (int o = 0; o < m->nodes[i].n_outputs; o++)
			if (m->nodes[i].outputs[o] >= 0)
				m->values[m->nodes[i].outputs[o]].producer = i;
out:
	free(pending);
	free(order);
	free(heap);
	free(first);
	free(cons);
	free(sorted);
	return rc;
}

static int convert_model(struct loader *l, const Onnx__ModelProto *mp)
{
	grt_model *m = l->m;
	const Onnx__GraphProto *g = mp->graph;
	size_t n_values;
	int rc, found = 0;

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
	if (!g) {
		set_err(l->err, l->err_len, "model has no graph");
		return GRT_E_INVALID_MODEL;
	}
	if (g->n_sparse_initializer) {
		set_err(l->err, l->err_len, "sparse initializers are not supported");
		return GRT_E_UNSUPPORTED;
	}
	if (g->n_node > (1u << 24) || g->n_initializer > (1u << 24) || g->n_input > (1u << 20)) {
		set_err(l->err, l->err_len, "graph too large");
		return GRT_E_LIMIT;
	}

	n_values = g->n_initializer + g->n_input;
	for (size_t i = 0; i < g->n_node; i++)
		n_values += g->node[i]->n_output;
	if (n_values > (1u << 26)) {
		set_err(l->err, l->err_len, "graph too large");
		return GRT_E_LIMIT;
	}
	l->cap_values = (int)n_values;
	m->values = pool_alloc(&m->mem, (n_values + 1) * sizeof(*m->values));
	m->nodes = pool_alloc(&m->mem, (g->n_node + 1) * sizeof(*m->nodes));
	m->inputs = pool_alloc(&m->mem, (g->n_input + 1) * sizeof(int));
	m->outputs = pool_alloc(&m->mem, (g->n_output + 1) * sizeof(int));
	if (!m->values || !m->nodes || !m->inputs || !m->outputs)
		return GRT_E_NOMEM;
	rc = map_init(&l->names, n_values);
	if (rc)
		return rc;

	/* initializers */
	for (size_t i = 0; i < g->n_initializer; i++) {
		const Onnx__TensorProto *tp = g->initializer[i];
		struct tensor *t;
		int id;
		if (!tp->name || !tp->name[0]) {
			set_err(l->err, l->err_len, "initializer %zu has no name", i);
			return GRT_E_INVALID_MODEL;
		}
		if (map_get(&l->names, tp->name) >= 0) {
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
	/* graph inputs; one that names an initializer is that initializer's
	 * declaration (IR < 4 style), not a run-time input */
	for (size_t i = 0; i < g->n_input; i++) {
		const Onnx__ValueInfoProto *vi = g->input[i];
		struct value_decl *decl;
		int id;
		if (!vi->name || !vi->name[0]) {
			set_err(l->err, l->err_len, "graph input %zu has no name", i);
			return GRT_E_INVALID_MODEL;
		}
		id = map_get(&l->names, vi->name);
		if (id >= 0 && m->values[id].init)
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
		if (decl->dtype == DT_UNDEFINED || decl->ndim < 0) {
			set_err(l->err, l->err_len, "graph input '%s' has no tensor type or shape",
			        vi->name);
			return GRT_E_INVALID_MODEL;
		}
		if (!dtype_size(decl->dtype)) {
			set_err(l->err, l->err_len, "graph input '%s': element type %s is not supported",
			        vi->name, dtype_name(decl->dtype));
			return GRT_E_UNSUPPORTED;
		}
		m->values[id].graph_input = m->n_inputs;
		m->inputs[m->n_inputs++] = id;
	}
	/* nodes: outputs first (any order in the file), then inputs */
	for (size_t i = 0; i < g->n_node; i++) {
		rc = convert_node(l, g->node[i], (int)i);
		m->n_nodes = (int)i + 1;
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < g->n_node; i++)
		if ((rc = resolve_inputs(l, g->node[i], (int)i)))
			return rc;
	/* graph outputs */
	for (size_t i = 0; i < g->n_output; i++) {
		const Onnx__ValueInfoProto *vi = g->output[i];
		int id = vi->name ? map_get(&l->names, vi->name) : -1;
		struct value_decl tmp = { 0 }, *decl;
		if (id < 0) {
			set_err(l->err, l->err_len, "graph output '%s' is not produced by any node",
			        vi->name ? vi->name : "");
			return GRT_E_MISSING;
		}
		tmp.ndim = -1;
		if ((rc = read_type(l, vi, &tmp)))
			return rc;
		if (m->values[id].producer >= 0) {    /* keep the declaration for introspection */
			if (!(decl = pool_alloc_small(&m->mem, sizeof(*decl))))
				return GRT_E_NOMEM;
			*decl = tmp;
			m->values[id].decl = decl;
		}
		m->outputs[m->n_outputs++] = id;
	}
	/* metadata */
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
	return model_topo_sort(m, l->err, l->err_len);
}

/* How load_buffer gives buf back once it is parsed. */
enum buf_owner { BUF_CALLER, BUF_MALLOC, BUF_MAPPED };

static void release(const void *buf, size_t len, enum buf_owner owner)
{
	if (owner == BUF_MALLOC)
		free((void *)buf);
	else if (owner == BUF_MAPPED)
		munmap((void *)buf, len);
}

/* Parses buf; unless the caller owns it, gives it back as soon as it is
 * parsed. */
static int load_buffer(const void *buf, size_t len, enum buf_owner owned, grt_model **out,
                       char *err, size_t err_len)
{
	struct parse_arena arena = { NULL, NULL };
	ProtobufCAllocator alloc = { parse_alloc, parse_free, &arena };
	Onnx__ModelProto *mp;
	struct loader l = { 0 };
	grt_model *m;
	int rc;

	if ((rc = check_nesting(buf, len, err, err_len))) {
		release(buf, len, owned);
		return rc;
	}
	mp = onnx__model_proto__unpack(&alloc, len, buf);
	release(buf, len, owned);
	if (!mp) {
		parse_arena_free(&arena);
		set_err(err, err_len, "not an ONNX model: the %zu bytes do not parse as "
		        "onnx.ModelProto (truncated or corrupt file?)", len);
		return GRT_E_PARSE;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		parse_arena_free(&arena);
		set_err(err, err_len, "out of memory");
		return GRT_E_NOMEM;
	}
	l.m = m;
	l.arena = &arena;
	l.err = err;
	l.err_len = err_len;
	rc = convert_model(&l, mp);
	map_free(&l.names);
	parse_arena_free(&arena);     /* the whole tree */
	if (rc) {
		if (rc == GRT_E_NOMEM)
			set_err(err, err_len, "out of memory while loading the model");
		grt_model_free(m);
		return rc;
	}
	*out = m;
	return GRT_OK;
}

int grt_model_load_buffer(const void *buf, size_t len, grt_model **out, char *err, size_t err_len)
{
	if (!out || (!buf && len)) {
		set_err(err, err_len, "grt_model_load_buffer: NULL argument");
		return GRT_E_ARG;
	}
	*out = NULL;
	return load_buffer(buf, len, BUF_CALLER, out, err, err_len);
}

/* Maps a regular file read-only. GRT_E_UNSUPPORTED: not a regular file (or
 * empty, or cannot be mapped): read it instead. */
static int map_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t err_len)
{
	struct stat sb;
	void *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		set_err(err, err_len, "%s", strerror(errno));
		return GRT_E_IO;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size == 0) {
		close(fd);
		return GRT_E_UNSUPPORTED;
	}
	if ((uint64_t)sb.st_size > ((uint64_t)2 << 30)) {
		close(fd);
		set_err(err, err_len, "the file has %lld bytes, more than 2 GiB, the most a protobuf "
		        "file can hold", (long long)sb.st_size);
		return GRT_E_LIMIT;
	}
	p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return GRT_E_UNSUPPORTED;
	*buf = p;
	*len = (size_t)sb.st_size;
	return GRT_OK;
}

int grt_model_load_file(const char *path, grt_model **out, char *err, size_t err_len)
{
	uint8_t *buf;
	size_t len;
	int rc;

	if (!path || !out) {
		set_err(err, err_len, "grt_model_load_file: NULL argument");
		return GRT_E_ARG;
	}
	*out = NULL;
	rc = map_file(path, &buf, &len, err, err_len);
	if (rc == GRT_OK) {
		/* mapped: a garbage file fails at its first bad bytes, whatever its
		 * size, and the parse reads the page cache directly */
		rc = load_buffer(buf, len, BUF_MAPPED, out, err, err_len);   /* unmaps buf */
	} else if (rc == GRT_E_UNSUPPORTED) {   /* a pipe, an empty file: read it */
		rc = grt_read_file(path, &buf, &len, err, err_len);
		if (rc)
			return rc;                      /* the message names the file */
		rc = load_buffer(buf, len, BUF_MALLOC, out, err, err_len);   /* frees buf */
	}
	if (rc && err && err_len) {     /* prefix the file name */
		size_t n = strlen(path) + 2;
		if (n < err_len) {
			memmove(err + n, err, err_len - n);
			err[err_len - 1] = 0;
			memcpy(err, path, n - 2);
			err[n - 2] = ':';
			err[n - 1] = ' ';
		}
	}
	return rc;
}

void grt_model_free(grt_model *m)
{
	if (!m)
		return;
	pool_free(&m->mem);
	free(m);
}

/* --- introspection --- */

int grt_model_n_inputs(const grt_model *m) { return m ? m->n_inputs : 0; }
int grt_model_n_outputs(const grt_model *m) { return m ? m->n_outputs : 0; }
int grt_model_n_nodes(const grt_model *m) { return m ? m->n_nodes : 0; }
int64_t grt_model_ir_version(const grt_model *m) { return m ? m->ir_version : 0; }
int grt_model_opset(const grt_model *m) { return m ? m->opset : 0; }
int grt_model_n_metadata(const grt_model *m) { return m ? m->n_meta : 0; }

static int value_out(const struct value_info *v, const char **name, grt_value *info,
                     const char **dim_names)
{
	if (name)
		*name = v->name;
	const struct value_decl *dc = v->decl;
	struct value_decl of_init = { DT_UNDEFINED, -1, { 0 }, NULL };

	if (!dc && v->init) {        /* an initializer (or a graph input naming one) */
		of_init.dtype = v->init->dtype;
		of_init.ndim = v->init->ndim;
		memcpy(of_init.dims, v->init->dims, sizeof(of_init.dims));
	}
	if (!dc)
		dc = &of_init;
	if (info) {
		memset(info, 0, sizeof(*info));
		info->dtype = (grt_dtype)dc->dtype;
		info->ndim = dc->ndim;
		for (int d = 0; d < dc->ndim; d++)
			info->dims[d] = dc->dims[d];
	}
	if (dim_names)
		for (int d = 0; d < MAX_DIMS; d++)
			dim_names[d] = d < dc->ndim && dc->dim_names ? dc->dim_names[d] : NULL;
	return GRT_OK;
}

int grt_model_input(const grt_model *m, int i, const char **name, grt_value *info,
                    const char **dim_names)
{
	if (!m || i < 0 || i >= m->n_inputs)
		return GRT_E_ARG;
	return value_out(&m->values[m->inputs[i]], name, info, dim_names);
}

int grt_model_output(const grt_model *m, int i, const char **name, grt_value *info,
                     const char **dim_names)
{
	if (!m || i < 0 || i >= m->n_outputs)
		return GRT_E_ARG;
	return value_out(&m->values[m->outputs[i]], name, info, dim_names);
}

int grt_model_find_input(const grt_model *m, const char *name)
{
	for (int i = 0; m && name && i < m->n_inputs; i++)
		if (!strcmp(m->values[m->inputs[i]].name, name))
			return i;
	return -1;
}

int grt_model_find_output(const grt_model *m, const char *name)
{
	for (int i = 0; m && name && i < m->n_outputs; i++)
		if (!strcmp(m->values[m->outputs[i]].name, name))
			return i;
	return -1;
}

int grt_model_metadata_at(const grt_model *m, int i, const char **key, const char **value)
{
	if (!m || i < 0 || i >= m->n_meta)
		return GRT_E_ARG;
	if (key)
		*key = m->meta[i].key;
	if (value)
		*value = m->meta[i].value;
	return GRT_OK;
}

const char *grt_model_metadata(const grt_model *m, const char *key)
{
	for (int i = 0; m && key && i < m->n_meta; i++)
		if (!strcmp(m->meta[i].key, key))
			return m->meta[i].value;
	return NULL;
}

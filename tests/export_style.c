/* export_style.c - see export_style.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/export_style.h"
#include "tests/modelgen.h"


Onnx__ModelProto *es_load(const char *path)
{
	FILE *f = fopen(path, "rb");
	Onnx__ModelProto *mp = NULL;
	uint8_t *buf;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = xcalloc((size_t)len, 1);
		if (fread(buf, 1, (size_t)len, f) == (size_t)len)
			mp = onnx__model_proto__unpack(NULL, (size_t)len, buf);
		free(buf);
	}
	fclose(f);
	return mp;
}

void es_pack(const Onnx__ModelProto *mp, uint8_t **buf, size_t *len)
{
	*buf = xcalloc(onnx__model_proto__get_packed_size(mp), 1);
	*len = onnx__model_proto__pack(mp, *buf);
}

static int is_default(const char *domain)
{
	return !domain || !domain[0] || !strcmp(domain, "ai.onnx");
}

/* Sets (or adds) the import of domain in imports[*n]. */
static void set_import(Onnx__OperatorSetIdProto ***imports, size_t *n, const char *domain,
                       int64_t version)
{
	for (size_t i = 0; i < *n; i++)
		if (is_default((*imports)[i]->domain) ? is_default(domain) :
		    !strcmp((*imports)[i]->domain, domain)) {
			(*imports)[i]->version = version;
			return;
		}
	GROW(*imports, *n);
	(*imports)[(*n)++] = mg_opset_import(domain, version);
}

void es_set_versions(Onnx__ModelProto *mp, int64_t ir, int64_t opset)
{
	mp->has_ir_version = 1;
	mp->ir_version = ir;
	set_import(&mp->opset_import, &mp->n_opset_import, "", opset);
}

static void remove_attr(Onnx__NodeProto *np, size_t k)
{
	onnx__attribute_proto__free_unpacked(np->attribute[k], NULL);
	memmove(&np->attribute[k], &np->attribute[k + 1],
	        (np->n_attribute - k - 1) * sizeof(*np->attribute));
	np->n_attribute--;
}

static int is_reduce_18(const char *op_type)
{
	return !strncmp(op_type, "Reduce", 6) && strcmp(op_type, "ReduceSum");
}

static int is_squeeze_13(const char *op_type)
{
	return !strcmp(op_type, "Squeeze") || !strcmp(op_type, "Unsqueeze");
}

/* The axes attribute of each node that match() accepts becomes an initializer input. */
static int axes_as_input(Onnx__ModelProto *mp, int (*match)(const char *op_type))
{
	Onnx__GraphProto *g = mp->graph;
	int changed = 0;

	for (size_t i = 0; i < g->n_node; i++) {
		Onnx__NodeProto *np = g->node[i];
		Onnx__TensorProto *t;
		char name[512];
		if (!is_default(np->domain) || !match(np->op_type))
			continue;
		for (size_t k = 0; k < np->n_attribute; k++) {
			const Onnx__AttributeProto *a = np->attribute[k];
			if (strcmp(a->name, "axes"))
				continue;
			snprintf(name, sizeof(name), "%s::axes", np->output[0]);
			t = xcalloc(1, sizeof(*t));
			onnx__tensor_proto__init(t);
			t->name = xstrdup(name);
			t->has_data_type = 1;
			t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
			t->n_dims = 1;
			t->dims = xcalloc(1, sizeof(int64_t));
			t->dims[0] = (int64_t)a->n_ints;
			t->n_int64_data = a->n_ints;
			t->int64_data = xcalloc(a->n_ints, sizeof(int64_t));
			memcpy(t->int64_data, a->ints, a->n_ints * sizeof(int64_t));
			GROW(g->initializer, g->n_initializer);
			g->initializer[g->n_initializer++] = t;
			GROW(np->input, np->n_input);      /* (data, axes) */
			np->input[np->n_input++] = xstrdup(name);
			remove_attr(np, k);
			changed++;
			break;
		}
	}
	return changed;
}

int es_reduce_axes_as_input(Onnx__ModelProto *mp)
{
	return axes_as_input(mp, is_reduce_18);
}

int es_squeeze_axes_as_input(Onnx__ModelProto *mp)
{
	return axes_as_input(mp, is_squeeze_13);
}

/* --- model-local functions --- */

static Onnx__AttributeProto *ref_attr(const Onnx__AttributeProto *like)
{
	Onnx__AttributeProto *a = xcalloc(1, sizeof(*a));

	onnx__attribute_proto__init(a);
	a->name = xstrdup(like->name);
	a->ref_attr_name = xstrdup(like->name);
	a->has_type = 1;
	a->type = like->type;
	return a;
}

static char **names(const char *stem, size_t n)
{
	char **v = xcalloc(n, sizeof(char *));
	char s[64];

	for (size_t i = 0; i < n; i++) {
		snprintf(s, sizeof(s), "%s%zu", stem, i);
		v[i] = xstrdup(s);
	}
	return v;
}

/* fn_name(in0.., out0.., attributes attrs) whose body is one node op_type
 * (domain) with the same formals, every attribute by reference. */
static Onnx__FunctionProto *wrapper(const char *domain, const char *fn_name,
                                    const char *op_type, const char *op_domain, size_t n_in,
                                    size_t n_out, Onnx__AttributeProto **attrs, size_t n_attrs)
{
	Onnx__FunctionProto *f = xcalloc(1, sizeof(*f));
	Onnx__NodeProto *np = xcalloc(1, sizeof(*np));

	onnx__function_proto__init(f);
	onnx__node_proto__init(np);
	f->domain = xstrdup(domain);
	f->name = xstrdup(fn_name);
	f->n_input = np->n_input = n_in;
	f->input = names("in", n_in);
	np->input = names("in", n_in);
	f->n_output = np->n_output = n_out;
	f->output = names("out", n_out);
	np->output = names("out", n_out);
	f->n_attribute = np->n_attribute = n_attrs;
	f->attribute = xcalloc(n_attrs, sizeof(char *));
	np->attribute = xcalloc(n_attrs, sizeof(*np->attribute));
	for (size_t k = 0; k < n_attrs; k++) {
		f->attribute[k] = xstrdup(attrs[k]->name);
		np->attribute[k] = ref_attr(attrs[k]);
	}
	np->op_type = xstrdup(op_type);
	np->domain = xstrdup(op_domain);
	np->name = xstrdup(op_type);
	f->n_node = 1;
	f->node = xcalloc(1, sizeof(*f->node));
	f->node[0] = np;
	return f;
}

/* Whether a serialises to packed[len]. */
static int same_value(const Onnx__AttributeProto *a, const uint8_t *packed, size_t len)
{
	uint8_t *pa;
	int same;

	if (len != onnx__attribute_proto__get_packed_size(a))
		return 0;
	pa = xcalloc(len, 1);
	onnx__attribute_proto__pack(a, pa);
	same = !memcmp(pa, packed, len);
	free(pa);
	return same;
}

static void add_function(Onnx__ModelProto *mp, Onnx__FunctionProto *f)
{
	GROW(mp->functions, mp->n_functions);
	mp->functions[mp->n_functions++] = f;
}

int es_wrap_in_functions(Onnx__ModelProto *mp, const char *op_type, const char *domain,
                         const char *name, int64_t inner_opset, const char *default_attr)
{
	Onnx__GraphProto *g = mp->graph;
	Onnx__AttributeProto **attrs = NULL, *dflt = NULL;
	Onnx__FunctionProto *outer, *inner;
	size_t n_in = 0, n_out = 0, n_attrs = 0, model_opset = 0;
	char impl[256];
	uint8_t *packed = NULL;
	size_t len = 0;
	int changed = 0;

	for (size_t i = 0; i < g->n_node; i++) {     /* the formals: the widest node's */
		const Onnx__NodeProto *np = g->node[i];
		if (!is_default(np->domain) || strcmp(np->op_type, op_type))
			continue;
		n_in = np->n_input > n_in ? np->n_input : n_in;
		n_out = np->n_output > n_out ? np->n_output : n_out;
		for (size_t k = 0; k < np->n_attribute; k++) {
			size_t j = 0;
			while (j < n_attrs && strcmp(attrs[j]->name, np->attribute[k]->name))
				j++;
			if (j < n_attrs)
				continue;
			GROW(attrs, n_attrs);
			attrs[n_attrs++] = np->attribute[k];
			if (!dflt && default_attr && !strcmp(np->attribute[k]->name, default_attr))
				dflt = np->attribute[k];
		}
	}
	if (!n_out)
		return 0;
	for (size_t i = 0; i < mp->n_opset_import; i++)
		if (is_default(mp->opset_import[i]->domain))
			model_opset = (size_t)mp->opset_import[i]->version;
	snprintf(impl, sizeof(impl), "%s_impl", name);
	inner = wrapper(domain, impl, op_type, "", n_in, n_out, attrs, n_attrs);
	set_import(&inner->opset_import, &inner->n_opset_import, "", inner_opset);
	outer = wrapper(domain, name, impl, domain, n_in, n_out, attrs, n_attrs);
	set_import(&outer->opset_import, &outer->n_opset_import, "", (int64_t)model_opset);
	set_import(&outer->opset_import, &outer->n_opset_import, domain, 1);
	if (dflt) {     /* FunctionProto.attribute_proto = 11 */
		len = onnx__attribute_proto__get_packed_size(dflt);
		packed = xcalloc(len, 1);
		onnx__attribute_proto__pack(dflt, packed);
		mg_unknown_field(&inner->base, 11, packed, len);
	}
	free(attrs);        /* the nodes' own attributes: some go now */
	for (size_t i = 0; i < g->n_node; i++) {
		Onnx__NodeProto *np = g->node[i];
		if (!is_default(np->domain) || strcmp(np->op_type, op_type))
			continue;
		for (size_t k = np->n_attribute; k-- > 0; )
			if (packed && same_value(np->attribute[k], packed, len))
				remove_attr(np, k);
		free(np->op_type);
		free(np->domain);
		np->op_type = xstrdup(name);
		np->domain = xstrdup(domain);
		changed++;
	}
	add_function(mp, outer);
	add_function(mp, inner);
	set_import(&mp->opset_import, &mp->n_opset_import, domain, 1);
	free(packed);
	return changed;
}

/* --- the unfold as GatherND --- */

static Onnx__NodeProto *producer(const Onnx__GraphProto *g, const char *name)
{
	for (size_t i = 0; i < g->n_node; i++)
		for (size_t k = 0; k < g->node[i]->n_output; k++)
			if (!strcmp(g->node[i]->output[k], name))
				return g->node[i];
	return NULL;
}

/* The only node that reads name, or NULL (none, several, or a graph output). */
static Onnx__NodeProto *only_consumer(const Onnx__GraphProto *g, const char *name)
{
	Onnx__NodeProto *c = NULL;

	for (size_t i = 0; i < g->n_output; i++)
		if (!strcmp(g->output[i]->name, name))
			return NULL;
	for (size_t i = 0; i < g->n_node; i++)
		for (size_t k = 0; k < g->node[i]->n_input; k++)
			if (!strcmp(g->node[i]->input[k], name)) {
				if (c)
					return NULL;
				c = g->node[i];
			}
	return c;
}

static int64_t attr_int(const Onnx__NodeProto *np, const char *name, int64_t dflt)
{
	for (size_t k = 0; k < np->n_attribute; k++)
		if (!strcmp(np->attribute[k]->name, name))
			return np->attribute[k]->i;
	return dflt;
}

/* How many int64 values a Constant node or an initializer gives name, or -1. */
static long n_const_ints(const Onnx__GraphProto *g, const char *name)
{
	const Onnx__NodeProto *p = producer(g, name);
	const Onnx__TensorProto *t = NULL;

	if (p && !strcmp(p->op_type, "Constant") && p->n_attribute == 1)
		t = p->attribute[0]->t;
	for (size_t i = 0; !p && i < g->n_initializer; i++)
		if (!strcmp(g->initializer[i]->name, name))
			t = g->initializer[i];
	if (!t || t->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__INT64)
		return -1;
	return t->n_int64_data ? (long)t->n_int64_data : (long)(t->raw_data.len / 8);
}

/* Pad(X, constant pads) -> Gather(axis rank - 2) -> Gather: its nodes, and
 * X's rank; 0 if np does not start one. */
struct unfold { Onnx__NodeProto *pad, *g1, *g2; int rank; };

static int match_unfold(const Onnx__GraphProto *g, Onnx__NodeProto *np, struct unfold *u)
{
	long n_pads;

	if (strcmp(np->op_type, "Pad") || !is_default(np->domain) || np->n_input < 2 ||
	    (n_pads = n_const_ints(g, np->input[1])) < 4 || n_pads % 2)
		return 0;
	u->pad = np;
	u->rank = (int)(n_pads / 2);
	u->g1 = only_consumer(g, np->output[0]);
	if (!u->g1 || strcmp(u->g1->op_type, "Gather") || strcmp(u->g1->input[0], np->output[0]))
		return 0;
	if ((attr_int(u->g1, "axis", 0) + u->rank) % u->rank != u->rank - 2)
		return 0;
	u->g2 = only_consumer(g, u->g1->output[0]);
	return u->g2 && !strcmp(u->g2->op_type, "Gather") &&
	       !strcmp(u->g2->input[0], u->g1->output[0]);
}

int es_unfold_index_names(const Onnx__ModelProto *mp, const char **names, int max)
{
	struct unfold u;
	int n = 0;

	for (size_t i = 0; i < mp->graph->n_node; i++)
		if (match_unfold(mp->graph, mp->graph->node[i], &u) && n + 2 <= max) {
			names[n++] = u.g1->input[1];
			names[n++] = u.g2->input[1];
		}
	return n;
}

static const struct es_value *find_value(const struct es_value *vals, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(vals[i].name, name))
			return &vals[i];
	return NULL;
}

static Onnx__NodeProto *new_node(const char *op_type, const char *in0, const char *in1,
                                 const char *out)
{
	Onnx__NodeProto *np = xcalloc(1, sizeof(*np));

	onnx__node_proto__init(np);
	np->op_type = xstrdup(op_type);
	np->domain = xstrdup("");
	np->name = xstrdup(out);
	np->n_input = in1 ? 2 : 1;
	np->input = xcalloc(2, sizeof(char *));
	np->input[0] = xstrdup(in0);
	if (in1)
		np->input[1] = xstrdup(in1);
	np->n_output = 1;
	np->output = xcalloc(1, sizeof(char *));
	np->output[0] = xstrdup(out);
	return np;
}

static void set_perm(Onnx__NodeProto *np, const int64_t *perm, int n)
{
	Onnx__AttributeProto *a = xcalloc(1, sizeof(*a));

	onnx__attribute_proto__init(a);
	a->name = xstrdup("perm");
	a->has_type = 1;
	a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
	a->n_ints = (size_t)n;
	a->ints = xcalloc((size_t)n, sizeof(int64_t));
	memcpy(a->ints, perm, (size_t)n * sizeof(int64_t));
	np->n_attribute = 1;
	np->attribute = xcalloc(1, sizeof(*np->attribute));
	np->attribute[0] = a;
}

/* The GatherND indices of u: shape i1 dims + i2 dims + [2], (I1[a], I2[b]). */
static void add_indices(Onnx__GraphProto *g, const char *name, const struct es_value *i1,
                        const struct es_value *i2)
{
	Onnx__TensorProto *t = xcalloc(1, sizeof(*t));
	int64_t n1 = 1, n2 = 1;

	for (int d = 0; d < i1->ndim; d++)
		n1 *= i1->dims[d];
	for (int d = 0; d < i2->ndim; d++)
		n2 *= i2->dims[d];
	onnx__tensor_proto__init(t);
	t->name = xstrdup(name);
	t->has_data_type = 1;
	t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
	t->n_dims = (size_t)(i1->ndim + i2->ndim + 1);
	t->dims = xcalloc(t->n_dims, sizeof(int64_t));
	memcpy(t->dims, i1->dims, (size_t)i1->ndim * sizeof(int64_t));
	memcpy(t->dims + i1->ndim, i2->dims, (size_t)i2->ndim * sizeof(int64_t));
	t->dims[t->n_dims - 1] = 2;
	t->n_int64_data = (size_t)(n1 * n2 * 2);
	t->int64_data = xcalloc(t->n_int64_data, sizeof(int64_t));
	for (int64_t a = 0; a < n1; a++)
		for (int64_t b = 0; b < n2; b++) {
			t->int64_data[2 * (a * n2 + b)] = i1->data[a];
			t->int64_data[2 * (a * n2 + b) + 1] = i2->data[b];
		}
	GROW(g->initializer, g->n_initializer);
	g->initializer[g->n_initializer++] = t;
}

/* Replaces u's two Gathers by Transpose -> GatherND -> Transpose, where the
 * first Gather was. 0 if the second Gather is not on X's last axis. */
static int rewrite_unfold(Onnx__GraphProto *g, const struct unfold *u, const struct es_value *i1,
                          const struct es_value *i2, Onnx__NodeProto **dead, int *n_dead)
{
	const int r = u->rank, k = i1->ndim + i2->ndim, r1 = r - 1 + i1->ndim;
	int64_t first[8], back[8];
	char nm[3][512];
	Onnx__NodeProto *nodes[3];
	size_t at = 0;

	if (r > 8 || k + r - 2 > 8 || (attr_int(u->g2, "axis", 0) + r1) % r1 != r - 2 + i1->ndim)
		return 0;
	first[0] = r - 2;              /* [H, W, lead...] */
	first[1] = r - 1;
	for (int d = 0; d < r - 2; d++)
		first[2 + d] = d;
	for (int d = 0; d < r - 2; d++)  /* [idx..., lead...] -> [lead..., idx...] */
		back[d] = k + d;
	for (int d = 0; d < k; d++)
		back[r - 2 + d] = d;
	snprintf(nm[0], sizeof(nm[0]), "%s::last_axes_first", u->g2->output[0]);
	snprintf(nm[1], sizeof(nm[1]), "%s::indices", u->g2->output[0]);
	snprintf(nm[2], sizeof(nm[2]), "%s::gathered", u->g2->output[0]);
	add_indices(g, nm[1], i1, i2);
	nodes[0] = new_node("Transpose", u->pad->output[0], NULL, nm[0]);
	set_perm(nodes[0], first, r);
	nodes[1] = new_node("GatherND", nm[0], nm[1], nm[2]);
	nodes[2] = new_node("Transpose", nm[2], NULL, u->g2->output[0]);
	set_perm(nodes[2], back, k + r - 2);
	while (g->node[at] != u->g1)
		at++;
	g->node = realloc(g->node, (g->n_node + 2) * sizeof(*g->node));
	if (!g->node)
		abort();
	memmove(&g->node[at + 3], &g->node[at + 1], (g->n_node - at - 1) * sizeof(*g->node));
	memcpy(&g->node[at], nodes, sizeof(nodes));
	g->n_node += 2;
	for (at = 0; g->node[at] != u->g2; at++)
		;
	memmove(&g->node[at], &g->node[at + 1], (g->n_node - at - 1) * sizeof(*g->node));
	g->n_node--;
	/* freed by the caller once every unfold is rewritten: the index names the
	 * caller looks up (vals) are these nodes' strings */
	dead[(*n_dead)++] = u->g1;
	dead[(*n_dead)++] = u->g2;
	return 1;
}

int es_unfold_as_gathernd(Onnx__ModelProto *mp, const struct es_value *vals, int n_vals)
{
	Onnx__GraphProto *g = mp->graph;
	Onnx__NodeProto **dead = xcalloc(2 * g->n_node + 1, sizeof(*dead));
	int changed = 0, n_dead = 0;

	for (size_t i = 0; i < g->n_node; i++) {
		struct unfold u;
		const struct es_value *i1, *i2;
		if (!match_unfold(g, g->node[i], &u) ||
		    !(i1 = find_value(vals, n_vals, u.g1->input[1])) ||
		    !(i2 = find_value(vals, n_vals, u.g2->input[1])))
			continue;
		changed += rewrite_unfold(g, &u, i1, i2, dead, &n_dead);
	}
	for (int k = 0; k < n_dead; k++)
		onnx__node_proto__free_unpacked(dead[k], NULL);
	free(dead);
	return changed;
}

/* --- float16 --- */

/* IEEE half from float, rounded to nearest even. */
static uint16_t half_from_float(float f)
{
	uint32_t x, sign, mant;
	int32_t exp;

	memcpy(&x, &f, 4);
	sign = (x >> 16) & 0x8000;
	exp = (int32_t)((x >> 23) & 0xff) - 127 + 15;
	mant = x & 0x7fffff;
	if (((x >> 23) & 0xff) == 0xff)                    /* inf, nan */
		return (uint16_t)(sign | 0x7c00 | (mant ? 0x200 : 0));
	if (exp >= 31)
		return (uint16_t)(sign | 0x7c00);
	if (exp <= 0) {                                     /* subnormal or zero */
		uint32_t m, shift, h, rest, half;
		if (exp < -10)
			return (uint16_t)sign;
		m = mant | 0x800000;
		shift = (uint32_t)(14 - exp);
		h = m >> shift;
		rest = m & ((1u << shift) - 1);
		half = 1u << (shift - 1);
		if (rest > half || (rest == half && (h & 1)))
			h++;
		return (uint16_t)(sign | h);
	}
	{
		uint32_t h = sign | ((uint32_t)exp << 10) | (mant >> 13), rest = mant & 0x1fff;
		if (rest > 0x1000 || (rest == 0x1000 && (h & 1)))
			h++;                        /* may carry into the exponent: still right */
		return (uint16_t)h;
	}
}

/* A float tensor (typed or raw) as float16 raw data. */
static int tensor_to_half(Onnx__TensorProto *t)
{
	size_t n = t->n_float_data ? t->n_float_data : t->raw_data.len / 4;
	uint8_t *raw;

	if (t->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
		return 0;
	raw = xcalloc(n, 2);
	for (size_t i = 0; i < n; i++) {
		float f;
		uint16_t h;
		if (t->n_float_data)
			f = t->float_data[i];
		else
			memcpy(&f, t->raw_data.data + 4 * i, 4);
		h = half_from_float(f);
		memcpy(raw + 2 * i, &h, 2);
	}
	free(t->float_data);
	t->float_data = NULL;
	t->n_float_data = 0;
	free(t->raw_data.data);
	t->has_raw_data = 1;
	t->raw_data.data = raw;
	t->raw_data.len = n * 2;
	t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16;
	return 1;
}

static Onnx__NodeProto *cast_node(const char *in, const char *out, int64_t to)
{
	Onnx__NodeProto *np = new_node("Cast", in, NULL, out);
	Onnx__AttributeProto *a = xcalloc(1, sizeof(*a));

	onnx__attribute_proto__init(a);
	a->name = xstrdup("to");
	a->has_type = 1;
	a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
	a->has_i = 1;
	a->i = to;
	np->n_attribute = 1;
	np->attribute = xcalloc(1, sizeof(*np->attribute));
	np->attribute[0] = a;
	return np;
}

/* Every reference to name as a node input now reads to. */
static void rename_uses(Onnx__GraphProto *g, const char *name, const char *to)
{
	for (size_t i = 0; i < g->n_node; i++)
		for (size_t k = 0; k < g->node[i]->n_input; k++)
			if (!strcmp(g->node[i]->input[k], name)) {
				free(g->node[i]->input[k]);
				g->node[i]->input[k] = xstrdup(to);
			}
}

static void insert_node(Onnx__GraphProto *g, size_t at, Onnx__NodeProto *np)
{
	g->node = realloc(g->node, (g->n_node + 1) * sizeof(*g->node));
	if (!g->node)
		abort();
	memmove(&g->node[at + 1], &g->node[at], (g->n_node - at) * sizeof(*g->node));
	g->node[at] = np;
	g->n_node++;
}

int es_to_float16(Onnx__ModelProto *mp)
{
	Onnx__GraphProto *g = mp->graph;
	int changed = 0;
	char nm[512];

	for (size_t i = 0; i < g->n_initializer; i++)
		tensor_to_half(g->initializer[i]);
	for (size_t i = 0; i < g->n_node; i++) {
		Onnx__NodeProto *np = g->node[i];
		if (!is_default(np->domain))
			continue;
		for (size_t k = 0; k < np->n_attribute; k++) {
			Onnx__AttributeProto *a = np->attribute[k];
			if ((!strcmp(np->op_type, "Constant") || !strcmp(np->op_type, "ConstantOfShape")) &&
			    a->t)
				changed += tensor_to_half(a->t);
			else if (!strcmp(np->op_type, "Cast") && !strcmp(a->name, "to") &&
			         a->i == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT && ++changed)
				a->i = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16;
		}
	}
	for (size_t i = 0; i < g->n_input; i++) {      /* keep_io_types */
		const Onnx__TypeProto *tp = g->input[i]->type;
		if (!tp || !tp->tensor_type || tp->tensor_type->elem_type != 1)
			continue;
		snprintf(nm, sizeof(nm), "%s::half", g->input[i]->name);
		rename_uses(g, g->input[i]->name, nm);
		insert_node(g, 0, cast_node(g->input[i]->name, nm, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16));
	}
	for (size_t i = 0; i < g->n_output; i++) {
		const Onnx__TypeProto *tp = g->output[i]->type;
		Onnx__NodeProto *p = producer(g, g->output[i]->name);
		if (!tp || !tp->tensor_type || tp->tensor_type->elem_type != 1 || !p)
			continue;
		snprintf(nm, sizeof(nm), "%s::half", g->output[i]->name);
		rename_uses(g, g->output[i]->name, nm);
		for (size_t k = 0; k < p->n_output; k++)
			if (!strcmp(p->output[k], g->output[i]->name)) {
				free(p->output[k]);
				p->output[k] = xstrdup(nm);
			}
		insert_node(g, g->n_node, cast_node(nm, g->output[i]->name,
		                                    ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT));
	}
	return changed;
}

/* export_style.c - see export_style.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/export_style.h"
#include "tests/modelgen.h"

#define GROW(arr, n) ((arr) = realloc((arr), ((n) + 1) * sizeof(*(arr))), (arr) ? (void)0 : abort())

static void *xcalloc(size_t n, size_t s)
{
	void *p = calloc(n ? n : 1, s);

	if (!p)
		abort();
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

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

static Onnx__OperatorSetIdProto *new_import(const char *domain, int64_t version)
{
	Onnx__OperatorSetIdProto *os = xcalloc(1, sizeof(*os));

	onnx__operator_set_id_proto__init(os);
	os->domain = xstrdup(domain);
	os->has_version = 1;
	os->version = version;
	return os;
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
	(*imports)[(*n)++] = new_import(domain, version);
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

int es_reduce_axes_as_input(Onnx__ModelProto *mp)
{
	Onnx__GraphProto *g = mp->graph;
	int changed = 0;

	for (size_t i = 0; i < g->n_node; i++) {
		Onnx__NodeProto *np = g->node[i];
		Onnx__TensorProto *t;
		char name[512];
		if (!is_default(np->domain) || strncmp(np->op_type, "Reduce", 6) ||
		    !strcmp(np->op_type, "ReduceSum"))
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

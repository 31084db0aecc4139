/* model_function.c - model-local functions (ModelProto.functions, IR 8+) expanded
 * into plain nodes at load, a pass over the parsed protobuf tree before
 * runtime/model_convert.c converts it. Each call site gets its own copy of the
 * body: values renamed apart, attribute references resolved, calls in it
 * expanded in turn; each copied node remembers its function, whose opset
 * imports it binds to (function_node_opset). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "proto/onnx.pb-c.h"
#include "runtime/internal.h"

#define MAX_CALL_DEPTH 32         /* calls and subgraphs nested in one another */
#define MAX_EXPANDED (1L << 20)   /* nodes + names copied from bodies in all */

/* Fields Debian's ONNX 1.12 schema lacks, kept by protobuf-c as unknown fields. */
#define NODE_OVERLOAD 8           /* NodeProto.overload (IR 10) */
#define FN_ATTRIBUTE_PROTO 11     /* FunctionProto.attribute_proto: defaults (IR 9) */
#define FN_OVERLOAD 13            /* FunctionProto.overload (IR 10) */

/* A formal input (k < n_input: input k) or output (output k - n_input). */
struct formal { const char *name; int k; };

struct fn {
	const Onnx__FunctionProto *fp;
	const char *domain;             /* "" for the default domain */
	const char *overload;           /* "" if none */
	Onnx__AttributeProto **defaults;    /* [n_defaults] decoded attribute_proto */
	size_t n_defaults;
	struct formal *formals;         /* [n_input + n_output] sorted by name */
	int state;                      /* the call-graph walk: 0 new, 1 on the path, 2 done */
	long size;                      /* nodes + names one call copies, calls in it too
	                                   (saturated at MAX_EXPANDED + 1) */
};

struct fn_expansion {
	struct parse_arena *arena;      /* everything below lives in it */
	struct fn *fns;                 /* [n_fns] sorted by (domain, name, overload) */
	size_t n_fns;
	char *base;                     /* no name of the file starts with it */
	long n_calls;                   /* call sites so far: the k of "<base><k>/" */
	long n_expanded;                /* nodes + names copied so far */
	const void **keys;              /* [cap] copied node -> its function, open addressing */
	const struct fn **vals;
	size_t cap, n;
	char *err;
	size_t err_len;
};

/* A call being expanded: site's inputs, outputs and attributes are the
 * caller's, already resolved. */
struct call {
	const struct fn *f;
	const Onnx__NodeProto *site;
	const char *prefix;             /* "<base><k>/" of every local name */
};

struct node_vec { Onnx__NodeProto **v; size_t n, cap; };

static void *zalloc(struct fn_expansion *x, size_t bytes)
{
	void *p = parse_alloc(x->arena, bytes ? bytes : 1);

	if (p)
		memset(p, 0, bytes);
	return p;
}

static char *cat(struct fn_expansion *x, const char *a, const char *b, size_t b_len)
{
	size_t n = strlen(a);
	char *s = parse_alloc(x->arena, n + b_len + 1);

	if (s) {
		memcpy(s, a, n);
		memcpy(s + n, b, b_len);
		s[n + b_len] = 0;
	}
	return s;
}

static const char *norm_domain(const char *d)
{
	return !d || !strcmp(d, "ai.onnx") ? "" : d;
}

/* The bytes of an unknown length-delimited field: protobuf-c keeps them
 * behind their varint length. 0 if that does not add up. */
static int unknown_payload(const ProtobufCMessageUnknownField *u, const uint8_t **p, size_t *n)
{
	uint64_t len = 0;
	size_t at = 0;

	if (u->wire_type != PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED)
		return 0;
	for (int shift = 0; at < u->len && shift < 64; shift += 7) {
		len |= (uint64_t)(u->data[at] & 0x7f) << shift;
		if (!(u->data[at++] & 0x80)) {
			*p = u->data + at;
			*n = (size_t)len;
			return len == u->len - at;
		}
	}
	return 0;
}

/* The string of an unknown length-delimited field, or "" if absent. */
static const char *unknown_string(struct fn_expansion *x, const ProtobufCMessage *msg,
                                  uint32_t tag)
{
	const uint8_t *p;
	size_t n;

	for (unsigned i = 0; i < msg->n_unknown_fields; i++)
		if (msg->unknown_fields[i].tag == tag && unknown_payload(&msg->unknown_fields[i], &p, &n))
			return cat(x, "", (const char *)p, n);
	return "";
}

static int fn_cmp(const char *da, const char *na, const char *oa, const struct fn *b)
{
	int c = strcmp(da, b->domain);

	if (!c)
		c = strcmp(na, b->fp->name);
	return c ? c : strcmp(oa, b->overload);
}

static int fn_sort_cmp(const void *a, const void *b)
{
	const struct fn *fa = a;

	return fn_cmp(fa->domain, fa->fp->name, fa->overload, b);
}

/* The function node np calls, or NULL. */
static const struct fn *find_fn(struct fn_expansion *x, const Onnx__NodeProto *np)
{
	const char *d = norm_domain(np->domain), *ov;
	size_t lo = 0, hi = x->n_fns;

	if (!np->op_type)
		return NULL;
	ov = np->base.n_unknown_fields ? unknown_string(x, &np->base, NODE_OVERLOAD) : "";
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = fn_cmp(d, np->op_type, ov ? ov : "", &x->fns[mid]);
		if (!c)
			return &x->fns[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* --- copied node -> function --- */

static size_t ptr_slot(const void *p, size_t cap)
{
	return (size_t)(((uintptr_t)p >> 4) * 0x9e3779b97f4a7c15ull) & (cap - 1);
}

static int remember(struct fn_expansion *x, const void *node, const struct fn *f)
{
	if (2 * (x->n + 1) > x->cap) {       /* grow: the old table stays in the arena */
		size_t cap = x->cap ? 2 * x->cap : 256;
		const void **keys = zalloc(x, cap * sizeof(*keys));
		const struct fn **vals = zalloc(x, cap * sizeof(*vals));
		if (!keys || !vals)
			return GRT_E_NOMEM;
		for (size_t i = 0; i < x->cap; i++)
			if (x->keys[i]) {
				size_t j = ptr_slot(x->keys[i], cap);
				while (keys[j])
					j = (j + 1) & (cap - 1);
				keys[j] = x->keys[i];
				vals[j] = x->vals[i];
			}
		x->keys = keys;
		x->vals = vals;
		x->cap = cap;
	}
	size_t j = ptr_slot(node, x->cap);
	while (x->keys[j])
		j = (j + 1) & (x->cap - 1);
	x->keys[j] = node;
	x->vals[j] = f;
	x->n++;
	return GRT_OK;
}

int function_node_opset(const struct fn_expansion *x, const void *node, int dflt)
{
	const Onnx__NodeProto *np = node;
	const struct fn *f = NULL;

	if (!x || !x->cap)
		return dflt;
	for (size_t j = ptr_slot(node, x->cap); x->keys[j]; j = (j + 1) & (x->cap - 1))
		if (x->keys[j] == node) {
			f = x->vals[j];
			break;
		}
	for (size_t i = 0; f && i < f->fp->n_opset_import; i++) {
		const Onnx__OperatorSetIdProto *os = f->fp->opset_import[i];
		if (!strcmp(norm_domain(os->domain), norm_domain(np->domain)))
			return (int)os->version;
	}
	return dflt;
}

/* --- the function table --- */

static int formal_cmp(const void *a, const void *b)
{
	return strcmp(((const struct formal *)a)->name, ((const struct formal *)b)->name);
}

/* Checks fp's names and opset imports, decodes what ONNX 1.12 does not know. */
static int read_fn(struct fn_expansion *x, const Onnx__FunctionProto *fp, struct fn *f)
{
	ProtobufCAllocator alloc = { parse_alloc, parse_free, x->arena };
	size_t n = fp->n_input + fp->n_output;

	f->fp = fp;
	f->domain = norm_domain(fp->domain);
	if (!fp->name || !fp->name[0]) {
		set_err(x->err, x->err_len, "a model-local function has no name");
		return GRT_E_INVALID_MODEL;
	}
	f->overload = unknown_string(x, &fp->base, FN_OVERLOAD);
	if (!(f->formals = zalloc(x, n * sizeof(*f->formals))) || !f->overload)
		return GRT_E_NOMEM;
	for (size_t k = 0; k < n; k++) {
		f->formals[k].k = (int)k;
		f->formals[k].name = k < fp->n_input ? fp->input[k] : fp->output[k - fp->n_input];
		if (!f->formals[k].name[0]) {
			set_err(x->err, x->err_len, "function '%s': input or output %zu has no name",
			        fp->name, k);
			return GRT_E_INVALID_MODEL;
		}
	}
	qsort(f->formals, n, sizeof(*f->formals), formal_cmp);
	for (size_t k = 1; k < n; k++)
		if (!strcmp(f->formals[k].name, f->formals[k - 1].name)) {
			set_err(x->err, x->err_len, "function '%s': '%s' is an input or output twice",
			        fp->name, f->formals[k].name);
			return GRT_E_INVALID_MODEL;
		}
	for (size_t i = 0; i < fp->n_opset_import; i++) {
		const Onnx__OperatorSetIdProto *os = fp->opset_import[i];
		const char *d = norm_domain(os->domain);
		if ((!d[0] && (os->version < 1 || os->version > OPSET_LATEST)) ||
		    (!strcmp(d, OP_DOMAIN) && (os->version < 1 || os->version > OP_DOMAIN_VERSION))) {
			set_err(x->err, x->err_len, "function '%s' imports opset %lld of domain '%s', "
			        "which is not supported", fp->name, (long long)os->version, d);
			return GRT_E_UNSUPPORTED;
		}
	}
	for (unsigned i = 0; i < fp->base.n_unknown_fields; i++) {
		Onnx__AttributeProto *a;
		const uint8_t *p;
		size_t len;
		if (fp->base.unknown_fields[i].tag != FN_ATTRIBUTE_PROTO ||
		    !unknown_payload(&fp->base.unknown_fields[i], &p, &len))
			continue;
		a = onnx__attribute_proto__unpack(&alloc, len, p);
		if (!a || !a->name || !a->name[0]) {
			set_err(x->err, x->err_len, "function '%s': a default attribute value "
			        "(attribute_proto) does not parse or has no name", fp->name);
			return GRT_E_INVALID_MODEL;
		}
		if (!f->defaults && !(f->defaults = zalloc(x, fp->base.n_unknown_fields *
		                                                  sizeof(*f->defaults))))
			return GRT_E_NOMEM;
		f->defaults[f->n_defaults++] = a;
	}
	return GRT_OK;
}

static int read_functions(struct fn_expansion *x, const Onnx__ModelProto *mp)
{
	int rc;

	x->n_fns = mp->n_functions;
	if (!(x->fns = zalloc(x, x->n_fns * sizeof(*x->fns))))
		return GRT_E_NOMEM;
	for (size_t i = 0; i < x->n_fns; i++)
		if ((rc = read_fn(x, mp->functions[i], &x->fns[i])))
			return rc;
	qsort(x->fns, x->n_fns, sizeof(*x->fns), fn_sort_cmp);
	for (size_t i = 1; i < x->n_fns; i++)
		if (!fn_sort_cmp(&x->fns[i], &x->fns[i - 1])) {
			set_err(x->err, x->err_len, "function '%s' of domain '%s' is defined twice",
			        x->fns[i].fp->name, x->fns[i].domain);
			return GRT_E_INVALID_MODEL;
		}
	return GRT_OK;
}

/* --- recursion: a walk of the call graph --- */

static int walk_fn(struct fn_expansion *x, struct fn *f, const struct fn **path, int depth);

static long add_sat(long a, long b)
{
	return a > MAX_EXPANDED - b ? MAX_EXPANDED + 1 : a + b;
}

/* Walks the functions that nodes (and their subgraphs) call; adds to *size
 * what copying them would copy: a call counts its function's size. */
static int walk_calls(struct fn_expansion *x, Onnx__NodeProto *const *nodes, size_t n,
                      const struct fn **path, int depth, long *size)
{
	int rc;

	for (size_t i = 0; i < n; i++) {
		struct fn *g = (struct fn *)find_fn(x, nodes[i]);
		if (g && (rc = walk_fn(x, g, path, depth + 1)))
			return rc;
		*size = add_sat(*size, g ? g->size : (long)(1 + nodes[i]->n_input +
		                                            nodes[i]->n_output));
		for (size_t a = 0; a < nodes[i]->n_attribute; a++) {
			const Onnx__AttributeProto *ap = nodes[i]->attribute[a];
			if (ap->g && (rc = walk_calls(x, ap->g->node, ap->g->n_node, path, depth, size)))
				return rc;
			for (size_t k = 0; k < ap->n_graphs; k++)
				if ((rc = walk_calls(x, ap->graphs[k]->node, ap->graphs[k]->n_node, path,
				                     depth, size)))
					return rc;
		}
	}
	return GRT_OK;
}

/* Refuses recursion and calls nested too deep; sets f->size. */
static int walk_fn(struct fn_expansion *x, struct fn *f, const struct fn **path, int depth)
{
	char chain[256] = "";
	int rc, from = 0;

	if (f->state == 2)
		return GRT_OK;
	if (f->state == 1) {       /* on the path: name the cycle */
		while (path[from] != f)
			from++;
		for (int i = from; i < depth; i++)
			snprintf(chain + strlen(chain), sizeof(chain) - strlen(chain), "'%s' -> ",
			         path[i]->fp->name);
		set_err(x->err, x->err_len, "model-local function '%s' calls itself (%s'%s'): "
		        "recursion is not allowed", f->fp->name, chain, f->fp->name);
		return GRT_E_INVALID_MODEL;
	}
	if (depth >= MAX_CALL_DEPTH) {
		set_err(x->err, x->err_len, "model-local functions call one another deeper than "
		        "%d levels (at '%s')", MAX_CALL_DEPTH, f->fp->name);
		return GRT_E_LIMIT;
	}
	f->state = 1;
	path[depth] = f;
	if ((rc = walk_calls(x, f->fp->node, f->fp->n_node, path, depth, &f->size)))
		return rc;
	f->state = 2;
	return GRT_OK;
}

/* --- renaming and copying a body --- */

static const char *rename_value(struct fn_expansion *x, const struct call *c, const char *name)
{
	const Onnx__FunctionProto *fp = c->f->fp;
	size_t lo = 0, hi = fp->n_input + fp->n_output;

	if (!name || !name[0])
		return "";
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int k = c->f->formals[mid].k, cmp = strcmp(name, c->f->formals[mid].name);
		if (!cmp && k < (int)fp->n_input)      /* an omitted input stays omitted */
			return (size_t)k < c->site->n_input ? c->site->input[k] : "";
		k -= (int)fp->n_input;
		if (!cmp && (size_t)k < c->site->n_output && c->site->output[k][0])
			return c->site->output[k];
		if (!cmp)
			break;                             /* an output the caller omits: local */
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return cat(x, c->prefix, name, strlen(name));
}

static int copy_names(struct fn_expansion *x, const struct call *c, char **src, size_t n,
                      char ***dst)
{
	if (!(*dst = zalloc(x, n * sizeof(char *))))
		return GRT_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		if (!((*dst)[i] = (char *)rename_value(x, c, src[i])))
			return GRT_E_NOMEM;
	x->n_expanded += (long)n;
	return GRT_OK;
}

static int copy_node(struct fn_expansion *x, const struct call *c, const Onnx__NodeProto *src,
                     Onnx__NodeProto **out);

static int copy_value_infos(struct fn_expansion *x, const struct call *c,
                            Onnx__ValueInfoProto **src, size_t n, Onnx__ValueInfoProto ***dst)
{
	if (!(*dst = zalloc(x, n * sizeof(**dst))))
		return GRT_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		Onnx__ValueInfoProto *v = zalloc(x, sizeof(*v));
		if (!v)
			return GRT_E_NOMEM;
		*v = *src[i];
		if (!(v->name = (char *)rename_value(x, c, src[i]->name)))
			return GRT_E_NOMEM;
		(*dst)[i] = v;
	}
	return GRT_OK;
}

/* A subgraph of a body node: every name renamed, initializers' bytes copied
 * (the converter gives each initializer's bytes back as it reads them). */
static int copy_graph(struct fn_expansion *x, const struct call *c, const Onnx__GraphProto *src,
                      Onnx__GraphProto **out)
{
	Onnx__GraphProto *g = zalloc(x, sizeof(*g));
	int rc;

	if (!g)
		return GRT_E_NOMEM;
	*g = *src;
	g->node = zalloc(x, src->n_node * sizeof(*g->node));
	g->initializer = zalloc(x, src->n_initializer * sizeof(*g->initializer));
	if (!g->node || !g->initializer)
		return GRT_E_NOMEM;
	for (size_t i = 0; i < src->n_node; i++)
		if ((rc = copy_node(x, c, src->node[i], &g->node[i])))
			return rc;
	for (size_t i = 0; i < src->n_initializer; i++) {
		Onnx__TensorProto *t = zalloc(x, sizeof(*t));
		if (!t)
			return GRT_E_NOMEM;
		*t = *src->initializer[i];
		t->name = (char *)rename_value(x, c, t->name);
		if (t->raw_data.len && !(t->raw_data.data = (uint8_t *)cat(x, "",
		                          (const char *)src->initializer[i]->raw_data.data,
		                          t->raw_data.len)))
			return GRT_E_NOMEM;
		if (!t->name)
			return GRT_E_NOMEM;
		g->initializer[i] = t;
	}
	if ((rc = copy_value_infos(x, c, src->input, src->n_input, &g->input)) ||
	    (rc = copy_value_infos(x, c, src->output, src->n_output, &g->output)))
		return rc;
	rc = copy_value_infos(x, c, src->value_info, src->n_value_info, &g->value_info);
	*out = g;
	return rc;
}

/* A body node's attribute at call c: a reference takes the caller's value,
 * else the function's default, else the attribute is left out (*out NULL). */
static int copy_attr(struct fn_expansion *x, const struct call *c, const Onnx__NodeProto *np,
                     Onnx__AttributeProto *src, Onnx__AttributeProto **out)
{
	Onnx__AttributeProto *a, *from = NULL;
	int rc;

	*out = src;
	if (src->ref_attr_name && src->ref_attr_name[0]) {
		for (size_t i = 0; !from && i < c->site->n_attribute; i++)
			if (c->site->attribute[i]->name &&
			    !strcmp(c->site->attribute[i]->name, src->ref_attr_name))
				from = c->site->attribute[i];
		for (size_t i = 0; !from && i < c->f->n_defaults; i++)
			if (!strcmp(c->f->defaults[i]->name, src->ref_attr_name))
				from = c->f->defaults[i];
		*out = NULL;
		if (!from)
			return GRT_OK;
		if (src->has_type && from->has_type && src->type != from->type) {
			set_err(x->err, x->err_len, "function '%s', node '%s' (%s): attribute '%s' "
			        "refers to '%s' of type %d, the call gives type %d", c->f->fp->name,
			        np->name ? np->name : "", np->op_type, src->name, src->ref_attr_name,
			        (int)src->type, (int)from->type);
			return GRT_E_INVALID_MODEL;
		}
	} else if (!src->g && !src->n_graphs) {
		return GRT_OK;                  /* a plain value: shared */
	}
	if (!(a = zalloc(x, sizeof(*a))))
		return GRT_E_NOMEM;
	*a = from ? *from : *src;
	a->name = src->name;
	*out = a;
	if (from)                           /* the caller's value is in the caller's scope */
		return GRT_OK;
	if (src->g && (rc = copy_graph(x, c, src->g, &a->g)))
		return rc;
	if (src->n_graphs && !(a->graphs = zalloc(x, src->n_graphs * sizeof(*a->graphs))))
		return GRT_E_NOMEM;
	for (size_t k = 0; k < src->n_graphs; k++)
		if ((rc = copy_graph(x, c, src->graphs[k], &a->graphs[k])))
			return rc;
	return GRT_OK;
}

/* A body node at call c: values renamed, attributes resolved, subgraphs copied. */
static int copy_node(struct fn_expansion *x, const struct call *c, const Onnx__NodeProto *src,
                     Onnx__NodeProto **out)
{
	Onnx__NodeProto *d = zalloc(x, sizeof(*d));
	int rc;

	if (!d)
		return GRT_E_NOMEM;
	*d = *src;
	if (src->name && src->name[0] && !(d->name = cat(x, c->prefix, src->name,
	                                                 strlen(src->name))))
		return GRT_E_NOMEM;
	if ((rc = copy_names(x, c, src->input, src->n_input, &d->input)) ||
	    (rc = copy_names(x, c, src->output, src->n_output, &d->output)))
		return rc;
	if (!(d->attribute = zalloc(x, src->n_attribute * sizeof(*d->attribute))))
		return GRT_E_NOMEM;
	d->n_attribute = 0;
	for (size_t i = 0; i < src->n_attribute; i++) {
		Onnx__AttributeProto *a;
		if ((rc = copy_attr(x, c, src, src->attribute[i], &a)))
			return rc;
		if (a)
			d->attribute[d->n_attribute++] = a;
	}
	x->n_expanded++;
	*out = d;
	return remember(x, d, c->f);
}

/* --- expansion --- */

static int push(struct fn_expansion *x, struct node_vec *v, Onnx__NodeProto *np)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 16;
		Onnx__NodeProto **nv = parse_alloc(x->arena, cap * sizeof(*nv));
		if (!nv)
			return GRT_E_NOMEM;
		if (v->n)
			memcpy(nv, v->v, v->n * sizeof(*nv));
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = np;
	return GRT_OK;
}

static int expand_node(struct fn_expansion *x, Onnx__NodeProto *np, struct node_vec *out,
                       int depth);

/* Replaces g's nodes by their expansion. */
static int expand_graph(struct fn_expansion *x, Onnx__GraphProto *g, int depth)
{
	struct node_vec v = { NULL, 0, 0 };
	int rc;

	if (depth > MAX_CALL_DEPTH) {
		set_err(x->err, x->err_len, "calls of model-local functions and subgraphs nest "
		        "deeper than %d levels", MAX_CALL_DEPTH);
		return GRT_E_LIMIT;
	}
	for (size_t i = 0; i < g->n_node; i++)
		if ((rc = expand_node(x, g->node[i], &v, depth)))
			return rc;
	if (!v.v && !(v.v = zalloc(x, sizeof(*v.v))))
		return GRT_E_NOMEM;
	g->node = v.v;
	g->n_node = v.n;
	return GRT_OK;
}

static int expand_call(struct fn_expansion *x, const Onnx__NodeProto *site, const struct fn *f,
                       struct node_vec *out, int depth)
{
	const Onnx__FunctionProto *fp = f->fp;
	const char *site_name = site->name && site->name[0] ? site->name :
	                        site->n_output ? site->output[0] : "?";
	struct call c = { f, site, NULL };
	char k[32];
	int rc;

	if (site->n_input > fp->n_input || site->n_output > fp->n_output) {
		set_err(x->err, x->err_len, "node '%s' calls function '%s' with %zu inputs and %zu "
		        "outputs; it has %zu and %zu", site_name, fp->name, site->n_input,
		        site->n_output, fp->n_input, fp->n_output);
		return GRT_E_INVALID_MODEL;
	}
	if (depth >= MAX_CALL_DEPTH) {
		set_err(x->err, x->err_len, "node '%s': calls of model-local functions and subgraphs "
		        "nest deeper than %d levels (at function '%s')", site_name, MAX_CALL_DEPTH,
		        fp->name);
		return GRT_E_LIMIT;
	}
	if (f->size > MAX_EXPANDED - x->n_expanded) {
		set_err(x->err, x->err_len, "node '%s': expanding model-local functions gives more "
		        "than %ld nodes and names (at function '%s')", site_name, MAX_EXPANDED,
		        fp->name);
		return GRT_E_LIMIT;
	}
	snprintf(k, sizeof(k), "%ld/", x->n_calls++);
	if (!(c.prefix = cat(x, x->base, k, strlen(k))))
		return GRT_E_NOMEM;
	for (size_t i = 0; i < fp->n_node; i++) {
		Onnx__NodeProto *np;
		if ((rc = copy_node(x, &c, fp->node[i], &np)) ||
		    (rc = expand_node(x, np, out, depth + 1)))
			return rc;
	}
	return GRT_OK;
}

/* np, or what it expands to, appended to out; calls in its subgraphs expanded. */
static int expand_node(struct fn_expansion *x, Onnx__NodeProto *np, struct node_vec *out,
                       int depth)
{
	const struct fn *f = find_fn(x, np);
	int rc;

	if (f)
		return expand_call(x, np, f, out, depth);
	for (size_t a = 0; a < np->n_attribute; a++) {
		Onnx__AttributeProto *ap = np->attribute[a];
		if (ap->g && (rc = expand_graph(x, ap->g, depth + 1)))
			return rc;
		for (size_t k = 0; k < ap->n_graphs; k++)
			if ((rc = expand_graph(x, ap->graphs[k], depth + 1)))
				return rc;
	}
	return push(x, out, np);
}

/* --- a prefix no name of the file has --- */

/* The longest run of '_' after "_f" at the start of a name, in g and its subgraphs. */
static size_t longest_run(const Onnx__GraphProto *g, size_t run);

static size_t run_of(const char *s, size_t run)
{
	size_t n = 0;

	if (!s || s[0] != '_' || s[1] != 'f')
		return run;
	while (s[2 + n] == '_')
		n++;
	return n + 1 > run ? n + 1 : run;
}

static size_t longest_run(const Onnx__GraphProto *g, size_t run)
{
	for (size_t i = 0; i < g->n_input; i++)
		run = run_of(g->input[i]->name, run);
	for (size_t i = 0; i < g->n_initializer; i++)
		run = run_of(g->initializer[i]->name, run);
	for (size_t i = 0; i < g->n_node; i++) {
		const Onnx__NodeProto *np = g->node[i];
		for (size_t k = 0; k < np->n_input; k++)
			run = run_of(np->input[k], run);
		for (size_t k = 0; k < np->n_output; k++)
			run = run_of(np->output[k], run);
		for (size_t a = 0; a < np->n_attribute; a++) {
			if (np->attribute[a]->g)
				run = longest_run(np->attribute[a]->g, run);
			for (size_t k = 0; k < np->attribute[a]->n_graphs; k++)
				run = longest_run(np->attribute[a]->graphs[k], run);
		}
	}
	return run;
}

int expand_functions(void *proto, struct parse_arena *arena, struct fn_expansion **out,
                     char *err, size_t err_len)
{
	Onnx__ModelProto *mp = proto;
	struct fn_expansion *x;
	const struct fn *path[MAX_CALL_DEPTH];
	size_t run;
	int rc;

	*out = NULL;
	if (!mp->n_functions || !mp->graph)
		return GRT_OK;
	if (!(x = parse_alloc(arena, sizeof(*x))))
		return GRT_E_NOMEM;
	memset(x, 0, sizeof(*x));
	x->arena = arena;
	x->err = err;
	x->err_len = err_len;
	if ((rc = read_functions(x, mp)))
		return rc;
	for (size_t i = 0; i < x->n_fns; i++)
		if ((rc = walk_fn(x, &x->fns[i], path, 0)))
			return rc;
	/* "_f" and one '_' more than any name has there */
	run = longest_run(mp->graph, 0);
	if (!(x->base = zalloc(x, run + 3)))
		return GRT_E_NOMEM;
	memcpy(x->base, "_f", 2);
	memset(x->base + 2, '_', run);
	if ((rc = expand_graph(x, mp->graph, 0)))
		return rc;
	*out = x;
	return GRT_OK;
}

/* model_ops.c - grt_model_ops_file's walk: the operators a parsed model uses (its
 * graph, every graph nested in a node's attributes, its model-local functions),
 * counted per (domain, op_type), with the opset each is imported at and whether
 * the registry (or a function of the model) provides it. Nothing is converted,
 * so it answers for models this build cannot load. */
#include <stdlib.h>
#include <string.h>
#include "runtime/internal.h"
#include "ops/registry.h"
#include "proto/onnx.pb-c.h"

struct op_row {
	const char *domain, *op_type;
	int opset, count, is_function;
};

struct op_list {
	struct op_row *rows;
	size_t n, cap;
	const Onnx__ModelProto *mp;
};

static const char *dom(const char *d)
{
	return d && strcmp(d, "ai.onnx") ? d : "";
}

/* The version imports gives domain d, 0 if none. */
static int import_of(Onnx__OperatorSetIdProto *const *imports, size_t n, const char *d)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(dom(imports[i]->domain), d))
			return imports[i]->version > 0 && imports[i]->version < (1 << 30)
			       ? (int)imports[i]->version : 0;
	return 0;
}

static int is_local_function(const Onnx__ModelProto *mp, const char *d, const char *type)
{
	for (size_t i = 0; i < mp->n_functions; i++)
		if (mp->functions[i]->name && !strcmp(mp->functions[i]->name, type) &&
		    !strcmp(dom(mp->functions[i]->domain), d))
			return 1;
	return 0;
}

static int add_node(struct op_list *l, const Onnx__NodeProto *np,
                    Onnx__OperatorSetIdProto *const *imports, size_t n_imports)
{
	const char *d = dom(np->domain), *t = np->op_type ? np->op_type : "";
	struct op_row *r;

	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->rows[i].domain, d) && !strcmp(l->rows[i].op_type, t)) {
			l->rows[i].count++;
			return GRT_OK;
		}
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 32;
		struct op_row *more = realloc(l->rows, cap * sizeof(*more));
		if (!more)
			return GRT_E_NOMEM;
		l->rows = more;
		l->cap = cap;
	}
	r = &l->rows[l->n++];
	r->domain = d;
	r->op_type = t;
	r->count = 1;
	r->opset = import_of(imports, n_imports, d);
	r->is_function = is_local_function(l->mp, d, t);
	return GRT_OK;
}

/* The parser refuses nesting deeper than the loader's guard (check_nesting),
 * so this recursion is bounded. */
static int add_nodes(struct op_list *l, Onnx__NodeProto *const *nodes, size_t n,
                     Onnx__OperatorSetIdProto *const *imports, size_t n_imports)
{
	int rc = GRT_OK;

	for (size_t i = 0; !rc && i < n; i++) {
		const Onnx__NodeProto *np = nodes[i];
		rc = add_node(l, np, imports, n_imports);
		for (size_t a = 0; !rc && a < np->n_attribute; a++) {
			const Onnx__AttributeProto *at = np->attribute[a];
			if (at->g)
				rc = add_nodes(l, at->g->node, at->g->n_node, imports, n_imports);
			for (size_t k = 0; !rc && k < at->n_graphs; k++)
				rc = add_nodes(l, at->graphs[k]->node, at->graphs[k]->n_node, imports,
				               n_imports);
		}
	}
	return rc;
}

static int row_cmp(const void *a, const void *b)
{
	const struct op_row *p = a, *q = b;
	int c = strcmp(p->domain, q->domain);

	return c ? c : strcmp(p->op_type, q->op_type);
}

int model_list_ops(const void *proto, grt_op_fn fn, void *ctx, char *err, size_t err_len)
{
	const Onnx__ModelProto *mp = proto;
	struct op_list l = { NULL, 0, 0, mp };
	int rc = GRT_OK;

	if (mp->graph)
		rc = add_nodes(&l, mp->graph->node, mp->graph->n_node, mp->opset_import,
		               mp->n_opset_import);
	for (size_t f = 0; !rc && f < mp->n_functions; f++) {
		const Onnx__FunctionProto *fp = mp->functions[f];
		rc = add_nodes(&l, fp->node, fp->n_node, fp->opset_import, fp->n_opset_import);
	}
	if (rc) {
		free(l.rows);
		set_err(err, err_len, "out of memory listing the model's operators");
		return rc;
	}
	if (l.n)
		qsort(l.rows, l.n, sizeof(*l.rows), row_cmp);
	for (size_t i = 0; i < l.n; i++) {
		const struct op_row *r = &l.rows[i];
		grt_op_info info = { r->domain, r->op_type, r->opset, r->count, 0, r->is_function };
		info.available = r->is_function ||
		                 (r->opset > 0 && op_lookup_domain(r->domain, r->op_type, r->opset));
		fn(ctx, &info);
	}
	free(l.rows);
	return GRT_OK;
}

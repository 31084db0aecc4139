/* registry.c - every operator the runtime knows and every graph rewrite, as
 * tables built from the lists in ops/op_list.h (one line per operator or
 * rewrite there); op_lookup() resolves a node's operator once, at load. The
 * unary elementwise ops are the rows of ops/math/unary.c's unary_table (one row
 * each, nothing to add here), which op_lookup() searches after op_table and
 * op_at() lists after it. A build configured --with-ops lists only the ONNX
 * operators selected (ops/op_select.h); its own domain and the rewrites stay. */
#include <stddef.h>
#include <string.h>
#include "ops/registry.h"
#include "ops/math/unary.h"
#include "ops/op_select.h"

#define OP(def) extern const struct op_def def;
#define GRT_OP(def) extern const struct op_def def;
#define REWRITE(def) extern const struct rewrite_def def;
#include "ops/op_list.h"

/* the operators configure selected (ops/op_select.h; all by default), then a
 * NULL that only keeps the array non-empty */
#define OP(def) SEL_IF(IS_SEL(def), &def)
const struct op_def *const op_table[] = {
#include "ops/op_list.h"
	NULL
};

const int op_table_len = (int)(sizeof(op_table) / sizeof(op_table[0])) - 1;

const struct op_def *op_lookup(const char *op_type, int opset)
{
	int lo = 0, hi = op_table_len - 1;

	/* binary search for the first entry of op_type, then scan its versions */
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (strcmp(op_table[mid]->op_type, op_type) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (int i = lo; i < op_table_len && !strcmp(op_table[i]->op_type, op_type); i++)
		if (op_table[i]->since <= opset && opset <= op_table[i]->until)
			return op_table[i];
	for (int i = 0; i < unary_table_len; i++) {
		const struct op_def *u = &unary_table[i].op;
		if (!strcmp(u->op_type, op_type) && u->since <= opset && opset <= u->until)
			return u;
	}
	return NULL;
}

int op_count(void)
{
	return op_table_len + unary_table_len;
}

const struct op_def *op_at(int i)
{
	return i < op_table_len ? op_table[i] : &unary_table[i - op_table_len].op;
}

/* OP_DOMAIN, version OP_DOMAIN_VERSION */
#define GRT_OP(def) &def,
const struct op_def *const op_table_grt[] = {
#include "ops/op_list.h"
};

const int op_table_grt_len = (int)(sizeof(op_table_grt) / sizeof(op_table_grt[0]));

const struct op_def *op_lookup_domain(const char *domain, const char *op_type, int opset)
{
	if (!domain || !domain[0] || !strcmp(domain, "ai.onnx"))
		return op_lookup(op_type, opset);
	if (strcmp(domain, OP_DOMAIN))
		return NULL;
	for (int i = 0; i < op_table_grt_len; i++)
		if (!strcmp(op_table_grt[i]->op_type, op_type) && op_table_grt[i]->since <= opset &&
		    opset <= op_table_grt[i]->until)
			return op_table_grt[i];
	return NULL;
}

#define REWRITE(def) &def,
const struct rewrite_def *const rewrite_table[] = {
#include "ops/op_list.h"
};

const int rewrite_table_len = (int)(sizeof(rewrite_table) / sizeof(rewrite_table[0]));

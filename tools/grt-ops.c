/* grt-ops - the operators ONNX models use, and whether this build of the runtime
 * has them (a build configured --with-ops carries a subset). On grt.h alone.
 *
 *   grt-ops MODEL.onnx...          one table per model: op type, domain, opset,
 *                                  nodes, and ok / missing / function
 *   grt-ops --list MODEL.onnx...   the ONNX op types of all the models, sorted,
 *                                  comma-separated: configure --with-ops=...
 *
 * Exit status: 0 every operator is available, 1 some is missing, 2 usage or an
 * unreadable model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/grt.h"

#define MAX_TYPES 1024

struct ops_out {
	int list;                    /* --list: gather the types, print at the end */
	int missing;
	char *types[MAX_TYPES];
	int n_types;
};

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void on_op(void *ctx, const grt_op_info *op)
{
	struct ops_out *o = ctx;

	if (!op->available)
		o->missing = 1;
	if (!o->list) {
		printf("  %-28s %-16s %5d %6d  %s\n", op->op_type, op->domain[0] ? op->domain : "ai.onnx",
		       op->opset, op->count,
		       op->is_function ? "function" : op->available ? "ok" : "missing");
		return;
	}
	if (op->domain[0] || op->is_function)      /* configure selects ONNX operators */
		return;
	for (int i = 0; i < o->n_types; i++)
		if (!strcmp(o->types[i], op->op_type))
			return;
	if (o->n_types < MAX_TYPES && !(o->types[o->n_types] = strdup(op->op_type)))
		return;
	o->n_types += o->n_types < MAX_TYPES;
}

int main(int argc, char **argv)
{
	struct ops_out o = { 0 };
	int first = 1, status = 0;

	if (argc > 1 && !strcmp(argv[1], "--list")) {
		o.list = 1;
		first = 2;
	}
	if (first >= argc || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fprintf(first >= argc ? stderr : stdout,
		        "usage: grt-ops [--list] MODEL.onnx...\n"
		        "Lists the operators each model uses (graph, subgraphs, functions): op type,\n"
		        "domain, opset, nodes, and whether this build of the runtime has it.\n"
		        "--list prints the ONNX op types of all the models, comma-separated, for\n"
		        "./configure --with-ops=...\n"
		        "Exit status: 0 all available, 1 some missing, 2 usage or unreadable model.\n");
		return first >= argc ? 2 : 0;
	}
	for (int i = first; i < argc; i++) {
		char err[512];
		if (!o.list)
			printf("%s:\n  %-28s %-16s %5s %6s  %s\n", argv[i], "op type", "domain", "opset",
			       "nodes", "in this build");
		if (grt_model_ops_file(argv[i], on_op, &o, err, sizeof(err))) {
			fprintf(stderr, "grt-ops: %s\n", err);
			status = 2;
		}
	}
	if (o.list) {
		qsort(o.types, (size_t)o.n_types, sizeof(o.types[0]), str_cmp);
		for (int i = 0; i < o.n_types; i++) {
			printf("%s%s", i ? "," : "", o.types[i]);
			free(o.types[i]);
		}
		printf("\n");
	}
	return status ? status : o.missing;
}

/* registry.h - the operator registry (ops/registry.c, lists in ops/op_list.h):
 * every operator the runtime knows, and every plan-time graph rewrite
 * (ops/op.h). */
#ifndef OPS_REGISTRY_H
#define OPS_REGISTRY_H

#include "ops/op.h"

struct rewrite_def;
struct kernels;

const struct op_def *op_lookup(const char *op_type, int opset);
/* domain "" or "ai.onnx": op_lookup; OP_DOMAIN: the project's own ops. */
const struct op_def *op_lookup_domain(const char *domain, const char *op_type, int opset);
extern const struct op_def *const op_table[];
extern const int op_table_len;
/* Every ONNX-domain op, i in [0, op_count()): op_table's, then the unary table's
 * (ops/math/unary.h). */
int op_count(void);
const struct op_def *op_at(int i);
extern const struct op_def *const op_table_grt[];   /* OP_DOMAIN */
extern const int op_table_grt_len;

/* A session's kernel table (ops/cpu.h, which the runtime does not include:
 * it only passes the table on in struct exec): kernels_portable when portable
 * is set (GRT_SESSION_PORTABLE), else the fastest this CPU runs. */
const struct kernels *kernels_select(int portable);

/* The steps that If (and Loop, Scan) are planned into (ops/control.c), and
 * the record they share: the run-list indices they jump to, which the
 * runtime sets once the run list is final (runtime/control.c). */
struct ctl_block {
	int else_at;        /* if_head jumps here when the condition is false */
	int end_at;         /* then_end jumps here */
	unsigned failed;    /* bit b: branch b (0 then, 1 else) could not be planned for
	                       these shapes; a run that takes it fails with why */
	int why_rc;
	char why[256];
};
extern const struct op_def ctl_if_head, ctl_then_end, ctl_else_end, ctl_if_fail;
/* the registry's If, Loop and Scan (ops/control.c) */
extern const struct op_def op_if, op_loop, op_scan8, op_scan;

/* The rewrites, by phase, in the order each phase tries them on a node. */
extern const struct rewrite_def *const rewrite_table[];
extern const int rewrite_table_len;

#endif

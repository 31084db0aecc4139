/* matmul_fuse.c - plan-time rewrite into the project's MatMulAdd (ops/math/matmul.c,
 * docs/OPERATORS.md; ops/op.h says how rewrites work).
 *
 * A float Add(MatMul(A, B), C) (either operand order) whose product is read
 * only by the Add and whose output has the product's shape (so C broadcasts
 * onto it) becomes MatMulAdd(A, B, C) of the project's domain: C is added to
 * each row of the product while it is in cache. PyTorch's nn.Linear on inputs
 * of rank 3 or more exports that way. */
#include <string.h>
#include "ops/op.h"
#include "ops/registry.h"

static int try_matmul_add(struct rewrite_ctx *g, int i_add)
{
	struct exec *x = g->x;
	struct node *add = &g->nodes[i_add], *mm = NULL, fused;
	struct tensor *c = NULL, **ins;
	int j;

	if (add->n_inputs != 2 || add->n_outputs != 1 || !add->outputs[0])
		return 0;
	for (j = 0; j < 2 && !mm; j++) {
		mm = rw_producer(g, add->inputs[j], "MatMul");
		if (mm && (!rw_used_once(g, mm->outputs[0]) || mm->outputs[0]->dtype != DT_FLOAT))
			mm = NULL;
		c = add->inputs[1 - j];
	}
	if (!mm || c->dtype != DT_FLOAT || add->outputs[0]->ndim != mm->outputs[0]->ndim ||
	    memcmp(add->outputs[0]->dims, mm->outputs[0]->dims,
	           sizeof(int64_t) * (size_t)mm->outputs[0]->ndim))
		return 0;
	ins = plan_alloc(x, 3 * sizeof(*ins));
	if (!ins)
		return GRT_E_NOMEM;
	ins[0] = mm->inputs[0];
	ins[1] = mm->inputs[1];
	ins[2] = c;
	fused = rw_new_node(op_lookup_domain(OP_DOMAIN, "MatMulAdd", OP_DOMAIN_VERSION),
	                    "MatMulAdd", OP_DOMAIN_VERSION, mm->name);
	fused.inputs = ins;
	fused.n_inputs = 3;
	fused.outputs = add->outputs;
	fused.n_outputs = 1;
	if (!fused.op)
		return GRT_E_NOMEM;
	if (fused.op->prepare(&fused, x))
		return 0;
	mm->op = NULL;
	*add = fused;
	return 2;
}

const struct rewrite_def rewrite_matmul_add = { "Add", REWRITE_NODE, try_matmul_add };

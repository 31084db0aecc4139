/* half.c - float16 and bfloat16 nodes run by the float32 kernels (ops/half.h).
 * Each node computes in float32 and rounds its outputs once: its results differ
 * from the float32 kernel's only by the rounding of its inputs, weights and
 * outputs. */
#include <string.h>
#include "ops/cpu.h"
#include "ops/half.h"

static int is_half(enum dtype dt)
{
	return dt == DT_FLOAT16 || dt == DT_BFLOAT16;
}

static size_t align64(size_t b)
{
	return (b + 63) & ~(size_t)63;
}

void f16_to_f32_portable(float *o, const uint16_t *a, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		o[i] = half_to_float(a[i]);
}

void f32_to_f16_portable(uint16_t *o, const float *a, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		o[i] = float_to_half(a[i]);
}

void half_widen(const struct kernels *k, float *dst, const uint16_t *src, int64_t count,
                enum dtype dt)
{
	if (dt == DT_FLOAT16) {
		k->f16_to_f32(dst, src, count);
		return;
	}
	for (int64_t i = 0; i < count; i++)
		dst[i] = bf16_to_float(src[i]);
}

void half_narrow(const struct kernels *k, uint16_t *dst, const float *src, int64_t count,
                 enum dtype dt)
{
	if (dt == DT_FLOAT16) {
		k->f32_to_f16(dst, src, count);
		return;
	}
	for (int64_t i = 0; i < count; i++)
		dst[i] = float_to_bf16(src[i]);
}

int half_wanted(const struct node *n)
{
	for (int k = 0; k < n->n_inputs; k++)
		if (n->inputs[k] && is_half(n->inputs[k]->dtype))
			return 1;
	return 0;
}

/* The float32 stand-in of input t (a 2-byte float): constant values are
 * widened now, the others at run time into scratch at *used. */
static int stand_in(struct node *n, struct exec *x, const struct tensor *t, struct half_io *io,
                    size_t *used)
{
	int rc = tensor_set_shape(&io->f32, DT_FLOAT, t->ndim, t->dims);

	if (rc)
		return op_fail(n, x, rc, "input '%s' is too large as float32", t->name);
	io->f32.name = t->name;
	io->f32.is_const = t->is_const;
	if (t->is_const) {
		const void *v = op_const_input(n, x, (int)(io - n->half->in));
		if (!v || !(io->f32.data = plan_alloc(x, io->f32.nbytes)))
			return v ? GRT_E_NOMEM : op_dynamic(n, x, (int)(io - n->half->in), "value");
		half_widen(x->kern, io->f32.data, v, t->numel, t->dtype);
		io->mode = HALF_CONST;
	} else {
		io->mode = HALF_WIDEN;
		io->off = *used;
		*used += align64(io->f32.nbytes);
	}
	return GRT_OK;
}

/* After the float32 copy is prepared: the real outputs' dtypes and dims, and
 * where the float ones are computed before they are narrowed. */
static int set_outputs(struct node *n, struct exec *x, enum dtype half_dt, size_t *used)
{
	struct half_node *h = n->half;

	for (int k = 0; k < n->n_outputs; k++) {
		struct half_io *io = &h->out[k];
		enum dtype dt = io->f32.dtype;
		int rc;
		if (!n->outputs[k])
			continue;
		io->mode = dt == DT_FLOAT ? HALF_NARROW : HALF_PASS;
		if (dt == DT_FLOAT) {
			io->off = *used;
			*used += align64(io->f32.nbytes);
			dt = half_dt;
		}
		if ((rc = tensor_set_shape(n->outputs[k], dt, io->f32.ndim, io->f32.dims)))
			return op_fail(n, x, rc, "output %d is too large", k);
	}
	return GRT_OK;
}

int half_prepare(struct node *n, struct exec *x, int (*prepare)(struct node *, struct exec *))
{
	struct half_node *h = plan_alloc(x, sizeof(*h));
	size_t used = 0;
	enum dtype half_dt = DT_UNDEFINED;
	int rc;

	if (!h)
		return GRT_E_NOMEM;
	h->in = plan_alloc(x, ((size_t)n->n_inputs + 1) * sizeof(*h->in));
	h->out = plan_alloc(x, ((size_t)n->n_outputs + 1) * sizeof(*h->out));
	h->inner = *n;
	h->inner.half = NULL;    /* n may be a rewrite's copy of a node prepared before */
	h->inner.inputs = plan_alloc(x, ((size_t)n->n_inputs + 1) * sizeof(*n->inputs));
	h->inner.outputs = plan_alloc(x, ((size_t)n->n_outputs + 1) * sizeof(*n->outputs));
	if (!h->in || !h->out || !h->inner.inputs || !h->inner.outputs)
		return GRT_E_NOMEM;
	n->half = h;
	h->kern = x->kern;
	for (int k = 0; k < n->n_inputs; k++) {
		const struct tensor *t = n->inputs[k];
		h->inner.inputs[k] = n->inputs[k];
		if (!t || !is_half(t->dtype))
			continue;
		if (half_dt == DT_UNDEFINED)
			half_dt = t->dtype;
		if ((rc = stand_in(n, x, t, &h->in[k], &used)))
			return rc;
		h->inner.inputs[k] = &h->in[k].f32;
	}
	for (int k = 0; k < n->n_outputs; k++) {
		if (!n->outputs[k])
			continue;
		h->out[k].f32.name = n->outputs[k]->name;
		h->inner.outputs[k] = &h->out[k].f32;
	}
	if ((rc = prepare(&h->inner, x)) || (rc = set_outputs(n, x, half_dt, &used)))
		return rc;
	h->inner_scratch = used;
	n->scratch_bytes = used + h->inner.scratch_bytes;
	n->params = h->inner.params;
	n->view = 0;             /* the outputs are other bytes than the inputs */
	n->inplace = 0;
	n->baked = 0;
	for (int k = 0; k < n->n_inputs && k < 32; k++)
		if (h->in[k].mode == HALF_PASS)
			n->baked |= h->inner.baked & 1u << k;
	return GRT_OK;
}

int half_run(struct node *n, struct exec *x, int (*run)(struct node *, struct exec *))
{
	struct half_node *h = n->half;
	char *scratch = x->scratch;
	int rc;

	for (int k = 0; k < n->n_inputs; k++) {
		struct half_io *io = &h->in[k];
		if (io->mode != HALF_WIDEN)
			continue;
		io->f32.data = scratch + io->off;
		half_widen(h->kern, io->f32.data, n->inputs[k]->data, io->f32.numel,
		           n->inputs[k]->dtype);
	}
	for (int k = 0; k < n->n_outputs; k++)
		if (n->outputs[k])
			h->out[k].f32.data = h->out[k].mode == HALF_NARROW ?
			                     scratch + h->out[k].off : n->outputs[k]->data;
	h->inner.epi = n->epi;
	x->scratch = scratch + h->inner_scratch;
	rc = run(&h->inner, x);
	x->scratch = scratch;
	if (rc)
		return rc;
	for (int k = 0; k < n->n_outputs; k++)
		if (n->outputs[k] && h->out[k].mode == HALF_NARROW)
			half_narrow(h->kern, n->outputs[k]->data, h->out[k].f32.data,
			            h->out[k].f32.numel, n->outputs[k]->dtype);
	return GRT_OK;
}

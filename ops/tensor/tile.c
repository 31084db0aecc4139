/* tile.c - Tile (https://onnx.ai/onnx/operators/onnx__Tile.html, opsets 6+): the
 * input repeated repeats[a] times along each axis a. The input's rows are placed at
 * the first tile, then, from the last axis to the first, each filled block is
 * copied after itself repeats[a] - 1 times. repeats must be known at plan time. */
#include <stdint.h>
#include <string.h>
#include "ops/op.h"

struct tile_params {
	int     rank;               /* >= 1 (a scalar is copied) */
	int64_t in_dims[MAX_DIMS];  /* [rank] input dims */
	int64_t reps[MAX_DIMS];     /* [rank] repeats */
	int64_t ostride[MAX_DIMS];  /* [rank] output element stride of each axis */
	size_t  es;                 /* element size in bytes */
};

static int tile_prepare(struct node *n, struct exec *x)
{
	static const enum dtype rep_types[] = { DT_INT64, DT_UNDEFINED };
	const struct tensor *in, *rep;
	struct tile_params *p;
	int64_t dims[MAX_DIMS], s = 1;
	const int64_t *reps;
	int r, rc;

	if ((rc = op_check_arity(n, x, 2, 2, 1, 1)) ||
	    (rc = op_check_dtype(n, x, 1, rep_types)))
		return rc;
	in = n->inputs[0];
	rep = n->inputs[1];
	r = in->ndim;
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	if (!dtype_size(in->dtype))
		return op_fail(n, x, GRT_E_DTYPE, "input has unsupported element type %s",
		               dtype_name(in->dtype));
	if (rep->ndim != 1 || rep->numel != r)
		return op_fail(n, x, GRT_E_SHAPE, "repeats must be 1-D with %d entries (the rank "
		               "of the input), has shape of rank %d and %lld entries", r,
		               rep->ndim, (long long)rep->numel);
	if (!(reps = op_const_input(n, x, 1)))
		return op_dynamic(n, x, 1, "repeats");
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	for (int a = 0; a < r; a++) {
		if (reps[a] < 0)
			return op_fail(n, x, GRT_E_SHAPE, "repeats[%d] = %lld is negative", a,
			               (long long)reps[a]);
		if (reps[a] && in->dims[a] > INT64_MAX / reps[a])
			return op_fail(n, x, GRT_E_LIMIT, "output axis %d is too large", a);
		dims[a] = in->dims[a] * reps[a];
		p->in_dims[a] = in->dims[a];
		p->reps[a] = reps[a];
	}
	if ((rc = tensor_set_shape(n->outputs[0], in->dtype, r, dims)))
		return op_fail(n, x, rc, "output shape too large");
	for (int a = r - 1; a >= 0; a--) {
		p->ostride[a] = s;
		s *= dims[a];
	}
	if (!r) {                   /* a scalar: one element, as a 1-D tensor of 1 */
		p->in_dims[0] = p->reps[0] = p->ostride[0] = 1;
		r = 1;
	}
	p->rank = r;
	p->es = dtype_size(in->dtype);
	n->params = p;
	return GRT_OK;
}

/* Walks the input's coordinates over axes [0, a) (their first tile in the
 * output). With src: copies the input's rows of axis a (a = rank - 1) in order;
 * without: copies the block of axis a after itself reps[a] - 1 times. */
static void tile_walk(const struct tile_params *p, char *dst, const char *src, int a)
{
	const size_t es = p->es;
	const size_t row = (size_t)p->in_dims[a] * es;
	const size_t block = (size_t)(p->in_dims[a] * p->ostride[a]) * es;
	int64_t c[MAX_DIMS] = { 0 }, off = 0, count = 1;

	for (int d = 0; d < a; d++)
		count *= p->in_dims[d];
	for (int64_t i = 0; i < count; i++) {
		char *d0 = dst + (size_t)off * es;

		if (src) {
			memcpy(d0, src, row);
			src += row;
		} else {
			for (int64_t t = 1; t < p->reps[a]; t++)
				memcpy(d0 + (size_t)t * block, d0, block);
		}
		for (int d = a - 1; d >= 0; d--) {
			off += p->ostride[d];
			if (++c[d] < p->in_dims[d])
				break;
			off -= p->ostride[d] * p->in_dims[d];
			c[d] = 0;
		}
	}
}

static int tile_run(struct node *n, struct exec *x)
{
	const struct tile_params *p = n->params;
	char *dst = n->outputs[0]->data;

	(void)x;
	if (!n->outputs[0]->numel)
		return GRT_OK;
	tile_walk(p, dst, n->inputs[0]->data, p->rank - 1);
	for (int a = p->rank - 1; a >= 0; a--)
		if (p->reps[a] > 1)
			tile_walk(p, dst, NULL, a);
	return GRT_OK;
}

const struct op_def op_tile = { "Tile", 6, OPSET_LATEST, tile_prepare, tile_run, OP_MOVES_DATA,
                                NULL };

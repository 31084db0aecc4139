/* slice.c - Slice (https://onnx.ai/onnx/operators/onnx__Slice.html), opsets 1-9
 * (starts/ends/axes attributes) and 10+ (starts/ends/axes/steps inputs).
 * starts/ends are clamped as the Slice-13 text says; prepare turns the slice
 * into a strided copy (merged axes, element strides) and run() copies rows,
 * two axes at a time when the last axis is contiguous. */
#include <stdint.h>
#include <string.h>
#include "ops/copy.h"
#include "ops/op.h"

struct slice_params {
	int     ndim;                /* rank after dropping size-1 axes and merging */
	int64_t dims[MAX_DIMS];      /* [ndim] output dims of the merged copy */
	int64_t stride[MAX_DIMS];    /* [ndim] input element step per output step (signed) */
	int64_t base;                /* input element offset of output element 0 */
	int64_t numel;               /* output elements */
	size_t  es;                  /* element size in bytes */
};

/* Clamps one (start, end, step) for an axis of length dim (Slice-13 text)
 * and returns the number of elements it selects. */
static int64_t slice_clamp(int64_t dim, int64_t start, int64_t end, int64_t step,
                           int64_t *first)
{
	int64_t d;

	if (start < 0)
		start += dim;
	if (end < 0)
		end += dim;
	if (step > 0) {
		start = start < 0 ? 0 : start > dim ? dim : start;
		end = end < 0 ? 0 : end > dim ? dim : end;
		d = end - start;
		*first = start;
		return d > 0 ? 1 + (d - 1) / step : 0;
	}
	if (dim == 0) {
		*first = 0;
		return 0;
	}
	start = start < 0 ? 0 : start > dim - 1 ? dim - 1 : start;
	end = end < -1 ? -1 : end > dim - 1 ? dim - 1 : end;
	d = start - end;
	*first = start;
	/* -step would overflow for INT64_MIN; any step past the axis selects one */
	return d > 0 ? 1 + (d - 1) / (step == INT64_MIN ? INT64_MAX : -step) : 0;
}

/* Shared by both versions: validates the n (axis, start, end, step) entries,
 * sets the output shape and the copy plan. */
static int slice_plan(struct node *n, struct exec *x, int count, const int64_t *starts,
                      const int64_t *ends, const int64_t *axes, const int64_t *steps)
{
	const struct tensor *in = n->inputs[0];
	struct tensor *out = op_output(n, 0);
	struct slice_params *p;
	int64_t first[MAX_DIMS], step[MAX_DIMS], odims[MAX_DIMS], istride[MAX_DIMS];
	int seen[MAX_DIMS] = { 0 };
	int r = in->ndim, rc;

	if (!out)
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	if (count > r)
		return op_fail(n, x, GRT_E_ATTR, "%d starts for data of rank %d", count, r);
	for (int a = 0; a < r; a++) {
		first[a] = 0;
		step[a] = 1;
		odims[a] = in->dims[a];
	}
	for (int i = 0; i < count; i++) {
		int64_t s = steps ? steps[i] : 1;
		int a;

		if (axes) {
			if (axes[i] < -r || axes[i] >= r)
				return op_fail(n, x, GRT_E_ATTR, "axes[%d] = %lld out of range for rank %d",
				               i, (long long)axes[i], r);
			a = (int)(axes[i] < 0 ? axes[i] + r : axes[i]);
		} else {
			a = i;
		}
		if (seen[a]++)
			return op_fail(n, x, GRT_E_ATTR, "axis %d appears twice in axes", a);
		if (s == 0)
			return op_fail(n, x, GRT_E_ATTR, "steps[%d] is 0", i);
		odims[a] = slice_clamp(in->dims[a], starts[i], ends[i], s, &first[a]);
		step[a] = s;
	}
	rc = tensor_set_shape(out, in->dtype, r, odims);
	if (rc)
		return op_fail(n, x, rc, "output shape too large");

	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	p->es = dtype_size(in->dtype);
	p->numel = out->numel;
	istride[r > 0 ? r - 1 : 0] = 1;
	for (int a = r - 2; a >= 0; a--)
		istride[a] = istride[a + 1] * in->dims[a + 1];
	/* keep axes of output length > 1; merge an axis into the next when the
	 * input walks them as one */
	for (int a = 0; a < r; a++) {
		int k = p->ndim;

		p->base += first[a] * istride[a];
		if (odims[a] == 1)
			continue;
		if (k > 0 && p->stride[k - 1] == odims[a] * step[a] * istride[a]) {
			p->dims[k - 1] *= odims[a];
			p->stride[k - 1] = step[a] * istride[a];
			continue;
		}
		p->dims[k] = odims[a];
		p->stride[k] = step[a] * istride[a];
		p->ndim++;
	}
	/* one contiguous run of the input: the planner may make it a view */
	n->view = p->numel > 0 && (p->ndim == 0 || (p->ndim == 1 && p->stride[0] == 1));
	n->view_offset = n->view ? (size_t)p->base * p->es : 0;
	n->params = p;
	return GRT_OK;
}

/* Reads input i (int32/int64, 1-D) at plan time into v[0..*count). */
static int read_const_ints(struct node *n, struct exec *x, int i, const char *what,
                           int64_t *v, int *count)
{
	const struct tensor *t = op_input(n, i);
	static const enum dtype ind[] = { DT_INT32, DT_INT64, DT_UNDEFINED };
	int rc;

	if ((rc = op_check_dtype(n, x, i, ind)))
		return rc;
	if (t->ndim != 1)
		return op_fail(n, x, GRT_E_SHAPE, "%s (input %d) must be 1-D, has rank %d",
		               what, i, t->ndim);
	if (t->numel > MAX_DIMS)
		return op_fail(n, x, GRT_E_ATTR, "%s has %lld entries, more than the rank %d",
		               what, (long long)t->numel, n->inputs[0]->ndim);
	if (!op_const_input(n, x, i) && t->numel)
		return op_dynamic(n, x, i, what);
	*count = (int)t->numel;
	return t->numel ? tensor_read_ints(t, v, t->numel) : GRT_OK;
}

static int slice10_prepare(struct node *n, struct exec *x)
{
	int64_t starts[MAX_DIMS], ends[MAX_DIMS], axes[MAX_DIMS], steps[MAX_DIMS];
	int ns, ne, na, nt, rc;

	if ((rc = op_check_arity(n, x, 3, 5, 1, 1)))
		return rc;
	if (!dtype_size(n->inputs[0]->dtype))
		return op_fail(n, x, GRT_E_DTYPE, "data has unsupported element type %s",
		               dtype_name(n->inputs[0]->dtype));
	if ((rc = read_const_ints(n, x, 1, "starts", starts, &ns)) ||
	    (rc = read_const_ints(n, x, 2, "ends", ends, &ne)))
		return rc;
	if (ne != ns)
		return op_fail(n, x, GRT_E_ATTR, "starts has %d entries but ends has %d", ns, ne);
	if (op_input(n, 3)) {
		if ((rc = read_const_ints(n, x, 3, "axes", axes, &na)))
			return rc;
		if (na != ns)
			return op_fail(n, x, GRT_E_ATTR, "starts has %d entries but axes has %d",
			               ns, na);
	}
	if (op_input(n, 4)) {
		if ((rc = read_const_ints(n, x, 4, "steps", steps, &nt)))
			return rc;
		if (nt != ns)
			return op_fail(n, x, GRT_E_ATTR, "starts has %d entries but steps has %d",
			               ns, nt);
	}
	return slice_plan(n, x, ns, starts, ends, op_input(n, 3) ? axes : NULL,
	                  op_input(n, 4) ? steps : NULL);
}

static int slice1_prepare(struct node *n, struct exec *x)
{
	const int64_t *starts, *ends, *axes;
	int ns, ne, na, rc;

	if ((rc = op_check_arity(n, x, 1, 1, 1, 1)))
		return rc;
	if (!dtype_size(n->inputs[0]->dtype))
		return op_fail(n, x, GRT_E_DTYPE, "data has unsupported element type %s",
		               dtype_name(n->inputs[0]->dtype));
	if ((rc = attr_ints(n, x, "starts", &starts, &ns)) ||
	    (rc = attr_ints(n, x, "ends", &ends, &ne)) ||
	    (rc = attr_ints(n, x, "axes", &axes, &na)))
		return rc;
	if (ns < 0 || ne < 0)
		return op_fail(n, x, GRT_E_ATTR, "attribute '%s' is required",
		               ns < 0 ? "starts" : "ends");
	if (ne != ns)
		return op_fail(n, x, GRT_E_ATTR, "starts has %d entries but ends has %d", ns, ne);
	if (na >= 0 && na != ns)
		return op_fail(n, x, GRT_E_ATTR, "starts has %d entries but axes has %d", ns, na);
	return slice_plan(n, x, ns, starts, ends, na >= 0 ? axes : NULL, NULL);
}


/* One output row: n elements of es bytes (a constant where inlined, so that each is
 * one load and one store), input step `stride` elements. */
static inline __attribute__((always_inline)) void
strided_row(char *restrict dst, const char *restrict src, int64_t n, int64_t stride,
            const size_t es)
{
	for (int64_t i = 0; i < n; i++)
		memcpy(dst + i * (int64_t)es, src + i * stride * (int64_t)es, es);
}

static int slice_run(struct node *n, struct exec *x)
{
	const struct slice_params *p = n->params;
	const char *src;
	char *dst = n->outputs[0]->data;
	int64_t idx[MAX_DIMS] = { 0 };
	int64_t row, rows, off = 0, step;
	size_t es = p->es;
	int last = p->ndim - 1;

	(void)x;
	if (!p->numel)
		return GRT_OK;
	src = (const char *)n->inputs[0]->data + p->base * (int64_t)es;
	if (p->ndim == 0) {
		memcpy(dst, src, es);
		return GRT_OK;
	}
	row = p->dims[last];
	step = p->stride[last];
	if (step == 1) {
		/* contiguous rows: the axis before the last is walked by copy_blocks,
		 * the others by an odometer */
		const int64_t n0 = last ? p->dims[last - 1] : 1;
		const int64_t s0 = last ? p->stride[last - 1] * (int64_t)es : 0;
		const size_t row_bytes = (size_t)row * es;

		rows = p->numel / (row * n0);
		for (int64_t r = 0; r < rows; r++) {
			copy_blocks(dst, src + off * (int64_t)es, 1, 0, 0, n0, (int64_t)row_bytes, s0,
			            row_bytes);
			dst += (size_t)n0 * row_bytes;
			for (int a = last - 2; a >= 0; a--) {
				off += p->stride[a];
				if (++idx[a] < p->dims[a])
					break;
				off -= p->stride[a] * p->dims[a];
				idx[a] = 0;
			}
		}
		return GRT_OK;
	}
	rows = p->numel / row;
	for (int64_t r = 0; r < rows; r++) {
		const char *s = src + off * (int64_t)es;

		if (es == 4)
			strided_row(dst, s, row, step, 4);
		else if (es == 8)
			strided_row(dst, s, row, step, 8);
		else if (es == 2)
			strided_row(dst, s, row, step, 2);
		else
			strided_row(dst, s, row, step, 1);
		dst += (size_t)row * es;
		/* odometer over the outer axes */
		for (int a = last - 1; a >= 0; a--) {
			off += p->stride[a];
			if (++idx[a] < p->dims[a])
				break;
			off -= p->stride[a] * p->dims[a];
			idx[a] = 0;
		}
	}
	return GRT_OK;
}

const struct op_def op_slice_1 = { "Slice", 1, 9, slice1_prepare, slice_run, OP_MOVES_DATA, NULL };
const struct op_def op_slice_10 = { "Slice", 10, OPSET_LATEST, slice10_prepare, slice_run, OP_MOVES_DATA, NULL };

/* broadcast.c - numpy-style multidirectional broadcasting
 * (https://github.com/onnx/onnx/blob/main/docs/Broadcasting.md). */
#include "ops/op.h"

int broadcast_shape(struct node *n, struct exec *x, const struct tensor *const *ts, int k,
                    int *ndim, int64_t *dims)
{
	int nd = 0;

	for (int i = 0; i < k; i++)
		if (ts[i] && ts[i]->ndim > nd)
			nd = ts[i]->ndim;
	for (int d = 0; d < nd; d++)
		dims[d] = 1;
	for (int i = 0; i < k; i++) {
		const struct tensor *t = ts[i];
		if (!t)
			continue;
		for (int d = 0; d < t->ndim; d++) {
			int od = nd - t->ndim + d;
			int64_t v = t->dims[d];
			if (v == dims[od] || v == 1)
				continue;
			if (dims[od] == 1) {
				dims[od] = v;
				continue;
			}
			return op_fail(n, x, GRT_E_SHAPE,
			               "cannot broadcast '%s' (dim %d = %lld) against %lld",
			               t->name, d, (long long)v, (long long)dims[od]);
		}
	}
	*ndim = nd;
	return GRT_OK;
}

void broadcast_strides(const struct tensor *t, int ndim, const int64_t *dims, int64_t *strides)
{
	int64_t s = 1;

	for (int d = ndim - 1; d >= 0; d--) {
		int td = d - (ndim - t->ndim);
		if (td < 0 || t->dims[td] == 1) {
			strides[d] = 0;
		} else {
			strides[d] = s;
		}
		if (td >= 0)
			s *= t->dims[td];
	}
	(void)dims;
}

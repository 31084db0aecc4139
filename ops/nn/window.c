/* window.c - the geometry of sliding-window operators (ops/nn/window.h): spatial
 * attributes, auto_pad, output sizes and begin pads of Conv and the pools. */
#include <string.h>
#include "ops/nn/window.h"

int64_t window_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int window_rank(struct node *n, struct exec *x, const struct tensor *X, int max_sp)
{
	if (X->ndim < 3)
		return op_fail(n, x, GRT_E_SHAPE,
		               "X has rank %d, expected (N, C, D1, ...) of rank >= 3", X->ndim);
	if (X->ndim > 2 + max_sp)
		return op_fail(n, x, GRT_E_UNSUPPORTED,
		               "X has %d spatial axes, at most %d are supported", X->ndim - 2,
		               max_sp);
	return GRT_OK;
}

void window_tap_range(int64_t n_j, int64_t n_p, int64_t s, int64_t off, int64_t *lo,
                      int64_t *hi)
{
	int64_t a = -window_floor_div(off, s);          /* ceil(-off / s) */
	int64_t b = window_floor_div(n_p - 1 - off, s) + 1;

	a = a < 0 ? 0 : a > n_j ? n_j : a;
	b = b < a ? a : b > n_j ? n_j : b;
	*lo = a;
	*hi = b;
}

int window_ints(struct node *n, struct exec *x, const char *name, int want, int64_t min,
                int64_t def, int64_t *out, int *present)
{
	const int64_t max = !strcmp(name, "output_shape") ? WINDOW_SHAPE_MAX : WINDOW_ATTR_MAX;
	const int64_t *v;
	int count, rc;

	rc = attr_ints(n, x, name, &v, &count);
	if (rc)
		return rc;
	*present = count >= 0;
	if (count < 0) {
		for (int i = 0; i < want; i++)
			out[i] = def;
		return GRT_OK;
	}
	if (count != want)
		return op_fail(n, x, GRT_E_ATTR, "attribute '%s' has %d values, expected %d",
		               name, count, want);
	for (int i = 0; i < want; i++) {
		if (v[i] < min || v[i] > max)
			return op_fail(n, x, GRT_E_ATTR, "attribute '%s'[%d] = %lld, must be in "
			               "[%lld, %lld]", name, i, (long long)v[i], (long long)min,
			               (long long)max);
		out[i] = v[i];
	}
	return GRT_OK;
}

static int read_auto_pad(struct node *n, struct exec *x, enum auto_pad *out)
{
	static const char *const names[] = { "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID" };
	const char *s;
	int rc = attr_string(n, x, "auto_pad", "NOTSET", &s);

	if (rc)
		return rc;
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i])) {
			*out = (enum auto_pad)i;
			return GRT_OK;
		}
	return op_fail(n, x, GRT_E_ATTR,
	               "attribute 'auto_pad' is \"%s\", expected NOTSET, SAME_UPPER, SAME_LOWER "
	               "or VALID", s);
}

int window_attrs(struct node *n, struct exec *x, int nsp, struct window_attrs *w)
{
	int dummy, rc;

	rc = read_auto_pad(n, x, &w->ap);
	if (!rc)
		rc = window_ints(n, x, "kernel_shape", nsp, 1, 1, w->k, &w->has_k);
	if (!rc)
		rc = window_ints(n, x, "strides", nsp, 1, 1, w->stride, &dummy);
	if (!rc)
		rc = window_ints(n, x, "dilations", nsp, 1, 1, w->dil, &dummy);
	if (!rc)
		rc = window_ints(n, x, "pads", 2 * nsp, 0, 0, w->pads, &w->has_pads);
	if (rc)
		return rc;
	if (w->has_pads && w->ap != PAD_NOTSET)
		for (int i = 0; i < 2 * nsp; i++)
			if (w->pads[i])
				return op_fail(n, x, GRT_E_ATTR,
				               "attribute 'pads' cannot be used together with "
				               "auto_pad other than NOTSET");
	return GRT_OK;
}

int window_axis(struct node *n, struct exec *x, int a, int nsp, const struct window_attrs *w,
                int ceil_mode, int64_t in, int64_t *out, int64_t *pad)
{
	const int64_t s = w->stride[a];
	const int64_t dk = (w->k[a] - 1) * w->dil[a] + 1;   /* dilated kernel extent */
	int64_t total;

	switch (w->ap) {
	case PAD_SAME_UPPER:
	case PAD_SAME_LOWER:
		*out = (in + s - 1) / s;
		total = (*out - 1) * s + dk - in;
		total = total < 0 ? 0 : total;
		*pad = w->ap == PAD_SAME_UPPER ? total / 2 : total - total / 2;
		return GRT_OK;
	case PAD_VALID:
		total = 0;
		*pad = 0;
		break;
	default:
		total = w->pads[a] + w->pads[a + nsp];
		*pad = w->pads[a];
		break;
	}
	if (in + total < dk)
		return op_fail(n, x, GRT_E_SHAPE,
		               "spatial axis %d: input size %lld plus pads %lld is smaller than the "
		               "dilated kernel %lld", a, (long long)in, (long long)total,
		               (long long)dk);
	if (!ceil_mode) {
		*out = (in + total - dk) / s + 1;
		return GRT_OK;
	}
	*out = (in + total - dk + s - 1) / s + 1;
	/* the last window starts inside the input or its begin pad */
	if ((*out - 1) * s >= in + *pad)
		(*out)--;
	return GRT_OK;
}

/* unfold.c - Unfold, the project's own operator (domain org.gtcrn-run, version 1;
 * docs/OPERATORS.md): PyTorch's nn.Unfold (im2col) on X [N, C, H, W], any element
 * type. Y [N, C*kh*kw, Ho*Wo] holds the zero-padded sliding windows; ops/nn/unfold_fuse.c
 * runs the subgraphs exporters emit for nn.Unfold as this op. prepare works out,
 * for each tap, which output rows and columns read inside X; run() copies those
 * row segments and zero-fills the rest. */
#include <string.h>
#include "ops/op.h"

struct unfold_params {
	int64_t nc;                 /* N * C: input planes */
	int64_t h, w;               /* input plane dims */
	int64_t kh, kw, dh, dw, sh, sw, pt, pl;  /* kernel, dilations, strides, begin pads */
	int64_t ho, wo;             /* output positions along H and W */
	int64_t *w_lo, *w_hi;       /* [kw] output columns [lo, hi) of tap j that read X */
	size_t es;                  /* element size in bytes */
};

/* [lo, hi): the o in [0, n_out) with 0 <= o * s + off < n_in. */
static void valid_range(int64_t n_out, int64_t n_in, int64_t s, int64_t off, int64_t *lo,
                        int64_t *hi)
{
	int64_t a = 0, b = n_out;

	while (a < b && a * s + off < 0)
		a++;
	while (b > a && (b - 1) * s + off >= n_in)
		b--;
	*lo = a;
	*hi = b;
}

static int read_pair(struct node *n, struct exec *x, const char *name, int64_t def, int64_t min,
                     int want, int64_t *out)
{
	const int64_t *v;
	int count, rc = attr_ints(n, x, name, &v, &count);

	if (rc)
		return rc;
	if (count < 0) {
		if (def < 0)
			return op_fail(n, x, GRT_E_ATTR, "attribute '%s' is required", name);
		for (int i = 0; i < want; i++)
			out[i] = def;
		return GRT_OK;
	}
	if (count != want)
		return op_fail(n, x, GRT_E_ATTR, "attribute '%s' has %d values, want %d", name,
		               count, want);
	for (int i = 0; i < want; i++) {
		if (v[i] < min)
			return op_fail(n, x, GRT_E_ATTR, "attribute '%s'[%d] = %lld, must be >= %lld",
			               name, i, (long long)v[i], (long long)min);
		out[i] = v[i];
	}
	return GRT_OK;
}

static int unfold_prepare(struct node *n, struct exec *x)
{
	const struct tensor *in = n->inputs[0];
	struct unfold_params *p;
	int64_t k[2], d[2], s[2], pads[4], ydims[3], ho, wo;
	int rc;

	if ((rc = op_check_arity(n, x, 1, 1, 1, 1)))
		return rc;
	if (in->ndim != 4)
		return op_fail(n, x, GRT_E_SHAPE, "X has rank %d, want 4 (N, C, H, W)", in->ndim);
	if ((rc = read_pair(n, x, "kernel_shape", -1, 1, 2, k)) ||
	    (rc = read_pair(n, x, "dilations", 1, 1, 2, d)) ||
	    (rc = read_pair(n, x, "strides", 1, 1, 2, s)) ||
	    (rc = read_pair(n, x, "pads", 0, 0, 4, pads)))
		return rc;
	ho = in->dims[2] + pads[0] + pads[2] - d[0] * (k[0] - 1) - 1;
	wo = in->dims[3] + pads[1] + pads[3] - d[1] * (k[1] - 1) - 1;
	if (ho < 0 || wo < 0)
		return op_fail(n, x, GRT_E_SHAPE, "the dilated kernel (%lld, %lld) is larger than "
		               "the padded input (%lld, %lld)", (long long)(d[0] * (k[0] - 1) + 1),
		               (long long)(d[1] * (k[1] - 1) + 1),
		               (long long)(in->dims[2] + pads[0] + pads[2]),
		               (long long)(in->dims[3] + pads[1] + pads[3]));
	ho = ho / s[0] + 1;
	wo = wo / s[1] + 1;
	ydims[0] = in->dims[0];
	ydims[1] = in->dims[1] * k[0] * k[1];
	ydims[2] = ho * wo;
	if ((rc = tensor_set_shape(n->outputs[0], in->dtype, 3, ydims)))
		return op_fail(n, x, rc, "output shape overflows");

	p = plan_alloc(x, sizeof(*p));
	if (!p || !(p->w_lo = plan_alloc(x, 2 * (size_t)k[1] * sizeof(int64_t))))
		return GRT_E_NOMEM;
	p->w_hi = p->w_lo + k[1];
	p->nc = in->dims[0] * in->dims[1];
	p->h = in->dims[2];
	p->w = in->dims[3];
	p->kh = k[0];
	p->kw = k[1];
	p->dh = d[0];
	p->dw = d[1];
	p->sh = s[0];
	p->sw = s[1];
	p->pt = pads[0];
	p->pl = pads[1];
	p->ho = ho;
	p->wo = wo;
	p->es = dtype_size(in->dtype);
	for (int64_t j = 0; j < k[1]; j++)
		valid_range(wo, p->w, s[1], j * d[1] - pads[1], &p->w_lo[j], &p->w_hi[j]);
	n->params = p;
	return GRT_OK;
}

/* dst[o] = src[o * s], o in [0, n), for elements of es bytes. */
static void copy_strided(char *restrict dst, const char *restrict src, int64_t n, int64_t s,
                         size_t es)
{
	if (s == 1) {
		memcpy(dst, src, (size_t)n * es);
		return;
	}
	switch (es) {
	case 4:
		for (int64_t o = 0; o < n; o++)
			memcpy(dst + o * 4, src + o * s * 4, 4);
		break;
	case 8:
		for (int64_t o = 0; o < n; o++)
			memcpy(dst + o * 8, src + o * s * 8, 8);
		break;
	case 2:
		for (int64_t o = 0; o < n; o++)
			memcpy(dst + o * 2, src + o * s * 2, 2);
		break;
	default:
		for (int64_t o = 0; o < n; o++)
			memcpy(dst + (size_t)o * es, src + (size_t)(o * s) * es, es);
	}
}

static int unfold_run(struct node *n, struct exec *x)
{
	const struct unfold_params *p = n->params;
	const char *xd = n->inputs[0]->data;
	char *yd = n->outputs[0]->data;
	const size_t es = p->es, row = (size_t)p->wo * es;
	(void)x;

	for (int64_t pl = 0; pl < p->nc; pl++) {
		const char *plane = xd + (size_t)(pl * p->h * p->w) * es;
		for (int64_t i = 0; i < p->kh; i++)
			for (int64_t j = 0; j < p->kw; j++) {
				const int64_t lo = p->w_lo[j], hi = p->w_hi[j];
				const int64_t c0 = lo * p->sw + j * p->dw - p->pl;   /* X column of lo */
				for (int64_t o = 0; o < p->ho; o++, yd += row) {
					const int64_t r = o * p->sh + i * p->dh - p->pt;
					if (r < 0 || r >= p->h || hi <= lo) {
						memset(yd, 0, row);
						continue;
					}
					memset(yd, 0, (size_t)lo * es);
					copy_strided(yd + (size_t)lo * es,
					             plane + (size_t)(r * p->w + c0) * es, hi - lo, p->sw, es);
					memset(yd + (size_t)hi * es, 0, (size_t)(p->wo - hi) * es);
				}
			}
	}
	return GRT_OK;
}

const struct op_def op_grt_unfold = {
	"Unfold", 1, OP_DOMAIN_VERSION, unfold_prepare, unfold_run, OP_MOVES_DATA, NULL
};

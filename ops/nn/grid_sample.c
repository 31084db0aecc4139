/* grid_sample.c - GridSample 16+ (https://onnx.ai/onnx/operators/onnx__GridSample.html).
 *
 * X [N, C, D1..Dr], grid [N, O1..Or, r] (float or double) -> Y [N, C, O1..Or]. Grid
 * point (x, y, z...) in [-1, 1] addresses the last spatial axis first: component
 * r - 1 - a is axis a's. Opset 16 takes r = 2 and modes bilinear, nearest, bicubic;
 * opset 20 any r >= 1 and names them linear, nearest, cubic (cubic with r = 2 only, as
 * the spec says). The arithmetic is the spec's reference, axis by axis:
 *   - the coordinate: align_corners ? (g + 1) / 2 * (D - 1) : ((g + 1) * D - 1) / 2;
 *     nearest rounds it half to even; outside [lo, hi] (align_corners: [0, D - 1],
 *     else [-0.5, D - 0.5]) border clamps it to [0, D - 1] (not in cubic mode, where
 *     only the taps are clamped, as in PyTorch and ONNX Runtime; the spec's reference
 *     clamps the coordinate first) and reflection reflects it between lo and hi;
 *   - the taps: nearest 1 (the coordinate truncated), linear 2 (floor, floor + 1),
 *     cubic 4 (floor - 1 .. floor + 2, Keys' weights with a = -0.75);
 *   - a tap outside [0, D) reads 0 (zeros), the clamped index (border) or the index
 *     reflected between lo and hi (reflection);
 * and a point's value is the sum over every combination of one tap per axis of the
 * product of their weights times the element. */
#include <math.h>
#include <string.h>
#include "ops/op.h"

enum gs_mode { GS_NEAREST, GS_LINEAR, GS_CUBIC };
enum gs_pad { GS_ZEROS, GS_BORDER, GS_REFLECT };

struct gs_params {
	enum gs_mode mode;
	enum gs_pad pad;
	int align;
	int rank;                    /* r */
	int64_t n, c;
	int64_t in[MAX_DIMS], in_size;     /* D1..Dr and their product */
	int64_t out_size;            /* O1 * .. * Or */
};

/* The taps of one axis: index (-1: reads 0) and weight. */
struct gs_axis {
	int n;
	int64_t idx[4];
	double w[4];
};

/* x reflected between lo and hi until it lies inside (as many times as it takes). */
static double reflect(double x, double lo, double hi)
{
	const double range = hi - lo;
	double m;

	if (range <= 0)
		return lo;
	if (x < lo) {
		m = fmod(lo - x, 2 * range);
		return m < range ? lo + m : hi - (m - range);
	}
	if (x > hi) {
		m = fmod(x - hi, 2 * range);
		return m < range ? hi - m : lo + (m - range);
	}
	return x;
}

/* Index i of an axis of length len, by the padding mode: -1 for "reads 0". */
static int64_t tap_index(const struct gs_params *p, int64_t i, int64_t len)
{
	const double lo = p->align ? 0 : -0.5, hi = p->align ? (double)len - 1 : (double)len - 0.5;

	if (i >= 0 && i < len)
		return i;
	switch (p->pad) {
	case GS_ZEROS:
		return -1;
	case GS_BORDER:
		return i < 0 ? 0 : len - 1;
	default: {
		int64_t r = (int64_t)reflect((double)i, lo, hi);
		return r < 0 ? 0 : r >= len ? len - 1 : r;
	}
	}
}

static void cubic_weights(double t, double w[4])
{
	const double a = -0.75, t1 = t + 1, t2 = 1 - t, t3 = 2 - t;

	w[0] = ((a * t1 - 5 * a) * t1 + 8 * a) * t1 - 4 * a;
	w[1] = ((a + 2) * t - (a + 3)) * t * t + 1;
	w[2] = ((a + 2) * t2 - (a + 3)) * t2 * t2 + 1;
	w[3] = ((a * t3 - 5 * a) * t3 + 8 * a) * t3 - 4 * a;
}

/* The taps of grid value g on an axis of length len. */
static void axis_taps(const struct gs_params *p, double g, int64_t len, struct gs_axis *ax)
{
	const double lo = p->align ? 0 : -0.5, hi = p->align ? (double)len - 1 : (double)len - 0.5;
	double x = p->align ? (g + 1) / 2 * (double)(len - 1) : ((g + 1) * (double)len - 1) / 2;
	double f;

	if (p->mode == GS_NEAREST)
		x = nearbyint(x);            /* half to even in the default rounding mode */
	if (x < lo || x > hi) {
		if (p->pad == GS_BORDER && p->mode != GS_CUBIC)
			x = x < 0 ? 0 : x > (double)len - 1 ? (double)len - 1 : x;
		else if (p->pad == GS_REFLECT)
			x = reflect(x, lo, hi);
	}
	if (isnan(x)) {                  /* a NaN grid value reads nothing */
		ax->n = 1;
		ax->idx[0] = -1;
		ax->w[0] = 0;
		return;
	}
	/* far outside (zeros padding only): every tap reads 0 either way, and the
	 * integer conversions below stay in range */
	if (x < -8 - (double)len)
		x = -8 - (double)len;
	else if (x > (double)len + 8)
		x = (double)len + 8;
	if (p->mode == GS_NEAREST) {
		ax->n = 1;
		ax->idx[0] = tap_index(p, (int64_t)x, len);
		ax->w[0] = 1;
		return;
	}
	f = floor(x);
	if (p->mode == GS_LINEAR) {
		ax->n = 2;
		ax->w[0] = 1 - (x - f);
		ax->w[1] = x - f;
	} else {
		ax->n = 4;
		cubic_weights(x - f, ax->w);
	}
	for (int k = 0; k < ax->n; k++)
		ax->idx[k] = tap_index(p, (int64_t)f + k - (p->mode == GS_CUBIC), len);
}

/* One output point of every channel of batch b: y[c * out_size], from the taps. */
static void sample_point(const struct gs_params *p, const struct gs_axis *ax, enum dtype dt,
                         const void *x, void *y)
{
	int k[MAX_DIMS] = { 0 };

	for (int64_t c = 0; c < p->c; c++) {
		double sum = 0;
		memset(k, 0, sizeof(k));
		for (;;) {              /* every combination k of one tap per axis */
			double w = 1;
			int64_t off = 0;
			int a;
			for (a = 0; a < p->rank; a++) {
				const int64_t i = ax[a].idx[k[a]];
				if (i < 0)
					break;
				off = off * p->in[a] + i;
				w *= ax[a].w[k[a]];
			}
			if (a == p->rank)
				sum += w * (dt == DT_FLOAT ? ((const float *)x)[c * p->in_size + off]
				                           : ((const double *)x)[c * p->in_size + off]);
			for (a = p->rank - 1; a >= 0 && ++k[a] == ax[a].n; a--)
				k[a] = 0;
			if (a < 0)
				break;
		}
		if (dt == DT_FLOAT)
			((float *)y)[c * p->out_size] = (float)sum;
		else
			((double *)y)[c * p->out_size] = sum;
	}
}

static int gs_run(struct node *n, struct exec *x)
{
	const struct gs_params *p = n->params;
	const struct tensor *in = n->inputs[0], *grid = n->inputs[1];
	const enum dtype dt = in->dtype;
	const size_t es = dtype_size(dt);
	struct gs_axis ax[MAX_DIMS];

	(void)x;
	for (int64_t b = 0; b < p->n; b++)
		for (int64_t o = 0; o < p->out_size; o++) {
			const int64_t g0 = (b * p->out_size + o) * p->rank;
			for (int a = 0; a < p->rank; a++) {
				const int64_t gi = g0 + p->rank - 1 - a;
				const double g = grid->dtype == DT_FLOAT ? ((const float *)grid->data)[gi]
				                                         : ((const double *)grid->data)[gi];
				axis_taps(p, g, p->in[a], &ax[a]);
			}
			sample_point(p, ax, dt, (const char *)in->data + (size_t)(b * p->c * p->in_size) * es,
			             (char *)n->outputs[0]->data + (size_t)(b * p->c * p->out_size + o) * es);
		}
	return GRT_OK;
}

static int gs_modes(struct node *n, struct exec *x, struct gs_params *p)
{
	static const char *const modes16[] = { "nearest", "bilinear", "bicubic" };
	static const char *const modes20[] = { "nearest", "linear", "cubic" };
	static const char *const pads[] = { "zeros", "border", "reflection" };
	const char *const *modes = n->opset < 20 ? modes16 : modes20;
	const char *mode, *pad;
	int64_t align;
	int rc, m, q;

	if ((rc = attr_string(n, x, "mode", modes[1], &mode)) ||
	    (rc = attr_string(n, x, "padding_mode", "zeros", &pad)) ||
	    (rc = attr_int(n, x, "align_corners", 0, &align)))
		return rc;
	for (m = 0; m < 3 && strcmp(mode, modes[m]); m++)
		;
	for (q = 0; q < 3 && strcmp(pad, pads[q]); q++)
		;
	if (m == 3)
		return op_fail(n, x, GRT_E_ATTR, "mode '%s' is not %s, %s or %s (opset %d)", mode,
		               modes[0], modes[1], modes[2], n->opset);
	if (q == 3)
		return op_fail(n, x, GRT_E_ATTR, "padding_mode '%s' is not zeros, border or "
		               "reflection", pad);
	p->mode = (enum gs_mode)m;
	p->pad = (enum gs_pad)q;
	p->align = align != 0;
	return GRT_OK;
}

static int gs_prepare(struct node *n, struct exec *x)
{
	static const enum dtype types[] = { DT_FLOAT, DT_DOUBLE, DT_UNDEFINED };
	const struct tensor *in, *grid;
	struct gs_params *p;
	int64_t dims[MAX_DIMS];
	int rc = op_check_arity(n, x, 2, 2, 1, 1);

	if (rc || (rc = op_check_dtype(n, x, 0, types)) || (rc = op_check_dtype(n, x, 1, types)))
		return rc;
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	if ((rc = gs_modes(n, x, p)))
		return rc;
	in = n->inputs[0];
	grid = n->inputs[1];
	p->rank = in->ndim - 2;
	if (p->rank < 1 || (n->opset < 20 && p->rank != 2) || grid->ndim != in->ndim ||
	    grid->dims[0] != in->dims[0] || grid->dims[grid->ndim - 1] != p->rank)
		return op_fail(n, x, GRT_E_SHAPE, "needs X [N, C, D1..Dr] and grid [N, O1..Or, r]%s",
		               n->opset < 20 ? " with r = 2 (opset 16)" : "");
	if (p->mode == GS_CUBIC && p->rank != 2)
		return op_fail(n, x, GRT_E_SHAPE, "cubic mode takes 2 spatial axes, X has %d",
		               p->rank);
	p->n = in->dims[0];
	p->c = in->dims[1];
	p->in_size = p->out_size = 1;
	dims[0] = p->n;
	dims[1] = p->c;
	for (int a = 0; a < p->rank; a++) {
		p->in[a] = in->dims[2 + a];
		p->in_size *= p->in[a];
		dims[2 + a] = grid->dims[1 + a];
		p->out_size *= dims[2 + a];
	}
	n->params = p;
	if ((rc = tensor_set_shape(n->outputs[0], in->dtype, in->ndim, dims)))
		return op_fail(n, x, rc, "output too large");
	return GRT_OK;
}

const struct op_def op_grid_sample = {
	"GridSample", 16, OPSET_LATEST, gs_prepare, gs_run, 0, NULL
};

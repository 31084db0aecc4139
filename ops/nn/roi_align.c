/* roi_align.c - RoiAlign 10+ (https://onnx.ai/onnx/operators/onnx__RoiAlign.html).
 *
 * X [N, C, H, W], rois [R, 4] (x1, y1, x2, y2 in X's coordinates before spatial_scale),
 * batch_indices [R] (int64) -> Y [R, C, output_height, output_width]. Each output bin
 * of a region averages (mode avg) or takes the largest of (mode max) sampling_ratio^2
 * bilinear samples (sampling_ratio 0: ceil(region size / bins) per axis), as in ONNX
 * Runtime, whose arithmetic the spec's reference follows:
 *   - coordinate_transformation_mode half_pixel (opset 16's default) shifts the region
 *     by -0.5; output_half_pixel (opset 10's only behaviour) does not, and makes the
 *     region at least 1 x 1;
 *   - a sample outside [-1, H] x [-1, W] reads 0; others are clamped into the plane
 *     and interpolated between the four elements around them;
 *   - max mode takes, per sample, the largest of the four weighted elements (not the
 *     interpolated value), then the largest over the samples. */
#include <math.h>
#include <string.h>
#include "ops/op.h"

struct roi_params {
	int max_mode;
	int half_pixel;
	int64_t out_h, out_w, sampling;
	float scale;
	int64_t n, c, h, w, rois;
};

/* One bilinear sample at (y, x): the four element offsets in a plane and their weights
 * (all weights 0 outside). */
struct roi_sample {
	int64_t pos[4];
	double w[4];
};

static void roi_sample_at(const struct roi_params *p, double y, double x, struct roi_sample *s)
{
	int64_t y0, x0, y1, x1;
	double ly, lx;

	memset(s, 0, sizeof(*s));
	if (!(y >= -1 && y <= (double)p->h && x >= -1 && x <= (double)p->w))  /* NaN too */
		return;
	y = y <= 0 ? 0 : y;
	x = x <= 0 ? 0 : x;
	y0 = (int64_t)y;
	x0 = (int64_t)x;
	if (y0 >= p->h - 1) {
		y0 = y1 = p->h - 1;
		y = (double)y0;
	} else {
		y1 = y0 + 1;
	}
	if (x0 >= p->w - 1) {
		x0 = x1 = p->w - 1;
		x = (double)x0;
	} else {
		x1 = x0 + 1;
	}
	ly = y - (double)y0;
	lx = x - (double)x0;
	s->pos[0] = y0 * p->w + x0;
	s->pos[1] = y0 * p->w + x1;
	s->pos[2] = y1 * p->w + x0;
	s->pos[3] = y1 * p->w + x1;
	s->w[0] = (1 - ly) * (1 - lx);
	s->w[1] = (1 - ly) * lx;
	s->w[2] = ly * (1 - lx);
	s->w[3] = ly * lx;
}

static double elem(enum dtype dt, const void *x, int64_t i)
{
	return dt == DT_FLOAT ? ((const float *)x)[i] : ((const double *)x)[i];
}

#define ROI_MAX_SAMPLES (1 << 20)   /* per bin: a hostile region cannot hang a run */

/* Bin (ph, pw) of a region (box: start y, start x, height, width; gh x gw samples),
 * every channel: y[c * out_h * out_w]. */
static void roi_bin(const struct roi_params *p, enum dtype dt, const void *plane0,
                    const double box[4], int64_t gh, int64_t gw, int64_t ph, int64_t pw,
                    void *y)
{
	const double bin_h = box[2] / (double)p->out_h, bin_w = box[3] / (double)p->out_w;
	const int64_t count = gh * gw > 0 ? gh * gw : 1, plane = p->h * p->w;
	const size_t es = dtype_size(dt);

	for (int64_t c = 0; c < p->c; c++) {
		const char *xc = (const char *)plane0 + (size_t)(c * plane) * es;
		double v = 0;
		int first = 1;
		for (int64_t iy = 0; iy < gh; iy++) {
			const double yy = box[0] + (double)ph * bin_h + ((double)iy + 0.5) * bin_h / (double)gh;
			for (int64_t ix = 0; ix < gw; ix++) {
				const double xx = box[1] + (double)pw * bin_w +
				                  ((double)ix + 0.5) * bin_w / (double)gw;
				struct roi_sample s;
				roi_sample_at(p, yy, xx, &s);
				if (!p->max_mode) {
					for (int k = 0; k < 4; k++)
						v += s.w[k] * elem(dt, xc, s.pos[k]);
					continue;
				}
				for (int k = 0; k < 4; k++) {
					const double t = s.w[k] * elem(dt, xc, s.pos[k]);
					if (first || t > v)
						v = t;
					first = 0;
				}
			}
		}
		if (!p->max_mode)
			v /= (double)count;
		if (dt == DT_FLOAT)
			((float *)y)[c * p->out_h * p->out_w] = (float)v;
		else
			((double *)y)[c * p->out_h * p->out_w] = v;
	}
}

static int roi_run(struct node *n, struct exec *x)
{
	const struct roi_params *p = n->params;
	const struct tensor *in = n->inputs[0], *rois = n->inputs[1];
	const int64_t *bidx = n->inputs[2]->data;
	const enum dtype dt = in->dtype;
	const size_t es = dtype_size(dt);
	const double off = p->half_pixel ? 0.5 : 0;

	for (int64_t r = 0; r < p->rois; r++) {
		double box[4], gh, gw; /* start y, start x, height, width; samples per bin */
		const double x1 = elem(rois->dtype, rois->data, 4 * r) * p->scale - off;
		const double y1 = elem(rois->dtype, rois->data, 4 * r + 1) * p->scale - off;
		const double x2 = elem(rois->dtype, rois->data, 4 * r + 2) * p->scale - off;
		const double y2 = elem(rois->dtype, rois->data, 4 * r + 3) * p->scale - off;
		if (bidx[r] < 0 || bidx[r] >= p->n)
			return op_fail(n, x, GRT_E_SHAPE, "batch_indices[%lld] = %lld is outside [0, %lld)",
			               (long long)r, (long long)bidx[r], (long long)p->n);
		box[0] = y1;
		box[1] = x1;
		box[2] = p->half_pixel ? y2 - y1 : fmax(y2 - y1, 1);
		box[3] = p->half_pixel ? x2 - x1 : fmax(x2 - x1, 1);
		gh = p->sampling > 0 ? (double)p->sampling : ceil(box[2] / (double)p->out_h);
		gw = p->sampling > 0 ? (double)p->sampling : ceil(box[3] / (double)p->out_w);
		if (!(fabs(gh) * fabs(gw) <= ROI_MAX_SAMPLES))      /* NaN too */
			return op_fail(n, x, GRT_E_LIMIT, "region %lld takes %g x %g samples per bin "
			               "(at most %d)", (long long)r, gh, gw, ROI_MAX_SAMPLES);
		for (int64_t ph = 0; ph < p->out_h; ph++)
			for (int64_t pw = 0; pw < p->out_w; pw++)
				roi_bin(p, dt, (const char *)in->data + (size_t)(bidx[r] * p->c * p->h * p->w) * es,
				        box, (int64_t)gh, (int64_t)gw, ph, pw, (char *)n->outputs[0]->data +
				        (size_t)((r * p->c * p->out_h + ph) * p->out_w + pw) * es);
	}
	return GRT_OK;
}

static int roi_prepare(struct node *n, struct exec *x)
{
	static const enum dtype types[] = { DT_FLOAT, DT_DOUBLE, DT_UNDEFINED };
	static const enum dtype ints[] = { DT_INT64, DT_UNDEFINED };
	const struct tensor *in, *rois;
	struct roi_params *p;
	const char *mode, *ctm = "output_half_pixel";
	int64_t dims[4];
	int rc = op_check_arity(n, x, 3, 3, 1, 1);

	if (rc || (rc = op_check_dtype(n, x, 0, types)) || (rc = op_check_dtype(n, x, 1, types)) ||
	    (rc = op_check_dtype(n, x, 2, ints)))
		return rc;
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	if ((rc = attr_string(n, x, "mode", "avg", &mode)) ||
	    (n->opset >= 16 && (rc = attr_string(n, x, "coordinate_transformation_mode",
	                                         "half_pixel", &ctm))) ||
	    (rc = attr_int(n, x, "output_height", 1, &p->out_h)) ||
	    (rc = attr_int(n, x, "output_width", 1, &p->out_w)) ||
	    (rc = attr_int(n, x, "sampling_ratio", 0, &p->sampling)) ||
	    (rc = attr_float(n, x, "spatial_scale", 1, &p->scale)))
		return rc;
	if (strcmp(mode, "avg") && strcmp(mode, "max"))
		return op_fail(n, x, GRT_E_ATTR, "mode '%s' is not avg or max", mode);
	if (strcmp(ctm, "half_pixel") && strcmp(ctm, "output_half_pixel"))
		return op_fail(n, x, GRT_E_ATTR, "coordinate_transformation_mode '%s' is not "
		               "half_pixel or output_half_pixel", ctm);
	if (p->out_h < 1 || p->out_w < 1 || p->sampling < 0)
		return op_fail(n, x, GRT_E_ATTR, "output_height and output_width must be >= 1 and "
		               "sampling_ratio >= 0");
	p->max_mode = !strcmp(mode, "max");
	p->half_pixel = !strcmp(ctm, "half_pixel");
	in = n->inputs[0];
	rois = n->inputs[1];
	if (in->ndim != 4 || rois->ndim != 2 || rois->dims[1] != 4 || n->inputs[2]->ndim != 1 ||
	    n->inputs[2]->dims[0] != rois->dims[0])
		return op_fail(n, x, GRT_E_SHAPE, "needs X [N, C, H, W], rois [R, 4] and "
		               "batch_indices [R]");
	p->n = in->dims[0];
	p->c = in->dims[1];
	p->h = in->dims[2];
	p->w = in->dims[3];
	p->rois = rois->dims[0];
	if (p->rois && (!p->h || !p->w))
		return op_fail(n, x, GRT_E_SHAPE, "regions of an empty plane");
	dims[0] = p->rois;
	dims[1] = p->c;
	dims[2] = p->out_h;
	dims[3] = p->out_w;
	n->params = p;
	if ((rc = tensor_set_shape(n->outputs[0], in->dtype, 4, dims)))
		return op_fail(n, x, rc, "output too large");
	return GRT_OK;
}

const struct op_def op_roi_align = {
	"RoiAlign", 10, OPSET_LATEST, roi_prepare, roi_run, 0, NULL
};

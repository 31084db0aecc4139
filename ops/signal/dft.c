/* dft.c - DFT (https://onnx.ai/onnx/operators/onnx__DFT.html): opsets 17-19 (axis an
 * attribute, default 1) and 20+ (axis an input, default -2). The signals along the
 * axis are gathered into the scratch as complex rows of dft_length points (cut or
 * zero-padded; a onesided inverse first completes its Hermitian half), transformed
 * in place by one batched FFTW plan (ops/signal/fft.h) and scattered to the output. */
#include <string.h>
#include "ops/signal/fft.h"

struct dft_params {
	struct fft_plan fft;        /* first: fft_plan_release; [rows][len] in the scratch */
	int64_t outer, inner;       /* dims before the axis; after it, but the last */
	int64_t n_in, n_out;        /* input and output length on the axis */
	int64_t len;                /* dft_length: the points of each transform */
	int c_in, c_out;            /* last dim of input and output: 1 real, 2 complex */
	int irfft;                  /* inverse and onesided: a half spectrum to a real signal */
	double scale;               /* 1, or 1 / len for the inverse */
};

static const enum dtype float_types[] = { DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16,
                                          DT_UNDEFINED };

static int dft_prepare(struct node *n, struct exec *x)
{
	const int v20 = n->op->since >= 20;
	const struct tensor *in;
	struct dft_params *p;
	int64_t axis = v20 ? -2 : 1, inverse, onesided, len, dims[MAX_DIMS];
	int rc, r, ax, dbl;

	if ((rc = op_check_arity(n, x, 1, v20 ? 3 : 2, 1, 1)) ||
	    (rc = op_check_dtype(n, x, 0, float_types)) ||
	    (!v20 && (rc = attr_int(n, x, "axis", 1, &axis))) ||
	    (rc = attr_int(n, x, "inverse", 0, &inverse)) ||
	    (rc = attr_int(n, x, "onesided", 0, &onesided)))
		return rc;
	in = n->inputs[0];
	r = in->ndim;
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	if (r < 2 || (in->dims[r - 1] != 1 && in->dims[r - 1] != 2))
		return op_fail(n, x, GRT_E_SHAPE, "input must be [..., 1] (real) or [..., 2] "
		               "(complex) of rank >= 2");
	if (v20 && op_input(n, 2) && (rc = signal_int_input(n, x, 2, "axis", &axis)))
		return rc;
	/* [-r, -2] or [0, r - 2]: the last dim holds (re, im) */
	if (axis < -r || axis > r - 2 || axis == -1)
		return op_fail(n, x, GRT_E_ATTR, "axis %lld out of range for rank %d",
		               (long long)axis, r);
	ax = (int)(axis < 0 ? axis + r : axis);
	if (!(p = plan_alloc_release(x, sizeof(*p), fft_plan_release)))
		return GRT_E_NOMEM;
	n->params = p;
	p->n_in = in->dims[ax];
	p->c_in = (int)in->dims[r - 1];
	p->irfft = inverse && onesided;
	if (onesided && !inverse && p->c_in == 2)
		return op_fail(n, x, GRT_E_SHAPE, "a onesided DFT needs a real input ([..., 1])");
	/* a onesided inverse of n bins is a real signal of 2 (n - 1) points */
	len = p->irfft ? 2 * (p->n_in - 1) : p->n_in;
	if (op_input(n, 1) && (rc = signal_int_input(n, x, 1, "dft_length", &len)))
		return rc;
	if (len < 1 || len > ((int64_t)1 << 40))
		return op_fail(n, x, GRT_E_SHAPE, "dft_length %lld out of range", (long long)len);
	p->len = len;
	p->n_out = onesided && !inverse ? len / 2 + 1 : len;
	p->c_out = p->irfft ? 1 : 2;
	p->scale = inverse ? 1.0 / (double)len : 1.0;
	p->outer = shape_numel(ax, in->dims);
	p->inner = shape_numel(r - 2 - ax, in->dims + ax + 1);
	memcpy(dims, in->dims, sizeof(*dims) * (size_t)r);
	dims[ax] = p->n_out;
	dims[r - 1] = p->c_out;
	if ((rc = tensor_set_shape(n->outputs[0], in->dtype, r, dims)))
		return op_fail(n, x, rc, "output shape too large");
	if (n->outputs[0]->numel == 0)
		return GRT_OK;
	if (p->outer * p->inner > (((int64_t)1 << 40) / len))
		return op_fail(n, x, GRT_E_LIMIT, "%lld transforms of %lld points are too many",
		               (long long)(p->outer * p->inner), (long long)len);
	dbl = fft_is_double(in->dtype);
	n->scratch_bytes = (size_t)(p->outer * p->inner * len) * fft_elem_bytes(dbl);
	/* a real signal's forward transform is FFTW's real-to-complex one */
	return fft_plan_make(n, x, &p->fft, dbl, inverse ? FFT_BACKWARD : p->c_in == 1 ? FFT_R2C
	                     : FFT_FORWARD, len, p->outer * p->inner);
}

/* Signal (o, i) of the input into its row of the scratch: n_read samples or
 * bins, zero-padded to len (a half spectrum completed to len bins). */
static void dft_gather(const struct dft_params *p, const struct tensor *in, char *row,
                       int64_t o, int64_t i)
{
	const int dbl = p->fft.dbl, real = p->fft.kind == FFT_R2C;
	const size_t es = dtype_size(in->dtype), ws = fft_elem_bytes(dbl) / (real ? 2 : 1);
	/* a onesided inverse reads bins [0, len / 2] */
	const int64_t keep = p->irfft ? p->len / 2 + 1 : p->len;
	const int64_t n_read = p->n_in < keep ? p->n_in : keep, step = p->inner * p->c_in;
	const char *src = (const char *)in->data +
	                  (size_t)((o * p->n_in * p->inner + i) * p->c_in) * es;

	if (real)
		fft_load_real(dbl, row, in->dtype, src, step, NULL, n_read);
	else
		fft_load(dbl, row, in->dtype, src, step, p->c_in == 2, NULL, n_read);
	fft_zero(dbl, real, row + (size_t)n_read * ws, p->len - n_read);
	if (p->irfft)
		fft_hermitian(dbl, row, p->len);
}

static int dft_run(struct node *n, struct exec *x)
{
	const struct dft_params *p = n->params;
	struct tensor *out = n->outputs[0];
	const int dbl = p->fft.dbl;
	const size_t es = dtype_size(out->dtype), ws = fft_elem_bytes(dbl);
	char *w = x->scratch;
	int rc;

	for (int64_t o = 0; o < p->outer; o++)
		for (int64_t i = 0; i < p->inner; i++) {
			char *row = w + (size_t)((o * p->inner + i) * p->len) * ws;
			dft_gather(p, n->inputs[0], row, o, i);
		}
	if ((rc = fft_execute(n, x, &p->fft, w)))
		return rc;
	for (int64_t o = 0; o < p->outer; o++)
		for (int64_t i = 0; i < p->inner; i++) {
			char *row = w + (size_t)((o * p->inner + i) * p->len) * ws;
			char *dst = (char *)out->data +
			            (size_t)((o * p->n_out * p->inner + i) * p->c_out) * es;
			/* a real-to-complex transform wrote bins [0, len / 2] */
			if (p->fft.kind == FFT_R2C && p->n_out > p->len / 2 + 1)
				fft_hermitian(dbl, row, p->len);
			fft_store(dbl, row, out->dtype, dst, p->inner * p->c_out, p->c_out == 2,
			          p->scale, p->n_out);
		}
	return GRT_OK;
}

const struct op_def op_dft_17 = { "DFT", 17, 19, dft_prepare, dft_run, 0, NULL };
const struct op_def op_dft_20 = { "DFT", 20, OPSET_LATEST, dft_prepare, dft_run, 0, NULL };

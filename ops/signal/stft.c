/* stft.c - STFT (https://onnx.ai/onnx/operators/onnx__STFT.html, opsets 17+): frames
 * of frame_length samples every frame_step, times the window (if any), gathered as
 * complex rows in the scratch and transformed in place by one batched FFTW plan
 * (ops/signal/fft.h); onesided keeps bins [0, frame_length / 2]. */
#include "ops/signal/fft.h"

struct stft_params {
	struct fft_plan fft;        /* first: fft_plan_release; [batch * frames][len] */
	int64_t batch, n_samples;   /* signal [batch][n_samples][c_in] */
	int64_t frames, step;       /* frames of len samples, step samples apart */
	int64_t len;                /* frame_length: the points of each transform */
	int64_t bins;               /* output bins: len / 2 + 1 (onesided) or len */
	int c_in;                   /* 1 real, 2 complex */
};

static const enum dtype float_types[] = { DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16,
                                          DT_UNDEFINED };

/* Input i, a positive scalar integer known at plan time, into *v. */
static int positive_input(struct node *n, struct exec *x, int i, const char *what,
                          int64_t *v)
{
	int rc = signal_int_input(n, x, i, what, v);

	if (!rc && (*v < 1 || *v > ((int64_t)1 << 40)))
		return op_fail(n, x, GRT_E_SHAPE, "%s must be in [1, 2^40]", what);
	return rc;
}

static int stft_shape(struct node *n, struct exec *x, struct stft_params *p)
{
	const struct tensor *sig = n->inputs[0], *win = op_input(n, 2);
	int rc;

	if (sig->ndim != 3 || (sig->dims[2] != 1 && sig->dims[2] != 2))
		return op_fail(n, x, GRT_E_SHAPE, "signal must be [batch, length, 1 or 2]");
	p->batch = sig->dims[0];
	p->n_samples = sig->dims[1];
	p->c_in = (int)sig->dims[2];
	if ((rc = positive_input(n, x, 1, "frame_step", &p->step)))
		return rc;
	if (win && (win->ndim != 1 || win->dtype != sig->dtype))
		return op_fail(n, x, GRT_E_SHAPE, "window must be a vector of the signal's type");
	p->len = win ? win->dims[0] : p->n_samples;
	if (op_input(n, 3) && (rc = positive_input(n, x, 3, "frame_length", &p->len)))
		return rc;
	if (win && win->dims[0] != p->len)
		return op_fail(n, x, GRT_E_SHAPE, "window has %lld points, frame_length is %lld",
		               (long long)win->dims[0], (long long)p->len);
	if (p->len < 1 || p->len > p->n_samples)
		return op_fail(n, x, GRT_E_SHAPE, "frames of %lld samples in a signal of %lld",
		               (long long)p->len, (long long)p->n_samples);
	p->frames = 1 + (p->n_samples - p->len) / p->step;
	return GRT_OK;
}

static int stft_prepare(struct node *n, struct exec *x)
{
	struct stft_params *p;
	int64_t onesided, dims[4];
	int rc, dbl;

	if ((rc = op_check_arity(n, x, 2, 4, 1, 1)) ||
	    (rc = op_check_dtype(n, x, 0, float_types)) ||
	    (rc = attr_int(n, x, "onesided", 1, &onesided)))
		return rc;
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	if (!(p = plan_alloc_release(x, sizeof(*p), fft_plan_release)))
		return GRT_E_NOMEM;
	n->params = p;
	if ((rc = stft_shape(n, x, p)))
		return rc;
	if (onesided && p->c_in == 2)
		return op_fail(n, x, GRT_E_SHAPE, "a onesided STFT needs a real signal ([..., 1])");
	p->bins = onesided ? p->len / 2 + 1 : p->len;
	dims[0] = p->batch;
	dims[1] = p->frames;
	dims[2] = p->bins;
	dims[3] = 2;
	if ((rc = tensor_set_shape(n->outputs[0], n->inputs[0]->dtype, 4, dims)))
		return op_fail(n, x, rc, "output shape too large");
	if (n->outputs[0]->numel == 0)
		return GRT_OK;
	if (p->batch * p->frames > (((int64_t)1 << 40) / p->len))
		return op_fail(n, x, GRT_E_LIMIT, "%lld frames of %lld points are too many",
		               (long long)(p->batch * p->frames), (long long)p->len);
	dbl = fft_is_double(n->inputs[0]->dtype);
	n->scratch_bytes = (size_t)(p->batch * p->frames * p->len) * fft_elem_bytes(dbl);
	return fft_plan_make(n, x, &p->fft, dbl, p->c_in == 1 ? FFT_R2C : FFT_FORWARD, p->len,
	                     p->batch * p->frames);
}

static int stft_run(struct node *n, struct exec *x)
{
	const struct stft_params *p = n->params;
	const struct tensor *sig = n->inputs[0], *win = op_input(n, 2);
	struct tensor *out = n->outputs[0];
	const int dbl = p->fft.dbl;
	const size_t es = dtype_size(sig->dtype), ws = fft_elem_bytes(dbl);
	const void *wv = win ? win->data : NULL;     /* [len] or none */
	char *w = x->scratch;
	int rc;

	for (int64_t b = 0; b < p->batch; b++)
		for (int64_t f = 0; f < p->frames; f++) {
			char *row = w + (size_t)((b * p->frames + f) * p->len) * ws;
			const char *src = (const char *)sig->data +
			                  (size_t)((b * p->n_samples + f * p->step) * p->c_in) * es;
			if (p->fft.kind == FFT_R2C)
				fft_load_real(dbl, row, sig->dtype, src, 1, wv, p->len);
			else
				fft_load(dbl, row, sig->dtype, src, 2, 1, wv, p->len);
		}
	if ((rc = fft_execute(n, x, &p->fft, w)))
		return rc;
	for (int64_t r = 0; r < p->batch * p->frames; r++) {
		char *row = w + (size_t)(r * p->len) * ws;
		char *dst = (char *)out->data + (size_t)(r * p->bins * 2) * es;
		/* a real-to-complex transform wrote bins [0, len / 2] */
		if (p->fft.kind == FFT_R2C && p->bins > p->len / 2 + 1)
			fft_hermitian(dbl, row, p->len);
		fft_store(dbl, row, out->dtype, dst, 2, 1, 1.0, p->bins);
	}
	return GRT_OK;
}

const struct op_def op_stft = { "STFT", 17, OPSET_LATEST, stft_prepare, stft_run, 0, NULL };

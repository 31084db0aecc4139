/* windows.c - the signal operators that make a table from scalars: HannWindow,
 * HammingWindow, BlackmanWindow (https://onnx.ai/onnx/operators/onnx__HannWindow.html
 * etc., opsets 17+: a generalized cosine window of `size` points, periodic or
 * symmetric) and MelWeightMatrix (onnx__MelWeightMatrix.html, opsets 17+: triangular
 * filters on the mel scale, as ONNX's reference computes them). Values are computed
 * in double and stored in output_datatype (integers truncated, as a cast). */
#include <math.h>
#include "ops/signal/fft.h"

static const enum dtype int_types[] = { DT_INT32, DT_INT64, DT_UNDEFINED };

/* output_datatype: one of T2 (T3) of these ops: any numeric type but bool. */
static int out_dtype(struct node *n, struct exec *x, enum dtype *dt)
{
	int64_t v;
	int rc;

	if ((rc = attr_int(n, x, "output_datatype", DT_FLOAT, &v)))
		return rc;
	switch (v) {
	case DT_FLOAT: case DT_DOUBLE: case DT_FLOAT16: case DT_BFLOAT16: case DT_INT8:
	case DT_INT16: case DT_INT32: case DT_INT64: case DT_UINT8: case DT_UINT16:
	case DT_UINT32: case DT_UINT64:
		*dt = (enum dtype)v;
		return GRT_OK;
	default:
		return op_fail(n, x, GRT_E_ATTR, "output_datatype %lld is not a numeric type",
		               (long long)v);
	}
}

/* ----------------------------------------------------------- the windows */

/* w[k] = a0 - a1 cos(2 pi k / N) + a2 cos(4 pi k / N), N = size (periodic) or
 * size - 1 (symmetric) */
struct window_def { double a0, a1, a2; };

static const struct window_def hann = { 0.5, 0.5, 0.0 };
static const struct window_def hamming = { 25.0 / 46.0, 21.0 / 46.0, 0.0 };
static const struct window_def blackman = { 0.42, 0.5, 0.08 };

struct window_params {
	const struct window_def *def;
	int64_t size;
	int periodic;
};

static int window_prepare(struct node *n, struct exec *x, const struct window_def *def)
{
	struct window_params *p;
	int64_t periodic, size;
	enum dtype dt;
	int rc;

	if ((rc = op_check_arity(n, x, 1, 1, 1, 1)) || (rc = out_dtype(n, x, &dt)) ||
	    (rc = attr_int(n, x, "periodic", 1, &periodic)))
		return rc;
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	if ((rc = signal_int_input(n, x, 0, "size", &size)))
		return rc;
	if (size < 0)
		return op_fail(n, x, GRT_E_SHAPE, "size %lld is negative", (long long)size);
	if ((rc = tensor_set_shape(n->outputs[0], dt, 1, &size)))
		return op_fail(n, x, rc, "output shape too large");
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	p->def = def;
	p->size = size;
	p->periodic = periodic != 0;
	n->params = p;
	return GRT_OK;
}

static int window_run(struct node *n, struct exec *x)
{
	const struct window_params *p = n->params;
	const struct window_def *d = p->def;
	struct tensor *out = n->outputs[0];
	const int64_t big_n = p->periodic ? p->size : p->size - 1;

	(void)x;
	for (int64_t k = 0; k < p->size; k++) {
		/* a symmetric window of one point is 1 (numpy, torch) */
		double t = big_n > 0 ? 2.0 * M_PI * (double)k / (double)big_n : 0.0;
		double v = big_n > 0 ? d->a0 - d->a1 * cos(t) + d->a2 * cos(2.0 * t) : 1.0;
		elem_set_double(out->dtype, out->data, k, v);
	}
	return GRT_OK;
}

static int hann_prepare(struct node *n, struct exec *x)
{
	return window_prepare(n, x, &hann);
}

static int hamming_prepare(struct node *n, struct exec *x)
{
	return window_prepare(n, x, &hamming);
}

static int blackman_prepare(struct node *n, struct exec *x)
{
	return window_prepare(n, x, &blackman);
}

/* ------------------------------------------------------- MelWeightMatrix */

struct mel_params {
	int64_t n_mel, dft_length;  /* output [dft_length / 2 + 1][n_mel] */
};

static int mel_prepare(struct node *n, struct exec *x)
{
	static const enum dtype edge_types[] = { DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16,
	                                         DT_UNDEFINED };
	struct mel_params *p;
	int64_t dims[2];
	enum dtype dt;
	int rc;

	if ((rc = op_check_arity(n, x, 5, 5, 1, 1)) || (rc = out_dtype(n, x, &dt)) ||
	    (rc = op_check_dtype(n, x, 2, int_types)) ||
	    (rc = op_check_dtype(n, x, 3, edge_types)) ||
	    (rc = op_check_dtype(n, x, 4, edge_types)))
		return rc;
	if (!n->outputs[0])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	for (int i = 2; i < 5; i++)
		if (n->inputs[i]->numel != 1)
			return op_fail(n, x, GRT_E_SHAPE, "input %d must be a scalar", i);
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	n->params = p;
	if ((rc = signal_int_input(n, x, 0, "num_mel_bins", &p->n_mel)) ||
	    (rc = signal_int_input(n, x, 1, "dft_length", &p->dft_length)))
		return rc;
	if (p->n_mel < 0 || p->dft_length < 1)
		return op_fail(n, x, GRT_E_SHAPE, "num_mel_bins %lld, dft_length %lld out of range",
		               (long long)p->n_mel, (long long)p->dft_length);
	dims[0] = p->dft_length / 2 + 1;
	dims[1] = p->n_mel;
	if ((rc = tensor_set_shape(n->outputs[0], dt, 2, dims)))
		return op_fail(n, x, rc, "output shape too large");
	return GRT_OK;
}

/* The spectrogram bin of mel band edge i of n_mel + 2 (ONNX's reference: the edges
 * evenly spaced over n_mel + 2 steps in mel, the mel scale and its step in
 * float, the bin floor((dft_length + 1) f / sample_rate)). */
static int64_t mel_edge_bin(const struct mel_params *p, float lo_mel, float step_mel,
                            int64_t sample_rate, int64_t i)
{
	double mel = (double)i * (double)step_mel + (double)lo_mel;
	double hz = 700.0 * (pow(10.0, mel / 2595.0) - 1.0);

	return (int64_t)floor((double)(p->dft_length + 1) * hz / (double)sample_rate);
}

static int mel_run(struct node *n, struct exec *x)
{
	const struct mel_params *p = n->params;
	struct tensor *out = n->outputs[0];
	const int64_t n_bins = p->dft_length / 2 + 1, m = p->n_mel;
	float lo = (float)elem_as_double(n->inputs[3]->dtype, n->inputs[3]->data, 0);
	float hi = (float)elem_as_double(n->inputs[4]->dtype, n->inputs[4]->data, 0);
	int64_t rate;
	float lo_mel, hi_mel, step_mel;

	if (tensor_read_ints(n->inputs[2], &rate, 1) || rate < 1)
		return op_fail(n, x, GRT_E_SHAPE, "sample_rate must be positive");
	lo_mel = 2595.0f * log10f(1.0f + lo / 700.0f);
	hi_mel = 2595.0f * log10f(1.0f + hi / 700.0f);
	step_mel = (hi_mel - lo_mel) / (float)(m + 2);
	for (int64_t k = 0; k < out->numel; k++)
		elem_set_double(out->dtype, out->data, k, 0.0);
	for (int64_t i = 0; i < m; i++) {
		int64_t a = mel_edge_bin(p, lo_mel, step_mel, rate, i);      /* left */
		int64_t c = mel_edge_bin(p, lo_mel, step_mel, rate, i + 1);  /* centre */
		int64_t b = mel_edge_bin(p, lo_mel, step_mel, rate, i + 2);  /* right */
		/* rising edge [a, c] (just the peak when a == c), then falling (c, b) */
		for (int64_t j = a; j <= c; j++)
			if (j >= 0 && j < n_bins)
				elem_set_double(out->dtype, out->data, j * m + i,
				                c > a ? (double)(j - a) / (double)(c - a) : 1.0);
		for (int64_t j = c; j < b; j++)
			if (j >= 0 && j < n_bins)
				elem_set_double(out->dtype, out->data, j * m + i,
				                (double)(b - j) / (double)(b - c));
	}
	return GRT_OK;
}

const struct op_def op_blackman_window = { "BlackmanWindow", 17, OPSET_LATEST,
	blackman_prepare, window_run, 0, NULL };
const struct op_def op_hamming_window = { "HammingWindow", 17, OPSET_LATEST,
	hamming_prepare, window_run, 0, NULL };
const struct op_def op_hann_window = { "HannWindow", 17, OPSET_LATEST, hann_prepare,
	window_run, 0, NULL };
const struct op_def op_mel_weight_matrix = { "MelWeightMatrix", 17, OPSET_LATEST,
	mel_prepare, mel_run, 0, NULL };

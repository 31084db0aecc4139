/* vad.c - Silero VAD exports (v4, v5) told apart by their inputs, and a
 * stream that runs one over audio at any rate: resampled to the model's rate
 * (speexdsp, time-aligned), cut into windows of 512 (16 kHz) or 256 (8 kHz)
 * samples, each window run with the recurrent state fed back, as Silero's
 * OnnxWrapper does (v5: the 64 (32) samples before the window prepended). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enhance/internal.h"

#define BLOCK 256            /* caller samples per internal step */

struct gtcrn_vad_model {
	grt_model *graph;
	int version;                /* 4 or 5 */
	int in_input, in_sr;        /* input indices (in_sr -1: no 'sr', 16 kHz only) */
	int in_state[2];            /* v5: state; v4: h, c */
	int out_prob;               /* (1, 1) speech probability */
	int out_state[2];           /* v5: stateN; v4: hn, cn */
	int n_states;               /* 1 (v5) or 2 (v4) */
	int64_t input_len;          /* declared samples of 'input', -1 if dynamic */
	int64_t state_dims[2][3];   /* the state inputs' shapes with batch 1 */
};

struct gtcrn_vad {
	const gtcrn_vad_model *m;
	grt_session *sess;
	float *input;               /* (1, ctx + window): the context, then the window */
	const float *prob;          /* (1, 1) */
	float *state_in[2];
	const float *state_out[2];
	size_t state_bytes[2];
	size_t window, ctx;         /* samples at the model's rate */
	size_t fill;                /* samples of the window so far */
	int rate, sample_rate;      /* model's and caller's, Hz */
	int resample;
	struct resampler rs;
	float *mid;                 /* [cap_mid] one block at the model's rate */
	size_t cap_mid;
	unsigned long windows;
	char errmsg[256];
};

/* --- the model --- */

/* Index of input (io 0) or output (io 1) `name`, or -1. */
static int find(const grt_model *g, int io, const char *name)
{
	return io ? grt_model_find_output(g, name) : grt_model_find_input(g, name);
}

static int not_vad(const grt_model *g, const char *why, char *err, size_t err_len)
{
	char io[768];

	model_describe_io(g, io, sizeof(io));
	snprintf(err, err_len, "not a Silero VAD export: %s (%s)", why, io);
	return GTCRN_E_NOT_VAD;
}

/* A float state input (2, batch, hidden), as the model declares it, with
 * batch 1 and hidden (when dynamic) the version's. */
static int state_input(gtcrn_vad_model *m, int k, int idx, int64_t hidden)
{
	grt_value v;

	grt_model_input(m->graph, idx, NULL, &v, NULL);
	if (v.dtype != GRT_FLOAT || v.ndim != 3 || (v.dims[0] != 2 && v.dims[0] != -1) ||
	    (v.dims[1] != 1 && v.dims[1] != -1))
		return 0;
	m->in_state[k] = idx;
	m->state_dims[k][0] = 2;
	m->state_dims[k][1] = 1;
	m->state_dims[k][2] = v.dims[2] > 0 ? v.dims[2] : hidden;
	return 1;
}

/* The outputs: by name where they exist, else the unclaimed ones in order. */
static int find_outputs(gtcrn_vad_model *m, char *err, size_t err_len)
{
	const grt_model *g = m->graph;
	const char *names[3] = { "output", m->version == 5 ? "stateN" : "hn", "cn" };
	int *slot[3] = { &m->out_prob, &m->out_state[0], &m->out_state[1] };
	int n = 1 + m->n_states, n_out = grt_model_n_outputs(g), taken[64] = { 0 };
	char why[128];

	if (n_out < n || n_out > 64) {
		snprintf(why, sizeof(why), "%d outputs, a v%d export has %d", n_out, m->version, n);
		return not_vad(g, why, err, err_len);
	}
	for (int k = 0; k < n; k++)
		if ((*slot[k] = find(g, 1, names[k])) >= 0)
			taken[*slot[k]] = 1;
	for (int k = 0, next = 0; k < n; k++) {
		grt_value v;
		if (*slot[k] < 0) {
			while (taken[next])
				next++;
			*slot[k] = next;
			taken[next] = 1;
		}
		grt_model_output(g, *slot[k], NULL, &v, NULL);
		if (v.dtype != GRT_FLOAT) {
			snprintf(why, sizeof(why), "output '%s' (or output %d) is not float", names[k],
			         *slot[k]);
			return not_vad(g, why, err, err_len);
		}
	}
	return GTCRN_OK;
}

/* v5: input, state, optional sr; v4: input, optional sr, h, c. */
static int detect(gtcrn_vad_model *m, char *err, size_t err_len)
{
	const grt_model *g = m->graph;
	int n_in = grt_model_n_inputs(g), known;
	grt_value v;

	m->in_input = find(g, 0, "input");
	m->in_sr = find(g, 0, "sr");
	if (m->in_input < 0)
		return not_vad(g, "no input 'input'", err, err_len);
	grt_model_input(g, m->in_input, NULL, &v, NULL);
	if (v.dtype != GRT_FLOAT || v.ndim != 2 || (v.dims[0] != 1 && v.dims[0] != -1))
		return not_vad(g, "input 'input' is not float (batch, samples)", err, err_len);
	m->input_len = v.dims[1];
	if (m->in_sr >= 0) {
		grt_model_input(g, m->in_sr, NULL, &v, NULL);
		if (v.dtype != GRT_INT64 || v.ndim != 0)
			return not_vad(g, "input 'sr' is not an int64 scalar", err, err_len);
	}
	if (find(g, 0, "state") >= 0) {
		m->version = 5;
		m->n_states = 1;
		if (!state_input(m, 0, find(g, 0, "state"), 128))
			return not_vad(g, "input 'state' is not float (2, batch, hidden)", err, err_len);
	} else if (find(g, 0, "h") >= 0 && find(g, 0, "c") >= 0) {
		m->version = 4;
		m->n_states = 2;
		if (!state_input(m, 0, find(g, 0, "h"), 64) || !state_input(m, 1, find(g, 0, "c"), 64))
			return not_vad(g, "inputs 'h', 'c' are not float (2, batch, hidden)", err,
			               err_len);
	} else {
		return not_vad(g, "neither input 'state' (v5) nor inputs 'h' and 'c' (v4)", err,
		               err_len);
	}
	known = 1 + m->n_states + (m->in_sr >= 0);
	if (n_in != known)
		return not_vad(g, "inputs beyond input, state / h, c and sr", err, err_len);
	return find_outputs(m, err, err_len);
}

static int vad_model_finish(grt_model *g, gtcrn_vad_model **out, char *err, size_t err_len)
{
	gtcrn_vad_model *m = calloc(1, sizeof(*m));
	int rc;

	if (!m) {
		grt_model_free(g);
		snprintf(err, err_len, "out of memory");
		return GRT_E_NOMEM;
	}
	m->graph = g;
	if ((rc = detect(m, err, err_len))) {
		gtcrn_vad_model_free(m);
		return rc;
	}
	*out = m;
	return GTCRN_OK;
}

int gtcrn_vad_model_load(const char *path, gtcrn_vad_model **out, char *err, size_t err_len)
{
	grt_model *g = NULL;
	int rc;

	if (!path || !out) {
		snprintf(err, err_len, "gtcrn_vad_model_load: %s is NULL", path ? "out" : "path");
		return GRT_E_ARG;
	}
	*out = NULL;
	if ((rc = grt_model_load_file(path, &g, err, err_len)))
		return rc;
	if ((rc = vad_model_finish(g, out, err, err_len)))
		err_prefix(path, err, err_len);
	return rc;
}

int gtcrn_vad_model_load_buffer(const void *buf, size_t len, gtcrn_vad_model **out, char *err,
                                size_t err_len)
{
	grt_model *g = NULL;
	int rc;

	if (!out) {
		snprintf(err, err_len, "gtcrn_vad_model_load_buffer: out is NULL");
		return GRT_E_ARG;
	}
	*out = NULL;
	if ((rc = grt_model_load_buffer(buf, len, &g, err, err_len)))
		return rc;
	return vad_model_finish(g, out, err, err_len);
}

void gtcrn_vad_model_free(gtcrn_vad_model *m)
{
	if (!m)
		return;
	grt_model_free(m->graph);
	free(m);
}

int gtcrn_vad_model_version(const gtcrn_vad_model *m)
{
	return m ? m->version : 0;
}

/* Window and context (samples) of the model at rate. */
static size_t window_of(int rate)
{
	return rate == 8000 ? 256 : 512;
}

static size_t context_of(const gtcrn_vad_model *m, int rate)
{
	return m->version == 4 ? 0 : rate == 8000 ? 32 : 64;
}

int gtcrn_vad_model_has_rate(const gtcrn_vad_model *m, int rate)
{
	if (!m || (rate != 16000 && rate != 8000) || (rate == 8000 && m->in_sr < 0))
		return 0;
	return m->input_len < 0 || (size_t)m->input_len == window_of(rate) + context_of(m, rate);
}

/* --- options --- */

void gtcrn_vad_opts_init(gtcrn_vad_opts *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof(*o));
	o->threshold = 0.5f;
	o->neg_threshold = -1.0f;
	o->min_silence_ms = 100.0f;
	o->min_speech_ms = 250.0f;
	o->speech_pad_ms = 30.0f;
	o->resample_quality = -1;
}

/* The thresholds and durations (shared with the segmenter and the gate). */
int vad_opts_check(const gtcrn_vad_opts *o, char *err, size_t err_len)
{
	const struct {
		const char *name;
		float v;
	} ms[] = { { "min_silence_ms", o->min_silence_ms }, { "min_speech_ms", o->min_speech_ms },
		   { "speech_pad_ms", o->speech_pad_ms } };

	if (!(o->threshold >= 0 && o->threshold <= 1)) {
		snprintf(err, err_len, "gtcrn_vad_opts.threshold %g out of range 0..1",
		         (double)o->threshold);
		return GRT_E_ARG;
	}
	if (o->neg_threshold != o->neg_threshold || o->neg_threshold > o->threshold) {
		snprintf(err, err_len, "gtcrn_vad_opts.neg_threshold %g must be <= threshold %g (< 0: "
		         "the default)", (double)o->neg_threshold, (double)o->threshold);
		return GRT_E_ARG;
	}
	for (size_t k = 0; k < sizeof(ms) / sizeof(ms[0]); k++)
		if (!(ms[k].v >= 0 && ms[k].v <= 3.6e6f)) {
			snprintf(err, err_len, "gtcrn_vad_opts.%s %g out of range 0..3600000",
			         ms[k].name, (double)ms[k].v);
			return GRT_E_ARG;
		}
	if (o->resample_quality > 10) {
		snprintf(err, err_len, "gtcrn_vad_opts.resample_quality %d out of range 0..10 (< 0: "
		         "the default)", o->resample_quality);
		return GRT_E_ARG;
	}
	return GTCRN_OK;
}

float vad_neg_threshold(const gtcrn_vad_opts *o)
{
	if (o->neg_threshold >= 0)
		return o->neg_threshold;
	return o->threshold - 0.15f > 0.01f ? o->threshold - 0.15f : 0.01f;
}

/* The caller's rate and the model's, checked. */
static int vad_rates(const gtcrn_vad_model *m, const gtcrn_vad_opts *o, int *rate,
                     int *sample_rate, char *err, size_t err_len)
{
	int sr = o->sample_rate, mr = o->model_rate;

	if (sr && (sr < 1000 || sr > 768000)) {
		snprintf(err, err_len, "gtcrn_vad_opts.sample_rate %d Hz out of range 1000..768000",
		         sr);
		return GRT_E_ARG;
	}
	if (mr && mr != 16000 && mr != 8000) {
		snprintf(err, err_len, "gtcrn_vad_opts.model_rate %d Hz: 16000, 8000 or 0", mr);
		return GRT_E_ARG;
	}
	if (!mr)
		mr = sr && sr <= 8000 && gtcrn_vad_model_has_rate(m, 8000) ? 8000 : 16000;
	if (!gtcrn_vad_model_has_rate(m, mr)) {
		snprintf(err, err_len, "gtcrn_vad_opts.model_rate %d Hz: the model %s", mr,
		         m->in_sr < 0 ? "has no 'sr' input: it runs at 16000 Hz only"
		                      : "declares an input length for the other rate");
		return GRT_E_ARG;
	}
	*rate = mr;
	*sample_rate = sr ? sr : mr;
	return GTCRN_OK;
}

/* --- the stream --- */

/* One session with batch 1, the window's input length and sr fixed. */
static int vad_session(gtcrn_vad *v, char *err, size_t err_len)
{
	const gtcrn_vad_model *m = v->m;
	int n_in = grt_model_n_inputs(m->graph), rc;
	grt_value shapes[4], x;
	grt_session_opts so = { 0 };
	int64_t sr = v->rate;

	memset(shapes, 0, sizeof(shapes));
	for (int i = 0; i < n_in; i++)
		grt_model_input(m->graph, i, NULL, &shapes[i], NULL);
	shapes[m->in_input].dims[0] = 1;
	shapes[m->in_input].dims[1] = (int64_t)(v->ctx + v->window);
	for (int k = 0; k < m->n_states; k++)
		memcpy(shapes[m->in_state[k]].dims, m->state_dims[k], sizeof(m->state_dims[k]));
	if (m->in_sr >= 0)
		shapes[m->in_sr].data = &sr;      /* fixed: the branch on it folds at plan time */
	so.inputs = shapes;
	so.n_inputs = n_in;
	so.flags = GRT_SESSION_STATIC;        /* a window must never allocate */
	if ((rc = grt_session_create(m->graph, &so, &v->sess, err, err_len)))
		return rc;
	grt_session_input(v->sess, m->in_input, &x);
	v->input = x.data;
	grt_session_output(v->sess, m->out_prob, &x);
	v->prob = x.data;
	if (grt_value_numel(&x) != 1)
		return not_vad(m->graph, "the probability output has more than one value", err,
		               err_len);
	for (int k = 0; k < m->n_states; k++) {
		grt_value si, so_;
		grt_session_input(v->sess, m->in_state[k], &si);
		grt_session_output(v->sess, m->out_state[k], &so_);
		if (grt_value_numel(&si) != grt_value_numel(&so_))
			return not_vad(m->graph, "a state output's size differs from its input's", err,
			               err_len);
		v->state_in[k] = si.data;
		v->state_out[k] = so_.data;
		v->state_bytes[k] = (size_t)grt_value_numel(&si) * sizeof(float);
	}
	return GTCRN_OK;
}

int gtcrn_vad_create(const gtcrn_vad_model *m, const gtcrn_vad_opts *o, gtcrn_vad **out,
                     char *err, size_t err_len)
{
	gtcrn_vad_opts def;
	gtcrn_vad *v;
	int rc, rate, sample_rate;

	if (!m || !out) {
		snprintf(err, err_len, "gtcrn_vad_create: NULL argument");
		return GRT_E_ARG;
	}
	*out = NULL;
	if (!o) {
		gtcrn_vad_opts_init(&def);
		o = &def;
	}
	if ((rc = vad_opts_check(o, err, err_len)) ||
	    (rc = vad_rates(m, o, &rate, &sample_rate, err, err_len)))
		return rc;
	if (!(v = calloc(1, sizeof(*v)))) {
		snprintf(err, err_len, "out of memory");
		return GRT_E_NOMEM;
	}
	v->m = m;
	v->rate = rate;
	v->sample_rate = sample_rate;
	v->window = window_of(rate);
	v->ctx = context_of(m, rate);
	if ((rc = vad_session(v, err, err_len)))
		goto fail;
	v->resample = sample_rate != rate;
	if (v->resample) {
		if ((rc = resampler_init(&v->rs, sample_rate, rate, o->resample_quality, err,
		                         err_len)))
			goto fail;
		v->cap_mid = (size_t)ceil((double)BLOCK * rate / sample_rate) +
		             resampler_holdback(&v->rs) + 64;
		if (!(v->mid = calloc(v->cap_mid, sizeof(float)))) {
			rc = GRT_E_NOMEM;
			snprintf(err, err_len, "out of memory");
			goto fail;
		}
	}
	gtcrn_vad_reset(v);
	*out = v;
	return GTCRN_OK;
fail:
	gtcrn_vad_free(v);
	return rc;
}

void gtcrn_vad_free(gtcrn_vad *v)
{
	if (!v)
		return;
	grt_session_free(v->sess);
	resampler_free(&v->rs);
	free(v->mid);
	free(v);
}

int gtcrn_vad_reset(gtcrn_vad *v)
{
	if (!v)
		return GRT_E_ARG;
	memset(v->input, 0, sizeof(float) * (v->ctx + v->window));
	for (int k = 0; k < v->m->n_states; k++)
		memset(v->state_in[k], 0, v->state_bytes[k]);
	v->fill = 0;
	v->windows = 0;
	if (v->resample && resampler_reset(&v->rs))
		return GTCRN_E_RESAMPLE;
	return GTCRN_OK;
}

size_t gtcrn_vad_window(const gtcrn_vad *v)
{
	return v ? v->window : 0;
}

int gtcrn_vad_rate(const gtcrn_vad *v)
{
	return v ? v->rate : 0;
}

size_t vad_holdback(const gtcrn_vad *v)
{
	return v->resample ? resampler_holdback(&v->rs) : 0;
}

/* Samples at the model's rate that n more caller samples (n = 0: the end)
 * can bring out of the resampler: the stream has ceil(n_in * rate /
 * sample_rate) of them in all (+ 1 for rounding). */
static size_t model_samples(const gtcrn_vad *v, size_t n)
{
	uint64_t total;

	if (!v->resample)
		return n;
	total = ((v->rs.n_in + n) * v->rs.den + v->rs.num - 1) / v->rs.num + 1;
	return total > v->rs.n_out ? (size_t)(total - v->rs.n_out) : 0;
}

size_t gtcrn_vad_max_windows(const gtcrn_vad *v, size_t n)
{
	return v ? (v->fill + model_samples(v, n)) / v->window : 0;
}

size_t vad_max_windows_any(const gtcrn_vad *v, size_t n)
{
	size_t most = (size_t)ceil((double)n * v->rate / v->sample_rate) + vad_holdback(v) + 2;
	return (v->window - 1 + most) / v->window;
}

/* Runs the window in v->input; the state and the context carry over. */
static int run_window(gtcrn_vad *v, float *prob)
{
	int rc = grt_session_run(v->sess);

	if (rc) {
		snprintf(v->errmsg, sizeof(v->errmsg), "window %lu: %s", v->windows,
		         grt_session_errmsg(v->sess));
		return rc;
	}
	if (prob)
		*prob = v->prob[0];
	for (int k = 0; k < v->m->n_states; k++)
		if (v->state_in[k] != v->state_out[k])
			memcpy(v->state_in[k], v->state_out[k], v->state_bytes[k]);
	memmove(v->input, v->input + v->window, sizeof(float) * v->ctx);
	v->fill = 0;
	v->windows++;
	return GTCRN_OK;
}

/* n samples at the model's rate into the windows. */
static int push(gtcrn_vad *v, const float *x, size_t n, float *probs, size_t *n_probs)
{
	int rc;

	while (n) {
		size_t k = v->window - v->fill < n ? v->window - v->fill : n;
		memcpy(v->input + v->ctx + v->fill, x, sizeof(float) * k);
		v->fill += k;
		x += k;
		n -= k;
		if (v->fill == v->window) {
			if ((rc = run_window(v, probs ? &probs[*n_probs] : NULL)))
				return rc;
			(*n_probs)++;
		}
	}
	return GTCRN_OK;
}

/* One block of caller samples (NULL with end: the resampler's tail). */
static int feed(gtcrn_vad *v, const float *in, size_t n, int end, float *probs,
                size_t *n_probs)
{
	float x[BLOCK];
	size_t got;
	static const float none[1];       /* a pointer even for 0 samples */

	for (size_t i = 0; i < n; i++) {
		x[i] = in[i];
		sanitize_sample(&x[i]);
	}
	if (!v->resample)
		return push(v, x, n, probs, n_probs);
	if (resampler_run(&v->rs, n ? x : none, n, v->mid, v->cap_mid, &got, end)) {
		snprintf(v->errmsg, sizeof(v->errmsg), "resampler failed");
		return GTCRN_E_RESAMPLE;
	}
	return push(v, v->mid, got, probs, n_probs);
}

int gtcrn_vad_process(gtcrn_vad *v, const float *in, size_t n, float *probs, size_t *n_probs)
{
	size_t count = 0;
	int rc = GTCRN_OK;

	if (!v || (n && !in))
		return GRT_E_ARG;
	for (size_t done = 0; done < n && !rc; done += BLOCK)
		rc = feed(v, in + done, n - done < BLOCK ? n - done : BLOCK, 0, probs, &count);
	if (n_probs)
		*n_probs = count;
	return rc;
}

int gtcrn_vad_finish(gtcrn_vad *v, float *probs, size_t *n_probs)
{
	size_t count = 0;
	int rc = GTCRN_OK;

	if (!v)
		return GRT_E_ARG;
	if (v->resample)
		rc = feed(v, NULL, 0, 1, probs, &count);
	if (n_probs)
		*n_probs = count;
	if (rc)
		return rc;
	return gtcrn_vad_reset(v);
}

unsigned long gtcrn_vad_windows(const gtcrn_vad *v)
{
	return v ? v->windows : 0;
}

const char *gtcrn_vad_errmsg(const gtcrn_vad *v)
{
	return v ? v->errmsg : "no VAD";
}

/* --- whole signals --- */

static int collect_segments(const gtcrn_vad *v, const gtcrn_vad_opts *o, const float *probs,
                            size_t n_probs, double length_s, gtcrn_segment **segs,
                            size_t *n_segs, char *err, size_t err_len)
{
	gtcrn_segmenter *s;
	gtcrn_segment *out;
	size_t n = 0;
	int rc;

	/* a segment needs a window above the threshold and one below after it */
	if (!(out = malloc(sizeof(*out) * (n_probs / 2 + 2)))) {
		snprintf(err, err_len, "out of memory");
		return GRT_E_NOMEM;
	}
	if ((rc = gtcrn_segmenter_create(o, v->window, v->rate, &s, err, err_len))) {
		free(out);
		return rc;
	}
	for (size_t i = 0; i < n_probs; i++)
		n += (size_t)gtcrn_segmenter_push(s, probs[i], &out[n]);
	n += (size_t)gtcrn_segmenter_finish(s, length_s, &out[n]);
	gtcrn_segmenter_free(s);
	*segs = out;
	*n_segs = n;
	return GTCRN_OK;
}

int gtcrn_vad_run(const gtcrn_vad_model *m, const gtcrn_vad_opts *o, const float *x, size_t n,
                  float **probs, size_t *n_probs, gtcrn_segment **segs, size_t *n_segs,
                  char *err, size_t err_len)
{
	gtcrn_vad_opts def;
	gtcrn_vad *v = NULL;
	float *p = NULL;
	size_t np = 0, tail = 0;
	int rc;

	if (probs)
		*probs = NULL;
	if (segs)
		*segs = NULL;
	if ((n && !x) || (probs && !n_probs) || (segs && !n_segs)) {
		snprintf(err, err_len, "gtcrn_vad_run: NULL argument");
		return GRT_E_ARG;
	}
	if (!o) {
		gtcrn_vad_opts_init(&def);
		o = &def;
	}
	if ((rc = gtcrn_vad_create(m, o, &v, err, err_len)))
		return rc;
	if (!(p = malloc(sizeof(float) * (gtcrn_vad_max_windows(v, n) + 1)))) {
		snprintf(err, err_len, "out of memory");
		rc = GRT_E_NOMEM;
		goto done;
	}
	if ((rc = gtcrn_vad_process(v, x, n, p, &np)) || (rc = gtcrn_vad_finish(v, p + np, &tail))) {
		snprintf(err, err_len, "%s", gtcrn_vad_errmsg(v));
		goto done;
	}
	np += tail;
	if (segs && (rc = collect_segments(v, o, p, np, (double)n / v->sample_rate, segs, n_segs,
	                                   err, err_len)))
		goto done;
	if (probs) {
		*probs = p;
		*n_probs = np;
		p = NULL;
	}
done:
	free(p);
	gtcrn_vad_free(v);
	return rc;
}

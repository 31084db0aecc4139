/* dnsmos.c - DNSMOS P.835 scores (SIG, BAK, OVRL) of a clip, by the DNS
 * Challenge's reference procedure (DNSMOS/dnsmos_local.py): 16 kHz mono, the
 * clip doubled until it is 9.01 s long, windows of 9.01 s every second, each
 * window's raw scores mapped by the P.835 polynomials, the means over windows.
 * The window arithmetic is Python's, in doubles, on purpose (see hop_window). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sndfile.h>
#include "enhance/internal.h"

#define DNSMOS_RATE 16000
#define DNSMOS_SECONDS 9.01                /* INPUT_LENGTH of dnsmos_local.py */
#define DNSMOS_WINDOW 144160               /* int(9.01 * 16000) samples */
#define DNSMOS_QUALITY 10                  /* speexdsp's best: the reference resamples once */
#define POOL_MAX 16                        /* idle sessions a model keeps at most */

/* Sessions (batch 1) that finished scoring, for the next call: making one
 * costs about 100 ms (zeroing its 107 MB arena), as much as a window's run,
 * and most clips have one window. The model keeps as many as were scoring at
 * once (up to POOL_MAX) until it is freed. A pointer in the model, so that
 * scoring takes a const model. */
struct session_pool {
	pthread_mutex_t lock;
	grt_session *idle[POOL_MAX];
	int n_idle;
};

struct gtcrn_dnsmos_model {
	grt_model *graph;
	struct session_pool *pool;
};

/* The non-personalized P.835 polynomials of dnsmos_local.py (highest power
 * first, as numpy's poly1d), for SIG, BAK, OVRL. */
static const double poly[3][3] = {
	{ -0.08397278, 1.22083953, 0.0052439 },
	{ -0.13166888, 1.60915514, -0.39604546 },
	{ -0.06766283, 1.11546468, 0.04602535 },
};

/* Checks the graph's inputs and outputs: one float input (N or 1, 144160),
 * one float output (N or 1, 3). The message says what differs. */
static int check_io(const grt_model *g, char *err, size_t err_len)
{
	const char *what = NULL;
	grt_value in, out;
	char io[512];

	if (grt_model_n_inputs(g) != 1)
		what = "one input";
	else if (grt_model_n_outputs(g) != 1)
		what = "one output";
	if (!what) {
		grt_model_input(g, 0, NULL, &in, NULL);
		grt_model_output(g, 0, NULL, &out, NULL);
		if (in.dtype != GRT_FLOAT || in.ndim != 2 || in.dims[1] != DNSMOS_WINDOW ||
		    (in.dims[0] != 1 && in.dims[0] >= 0))
			what = "a float input of shape (N, 144160) (9.01 s at 16 kHz)";
		else if (out.dtype != GRT_FLOAT || out.ndim != 2 || (out.dims[1] != 3 &&
		         out.dims[1] >= 0) || (out.dims[0] != 1 && out.dims[0] >= 0))
			what = "a float output of shape (N, 3) (SIG, BAK, OVRL)";
	}
	if (what) {
		describe_io(g, io, sizeof(io));
		snprintf(err, err_len, "not a DNSMOS P.835 model: expected %s; found %s", what, io);
		return GTCRN_E_NOT_DNSMOS;
	}
	return GTCRN_OK;
}

static int dnsmos_wrap(grt_model *g, gtcrn_dnsmos_model **out, char *err, size_t err_len)
{
	gtcrn_dnsmos_model *m;
	int rc = check_io(g, err, err_len);

	if (rc) {
		grt_model_free(g);
		return rc;
	}
	if (!(m = calloc(1, sizeof(*m))) || !(m->pool = calloc(1, sizeof(*m->pool))) ||
	    pthread_mutex_init(&m->pool->lock, NULL)) {
		if (m)
			free(m->pool);
		free(m);
		grt_model_free(g);
		snprintf(err, err_len, "out of memory");
		return GRT_E_NOMEM;
	}
	m->graph = g;
	*out = m;
	return GTCRN_OK;
}

int gtcrn_dnsmos_model_load(const char *path, gtcrn_dnsmos_model **out, char *err,
                            size_t err_len)
{
	grt_model *g = NULL;
	int rc;

	if (!path || !out) {
		snprintf(err, err_len, "gtcrn_dnsmos_model_load: %s is NULL", path ? "out" : "path");
		return GRT_E_ARG;
	}
	*out = NULL;
	if ((rc = grt_model_load_file(path, &g, err, err_len)))
		return rc;
	if ((rc = dnsmos_wrap(g, out, err, err_len)))
		err_prefix(path, err, err_len);
	return rc;
}

int gtcrn_dnsmos_model_load_buffer(const void *buf, size_t len, gtcrn_dnsmos_model **out,
                                   char *err, size_t err_len)
{
	grt_model *g = NULL;
	int rc;

	if (!out) {
		snprintf(err, err_len, "gtcrn_dnsmos_model_load_buffer: out is NULL");
		return GRT_E_ARG;
	}
	*out = NULL;
	if ((rc = grt_model_load_buffer(buf, len, &g, err, err_len)))
		return rc;
	return dnsmos_wrap(g, out, err, err_len);
}

void gtcrn_dnsmos_model_free(gtcrn_dnsmos_model *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->pool->n_idle; i++)
		grt_session_free(m->pool->idle[i]);
	pthread_mutex_destroy(&m->pool->lock);
	free(m->pool);
	grt_model_free(m->graph);
	free(m);
}

/* An idle session of the pool, or a new one (batch 1). */
static int session_get(const gtcrn_dnsmos_model *m, grt_session **s, char *err, size_t err_len)
{
	struct session_pool *p = m->pool;
	grt_value in;
	grt_session_opts so = { &in, 1, 0, 0, 0 };

	*s = NULL;
	pthread_mutex_lock(&p->lock);
	if (p->n_idle > 0)
		*s = p->idle[--p->n_idle];
	pthread_mutex_unlock(&p->lock);
	if (*s)
		return GTCRN_OK;
	grt_model_input(m->graph, 0, NULL, &in, NULL);
	in.dims[0] = 1;
	in.data = NULL;
	return grt_session_create(m->graph, &so, s, err, err_len);
}

/* Gives s back to the pool (or frees it when the pool is full). */
static void session_put(const gtcrn_dnsmos_model *m, grt_session *s)
{
	struct session_pool *p = m->pool;

	pthread_mutex_lock(&p->lock);
	if (p->n_idle < POOL_MAX) {
		p->idle[p->n_idle++] = s;
		s = NULL;
	}
	pthread_mutex_unlock(&p->lock);
	grt_session_free(s);
}

/* x[frames * channels] -> the channels' mean at 16 kHz, y[*n] (malloc'ed):
 * ceil(frames * 16000 / rate) samples, time-aligned with x. */
static int mono_16k(const float *x, size_t frames, int channels, int rate, float **y, size_t *n,
                    char *err, size_t err_len)
{
	float *mono = malloc(frames * sizeof(float)), *out = NULL;
	struct resampler r = { 0 };
	size_t want, made;
	int rc = GRT_E_NOMEM;

	if (!mono)
		goto fail;
	for (size_t i = 0; i < frames; i++) {
		double sum = 0;
		for (int c = 0; c < channels; c++)
			sum += x[i * (size_t)channels + (size_t)c];
		mono[i] = (float)(sum / channels);
		sanitize_sample(&mono[i]);
	}
	if (rate == DNSMOS_RATE) {
		*y = mono;
		*n = frames;
		return GTCRN_OK;
	}
	want = (size_t)(((unsigned long long)frames * DNSMOS_RATE + (unsigned)rate - 1) /
	                (unsigned)rate);
	if (!(out = malloc((want + 1) * sizeof(float))))
		goto fail;
	if ((rc = resampler_init(&r, rate, DNSMOS_RATE, DNSMOS_QUALITY, err, err_len)))
		goto fail;
	rc = resampler_run(&r, mono, frames, out, want, &made, 1);
	resampler_free(&r);
	if (rc || made != want) {
		snprintf(err, err_len, "resampling %d Hz -> 16000 Hz: %zu of %zu samples", rate, made,
		         want);
		rc = GTCRN_E_RESAMPLE;
		goto fail;
	}
	free(mono);
	*y = out;
	*n = want;
	return GTCRN_OK;
fail:
	if (rc == GRT_E_NOMEM)
		snprintf(err, err_len, "out of memory for %zu frames", frames);
	free(mono);
	free(out);
	return rc;
}

/* Window idx of the reference, audio[int(idx * 16000) : int((idx + 9.01) * 16000)]:
 * its start, or -1 when the slice is shorter than 144160 samples and the
 * reference skips it. The end is computed in doubles as Python does, so
 * (idx + 9.01) * 16000 falls just below the integer for some idx (7 to 23,
 * 119 ...) and those windows are skipped, as in the reference. */
static long long hop_window(long long idx, size_t len)
{
	long long start = idx * DNSMOS_RATE;
	long long end = (long long)(((double)idx + DNSMOS_SECONDS) * (double)DNSMOS_RATE);

	if (end > (long long)len)
		end = (long long)len;
	return end - start < DNSMOS_WINDOW ? -1 : start;
}

static double polyval(const double *p, double x)
{
	return (p[0] * x + p[1]) * x + p[2];
}

/* Runs every window of audio[len] (len >= 144160) through one session. */
static int score_windows(const gtcrn_dnsmos_model *m, const float *audio, size_t len,
                         gtcrn_dnsmos_scores *sc, char *err, size_t err_len)
{
	grt_value in, out;
	grt_session *s;
	double sum[6] = { 0 };
	long long hops = (long long)(floor((double)len / DNSMOS_RATE) - DNSMOS_SECONDS) + 1;
	int rc;

	if ((rc = session_get(m, &s, err, err_len)))
		return rc;
	grt_session_input(s, 0, &in);
	sc->windows = 0;
	for (long long idx = 0; idx < hops; idx++) {
		long long start = hop_window(idx, len);
		const float *raw;
		if (start < 0)
			continue;
		memcpy(in.data, audio + start, DNSMOS_WINDOW * sizeof(float));
		if ((rc = grt_session_run(s))) {
			snprintf(err, err_len, "window %lld: %s", idx, grt_session_errmsg(s));
			goto done;
		}
		grt_session_output(s, 0, &out);
		if (grt_value_numel(&out) != 3) {
			snprintf(err, err_len, "the model gave %lld values for a window, not 3",
			         (long long)grt_value_numel(&out));
			rc = GTCRN_E_NOT_DNSMOS;
			goto done;
		}
		raw = out.data;
		for (int k = 0; k < 3; k++) {
			sum[k] += polyval(poly[k], raw[k]);
			sum[3 + k] += raw[k];
		}
		sc->windows++;
	}
	sc->sig = sum[0] / (double)sc->windows;
	sc->bak = sum[1] / (double)sc->windows;
	sc->ovrl = sum[2] / (double)sc->windows;
	sc->raw_sig = sum[3] / (double)sc->windows;
	sc->raw_bak = sum[4] / (double)sc->windows;
	sc->raw_ovrl = sum[5] / (double)sc->windows;
done:
	if (rc)
		grt_session_free(s);
	else
		session_put(m, s);
	return rc;
}

int gtcrn_dnsmos_score(const gtcrn_dnsmos_model *m, const float *x, size_t frames, int channels,
                       int rate, gtcrn_dnsmos_scores *out, char *err, size_t err_len)
{
	float *audio = NULL, *rep = NULL;
	size_t n = 0, len;
	int rc;

	if (!m || !x || !out) {
		snprintf(err, err_len, "gtcrn_dnsmos_score: %s is NULL", !m ? "model" : !x ? "x" :
		         "out");
		return GRT_E_ARG;
	}
	memset(out, 0, sizeof(*out));
	if (channels < 1 || rate < 1000 || rate > 768000 || frames == 0) {
		if (frames == 0)
			snprintf(err, err_len, "empty audio (0 frames): nothing to score");
		else if (channels < 1)
			snprintf(err, err_len, "channels %d: must be at least 1", channels);
		else
			snprintf(err, err_len, "sample rate %d Hz out of range 1000..768000", rate);
		return GRT_E_ARG;
	}
	if (frames > SIZE_MAX / sizeof(float) / (size_t)channels / 2) {
		snprintf(err, err_len, "%zu frames of %d channels: too long", frames, channels);
		return GRT_E_LIMIT;
	}
	if ((rc = mono_16k(x, frames, channels, rate, &audio, &n, err, err_len)))
		return rc;
	/* np.append(audio, audio) until 144160 long: the clip repeated 2^k times */
	for (len = n; len < DNSMOS_WINDOW; len *= 2)
		;
	if (len > n) {
		if (!(rep = malloc(len * sizeof(float)))) {
			snprintf(err, err_len, "out of memory");
			rc = GRT_E_NOMEM;
			goto done;
		}
		for (size_t i = 0; i < len; i++)
			rep[i] = audio[i % n];
	}
	rc = score_windows(m, rep ? rep : audio, len, out, err, err_len);
done:
	free(rep);
	free(audio);
	return rc;
}

int gtcrn_dnsmos_score_file(const gtcrn_dnsmos_model *m, const char *path,
                            gtcrn_dnsmos_scores *out, char *err, size_t err_len)
{
	SF_INFO info;
	SNDFILE *f;
	float *x = NULL;
	sf_count_t got;
	int rc;

	if (!m || !path || !out) {
		snprintf(err, err_len, "gtcrn_dnsmos_score_file: %s is NULL", !m ? "model" : !path ?
		         "path" : "out");
		return GRT_E_ARG;
	}
	memset(out, 0, sizeof(*out));
	memset(&info, 0, sizeof(info));
	if (!(f = sf_open(path, SFM_READ, &info))) {
		snprintf(err, err_len, "%s: %s", path, sf_strerror(NULL));
		return GRT_E_IO;
	}
	if (info.frames <= 0 || info.channels < 1) {
		snprintf(err, err_len, "%s: empty audio (0 frames): nothing to score", path);
		sf_close(f);
		return GRT_E_ARG;
	}
	if ((unsigned long long)info.frames > SIZE_MAX / sizeof(float) / (size_t)info.channels / 2 ||
	    !(x = malloc((size_t)info.frames * (size_t)info.channels * sizeof(float)))) {
		snprintf(err, err_len, "%s: out of memory for %lld frames", path,
		         (long long)info.frames);
		sf_close(f);
		return GRT_E_NOMEM;
	}
	got = sf_readf_float(f, x, info.frames);
	sf_close(f);
	if (got <= 0) {
		snprintf(err, err_len, "%s: no frames could be read", path);
		free(x);
		return GRT_E_IO;
	}
	rc = gtcrn_dnsmos_score(m, x, (size_t)got, info.channels, info.samplerate, out, err,
	                        err_len);
	free(x);
	if (rc)
		err_prefix(path, err, err_len);
	return rc;
}

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
#include "config.h"
#ifdef HAVE_SNDFILE
#include <sndfile.h>
#endif
#include "enhance/internal.h"

#define DNSMOS_RATE 16000
#define DNSMOS_SECONDS 9.01                /* INPUT_LENGTH of dnsmos_local.py */
#define DNSMOS_WINDOW 144160               /* int(9.01 * 16000) samples */
#define DNSMOS_QUALITY 10                  /* speexdsp's best: the reference resamples once */
#define BLOCK_FRAMES 4096                  /* frames downmixed (and read) at a time */
#define POOL_MAX 16                        /* idle sessions a model keeps at most */

/* Sessions (batch 1) that finished scoring, for the next call: making one
 * costs about 65 ms (mostly zeroing its 107 MB arena), 40% of a window's
 * run, and most clips have one window. The model keeps as many as were scoring at
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
	char io[512], count[32];

	if (grt_model_n_inputs(g) != 1 || grt_model_n_outputs(g) != 1) {
		int in1 = grt_model_n_inputs(g) == 1;
		snprintf(count, sizeof(count), "one %s, not %d", in1 ? "output" : "input",
		         in1 ? grt_model_n_outputs(g) : grt_model_n_inputs(g));
		what = count;
	} else {
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
		model_describe_io(g, io, sizeof(io));
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

/* The channels' mean at 16 kHz, made block by block (a file is read so, and
 * no full-rate copy of a buffer is made): audio[n], time-aligned with the
 * input, ceil(frames * 16000 / rate) samples after to16k_finish. */
struct to16k {
	int channels, rate;
	struct resampler r;                /* rate -> 16 kHz, unless rate is 16 kHz */
	float block[BLOCK_FRAMES];         /* one block's mean, at the input rate */
	float *audio;                      /* [cap] the 16 kHz signal so far */
	size_t n, cap;
	unsigned long long frames;         /* frames pushed */
};

static int to16k_init(struct to16k *c, int channels, int rate, char *err, size_t err_len)
{
	c->channels = channels;
	c->rate = rate;
	c->audio = NULL;
	c->n = c->cap = 0;
	c->frames = 0;
	c->r.st = NULL;
	if (rate == DNSMOS_RATE)
		return GTCRN_OK;
	return resampler_init(&c->r, rate, DNSMOS_RATE, DNSMOS_QUALITY, err, err_len);
}

static void to16k_free(struct to16k *c)
{
	resampler_free(&c->r);
	free(c->audio);
}

/* Room for the 16 kHz samples of every frame pushed so far (and one more). */
static int to16k_reserve(struct to16k *c, char *err, size_t err_len)
{
	unsigned long long need = (c->frames * DNSMOS_RATE + (unsigned)c->rate - 1) /
	                          (unsigned)c->rate + 1;
	size_t cap = c->cap ? c->cap : 1 << 16;
	float *a;

	if (need <= c->cap)
		return GTCRN_OK;
	while (cap < need && cap <= SIZE_MAX / sizeof(float) / 4)
		cap *= 2;
	if (cap < need || !(a = realloc(c->audio, cap * sizeof(float)))) {
		snprintf(err, err_len, "out of memory for %llu frames", c->frames);
		return GRT_E_NOMEM;
	}
	c->audio = a;
	c->cap = cap;
	return GTCRN_OK;
}

/* Adds x[frames * channels]. */
static int to16k_push(struct to16k *c, const float *x, size_t frames, char *err,
                      size_t err_len)
{
	const size_t C = (size_t)c->channels;

	for (size_t done = 0, k; done < frames; done += k) {
		size_t made;
		int rc;
		k = frames - done < BLOCK_FRAMES ? frames - done : BLOCK_FRAMES;
		for (size_t i = 0; i < k; i++) {
			const float *f = x + (done + i) * C;
			double sum = 0;
			for (size_t ch = 0; ch < C; ch++)
				sum += f[ch];
			c->block[i] = (float)(sum / (double)C);
			sanitize_sample(&c->block[i]);
		}
		c->frames += k;
		if ((rc = to16k_reserve(c, err, err_len)))
			return rc;
		if (c->rate == DNSMOS_RATE) {
			memcpy(c->audio + c->n, c->block, k * sizeof(float));
			made = k;
		} else if (resampler_run(&c->r, c->block, k, c->audio + c->n, c->cap - c->n, &made,
		                         0)) {
			snprintf(err, err_len, "resampling %d Hz -> 16000 Hz failed", c->rate);
			return GTCRN_E_RESAMPLE;
		}
		c->n += made;
	}
	return GTCRN_OK;
}

/* Flushes the resampler: n is then ceil(frames * 16000 / rate). */
static int to16k_finish(struct to16k *c, char *err, size_t err_len)
{
	unsigned long long want = (c->frames * DNSMOS_RATE + (unsigned)c->rate - 1) /
	                          (unsigned)c->rate;
	size_t made = 0;

	if (c->rate != DNSMOS_RATE &&
	    resampler_run(&c->r, NULL, 0, c->audio + c->n, c->cap - c->n, &made, 1) == GTCRN_OK)
		c->n += made;
	if (c->n != want) {
		snprintf(err, err_len, "resampling %d Hz -> 16000 Hz: %zu of %llu samples", c->rate,
		         c->n, want);
		return GTCRN_E_RESAMPLE;
	}
	return GTCRN_OK;
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

/* The clip c->audio[c->n] (16 kHz, n > 0), repeated as the reference does,
 * scored window by window. */
static int score_16k(const gtcrn_dnsmos_model *m, const struct to16k *c,
                     gtcrn_dnsmos_scores *out, char *err, size_t err_len)
{
	float *rep = NULL;
	size_t len;
	int rc;

	/* np.append(audio, audio) until 144160 long: the clip repeated 2^k times */
	for (len = c->n; len < DNSMOS_WINDOW; len *= 2)
		;
	if (len > c->n) {
		if (!(rep = malloc(len * sizeof(float)))) {
			snprintf(err, err_len, "out of memory");
			return GRT_E_NOMEM;
		}
		for (size_t i = 0; i < len; i++)
			rep[i] = c->audio[i % c->n];
	}
	rc = score_windows(m, rep ? rep : c->audio, len, out, err, err_len);
	free(rep);
	return rc;
}

int gtcrn_dnsmos_score(const gtcrn_dnsmos_model *m, const float *x, size_t frames, int channels,
                       int rate, gtcrn_dnsmos_scores *out, char *err, size_t err_len)
{
	struct to16k c;
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
	if ((rc = to16k_init(&c, channels, rate, err, err_len)))
		return rc;
	if (!(rc = to16k_push(&c, x, frames, err, err_len)) &&
	    !(rc = to16k_finish(&c, err, err_len)))
		rc = score_16k(m, &c, out, err, err_len);
	to16k_free(&c);
	return rc;
}

#ifdef HAVE_SNDFILE
/* The file's frames through c, a block at a time. */
static int read_file(SNDFILE *f, struct to16k *c, char *err, size_t err_len)
{
	float *buf = malloc(BLOCK_FRAMES * (size_t)c->channels * sizeof(float));
	sf_count_t got;
	int rc = GTCRN_OK;

	if (!buf) {
		snprintf(err, err_len, "out of memory");
		return GRT_E_NOMEM;
	}
	while (!rc && (got = sf_readf_float(f, buf, BLOCK_FRAMES)) > 0)
		rc = to16k_push(c, buf, (size_t)got, err, err_len);
	if (!rc && sf_error(f)) {
		snprintf(err, err_len, "%s", sf_strerror(f));
		rc = GRT_E_IO;
	}
	free(buf);
	return rc;
}

int gtcrn_dnsmos_score_file(const gtcrn_dnsmos_model *m, const char *path,
                            gtcrn_dnsmos_scores *out, char *err, size_t err_len)
{
	struct to16k c;
	SF_INFO info;
	SNDFILE *f;
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
	if (info.channels < 1 || info.samplerate < 1000 || info.samplerate > 768000) {
		snprintf(err, err_len, "%s: %d channels at %d Hz: not scorable (1000..768000 Hz)",
		         path, info.channels, info.samplerate);
		sf_close(f);
		return GRT_E_ARG;
	}
	if ((rc = to16k_init(&c, info.channels, info.samplerate, err, err_len)) == GTCRN_OK) {
		if (!(rc = read_file(f, &c, err, err_len)) && c.frames == 0) {
			snprintf(err, err_len, "empty audio (0 frames): nothing to score");
			rc = GRT_E_ARG;
		}
		if (!rc && !(rc = to16k_finish(&c, err, err_len)))
			rc = score_16k(m, &c, out, err, err_len);
		to16k_free(&c);
	}
	sf_close(f);
	if (rc)
		err_prefix(path, err, err_len);
	return rc;
}
#else
/* Built without libsndfile (configure --without-sndfile; WebAssembly): no files
 * to read; gtcrn_dnsmos_score scores samples the caller decoded. */
int gtcrn_dnsmos_score_file(const gtcrn_dnsmos_model *m, const char *path,
                            gtcrn_dnsmos_scores *out, char *err, size_t err_len)
{
	if (out)
		memset(out, 0, sizeof(*out));
	snprintf(err, err_len, "%s: not built with libsndfile: decode the file and use "
	         "gtcrn_dnsmos_score", path ? path : "(null)");
	return GRT_E_IO;
}
#endif

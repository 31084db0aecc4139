/* stream.c - streaming enhancement: one state per channel.
 *
 * At the model's rate a "core" keeps the reflect-padded input of the next
 * STFT frame, runs the network once per hop (caches fed back from the
 * matching outputs), and overlap-adds the enhanced frames. A sample becomes
 * final once no later frame covers it: at most n_fft - 1 samples after it
 * came in. Around the core, speexdsp resamplers convert from and to the
 * caller's rate, and a FIFO primed with D zeros hands back exactly as many
 * samples as came in, D samples late (D: the largest delay the stages can
 * have). Everything is allocated when the state is made. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "enhance/internal.h"

#define BLOCK 256            /* caller samples per internal step */

struct fifo {
	float *buf;
	size_t cap, head, n;        /* ring: n samples from head */
};

struct core {
	const struct stft *st;
	grt_session *sess;
	float *spec_in;             /* (1, F, 1, 2): the frame given to the network */
	const float *spec_out;      /* (1, F, 1, 2): the enhanced frame */
	int n_caches;
	float *cache_in[MAX_CACHES];
	const float *cache_out[MAX_CACHES];
	size_t cache_bytes[MAX_CACHES];
	float *frame;               /* [n_fft] padded samples of the next frame */
	int fill;                   /* valid samples in frame */
	float *hist;                /* [n_fft] ring of the last input samples */
	size_t n_in;                /* input samples so far */
	int started;                /* the start reflection has been pushed */
	float *ola, *env;           /* [n_fft] overlap-add of frames and of window^2 */
	float *enh;                 /* [2 * n_bins] enhanced frame after the limit */
	float *wave;                /* [n_fft] one inverse-transformed frame */
	float *work;                /* stft work buffer */
	size_t drop;                /* leading padded samples still to drop */
	float floor_gain;           /* attenuation limit, 0 = none */
	struct fifo out;            /* final samples at the model's rate */
	unsigned long frames;
	unsigned long bad_frames;   /* muted: the network's output was not finite */
	unsigned long *times;       /* optional per-frame run times, ns */
	size_t times_max;
};

struct gtcrn_state {
	const gtcrn_model *m;
	struct core core;
	int resample;               /* caller rate != model rate */
	struct resampler rin, rout;
	float *mid;                 /* [cap_mid] caller block at the model's rate */
	float *back;                /* [cap_back] BLOCK core samples at the caller's rate */
	size_t cap_mid, cap_back;
	struct fifo out;            /* enhanced samples at the caller's rate */
	float *dry;                 /* [latency] delay line of the input */
	size_t dry_pos;
	size_t latency;             /* D, samples at the caller's rate */
	float mix;
	unsigned long bad_samples;  /* input samples sanitize_sample() changed */
	char errmsg[256];
};

static int fifo_init(struct fifo *f, size_t cap)
{
	f->buf = calloc(cap + 1, sizeof(float));
	f->cap = cap;
	f->head = f->n = 0;
	return f->buf ? GTCRN_OK : GRT_E_NOMEM;
}

/* Appends n samples (zeros when x is NULL): at most two runs of the ring. */
static int fifo_push(struct fifo *f, const float *x, size_t n)
{
	size_t tail, k;

	if (f->n + n > f->cap)
		return GRT_E_LIMIT;
	tail = f->head + f->n;
	if (tail >= f->cap)
		tail -= f->cap;
	for (size_t done = 0; done < n; done += k, tail = 0) {
		k = n - done < f->cap - tail ? n - done : f->cap - tail;
		if (x)
			memcpy(f->buf + tail, x + done, k * sizeof(float));
		else
			memset(f->buf + tail, 0, k * sizeof(float));
	}
	f->n += n;
	return GTCRN_OK;
}

/* Takes up to n samples into x: at most two runs of the ring. */
static size_t fifo_pop(struct fifo *f, float *x, size_t n)
{
	size_t k;

	if (n > f->n)
		n = f->n;
	for (size_t done = 0; done < n; done += k) {
		k = n - done < f->cap - f->head ? n - done : f->cap - f->head;
		memcpy(x + done, f->buf + f->head, k * sizeof(float));
		f->head += k;
		if (f->head == f->cap)
			f->head = 0;
	}
	f->n -= n;
	return n;
}

/* --- the core, at the model's rate --- */

static void core_reset(struct core *c)
{
	int n_fft = c->st->n_fft;

	for (int k = 0; k < c->n_caches; k++)
		memset(c->cache_in[k], 0, c->cache_bytes[k]);
	memset(c->frame, 0, sizeof(float) * (size_t)n_fft);
	memset(c->hist, 0, sizeof(float) * (size_t)n_fft);
	memset(c->ola, 0, sizeof(float) * (size_t)n_fft);
	memset(c->env, 0, sizeof(float) * (size_t)n_fft);
	c->fill = 0;
	c->n_in = 0;
	c->started = 0;
	c->drop = (size_t)c->st->pad;
	c->out.head = c->out.n = 0;
}

static unsigned long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long)ts.tv_sec * 1000000000ul + (unsigned long)ts.tv_nsec;
}

/* The first n samples of the overlap-add are final: normalise them by the
 * summed squared window and queue them, dropping the leading padding. */
static int emit_final(struct core *c, size_t n, char *errmsg, size_t errlen)
{
	float y[64];
	size_t i = c->drop < n ? c->drop : n;

	c->drop -= i;
	while (i < n) {
		size_t k = n - i < 64 ? n - i : 64;
		for (size_t j = 0; j < k; j++)
			y[j] = c->env[i + j] > 1e-11f ? c->ola[i + j] / c->env[i + j] : 0.0f;
		if (fifo_push(&c->out, y, k)) {
			snprintf(errmsg, errlen, "internal: core output buffer full");
			return GRT_E_LIMIT;
		}
		i += k;
	}
	return GTCRN_OK;
}

/* Runs the network on the full frame and overlap-adds the result; the
 * first hop of the accumulator is then final. */
static int core_frame(struct core *c, char *errmsg, size_t errlen)
{
	const struct stft *st = c->st;
	int n_fft = st->n_fft, hop = st->hop, rc;
	unsigned long t0 = c->times ? now_ns() : 0;

	stft_forward(st, c->frame, c->spec_in, c->work);
	rc = grt_session_run(c->sess);
	if (rc) {
		snprintf(errmsg, errlen, "frame %lu: %s", c->frames, grt_session_errmsg(c->sess));
		return rc;
	}
	if (c->times)
		c->times[c->frames % c->times_max] = now_ns() - t0;
	c->frames++;
	if (!all_finite(c->spec_out, 2 * (size_t)st->n_bins)) {
		/* the caches may hold the same poison: the frame is muted and the
		 * network starts again from rest */
		c->bad_frames++;
		for (int k = 0; k < c->n_caches; k++)
			memset(c->cache_in[k], 0, c->cache_bytes[k]);
		memset(c->enh, 0, sizeof(float) * 2 * (size_t)st->n_bins);
	} else {
		for (int k = 0; k < c->n_caches; k++)
			if (c->cache_in[k] != c->cache_out[k])
				memcpy(c->cache_in[k], c->cache_out[k], c->cache_bytes[k]);
		memcpy(c->enh, c->spec_out, sizeof(float) * 2 * (size_t)st->n_bins);
	}
	atten_limit_frame(c->enh, c->spec_in, st->n_bins, c->floor_gain);
	stft_inverse(st, c->enh, c->wave, c->work);
	for (int i = 0; i < n_fft; i++) {
		c->ola[i] += c->wave[i];
		c->env[i] += st->window[i] * st->window[i];
	}
	if ((rc = emit_final(c, (size_t)hop, errmsg, errlen)))
		return rc;
	memmove(c->ola, c->ola + hop, sizeof(float) * (size_t)(n_fft - hop));
	memmove(c->env, c->env + hop, sizeof(float) * (size_t)(n_fft - hop));
	memset(c->ola + n_fft - hop, 0, sizeof(float) * (size_t)hop);
	memset(c->env + n_fft - hop, 0, sizeof(float) * (size_t)hop);
	memmove(c->frame, c->frame + hop, sizeof(float) * (size_t)(n_fft - hop));
	c->fill -= hop;
	return GTCRN_OK;
}

static int push_padded(struct core *c, float v, char *errmsg, size_t errlen)
{
	c->frame[c->fill++] = v;
	return c->fill == c->st->n_fft ? core_frame(c, errmsg, errlen) : GTCRN_OK;
}

static float x_at(const struct core *c, size_t i)
{
	return c->hist[i % (size_t)c->st->n_fft];
}

/* The start reflection: padded positions 0 .. pad-1 are x[pad] .. x[1]. */
static int push_start(struct core *c, char *errmsg, size_t errlen)
{
	size_t n = c->n_in, pad = (size_t)c->st->pad;
	int rc;

	for (size_t p = 0; p < pad; p++)
		if ((rc = push_padded(c, x_at(c, reflect_index((long long)p - (long long)pad, n)),
		                      errmsg, errlen)))
			return rc;
	for (size_t i = 0; i < n; i++)
		if ((rc = push_padded(c, x_at(c, i), errmsg, errlen)))
			return rc;
	c->started = 1;
	return GTCRN_OK;
}

/* Keeps the last n_fft input samples in the ring hist (n <= n_fft). */
static void hist_put(struct core *c, const float *x, size_t n)
{
	size_t n_fft = (size_t)c->st->n_fft, pos = c->n_in % n_fft;
	size_t k = n < n_fft - pos ? n : n_fft - pos;

	memcpy(c->hist + pos, x, k * sizeof(float));
	memcpy(c->hist, x + k, (n - k) * sizeof(float));
	c->n_in += n;
}

static int core_push(struct core *c, const float *x, size_t n, char *errmsg, size_t errlen)
{
	size_t pad = (size_t)c->st->pad, n_fft = (size_t)c->st->n_fft, k;
	int rc;

	for (; n && !c->started; x++, n--) {
		hist_put(c, x, 1);
		if (c->n_in == pad + 1 && (rc = push_start(c, errmsg, errlen)))
			return rc;
	}
	/* started: runs up to the end of the next frame */
	for (; n; x += k, n -= k) {
		k = n < n_fft - (size_t)c->fill ? n : n_fft - (size_t)c->fill;
		hist_put(c, x, k);
		memcpy(c->frame + c->fill, x, k * sizeof(float));
		c->fill += (int)k;
		if ((size_t)c->fill == n_fft && (rc = core_frame(c, errmsg, errlen)))
			return rc;
	}
	return GTCRN_OK;
}

/* End of stream: the end reflection, the last frames, and the samples after
 * the last frame's first hop (normalised by their partial envelope, as
 * torch.istft does with length = n). */
static int core_end(struct core *c, char *errmsg, size_t errlen)
{
	const struct stft *st = c->st;
	size_t n = c->n_in, pad = (size_t)st->pad, T, rest, pos;
	int rc;

	if (n == 0)
		return GTCRN_OK;
	if (!c->started && (rc = push_start(c, errmsg, errlen)))
		return rc;
	for (size_t k = 0; k < pad; k++)
		if ((rc = push_padded(c, x_at(c, reflect_index((long long)(n + k), n)), errmsg, errlen)))
			return rc;
	T = stft_frames(st, n);
	pos = T * (size_t)st->hop;               /* first padded position not yet final */
	rest = n + pad > pos ? n + pad - pos : 0;
	return emit_final(c, rest, errmsg, errlen);
}

static int core_init(struct core *c, const gtcrn_model *m, char *err, size_t err_len)
{
	const struct stft *st = &m->stft;
	const grt_model *g = m->graph;
	size_t n_fft = (size_t)st->n_fft;
	grt_value v;
	int rc;

	memset(c, 0, sizeof(*c));
	c->st = st;
	{
		/* caches may be overwritten by the run: ScatterND cache updates then
		 * write in place and the output is the input's own buffer */
		grt_session_opts so = { 0 };
		so.flags = GRT_SESSION_STATIC;     /* a frame must never allocate */
		for (int k = 0; k < m->info.n_caches; k++)
			if (m->cache_in[k] < 64)
				so.scratch_inputs |= (uint64_t)1 << m->cache_in[k];
		rc = grt_session_create(g, &so, &c->sess, err, err_len);
	}
	if (rc)
		return rc;
	grt_session_input(c->sess, m->spec_in, &v);
	c->spec_in = v.data;
	grt_session_output(c->sess, m->spec_out, &v);
	c->spec_out = v.data;
	if (grt_value_numel(&v) != 2 * (int64_t)st->n_bins) {
		snprintf(err, err_len, "the spectrum output has %lld values, expected %d",
		         (long long)grt_value_numel(&v), 2 * st->n_bins);
		return GTCRN_E_NOT_GTCRN;
	}
	c->n_caches = m->info.n_caches;
	for (int k = 0; k < c->n_caches; k++) {
		grt_value vi, vo;
		grt_session_input(c->sess, m->cache_in[k], &vi);
		grt_session_output(c->sess, m->cache_out[k], &vo);
		if (grt_value_numel(&vi) != grt_value_numel(&vo) || vi.dtype != vo.dtype) {
			snprintf(err, err_len, "cache %d: output shape differs from its input", k);
			return GTCRN_E_NOT_GTCRN;
		}
		c->cache_in[k] = vi.data;
		c->cache_out[k] = vo.data;
		c->cache_bytes[k] = (size_t)grt_value_numel(&vi) * grt_dtype_size(vi.dtype);
	}
	c->frame = calloc(n_fft, sizeof(float));
	c->hist = calloc(n_fft, sizeof(float));
	c->ola = calloc(n_fft, sizeof(float));
	c->env = calloc(n_fft, sizeof(float));
	c->wave = calloc(n_fft, sizeof(float));
	c->enh = calloc(2 * (size_t)st->n_bins, sizeof(float));
	c->work = fftwf_malloc(sizeof(float) * stft_work_floats(st));
	if (!c->frame || !c->hist || !c->ola || !c->env || !c->wave || !c->enh || !c->work) {
		snprintf(err, err_len, "out of memory");
		return GRT_E_NOMEM;
	}
	core_reset(c);
	return GTCRN_OK;
}

static void core_free(struct core *c)
{
	grt_session_free(c->sess);
	free(c->frame);
	free(c->hist);
	free(c->ola);
	free(c->env);
	free(c->wave);
	free(c->enh);
	fftwf_free(c->work);
	free(c->out.buf);
}

/* --- the state, at the caller's rate --- */

int gtcrn_state_create(const gtcrn_model *m, const gtcrn_opts *o, gtcrn_state **out, char *err,
                       size_t err_len)
{
	gtcrn_opts def;
	gtcrn_state *s;
	int rc, rate;
	double up = 1;

	if (!m || !out) {
		snprintf(err, err_len, "gtcrn_state_create: NULL argument");
		return GRT_E_ARG;
	}
	*out = NULL;
	if (m->info.kind != GTCRN_STREAMING) {
		snprintf(err, err_len, "the model is an offline export (dynamic time axis): it cannot "
		         "stream; use gtcrn_enhance on whole signals, or a streaming export");
		return GTCRN_E_KIND;
	}
	if (!o) {
		gtcrn_opts_init(&def);
		o = &def;
	}
	rate = o->sample_rate ? o->sample_rate : m->info.sample_rate;
	if ((rc = opts_check(o, rate, err, err_len)))
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, err_len, "out of memory");
		return GRT_E_NOMEM;
	}
	s->m = m;
	s->mix = o->mix;
	if ((rc = core_init(&s->core, m, err, err_len)))
		goto fail;
	s->core.floor_gain = atten_floor_gain(o->atten_lim_db);
	s->resample = rate != m->info.sample_rate;
	if (s->resample) {
		double rin = (double)m->info.sample_rate / rate;
		double rout = (double)rate / m->info.sample_rate;
		size_t hin, hout;
		if ((rc = resampler_init(&s->rin, rate, m->info.sample_rate, o->resample_quality, err,
		                         err_len)) ||
		    (rc = resampler_init(&s->rout, m->info.sample_rate, rate, o->resample_quality, err,
		                         err_len)))
			goto fail;
		hin = resampler_holdback(&s->rin);
		hout = resampler_holdback(&s->rout);
		up = rout > 1 ? rout : 1;
		s->latency = (size_t)ceil((double)(hin + m->info.latency) * rout) + hout + 2;
		s->cap_mid = (size_t)ceil(BLOCK * rin) + hin + 64;
		/* drain_core converts at most BLOCK core samples per call */
		s->cap_back = (size_t)ceil(BLOCK * rout) + hout + 64;
		s->mid = calloc(s->cap_mid, sizeof(float));
		s->back = calloc(s->cap_back, sizeof(float));
		if (!s->mid || !s->back) {
			rc = GRT_E_NOMEM;
			goto fail;
		}
	} else {
		s->latency = m->info.latency;
	}
	/* one feed() pushes at most cap_mid (or BLOCK) samples into the core,
	 * which then holds at most n_fft more until the end of the stream pads
	 * and flushes them; drain_core() empties it after each feed() */
	if (fifo_init(&s->core.out, (s->resample ? s->cap_mid : BLOCK) +
	              2 * (size_t)m->info.n_fft)) {
		rc = GRT_E_NOMEM;
		goto fail;
	}
	if (fifo_init(&s->out, s->latency + s->cap_back + (size_t)(4 * BLOCK * up) +
	              4 * (size_t)m->info.n_fft) ||
	    !(s->dry = calloc(s->latency + 1, sizeof(float)))) {
		rc = GRT_E_NOMEM;
		goto fail;
	}
	gtcrn_reset(s);
	*out = s;
	return GTCRN_OK;
fail:
	if (rc == GRT_E_NOMEM)
		snprintf(err, err_len, "out of memory");
	gtcrn_state_free(s);
	return rc;
}

void gtcrn_state_free(gtcrn_state *s)
{
	if (!s)
		return;
	core_free(&s->core);
	resampler_free(&s->rin);
	resampler_free(&s->rout);
	free(s->mid);
	free(s->back);
	free(s->out.buf);
	free(s->dry);
	free(s);
}

int gtcrn_reset(gtcrn_state *s)
{
	if (!s)
		return GRT_E_ARG;
	core_reset(&s->core);
	if (s->resample && (resampler_reset(&s->rin) || resampler_reset(&s->rout)))
		return GTCRN_E_RESAMPLE;
	s->out.head = s->out.n = 0;
	fifo_push(&s->out, NULL, s->latency);          /* the fixed delay */
	memset(s->dry, 0, sizeof(float) * s->latency);
	s->dry_pos = 0;
	return GTCRN_OK;
}

/* Moves the core's final samples to the output FIFO (through the output
 * resampler when rates differ). */
static int drain_core(gtcrn_state *s, int end)
{
	struct core *c = &s->core;
	float buf[BLOCK];
	int rc;

	if (!s->resample) {
		while (c->out.n) {
			size_t k = fifo_pop(&c->out, buf, BLOCK);
			if ((rc = fifo_push(&s->out, buf, k)))
				return rc;
		}
		return GTCRN_OK;
	}
	do {
		size_t k = fifo_pop(&c->out, buf, BLOCK), got;
		int last = end && c->out.n == 0;
		if ((rc = resampler_run(&s->rout, buf, k, s->back, s->cap_back, &got, last)) ||
		    (rc = fifo_push(&s->out, s->back, got)))
			return rc;
	} while (c->out.n);
	return GTCRN_OK;
}

static int feed(gtcrn_state *s, const float *in, size_t n, int end)
{
	int rc;

	if (s->resample) {
		size_t got;
		static const float none[1];       /* a pointer even for 0 samples */
		if ((rc = resampler_run(&s->rin, in ? in : none, n, s->mid, s->cap_mid, &got,
		                        end))) {
			snprintf(s->errmsg, sizeof(s->errmsg), "input resampler failed");
			return rc;
		}
		in = s->mid;
		n = got;
	}
	if ((rc = core_push(&s->core, in, n, s->errmsg, sizeof(s->errmsg))))
		return rc;
	if (end && (rc = core_end(&s->core, s->errmsg, sizeof(s->errmsg))))
		return rc;
	if ((rc = drain_core(s, end))) {
		snprintf(s->errmsg, sizeof(s->errmsg), "internal: output buffer overflow (%s)",
		         gtcrn_strerror(rc));
		return rc;
	}
	return GTCRN_OK;
}

/* out[i] = mix * enhanced + (1 - mix) * input delayed by the latency */
static void emit(gtcrn_state *s, const float *in, float *out, const float *enh, size_t n)
{
	const float mix = s->mix;

	while (n) {
		/* a run of the delay line up to its end */
		size_t k = n < s->latency - s->dry_pos ? n : s->latency - s->dry_pos;
		float *dry = s->dry + s->dry_pos;
		for (size_t i = 0; i < k; i++) {
			float x = in ? in[i] : 0.0f, d = dry[i];
			dry[i] = x;
			out[i] = mix == 1.0f ? enh[i] : mix * enh[i] + (1.0f - mix) * d;
		}
		s->dry_pos += k;
		if (s->dry_pos == s->latency)
			s->dry_pos = 0;
		in = in ? in + k : NULL;
		out += k;
		enh += k;
		n -= k;
	}
}

int gtcrn_process(gtcrn_state *s, const float *in, float *out, size_t n)
{
	float enh[BLOCK], x[BLOCK];
	int rc;

	if (!s || (n && (!in || !out)))
		return GRT_E_ARG;
	for (size_t done = 0; done < n;) {
		size_t k = n - done < BLOCK ? n - done : BLOCK;
		memcpy(x, in + done, k * sizeof(float));    /* in and out may be one buffer */
		for (size_t i = 0; i < k; i++)
			s->bad_samples += (unsigned long)sanitize_sample(&x[i]);
		if ((rc = feed(s, x, k, 0)))
			return rc;
		if (fifo_pop(&s->out, enh, k) != k) {
			snprintf(s->errmsg, sizeof(s->errmsg), "internal: latency %zu too small",
			         s->latency);
			return GRT_E_LIMIT;
		}
		emit(s, x, out + done, enh, k);
		done += k;
	}
	return GTCRN_OK;
}

void gtcrn_nonfinite(const gtcrn_state *s, unsigned long *samples, unsigned long *frames)
{
	if (samples)
		*samples = s ? s->bad_samples : 0;
	if (frames)
		*frames = s ? s->core.bad_frames : 0;
}

int gtcrn_flush(gtcrn_state *s, float *out)
{
	float enh[BLOCK];
	int rc;

	if (!s || !out)
		return GRT_E_ARG;
	if ((rc = feed(s, NULL, 0, 1)))
		return rc;
	for (size_t done = 0; done < s->latency;) {
		size_t k = s->latency - done < BLOCK ? s->latency - done : BLOCK;
		size_t got = fifo_pop(&s->out, enh, k);
		memset(enh + got, 0, sizeof(float) * (k - got));   /* rounding at the very end */
		emit(s, NULL, out + done, enh, k);
		done += k;
	}
	return gtcrn_reset(s);
}

size_t gtcrn_latency(const gtcrn_state *s)
{
	return s ? s->latency : 0;
}

int gtcrn_set_mix(gtcrn_state *s, float mix)
{
	if (!s || !(mix >= 0 && mix <= 1))
		return GRT_E_ARG;
	s->mix = mix;
	return GTCRN_OK;
}

int gtcrn_set_atten_limit(gtcrn_state *s, float db)
{
	if (!s || db != db)
		return GRT_E_ARG;
	s->core.floor_gain = atten_floor_gain(db);
	return GTCRN_OK;
}

const char *gtcrn_state_errmsg(const gtcrn_state *s)
{
	return s ? s->errmsg : "no state";
}

unsigned long gtcrn_frames(const gtcrn_state *s)
{
	return s ? s->core.frames : 0;
}

void gtcrn_record_frame_times(gtcrn_state *s, unsigned long *times, size_t max)
{
	if (!s)
		return;
	s->core.times = times && max ? times : NULL;
	s->core.times_max = times && max ? max : 0;
}

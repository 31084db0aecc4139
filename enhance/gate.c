/* gate.c - a VAD gate: Silero VAD on the mean of the channels decides, window
 * by window, whether there is speech (the segmenter's start / end rule, then
 * a hangover); one gain for all channels follows that decision, moving
 * linearly in dB (attack up to 0 dB, release down to -depth). The audio goes
 * through a delay line of `latency` frames: a VAD window, the resampler's
 * holdback and the attack, so that the gain of each frame is known when the
 * frame leaves the line and the attack ends where the speech window starts.
 * The gain of frame t depends only on the audio, never on how it was cut
 * into calls. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enhance/internal.h"

#define BLOCK 256            /* frames per internal step */
#define MAX_CHANNELS 64
#define GATE_RESAMPLE_QUALITY 4   /* speexdsp's 0..10, for the gate's VAD by default */

struct gtcrn_gate {
	gtcrn_vad *vad;
	int channels;
	int sample_rate, rate;      /* the stream's and the VAD model's, Hz */
	uint64_t window;            /* VAD window, samples at rate */
	size_t latency;             /* frames of delay */
	size_t attack_frames;       /* the look-ahead: the attack ends at the window's start */
	float *line;                /* [latency * channels] delay line, a ring of frames */
	size_t pos;                 /* its oldest frame */
	uint64_t n_in;              /* frames pushed since the reset */
	float mono[BLOCK];          /* the channels' mean of one block */
	float *probs;               /* [cap_probs] the block's window probabilities */
	size_t cap_probs;
	unsigned char *open;        /* [n_open] ring: speech decision of window w at w % n_open */
	size_t n_open;
	uint64_t decided;           /* windows decided */
	uint64_t look_w;            /* the window of the frame the gain looks at ... */
	uint64_t look_end;          /* ... and the first frame after that window */
	struct speech_rule rule;    /* the segmenter's start / end rule */
	uint64_t hang_windows;      /* hangover in whole windows */
	uint64_t hang_until;        /* windows before this one stay open */
	/* the gain */
	float depth_set, depth_db;  /* requested, and the gliding one, dB >= 0 */
	float attack_step, release_step;   /* dB per frame per dB of depth (0: a jump) */
	float gain_db;              /* now, <= 0 */
	float gain;                 /* 10^(gain_db / 20) */
	char errmsg[256];
};

void gtcrn_gate_opts_init(gtcrn_gate_opts *o)
{
	if (!o)
		return;
	o->depth_db = 24.0f;
	o->attack_ms = 5.0f;
	o->release_ms = 50.0f;
	o->hangover_ms = 200.0f;
}

static int gate_opts_check(const gtcrn_gate_opts *o, int channels, char *err, size_t err_len)
{
	const struct {
		const char *name;
		float v, max;
	} f[] = { { "depth_db", o->depth_db, 200 }, { "attack_ms", o->attack_ms, 10000 },
		  { "release_ms", o->release_ms, 10000 }, { "hangover_ms", o->hangover_ms, 60000 } };

	for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
		if (!(f[k].v >= 0 && f[k].v <= f[k].max)) {
			snprintf(err, err_len, "gtcrn_gate_opts.%s %g out of range 0..%g", f[k].name,
			         (double)f[k].v, (double)f[k].max);
			return GRT_E_ARG;
		}
	if (channels < 1 || channels > MAX_CHANNELS) {
		snprintf(err, err_len, "gtcrn_gate_create: channels %d out of range 1..%d", channels,
		         MAX_CHANNELS);
		return GRT_E_ARG;
	}
	return GTCRN_OK;
}

/* Per-frame steps that make a full ramp over ms milliseconds. */
static float ramp_step(float ms, int sample_rate)
{
	double frames = (double)ms * sample_rate / 1000;
	return frames >= 1 ? (float)(1 / frames) : 0.0f;
}

static int gate_init(gtcrn_gate *g, const gtcrn_vad_opts *vo, const gtcrn_gate_opts *go,
                     char *err, size_t err_len)
{
	size_t win_frames, hold;

	g->rate = gtcrn_vad_rate(g->vad);
	g->window = gtcrn_vad_window(g->vad);
	g->sample_rate = vo->sample_rate ? vo->sample_rate : g->rate;
	speech_rule_init(&g->rule, vo, g->rate);
	g->hang_windows = (uint64_t)floor((double)go->hangover_ms * g->rate / 1000 /
	                                  (double)g->window + 0.5);
	g->attack_frames = (size_t)ceil((double)go->attack_ms * g->sample_rate / 1000);
	g->attack_step = ramp_step(go->attack_ms, g->sample_rate);
	g->release_step = ramp_step(go->release_ms, g->sample_rate);
	g->depth_set = go->depth_db;
	/* window w is decided once the VAD has model samples up to window * (w +
	 * 1) + holdback: (window + holdback) frames after frame t's window began,
	 * + 2 for the rounding of the rates */
	win_frames = (size_t)ceil((double)g->window * g->sample_rate / g->rate);
	hold = (size_t)ceil((double)vad_holdback(g->vad) * g->sample_rate / g->rate);
	g->latency = win_frames + hold + g->attack_frames + 2;
	g->cap_probs = vad_max_windows_any(g->vad, BLOCK) + 1;
	/* decisions ahead of the output: the line and one block, in windows */
	g->n_open = (g->latency + BLOCK) / (win_frames ? win_frames : 1) + 8;
	g->line = calloc(g->latency * (size_t)g->channels, sizeof(float));
	g->probs = calloc(g->cap_probs, sizeof(float));
	g->open = calloc(g->n_open, 1);
	if (!g->line || !g->probs || !g->open) {
		snprintf(err, err_len, "out of memory");
		return GRT_E_NOMEM;
	}
	return GTCRN_OK;
}

int gtcrn_gate_create(const gtcrn_vad_model *m, const gtcrn_vad_opts *vo,
                      const gtcrn_gate_opts *go, int channels, gtcrn_gate **out, char *err,
                      size_t err_len)
{
	gtcrn_vad_opts vdef;
	gtcrn_gate_opts gdef;
	gtcrn_gate *g;
	int rc;

	if (!m || !out) {
		snprintf(err, err_len, "gtcrn_gate_create: NULL argument");
		return GRT_E_ARG;
	}
	*out = NULL;
	if (vo)
		vdef = *vo;
	else
		gtcrn_vad_opts_init(&vdef);
	/* The gate's VAD resamples at GATE_RESAMPLE_QUALITY unless told: a
	 * decision per window, held by the hangover, needs less than segment
	 * times do, and the resampler is most of the gate's cost at 44.1 and
	 * 48 kHz. On mix.wav at 48 kHz, quality 4 changes 5 of the 305 window
	 * decisions at 0.5 against the 16 kHz original (8: 2), and the gate
	 * costs 15-21% of the enhancement's CPU time, not 25-29% at 6
	 * (docs/PERFORMANCE.md) */
	if (vdef.resample_quality < 0)
		vdef.resample_quality = GATE_RESAMPLE_QUALITY;
	vo = &vdef;
	if (!go) {
		gtcrn_gate_opts_init(&gdef);
		go = &gdef;
	}
	if ((rc = gate_opts_check(go, channels, err, err_len)))
		return rc;
	if (!(g = calloc(1, sizeof(*g)))) {
		snprintf(err, err_len, "out of memory");
		return GRT_E_NOMEM;
	}
	g->channels = channels;
	if ((rc = gtcrn_vad_create(m, vo, &g->vad, err, err_len)) ||
	    (rc = gate_init(g, vo, go, err, err_len))) {
		gtcrn_gate_free(g);
		return rc;
	}
	gtcrn_gate_reset(g);
	*out = g;
	return GTCRN_OK;
}

void gtcrn_gate_free(gtcrn_gate *g)
{
	if (!g)
		return;
	gtcrn_vad_free(g->vad);
	free(g->line);
	free(g->probs);
	free(g->open);
	free(g);
}

static void set_gain_db(gtcrn_gate *g, float db)
{
	g->gain_db = db;
	g->gain = db >= 0 ? 1.0f : powf(10.0f, db / 20.0f);
}

int gtcrn_gate_reset(gtcrn_gate *g)
{
	if (!g)
		return GRT_E_ARG;
	memset(g->line, 0, sizeof(float) * g->latency * (size_t)g->channels);
	memset(g->open, 0, g->n_open);
	g->pos = 0;
	g->n_in = 0;
	g->decided = 0;
	g->look_w = g->look_end = 0;
	speech_rule_reset(&g->rule);
	g->hang_until = 0;
	g->depth_db = g->depth_set;
	set_gain_db(g, -g->depth_db);          /* closed until speech is found */
	if (gtcrn_vad_reset(g->vad)) {
		snprintf(g->errmsg, sizeof(g->errmsg), "VAD reset failed");
		return GTCRN_E_RESAMPLE;
	}
	return GTCRN_OK;
}

/* The start / end rule on window `decided`, then the hangover. */
static void decide(gtcrn_gate *g, float p)
{
	uint64_t w = g->decided;
	long long end;

	if (speech_rule_step(&g->rule, p, (long long)(g->window * w), &end) == RULE_END)
		g->hang_until = w + g->hang_windows;
	g->open[w % g->n_open] = g->rule.triggered || w < g->hang_until;
	g->decided++;
}

/* The gain for frame t of the stream: the target is 0 dB if the window
 * holding frame t + attack is speech, else -depth; the gain moves to it by
 * at most a full ramp's step per frame, the depth by a release's. */
static void next_gain(gtcrn_gate *g, uint64_t t)
{
	uint64_t look = t + g->attack_frames, w;
	int open;
	float target, range, db = g->gain_db;

	if (look >= g->look_end) {
		/* frame look is at model sample look * rate / sample_rate; the
		 * window ends at the first frame that reaches window * (w + 1) */
		uint64_t sr = (uint64_t)g->sample_rate, r = (uint64_t)g->rate;
		g->look_w = look * r / sr / g->window;
		g->look_end = ((g->look_w + 1) * g->window * sr + r - 1) / r;
	}
	w = g->look_w;
	open = w < g->decided ? g->open[w % g->n_open] : 0;

	if (g->depth_db != g->depth_set) {
		float step = g->release_step * fmaxf(g->depth_db, g->depth_set);
		if (step == 0 || fabsf(g->depth_set - g->depth_db) <= step)
			g->depth_db = g->depth_set;
		else
			g->depth_db += g->depth_set > g->depth_db ? step : -step;
	}
	target = open ? 0.0f : -g->depth_db;
	if (db == target)
		return;
	range = fmaxf(g->depth_db, -db);           /* a ramp spans the larger of the two */
	if (db < target) {
		float step = g->attack_step * range;
		db = step == 0 || target - db <= step ? target : db + step;
	} else {
		float step = g->release_step * range;
		db = step == 0 || db - target <= step ? target : db - step;
	}
	set_gain_db(g, db);
}

/* The VAD over one block: the channels' mean, then a decision per window. */
static int analyse(gtcrn_gate *g, const float *in, size_t n)
{
	size_t np = 0;
	int ch = g->channels, rc;

	for (size_t i = 0; i < n; i++) {
		float sum = 0;
		for (int c = 0; c < ch; c++)
			sum += in[i * (size_t)ch + (size_t)c];
		g->mono[i] = ch == 1 ? sum : sum / (float)ch;
	}
	if ((rc = gtcrn_vad_process(g->vad, g->mono, n, g->probs, &np))) {
		snprintf(g->errmsg, sizeof(g->errmsg), "VAD: %s", gtcrn_vad_errmsg(g->vad));
		return rc;
	}
	for (size_t k = 0; k < np; k++)
		decide(g, g->probs[k]);
	return GTCRN_OK;
}

/* The frames from t on that keep frame t's gain: while the gain sits at its
 * target with the depth settled, it changes only when the frame it looks at
 * (t + attack) enters another window. 1 while it moves. */
static uint64_t steady_frames(const gtcrn_gate *g, uint64_t t)
{
	int open = g->look_w < g->decided ? g->open[g->look_w % g->n_open] : 0;
	float target = open ? 0.0f : -g->depth_db;

	if (g->gain_db != target || g->depth_db != g->depth_set)
		return 1;
	return g->look_end - g->attack_frames - t;   /* >= 1: next_gain moved look_end past */
}

/* n frames through the delay line, the leaving ones times the gain (worked
 * out per frame only where it may change). */
static void emit(gtcrn_gate *g, const float *in, float *out, size_t n)
{
	size_t ch = (size_t)g->channels;

	for (size_t i = 0; i < n;) {
		uint64_t run = 1;
		if (g->n_in >= g->latency) {
			next_gain(g, g->n_in - g->latency);
			run = steady_frames(g, g->n_in - g->latency);
		}
		if (run > n - i)
			run = n - i;
		for (size_t end = i + (size_t)run; i < end; i++) {
			float *slot = g->line + g->pos * ch;
			for (size_t c = 0; c < ch; c++) {
				float x = in[i * ch + c];          /* in and out may be one buffer */
				out[i * ch + c] = slot[c] * g->gain;
				slot[c] = x;
			}
			if (++g->pos == g->latency)
				g->pos = 0;
			g->n_in++;
		}
	}
}

int gtcrn_gate_process(gtcrn_gate *g, const float *in, float *out, size_t n)
{
	int rc;

	if (!g || (n && (!in || !out)))
		return GRT_E_ARG;
	for (size_t done = 0; done < n; done += BLOCK) {
		size_t k = n - done < BLOCK ? n - done : BLOCK;
		size_t off = done * (size_t)g->channels;
		if ((rc = analyse(g, in + off, k)))
			return rc;
		emit(g, in + off, out + off, k);
	}
	return GTCRN_OK;
}

int gtcrn_gate_flush(gtcrn_gate *g, float *out)
{
	size_t ch;

	if (!g || !out)
		return GRT_E_ARG;
	ch = (size_t)g->channels;
	for (size_t i = 0; i < g->latency; i++) {
		const float *slot = g->line + ((g->pos + i) % g->latency) * ch;
		for (size_t c = 0; c < ch; c++)
			out[i * ch + c] = slot[c] * g->gain;
	}
	return gtcrn_gate_reset(g);
}

size_t gtcrn_gate_latency(const gtcrn_gate *g)
{
	return g ? g->latency : 0;
}

int gtcrn_gate_set_depth(gtcrn_gate *g, float db)
{
	if (!g || !(db >= 0 && db <= 200))
		return GRT_E_ARG;
	g->depth_set = db;
	return GTCRN_OK;
}

float gtcrn_gate_gain(const gtcrn_gate *g)
{
	return g ? g->gain : 0.0f;
}

const char *gtcrn_gate_errmsg(const gtcrn_gate *g)
{
	return g ? g->errmsg : "no gate";
}

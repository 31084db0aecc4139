/* segment.c - speech segments from VAD probabilities: Silero's
 * get_speech_timestamps (utils_vad.py, v5, no maximum speech length) made
 * streaming. The start / end rule runs window by window as in the batch
 * loop; the padding pass, which needs each segment's neighbours, is done as
 * soon as they are known: a segment's start when it is kept (the previous
 * segment's end is known), its end once no later start can come within
 * twice the padding of it. Positions are samples at the model's rate, as
 * integers where Silero has them and as doubles where it has floats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enhance/internal.h"

#define QUEUE 4              /* final segments not yet returned (at most 2 happen) */

struct gtcrn_segmenter {
	long long window;           /* samples per window at rate */
	int rate;                   /* Hz */
	struct speech_rule rule;    /* its start is the raw start of the open segment */
	double min_speech, pad;     /* samples, as Silero's floats */
	long long i;                /* windows pushed */
	int have_prev;
	long long prev_end;         /* raw end of the last kept segment */
	int pending;                /* a kept segment whose end waits for the next start */
	long long p_start, p_end;   /* its final start, its raw end */
	gtcrn_segment queue[QUEUE]; /* final, not yet returned */
	int q_head, q_n;
};

int gtcrn_segmenter_create(const gtcrn_vad_opts *o, size_t window, int rate,
                           gtcrn_segmenter **out, char *err, size_t err_len)
{
	gtcrn_vad_opts def;
	gtcrn_segmenter *s;
	int rc;

	if (!out) {
		snprintf(err, err_len, "gtcrn_segmenter_create: out is NULL");
		return GRT_E_ARG;
	}
	*out = NULL;
	if (!o) {
		gtcrn_vad_opts_init(&def);
		o = &def;
	}
	if ((rc = vad_opts_check(o, err, err_len)))
		return rc;
	if (window < 1 || window > 1u << 20 || rate < 1000 || rate > 768000) {
		snprintf(err, err_len, "gtcrn_segmenter_create: window %zu samples at %d Hz: the "
		         "window must be 1..1048576, the rate 1000..768000", window, rate);
		return GRT_E_ARG;
	}
	if (!(s = calloc(1, sizeof(*s)))) {
		snprintf(err, err_len, "out of memory");
		return GRT_E_NOMEM;
	}
	s->window = (long long)window;
	s->rate = rate;
	speech_rule_init(&s->rule, o, rate);
	s->min_speech = (double)rate * o->min_speech_ms / 1000;
	s->pad = (double)rate * o->speech_pad_ms / 1000;
	*out = s;
	return GTCRN_OK;
}

void gtcrn_segmenter_free(gtcrn_segmenter *s)
{
	free(s);
}

void gtcrn_segmenter_reset(gtcrn_segmenter *s)
{
	if (!s)
		return;
	s->i = 0;
	speech_rule_reset(&s->rule);
	s->have_prev = 0;
	s->prev_end = 0;
	s->pending = 0;
	s->q_head = s->q_n = 0;
}

static void enqueue(gtcrn_segmenter *s, long long start, long long end)
{
	gtcrn_segment *q = &s->queue[(s->q_head + s->q_n) % QUEUE];

	q->start = (double)start / s->rate;
	q->end = (double)end / s->rate;
	if (s->q_n < QUEUE)
		s->q_n++;
}

/* int(max(0, x)) of Silero's padding pass */
static long long clamp0(double x)
{
	return x > 0 ? (long long)x : 0;
}

/* The pending segment's end, now that the next kept start is next_start. */
static void close_pending(gtcrn_segmenter *s, long long next_start)
{
	long long gap = next_start - s->p_end;

	if (gap < 2 * s->pad)
		enqueue(s, s->p_start, s->p_end + gap / 2);
	else
		enqueue(s, s->p_start, (long long)(s->p_end + s->pad));
	s->pending = 0;
}

/* A kept segment (raw start and end): its start is final now. */
static void keep(gtcrn_segmenter *s, long long start, long long end)
{
	long long gap = start - s->prev_end, first;

	if (s->pending)
		close_pending(s, start);
	if (s->have_prev && gap < 2 * s->pad)
		first = clamp0((double)(start - gap / 2));
	else
		first = clamp0(start - s->pad);
	s->pending = 1;
	s->p_start = first;
	s->p_end = end;
	s->have_prev = 1;
	s->prev_end = end;
}

/* Whether the open segment will be kept whatever comes: its end can be no
 * earlier than the quiet window found (or the next window). */
static int open_is_kept(const gtcrn_segmenter *s)
{
	long long earliest = s->rule.temp_end ? s->rule.temp_end : s->window * s->i;
	return earliest - s->rule.start > s->min_speech;
}

/* The pending segment's end is final when the next start is known or can
 * be no nearer than twice the padding (then audio_len >= end + pad too). */
static void settle_pending(gtcrn_segmenter *s)
{
	if (!s->pending)
		return;
	if (!s->rule.triggered) {
		if (s->window * s->i - s->p_end >= 2 * s->pad) {
			enqueue(s, s->p_start, (long long)(s->p_end + s->pad));
			s->pending = 0;
		}
	} else if (s->rule.start - s->p_end >= 2 * s->pad || open_is_kept(s)) {
		close_pending(s, s->rule.start);
	}
}

void speech_rule_init(struct speech_rule *r, const gtcrn_vad_opts *o, int rate)
{
	r->threshold = o->threshold;
	r->neg_threshold = vad_neg_threshold(o);
	r->min_silence = (double)rate * o->min_silence_ms / 1000;
	speech_rule_reset(r);
}

void speech_rule_reset(struct speech_rule *r)
{
	r->triggered = 0;
	r->start = r->temp_end = 0;
}

/* get_speech_timestamps' loop body */
int speech_rule_step(struct speech_rule *r, float p, long long pos, long long *end)
{
	if (p >= r->threshold && r->temp_end)
		r->temp_end = 0;
	if (p >= r->threshold && !r->triggered) {
		r->triggered = 1;
		r->start = pos;
		return RULE_START;
	}
	if (p < r->neg_threshold && r->triggered) {
		if (!r->temp_end)
			r->temp_end = pos;
		if (pos - r->temp_end < r->min_silence)
			return RULE_NONE;
		*end = r->temp_end;
		r->temp_end = 0;
		r->triggered = 0;
		return RULE_END;
	}
	return RULE_NONE;
}

static int pop(gtcrn_segmenter *s, gtcrn_segment *seg)
{
	if (!s->q_n)
		return 0;
	if (seg)
		*seg = s->queue[s->q_head];
	s->q_head = (s->q_head + 1) % QUEUE;
	s->q_n--;
	return 1;
}

int gtcrn_segmenter_push(gtcrn_segmenter *s, float prob, gtcrn_segment *seg)
{
	long long end;

	if (!s)
		return 0;
	if (speech_rule_step(&s->rule, prob, s->window * s->i, &end) == RULE_END &&
	    end - s->rule.start > s->min_speech)
		keep(s, s->rule.start, end);
	s->i++;
	settle_pending(s);
	return pop(s, seg);
}

int gtcrn_segmenter_finish(gtcrn_segmenter *s, double length_s, gtcrn_segment seg[2])
{
	long long audio_len;
	int n = 0;

	if (!s)
		return 0;
	audio_len = length_s > 0 ? (long long)(length_s * s->rate + 0.5) : 0;
	if (s->rule.triggered && audio_len - s->rule.start > s->min_speech)
		keep(s, s->rule.start, audio_len);
	if (s->pending) {
		double end = s->p_end + s->pad < (double)audio_len ? s->p_end + s->pad
		                                                   : (double)audio_len;
		enqueue(s, s->p_start, (long long)end);
		s->pending = 0;
	}
	while (n < 2 && pop(s, seg ? &seg[n] : NULL))
		n++;
	gtcrn_segmenter_reset(s);
	return n;
}

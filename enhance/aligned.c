/* aligned.c - a whole signal enhanced block by block with the latency
 * removed: one streaming state per channel of interleaved audio, the first
 * gtcrn_latency() samples of each channel dropped and the flush's tail
 * trimmed, so the output lines up with the input and has its length.
 * gtcrn_enhance (offline.c) runs streaming models through it too. */
#include <stdio.h>
#include <stdlib.h>
#include "enhance/internal.h"

#define CHUNK 1024           /* frames deinterleaved per step */

struct gtcrn_aligned {
	int channels;
	gtcrn_state **st;           /* [channels] */
	size_t latency;             /* samples per channel, at the caller's rate */
	size_t skip;                /* leading output samples per channel still to drop */
	float *chan;                /* [CHUNK] one channel of a step, processed in place */
	float *tail;                /* [channels][latency] the flushed tails */
	char errmsg[320];
};

int gtcrn_aligned_create(const gtcrn_model *m, const gtcrn_opts *o, int channels,
                         gtcrn_aligned **out, char *err, size_t err_len)
{
	gtcrn_aligned *a;
	int rc = GRT_E_NOMEM;

	if (!m || !out || channels < 1) {
		snprintf(err, err_len, "gtcrn_aligned_create: %s",
		         channels < 1 ? "channels < 1" : "NULL argument");
		return GRT_E_ARG;
	}
	*out = NULL;
	if (!(a = calloc(1, sizeof(*a))) || !(a->st = calloc((size_t)channels, sizeof(*a->st))))
		goto fail;
	a->channels = channels;
	for (int ch = 0; ch < channels; ch++)
		if ((rc = gtcrn_state_create(m, o, &a->st[ch], err, err_len)))
			goto fail;
	a->latency = a->skip = gtcrn_latency(a->st[0]);
	rc = GRT_E_NOMEM;
	if (!(a->chan = malloc(CHUNK * sizeof(float))) ||
	    !(a->tail = malloc((a->latency + 1) * (size_t)channels * sizeof(float))))
		goto fail;
	*out = a;
	return GTCRN_OK;
fail:
	if (rc == GRT_E_NOMEM)
		snprintf(err, err_len, "out of memory");
	gtcrn_aligned_free(a);
	return rc;
}

void gtcrn_aligned_free(gtcrn_aligned *a)
{
	if (!a)
		return;
	for (int ch = 0; a->st && ch < a->channels; ch++)
		gtcrn_state_free(a->st[ch]);
	free(a->st);
	free(a->chan);
	free(a->tail);
	free(a);
}

static int channel_failed(gtcrn_aligned *a, int ch, int rc)
{
	snprintf(a->errmsg, sizeof(a->errmsg), "channel %d: %s", ch, gtcrn_state_errmsg(a->st[ch]));
	return rc;
}

int gtcrn_aligned_process(gtcrn_aligned *a, const float *in, size_t n, float *out,
                          size_t *n_out)
{
	const size_t C = a ? (size_t)a->channels : 0;
	size_t done = 0, w = 0;     /* frames read, frames written */
	int rc;

	if (n_out)
		*n_out = 0;
	if (!a || !n_out || (n && (!in || !out)))
		return GRT_E_ARG;
	while (done < n) {
		size_t k = n - done < CHUNK ? n - done : CHUNK, d = a->skip < k ? a->skip : k;
		/* frame done + i goes to w + i - d: never past a frame still to read */
		for (size_t ch = 0; ch < C; ch++) {
			for (size_t i = 0; i < k; i++)
				a->chan[i] = in[(done + i) * C + ch];
			if ((rc = gtcrn_process(a->st[ch], a->chan, a->chan, k)))
				return channel_failed(a, (int)ch, rc);
			for (size_t i = d; i < k; i++)
				out[(w + i - d) * C + ch] = a->chan[i];
		}
		a->skip -= d;
		done += k;
		w += k - d;
	}
	*n_out = w;
	return GTCRN_OK;
}

int gtcrn_aligned_flush(gtcrn_aligned *a, float *out, size_t *n_out)
{
	size_t C, lat, d, k;
	int rc;

	if (n_out)
		*n_out = 0;
	if (!a || !n_out)
		return GRT_E_ARG;
	C = (size_t)a->channels;
	lat = a->latency;
	/* the tail: the last lat samples of each channel, less what is still to
	 * skip when the stream was shorter than the latency */
	d = a->skip < lat ? a->skip : lat;
	k = lat - d;
	if (k && !out)
		return GRT_E_ARG;
	for (size_t ch = 0; ch < C; ch++)
		if ((rc = gtcrn_flush(a->st[ch], a->tail + ch * lat)))
			return channel_failed(a, (int)ch, rc);
	for (size_t i = 0; i < k; i++)
		for (size_t ch = 0; ch < C; ch++)
			out[i * C + ch] = a->tail[ch * lat + d + i];
	a->skip = lat;               /* the states are reset: a new stream */
	*n_out = k;
	return GTCRN_OK;
}

gtcrn_state *gtcrn_aligned_state(gtcrn_aligned *a, int ch)
{
	return a && ch >= 0 && ch < a->channels ? a->st[ch] : NULL;
}

const char *gtcrn_aligned_errmsg(const gtcrn_aligned *a)
{
	return a ? a->errmsg : "no aligned stream";
}

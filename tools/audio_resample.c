/* audio_resample.c - audio_resample.h on speexdsp's resampler (windowed sinc
 * over the exact rational ratio). Started with speex_resampler_skip_zeros,
 * its output is time-aligned; at the end, zeros pushed through the filter
 * bring out the frames it holds back. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <speex/speex_resampler.h>
#include "tools/audio_resample.h"

struct audio_resampler {
	SpeexResamplerState *st;
	int channels;
	spx_uint32_t num, den;      /* in_hz : out_hz, reduced */
	uint64_t n_in, n_out;       /* frames taken and made so far */
	float *zeros;               /* [zeros_frames * channels] fed at the end */
	size_t zeros_frames;
};

int audio_resampler_new(int channels, int in_hz, int out_hz, int quality,
                        struct audio_resampler **out, char *err, size_t err_len)
{
	struct audio_resampler *r = calloc(1, sizeof(*r));
	int e = 0;

	*out = NULL;
	if (!r) {
		snprintf(err, err_len, "out of memory");
		return -1;
	}
	if (quality < 0)
		quality = AUDIO_RESAMPLE_QUALITY;
	r->channels = channels;
	r->st = speex_resampler_init((spx_uint32_t)channels, (spx_uint32_t)in_hz,
	                             (spx_uint32_t)out_hz, quality, &e);
	if (!r->st) {
		snprintf(err, err_len, "%d Hz -> %d Hz: %s", in_hz, out_hz,
		         speex_resampler_strerror(e));
		free(r);
		return -1;
	}
	speex_resampler_get_ratio(r->st, &r->num, &r->den);
	speex_resampler_skip_zeros(r->st);
	/* enough zeros to push out the input the filter holds back */
	r->zeros_frames = (size_t)speex_resampler_get_input_latency(r->st) + r->num / r->den + 2;
	r->zeros = calloc(r->zeros_frames * (size_t)channels, sizeof(float));
	if (!r->zeros) {
		snprintf(err, err_len, "out of memory");
		audio_resampler_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

/* One call to speexdsp (lengths clamped to its 32-bit counts). */
static int step(struct audio_resampler *r, const float *in, size_t n_in, float *out,
                size_t max_out, size_t *used, size_t *made)
{
	spx_uint32_t il = n_in > UINT_MAX ? UINT_MAX : (spx_uint32_t)n_in;
	spx_uint32_t ol = max_out > UINT_MAX ? UINT_MAX : (spx_uint32_t)max_out;

	if (speex_resampler_process_interleaved_float(r->st, in, &il, out, &ol) !=
	    RESAMPLER_ERR_SUCCESS)
		return -1;
	*used = il;
	*made = ol;
	r->n_out += ol;
	return 0;
}

int audio_resampler_run(struct audio_resampler *r, const float *in, size_t n_in, size_t *used,
                        float *out, size_t max_out, size_t *n_out, int end, char *err,
                        size_t err_len)
{
	size_t zused;

	*used = *n_out = 0;
	if (n_in && step(r, in, n_in, out, max_out, used, n_out))
		goto fail;
	r->n_in += *used;
	if (end && *used == n_in && *n_out == 0) {
		/* the stream has ceil(n_in * out_hz / in_hz) frames */
		uint64_t want = (r->n_in * r->den + r->num - 1) / r->num;
		if (r->n_out < want) {
			size_t room = want - r->n_out < max_out ? (size_t)(want - r->n_out) : max_out;
			if (step(r, r->zeros, r->zeros_frames, out, room, &zused, n_out))
				goto fail;
		}
	}
	return 0;
fail:
	snprintf(err, err_len, "speexdsp resampler failed");
	return -1;
}

void audio_resampler_free(struct audio_resampler *r)
{
	if (!r)
		return;
	if (r->st)
		speex_resampler_destroy(r->st);
	free(r->zeros);
	free(r);
}

int audio_resample_whole(const float *in, size_t n, int in_hz, int out_hz, float *out,
                         size_t max_out, size_t *n_out, char *err, size_t err_len)
{
	struct audio_resampler *r;
	size_t used, made, done = 0;
	int rc;

	if (audio_resampler_new(1, in_hz, out_hz, SPEEX_RESAMPLER_QUALITY_MAX, &r, err, err_len))
		return -1;
	rc = audio_resampler_run(r, in, n, &used, out, max_out, &made, 1, err, err_len);
	for (done = made; !rc && made && done < max_out; done += made)
		rc = audio_resampler_run(r, NULL, 0, &used, out + done, max_out - done, &made, 1, err,
		                         err_len);
	audio_resampler_free(r);
	*n_out = done;
	return rc ? -1 : 0;
}

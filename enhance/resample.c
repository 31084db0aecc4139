/* resample.c - sample-rate conversion with speexdsp's resampler (windowed
 * sinc FIR over the exact rational ratio, SIMD inner products). Started
 * with speex_resampler_skip_zeros, its output is time-aligned (output sample
 * k is input time k * in_hz / out_hz) and it holds back exactly half its
 * filter whatever the chunking, which the streaming state's fixed latency
 * relies on; the samples do not depend on the chunking either. */
#include <limits.h>
#include <stdio.h>
#include "enhance/internal.h"

/* Zeros fed at the end of a stream, to push out the held-back samples. */
#define FLUSH_ROUNDS 4

int resampler_init(struct resampler *r, int in_hz, int out_hz, int quality, char *err,
                   size_t err_len)
{
	int e = 0;
	spx_uint32_t num, den;

	r->st = NULL;
	r->num = r->den = 1;
	r->n_in = r->n_out = 0;
	r->holdback = 0;
	if (quality < 0)
		quality = RESAMPLE_QUALITY_DEFAULT;
	if (quality > SPEEX_RESAMPLER_QUALITY_MAX) {
		snprintf(err, err_len, "resample quality %d out of range 0..%d", quality,
		         SPEEX_RESAMPLER_QUALITY_MAX);
		return GRT_E_ARG;
	}
	if (in_hz <= 0 || out_hz <= 0) {
		snprintf(err, err_len, "resampling %d Hz -> %d Hz: rates must be positive", in_hz,
		         out_hz);
		return GTCRN_E_RESAMPLE;
	}
	r->st = speex_resampler_init(1, (spx_uint32_t)in_hz, (spx_uint32_t)out_hz, quality, &e);
	if (!r->st) {
		snprintf(err, err_len, "speexdsp resampler %d Hz -> %d Hz: %s", in_hz, out_hz,
		         speex_resampler_strerror(e));
		return GTCRN_E_RESAMPLE;
	}
	speex_resampler_get_ratio(r->st, &num, &den);   /* in_hz : out_hz, reduced */
	r->num = num;
	r->den = den;
	/* output k needs input up to k * num / den + half the filter: after the
	 * input latency, rounding up, and one sample for the fractional phase */
	r->holdback = (size_t)speex_resampler_get_output_latency(r->st) + 2;
	speex_resampler_skip_zeros(r->st);
	return GTCRN_OK;
}

void resampler_free(struct resampler *r)
{
	if (r->st)
		speex_resampler_destroy(r->st);
	r->st = NULL;
}

int resampler_reset(struct resampler *r)
{
	r->n_in = r->n_out = 0;
	if (speex_resampler_reset_mem(r->st) != RESAMPLER_ERR_SUCCESS ||
	    speex_resampler_skip_zeros(r->st) != RESAMPLER_ERR_SUCCESS)
		return GTCRN_E_RESAMPLE;
	return GTCRN_OK;
}

/* One call to speexdsp; in = NULL feeds zeros. */
static int step(struct resampler *r, const float *in, size_t n_in, float *out, size_t max_out,
                size_t *used, size_t *made)
{
	spx_uint32_t il = n_in > UINT_MAX ? UINT_MAX : (spx_uint32_t)n_in;
	spx_uint32_t ol = max_out > UINT_MAX ? UINT_MAX : (spx_uint32_t)max_out;

	if (speex_resampler_process_float(r->st, 0, in, &il, out, &ol) != RESAMPLER_ERR_SUCCESS)
		return GTCRN_E_RESAMPLE;
	*used = il;
	*made = ol;
	r->n_out += ol;
	return GTCRN_OK;
}

int resampler_run(struct resampler *r, const float *in, size_t n_in, float *out,
                  size_t max_out, size_t *n_out, int end)
{
	size_t done_in = 0, done_out = 0, used, made;

	*n_out = 0;
	while (done_in < n_in) {
		if (step(r, in + done_in, n_in - done_in, out + done_out, max_out - done_out, &used,
		         &made))
			return GTCRN_E_RESAMPLE;
		done_in += used;
		done_out += made;
		if (used == 0 && made == 0)
			break;                              /* out is full */
	}
	r->n_in += done_in;
	if (end && done_in == n_in) {
		/* the stream has ceil(n_in * out_hz / in_hz) samples: feed zeros
		 * through the filter until they are out (unless out is full) */
		uint64_t want = (r->n_in * r->den + r->num - 1) / r->num;
		size_t zeros = (size_t)speex_resampler_get_input_latency(r->st) + r->num / r->den + 2;
		for (int k = 0; k < FLUSH_ROUNDS && r->n_out < want && done_out < max_out; k++) {
			size_t room = max_out - done_out;
			if (want - r->n_out < room)
				room = (size_t)(want - r->n_out);
			if (step(r, NULL, zeros, out + done_out, room, &used, &made))
				return GTCRN_E_RESAMPLE;
			done_out += made;
		}
	}
	*n_out = done_out;
	return done_in == n_in ? GTCRN_OK : GTCRN_E_RESAMPLE;
}

size_t resampler_holdback(const struct resampler *r)
{
	return r->holdback;
}

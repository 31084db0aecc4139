/* resample.c - sample-rate conversion with libsamplerate (sinc converters).
 * Its streams are time-aligned (output sample k is input time k / ratio) and
 * give the same samples whatever the chunking, which the streaming state's
 * fixed latency relies on. */
#include <math.h>
#include <stdio.h>
#include "enhance/internal.h"

int resampler_init(struct resampler *r, double ratio, int quality, char *err, size_t err_len)
{
	int e = 0;

	r->ratio = ratio;
	r->src = NULL;
	if (!src_is_valid_ratio(ratio)) {
		snprintf(err, err_len, "resampling ratio %g is out of range", ratio);
		return GTCRN_E_RESAMPLE;
	}
	r->src = src_new(quality, 1, &e);
	if (!r->src) {
		snprintf(err, err_len, "libsamplerate: %s", src_strerror(e));
		return GTCRN_E_RESAMPLE;
	}
	return GTCRN_OK;
}

void resampler_free(struct resampler *r)
{
	if (r->src)
		src_delete(r->src);
	r->src = NULL;
}

int resampler_reset(struct resampler *r)
{
	return src_reset(r->src) ? GTCRN_E_RESAMPLE : GTCRN_OK;
}

int resampler_run(struct resampler *r, const float *in, size_t n_in, float *out,
                  size_t max_out, size_t *n_out, int end)
{
	size_t done_in = 0, done_out = 0;

	for (;;) {
		SRC_DATA d;
		d.data_in = in + done_in;
		d.data_out = out + done_out;
		d.input_frames = (long)(n_in - done_in);
		d.output_frames = (long)(max_out - done_out);
		d.end_of_input = end;
		d.src_ratio = r->ratio;
		if (src_process(r->src, &d))
			return GTCRN_E_RESAMPLE;
		done_in += (size_t)d.input_frames_used;
		done_out += (size_t)d.output_frames_gen;
		if (done_in == n_in && (!end || d.output_frames_gen == 0))
			break;
		if (done_out == max_out || (d.input_frames_used == 0 && d.output_frames_gen == 0))
			break;
	}
	*n_out = done_out;
	return done_in == n_in ? GTCRN_OK : GTCRN_E_RESAMPLE;
}

/* Measured for libsamplerate 0.2 over random chunkings: the samples held
 * back, counted at the 16 kHz side, stay below 144 (best), 47 (medium) and
 * 20 (fastest) times max(1, out/in); doubled here for margin. */
size_t resampler_holdback(double ratio, int quality)
{
	double h = quality == SRC_SINC_BEST_QUALITY ? 144 : quality == SRC_SINC_FASTEST ? 20 : 47;

	return (size_t)ceil(2 * h * (ratio > 1 ? ratio : 1)) + 4;
}

/* audio_resample.c - audio_resample.h on libsamplerate: sinc filters,
 * medium quality for streams (--out-rate), best for whole signals. */
#include <stdio.h>
#include <stdlib.h>
#include <samplerate.h>
#include "tools/audio_resample.h"

struct audio_resampler {
	SRC_STATE *src;
	double ratio;               /* out rate / in rate */
};

int audio_resampler_new(int channels, double ratio, struct audio_resampler **out, char *err,
                        size_t err_len)
{
	struct audio_resampler *r = malloc(sizeof(*r));
	int e = 0;

	*out = NULL;
	if (!r) {
		snprintf(err, err_len, "out of memory");
		return -1;
	}
	r->ratio = ratio;
	if (!(r->src = src_new(SRC_SINC_MEDIUM_QUALITY, channels, &e))) {
		snprintf(err, err_len, "%s", src_strerror(e));
		free(r);
		return -1;
	}
	*out = r;
	return 0;
}

int audio_resampler_run(struct audio_resampler *r, const float *in, size_t n_in, size_t *used,
                        float *out, size_t max_out, size_t *n_out, int end, char *err,
                        size_t err_len)
{
	static const float none[1];        /* a pointer even for no input */
	SRC_DATA d = { .data_in = n_in ? in : none, .input_frames = (long)n_in, .data_out = out,
	               .output_frames = (long)max_out, .end_of_input = end, .src_ratio = r->ratio };
	int e = src_process(r->src, &d);

	*used = (size_t)d.input_frames_used;
	*n_out = (size_t)d.output_frames_gen;
	if (e) {
		snprintf(err, err_len, "%s", src_strerror(e));
		return -1;
	}
	return 0;
}

void audio_resampler_free(struct audio_resampler *r)
{
	if (!r)
		return;
	src_delete(r->src);
	free(r);
}

int audio_resample_whole(const float *in, size_t n, double ratio, float *out, size_t max_out,
                         size_t *n_out, char *err, size_t err_len)
{
	SRC_DATA d = { .data_in = in, .input_frames = (long)n, .data_out = out,
	               .output_frames = (long)max_out, .src_ratio = ratio };
	int e = src_simple(&d, SRC_SINC_BEST_QUALITY, 1);

	*n_out = (size_t)d.output_frames_gen;
	if (e) {
		snprintf(err, err_len, "%s", src_strerror(e));
		return -1;
	}
	return 0;
}

/* audio_resample.h - the resampler of gtcrn-run's --out-rate and of
 * grt-bench's input, in one place (libsamplerate today): to change the
 * library, change audio_resample.c alone. Frames are interleaved floats. */
#ifndef AUDIO_RESAMPLE_H
#define AUDIO_RESAMPLE_H

#include <stddef.h>

struct audio_resampler;

/* A stream of `channels` channels, out rate / in rate = ratio. On failure
 * the reason (no message prefix) is in err. */
int audio_resampler_new(int channels, double ratio, struct audio_resampler **out, char *err,
                        size_t err_len);
/* Converts from in[n_in frames] (*used of them taken) into out (at most
 * max_out frames; *n_out made). end = 1: no more input after in, drain
 * the filter. 0 on success, else -1 with the reason in err. */
int audio_resampler_run(struct audio_resampler *r, const float *in, size_t n_in, size_t *used,
                        float *out, size_t max_out, size_t *n_out, int end, char *err,
                        size_t err_len);
void audio_resampler_free(struct audio_resampler *r);        /* accepts NULL */

/* A whole mono signal in one call, at the best quality (grt-bench's input):
 * out has room for max_out samples, *n_out are made. 0, or -1 with the
 * reason in err. */
int audio_resample_whole(const float *in, size_t n, double ratio, float *out, size_t max_out,
                         size_t *n_out, char *err, size_t err_len);

#endif

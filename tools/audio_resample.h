/* audio_resample.h - the resampler of gtcrn-run's --out-rate and of
 * grt-bench's input, in one place: speexdsp, the library the enhancer uses
 * too (chosen by measurement, docs/RESAMPLING.md), so one resampler library
 * is linked. Frames are interleaved floats; the output is time-aligned with
 * the input (output frame k is input time k * in_hz / out_hz). */
#ifndef AUDIO_RESAMPLE_H
#define AUDIO_RESAMPLE_H

#include <stddef.h>

/* speexdsp's quality (0..10) when none is given: the enhancer's default */
#define AUDIO_RESAMPLE_QUALITY 8

struct audio_resampler;

/* A stream of `channels` channels from in_hz to out_hz at quality 0..10
 * (-1: AUDIO_RESAMPLE_QUALITY). On failure the reason (no message prefix)
 * is in err. */
int audio_resampler_new(int channels, int in_hz, int out_hz, int quality,
                        struct audio_resampler **out, char *err, size_t err_len);
/* Converts from in[n_in frames] (*used of them taken) into out (at most
 * max_out frames; *n_out made). end = 1: no more input after in; the
 * filter is drained by successive calls until one makes no frame (the
 * stream then has ceil(frames in * out_hz / in_hz) frames). 0 on success,
 * else -1 with the reason in err. */
int audio_resampler_run(struct audio_resampler *r, const float *in, size_t n_in, size_t *used,
                        float *out, size_t max_out, size_t *n_out, int end, char *err,
                        size_t err_len);
void audio_resampler_free(struct audio_resampler *r);        /* accepts NULL */

/* A whole mono signal in one call, at the best quality (grt-bench's input):
 * out has room for max_out samples, *n_out are made. 0, or -1 with the
 * reason in err. */
int audio_resample_whole(const float *in, size_t n, int in_hz, int out_hz, float *out,
                         size_t max_out, size_t *n_out, char *err, size_t err_len);

#endif

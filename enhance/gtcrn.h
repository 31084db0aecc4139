/* gtcrn.h - speech enhancement with any GTCRN ONNX export, on top of the
 * grt runtime: STFT (FFTW3f), the network, iSTFT, resampling (speexdsp) to
 * and from any sample rate, dry/wet mix and an attenuation limit.
 *
 * Two ways to drive a model:
 *  - streaming (gtcrn_state): one state per channel; gtcrn_process() takes any
 *    number of samples and returns the same number, delayed by a fixed
 *    latency (gtcrn_latency()); gtcrn_flush() returns the tail. Output is
 *    bit-identical whatever the chunk sizes. Needs a streaming export (one
 *    STFT frame in, caches fed back from the matching outputs).
 *  - whole signals (gtcrn_enhance): the signal in one call, output aligned
 *    with the input (no latency). Works with offline exports (a dynamic time
 *    axis: one session run over all frames) and with streaming exports.
 *  - whole signals block by block (gtcrn_aligned): interleaved audio of any
 *    channel count pushed in blocks of any length, output aligned with the
 *    input and, after the flush, as long as it; streaming exports only.
 *
 * Threads: a gtcrn_model is immutable after load and may be shared by any
 * number of threads and states; a gtcrn_state is used by one thread at a time.
 * The library never prints, exits or aborts. Functions return GTCRN_OK (0) or
 * a negative status (the grt_status codes, plus the GTCRN_E_* below); those
 * that take (err, err_len) write a one-line message there.
 */
#ifndef GTCRN_H
#define GTCRN_H

#include <stddef.h>
#include "grt.h"   /* installed beside this header (include/gtcrn/) */

#ifdef __cplusplus
extern "C" {
#endif

#if defined(GTCRN_BUILDING) && defined(__GNUC__)
#define GTCRN_API __attribute__((visibility("default")))
#else
#define GTCRN_API
#endif

#define GTCRN_OK 0
#define GTCRN_E_NOT_GTCRN -100   /* the graph has neither GTCRN form */
#define GTCRN_E_KIND -101        /* streaming call on an offline model */
#define GTCRN_E_BUDGET -102      /* an offline plan would exceed the memory budget */
#define GTCRN_E_RESAMPLE -103    /* the resampler failed or the rate is unsupported */
#define GTCRN_E_METADATA -104    /* metadata_props give unusable STFT settings */

typedef enum gtcrn_kind {
	GTCRN_STREAMING = 1,    /* one frame per run, caches fed back */
	GTCRN_OFFLINE = 2,      /* all frames in one run (dynamic T) */
} gtcrn_kind;

typedef struct gtcrn_model gtcrn_model;
typedef struct gtcrn_state gtcrn_state;
typedef struct gtcrn_aligned gtcrn_aligned;

/* What the graph and its metadata say. Strings live as long as the model. */
typedef struct gtcrn_model_info {
	gtcrn_kind kind;
	int sample_rate;         /* Hz; metadata 'sample_rate', default 16000 */
	int n_fft;               /* metadata 'n_fft', default 512 */
	int hop_length;          /* default n_fft / 2 (256) */
	int window_length;       /* default n_fft (512) */
	const char *window_type; /* "hann_sqrt" (default) or "hann" */
	int n_bins;              /* n_fft / 2 + 1 */
	const char *spec_input;  /* name of the spectrum input */
	const char *spec_output; /* name of the spectrum output */
	int n_caches;            /* streaming: cache inputs fed back */
	size_t latency;          /* streaming: samples at the model's rate */
} gtcrn_model_info;

GTCRN_API const char *gtcrn_strerror(int status);
/* The package version, e.g. "0.1.0". */
GTCRN_API const char *gtcrn_version(void);

/* The model to use when the caller names none: $GTCRN_MODEL when set and
 * not empty, else the file `make install-model` installs
 * (PREFIX/share/gtcrn-run/model.onnx). Never NULL; the file need not
 * exist. The environment's string is returned as getenv() gives it: valid
 * until the environment changes. */
GTCRN_API const char *gtcrn_default_model_path(void);

GTCRN_API int gtcrn_model_load(const char *path, gtcrn_model **out, char *err, size_t err_len);
GTCRN_API int gtcrn_model_load_buffer(const void *buf, size_t len, gtcrn_model **out,
                                      char *err, size_t err_len);
GTCRN_API void gtcrn_model_free(gtcrn_model *m);                  /* accepts NULL */
GTCRN_API int gtcrn_model_info_get(const gtcrn_model *m, gtcrn_model_info *info);
/* The runtime model underneath, for introspection (inputs, metadata). */
GTCRN_API const grt_model *gtcrn_model_graph(const gtcrn_model *m);
/* Cache input i and the output it is fed back from (streaming models). */
GTCRN_API int gtcrn_model_cache(const gtcrn_model *m, int i, const char **input,
                                const char **output);

typedef struct gtcrn_opts {
	int sample_rate;         /* rate of the caller's audio; 0 = the model's */
	float mix;               /* wet fraction in [0, 1]: 1 = enhanced only (default) */
	float atten_lim_db;      /* most the noise may be reduced, dB >= 0; <0 = no limit (default) */
	size_t mem_budget;       /* gtcrn_enhance with offline models: bytes; 0 = default (512 MiB) */
	int resample_quality;    /* speexdsp resampler quality, 0 (fastest) .. 10 (best); < 0 =
	                          * default (8). Higher: longer filter, wider passband, more
	                          * latency and time (16 <-> 48 kHz: 8 is flat to 7.2 kHz,
	                          * aliases under -105 dB, 5 ms each way; figures for each
	                          * level in docs/PERFORMANCE.md). Out of range: GRT_E_ARG. */
} gtcrn_opts;

GTCRN_API void gtcrn_opts_init(gtcrn_opts *o);

/* --- streaming --- */

GTCRN_API int gtcrn_state_create(const gtcrn_model *m, const gtcrn_opts *o, gtcrn_state **out,
                                 char *err, size_t err_len);
GTCRN_API void gtcrn_state_free(gtcrn_state *s);                  /* accepts NULL */
/* Processes n samples (any n, including 0 and 1) and writes n samples to
 * out: the enhanced input delayed by gtcrn_latency() samples (zeros at the
 * start of a stream). in and out may be the same buffer. Allocates nothing.
 * On failure the message is in gtcrn_state_errmsg(). */
GTCRN_API int gtcrn_process(gtcrn_state *s, const float *in, float *out, size_t n);
/* Ends the stream: writes the last gtcrn_latency() samples to out (which
 * must hold that many) and resets the state for a new stream. */
GTCRN_API int gtcrn_flush(gtcrn_state *s, float *out);
/* Bad input does not poison the stream. Input samples that are NaN or
 * infinite count as 0, and finite ones are limited to +-1e4 (80 dB over full
 * scale), both for the network and for the dry part of the mix. A frame whose
 * network output is still not finite (a broken model, say) is muted and the
 * network's caches are zeroed: the stream goes on from rest. The counts of
 * such samples and frames since the state was made: */
GTCRN_API void gtcrn_nonfinite(const gtcrn_state *s, unsigned long *samples,
                               unsigned long *frames);
/* Forgets the stream so far (caches, buffers, resamplers). */
GTCRN_API int gtcrn_reset(gtcrn_state *s);
/* Fixed algorithmic latency in samples at the caller's rate. */
GTCRN_API size_t gtcrn_latency(const gtcrn_state *s);
/* Settable between calls while streaming. */
GTCRN_API int gtcrn_set_mix(gtcrn_state *s, float mix);
GTCRN_API int gtcrn_set_atten_limit(gtcrn_state *s, float db);
GTCRN_API const char *gtcrn_state_errmsg(const gtcrn_state *s);
/* Frames run through the network since the state was made (flush and
 * reset do not zero it). */
GTCRN_API unsigned long gtcrn_frames(const gtcrn_state *s);
/* Optional per-frame timing: the run time (ns) of frame i (counted as
 * gtcrn_frames counts) is stored in times[i % max], a ring: a caller that reads
 * the new entries at least every max frames sees every run in constant memory.
 * Pass NULL (or max 0) to stop. */
GTCRN_API void gtcrn_record_frame_times(gtcrn_state *s, unsigned long *times, size_t max);

/* --- whole signals --- */

/* Enhances n samples of in (at o->sample_rate) into out (n samples, aligned
 * with in). Offline models: one session over all frames, refused with
 * GTCRN_E_BUDGET (message with the size) if it would need more than
 * o->mem_budget. Streaming models: the streaming path, latency removed. */
GTCRN_API int gtcrn_enhance(const gtcrn_model *m, const gtcrn_opts *o, const float *in,
                            float *out, size_t n, char *err, size_t err_len);
/* Bytes an offline run over n samples would plan (0 for streaming models). */
GTCRN_API int gtcrn_offline_bytes(const gtcrn_model *m, const gtcrn_opts *o, size_t n,
                                  size_t *bytes, char *err, size_t err_len);

/* --- whole signals, block by block (since 0.1.0, libgtcrn.so.0) ---
 * An aligned stream: a gtcrn_state per channel of interleaved audio with the
 * latency removed, for programs that read a file or a pipe in blocks. The
 * output of each channel is bit-identical to gtcrn_enhance on it (and to
 * gtcrn_process's with its first gtcrn_latency() samples dropped). Streaming
 * models only (GTCRN_E_KIND otherwise). Threads: as a gtcrn_state. */
GTCRN_API int gtcrn_aligned_create(const gtcrn_model *m, const gtcrn_opts *o, int channels,
                                   gtcrn_aligned **out, char *err, size_t err_len);
GTCRN_API void gtcrn_aligned_free(gtcrn_aligned *a);              /* accepts NULL */
/* Pushes n frames (any n) of in[n * channels] and writes the next *n_out
 * frames of the enhanced signal to out (room for n frames): n once the
 * first gtcrn_latency() frames of the stream have gone through, fewer
 * before. in and out may be the same buffer. Allocates nothing. On failure
 * the message, naming the channel, is in gtcrn_aligned_errmsg(). */
GTCRN_API int gtcrn_aligned_process(gtcrn_aligned *a, const float *in, size_t n, float *out,
                                    size_t *n_out);
/* Ends the stream: writes the frames still owed to out (*n_out of them, at
 * most gtcrn_latency() frames), so that the output has exactly as many
 * frames as the input, and resets for a new stream. */
GTCRN_API int gtcrn_aligned_flush(gtcrn_aligned *a, float *out, size_t *n_out);
/* The state of channel ch (latency, counts, frame times, mix), owned by a;
 * NULL when ch is out of range. */
GTCRN_API gtcrn_state *gtcrn_aligned_state(gtcrn_aligned *a, int ch);
GTCRN_API const char *gtcrn_aligned_errmsg(const gtcrn_aligned *a);

/* --- the network's view (since 0.1.0), for programs that run the graph
 * themselves (benchmarks, inspection) --- */

/* STFT frames of n samples at the model's rate: 1 + n / hop_length. */
GTCRN_API size_t gtcrn_stft_frames(const gtcrn_model *m, size_t n);
/* The model's input spectrum of x[n] (at the model's rate, n > n_fft / 2):
 * spec (1, n_bins, T, 2) with T = gtcrn_stft_frames(m, n), as torch.stft
 * with center=True, reflect padding and the model's window. */
GTCRN_API int gtcrn_stft(const gtcrn_model *m, const float *x, size_t n, float *spec, char *err,
                         size_t err_len);

#ifdef __cplusplus
}
#endif
#endif

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

/* --- voice activity: Silero VAD (since 0.2.0, libgtcrn.so.0) ---
 * A Silero VAD export gives the probability that a window of audio holds
 * speech: 512 samples at 16 kHz, 256 at 8 kHz (32 ms), with a recurrent
 * state carried from window to window. Exports are told apart by their
 * inputs: v5 (input, state, sr; the window is fed with the 64 (32) samples
 * before it), v4 (input, sr, h, c; the window alone); an export without the
 * 'sr' input runs at 16 kHz only. Anything else is GTCRN_E_NOT_VAD.
 *
 * A gtcrn_vad runs the model over a stream at any rate (resampled to the
 * model's) and gives each whole window's probability; a trailing partial
 * window is not run. A gtcrn_segmenter turns the probabilities into speech
 * segments with Silero's post-processing (get_speech_timestamps): speech
 * starts at a probability >= threshold, ends when it stays below
 * neg_threshold for min_silence_ms; segments shorter than min_speech_ms are
 * dropped; each is padded by speech_pad_ms on both sides (halving the gap
 * when two segments are closer than twice the padding). A gtcrn_gate
 * attenuates the non-speech parts of a stream (the enhanced output, say).
 * Threads: a gtcrn_vad_model is immutable and may be shared; a gtcrn_vad,
 * gtcrn_segmenter or gtcrn_gate is used by one thread at a time. */

#define GTCRN_E_NOT_VAD -105     /* the graph is not a Silero VAD export */
#define GTCRN_E_NOT_DNSMOS -106  /* the graph is not a DNSMOS P.835 export */

typedef struct gtcrn_vad_model gtcrn_vad_model;
typedef struct gtcrn_vad gtcrn_vad;
typedef struct gtcrn_segmenter gtcrn_segmenter;
typedef struct gtcrn_gate gtcrn_gate;

/* The VAD model to use when the caller names none: $GTCRN_VAD_MODEL when set
 * and not empty, else PREFIX/share/gtcrn-run/vad.onnx (`make install-model
 * VAD_MODEL=FILE`). As gtcrn_default_model_path. */
GTCRN_API const char *gtcrn_default_vad_model_path(void);

GTCRN_API int gtcrn_vad_model_load(const char *path, gtcrn_vad_model **out, char *err,
                                   size_t err_len);
GTCRN_API int gtcrn_vad_model_load_buffer(const void *buf, size_t len, gtcrn_vad_model **out,
                                          char *err, size_t err_len);
GTCRN_API void gtcrn_vad_model_free(gtcrn_vad_model *m);          /* accepts NULL */
/* 4 or 5 */
GTCRN_API int gtcrn_vad_model_version(const gtcrn_vad_model *m);
/* 1 if the model runs at rate (16000 or 8000), else 0 */
GTCRN_API int gtcrn_vad_model_has_rate(const gtcrn_vad_model *m, int rate);

typedef struct gtcrn_vad_opts {
	int sample_rate;         /* rate of the caller's audio, Hz; 0 = model_rate */
	int model_rate;          /* 16000 or 8000; 0 = 8000 if sample_rate <= 8000 and the
	                          * model has it, else 16000 */
	float threshold;         /* speech starts at a probability >= this (0.5) */
	float neg_threshold;     /* ... and ends below this (0.35); < 0 = max(threshold -
	                          * 0.15, 0.01) */
	float min_silence_ms;    /* ... held for at least this long (100) */
	float min_speech_ms;     /* shorter segments are dropped (250) */
	float speech_pad_ms;     /* padding on both sides of a segment (30) */
	int resample_quality;    /* as gtcrn_opts: 0 .. 10, < 0 = default (8) */
} gtcrn_vad_opts;

GTCRN_API void gtcrn_vad_opts_init(gtcrn_vad_opts *o);

/* A speech segment, in seconds from the start of the stream. */
typedef struct gtcrn_segment {
	double start, end;
} gtcrn_segment;

GTCRN_API int gtcrn_vad_create(const gtcrn_vad_model *m, const gtcrn_vad_opts *o,
                               gtcrn_vad **out, char *err, size_t err_len);
GTCRN_API void gtcrn_vad_free(gtcrn_vad *v);                      /* accepts NULL */
/* The window in samples at the model's rate (512 or 256), and that rate. */
GTCRN_API size_t gtcrn_vad_window(const gtcrn_vad *v);
GTCRN_API int gtcrn_vad_rate(const gtcrn_vad *v);
/* Most windows that n more samples (at the caller's rate), or the end of the
 * stream for n = 0, can complete: the room probs needs. */
GTCRN_API size_t gtcrn_vad_max_windows(const gtcrn_vad *v, size_t n);
/* Pushes n samples (any n); writes the probability of each window they
 * complete to probs (may be NULL) and their count to *n_probs. Allocates
 * nothing. On failure the message is in gtcrn_vad_errmsg(). */
GTCRN_API int gtcrn_vad_process(gtcrn_vad *v, const float *in, size_t n, float *probs,
                                size_t *n_probs);
/* Ends the stream: the windows the resampler still holds (a partial window
 * is not run), then resets for a new stream. */
GTCRN_API int gtcrn_vad_finish(gtcrn_vad *v, float *probs, size_t *n_probs);
GTCRN_API int gtcrn_vad_reset(gtcrn_vad *v);
/* Windows run since the last reset. */
GTCRN_API unsigned long gtcrn_vad_windows(const gtcrn_vad *v);
GTCRN_API const char *gtcrn_vad_errmsg(const gtcrn_vad *v);

/* Segments from probabilities of windows of window samples at rate (both
 * from gtcrn_vad_window/gtcrn_vad_rate); o: the thresholds and durations
 * (its rates are not used). */
GTCRN_API int gtcrn_segmenter_create(const gtcrn_vad_opts *o, size_t window, int rate,
                                     gtcrn_segmenter **out, char *err, size_t err_len);
GTCRN_API void gtcrn_segmenter_free(gtcrn_segmenter *s);          /* accepts NULL */
/* The next window's probability; returns 1 and fills *seg when a segment
 * becomes final (at most one per window), else 0. Allocates nothing. */
GTCRN_API int gtcrn_segmenter_push(gtcrn_segmenter *s, float prob, gtcrn_segment *seg);
/* Ends the stream of length_s seconds: writes the segments still open (at
 * most 2) to seg[], returns their count, and resets. */
GTCRN_API int gtcrn_segmenter_finish(gtcrn_segmenter *s, double length_s, gtcrn_segment seg[2]);
GTCRN_API void gtcrn_segmenter_reset(gtcrn_segmenter *s);

/* Whole signals: the probabilities and segments of x[n] (mono, at
 * o->sample_rate), in arrays the caller frees with free() (either pointer
 * pair may be NULL: not wanted). */
GTCRN_API int gtcrn_vad_run(const gtcrn_vad_model *m, const gtcrn_vad_opts *o, const float *x,
                            size_t n, float **probs, size_t *n_probs, gtcrn_segment **segs,
                            size_t *n_segs, char *err, size_t err_len);

/* The gate: a VAD on the stream (the mean of its channels) switches one gain
 * for all channels between 1 (speech) and -depth_db (elsewhere). The audio is
 * delayed by gtcrn_gate_latency() frames, one VAD window, the resampler's
 * holdback and the attack, so that the gain is full at the start of the
 * window where speech was found, not after it. The gain moves linearly in
 * dB. */
typedef struct gtcrn_gate_opts {
	float depth_db;          /* attenuation of non-speech, dB >= 0 (24); 0 = no gating */
	float attack_ms;         /* ramp up to full gain (5) */
	float release_ms;        /* ramp down to the depth (50) */
	float hangover_ms;       /* stays open this long after speech ends (200) */
} gtcrn_gate_opts;

GTCRN_API void gtcrn_gate_opts_init(gtcrn_gate_opts *o);
/* vo: the VAD's rates (sample_rate = the stream's rate) and the on / off
 * thresholds (threshold, neg_threshold, min_silence_ms); its resample_quality
 * < 0 means 4 here (not 8): a per-window decision needs less, and the
 * resampler is most of the gate's cost at 44.1 and 48 kHz. */
GTCRN_API int gtcrn_gate_create(const gtcrn_vad_model *m, const gtcrn_vad_opts *vo,
                                const gtcrn_gate_opts *go, int channels, gtcrn_gate **out,
                                char *err, size_t err_len);
GTCRN_API void gtcrn_gate_free(gtcrn_gate *g);                    /* accepts NULL */
/* n frames of interleaved in[n * channels] -> out, delayed by
 * gtcrn_gate_latency() frames (zeros at the start of a stream). in and out
 * may be the same buffer. Output is bit-identical however the stream is cut
 * into calls. Real-time safe: no allocation, no lock, no system call. */
GTCRN_API int gtcrn_gate_process(gtcrn_gate *g, const float *in, float *out, size_t n);
/* Ends the stream: writes the last gtcrn_gate_latency() frames to out and
 * resets. */
GTCRN_API int gtcrn_gate_flush(gtcrn_gate *g, float *out);
GTCRN_API int gtcrn_gate_reset(gtcrn_gate *g);
/* Frames of delay at the stream's rate. */
GTCRN_API size_t gtcrn_gate_latency(const gtcrn_gate *g);
/* Settable between calls; the gain glides to the new depth. */
GTCRN_API int gtcrn_gate_set_depth(gtcrn_gate *g, float db);
/* The gain applied to the last frame written (for meters), 0 .. 1. */
GTCRN_API float gtcrn_gate_gain(const gtcrn_gate *g);
GTCRN_API const char *gtcrn_gate_errmsg(const gtcrn_gate *g);

/* --- quality scores: DNSMOS P.835 (since 0.2.0, libgtcrn.so.0) ---
 * The DNS Challenge's non-intrusive quality model (input (N, 144160): 9.01 s
 * at 16 kHz; output (N, 3): raw SIG, BAK, OVRL) scored by the challenge's
 * reference procedure: 16 kHz mono; a clip shorter than 9.01 s repeated until
 * it is that long; windows of 9.01 s every second (int(len / 16000 - 9.01)
 * + 1 of them, len after the repetition); each window's raw scores mapped by
 * the non-personalized P.835 polynomials; the means over windows. */

typedef struct gtcrn_dnsmos_model gtcrn_dnsmos_model;

typedef struct gtcrn_dnsmos_scores {
	double sig, bak, ovrl;              /* mapped scores, 1 .. 5 */
	double raw_sig, raw_bak, raw_ovrl;  /* the model's outputs, means over windows */
	size_t windows;
} gtcrn_dnsmos_scores;

/* $GTCRN_DNSMOS_MODEL when set and not empty, else
 * PREFIX/share/gtcrn-run/dnsmos.onnx (`make install-model DNSMOS_MODEL=FILE`). */
GTCRN_API const char *gtcrn_default_dnsmos_model_path(void);
GTCRN_API int gtcrn_dnsmos_model_load(const char *path, gtcrn_dnsmos_model **out, char *err,
                                      size_t err_len);
GTCRN_API int gtcrn_dnsmos_model_load_buffer(const void *buf, size_t len,
                                             gtcrn_dnsmos_model **out, char *err,
                                             size_t err_len);
GTCRN_API void gtcrn_dnsmos_model_free(gtcrn_dnsmos_model *m);    /* accepts NULL */
/* Scores frames of interleaved audio x[frames * channels] at rate: the
 * channels' mean, resampled to 16 kHz. Any number of threads may score with
 * one model at once; the model keeps the sessions they made for later calls
 * (about 110 MB each, as many as scored at once, up to 16) until it is freed. */
GTCRN_API int gtcrn_dnsmos_score(const gtcrn_dnsmos_model *m, const float *x, size_t frames,
                                 int channels, int rate, gtcrn_dnsmos_scores *out, char *err,
                                 size_t err_len);
/* Scores an audio file (any format libsndfile reads). A build without libsndfile
 * (configure --without-sndfile, the WebAssembly one) returns GRT_E_IO, "not built
 * with libsndfile". */
GTCRN_API int gtcrn_dnsmos_score_file(const gtcrn_dnsmos_model *m, const char *path,
                                      gtcrn_dnsmos_scores *out, char *err, size_t err_len);

#ifdef __cplusplus
}
#endif
#endif

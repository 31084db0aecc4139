/* internal.h - the enhancement library's own structures. */
#ifndef ENHANCE_INTERNAL_H
#define ENHANCE_INTERNAL_H

#include <fftw3.h>
#include <math.h>
#include <speex/speex_resampler.h>
#include <stdint.h>
#include "enhance/gtcrn.h"

#define MAX_CACHES 16

/* STFT settings and the FFTW plans, made once per model and executed by
 * every state with its own buffers (fftwf_execute_dft_* is thread-safe). */
struct stft {
	int n_fft, hop, win_length;
	int n_bins;                 /* n_fft / 2 + 1 */
	int pad;                    /* center padding: n_fft / 2 on each side */
	float *window;              /* [n_fft] the window, zero-padded to n_fft, centred */
	fftwf_plan r2c;             /* [n_fft] real -> [n_bins] complex */
	fftwf_plan c2r;             /* [n_bins] complex -> [n_fft] real (destroys its input) */
};

struct gtcrn_model {
	grt_model *graph;
	gtcrn_model_info info;
	int spec_in, spec_out;             /* input / output index of the spectrum */
	int cache_in[MAX_CACHES];          /* input index of cache i */
	int cache_out[MAX_CACHES];         /* output index it is fed back from */
	char window_type[32];
	struct stft stft;
};

int stft_init(struct stft *st, int n_fft, int hop, int win_length, int sqrt_window,
              char *err, size_t err_len);
void stft_free(struct stft *st);
/* One frame: frame[n_fft] samples (not yet windowed) -> bins[n_bins][2].
 * work is an fftwf_malloc'ed [n_fft + 2 * n_bins + 2] float buffer. */
void stft_forward(const struct stft *st, const float *frame, float *bins, float *work);
/* bins[n_bins][2] -> out[n_fft]: inverse FFT (1/n_fft), times the window.
 * The imaginary parts of bins 0 and n_fft/2 are ignored. */
void stft_inverse(const struct stft *st, const float *bins, float *out, float *work);
/* Floats of the work buffer stft_forward/stft_inverse need. */
size_t stft_work_floats(const struct stft *st);
/* Whole signals (torch.stft / torch.istft with center=True, reflect):
 * x[n] -> spec (1, n_bins, T, 2) with T = 1 + n / hop. */
size_t stft_frames(const struct stft *st, size_t n);
int stft_analyze(const struct stft *st, const float *x, size_t n, float *spec);
/* spec (1, n_bins, T, 2) -> y[n_out] (torch.istft with length = n_out). */
int stft_synthesize(const struct stft *st, const float *spec, size_t T, float *y, size_t n_out);
/* Index i of the reflect-padded signal of length n (numpy 'reflect'). */
size_t reflect_index(long long i, size_t n);

/* Input samples before anything else sees them (stream and whole-signal
 * paths alike): NaN and infinities become 0, finite values are limited to
 * +-SAMPLE_LIMIT (80 dB over full scale), so that no frame's spectrum can
 * overflow. Returns 1 if x was changed. */
#define SAMPLE_LIMIT 1e4f
static inline int sanitize_sample(float *x)
{
	float v = *x;

	if (v >= -SAMPLE_LIMIT && v <= SAMPLE_LIMIT)
		return 0;                     /* the usual case; false for NaN */
	*x = !isfinite(v) ? 0.0f : v > 0 ? SAMPLE_LIMIT : -SAMPLE_LIMIT;
	return 1;
}
/* 1 if all n values are finite. */
int all_finite(const float *x, size_t n);

/* Applies the attenuation limit to one frame: every bin of enh keeps at
 * least floor_gain of the noisy bin's magnitude. */
void atten_limit_frame(float *enh, const float *mix, int n_bins, float floor_gain);
float atten_floor_gain(float db);   /* 0 when there is no limit (db < 0) */
/* GRT_E_ARG with a message when an option is out of range for audio at rate */
int opts_check(const gtcrn_opts *o, int rate, char *err, size_t err_len);

/* Resampler: a speexdsp stream from in_hz to out_hz, time-aligned, with a
 * fixed holdback (see resample.c). quality: speexdsp's 0 (fastest) .. 10
 * (best), < 0 = RESAMPLE_QUALITY_DEFAULT. */
#define RESAMPLE_QUALITY_DEFAULT 8
struct resampler {
	SpeexResamplerState *st;
	uint32_t num, den;           /* in_hz : out_hz, reduced */
	uint64_t n_in, n_out;        /* samples consumed and made since the reset */
	size_t holdback;             /* most samples (output rate) held back */
};
int resampler_init(struct resampler *r, int in_hz, int out_hz, int quality, char *err,
                   size_t err_len);
void resampler_free(struct resampler *r);
int resampler_reset(struct resampler *r);
/* Converts in[n_in] (all consumed) into out (at most max_out); returns the
 * number written in *n_out. end = 1 flushes the tail: the stream then has
 * ceil(n * out_hz / in_hz) samples for the n it was given. */
int resampler_run(struct resampler *r, const float *in, size_t n_in, float *out,
                  size_t max_out, size_t *n_out, int end);
/* Samples (at the output rate) the stream holds back at most: about half the
 * filter, the same whatever the chunking. */
size_t resampler_holdback(const struct resampler *r);

int model_load_common(grt_model *g, gtcrn_model **out, char *err, size_t err_len);
/* "inputs a(1,2) b(3); outputs c(1)": a graph's inputs and outputs with their
 * declared shapes, for messages that say why a graph was refused. */
void model_describe_io(const grt_model *g, char *buf, size_t len);

/* The VAD's resampler holdback (samples at the model's rate, 0 without
 * resampling) and the most windows n more caller samples can complete in
 * any state of the stream (gate.c sizes its buffers with them). */
size_t vad_holdback(const gtcrn_vad *v);
size_t vad_max_windows_any(const gtcrn_vad *v, size_t n);
/* GRT_E_ARG with a message naming the field when a threshold, duration or
 * the resample quality of o is out of range (rates: gtcrn_vad_create). */
int vad_opts_check(const gtcrn_vad_opts *o, char *err, size_t err_len);
/* o->neg_threshold, or its default when < 0 */
float vad_neg_threshold(const gtcrn_vad_opts *o);
/* Puts "what: " before the message in err (a file's name, for loaders) */
void err_prefix(const char *what, char *err, size_t err_len);

/* Silero's start / end rule (get_speech_timestamps' loop), window by window
 * at positions in samples at the model's rate: the segmenter's and the
 * gate's. */
struct speech_rule {
	float threshold, neg_threshold;
	double min_silence;         /* samples */
	int triggered;              /* in speech */
	long long start;            /* where the speech began */
	long long temp_end;         /* first quiet window's position, 0 = none (as Silero) */
};
enum { RULE_NONE, RULE_START, RULE_END };
void speech_rule_init(struct speech_rule *r, const gtcrn_vad_opts *o, int rate);
void speech_rule_reset(struct speech_rule *r);
/* The window at pos with probability p: RULE_START if speech starts there,
 * RULE_END (and *end, where it ended) if it has been quiet long enough. */
int speech_rule_step(struct speech_rule *r, float p, long long pos, long long *end);

#endif

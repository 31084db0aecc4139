/* stft.c - STFT and iSTFT with FFTW3 (single precision), exactly as
 * torch.stft / torch.istft with center=True, pad_mode='reflect',
 * onesided, no normalisation (see shared/models/README.md): frames of
 * n_fft reflect-padded samples every hop, windowed, r2c FFT; inverse: c2r
 * FFT / n_fft, windowed, overlap-added, divided by the overlap-added
 * squared window. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "enhance/internal.h"

int stft_init(struct stft *st, int n_fft, int hop, int win_length, int sqrt_window,
              char *err, size_t err_len)
{
	float *in, *out;
	int off = (n_fft - win_length) / 2;   /* torch centres a shorter window */

	memset(st, 0, sizeof(*st));
	st->n_fft = n_fft;
	st->hop = hop;
	st->win_length = win_length;
	st->n_bins = n_fft / 2 + 1;
	st->pad = n_fft / 2;
	st->window = fftwf_malloc(sizeof(float) * (size_t)n_fft);
	in = fftwf_malloc(sizeof(float) * (size_t)(n_fft + 2));
	out = fftwf_malloc(sizeof(float) * (size_t)(2 * st->n_bins + 2));
	if (!st->window || !in || !out) {
		fftwf_free(in);
		fftwf_free(out);
		snprintf(err, err_len, "out of memory");
		return GRT_E_NOMEM;
	}
	for (int i = 0; i < n_fft; i++)
		st->window[i] = 0;
	for (int i = 0; i < win_length; i++) {
		/* periodic Hann: 0.5 - 0.5 cos(2 pi i / N) */
		double h = 0.5 - 0.5 * cos(2.0 * M_PI * i / win_length);
		st->window[off + i] = (float)(sqrt_window ? sqrt(h) : h);
	}
	/* FFTW's planner is not thread-safe; plans are made at model load, which
	 * users may do from several threads, and by sessions (libgrt's DFT, STFT):
	 * all under libgrt's one lock. Executing plans is thread-safe. */
	grt_fftw_planner_lock();
	st->r2c = fftwf_plan_dft_r2c_1d(n_fft, in, (fftwf_complex *)out, FFTW_ESTIMATE);
	st->c2r = fftwf_plan_dft_c2r_1d(n_fft, (fftwf_complex *)out, in, FFTW_ESTIMATE);
	grt_fftw_planner_unlock();
	fftwf_free(in);
	fftwf_free(out);
	if (!st->r2c || !st->c2r) {
		stft_free(st);
		snprintf(err, err_len, "FFTW could not plan a %d-point FFT", n_fft);
		return GRT_E_NOMEM;
	}
	return GTCRN_OK;
}

void stft_free(struct stft *st)
{
	grt_fftw_planner_lock();
	if (st->r2c)
		fftwf_destroy_plan(st->r2c);
	if (st->c2r)
		fftwf_destroy_plan(st->c2r);
	grt_fftw_planner_unlock();
	fftwf_free(st->window);
	memset(st, 0, sizeof(*st));
}

/* work layout: [0, n_fft + 2) real samples, then [n_fft + 2, ...) complex bins;
 * both start 8-float aligned inside an fftwf_malloc'ed block. */
static float *work_bins(const struct stft *st, float *work)
{
	return work + ((st->n_fft + 2 + 7) & ~7);
}

void stft_forward(const struct stft *st, const float *frame, float *bins, float *work)
{
	float *re = work, *c = work_bins(st, work);

	for (int i = 0; i < st->n_fft; i++)
		re[i] = frame[i] * st->window[i];
	fftwf_execute_dft_r2c(st->r2c, re, (fftwf_complex *)c);
	memcpy(bins, c, sizeof(float) * 2 * (size_t)st->n_bins);
}

void stft_inverse(const struct stft *st, const float *bins, float *out, float *work)
{
	float *re = work, *c = work_bins(st, work);
	const float scale = 1.0f / (float)st->n_fft;

	memcpy(c, bins, sizeof(float) * 2 * (size_t)st->n_bins);
	c[1] = 0;                                  /* DC and Nyquist are real */
	c[2 * (st->n_bins - 1) + 1] = 0;
	fftwf_execute_dft_c2r(st->c2r, (fftwf_complex *)c, re);
	for (int i = 0; i < st->n_fft; i++)
		out[i] = re[i] * scale * st->window[i];
}

size_t reflect_index(long long i, size_t n)
{
	long long p;

	if (n <= 1)
		return 0;
	p = 2 * ((long long)n - 1);
	i %= p;
	if (i < 0)
		i += p;
	return (size_t)(i < (long long)n ? i : p - i);
}

size_t stft_frames(const struct stft *st, size_t n)
{
	return 1 + n / (size_t)st->hop;
}

size_t stft_work_floats(const struct stft *st)
{
	return (size_t)((st->n_fft + 2 + 7) & ~7) + 2 * (size_t)st->n_bins + 8;
}

int stft_analyze(const struct stft *st, const float *x, size_t n, float *spec)
{
	size_t T = stft_frames(st, n);
	float *frame = fftwf_malloc(sizeof(float) * (size_t)st->n_fft);
	float *bins = fftwf_malloc(sizeof(float) * 2 * (size_t)st->n_bins);
	float *work = fftwf_malloc(sizeof(float) * stft_work_floats(st));

	if (!frame || !bins || !work || n == 0) {
		fftwf_free(frame);
		fftwf_free(bins);
		fftwf_free(work);
		return n == 0 ? GRT_E_ARG : GRT_E_NOMEM;
	}
	for (size_t t = 0; t < T; t++) {
		long long start = (long long)(t * (size_t)st->hop) - st->pad;
		for (int i = 0; i < st->n_fft; i++)
			frame[i] = x[reflect_index(start + i, n)];
		stft_forward(st, frame, bins, work);
		for (int f = 0; f < st->n_bins; f++) {       /* (1, F, T, 2) */
			spec[((size_t)f * T + t) * 2] = bins[2 * f];
			spec[((size_t)f * T + t) * 2 + 1] = bins[2 * f + 1];
		}
	}
	fftwf_free(frame);
	fftwf_free(bins);
	fftwf_free(work);
	return GTCRN_OK;
}

int stft_synthesize(const struct stft *st, const float *spec, size_t T, float *y, size_t n_out)
{
	size_t span = (T - 1) * (size_t)st->hop + (size_t)st->n_fft;   /* padded length */
	float *acc = fftwf_malloc(sizeof(float) * span);
	float *env = fftwf_malloc(sizeof(float) * span);
	float *bins = fftwf_malloc(sizeof(float) * 2 * (size_t)st->n_bins);
	float *frame = fftwf_malloc(sizeof(float) * (size_t)st->n_fft);
	float *work = fftwf_malloc(sizeof(float) * stft_work_floats(st));
	int rc = GTCRN_OK;

	if (!acc || !env || !bins || !frame || !work) {
		rc = GRT_E_NOMEM;
		goto out;
	}
	memset(acc, 0, sizeof(float) * span);
	memset(env, 0, sizeof(float) * span);
	for (size_t t = 0; t < T; t++) {
		size_t start = t * (size_t)st->hop;
		for (int f = 0; f < st->n_bins; f++) {
			bins[2 * f] = spec[((size_t)f * T + t) * 2];
			bins[2 * f + 1] = spec[((size_t)f * T + t) * 2 + 1];
		}
		stft_inverse(st, bins, frame, work);
		for (int i = 0; i < st->n_fft; i++) {
			acc[start + i] += frame[i];
			env[start + i] += st->window[i] * st->window[i];
		}
	}
	for (size_t i = 0; i < n_out; i++) {
		size_t p = i + (size_t)st->pad;
		y[i] = p < span && env[p] > 1e-11f ? acc[p] / env[p] : 0.0f;
	}
out:
	fftwf_free(acc);
	fftwf_free(env);
	fftwf_free(bins);
	fftwf_free(frame);
	fftwf_free(work);
	return rc;
}

float atten_floor_gain(float db)
{
	return db < 0 ? 0.0f : powf(10.0f, -db / 20.0f);
}

int all_finite(const float *x, size_t n)
{
	int ok = 1;

	for (size_t i = 0; i < n; i++)
		ok &= isfinite(x[i]) != 0;
	return ok;
}

void atten_limit_frame(float *enh, const float *mix, int n_bins, float floor_gain)
{
	if (floor_gain <= 0)
		return;
	for (int f = 0; f < n_bins; f++) {
		float er = enh[2 * f], ei = enh[2 * f + 1];
		float e2 = er * er + ei * ei;
		float m2 = (mix[2 * f] * mix[2 * f] + mix[2 * f + 1] * mix[2 * f + 1]) *
		           floor_gain * floor_gain;
		if (e2 >= m2)
			continue;
		if (e2 > 0) {            /* raise |enh| to the floor, keep its phase */
			float g = sqrtf(m2 / e2);
			enh[2 * f] = er * g;
			enh[2 * f + 1] = ei * g;
		} else {
			enh[2 * f] = mix[2 * f] * floor_gain;
			enh[2 * f + 1] = mix[2 * f + 1] * floor_gain;
		}
	}
}

size_t gtcrn_stft_frames(const gtcrn_model *m, size_t n)
{
	return m ? stft_frames(&m->stft, n) : 0;
}

int gtcrn_stft(const gtcrn_model *m, const float *x, size_t n, float *spec, char *err,
               size_t err_len)
{
	int rc;

	if (!m || !x || !spec || n <= (size_t)m->stft.pad) {
		snprintf(err, err_len, "gtcrn_stft: %s", !m || !x || !spec ? "NULL argument" :
		         "too few samples for the reflect padding");
		return GRT_E_ARG;
	}
	if ((rc = stft_analyze(&m->stft, x, n, spec)))
		snprintf(err, err_len, "gtcrn_stft: %s", gtcrn_strerror(rc));
	return rc;
}

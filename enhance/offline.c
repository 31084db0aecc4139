/* offline.c - whole signals: offline exports run once over all STFT frames
 * (planned first, refused over the memory budget); streaming exports go
 * through an aligned stream (aligned.c): the streaming state, latency removed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enhance/internal.h"

#define DEFAULT_BUDGET ((size_t)512 << 20)

/* A streaming model over a whole signal: the aligned stream (aligned.c)
 * removes the latency, as for a program that streams a file in blocks. */
static int enhance_streaming(const gtcrn_model *m, const gtcrn_opts *o, const float *in,
                             float *out, size_t n, char *err, size_t err_len)
{
	gtcrn_aligned *a = NULL;
	size_t got = 0, tail = 0;
	int rc = gtcrn_aligned_create(m, o, 1, &a, err, err_len);

	if (rc)
		return rc;
	rc = gtcrn_aligned_process(a, in, n, out, &got);
	if (!rc)
		rc = gtcrn_aligned_flush(a, out + got, &tail);
	if (rc)
		snprintf(err, err_len, "%s", gtcrn_state_errmsg(gtcrn_aligned_state(a, 0)));
	gtcrn_aligned_free(a);
	return rc;
}

/* Resamples a whole signal; *out is malloc'ed, *n_out its length. */
static int resample_all(int in_hz, int out_hz, int quality, const float *in, size_t n,
                        float **out, size_t *n_out, char *err, size_t err_len)
{
	struct resampler r;
	size_t cap;
	int rc;

	if ((rc = resampler_init(&r, in_hz, out_hz, quality, err, err_len)))
		return rc;
	cap = (size_t)((double)n * out_hz / in_hz) + resampler_holdback(&r) + 64;
	*out = malloc(cap * sizeof(float));
	if (!*out) {
		resampler_free(&r);
		snprintf(err, err_len, "out of memory");
		return GRT_E_NOMEM;
	}
	rc = resampler_run(&r, n ? in : *out, n, *out, cap, n_out, 1);
	resampler_free(&r);
	if (rc)
		snprintf(err, err_len, "resampling %zu samples failed", n);
	return rc;
}

static int plan_offline(const gtcrn_model *m, size_t T, unsigned flags, size_t budget,
                        grt_session **s, char *err, size_t err_len)
{
	grt_value in;
	grt_session_opts so = { &in, 1, flags, budget, 0 };
	int rc;

	grt_model_input(m->graph, m->spec_in, NULL, &in, NULL);
	in.dims[2] = (int64_t)T;
	in.data = NULL;
	rc = grt_session_create(m->graph, &so, s, err, err_len);
	if (rc == GRT_E_LIMIT && budget) {
		size_t need = 0;
		grt_session *p = NULL;
		so.flags |= GRT_SESSION_PLAN_ONLY;
		so.max_bytes = SIZE_MAX;          /* only to measure the plan */
		if (!grt_session_create(m->graph, &so, &p, NULL, 0)) {
			grt_session_stats st;
			grt_session_stats_get(p, &st);
			need = st.arena_bytes + st.scratch_bytes + st.const_bytes;
		}
		grt_session_free(p);
		snprintf(err, err_len, "the offline model needs %.1f MiB for %zu frames (%.1f s of "
		         "audio), over the memory budget of %.1f MiB: use a streaming export "
		         "(such as gtcrn_simple.onnx), which processes any length in constant memory, "
		         "or raise the budget", need / 1048576.0, T,
		         (double)(T - 1) * m->info.hop_length / m->info.sample_rate, budget / 1048576.0);
		return GTCRN_E_BUDGET;
	}
	return rc;
}

int gtcrn_offline_bytes(const gtcrn_model *m, const gtcrn_opts *o, size_t n, size_t *bytes,
                        char *err, size_t err_len)
{
	grt_session *s = NULL;
	grt_session_stats st;
	double ratio;
	int rc;

	if (!m || !bytes) {
		if (err && err_len)
			snprintf(err, err_len, "gtcrn_offline_bytes: %s is NULL", m ? "bytes" : "model");
		return GRT_E_ARG;
	}
	*bytes = 0;
	if (m->info.kind != GTCRN_OFFLINE)
		return GTCRN_OK;
	ratio = o && o->sample_rate ? (double)m->info.sample_rate / o->sample_rate : 1.0;
	rc = plan_offline(m, stft_frames(&m->stft, (size_t)((double)n * ratio) + 1),
	                  GRT_SESSION_PLAN_ONLY, SIZE_MAX, &s, err, err_len);
	if (rc)
		return rc;
	grt_session_stats_get(s, &st);
	*bytes = st.arena_bytes + st.scratch_bytes + st.const_bytes;
	grt_session_free(s);
	return GTCRN_OK;
}

static void limit_all(float *enh, const float *mix, int n_bins, size_t T, float floor_gain)
{
	if (floor_gain <= 0)
		return;
	for (int f = 0; f < n_bins; f++)         /* (1, F, T, 2): each bin is a row of T */
		for (size_t t = 0; t < T; t++)
			atten_limit_frame(enh + ((size_t)f * T + t) * 2, mix + ((size_t)f * T + t) * 2,
			                  1, floor_gain);
}

/* Frames of spec (1, F, T, 2) with a value that is not finite are muted. */
static void mute_nonfinite(float *spec, int n_bins, size_t T)
{
	for (size_t t = 0; t < T; t++) {
		int ok = 1;
		for (int f = 0; f < n_bins && ok; f++)
			ok = all_finite(spec + ((size_t)f * T + t) * 2, 2);
		for (int f = 0; f < n_bins && !ok; f++)
			spec[((size_t)f * T + t) * 2] = spec[((size_t)f * T + t) * 2 + 1] = 0.0f;
	}
}

static int enhance_offline(const gtcrn_model *m, const gtcrn_opts *o, const float *in,
                           float *out, size_t n, char *err, size_t err_len)
{
	int rate = o->sample_rate ? o->sample_rate : m->info.sample_rate;
	const float *x = in;
	float *xr = NULL, *xs = NULL, *y = NULL, *yr = NULL;
	size_t nm = n, T, ny;
	grt_session *s = NULL;
	grt_value vin, vout;
	int rc;

	if (n == 0)
		return GTCRN_OK;
	for (size_t i = 0; i < n; i++) {     /* a sanitized copy when one is needed */
		float v = in[i];
		if (!sanitize_sample(&v))
			continue;
		if (!xs) {
			if (!(xs = malloc(n * sizeof(float)))) {
				snprintf(err, err_len, "out of memory");
				return GRT_E_NOMEM;
			}
			memcpy(xs, in, n * sizeof(float));
		}
		xs[i] = v;
	}
	if (xs)
		x = in = xs;
	if (rate != m->info.sample_rate) {
		if ((rc = resample_all(rate, m->info.sample_rate, o->resample_quality, in, n, &xr, &nm,
		                       err, err_len)))
			goto out;
		x = xr;
	}
	if (nm == 0)
		nm = 1;               /* a tiny input still makes one frame */
	T = stft_frames(&m->stft, nm);
	if ((rc = plan_offline(m, T, 0, o->mem_budget ? o->mem_budget : DEFAULT_BUDGET, &s, err,
	                       err_len)))
		goto out;
	grt_session_input(s, 0, &vin);
	if ((rc = stft_analyze(&m->stft, x, nm, vin.data))) {
		snprintf(err, err_len, "STFT failed");
		goto out;
	}
	if ((rc = grt_session_run(s))) {
		snprintf(err, err_len, "%s", grt_session_errmsg(s));
		goto out;
	}
	grt_session_output(s, 0, &vout);
	if (grt_value_numel(&vout) != grt_value_numel(&vin)) {
		snprintf(err, err_len, "the model's output has %lld values, its input %lld",
		         (long long)grt_value_numel(&vout), (long long)grt_value_numel(&vin));
		rc = GTCRN_E_NOT_GTCRN;
		goto out;
	}
	mute_nonfinite(vout.data, m->info.n_bins, T);
	limit_all(vout.data, vin.data, m->info.n_bins, T, atten_floor_gain(o->atten_lim_db));
	y = malloc(nm * sizeof(float));
	if (!y) {
		rc = GRT_E_NOMEM;
		snprintf(err, err_len, "out of memory");
		goto out;
	}
	if ((rc = stft_synthesize(&m->stft, vout.data, T, y, nm)))
		goto out;
	if (rate != m->info.sample_rate) {
		if ((rc = resample_all(m->info.sample_rate, rate, o->resample_quality, y, nm, &yr, &ny,
		                       err, err_len)))
			goto out;
	} else {
		yr = y;
		y = NULL;
		ny = nm;
	}
	for (size_t i = 0; i < n; i++) {
		float e = i < ny ? yr[i] : 0.0f;
		out[i] = o->mix == 1.0f ? e : o->mix * e + (1.0f - o->mix) * in[i];
	}
out:
	grt_session_free(s);
	free(xs);
	free(xr);
	free(y);
	free(yr);
	return rc;
}

int gtcrn_enhance(const gtcrn_model *m, const gtcrn_opts *o, const float *in, float *out,
                  size_t n, char *err, size_t err_len)
{
	gtcrn_opts def;
	int rc;

	if (!m || (n && (!in || !out))) {
		snprintf(err, err_len, "gtcrn_enhance: NULL argument");
		return GRT_E_ARG;
	}
	if (!o) {
		gtcrn_opts_init(&def);
		o = &def;
	}
	if ((rc = opts_check(o, o->sample_rate ? o->sample_rate : m->info.sample_rate, err,
	                     err_len)))
		return rc;
	if (m->info.kind == GTCRN_STREAMING)
		return enhance_streaming(m, o, in, out, n, err, err_len);
	return enhance_offline(m, o, in, out, n, err, err_len);
}

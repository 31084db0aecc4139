/* model.c - which kind of GTCRN export a graph is, found from its inputs and
 * outputs alone, and its STFT settings from metadata_props (sherpa-onnx's
 * keys), with GTCRN's defaults (16 kHz, 512, 256, 512, sqrt-Hann). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "enhance/internal.h"

/* Set by the build: PREFIX/share/gtcrn-run/model.onnx */
#ifndef GTCRN_DEFAULT_MODEL
#define GTCRN_DEFAULT_MODEL "/usr/local/share/gtcrn-run/model.onnx"
#endif
#ifndef GTCRN_DEFAULT_VAD_MODEL
#define GTCRN_DEFAULT_VAD_MODEL "/usr/local/share/gtcrn-run/vad.onnx"
#endif
#ifndef GTCRN_DEFAULT_DNSMOS_MODEL
#define GTCRN_DEFAULT_DNSMOS_MODEL "/usr/local/share/gtcrn-run/dnsmos.onnx"
#endif

const char *gtcrn_version(void)
{
	return PACKAGE_VERSION;
}

/* $name when set and not empty, else the installed default */
static const char *env_or(const char *name, const char *installed)
{
	const char *env = getenv(name);
	return env && *env ? env : installed;
}

const char *gtcrn_default_model_path(void)
{
	return env_or("GTCRN_MODEL", GTCRN_DEFAULT_MODEL);
}

const char *gtcrn_default_vad_model_path(void)
{
	return env_or("GTCRN_VAD_MODEL", GTCRN_DEFAULT_VAD_MODEL);
}

const char *gtcrn_default_dnsmos_model_path(void)
{
	return env_or("GTCRN_DNSMOS_MODEL", GTCRN_DEFAULT_DNSMOS_MODEL);
}

const char *gtcrn_strerror(int status)
{
	switch (status) {
	case GTCRN_E_NOT_GTCRN: return "not a GTCRN-shaped model";
	case GTCRN_E_KIND: return "operation needs a streaming model";
	case GTCRN_E_BUDGET: return "offline run exceeds the memory budget";
	case GTCRN_E_RESAMPLE: return "resampling failed";
	case GTCRN_E_METADATA: return "unusable STFT metadata";
	case GTCRN_E_NOT_VAD: return "not a Silero VAD model";
	case GTCRN_E_NOT_DNSMOS: return "not a DNSMOS P.835 model";
	default: return grt_strerror(status);
	}
}

static int meta_int(const grt_model *g, const char *key, int def, int *out, char *err,
                    size_t err_len)
{
	const char *v = grt_model_metadata(g, key);
	char *end;
	long x;

	*out = def;
	if (!v)
		return GTCRN_OK;
	errno = 0;
	x = strtol(v, &end, 10);
	if (errno || end == v || *end || x <= 0 || x > INT_MAX / 4) {
		snprintf(err, err_len, "metadata '%s' = '%s' is not a positive integer", key, v);
		return GTCRN_E_METADATA;
	}
	*out = (int)x;
	return GTCRN_OK;
}

/* A spectrum tensor: (1, F, T, 2) float. */
static int is_spec(const grt_value *v, int n_bins)
{
	return v->dtype == GRT_FLOAT && v->ndim == 4 && v->dims[0] == 1 && v->dims[1] == n_bins &&
	       v->dims[3] == 2;
}

static int same_shape(const grt_value *a, const grt_value *b)
{
	if (a->dtype != b->dtype || a->ndim != b->ndim)
		return 0;
	for (int d = 0; d < a->ndim; d++)
		if (a->dims[d] != b->dims[d] || a->dims[d] < 0)
			return 0;
	return 1;
}

void model_describe_io(const grt_model *g, char *buf, size_t len)
{
	size_t k = 0;

	for (int io = 0; io < 2; io++) {
		int n = io ? grt_model_n_outputs(g) : grt_model_n_inputs(g);
		k += (size_t)snprintf(buf + k, len > k ? len - k : 0, "%s", io ? "; outputs" : "inputs");
		for (int i = 0; i < n && k < len; i++) {
			const char *name;
			grt_value v;
			if (io)
				grt_model_output(g, i, &name, &v, NULL);
			else
				grt_model_input(g, i, &name, &v, NULL);
			k += (size_t)snprintf(buf + k, len - k, " %s(", name);
			for (int d = 0; d < v.ndim && k < len; d++)
				k += (size_t)snprintf(buf + k, len - k, d ? ",%lld" : "%lld",
				                      (long long)v.dims[d]);
			if (k < len)
				k += (size_t)snprintf(buf + k, len - k, ")");
		}
	}
}

/* Pairs each non-spectrum input with an output of the same static shape:
 * the output named <input>_out first, else the only unpaired output of that
 * shape. */
static int pair_caches(gtcrn_model *m, char *err, size_t err_len)
{
	const grt_model *g = m->graph;
	int n_in = grt_model_n_inputs(g), n_out = grt_model_n_outputs(g), n = 0;
	int used[64] = { 0 };

	if (n_out > 64 || n_in > MAX_CACHES + 1) {
		snprintf(err, err_len, "streaming model with %d inputs and %d outputs: too many caches",
		         n_in, n_out);
		return GTCRN_E_NOT_GTCRN;
	}
	used[m->spec_out] = 1;
	for (int i = 0; i < n_in; i++) {
		const char *name;
		grt_value vi;
		char want[512];
		int o;
		if (i == m->spec_in)
			continue;
		grt_model_input(g, i, &name, &vi, NULL);
		snprintf(want, sizeof(want), "%s_out", name);
		o = grt_model_find_output(g, want);
		if (o >= 0) {
			grt_value vo;
			grt_model_output(g, o, NULL, &vo, NULL);
			/* declared output dims may be symbolic: the name decides then */
			if (vo.dtype != vi.dtype || used[o])
				o = -1;
		}
		if (o < 0) {
			int found = -1, count = 0;
			for (int k = 0; k < n_out; k++) {
				grt_value vo;
				grt_model_output(g, k, NULL, &vo, NULL);
				if (!used[k] && same_shape(&vi, &vo)) {
					found = k;
					count++;
				}
			}
			if (count == 1)
				o = found;
		}
		if (o < 0) {
			snprintf(err, err_len, "cache input '%s' has no matching output (expected '%s' or "
			         "exactly one output of the same shape)", name, want);
			return GTCRN_E_NOT_GTCRN;
		}
		for (int d = 0; d < vi.ndim; d++)
			if (vi.dims[d] < 0) {
				snprintf(err, err_len, "cache input '%s' has a dynamic dim", name);
				return GTCRN_E_NOT_GTCRN;
			}
		used[o] = 1;
		m->cache_in[n] = i;
		m->cache_out[n] = o;
		n++;
	}
	m->info.n_caches = n;
	return GTCRN_OK;
}

static int classify(gtcrn_model *m, char *err, size_t err_len)
{
	const grt_model *g = m->graph;
	int n_in = grt_model_n_inputs(g), n_out = grt_model_n_outputs(g), F = m->info.n_bins;
	int spec_in = -1, spec_out = -1;
	grt_value v;
	char io[512];

	for (int i = 0; i < n_in && spec_in < 0; i++) {
		grt_model_input(g, i, &m->info.spec_input, &v, NULL);
		if (is_spec(&v, F) && (v.dims[2] == 1 || v.dims[2] < 0))
			spec_in = i;
	}
	if (spec_in >= 0) {
		grt_model_input(g, spec_in, &m->info.spec_input, &v, NULL);
		m->info.kind = v.dims[2] < 0 ? GTCRN_OFFLINE : GTCRN_STREAMING;
		/* the spectrum output: named like the input's role or the first
		 * output that is not a cache of the same shape as an input */
		for (int o = 0; o < n_out && spec_out < 0; o++) {
			grt_value vo;
			const char *name;
			char want[512];
			int is_cache = 0;
			grt_model_output(g, o, &name, &vo, NULL);
			for (int i = 0; i < n_in; i++) {
				const char *iname;
				grt_model_input(g, i, &iname, NULL, NULL);
				snprintf(want, sizeof(want), "%s_out", iname);
				if (i != spec_in && !strcmp(want, name))
					is_cache = 1;
			}
			/* exporters may leave the output dims symbolic (-1) */
			if (!is_cache && vo.dtype == GRT_FLOAT && vo.ndim == 4 &&
			    (vo.dims[3] == 2 || vo.dims[3] < 0) && (vo.dims[1] == F || vo.dims[1] < 0))
				spec_out = o;
		}
	}
	if (spec_in < 0 || spec_out < 0 ||
	    (m->info.kind == GTCRN_OFFLINE && (n_in != 1 || n_out != 1))) {
		model_describe_io(g, io, sizeof(io));
		snprintf(err, err_len, "not a GTCRN export: expected a spectrum input (1, %d, T, 2) with "
		         "a dynamic T and one output of that shape (offline), or a spectrum input "
		         "(1, %d, 1, 2) plus cache inputs fed back from matching outputs (streaming); "
		         "found %s", F, F, io);
		return GTCRN_E_NOT_GTCRN;
	}
	m->spec_in = spec_in;
	m->spec_out = spec_out;
	grt_model_output(g, spec_out, &m->info.spec_output, NULL, NULL);
	if (m->info.kind == GTCRN_STREAMING)
		return pair_caches(m, err, err_len);
	return GTCRN_OK;
}

int model_load_common(grt_model *g, gtcrn_model **out, char *err, size_t err_len)
{
	gtcrn_model *m = calloc(1, sizeof(*m));
	gtcrn_model_info *in;
	const char *wt;
	int rc, sqrt_window;

	if (!m) {
		grt_model_free(g);
		snprintf(err, err_len, "out of memory");
		return GRT_E_NOMEM;
	}
	m->graph = g;
	in = &m->info;
	if ((rc = meta_int(g, "sample_rate", 16000, &in->sample_rate, err, err_len)) ||
	    (rc = meta_int(g, "n_fft", 512, &in->n_fft, err, err_len)) ||
	    (rc = meta_int(g, "hop_length", in->n_fft / 2, &in->hop_length, err, err_len)) ||
	    (rc = meta_int(g, "window_length", in->n_fft, &in->window_length, err, err_len)))
		goto fail;
	wt = grt_model_metadata(g, "window_type");
	if (!wt || !strcmp(wt, "hann_sqrt") || !strcmp(wt, "sqrt_hann") || !strcmp(wt, "sqrthann")) {
		sqrt_window = 1;
		snprintf(m->window_type, sizeof(m->window_type), "hann_sqrt");
	} else if (!strcmp(wt, "hann") || !strcmp(wt, "hanning")) {
		sqrt_window = 0;
		snprintf(m->window_type, sizeof(m->window_type), "hann");
	} else {
		snprintf(err, err_len, "metadata window_type '%s' is not supported (hann_sqrt or hann)", wt);
		rc = GTCRN_E_METADATA;
		goto fail;
	}
	in->window_type = m->window_type;
	if (in->window_length > in->n_fft || in->hop_length > in->window_length ||
	    in->n_fft % 2 || in->sample_rate < 1000) {
		snprintf(err, err_len, "metadata STFT settings n_fft %d, hop_length %d, window_length %d, "
		         "sample_rate %d do not fit together", in->n_fft, in->hop_length,
		         in->window_length, in->sample_rate);
		rc = GTCRN_E_METADATA;
		goto fail;
	}
	in->n_bins = in->n_fft / 2 + 1;
	in->latency = (size_t)in->n_fft - 1;
	if ((rc = classify(m, err, err_len)))
		goto fail;
	if ((rc = stft_init(&m->stft, in->n_fft, in->hop_length, in->window_length, sqrt_window,
	                    err, err_len)))
		goto fail;
	*out = m;
	return GTCRN_OK;
fail:
	gtcrn_model_free(m);
	return rc;
}

void err_prefix(const char *what, char *err, size_t err_len)
{
	char tmp[1024];

	if (!err || !err_len)
		return;
	snprintf(tmp, sizeof(tmp), "%s: %s", what, err);
	snprintf(err, err_len, "%s", tmp);
}

int gtcrn_model_load(const char *path, gtcrn_model **out, char *err, size_t err_len)
{
	grt_model *g = NULL;
	int rc;

	if (!path || !out) {
		if (err && err_len)
			snprintf(err, err_len, "gtcrn_model_load: %s is NULL", path ? "out" : "path");
		return GRT_E_ARG;
	}
	*out = NULL;
	rc = grt_model_load_file(path, &g, err, err_len);
	if (rc)
		return rc;
	rc = model_load_common(g, out, err, err_len);
	if (rc)
		err_prefix(path, err, err_len);
	return rc;
}

int gtcrn_model_load_buffer(const void *buf, size_t len, gtcrn_model **out, char *err,
                            size_t err_len)
{
	grt_model *g = NULL;
	int rc;

	if (!out) {
		if (err && err_len)
			snprintf(err, err_len, "gtcrn_model_load_buffer: out is NULL");
		return GRT_E_ARG;
	}
	*out = NULL;
	rc = grt_model_load_buffer(buf, len, &g, err, err_len);
	if (rc)
		return rc;
	return model_load_common(g, out, err, err_len);
}

void gtcrn_model_free(gtcrn_model *m)
{
	if (!m)
		return;
	stft_free(&m->stft);
	grt_model_free(m->graph);
	free(m);
}

int gtcrn_model_info_get(const gtcrn_model *m, gtcrn_model_info *info)
{
	if (!m || !info)
		return GRT_E_ARG;
	*info = m->info;
	return GTCRN_OK;
}

const grt_model *gtcrn_model_graph(const gtcrn_model *m)
{
	return m ? m->graph : NULL;
}

int gtcrn_model_cache(const gtcrn_model *m, int i, const char **input, const char **output)
{
	if (!m || i < 0 || i >= m->info.n_caches)
		return GRT_E_ARG;
	if (input)
		grt_model_input(m->graph, m->cache_in[i], input, NULL, NULL);
	if (output)
		grt_model_output(m->graph, m->cache_out[i], output, NULL, NULL);
	return GTCRN_OK;
}

/* The options' ranges, each with its own message (rate: the caller's). */
int opts_check(const gtcrn_opts *o, int rate, char *err, size_t err_len)
{
	if (rate < 1000 || rate > 768000) {
		snprintf(err, err_len, "sample rate %d Hz out of range 1000..768000", rate);
		return GRT_E_ARG;
	}
	if (!(o->mix >= 0 && o->mix <= 1)) {
		snprintf(err, err_len, "mix %g out of range 0..1", (double)o->mix);
		return GRT_E_ARG;
	}
	if (o->atten_lim_db != o->atten_lim_db) {
		snprintf(err, err_len, "attenuation limit is NaN (dB >= 0, or < 0 for none)");
		return GRT_E_ARG;
	}
	if (o->resample_quality > 10) {
		snprintf(err, err_len, "resample quality %d out of range 0..10 (< 0: the default)",
		         o->resample_quality);
		return GRT_E_ARG;
	}
	return GTCRN_OK;
}

void gtcrn_opts_init(gtcrn_opts *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof(*o));
	o->mix = 1.0f;
	o->atten_lim_db = -1.0f;
	o->resample_quality = -1;
}

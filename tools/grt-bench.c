/* grt-bench - how fast a model runs: per streaming frame (caches fed back)
 * or per whole file (offline exports), on the real STFT frames of a WAV file,
 * with the plan's memory, the model's multiply-adds, peak RSS and the heap
 * allocations made while timing (counted by tools/alloc_count.c). --profile
 * shows where the time goes. On the public grt.h and gtcrn.h. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "enhance/gtcrn.h"
#include "tools/alloc_count.h"
#include "tools/audio_resample.h"

/* --- options and state --------------------------------------------------- */

/* configure's --with-testdata folder, if it found one */
#ifndef TESTDATA_DIR
#define TESTDATA_DIR ""
#endif
#define DEFAULT_WAV (TESTDATA_DIR[0] ? TESTDATA_DIR "/mix.wav" : "../shared/testdata/mix.wav")

enum kind { KIND_STREAMING, KIND_OFFLINE, KIND_GENERIC };
#define MAX_SET 16

struct opts {
	const char *model;
	const char *wav;
	const char *save_spec;      /* .npy file for the spectrum, or NULL */
	long frames;                /* timed frames (streaming, generic) */
	long warmup;                /* untimed frames before them */
	long runs;                  /* timed whole-file runs (offline) */
	long top;                   /* nodes listed by --profile */
	int profile, json;
	int portable;               /* GRT_SESSION_PORTABLE: the portable kernels */
	/* other models: --shape NAME=AxBx... and --value NAME=V, in order given */
	int n_shapes, n_values;
	const char *shape[MAX_SET], *value[MAX_SET];
};

struct bench {
	const struct opts *o;
	enum kind kind;
	gtcrn_model *gm;            /* GTCRN-shaped model, or NULL */
	grt_model *own;             /* a generic model, loaded directly */
	const grt_model *g;         /* the graph either way */
	gtcrn_model_info info;
	size_t n_samples;           /* wav samples at the model's rate */
	size_t T;                   /* STFT frames of the wav */
	float *spec;                /* (1, F, T, 2) spectrum of the wav */
	float *frames;              /* [T][F][2] the same, frame-major */
	grt_session *s;
	grt_session_stats st;
	int n_planned;
	int64_t macs;               /* multiply-adds per run */
	double load_ms, plan_ms;
	float *spec_in;             /* (1, F, 1, 2) session input (streaming) */
	int n_caches;
	void **cache_in;            /* [n_caches] the session's cache inputs */
	const void **cache_out;     /* [n_caches] the outputs they are fed back from */
	size_t *cache_bytes;        /* [n_caches] */
	uint64_t *times;            /* [n_times] ns per timed run */
	size_t n_times;
	unsigned long allocs;       /* allocator calls during the timed runs */
	uint64_t *node_ns;          /* [n_planned] profile: ns per planned node */
	size_t n_profiled;          /* runs summed in node_ns */
	char err[512];
};

struct summary {
	double min_us, median_us, mean_us, p99_us, max_us;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: grt-bench [options] MODEL.onnx\n"
	        "Times MODEL on the STFT frames of a WAV file and prints the figures, then one\n"
	        "line with the same figures as a JSON object.\n"
	        "  Streaming GTCRN exports: one frame per run, caches copied back from their\n"
	        "  outputs (the copy is timed with the run), frame t %% T of the file, looped.\n"
	        "  Offline exports (dynamic T): the whole file in one run.\n"
	        "  Other models: declared input shapes, fixed pseudo-random float inputs,\n"
	        "  other inputs 0, unless set below.\n"
	        "options:\n"
	        "  --wav FILE       input audio (default %s)\n"
	        "  --frames N       timed frames (streaming) or runs (other models) (default 2000)\n"
	        "  --warmup N       untimed frames before them (default 100)\n"
	        "  --runs N         timed whole-file runs, offline, after one untimed (default 10)\n"
	        "  --profile        run the timed frames again with per-node timing and print\n"
	        "                   the time per op type, per node and per module path\n"
	        "  --top N          nodes listed by --profile (default 20)\n"
	        "  --json           print only the JSON line (no --profile tables)\n"
	        "  --portable       run the portable kernels even where the CPU has faster\n"
	        "                   ones (AVX2): GRT_SESSION_PORTABLE\n"
	        "  --save-spec FILE write the model's input spectrum (1, F, T, 2) as .npy\n"
	        "  --shape NAME=AxB...  other models: plan input NAME with this shape\n"
	        "  --value NAME=V   other models: every element of input NAME is V\n",
	        DEFAULT_WAV);
}

static int parse_long(const char *s, long min, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > INT_MAX)
		return -1;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	o->wav = DEFAULT_WAV;
	o->frames = 2000;
	o->warmup = 100;
	o->runs = 10;
	o->top = 20;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		long *num = NULL, min = 1;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--profile")) {
			o->profile = 1;
			continue;
		} else if (!strcmp(a, "--json")) {
			o->json = 1;
			continue;
		} else if (!strcmp(a, "--portable")) {
			o->portable = 1;
			continue;
		} else if (!strcmp(a, "--wav") && v) {
			o->wav = v;
		} else if (!strcmp(a, "--save-spec") && v) {
			o->save_spec = v;
		} else if ((!strcmp(a, "--shape") || !strcmp(a, "--value")) && v && strchr(v, '=')) {
			int *n = a[2] == 's' ? &o->n_shapes : &o->n_values;
			if (*n == MAX_SET) {
				fprintf(stderr, "grt-bench: more than %d %s options\n", MAX_SET, a);
				return -1;
			}
			(a[2] == 's' ? o->shape : o->value)[(*n)++] = v;
		} else if (!strcmp(a, "--frames") && v) {
			num = &o->frames;
		} else if (!strcmp(a, "--warmup") && v) {
			num = &o->warmup;
			min = 0;
		} else if (!strcmp(a, "--runs") && v) {
			num = &o->runs;
		} else if (!strcmp(a, "--top") && v) {
			num = &o->top;
			min = 0;
		} else if (a[0] != '-' && !o->model) {
			o->model = a;
			continue;
		} else {
			fprintf(stderr, "grt-bench: bad argument '%s'\n", a);
			return -1;
		}
		if (num && parse_long(v, min, num)) {
			fprintf(stderr, "grt-bench: %s needs an integer >= %ld, got '%s'\n", a, min, v);
			return -1;
		}
		i++;
	}
	if (!o->model) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* --- input: the WAV file at the model's rate and its STFT ------------------ */

static int read_wav(struct bench *b, float **out)
{
	SF_INFO info;
	SNDFILE *f;
	float *raw = NULL, *x = NULL;
	size_t n, ch;
	int rate = b->info.sample_rate;

	memset(&info, 0, sizeof(info));
	*out = NULL;
	f = sf_open(b->o->wav, SFM_READ, &info);
	if (!f) {
		snprintf(b->err, sizeof(b->err), "%s: %s", b->o->wav, sf_strerror(NULL));
		return GRT_E_IO;
	}
	if (info.frames <= 0 || info.channels <= 0 || info.frames > (1ll << 30) / info.channels) {
		snprintf(b->err, sizeof(b->err), "%s: %lld frames of %d channels: empty or too long",
		         b->o->wav, (long long)info.frames, info.channels);
		sf_close(f);
		return GRT_E_IO;
	}
	n = (size_t)info.frames;
	ch = (size_t)info.channels;
	raw = malloc(sizeof(float) * n * ch);
	if (!raw) {
		sf_close(f);
		snprintf(b->err, sizeof(b->err), "out of memory");
		return GRT_E_NOMEM;
	}
	if (sf_readf_float(f, raw, info.frames) != info.frames) {
		snprintf(b->err, sizeof(b->err), "%s: short read: %s", b->o->wav, sf_strerror(f));
		sf_close(f);
		free(raw);
		return GRT_E_IO;
	}
	sf_close(f);
	for (size_t i = 0; i < n; i++) {             /* mono: the mean of the channels */
		float s = 0;
		for (size_t c = 0; c < ch; c++)
			s += raw[i * ch + c];
		raw[i] = s / (float)ch;
	}
	if (info.samplerate != rate) {
		double ratio = (double)rate / info.samplerate;
		size_t cap = (size_t)ceil((double)n * ratio) + 16, got;
		char why[128];
		int rc;
		x = malloc(sizeof(float) * cap);
		if (!x) {
			free(raw);
			snprintf(b->err, sizeof(b->err), "out of memory");
			return GRT_E_NOMEM;
		}
		rc = audio_resample_whole(raw, n, info.samplerate, rate, x, cap, &got, why, sizeof(why));
		free(raw);
		if (rc) {
			free(x);
			snprintf(b->err, sizeof(b->err), "resampling %s from %d to %d Hz: %s", b->o->wav,
			         info.samplerate, rate, why);
			return GTCRN_E_RESAMPLE;
		}
		n = got;
	} else {
		x = raw;
	}
	b->n_samples = n;
	*out = x;
	return GRT_OK;
}

static int make_spectrum(struct bench *b)
{
	const gtcrn_model_info *in = &b->info;
	float *x = NULL;
	size_t F = (size_t)in->n_bins;
	int rc;

	if ((rc = read_wav(b, &x)))
		return rc;
	if (b->n_samples <= (size_t)in->n_fft / 2) {
		snprintf(b->err, sizeof(b->err), "%s: %zu samples; need more than %d for the STFT",
		         b->o->wav, b->n_samples, in->n_fft / 2);
		free(x);
		return GRT_E_IO;
	}
	b->T = gtcrn_stft_frames(b->gm, b->n_samples);
	b->spec = malloc(sizeof(float) * F * b->T * 2);
	b->frames = malloc(sizeof(float) * F * b->T * 2);
	if (!b->spec || !b->frames) {
		rc = GRT_E_NOMEM;
		snprintf(b->err, sizeof(b->err), "out of memory");
	} else if (!(rc = gtcrn_stft(b->gm, x, b->n_samples, b->spec, b->err, sizeof(b->err)))) {
		for (size_t t = 0; t < b->T; t++)
			for (size_t f = 0; f < F; f++) {
				b->frames[(t * F + f) * 2] = b->spec[(f * b->T + t) * 2];
				b->frames[(t * F + f) * 2 + 1] = b->spec[(f * b->T + t) * 2 + 1];
			}
	}
	free(x);
	return rc;
}

/* The spectrum as a float32 C-order .npy (1, F, T, 2). */
static int save_spectrum(const struct bench *b, const char *path)
{
	char hdr[128];
	size_t n = (size_t)b->info.n_bins * b->T * 2;
	int len = snprintf(hdr + 10, sizeof(hdr) - 10,
	                   "{'descr': '<f4', 'fortran_order': False, 'shape': (1, %d, %zu, 2), }",
	                   b->info.n_bins, b->T);
	int total = 10 + len + 1, pad = (64 - total % 64) % 64;
	FILE *f;

	if (len < 0 || total + pad > (int)sizeof(hdr))
		return GRT_E_LIMIT;
	memcpy(hdr, "\x93NUMPY\x01\x00", 8);
	hdr[8] = (char)((len + pad + 1) & 0xff);
	hdr[9] = (char)((len + pad + 1) >> 8);
	memset(hdr + 10 + len, ' ', (size_t)pad);
	hdr[10 + len + pad] = '\n';
	f = fopen(path, "wb");
	if (!f)
		return GRT_E_IO;
	if (fwrite(hdr, 1, (size_t)(total + pad), f) != (size_t)(total + pad) ||
	    fwrite(b->spec, sizeof(float), n, f) != n) {
		fclose(f);
		return GRT_E_IO;
	}
	return fclose(f) ? GRT_E_IO : GRT_OK;
}

/* --- model and session ---------------------------------------------------- */

static int load_model(struct bench *b)
{
	uint64_t t0 = now_ns();
	int rc = gtcrn_model_load(b->o->model, &b->gm, b->err, sizeof(b->err));

	if (rc == GTCRN_E_NOT_GTCRN) {
		rc = grt_model_load_file(b->o->model, &b->own, b->err, sizeof(b->err));
		if (rc)
			return rc;
		b->g = b->own;
		b->kind = KIND_GENERIC;
	} else if (rc) {
		return rc;
	} else {
		b->g = gtcrn_model_graph(b->gm);
		gtcrn_model_info_get(b->gm, &b->info);
		b->kind = b->info.kind == GTCRN_OFFLINE ? KIND_OFFLINE : KIND_STREAMING;
	}
	b->load_ms = (double)(now_ns() - t0) / 1e6;
	return GRT_OK;
}

/* Fixed inputs for a generic model: floats in [-1, 1), other types zero. */
/* "NAME=..." names input i of g: the text after '=', else NULL. */
static const char *setting_for(const grt_model *g, int i, const char *const *set, int n)
{
	const char *name;

	grt_model_input(g, i, &name, NULL, NULL);
	for (int k = n - 1; k >= 0; k--) {
		size_t len = (size_t)(strchr(set[k], '=') - set[k]);
		if (strlen(name) == len && !strncmp(set[k], name, len))
			return set[k] + len + 1;
	}
	return NULL;
}

/* Every --shape names an input and gives a shape of its rank. */
static int generic_shapes(struct bench *b, grt_value *inputs)
{
	for (int k = 0; k < b->o->n_shapes; k++) {
		int found = 0;
		for (int i = 0; i < grt_model_n_inputs(b->g); i++) {
			const char *s = setting_for(b->g, i, &b->o->shape[k], 1);
			int d = 0;
			if (!s)
				continue;
			found = 1;
			for (char *end; *s && d < GRT_MAX_DIMS; s = *end ? end + 1 : end) {
				inputs[i].dims[d++] = strtoll(s, &end, 10);
				if (end == s || (*end && *end != 'x'))
					break;
			}
			if (*s || d != inputs[i].ndim) {
				snprintf(b->err, sizeof(b->err), "--shape %s: give %d dims as AxB...",
				         b->o->shape[k], inputs[i].ndim);
				return GRT_E_ARG;
			}
		}
		if (!found) {
			snprintf(b->err, sizeof(b->err), "--shape %s: the model has no such input",
			         b->o->shape[k]);
			return GRT_E_ARG;
		}
	}
	return GRT_OK;
}

static void fill_generic(struct bench *b)
{
	uint32_t r = 12345;

	for (int i = 0; i < grt_model_n_inputs(b->g); i++) {
		grt_value v;
		int64_t n;
		if (grt_session_input(b->s, i, &v) || !v.data)
			continue;
		n = grt_value_numel(&v);
		memset(v.data, 0, (size_t)n * grt_dtype_size(v.dtype));
		if (setting_for(b->g, i, b->o->value, b->o->n_values)) {
			double x = strtod(setting_for(b->g, i, b->o->value, b->o->n_values), NULL);
			for (int64_t k = 0; k < n; k++)
				switch (v.dtype) {
				case GRT_FLOAT: ((float *)v.data)[k] = (float)x; break;
				case GRT_DOUBLE: ((double *)v.data)[k] = x; break;
				case GRT_INT64: ((int64_t *)v.data)[k] = (int64_t)x; break;
				case GRT_INT32: ((int32_t *)v.data)[k] = (int32_t)x; break;
				case GRT_BOOL: ((uint8_t *)v.data)[k] = x != 0; break;
				default: break;
				}
		} else if (v.dtype == GRT_FLOAT)
			for (int64_t k = 0; k < n; k++) {
				r = r * 1664525u + 1013904223u;
				((float *)v.data)[k] = (float)(r >> 8) / 8388608.0f - 1.0f;
			}
	}
}

static int make_session(struct bench *b)
{
	grt_session_opts so;
	grt_value *inputs = NULL;
	uint64_t t0;
	int rc, n_in = grt_model_n_inputs(b->g);
	int spec = b->kind == KIND_GENERIC ? -1 : grt_model_find_input(b->g, b->info.spec_input);

	memset(&so, 0, sizeof(so));
	if (b->o->portable)
		so.flags |= GRT_SESSION_PORTABLE;
	if (b->kind == KIND_STREAMING)       /* as the enhancement library plans it */
		for (int k = 0; k < b->info.n_caches; k++) {
			const char *ci;
			int i;
			gtcrn_model_cache(b->gm, k, &ci, NULL);
			i = grt_model_find_input(b->g, ci);
			if (i >= 0 && i < 64)
				so.scratch_inputs |= (uint64_t)1 << i;
		}
	if (b->kind == KIND_OFFLINE || (b->kind == KIND_GENERIC && b->o->n_shapes)) {
		/* the spectrum input with T = the file's frames; or the shapes given */
		inputs = calloc((size_t)n_in, sizeof(*inputs));
		if (!inputs) {
			snprintf(b->err, sizeof(b->err), "out of memory");
			return GRT_E_NOMEM;
		}
		for (int i = 0; i < n_in; i++)
			grt_model_input(b->g, i, NULL, &inputs[i], NULL);
		if (b->kind == KIND_OFFLINE) {
			inputs[spec].dims[2] = (int64_t)b->T;
		} else if ((rc = generic_shapes(b, inputs))) {
			free(inputs);
			return rc;
		}
		so.inputs = inputs;
		so.n_inputs = n_in;
	}
	t0 = now_ns();
	rc = grt_session_create(b->g, &so, &b->s, b->err, sizeof(b->err));
	b->plan_ms = (double)(now_ns() - t0) / 1e6;
	free(inputs);
	if (rc)
		return rc;
	grt_session_stats_get(b->s, &b->st);
	b->n_planned = grt_session_n_planned(b->s);
	for (int i = 0; i < b->n_planned; i++) {
		grt_node_info ni;
		if (!grt_session_node(b->s, i, &ni))
			b->macs += ni.macs;
	}
	if (b->kind == KIND_GENERIC) {
		fill_generic(b);
		return GRT_OK;
	}
	{
		grt_value v;
		int64_t want = (int64_t)b->info.n_bins * 2 * (b->kind == KIND_OFFLINE ? (int64_t)b->T : 1);
		grt_session_input(b->s, spec, &v);
		if (grt_value_numel(&v) != want || !v.data) {
			snprintf(b->err, sizeof(b->err), "spectrum input '%s' has %lld values, expected %lld",
			         b->info.spec_input, (long long)grt_value_numel(&v), (long long)want);
			return GTCRN_E_NOT_GTCRN;
		}
		b->spec_in = v.data;
	}
	if (b->kind == KIND_OFFLINE) {
		memcpy(b->spec_in, b->spec, sizeof(float) * (size_t)b->info.n_bins * 2 * b->T);
		return GRT_OK;
	}
	b->n_caches = b->info.n_caches;
	b->cache_in = calloc((size_t)b->n_caches + 1, sizeof(*b->cache_in));
	b->cache_out = calloc((size_t)b->n_caches + 1, sizeof(*b->cache_out));
	b->cache_bytes = calloc((size_t)b->n_caches + 1, sizeof(*b->cache_bytes));
	if (!b->cache_in || !b->cache_out || !b->cache_bytes) {
		snprintf(b->err, sizeof(b->err), "out of memory");
		return GRT_E_NOMEM;
	}
	for (int k = 0; k < b->n_caches; k++) {
		const char *ci, *co;
		grt_value vi, vo;
		gtcrn_model_cache(b->gm, k, &ci, &co);
		grt_session_input(b->s, grt_model_find_input(b->g, ci), &vi);
		grt_session_output(b->s, grt_model_find_output(b->g, co), &vo);
		if (!vi.data || grt_value_numel(&vi) != grt_value_numel(&vo) || vi.dtype != vo.dtype) {
			snprintf(b->err, sizeof(b->err), "cache %d: output shape differs from its input", k);
			return GTCRN_E_NOT_GTCRN;
		}
		b->cache_in[k] = vi.data;
		b->cache_out[k] = vo.data;
		b->cache_bytes[k] = (size_t)grt_value_numel(&vi) * grt_dtype_size(vi.dtype);
		memset(vi.data, 0, b->cache_bytes[k]);
	}
	return GRT_OK;
}

/* --- timing ---------------------------------------------------------------- */

/* One step: frame i % T in (streaming), the run, the caches back. The run
 * and the cache copies are timed into *t, or profiled into ns. */
static int step(struct bench *b, long i, uint64_t *t, uint64_t *ns)
{
	uint64_t t0;
	int rc;

	if (b->kind == KIND_STREAMING) {
		size_t F2 = (size_t)b->info.n_bins * 2;
		memcpy(b->spec_in, b->frames + (size_t)i % b->T * F2, sizeof(float) * F2);
	}
	t0 = now_ns();
	rc = ns ? grt_session_run_profiled(b->s, ns) : grt_session_run(b->s);
	for (int k = 0; k < b->n_caches; k++)
		if (b->cache_in[k] != b->cache_out[k])
			memcpy(b->cache_in[k], b->cache_out[k], b->cache_bytes[k]);
	if (t)
		*t = now_ns() - t0;
	if (rc)
		snprintf(b->err, sizeof(b->err), "run %ld: %s", i, grt_session_errmsg(b->s));
	return rc;
}

static int bench_frames(struct bench *b)
{
	long warm = b->o->warmup, n = b->o->frames;
	unsigned long a0;
	int rc;

	b->n_times = (size_t)n;
	b->times = calloc((size_t)n, sizeof(uint64_t));
	if (!b->times) {
		snprintf(b->err, sizeof(b->err), "out of memory");
		return GRT_E_NOMEM;
	}
	for (long i = 0; i < warm; i++)
		if ((rc = step(b, i, NULL, NULL)))
			return rc;
	a0 = alloc_count_allocs();
	for (long i = warm; i < warm + n; i++)
		if ((rc = step(b, i, &b->times[i - warm], NULL)))
			return rc;
	b->allocs = alloc_count_allocs() - a0;
	if (!b->o->profile || b->o->json)
		return GRT_OK;
	b->node_ns = calloc((size_t)b->n_planned + 1, sizeof(uint64_t));
	if (!b->node_ns) {
		snprintf(b->err, sizeof(b->err), "out of memory");
		return GRT_E_NOMEM;
	}
	for (long i = warm + n; i < warm + 2 * n; i++)
		if ((rc = step(b, i, NULL, b->node_ns)))
			return rc;
	b->n_profiled = (size_t)n;
	return GRT_OK;
}

static int bench_offline(struct bench *b)
{
	long runs = b->o->runs;
	unsigned long a0;
	int rc;

	b->n_times = (size_t)runs;
	b->times = calloc((size_t)runs, sizeof(uint64_t));
	if (!b->times) {
		snprintf(b->err, sizeof(b->err), "out of memory");
		return GRT_E_NOMEM;
	}
	if ((rc = grt_session_run(b->s)))           /* warm-up */
		goto fail;
	a0 = alloc_count_allocs();
	for (long r = 0; r < runs; r++) {
		uint64_t t0 = now_ns();
		rc = grt_session_run(b->s);
		b->times[r] = now_ns() - t0;
		if (rc)
			goto fail;
	}
	b->allocs = alloc_count_allocs() - a0;
	if (!b->o->profile || b->o->json)
		return GRT_OK;
	b->node_ns = calloc((size_t)b->n_planned + 1, sizeof(uint64_t));
	if (!b->node_ns) {
		snprintf(b->err, sizeof(b->err), "out of memory");
		return GRT_E_NOMEM;
	}
	for (long r = 0; r < runs; r++)
		if ((rc = grt_session_run_profiled(b->s, b->node_ns)))
			goto fail;
	b->n_profiled = (size_t)runs;
	return GRT_OK;
fail:
	snprintf(b->err, sizeof(b->err), "offline run: %s", grt_session_errmsg(b->s));
	return rc;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static struct summary summarize(uint64_t *t, size_t n)
{
	struct summary s;
	double sum = 0;
	size_t p99 = (size_t)ceil(0.99 * (double)n);

	qsort(t, n, sizeof(*t), cmp_u64);
	for (size_t i = 0; i < n; i++)
		sum += (double)t[i];
	s.min_us = (double)t[0] / 1e3;
	s.max_us = (double)t[n - 1] / 1e3;
	s.mean_us = sum / (double)n / 1e3;
	s.median_us = (n % 2 ? (double)t[n / 2] : ((double)t[n / 2 - 1] + (double)t[n / 2]) / 2) / 1e3;
	s.p99_us = (double)t[(p99 ? p99 : 1) - 1] / 1e3;
	return s;
}

/* --- profile tables -------------------------------------------------------- */

struct group {
	char key[160];
	uint64_t ns;
	int64_t macs;
	int nodes;
};

/* The exporter's module path of a node name, without the last component
 * (the op): "/encoder/en_convs.2/point_conv1/Conv" -> "encoder/en_convs.2"
 * at depth 2, "encoder" at depth 1, the whole path at depth 0. Names without
 * '/' are "(unnamed)"; "/Concat_3" is "(top level)". */
static void module_of(const char *name, int depth, char *out, size_t len)
{
	const char *p = name, *last;
	int k = 0;

	if (!strchr(name, '/')) {
		snprintf(out, len, "(unnamed)");
		return;
	}
	while (*p == '/')
		p++;
	last = strrchr(p, '/');
	if (!last) {
		snprintf(out, len, "(top level)");
		return;
	}
	if (depth > 0) {
		const char *q = p;
		while (q < last) {
			const char *sl = strchr(q, '/');
			if (++k == depth || sl == last) {
				last = sl;
				break;
			}
			q = sl + 1;
		}
	}
	snprintf(out, len, "%.*s", (int)(last - p), p);
}

static struct group *group_add(struct group *g, int *n, const char *key, uint64_t ns, int64_t macs)
{
	int i;

	for (i = 0; i < *n; i++)
		if (!strcmp(g[i].key, key))
			break;
	if (i == *n) {
		snprintf(g[i].key, sizeof(g[i].key), "%s", key);
		g[i].ns = 0;
		g[i].macs = 0;
		g[i].nodes = 0;
		(*n)++;
	}
	g[i].ns += ns;
	g[i].macs += macs;
	g[i].nodes++;
	return &g[i];
}

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	return x->ns < y->ns ? 1 : x->ns > y->ns ? -1 : strcmp(x->key, y->key);
}

static void print_groups(const char *title, struct group *g, int n, double total_ns, double runs,
                         int limit)
{
	qsort(g, (size_t)n, sizeof(*g), cmp_group);
	printf("\n%-44s %10s %7s %6s %12s\n", title, "us/run", "%", "nodes", "MACs/run");
	for (int i = 0; i < n && i < limit; i++)
		printf("%-44s %10.2f %6.1f%% %6d %12lld\n", g[i].key, (double)g[i].ns / runs / 1e3,
		       total_ns > 0 ? 100.0 * (double)g[i].ns / total_ns : 0.0, g[i].nodes,
		       (long long)g[i].macs);
	if (n > limit)
		printf("(%d more)\n", n - limit);
}

static int print_profile(const struct bench *b, double median_us)
{
	int n = b->n_planned, n_ops = 0, n_mod = 0, n_stage = 0, n_unnamed = 0;
	struct group *ops = calloc((size_t)n + 1, sizeof(*ops));
	struct group *mods = calloc((size_t)n + 1, sizeof(*mods));
	struct group *stages = calloc((size_t)n + 1, sizeof(*stages));
	struct group *nodes = calloc((size_t)n + 1, sizeof(*nodes));
	double total = 0, runs = (double)b->n_profiled;

	if (!ops || !mods || !stages || !nodes) {
		free(ops);
		free(mods);
		free(stages);
		free(nodes);
		return GRT_E_NOMEM;
	}
	for (int i = 0; i < n; i++) {
		grt_node_info ni;
		char key[160];
		grt_session_node(b->s, i, &ni);
		total += (double)b->node_ns[i];
		group_add(ops, &n_ops, ni.op_type, b->node_ns[i], ni.macs);
		n_unnamed += !strchr(ni.name, '/');
		module_of(ni.name, 2, key, sizeof(key));
		group_add(mods, &n_mod, key, b->node_ns[i], ni.macs);
		module_of(ni.name, 1, key, sizeof(key));
		group_add(stages, &n_stage, key, b->node_ns[i], ni.macs);
		/* one entry per node: "OpType name" (the output name if unnamed) */
		snprintf(key, sizeof(key), "%-16s %s%s", ni.op_type, ni.name[0] ? ni.name : "-> ",
		         ni.name[0] ? "" : ni.output);
		snprintf(nodes[i].key, sizeof(nodes[i].key), "%s", key);
		nodes[i].ns = b->node_ns[i];
		nodes[i].macs = ni.macs;
		nodes[i].nodes = 1;
	}
	printf("\nprofile: %zu runs with grt_session_run_profiled; node times sum to %.2f us/run "
	       "(clean median %.2f us; the difference is the timer and the loop)\n",
	       b->n_profiled, total / runs / 1e3, median_us);
	print_groups("op type", ops, n_ops, total, runs, INT_MAX);
	if (n_unnamed == n) {
		printf("\nstage, module: no node name carries a module path (\"/encoder/...\")\n");
	} else {
		print_groups("stage (first component of the name's path)", stages, n_stage, total,
		             runs, INT_MAX);
		print_groups("module (first two components)", mods, n_mod, total, runs, INT_MAX);
	}
	print_groups("node (op type, name)", nodes, n, total, runs, (int)b->o->top);
	free(ops);
	free(mods);
	free(stages);
	free(nodes);
	return GRT_OK;
}

/* --- report ----------------------------------------------------------------- */

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Peak resident set: VmHWM of this program's memory map. ru_maxrss is the
 * fallback only: Linux carries it across execve, so under a parent that
 * forks (node's spawnSync) it reports the parent's size. */
static long peak_rss_kib(void)
{
	struct rusage ru;
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
				break;
		fclose(f);
	}
	if (kib < 0 && !getrusage(RUSAGE_SELF, &ru))
		kib = ru.ru_maxrss;
	return kib;
}

static const char *kind_name(enum kind k)
{
	return k == KIND_STREAMING ? "streaming" : k == KIND_OFFLINE ? "offline" : "generic";
}

/* The human-readable lines (without --json), then the profile (with
 * --profile), then one JSON line with the same figures: always the last. */
static int report(const struct bench *b, const struct summary *s)
{
	const struct opts *o = b->o;
	const grt_session_stats *st = &b->st;
	double hop_us = b->kind == KIND_STREAMING ?
	                1e6 * b->info.hop_length / b->info.sample_rate : 0;
	double audio_s = b->kind == KIND_GENERIC ? 0 : (double)b->n_samples / b->info.sample_rate;
	double rtf = b->kind == KIND_STREAMING ? s->median_us / hop_us :
	             b->kind == KIND_OFFLINE ? s->median_us / 1e6 / audio_s : 0;
	double gmacs = (double)b->macs / (s->median_us * 1e3);
	long rss = peak_rss_kib();
	const char *base = strrchr(o->model, '/');

	base = base ? base + 1 : o->model;
	if (!o->json) {
		if (b->kind == KIND_GENERIC)
			printf("model        %s (not a GTCRN export: declared input shapes, fixed "
			       "pseudo-random inputs)\n", base);
		else
			printf("model        %s (%s, %d Hz, n_fft %d, hop %d = %.3f ms, %d caches)\n", base,
			       kind_name(b->kind), b->info.sample_rate, b->info.n_fft, b->info.hop_length,
			       1e3 * b->info.hop_length / b->info.sample_rate, b->info.n_caches);
		if (b->kind == KIND_STREAMING)
			printf("input        %s: %zu samples, %zu frames, fed frame t %% %zu; %ld warm-up "
			       "then %ld timed frames\n", o->wav, b->n_samples, b->T, b->T, o->warmup,
			       o->frames);
		else if (b->kind == KIND_OFFLINE)
			printf("input        %s: %zu samples (%.3f s), T = %zu frames in one run; 1 warm-up "
			       "then %ld timed runs\n", o->wav, b->n_samples, audio_s, b->T, o->runs);
		else
			printf("input        %ld warm-up then %ld timed runs\n", o->warmup, o->frames);
		printf("plan         %d nodes in the model, %d to run (%d folded, %d dead, %d aliased, "
		       "%d in place); load %.1f ms, plan %.1f ms\n", st->n_nodes_model,
		       st->n_nodes_planned, st->n_nodes_folded, st->n_nodes_dead, st->n_nodes_aliased,
		       st->n_nodes_inplace, b->load_ms, b->plan_ms);
		printf("memory       arena %zu bytes, scratch %zu, constants %zu; peak RSS %ld KiB\n",
		       st->arena_bytes, st->scratch_bytes, st->const_bytes, rss);
		if (b->kind == KIND_OFFLINE) {
			printf("whole file   median %.3f ms, min %.3f, max %.3f (grt_session_run); "
			       "%.2f us per frame\n", s->median_us / 1e3, s->min_us / 1e3,
			       s->max_us / 1e3, s->median_us / (double)b->T);
			printf("speed        real-time factor %.5f (median time / %.3f s of audio)\n", rtf,
			       audio_s);
			printf("arithmetic   %lld MACs per run (%.0f per frame), %.2f GMAC/s at the median\n",
			       (long long)b->macs, (double)b->macs / (double)b->T, gmacs);
		} else {
			printf("per %s    median %.2f us, mean %.2f, p99 %.2f, max %.2f, min %.2f%s\n",
			       b->kind == KIND_STREAMING ? "frame" : "run  ", s->median_us, s->mean_us,
			       s->p99_us, s->max_us, s->min_us,
			       b->kind == KIND_STREAMING ? " (grt_session_run + cache copies)" : "");
			if (b->kind == KIND_STREAMING)
				printf("speed        %.0f frames/s (from the mean), real-time factor %.5f "
				       "(median / %.0f us hop)\n", 1e6 / s->mean_us, rtf, hop_us);
			printf("arithmetic   %lld MACs per run, %.2f GMAC/s at the median\n",
			       (long long)b->macs, gmacs);
		}
		printf("allocations  %lu during the timed runs (malloc, calloc, realloc, posix_memalign, "
		       "aligned_alloc called by the runtime and this program)\n", b->allocs);
		if (b->o->profile && print_profile(b, s->median_us))
			return GRT_E_NOMEM;
	}
	printf("{\"tool\":\"grt-bench\",\"model\":");
	json_str(o->model);
	printf(",\"kind\":\"%s\"", kind_name(b->kind));
	if (b->kind != KIND_GENERIC) {
		printf(",\"wav\":");
		json_str(o->wav);
		printf(",\"sample_rate\":%d,\"hop\":%d,\"samples\":%zu,\"T\":%zu", b->info.sample_rate,
		       b->info.hop_length, b->n_samples, b->T);
	}
	if (b->kind == KIND_OFFLINE)
		printf(",\"warmup\":1,\"runs\":%ld,\"audio_s\":%.6f,\"median_ms\":%.4f,\"min_ms\":%.4f,"
		       "\"max_ms\":%.4f,\"per_frame_us\":%.3f,\"rtf\":%.6f", o->runs, audio_s,
		       s->median_us / 1e3, s->min_us / 1e3, s->max_us / 1e3,
		       s->median_us / (double)b->T, rtf);
	else
		printf(",\"warmup\":%ld,\"frames\":%ld,\"median_us\":%.3f,\"mean_us\":%.3f,"
		       "\"p99_us\":%.3f,\"max_us\":%.3f,\"min_us\":%.3f,\"frames_per_s\":%.1f", o->warmup,
		       o->frames, s->median_us, s->mean_us, s->p99_us, s->max_us, s->min_us,
		       1e6 / s->mean_us);
	if (b->kind == KIND_STREAMING)
		printf(",\"rtf\":%.6f", rtf);
	printf(",\"macs_per_run\":%lld,\"gmac_per_s\":%.4f,\"arena_bytes\":%zu,\"scratch_bytes\":%zu,"
	       "\"const_bytes\":%zu,\"peak_rss_kib\":%ld,\"allocs\":%lu,\"nodes_model\":%d,"
	       "\"nodes_planned\":%d,\"load_ms\":%.3f,\"plan_ms\":%.3f}\n", (long long)b->macs, gmacs,
	       st->arena_bytes, st->scratch_bytes, st->const_bytes, rss, b->allocs,
	       st->n_nodes_model, st->n_nodes_planned, b->load_ms, b->plan_ms);
	return GRT_OK;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct bench b;
	struct summary s;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&b, 0, sizeof(b));
	if (parse_args(argc, argv, &o))
		return 2;
	b.o = &o;
	if ((rc = load_model(&b)))
		goto fail;
	if (b.kind != KIND_GENERIC && (rc = make_spectrum(&b)))
		goto fail;
	if (o.save_spec) {
		if (b.kind == KIND_GENERIC) {
			snprintf(b.err, sizeof(b.err), "--save-spec: not a GTCRN export, no spectrum");
			rc = GRT_E_ARG;
			goto fail;
		}
		if ((rc = save_spectrum(&b, o.save_spec))) {
			snprintf(b.err, sizeof(b.err), "%s: cannot write: %s", o.save_spec, strerror(errno));
			goto fail;
		}
	}
	if ((rc = make_session(&b)))
		goto fail;
	rc = b.kind == KIND_OFFLINE ? bench_offline(&b) : bench_frames(&b);
	if (rc)
		goto fail;
	s = summarize(b.times, b.n_times);
	if ((rc = report(&b, &s))) {
		snprintf(b.err, sizeof(b.err), "out of memory");
		goto fail;
	}
	if (fflush(stdout) || ferror(stdout)) {
		snprintf(b.err, sizeof(b.err), "writing the report: %s", strerror(errno));
		rc = GRT_E_IO;
		goto fail;
	}
fail:
	if (rc)
		fprintf(stderr, "grt-bench: %s: %s (%s)\n", o.model, b.err, gtcrn_strerror(rc));
	grt_session_free(b.s);
	gtcrn_model_free(b.gm);
	grt_model_free(b.own);
	free(b.spec);
	free(b.frames);
	free(b.times);
	free(b.node_ns);
	free(b.cache_in);
	free(b.cache_out);
	free(b.cache_bytes);
	return rc ? 1 : 0;
}

/* resample_measure.c - measures the resamplers the project could use
 * (speexdsp, libsamplerate, soxr) for docs/RESAMPLING.md: passband ripple,
 * aliasing/imaging, delay and holdback, cost per output sample in the
 * enhancer's 16 ms blocks, and heap calls while processing. Built and run by
 * `make measure-resamplers`; not installed, not part of make check. */
#include <errno.h>
#include <math.h>
#include <malloc.h>
#include <samplerate.h>
#include <soxr.h>
#include <speex/speex_resampler.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- allocator interposition ---------------------------------------------
 * Defined in the executable, these take the place of libc's for every
 * shared library too (ELF symbol interposition), so calls made inside
 * libspeexdsp, libsamplerate and libsoxr are counted. */

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void *__libc_memalign(size_t align, size_t n);
void __libc_free(void *p);

static unsigned long n_heap_calls;   /* malloc, calloc, realloc, *memalign, free(non-NULL) */
static long long live_bytes;         /* usable bytes currently allocated */

static void *counted(void *p)
{
	n_heap_calls++;
	if (p)
		live_bytes += (long long)malloc_usable_size(p);
	return p;
}

void *malloc(size_t n)
{
	return counted(__libc_malloc(n));
}

void *calloc(size_t n, size_t size)
{
	return counted(__libc_calloc(n, size));
}

void free(void *p)
{
	if (!p)
		return;
	n_heap_calls++;
	live_bytes -= (long long)malloc_usable_size(p);
	__libc_free(p);
}

void *realloc(void *p, size_t n)
{
	if (p)
		live_bytes -= (long long)malloc_usable_size(p);
	return counted(__libc_realloc(p, n));
}

void *memalign(size_t align, size_t n)
{
	return counted(__libc_memalign(align, n));
}

void *aligned_alloc(size_t align, size_t n)
{
	return memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	*out = memalign(align, n);
	return *out ? 0 : ENOMEM;
}

/* --- the resamplers behind one interface ---------------------------------- */

struct rs {
	const char *lib, *name;
	int q;                       /* the library's quality constant */
	unsigned log2_dft;           /* soxr: its largest DFT, log2 (0 = its default, 17) */
	void *(*create)(const struct rs *r, int in_hz, int out_hz);
	/* converts in[n_in]; *used = consumed, *made = written (at most max_out) */
	int (*process)(void *st, const float *in, size_t n_in, size_t *used, float *out,
	               size_t max_out, size_t *made);
	double (*reported)(void *st, int in_hz, int out_hz);   /* input samples, NAN = none */
	void (*destroy)(void *st);
};

static void *spx_create(const struct rs *r, int in_hz, int out_hz)
{
	int e;
	SpeexResamplerState *st = speex_resampler_init(1, (spx_uint32_t)in_hz,
	                                               (spx_uint32_t)out_hz, r->q, &e);
	if (st)
		speex_resampler_skip_zeros(st);      /* as enhance/resample.c */
	return st;
}

static int spx_process(void *st, const float *in, size_t n_in, size_t *used, float *out,
                       size_t max_out, size_t *made)
{
	spx_uint32_t il = (spx_uint32_t)n_in, ol = (spx_uint32_t)max_out;
	int e = speex_resampler_process_float(st, 0, in, &il, out, &ol);
	*used = il;
	*made = ol;
	return e;
}

static double spx_reported(void *st, int in_hz, int out_hz)
{
	return speex_resampler_get_input_latency(st);
}

static void spx_destroy(void *st)
{
	speex_resampler_destroy(st);
}

struct src_st {
	SRC_STATE *s;
	double ratio;
};

static void *src_create(const struct rs *r, int in_hz, int out_hz)
{
	int e;
	struct src_st *st = malloc(sizeof(*st));
	if (!st)
		return NULL;
	st->s = src_new(r->q, 1, &e);
	st->ratio = (double)out_hz / in_hz;
	if (!st->s) {
		free(st);
		return NULL;
	}
	return st;
}

static int src_proc(void *p, const float *in, size_t n_in, size_t *used, float *out,
                    size_t max_out, size_t *made)
{
	struct src_st *st = p;
	SRC_DATA d = { .data_in = in, .input_frames = (long)n_in, .data_out = out,
	               .output_frames = (long)max_out, .src_ratio = st->ratio };
	int e = src_process(st->s, &d);
	*used = (size_t)d.input_frames_used;
	*made = (size_t)d.output_frames_gen;
	return e;
}

static double src_reported(void *st, int in_hz, int out_hz)
{
	return NAN;                               /* libsamplerate has no such call */
}

static void src_destroy(void *p)
{
	struct src_st *st = p;
	src_delete(st->s);
	free(st);
}

static void *sox_create(const struct rs *r, int in_hz, int out_hz)
{
	soxr_error_t e;
	soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
	soxr_quality_spec_t qs = soxr_quality_spec((unsigned long)r->q, 0);
	soxr_runtime_spec_t rt = soxr_runtime_spec(1);

	if (r->log2_dft)     /* smaller DFT blocks: less held back, more cost */
		rt.log2_min_dft_size = rt.log2_large_dft_size = r->log2_dft;
	return soxr_create(in_hz, out_hz, 1, &e, &io, &qs, &rt);
}

static int sox_process(void *st, const float *in, size_t n_in, size_t *used, float *out,
                       size_t max_out, size_t *made)
{
	return soxr_process(st, in, n_in, used, out, max_out, made) != NULL;
}

static double sox_reported(void *st, int in_hz, int out_hz)
{
	return soxr_delay(st) * in_hz / out_hz;   /* soxr_delay is in output samples */
}

static void sox_destroy(void *st)
{
	soxr_delete(st);
}

#define SPX(q) { "speexdsp", "q" #q, q, 0, spx_create, spx_process, spx_reported, spx_destroy }
#define SRC(q) { "samplerate", #q, q, 0, src_create, src_proc, src_reported, src_destroy }
#define SOX(q, name, dft) { "soxr", name, q, dft, sox_create, sox_process, sox_reported, \
                            sox_destroy }
static const struct rs resamplers[] = {
	SPX(5), SPX(8), SPX(10),
	SRC(SRC_SINC_FASTEST), SRC(SRC_SINC_MEDIUM_QUALITY), SRC(SRC_SINC_BEST_QUALITY),
	SOX(SOXR_QQ, "SOXR_QQ", 0), SOX(SOXR_LQ, "SOXR_LQ", 0), SOX(SOXR_MQ, "SOXR_MQ", 0),
	SOX(SOXR_HQ, "SOXR_HQ", 0), SOX(SOXR_VHQ, "SOXR_VHQ", 0),
	SOX(SOXR_HQ, "SOXR_HQ, DFT 2^8", 8),
};

static const int conversions[][2] = {
	{ 48000, 16000 }, { 16000, 48000 }, { 44100, 16000 }, { 16000, 44100 }, { 8000, 16000 },
};

/* --- streaming driver ------------------------------------------------------ */

struct stream_stats {
	size_t n_out;
	double hold_max;             /* most output samples behind floor(n_in * out / in) */
	size_t blk_min, blk_max;     /* output samples per block after the first */
	int partial;                 /* a block was not consumed whole */
	double reported_max;         /* the library's own latency figure, input samples */
};

/* Feeds x[n] in blocks of blk into st (out has room for cap samples). */
static int run_stream(const struct rs *r, void *st, int in_hz, int out_hz, const float *x,
                      size_t n, size_t blk, float *out, size_t cap, struct stream_stats *s)
{
	size_t done = 0, k = 0;

	memset(s, 0, sizeof(*s));
	s->blk_min = SIZE_MAX;
	s->reported_max = -1;
	for (k = 0; done < n; k++) {
		size_t m = n - done < blk ? n - done : blk, used, made, blk_out = 0, expect;
		while (m) {
			size_t room = cap - s->n_out;
			if (r->process(st, x + done, m, &used, out + s->n_out, room, &made))
				return -1;
			s->n_out += made;
			blk_out += made;
			done += used;
			m -= used;
			if (m) {
				s->partial = 1;
				if (!used && !made)
					return -1;
			}
		}
		double rep = r->reported(st, in_hz, out_hz);
		if (!isnan(rep) && rep > s->reported_max)
			s->reported_max = rep;
		expect = (size_t)((uint64_t)done * (uint64_t)out_hz / (uint64_t)in_hz);
		if ((double)expect - (double)s->n_out > s->hold_max)
			s->hold_max = (double)expect - (double)s->n_out;
		if (k > 0 && done < n) {
			if (blk_out < s->blk_min)
				s->blk_min = blk_out;
			if (blk_out > s->blk_max)
				s->blk_max = blk_out;
		}
	}
	return 0;
}

/* --- tone analysis --------------------------------------------------------- */

/* Hann-weighted least-squares fit of a cos + b sin at f cycles/sample over
 * y[n]; returns the amplitude, *resid = weighted power of what is left. */
static double tone_fit(const float *y, size_t n, double f, double *resid)
{
	double scc = 0, sss = 0, scs = 0, syc = 0, sys = 0, sw = 0, a, b, det, p = 0;

	for (size_t i = 0; i < n; i++) {
		double w = 0.5 - 0.5 * cos(2 * M_PI * (i + 0.5) / n);
		double c = cos(2 * M_PI * f * i), s = sin(2 * M_PI * f * i);
		scc += w * c * c;
		sss += w * s * s;
		scs += w * c * s;
		syc += w * y[i] * c;
		sys += w * y[i] * s;
		sw += w;
	}
	det = scc * sss - scs * scs;
	a = (syc * sss - sys * scs) / det;
	b = (sys * scc - syc * scs) / det;
	for (size_t i = 0; i < n; i++) {
		double w = 0.5 - 0.5 * cos(2 * M_PI * (i + 0.5) / n);
		double e = y[i] - a * cos(2 * M_PI * f * i) - b * sin(2 * M_PI * f * i);
		p += w * e * e;
	}
	*resid = p / sw;
	return sqrt(a * a + b * b);
}

#define AMP 0.5
#define N_TONES 40
#define TONE_SECONDS 1.0     /* tone, then as long again of zeros */
#define FIT_FROM 0.25        /* seconds of output analysed: [0.25, 0.85) */
#define FIT_TO 0.85

struct quality {
	double ripple_db;            /* max |gain| in dB up to 0.9 of the lower Nyquist */
	double alias_db;             /* most unwanted power, dB relative to the tone */
	double floor_db;             /* residual of passband tones (downsampling: noise) */
};

/* One tone through a fresh resampler: gain and residual power (relative
 * to the tone's power). stop = 1: the tone should vanish: all is residual. */
static int tone(const struct rs *r, int in_hz, int out_hz, double f_hz, int stop,
                float *x, float *y, size_t cap, double *gain, double *resid)
{
	size_t n = (size_t)(in_hz * TONE_SECONDS), from = (size_t)(out_hz * FIT_FROM);
	size_t len = (size_t)(out_hz * (FIT_TO - FIT_FROM));
	struct stream_stats s;
	void *st = r->create(r, in_hz, out_hz);
	int rc;

	if (!st)
		return -1;
	for (size_t i = 0; i < 2 * n; i++)
		x[i] = i < n ? (float)(AMP * sin(2 * M_PI * f_hz * i / in_hz)) : 0;
	rc = run_stream(r, st, in_hz, out_hz, x, 2 * n, (size_t)in_hz / 50, y, cap, &s);
	r->destroy(st);
	if (rc || s.n_out < from + len)
		return -1;
	if (stop) {
		double p = 0;
		for (size_t i = 0; i < len; i++)
			p += (double)y[from + i] * y[from + i];
		*gain = 0;
		*resid = p / len / (AMP * AMP / 2);
		return 0;
	}
	*gain = tone_fit(y + from, len, f_hz / out_hz, resid) / AMP;
	*resid /= AMP * AMP / 2;
	return 0;
}

static int measure_quality(const struct rs *r, int in_hz, int out_hz, struct quality *q)
{
	double nyq = (in_hz < out_hz ? in_hz : out_hz) / 2.0, gain, resid;
	size_t cap = (size_t)(2 * TONE_SECONDS * out_hz) + 4096;
	float *x = malloc(sizeof(float) * (size_t)(2 * TONE_SECONDS * in_hz));
	float *y = malloc(sizeof(float) * cap);
	double worst_res = 0, worst_stop = 0;
	int rc = -1;

	q->ripple_db = 0;
	if (!x || !y)
		goto done;
	for (int k = 0; k < N_TONES; k++) {
		double f = 0.9 * nyq * (k + 1) / N_TONES;
		if (tone(r, in_hz, out_hz, f, 0, x, y, cap, &gain, &resid))
			goto done;
		if (fabs(20 * log10(gain)) > fabs(q->ripple_db))
			q->ripple_db = 20 * log10(gain);
		if (resid > worst_res)
			worst_res = resid;
	}
	/* downsampling: tones from 1.1 x the output Nyquist (they alias into
	 * the passband) up to just under the input Nyquist */
	for (int k = 0; in_hz > out_hz && k < N_TONES; k++) {
		double f = 1.1 * nyq + (0.99 * in_hz / 2 - 1.1 * nyq) * k / (N_TONES - 1);
		if (tone(r, in_hz, out_hz, f, 1, x, y, cap, &gain, &resid))
			goto done;
		if (resid > worst_stop)
			worst_stop = resid;
	}
	q->floor_db = 10 * log10(worst_res + 1e-30);
	q->alias_db = in_hz > out_hz ? 10 * log10(worst_stop + 1e-30) : q->floor_db;
	rc = 0;
done:
	free(x);
	free(y);
	return rc;
}

/* --- delay, holdback, cost, heap calls ------------------------------------- */

struct timing {
	double delay_in;             /* measured shift of the output, input samples */
	double hold_in;              /* most held back, input samples */
	double reported_in;          /* the library's figure, input samples (< 0: none) */
	size_t blk, blk_min, blk_max;
	int partial;
	double ns_per_out;
	unsigned long heap_calls;    /* during processing after the warm-up */
	double state_kib;            /* heap held by one resampler */
};

/* An impulse at input sample p: the output peak (parabolic interpolation)
 * gives the shift; the stream stats give the holdback. */
static int measure_delay(const struct rs *r, int in_hz, int out_hz, size_t blk,
                         struct timing *t)
{
	size_t n = (size_t)in_hz, p = (size_t)in_hz / 4 + 3, cap = (size_t)out_hz + 4096, kmax = 0;
	float *x = calloc(n, sizeof(float)), *y = calloc(cap, sizeof(float));
	struct stream_stats s;
	long long before = live_bytes;
	void *st = r->create(r, in_hz, out_hz);
	int rc = -1;

	if (!x || !y || !st)
		goto done;
	t->state_kib = (double)(live_bytes - before) / 1024;
	x[p] = 1;
	if (run_stream(r, st, in_hz, out_hz, x, n, blk, y, cap, &s))
		goto done;
	for (size_t k = 1; k + 1 < s.n_out; k++)
		if (fabsf(y[k]) > fabsf(y[kmax]))
			kmax = k;
	if (kmax > 0) {
		double a = y[kmax - 1], b = y[kmax], c = y[kmax + 1];
		double d = a - 2 * b + c != 0 ? 0.5 * (a - c) / (a - 2 * b + c) : 0;
		t->delay_in = (kmax + d) * in_hz / out_hz - (double)p;
	}
	t->hold_in = s.hold_max * in_hz / out_hz;
	t->reported_in = s.reported_max;
	t->blk_min = s.blk_min;
	t->blk_max = s.blk_max;
	t->partial = s.partial;
	rc = 0;
done:
	if (st)
		r->destroy(st);
	free(x);
	free(y);
	return rc;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);   /* CPU time: the machine is shared */
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

#define COST_SECONDS 10
#define COST_REPEAT 5
#define WARM_BLOCKS 20

/* White noise in blocks of blk: the best of COST_REPEAT runs, and the heap
 * calls made by process after WARM_BLOCKS blocks. */
static int measure_cost(const struct rs *r, int in_hz, int out_hz, size_t blk, struct timing *t)
{
	size_t n = (size_t)in_hz * COST_SECONDS, cap = blk * 8 + 4096;
	float *x = malloc(sizeof(float) * n), *y = malloc(sizeof(float) * cap);
	uint32_t seed = 12345;
	int rc = -1;

	t->ns_per_out = INFINITY;
	t->heap_calls = 0;
	if (!x || !y)
		goto done;
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1664525u + 1013904223u;
		x[i] = (float)((int32_t)seed / 4294967296.0);
	}
	for (int rep = 0; rep < COST_REPEAT; rep++) {
		void *st = r->create(r, in_hz, out_hz);
		size_t done = 0, total = 0, used, made, k;
		unsigned long calls0 = 0;
		double t0 = 0;
		if (!st)
			goto done;
		for (k = 0; done + blk <= n; k++) {
			if (k == WARM_BLOCKS) {
				calls0 = n_heap_calls;
				t0 = now_ns();
				total = 0;
			}
			if (r->process(st, x + done, blk, &used, y, cap, &made) || used != blk) {
				r->destroy(st);
				goto done;
			}
			done += used;
			total += made;
		}
		double dt = now_ns() - t0;
		if (n_heap_calls - calls0 > t->heap_calls)
			t->heap_calls = n_heap_calls - calls0;
		if (dt / total < t->ns_per_out)
			t->ns_per_out = dt / total;
		r->destroy(st);
	}
	rc = 0;
done:
	free(x);
	free(y);
	return rc;
}

/* --- the table ------------------------------------------------------------- */

static void print_row(const struct rs *r, int in_hz, int out_hz, const struct quality *q,
                      const struct timing *t)
{
	char conv[32], rep[16] = "-", blk[16];

	snprintf(conv, sizeof(conv), "%d>%d /%zu", in_hz, out_hz, t->blk);
	snprintf(blk, sizeof(blk), "%zu-%zu%s", t->blk_min, t->blk_max, t->partial ? "*" : "");
	if (t->reported_in >= 0)
		snprintf(rep, sizeof(rep), "%.1f", t->reported_in);
	printf("| %-16s | %-10s | %-23s | %8.4f | %6.1f | %6.1f | %5.1f | %6.1f | %6s | %-9s "
	       "| %6.1f | %5.1f | %4lu | %5.1f |\n",
	       conv, r->lib, r->name, fabs(q->ripple_db) < 5e-5 ? 0 : q->ripple_db, q->alias_db,
	       q->floor_db, t->delay_in, t->hold_in, rep, blk, t->ns_per_out, t->state_kib,
	       t->heap_calls, (t->delay_in + t->hold_in) * 1000.0 / in_hz);
}

int main(int argc, char **argv)
{
	size_t n_rs = sizeof(resamplers) / sizeof(resamplers[0]);
	size_t n_conv = sizeof(conversions) / sizeof(conversions[0]);
	const char *only = argc > 1 ? argv[1] : NULL;   /* a library name, to run one */

	printf("%s; soxr %s\n\n", src_get_version(), soxr_version());
	printf("| in>out Hz /blk   | library    | setting                 | ripple   | alias  "
	       "| floor  | delay | hold   | lib    | out/blk   | ns/out | KiB   | heap "
	       "| ms    |\n");
	printf("|------------------|------------|-------------------------|----------|--------"
	       "|--------|-------|--------|--------|-----------|--------|-------|------"
	       "|-------|\n");
	for (size_t c = 0; c < n_conv; c++) {
		int in_hz = conversions[c][0], out_hz = conversions[c][1];
		size_t blk = (size_t)lround(in_hz * 0.016);     /* 16 ms, as the enhancer */
		for (size_t i = 0; i < n_rs; i++) {
			const struct rs *r = &resamplers[i];
			struct quality q = { 0 };
			struct timing t = { .blk = blk };
			if (only && strcmp(only, r->lib))
				continue;
			if (measure_quality(r, in_hz, out_hz, &q) ||
			    measure_delay(r, in_hz, out_hz, blk, &t) ||
			    measure_cost(r, in_hz, out_hz, blk, &t)) {
				printf("| %d>%d | %s | %s | failed |\n", in_hz, out_hz, r->lib,
				       r->name);
				continue;
			}
			print_row(r, in_hz, out_hz, &q, &t);
			fflush(stdout);
		}
	}
	return 0;
}

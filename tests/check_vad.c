/* check_vad.c - voice activity in libgtcrn (issue 17): Silero VAD
 * probabilities through gtcrn_vad against ONNX Runtime's (the goldens of
 * ../shared/testdata/silero_vad), whole, chunked and resampled; v4 / v5
 * detection with a built v4-shaped model; speech segments against
 * get_speech_timestamps written out below as a batch loop; the gate on
 * mix.wav with pauses of noise, enhanced by GTCRN (depth, onsets, chunk
 * invariance, allocations, depth 0); the errors. */
#include "config.h"
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enhance/gtcrn.h"
#include "tests/check_audio.h"
#include "tests/check_util.h"
#include "tests/modelgen.h"
#include "tests/ref_resample.h"
#include "tests/testset.h"
#include "tools/alloc_count.h"

#define ATOL 1e-4
#define N_GOLD 305           /* whole windows of mix.wav (and of mix_8k.wav) */
#define MAX_SEGS 1024

static char err[512];

static const size_t chunks[] = { 1, 7, 160, 441, 4096 };

static gtcrn_vad_model *load_vad(void)
{
	gtcrn_vad_model *m = NULL;
	int rc = gtcrn_vad_model_load(MODELS_DIR "/silero_vad.onnx", &m, err, sizeof(err));

	expect_ok("load silero_vad.onnx", err, rc);
	return m;
}

static float *load_gold(const char *npy, size_t *n)
{
	float *p;
	int64_t dims[GRT_MAX_DIMS];
	int ndim;

	ck_assert_msg(ts_load_npy(npy, &p, dims, &ndim) == GRT_OK, "cannot read %s", npy);
	*n = (size_t)dims[0];
	return p;
}

/* --- get_speech_timestamps (silero-vad utils_vad.py, v5, max_speech
 * infinite) as a batch loop over all probabilities, independent of the
 * library's streaming form: segments [start, end) in samples at rate (raw:
 * before the padding pass). */

struct seg {
	long long start, end;
};

static size_t ref_segments(const float *probs, size_t n, long long ws, int sr,
                           const gtcrn_vad_opts *o, long long audio_len, int raw, struct seg *out)
{
	double min_speech = (double)sr * o->min_speech_ms / 1000;
	double pad = (double)sr * o->speech_pad_ms / 1000;
	double min_sil = (double)sr * o->min_silence_ms / 1000;
	float thr = o->threshold, neg = o->neg_threshold;
	int triggered = 0;
	long long temp_end = 0, cur_start = 0;
	size_t k = 0;

	if (neg < 0)
		neg = thr - 0.15f > 0.01f ? thr - 0.15f : 0.01f;
	for (size_t i = 0; i < n; i++) {
		float p = probs[i];
		long long pos = ws * (long long)i;
		if (p >= thr && temp_end)
			temp_end = 0;
		if (p >= thr && !triggered) {
			triggered = 1;
			cur_start = pos;
			continue;
		}
		if (p < neg && triggered) {
			if (!temp_end)
				temp_end = pos;
			if (pos - temp_end < min_sil)
				continue;
			if (temp_end - cur_start > min_speech)
				out[k++] = (struct seg){ cur_start, temp_end };
			temp_end = 0;
			triggered = 0;
		}
	}
	if (triggered && audio_len - cur_start > min_speech)
		out[k++] = (struct seg){ cur_start, audio_len };
	if (raw)
		return k;
	for (size_t i = 0; i < k; i++) {
		struct seg *s = &out[i];
		if (i == 0)
			s->start = (long long)fmax(0, s->start - pad);
		if (i != k - 1) {
			long long gap = out[i + 1].start - s->end;
			if (gap < 2 * pad) {
				s->end += gap / 2;
				out[i + 1].start = (long long)fmax(0, (double)(out[i + 1].start - gap / 2));
			} else {
				s->end = (long long)fmin((double)audio_len, s->end + pad);
				out[i + 1].start = (long long)fmax(0, out[i + 1].start - pad);
			}
		} else {
			s->end = (long long)fmin((double)audio_len, s->end + pad);
		}
	}
	return k;
}

/* The library's segmenter over the same probabilities (at most one segment
 * per push, at most two at the end). */
static size_t lib_segments(const float *probs, size_t n, size_t ws, int sr,
                           const gtcrn_vad_opts *o, double length_s, gtcrn_segment *out)
{
	gtcrn_segmenter *s = NULL;
	size_t k = 0;
	int got, rc = gtcrn_segmenter_create(o, ws, sr, &s, err, sizeof(err));

	expect_ok("gtcrn_segmenter_create", err, rc);
	for (size_t i = 0; i < n; i++) {
		got = gtcrn_segmenter_push(s, probs[i], &out[k]);
		ck_assert_msg(got == 0 || got == 1, "push %zu returned %d", i, got);
		k += (size_t)got;
	}
	got = gtcrn_segmenter_finish(s, length_s, &out[k]);
	ck_assert_msg(got >= 0 && got <= 2, "finish returned %d", got);
	gtcrn_segmenter_free(s);
	return k + (size_t)got;
}

/* Library segments (seconds) equal reference ones (samples), exactly. */
static void compare_segments(const char *what, const gtcrn_segment *lib, size_t n_lib,
                             const struct seg *ref, size_t n_ref, int sr)
{
	ck_assert_msg(n_lib == n_ref, "%s: %zu segments, the reference has %zu", what, n_lib,
	              n_ref);
	for (size_t i = 0; i < n_ref; i++) {
		long long s = llround(lib[i].start * sr), e = llround(lib[i].end * sr);
		ck_assert_msg(s == ref[i].start && e == ref[i].end, "%s: segment %zu is [%lld, %lld) "
		              "samples, the reference [%lld, %lld)", what, i, s, e, ref[i].start,
		              ref[i].end);
	}
}

/* --- probabilities --- */

/* The whole stream's probabilities, pushed in chunks of `chunk` (0: one call). */
static size_t vad_probs(gtcrn_vad *v, const float *x, size_t n, size_t chunk, float *p)
{
	size_t np = 0, got, room;
	int rc;

	if (!chunk)
		chunk = n;
	for (size_t done = 0; done < n; done += chunk) {
		size_t k = n - done < chunk ? n - done : chunk;
		room = gtcrn_vad_max_windows(v, k);
		rc = gtcrn_vad_process(v, x + done, k, p + np, &got);
		expect_ok("gtcrn_vad_process", gtcrn_vad_errmsg(v), rc);
		ck_assert_msg(got <= room, "%zu samples: %zu windows, room for %zu", k, got, room);
		np += got;
	}
	room = gtcrn_vad_max_windows(v, 0);
	rc = gtcrn_vad_finish(v, p + np, &got);
	expect_ok("gtcrn_vad_finish", gtcrn_vad_errmsg(v), rc);
	ck_assert_msg(got <= room, "finish: %zu windows, room for %zu", got, room);
	return np + got;
}

static const struct {
	const char *wav, *npy;
	int rate;
	size_t window;
} prob_cases[] = {
	{ TESTDATA_DIR "/mix.wav", TESTDATA_DIR "/silero_vad/mix_vad_probs_16k.npy", 16000, 512 },
	{ TESTDATA_DIR "/silero_vad/mix_8k.wav", TESTDATA_DIR "/silero_vad/mix_vad_probs_8k.npy",
	  8000, 256 },
};

/* gtcrn_vad and gtcrn_vad_run against ORT's probabilities; chunked,
 * bit-identical; no heap call in gtcrn_vad_process after the first. */
START_TEST(probabilities)
{
	gtcrn_vad_model *m = load_vad();
	gtcrn_vad *v = NULL;
	gtcrn_vad_opts o;
	size_t n, ng, np, np_run;
	float *x = read_wav(prob_cases[_i].wav, &n), *gold = load_gold(prob_cases[_i].npy, &ng);
	float *p = malloc(sizeof(float) * (n / 256 + 8)), *q = malloc(sizeof(float) * (n / 256 + 8));
	float *pr = NULL;
	double worst = 0;
	unsigned long a0, f0;

	gtcrn_vad_opts_init(&o);
	o.sample_rate = prob_cases[_i].rate;
	o.model_rate = prob_cases[_i].rate;
	expect_ok("gtcrn_vad_create", err, gtcrn_vad_create(m, &o, &v, err, sizeof(err)));
	ck_assert_uint_eq(gtcrn_vad_window(v), prob_cases[_i].window);
	ck_assert_int_eq(gtcrn_vad_rate(v), prob_cases[_i].rate);
	ck_assert_uint_eq(gtcrn_vad_max_windows(v, n), n / prob_cases[_i].window);
	np = vad_probs(v, x, n, 0, p);
	ck_assert_uint_eq(ng, N_GOLD);
	ck_assert_uint_eq(np, N_GOLD);
	for (size_t i = 0; i < np; i++) {
		double d = fabs((double)p[i] - gold[i]);
		worst = d > worst ? d : worst;
		ck_assert_msg(d <= ATOL, "%s window %zu: probability %.6f, ORT %.6f", prob_cases[_i].wav,
		              i, (double)p[i], (double)gold[i]);
	}
	printf("%s: %zu windows at %d Hz, max abs diff %.3g vs ORT\n", prob_cases[_i].wav, np,
	       prob_cases[_i].rate, worst);
	for (size_t c = 0; c < N_ELEMS(chunks); c++) {
		ck_assert_uint_eq(vad_probs(v, x, n, chunks[c], q), np);
		ck_assert_msg(!memcmp(p, q, np * sizeof(float)), "chunks of %zu: not bit-identical",
		              chunks[c]);
	}
	expect_ok("gtcrn_vad_run", err, gtcrn_vad_run(m, &o, x, n, &pr, &np_run, NULL, NULL, err,
	                                             sizeof(err)));
	ck_assert_uint_eq(np_run, np);
	ck_assert_msg(!memcmp(p, pr, np * sizeof(float)), "gtcrn_vad_run differs");
	/* allocations: none after the first call */
	gtcrn_vad_process(v, x, 4096, q, &np);
	a0 = alloc_count_allocs();
	f0 = alloc_count_frees();
	gtcrn_vad_process(v, x + 4096, n - 4096, q, &np);
	a0 = alloc_count_allocs() - a0;
	f0 = alloc_count_frees() - f0;
	ck_assert_msg(a0 == 0 && f0 == 0, "gtcrn_vad_process: %lu allocations, %lu frees", a0, f0);
	ck_assert_uint_eq(gtcrn_vad_windows(v), N_GOLD);
	free(pr);
	free(p);
	free(q);
	free(x);
	free(gold);
	gtcrn_vad_free(v);
	gtcrn_vad_model_free(m);
}
END_TEST

/* --- segments --- */

static void opts_set(gtcrn_vad_opts *o, int k)
{
	gtcrn_vad_opts_init(o);
	switch (k) {
	case 1: o->speech_pad_ms = 100; break;               /* neighbours merge */
	case 2: o->min_silence_ms = 300; break;
	case 3: o->speech_pad_ms = 100; o->min_silence_ms = 300; break;
	case 4: o->threshold = 0.3f; o->neg_threshold = 0.2f; o->min_speech_ms = 0;
		o->speech_pad_ms = 0; break;
	case 5: o->min_speech_ms = 1000; o->speech_pad_ms = 200; break;
	case 6: o->threshold = 0.6f; o->min_silence_ms = 0; o->speech_pad_ms = 250; break;
	default: break;
	}
}
#define N_OPTS 7

/* The golden probabilities through the segmenter and the batch loop, with
 * each option set. */
START_TEST(segments_golden)
{
	struct seg ref[MAX_SEGS];
	gtcrn_segment lib[MAX_SEGS];
	gtcrn_vad_opts o;
	size_t ng;
	float *gold = load_gold(prob_cases[_i].npy, &ng);
	int sr = prob_cases[_i].rate;
	size_t ws = prob_cases[_i].window, wav_n = 156302 * (size_t)sr / 16000;

	for (int k = 0; k < N_OPTS; k++) {
		char what[128];
		size_t nr, nl;
		opts_set(&o, k);
		nr = ref_segments(gold, ng, (long long)ws, sr, &o, (long long)wav_n, 0, ref);
		nl = lib_segments(gold, ng, ws, sr, &o, (double)wav_n / sr, lib);
		snprintf(what, sizeof(what), "%d Hz, option set %d", sr, k);
		compare_segments(what, lib, nl, ref, nr, sr);
		printf("%s: %zu segments:", what, nl);
		for (size_t i = 0; i < nl; i++)
			printf(" [%.3f, %.3f]", lib[i].start, lib[i].end);
		printf("\n");
	}
	free(gold);
}
END_TEST

/* Random probability sequences (runs of speech and silence of random
 * lengths, jittered around the thresholds) with each option set. */
START_TEST(segments_random)
{
	struct seg ref[MAX_SEGS];
	gtcrn_segment lib[MAX_SEGS];
	float p[3000];
	uint32_t r = 12345;
	long long total = 0;

	for (int seed = 0; seed < 400; seed++) {
		gtcrn_vad_opts o;
		size_t n = 50 + (size_t)(seed * 7 % 2900), nr, nl;
		int speech = 0, left = 0;
		long long len;
		opts_set(&o, seed % N_OPTS);
		for (size_t i = 0; i < n; i++) {
			r = r * 1664525u + 1013904223u;
			if (left-- <= 0) {
				speech = !speech;
				left = (int)(r >> 24) % 40;
			}
			p[i] = (float)(speech ? 0.3 + 0.7 * (r >> 8) / 16777216.0
			                      : 0.55 * (r >> 8) / 16777216.0);
		}
		len = 512 * (long long)n + (seed % 3) * 300;
		nr = ref_segments(p, n, 512, 16000, &o, len, 0, ref);
		nl = lib_segments(p, n, 512, 16000, &o, (double)len / 16000, lib);
		{
			char what[64];
			snprintf(what, sizeof(what), "random sequence %d", seed);
			compare_segments(what, lib, nl, ref, nr, 16000);
		}
		total += (long long)nr;
	}
	printf("random sequences: %lld segments, all equal to the batch loop\n", total);
}
END_TEST

/* gtcrn_vad_run's segments are those of its probabilities; mix.wav at 44.1
 * and 48 kHz (libsamplerate) gives the 16 kHz segments within a window. */
START_TEST(segments_resampled)
{
	static const int rates[] = { 44100, 48000 };
	gtcrn_vad_model *m = load_vad();
	gtcrn_vad_opts o;
	struct seg ref[MAX_SEGS];
	gtcrn_segment *s16 = NULL;
	float *p16 = NULL;
	size_t n, n16, np16;
	float *x = read_wav(TESTDATA_DIR "/mix.wav", &n);

	gtcrn_vad_opts_init(&o);
	expect_ok("gtcrn_vad_run", err, gtcrn_vad_run(m, &o, x, n, &p16, &np16, &s16, &n16, err,
	                                             sizeof(err)));
	compare_segments("gtcrn_vad_run at 16 kHz", s16, n16,
	                 ref, ref_segments(p16, np16, 512, 16000, &o, (long long)n, 0, ref), 16000);
	for (size_t r = 0; r < N_ELEMS(rates); r++) {
		size_t ny, nseg;
		float *y = ref_resample(x, n, 16000, rates[r], &ny);
		gtcrn_segment *s = NULL;
		gtcrn_vad *v = NULL;
		float *pr = NULL, *pc;
		size_t npr;
		double worst = 0;
		o.sample_rate = rates[r];
		expect_ok("gtcrn_vad_run", err, gtcrn_vad_run(m, &o, y, ny, &pr, &npr, &s, &nseg, err,
		                                             sizeof(err)));
		/* the stream in chunks: the same probabilities, within the room promised */
		expect_ok("gtcrn_vad_create", err, gtcrn_vad_create(m, &o, &v, err, sizeof(err)));
		pc = malloc(sizeof(float) * (npr + 1));
		ck_assert_uint_eq(vad_probs(v, y, ny, 441, pc), npr);
		ck_assert_msg(!memcmp(pr, pc, sizeof(float) * npr), "%d Hz: chunks of 441 differ from "
		              "gtcrn_vad_run", rates[r]);
		gtcrn_vad_free(v);
		free(pc);
		free(pr);
		ck_assert_msg(nseg == n16, "%d Hz: %zu segments, %zu at 16 kHz", rates[r], nseg, n16);
		for (size_t i = 0; i < nseg; i++) {
			double d = fmax(fabs(s[i].start - s16[i].start), fabs(s[i].end - s16[i].end));
			worst = d > worst ? d : worst;
			ck_assert_msg(d <= 0.032 + 1e-9, "%d Hz segment %zu [%.4f, %.4f], at 16 kHz "
			              "[%.4f, %.4f]", rates[r], i, s[i].start, s[i].end, s16[i].start,
			              s16[i].end);
		}
		printf("%d Hz: %zu segments, largest shift from 16 kHz %.1f ms\n", rates[r], nseg,
		       worst * 1000);
		free(s);
		free(y);
	}
	free(s16);
	free(p16);
	free(x);
	gtcrn_vad_model_free(m);
}
END_TEST

/* --- a v4-shaped model: input (1, samples), sr, h and c (2, 1, 64) in;
 * output = mean(input) + mean(h) + 100 mean(c), hn = h + 1, cn = c + 1 out.
 * Window k of input with one spike of `window` at its start gives 1 + 101 k
 * when the window is right, h and c are fed back and nothing is prepended. */
static gtcrn_vad_model *v4_model(int with_sr)
{
	struct mg *g = mg_new(7, 13);
	const int64_t din[2] = { 1, -1 }, dst[3] = { 2, -1, 64 }, dout[2] = { -1, 1 };
	const int64_t all[3] = { 0, 1, 2 };
	float one = 1, hundred = 100;
	uint8_t *buf;
	size_t len;
	gtcrn_vad_model *m = NULL;
	int k, rc;

	mg_input(g, "input", GRT_FLOAT, 2, din);
	if (with_sr)
		mg_input(g, "sr", GRT_INT64, 0, NULL);
	mg_input(g, "h", GRT_FLOAT, 3, dst);
	mg_input(g, "c", GRT_FLOAT, 3, dst);
	mg_output(g, "output", GRT_FLOAT, 2, dout);
	mg_output(g, "hn", GRT_FLOAT, 3, dst);
	mg_output(g, "cn", GRT_FLOAT, 3, dst);
	mg_init(g, "one", GRT_FLOAT, 0, NULL, &one);
	mg_init(g, "hundred", GRT_FLOAT, 0, NULL, &hundred);
	k = mg_node(g, "ReduceMean", "mean_x", "input", "mx");
	mg_attr_ints(g, k, "axes", 1, &all[1]);
	k = mg_node(g, "ReduceMean", "mean_h", "h", "mh");
	mg_attr_ints(g, k, "axes", 3, all);
	mg_attr_int(g, k, "keepdims", 0);
	k = mg_node(g, "ReduceMean", "mean_c", "c", "mc");
	mg_attr_ints(g, k, "axes", 3, all);
	mg_attr_int(g, k, "keepdims", 0);
	mg_node(g, "Mul", "c100", "mc,hundred", "mc100");
	mg_node(g, "Add", "add_h", "mx,mh", "xh");
	mg_node(g, "Add", "add_c", "xh,mc100", "output");
	mg_node(g, "Add", "next_h", "h,one", "hn");
	mg_node(g, "Add", "next_c", "c,one", "cn");
	mg_pack(g, &buf, &len);
	rc = gtcrn_vad_model_load_buffer(buf, len, &m, err, sizeof(err));
	expect_ok("load the v4-shaped model", err, rc);
	free(buf);
	return m;
}

START_TEST(v4_detection)
{
	gtcrn_vad_model *m = v4_model(1), *m16 = v4_model(0), *m5 = load_vad();
	static const int rates[] = { 16000, 8000 };

	ck_assert_int_eq(gtcrn_vad_model_version(m), 4);
	ck_assert_int_eq(gtcrn_vad_model_version(m16), 4);
	ck_assert_int_eq(gtcrn_vad_model_version(m5), 5);
	ck_assert_int_eq(gtcrn_vad_model_has_rate(m, 8000), 1);
	ck_assert_int_eq(gtcrn_vad_model_has_rate(m16, 8000), 0);
	ck_assert_int_eq(gtcrn_vad_model_has_rate(m16, 16000), 1);
	ck_assert_int_eq(gtcrn_vad_model_has_rate(m5, 8000), 1);
	ck_assert_int_eq(gtcrn_vad_model_has_rate(m5, 11025), 0);
	for (size_t r = 0; r < N_ELEMS(rates); r++) {
		gtcrn_vad *v = NULL;
		gtcrn_vad_opts o;
		size_t ws = rates[r] == 8000 ? 256 : 512, np;
		float x[512 * 6] = { 0 }, p[16];
		gtcrn_vad_opts_init(&o);
		o.sample_rate = rates[r];
		expect_ok("gtcrn_vad_create (v4)", err, gtcrn_vad_create(m, &o, &v, err, sizeof(err)));
		ck_assert_uint_eq(gtcrn_vad_window(v), ws);
		for (size_t i = 0; i < 6 * ws; i += ws)
			x[i] = (float)ws;
		np = vad_probs(v, x, 6 * ws - 1, 7, p);  /* the last window is partial */
		ck_assert_uint_eq(np, 5);
		for (size_t k = 0; k < np; k++)
			ck_assert_msg(fabs(p[k] - (1 + 101.0 * k)) < 1e-3, "%d Hz window %zu: %g, "
			              "expected %g", rates[r], k, (double)p[k], 1 + 101.0 * k);
		gtcrn_vad_free(v);
	}
	gtcrn_vad_model_free(m);
	gtcrn_vad_model_free(m16);
	gtcrn_vad_model_free(m5);
}
END_TEST

/* --- the gate --- */

#define PAUSE (47 * 512)     /* samples of noise inserted before each onset (1.5 s) */
#define MAX_ONSETS 16

/* mix.wav with PAUSE samples of noise (Gaussian, at the level of mix.wav's
 * windows that Silero finds silent) inserted before each speech onset (the
 * raw start of each segment of the golden probabilities), then enhanced by
 * GTCRN (gtcrn_simple, the streaming path, aligned). */
struct gate_signal {
	float *e;                   /* [n] enhanced */
	size_t n;
	size_t n_on;
	size_t pause[MAX_ONSETS];   /* where each inserted pause starts; it ends at the onset */
};

static void build_gate_signal(struct gate_signal *gs)
{
	struct seg raw[MAX_SEGS];
	gtcrn_vad_opts o;
	gtcrn_model *gm = load_gtcrn("gtcrn_simple");
	size_t n, ng, nr, at = 0, from = 0;
	float *x = read_wav(TESTDATA_DIR "/mix.wav", &n), *y;
	float *gold = load_gold(TESTDATA_DIR "/silero_vad/mix_vad_probs_16k.npy", &ng);
	double sum = 0, rms;
	size_t cnt = 0;
	uint32_t r = 987654321u;

	gtcrn_vad_opts_init(&o);
	nr = ref_segments(gold, ng, 512, 16000, &o, (long long)n, 1, raw);
	ck_assert_msg(nr >= 2 && nr <= MAX_ONSETS, "%zu segments in mix.wav", nr);
	for (size_t w = 0; w < ng; w++)
		if (gold[w] < 0.1f)
			for (size_t i = 512 * w; i < 512 * (w + 1); i++, cnt++)
				sum += (double)x[i] * x[i];
	ck_assert_uint_gt(cnt, 4096);
	rms = sqrt(sum / (double)cnt);
	y = malloc(sizeof(float) * (n + nr * PAUSE));
	for (size_t k = 0; k < nr; k++) {
		size_t s = (size_t)raw[k].start;
		memcpy(y + at, x + from, sizeof(float) * (s - from));
		at += s - from;
		from = s;
		gs->pause[k] = at;
		for (size_t i = 0; i < PAUSE; i += 2) {          /* Box-Muller, two at a time */
			double u1, u2;
			r = r * 1664525u + 1013904223u;
			u1 = ((r >> 8) + 1) / 16777217.0;
			r = r * 1664525u + 1013904223u;
			u2 = (r >> 8) / 16777216.0;
			y[at + i] = (float)(rms * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2));
			y[at + i + 1] = (float)(rms * sqrt(-2 * log(u1)) * sin(2 * M_PI * u2));
		}
		at += PAUSE;
	}
	memcpy(y + at, x + from, sizeof(float) * (n - from));
	gs->n = n + nr * PAUSE;
	gs->n_on = nr;
	gs->e = malloc(sizeof(float) * gs->n);
	expect_ok("gtcrn_enhance", err, gtcrn_enhance(gm, NULL, y, gs->e, gs->n, err,
	                                             sizeof(err)));
	printf("gate signal: mix.wav with %zu pauses of %.2f s of noise (rms %.4g), enhanced\n",
	       nr, PAUSE / 16000.0, rms);
	gtcrn_model_free(gm);
	free(y);
	free(x);
	free(gold);
}

/* The gate over x[n * ch] in chunks of `chunk` frames (0: one call), then the
 * flush: out gets (n + latency) * ch samples; gains (if not NULL, chunk 1)
 * the gain of each output frame. allocs: heap calls after the first call. */
static size_t run_gate_at(const gtcrn_vad_model *m, int rate, float depth, int ch,
                          const float *x, size_t n, size_t chunk, float *out, float *gains,
                          unsigned long *allocs)
{
	gtcrn_gate *g = NULL;
	gtcrn_vad_opts vo;
	gtcrn_gate_opts go;
	unsigned long a0 = 0;
	size_t lat;

	gtcrn_vad_opts_init(&vo);
	vo.sample_rate = rate;
	gtcrn_gate_opts_init(&go);
	go.depth_db = depth;
	expect_ok("gtcrn_gate_create", err, gtcrn_gate_create(m, &vo, &go, ch, &g, err,
	                                                      sizeof(err)));
	lat = gtcrn_gate_latency(g);
	if (!chunk)
		chunk = n;
	for (size_t done = 0; done < n; done += chunk) {
		size_t k = n - done < chunk ? n - done : chunk;
		int rc;
		if (done == chunk)
			a0 = alloc_count_allocs() + alloc_count_frees();
		rc = gtcrn_gate_process(g, x + done * (size_t)ch, out + done * (size_t)ch, k);
		if (rc)
			expect_ok("gtcrn_gate_process", gtcrn_gate_errmsg(g), rc);
		if (gains)
			gains[done] = gtcrn_gate_gain(g);
	}
	if (allocs)
		*allocs = alloc_count_allocs() + alloc_count_frees() - a0;
	expect_ok("gtcrn_gate_flush", gtcrn_gate_errmsg(g), gtcrn_gate_flush(g, out + n *
	                                                                     (size_t)ch));
	gtcrn_gate_free(g);
	return lat;
}

static size_t run_gate(const gtcrn_vad_model *m, float depth, int ch, const float *x, size_t n,
                       size_t chunk, float *out, float *gains, unsigned long *allocs)
{
	return run_gate_at(m, 16000, depth, ch, x, n, chunk, out, gains, allocs);
}

/* (a) the noise-only stretches drop by the depth; (b) each onset reaches
 * full gain within the latency and a window. */
static void gate_depth_onsets(const gtcrn_vad_model *m, const struct gate_signal *gs,
                              float depth)
{
	size_t n = gs->n, lat;
	float *out = malloc(sizeof(float) * (n + 8192)), *gains = malloc(sizeof(float) * n);
	const float full = powf(10.0f, -1.0f / 20);

	lat = run_gate(m, depth, 1, gs->e, n, 1, out, gains, NULL);
	printf("depth %g dB, latency %zu frames (%.1f ms):\n", (double)depth, lat, lat / 16.0);
	for (size_t k = 0; k < gs->n_on; k++) {
		/* after the release (min silence 100 ms + hangover 200 ms + release
		 * 50 ms + a window) and before the attack's look-ahead (+ a window) */
		size_t a = gs->pause[k] + 8000, b = gs->pause[k] + PAUSE - 1600, t, on;
		double eg = 0, eu = 0, drop;
		long long delay;
		for (t = a; t < b; t++) {
			eg += (double)out[t + lat] * out[t + lat];
			eu += (double)gs->e[t] * gs->e[t];
		}
		drop = 10 * log10(eg / eu);
		on = gs->pause[k] + PAUSE;
		for (t = gs->pause[k] + PAUSE / 2 + lat; t < n && gains[t] < full; t++)
			;
		delay = (long long)t - (long long)(on + lat);
		printf("  pause %zu: noise %.2f dB (%.3f .. %.3f s), onset at %.3f s: full gain "
		       "%+.1f ms after it in the output (latency + %+.1f ms)\n", k, drop, a / 16000.0,
		       b / 16000.0, on / 16000.0, (t - on) / 16.0, delay / 16.0);
		ck_assert_msg(fabs(drop + depth) <= 1, "depth %g: pause %zu drops by %.2f dB", depth,
		              k, -drop);
		ck_assert_msg(delay <= 512, "depth %g: onset %zu reaches full gain %lld frames after "
		              "latency (%zu), more than a window", depth, k, delay, lat);
	}
	free(out);
	free(gains);
}

START_TEST(gate)
{
	gtcrn_vad_model *m = load_vad();
	struct gate_signal gs;
	size_t n, lat;
	float *whole, *out, *st, *st_in;
	unsigned long allocs = 1;

	build_gate_signal(&gs);
	n = gs.n;
	gate_depth_onsets(m, &gs, 12);
	gate_depth_onsets(m, &gs, 30);
	/* (c), (d): chunk invariance, and no heap call after the first */
	whole = malloc(sizeof(float) * (n + 8192));
	out = malloc(sizeof(float) * (n + 8192));
	lat = run_gate(m, 24, 1, gs.e, n, 0, whole, NULL, NULL);
	for (size_t c = 0; c < N_ELEMS(chunks); c++) {
		ck_assert_uint_eq(run_gate(m, 24, 1, gs.e, n, chunks[c], out, NULL, &allocs), lat);
		ck_assert_msg(!memcmp(whole, out, sizeof(float) * (n + lat)), "chunks of %zu frames: "
		              "not bit-identical", chunks[c]);
		ck_assert_msg(allocs == 0, "chunks of %zu: %lu heap calls after the first", chunks[c],
		              allocs);
	}
	/* stereo: both channels the mono signal give the mono output on each */
	st_in = malloc(sizeof(float) * 2 * n);
	st = malloc(sizeof(float) * 2 * (n + 8192));
	for (size_t i = 0; i < n; i++)
		st_in[2 * i] = st_in[2 * i + 1] = gs.e[i];
	run_gate(m, 24, 2, st_in, n, 441, st, NULL, NULL);
	for (size_t i = 0; i < n + lat; i++)
		ck_assert_msg(st[2 * i] == whole[i] && st[2 * i + 1] == whole[i], "stereo frame %zu: "
		              "%g %g, mono %g", i, (double)st[2 * i], (double)st[2 * i + 1],
		              (double)whole[i]);
	/* (e) depth 0: the input delayed, exactly */
	run_gate(m, 0, 1, gs.e, n, 160, out, NULL, NULL);
	for (size_t i = 0; i < n + lat; i++)
		ck_assert_msg(out[i] == (i < lat ? 0.0f : gs.e[i - lat]), "depth 0: frame %zu is %g, "
		              "expected %g", i, (double)out[i], i < lat ? 0.0 : (double)gs.e[i - lat]);
	free(st);
	free(st_in);
	free(whole);
	free(out);
	free(gs.e);
	gtcrn_vad_model_free(m);
}
END_TEST

/* Resampled streams (mix.wav through libsamplerate): chunk invariance (the
 * decision for each frame is there when the frame leaves the delay line
 * whatever the chunking), and the gate both opens and closes. */
START_TEST(gate_resampled)
{
	static const int rates[] = { 8000, 22050, 44100, 48000 };
	gtcrn_vad_model *m = load_vad();
	size_t n;
	float *x = read_wav(TESTDATA_DIR "/mix.wav", &n);

	for (size_t r = 0; r < N_ELEMS(rates); r++) {
		size_t ny, lat, open = 0;
		float *y = ref_resample(x, n, 16000, rates[r], &ny);
		float *whole = malloc(sizeof(float) * (ny + 65536)), *out = malloc(sizeof(float) *
		                                                                    (ny + 65536));
		float *gains = malloc(sizeof(float) * ny), lo = 1;
		lat = run_gate_at(m, rates[r], 24, 1, y, ny, 0, whole, NULL, NULL);
		ck_assert_uint_eq(run_gate_at(m, rates[r], 24, 1, y, ny, 1, out, gains, NULL), lat);
		ck_assert_msg(!memcmp(whole, out, sizeof(float) * (ny + lat)), "%d Hz, chunks of 1: "
		              "not bit-identical", rates[r]);
		run_gate_at(m, rates[r], 24, 1, y, ny, 441, out, NULL, NULL);
		ck_assert_msg(!memcmp(whole, out, sizeof(float) * (ny + lat)), "%d Hz, chunks of 441: "
		              "not bit-identical", rates[r]);
		for (size_t i = 0; i < ny; i++) {
			open += gains[i] == 1.0f;
			lo = gains[i] < lo ? gains[i] : lo;
		}
		printf("gate at %d Hz: latency %zu frames (%.1f ms), open %.1f%% of the time, lowest "
		       "gain %.1f dB\n", rates[r], lat, 1000.0 * lat / rates[r], 100.0 * open / ny,
		       20 * log10(lo));
		ck_assert_msg(open > ny / 2 && open < ny && lo < 0.07f, "%d Hz: the gate is open %zu "
		              "of %zu frames, lowest gain %g", rates[r], open, ny, (double)lo);
		free(gains);
		free(whole);
		free(out);
		free(y);
	}
	free(x);
	gtcrn_vad_model_free(m);
}
END_TEST

/* A depth change glides: no step larger than a release's per frame. */
START_TEST(gate_depth_glide)
{
	gtcrn_vad_model *m = load_vad();
	gtcrn_gate *g = NULL;
	float x[1] = { 0 }, y[1], prev;
	double worst = 0;

	expect_ok("gtcrn_gate_create", err, gtcrn_gate_create(m, NULL, NULL, 1, &g, err,
	                                                      sizeof(err)));
	ck_assert_float_eq_tol(gtcrn_gate_gain(g), powf(10, -24 / 20.0f), 1e-6);
	ck_assert_int_eq(gtcrn_gate_set_depth(g, 6), GTCRN_OK);
	prev = gtcrn_gate_gain(g);
	for (int i = 0; i < 16000; i++) {
		double d;
		gtcrn_gate_process(g, x, y, 1);
		d = fabs(20 * log10(gtcrn_gate_gain(g)) - 20 * log10(prev));
		worst = d > worst ? d : worst;
		prev = gtcrn_gate_gain(g);
	}
	ck_assert_float_eq_tol(gtcrn_gate_gain(g), powf(10, -6 / 20.0f), 1e-6);
	ck_assert_msg(worst <= 24.0 / 800 + 1e-3, "depth 24 -> 6 dB: a step of %.3f dB", worst);
	gtcrn_gate_free(g);
	gtcrn_vad_model_free(m);
}
END_TEST

/* --- errors --- */

START_TEST(errors)
{
	gtcrn_vad_model *m = load_vad(), *m16 = v4_model(0), *bad = NULL;
	gtcrn_vad *v = NULL;
	gtcrn_gate *g = NULL;
	gtcrn_segmenter *s = NULL;
	gtcrn_vad_opts o;
	gtcrn_gate_opts go;
	int rc;

	rc = gtcrn_vad_model_load(MODELS_DIR "/gtcrn_simple.onnx", &bad, err, sizeof(err));
	expect_error("a GTCRN export as VAD", err, rc, GTCRN_E_NOT_VAD, "not a Silero VAD export");
	expect_error("a GTCRN export as VAD", err, rc, GTCRN_E_NOT_VAD, "no input 'input'");
	expect_error("a GTCRN export as VAD", err, rc, GTCRN_E_NOT_VAD, "gtcrn_simple.onnx");
	ck_assert_ptr_null(bad);
	gtcrn_vad_opts_init(&o);
	o.model_rate = 8000;
	rc = gtcrn_vad_create(m16, &o, &v, err, sizeof(err));
	expect_error("model_rate 8000 without sr", err, rc, GRT_E_ARG, "model_rate");
	expect_error("model_rate 8000 without sr", err, rc, GRT_E_ARG, "16000 Hz only");
	{
		static const struct {
			const char *field;
			int sample_rate, model_rate;
			float thr, neg, sil, speech, pad;
		} cases[] = {
			{ "sample_rate", 999, 0, 0.5f, -1, 100, 250, 30 },
			{ "sample_rate", 768001, 0, 0.5f, -1, 100, 250, 30 },
			{ "model_rate", 0, 22050, 0.5f, -1, 100, 250, 30 },
			{ "threshold", 0, 0, 1.5f, -1, 100, 250, 30 },
			{ "threshold", 0, 0, NAN, -1, 100, 250, 30 },
			{ "neg_threshold", 0, 0, 0.5f, 0.6f, 100, 250, 30 },
			{ "min_silence_ms", 0, 0, 0.5f, -1, -1, 250, 30 },
			{ "min_speech_ms", 0, 0, 0.5f, -1, 100, INFINITY, 30 },
			{ "speech_pad_ms", 0, 0, 0.5f, -1, 100, 250, NAN },
		};
		for (size_t k = 0; k < N_ELEMS(cases); k++) {
			gtcrn_vad_opts_init(&o);
			o.sample_rate = cases[k].sample_rate;
			o.model_rate = cases[k].model_rate;
			o.threshold = cases[k].thr;
			o.neg_threshold = cases[k].neg;
			o.min_silence_ms = cases[k].sil;
			o.min_speech_ms = cases[k].speech;
			o.speech_pad_ms = cases[k].pad;
			rc = gtcrn_vad_create(m, &o, &v, err, sizeof(err));
			expect_error(cases[k].field, err, rc, GRT_E_ARG, cases[k].field);
			ck_assert_ptr_null(v);
			rc = gtcrn_gate_create(m, &o, NULL, 1, &g, err, sizeof(err));
			expect_error(cases[k].field, err, rc, GRT_E_ARG, cases[k].field);
			ck_assert_ptr_null(g);
		}
		rc = gtcrn_segmenter_create(&o, 512, 16000, &s, err, sizeof(err));
		expect_error("segmenter", err, rc, GRT_E_ARG, "speech_pad_ms");
	}
	gtcrn_vad_opts_init(&o);
	rc = gtcrn_segmenter_create(&o, 0, 16000, &s, err, sizeof(err));
	expect_error("segmenter window 0", err, rc, GRT_E_ARG, "window");
	{
		static const char *fields[] = { "depth_db", "attack_ms", "release_ms", "hangover_ms" };
		for (int k = 0; k < 4; k++) {
			gtcrn_gate_opts_init(&go);
			(&go.depth_db)[k] = k % 2 ? NAN : -3;
			rc = gtcrn_gate_create(m, NULL, &go, 1, &g, err, sizeof(err));
			expect_error(fields[k], err, rc, GRT_E_ARG, fields[k]);
		}
	}
	rc = gtcrn_gate_create(m, NULL, NULL, 0, &g, err, sizeof(err));
	expect_error("channels 0", err, rc, GRT_E_ARG, "channels");
	expect_ok("gtcrn_gate_create", err, gtcrn_gate_create(m, NULL, NULL, 1, &g, err,
	                                                      sizeof(err)));
	ck_assert_int_eq(gtcrn_gate_set_depth(g, -1), GRT_E_ARG);
	ck_assert_int_eq(gtcrn_gate_set_depth(g, NAN), GRT_E_ARG);
	ck_assert_int_eq(gtcrn_gate_process(g, NULL, NULL, 1), GRT_E_ARG);
	ck_assert_str_eq(gtcrn_strerror(GTCRN_E_NOT_VAD), "not a Silero VAD model");
	gtcrn_gate_free(g);
	gtcrn_vad_model_free(m);
	gtcrn_vad_model_free(m16);
}
END_TEST

int main(void)
{
	const struct test_def defs[] = {
		{ "probabilities", probabilities, 0, (int)N_ELEMS(prob_cases), 600 },
		{ "segments", segments_golden, 0, (int)N_ELEMS(prob_cases), 600 },
		{ "segments", segments_random, 0, 0, 600 },
		{ "segments", segments_resampled, 0, 0, 600 },
		{ "models", v4_detection, 0, 0, 600 },
		{ "gate", gate, 0, 0, 1200 },
		{ "gate", gate_resampled, 0, 0, 1200 },
		{ "gate", gate_depth_glide, 0, 0, 1200 },
		{ "errors", errors, 0, 0, 600 },
	};
	Suite *s[] = { suite_from_table("vad", defs, N_ELEMS(defs)) };

	return run_suites(s, N_ELEMS(s), 0);
}

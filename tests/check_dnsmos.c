/* check_dnsmos.c - DNSMOS P.835 scoring in libgtcrn (enhance/dnsmos.c):
 * the three clips of ../shared/testdata/dnsmos/scores.jsonl (the DNS
 * Challenge's dnsmos_local.py with ONNX Runtime) within 1e-3, through the
 * file and the buffer; the windowing against a reference made here from
 * single-window runs of the raw model through grt; channels and rates; errors. */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enhance/gtcrn.h"
#include "tests/check_audio.h"
#include "tests/check_util.h"
#include "tests/ref_resample.h"

#define TOL 1e-3                    /* against the goldens (ORT, float32) */
#define WINDOW 144160               /* 9.01 s at 16 kHz */
#define DNSMOS_MODEL MODELS_DIR "/dnsmos_sig_bak_ovr.onnx"

static gtcrn_dnsmos_model *load_dnsmos(void)
{
	gtcrn_dnsmos_model *m = NULL;
	char err[512];

	expect_ok(DNSMOS_MODEL, err, gtcrn_dnsmos_model_load(DNSMOS_MODEL, &m, err, sizeof(err)));
	return m;
}

/* --- the goldens --------------------------------------------------------- */

static const char *const clips[] = {
	TESTDATA_DIR "/mix.wav",
	TESTDATA_DIR "/mix_enh_gtcrn_simple.wav",
	TESTDATA_DIR "/dnsmos/mix_first5s.wav",
};

/* The line of scores.jsonl for file `base` into sc. */
static void golden(const char *base, gtcrn_dnsmos_scores *sc)
{
	char line[1024], want[256];
	FILE *f = fopen(TESTDATA_DIR "/dnsmos/scores.jsonl", "r");
	int found = 0;

	ck_assert_msg(f != NULL, "cannot open %s/dnsmos/scores.jsonl", TESTDATA_DIR);
	snprintf(want, sizeof(want), "{\"file\":\"%s\",", base);
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned windows;
		if (strncmp(line, want, strlen(want)))
			continue;
		ck_assert_int_eq(sscanf(line + strlen(want), "\"windows\":%u,\"SIG\":%lf,\"BAK\":%lf,"
		                        "\"OVRL\":%lf,\"SIG_RAW\":%lf,\"BAK_RAW\":%lf,"
		                        "\"OVRL_RAW\":%lf}", &windows, &sc->sig, &sc->bak, &sc->ovrl,
		                        &sc->raw_sig, &sc->raw_bak, &sc->raw_ovrl), 7);
		sc->windows = windows;
		found = 1;
	}
	fclose(f);
	ck_assert_msg(found, "%s is not in scores.jsonl", base);
}

/* got within tol of want, field by field, and the same number of windows */
static void expect_scores(const char *what, const gtcrn_dnsmos_scores *got,
                          const gtcrn_dnsmos_scores *want, double tol)
{
	const double g[6] = { got->sig, got->bak, got->ovrl, got->raw_sig, got->raw_bak,
	                      got->raw_ovrl };
	const double w[6] = { want->sig, want->bak, want->ovrl, want->raw_sig, want->raw_bak,
	                      want->raw_ovrl };
	static const char *const names[6] = { "SIG", "BAK", "OVRL", "SIG_RAW", "BAK_RAW",
	                                      "OVRL_RAW" };

	printf("%s: SIG %.6f BAK %.6f OVRL %.6f raw %.6f %.6f %.6f, %zu windows\n", what,
	       got->sig, got->bak, got->ovrl, got->raw_sig, got->raw_bak, got->raw_ovrl,
	       got->windows);
	ck_assert_msg(got->windows == want->windows, "%s: %zu windows, expected %zu", what,
	              got->windows, want->windows);
	for (int k = 0; k < 6; k++)
		ck_assert_msg(fabs(g[k] - w[k]) <= tol, "%s: %s %.6f, expected %.6f (tol %g)", what,
		              names[k], g[k], w[k], tol);
}

/* Each clip through gtcrn_dnsmos_score_file and through gtcrn_dnsmos_score
 * on its samples: the golden scores, and the same scores both ways. */
START_TEST(goldens)
{
	gtcrn_dnsmos_model *m = load_dnsmos();
	gtcrn_dnsmos_scores want, by_file, by_buf;
	const char *base = strrchr(clips[_i], '/') + 1;
	char err[512];
	size_t n;
	float *x = read_wav(clips[_i], &n);

	golden(base, &want);
	expect_ok(clips[_i], err, gtcrn_dnsmos_score_file(m, clips[_i], &by_file, err,
	                                                   sizeof(err)));
	expect_scores(clips[_i], &by_file, &want, TOL);
	expect_ok(clips[_i], err, gtcrn_dnsmos_score(m, x, n, 1, 16000, &by_buf, err,
	                                              sizeof(err)));
	expect_scores("samples", &by_buf, &by_file, 0);
	free(x);
	gtcrn_dnsmos_model_free(m);
}
END_TEST

/* --- the procedure, against single-window runs ---------------------------- */

/* The reference of dnsmos_local.py written out here: audio doubled
 * (np.append(audio, audio)) or, with append_original, the original appended,
 * until 144160 long; int(floor(len / 16000) - 9.01) + 1 hops; the slice
 * [int(idx * 16000), int((idx + 9.01) * 16000)) skipped when short; each
 * window run alone through a grt session on the raw model. */
static void reference(const float *x, size_t n, int append_original, gtcrn_dnsmos_scores *sc)
{
	static const double p[3][3] = {
		{ -0.08397278, 1.22083953, 0.0052439 },
		{ -0.13166888, 1.60915514, -0.39604546 },
		{ -0.06766283, 1.11546468, 0.04602535 },
	};
	grt_model *g = NULL;
	grt_session *s = NULL;
	grt_value in = { GRT_FLOAT, 2, { 1, WINDOW }, NULL }, out;
	grt_session_opts so = { &in, 1, 0, 0, 0 };
	double sum[6] = { 0 };
	size_t len = n, cap = n;
	float *a = malloc(n * sizeof(float));
	long long hops;
	char err[512];

	ck_assert_ptr_nonnull(a);
	memcpy(a, x, n * sizeof(float));
	while (len < WINDOW) {
		size_t add = append_original ? n : len;
		if (len + add > cap) {
			cap = 2 * (len + add);
			ck_assert_ptr_nonnull(a = realloc(a, cap * sizeof(float)));
		}
		memcpy(a + len, a, add * sizeof(float));    /* a[0..n) is the original */
		len += add;
	}
	hops = (long long)(floor((double)len / 16000) - 9.01) + 1;
	expect_ok("raw model", err, grt_model_load_file(DNSMOS_MODEL, &g, err, sizeof(err)));
	expect_ok("raw session", err, grt_session_create(g, &so, &s, err, sizeof(err)));
	grt_session_input(s, 0, &in);
	memset(sc, 0, sizeof(*sc));
	for (long long idx = 0; idx < hops; idx++) {
		long long start = idx * 16000, end = (long long)((idx + 9.01) * 16000);
		const float *raw;
		if (end > (long long)len)
			end = (long long)len;
		if (end - start < WINDOW)
			continue;
		memcpy(in.data, a + start, WINDOW * sizeof(float));
		expect_ok("raw run", grt_session_errmsg(s), grt_session_run(s));
		grt_session_output(s, 0, &out);
		raw = out.data;
		for (int k = 0; k < 3; k++) {
			sum[k] += (p[k][0] * raw[k] + p[k][1]) * raw[k] + p[k][2];
			sum[3 + k] += raw[k];
		}
		sc->windows++;
	}
	ck_assert_uint_gt(sc->windows, 0);
	sc->sig = sum[0] / sc->windows;
	sc->bak = sum[1] / sc->windows;
	sc->ovrl = sum[2] / sc->windows;
	sc->raw_sig = sum[3] / sc->windows;
	sc->raw_bak = sum[4] / sc->windows;
	sc->raw_ovrl = sum[5] / sc->windows;
	grt_session_free(s);
	grt_model_free(g);
	free(a);
}

/* mix.wav's first `seconds` (repeated when longer than the clip) */
static float *mix_seconds(double seconds, size_t *n)
{
	size_t len;
	float *x = read_wav(TESTDATA_DIR "/mix.wav", &len), *y;

	*n = (size_t)(seconds * 16000);
	ck_assert_ptr_nonnull(y = malloc(*n * sizeof(float)));
	for (size_t i = 0; i < *n; i++)
		y[i] = x[i % len];
	free(x);
	return y;
}

/* The first `seconds` of mix.wav (repeated) scored by the library and by the
 * reference: `windows` windows, the same scores. Returns the samples (*n). */
static float *against_reference(double seconds, size_t windows, gtcrn_dnsmos_scores *got,
                                size_t *n)
{
	gtcrn_dnsmos_model *m = load_dnsmos();
	gtcrn_dnsmos_scores want;
	float *x = mix_seconds(seconds, n);
	char err[512], what[64];

	snprintf(what, sizeof(what), "%g s of mix.wav", seconds);
	expect_ok(what, err, gtcrn_dnsmos_score(m, x, *n, 1, 16000, got, err, sizeof(err)));
	reference(x, *n, 0, &want);
	ck_assert_uint_eq(want.windows, windows);
	expect_scores(what, got, &want, 1e-5);
	gtcrn_dnsmos_model_free(m);
	return x;
}

/* 4 s: doubled to 16 s, 7 windows (appending the original would make 12 s and
 * 3 windows, which the reference with append_original shows). */
START_TEST(repeat_doubles)
{
	gtcrn_dnsmos_scores got, appended;
	size_t n;
	float *x = against_reference(4, 7, &got, &n);

	reference(x, n, 1, &appended);
	ck_assert_uint_eq(appended.windows, 3);
	ck_assert_msg(fabs(appended.ovrl - got.ovrl) > 1e-4 || fabs(appended.sig - got.sig) > 1e-4,
	              "appending and doubling give the same scores: the test cannot tell them apart");
	free(x);
}
END_TEST

/* 18 s of mix.wav repeated: 9 hops, of which the reference skips 7 and 8
 * ((idx + 9.01) * 16000 falls just below the integer, the slice is one
 * sample short): 7 windows. */
START_TEST(several_windows)
{
	gtcrn_dnsmos_scores got;
	size_t n;

	free(against_reference(18, 7, &got, &n));
}
END_TEST

/* --- channels and rates --------------------------------------------------- */

/* mix_first5s.wav as stereo with equal channels scores exactly as mono; as
 * three channels (a, -a, a): the mean is a / 3, a different clip. */
START_TEST(stereo_equals_mono)
{
	gtcrn_dnsmos_model *m = load_dnsmos();
	gtcrn_dnsmos_scores mono, stereo;
	size_t n;
	float *x = read_wav(TESTDATA_DIR "/dnsmos/mix_first5s.wav", &n), *st;
	char err[512];

	ck_assert_ptr_nonnull(st = malloc(2 * n * sizeof(float)));
	for (size_t i = 0; i < n; i++)
		st[2 * i] = st[2 * i + 1] = x[i];
	expect_ok("mono", err, gtcrn_dnsmos_score(m, x, n, 1, 16000, &mono, err, sizeof(err)));
	expect_ok("stereo", err, gtcrn_dnsmos_score(m, st, n, 2, 16000, &stereo, err, sizeof(err)));
	expect_scores("stereo", &stereo, &mono, 0);
	free(st);
	free(x);
	gtcrn_dnsmos_model_free(m);
}
END_TEST

/* A float WAV file of x[frames * channels] at rate. */
static void write_wav(const char *path, const float *x, size_t frames, int channels, int rate)
{
	SF_INFO info = { 0, rate, channels, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 0, 0 };
	SNDFILE *f = sf_open(path, SFM_WRITE, &info);

	ck_assert_msg(f != NULL, "%s: %s", path, sf_strerror(NULL));
	if (frames)
		ck_assert_int_eq(sf_writef_float(f, x, (sf_count_t)frames), (sf_count_t)frames);
	sf_close(f);
}

/* mix.wav at 48 kHz (libsamplerate) within 0.05 of its 16 kHz scores; as a
 * stereo 48 kHz file with equal channels, the same scores as the samples. */
START_TEST(rate_48k)
{
	gtcrn_dnsmos_model *m = load_dnsmos();
	gtcrn_dnsmos_scores at16, at48, file;
	size_t n, n48;
	float *x = read_wav(TESTDATA_DIR "/mix.wav", &n), *y = ref_resample(x, n, 16000, 48000,
	                                                                     &n48), *st;
	char err[1024], path[] = "/tmp/check_dnsmos_XXXXXX";
	int fd = mkstemp(path);

	expect_ok("16 kHz", err, gtcrn_dnsmos_score(m, x, n, 1, 16000, &at16, err, sizeof(err)));
	expect_ok("48 kHz", err, gtcrn_dnsmos_score(m, y, n48, 1, 48000, &at48, err, sizeof(err)));
	printf("48 kHz - 16 kHz: SIG %+.5f BAK %+.5f OVRL %+.5f\n", at48.sig - at16.sig,
	       at48.bak - at16.bak, at48.ovrl - at16.ovrl);
	expect_scores("48 kHz", &at48, &at16, 0.05);
	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(st = malloc(2 * n48 * sizeof(float)));
	for (size_t i = 0; i < n48; i++)
		st[2 * i] = st[2 * i + 1] = y[i];
	write_wav(path, st, n48, 2, 48000);
	expect_ok(path, err, gtcrn_dnsmos_score_file(m, path, &file, err, sizeof(err)));
	remove(path);
	expect_scores("48 kHz stereo file", &file, &at48, 0);
	free(st);
	free(x);
	free(y);
	gtcrn_dnsmos_model_free(m);
}
END_TEST

/* Two threads score with one model at once: the same scores as alone. */
struct job {
	const gtcrn_dnsmos_model *m;
	gtcrn_dnsmos_scores sc;
	int rc;
};

static void *score_thread(void *arg)
{
	struct job *j = arg;

	j->rc = gtcrn_dnsmos_score_file(j->m, clips[2], &j->sc, NULL, 0);
	return NULL;
}

START_TEST(threads)
{
	gtcrn_dnsmos_model *m = load_dnsmos();
	gtcrn_dnsmos_scores alone;
	struct job jobs[2] = { { m }, { m } };
	pthread_t t[2];
	char err[512];

	expect_ok("alone", err, gtcrn_dnsmos_score_file(m, clips[2], &alone, err, sizeof(err)));
	for (int k = 0; k < 2; k++)
		ck_assert_int_eq(pthread_create(&t[k], NULL, score_thread, &jobs[k]), 0);
	for (int k = 0; k < 2; k++)
		ck_assert_int_eq(pthread_join(t[k], NULL), 0);
	for (int k = 0; k < 2; k++) {
		expect_ok("thread", "", jobs[k].rc);
		expect_scores("thread", &jobs[k].sc, &alone, 0);
	}
	gtcrn_dnsmos_model_free(m);
}
END_TEST

/* --- errors --------------------------------------------------------------- */

START_TEST(wrong_models)
{
	static const char *const names[] = { "gtcrn_simple", "gtcrn_offline_op13", "silero_vad" };
	gtcrn_dnsmos_model *m = (gtcrn_dnsmos_model *)&m;
	char path[1024], err[1024];
	size_t len;
	void *buf;

	for (size_t k = 0; k < N_ELEMS(names); k++) {
		snprintf(path, sizeof(path), "%s/%s.onnx", MODELS_DIR, names[k]);
		expect_error(path, err, gtcrn_dnsmos_model_load(path, &m, err, sizeof(err)),
		             GTCRN_E_NOT_DNSMOS, "not a DNSMOS P.835 model");
		expect_error(path, err, GTCRN_E_NOT_DNSMOS, GTCRN_E_NOT_DNSMOS, path);
		expect_error(path, err, GTCRN_E_NOT_DNSMOS, GTCRN_E_NOT_DNSMOS, "found inputs");
		ck_assert_ptr_null(m);
	}
	buf = read_file(MODELS_DIR "/silero_vad.onnx", &len);
	expect_error("silero buffer", err, gtcrn_dnsmos_model_load_buffer(buf, len, &m, err,
	                                                                  sizeof(err)),
	             GTCRN_E_NOT_DNSMOS, "expected one input");
	free(buf);
	buf = read_file(MODELS_DIR "/gtcrn_offline_op13.onnx", &len);
	expect_error("offline buffer", err, gtcrn_dnsmos_model_load_buffer(buf, len, &m, err,
	                                                                   sizeof(err)),
	             GTCRN_E_NOT_DNSMOS, "(N, 144160)");
	free(buf);
	ck_assert_str_eq(gtcrn_strerror(GTCRN_E_NOT_DNSMOS), "not a DNSMOS P.835 model");
	expect_error("no path", err, gtcrn_dnsmos_model_load(NULL, &m, err, sizeof(err)),
	             GRT_E_ARG, "path is NULL");
	gtcrn_dnsmos_model_free(NULL);
}
END_TEST

START_TEST(bad_audio)
{
	gtcrn_dnsmos_model *m = load_dnsmos();
	gtcrn_dnsmos_scores sc;
	char err[1024], empty[] = "/tmp/check_dnsmos_XXXXXX";
	const float x[4] = { 0 };
	int fd = mkstemp(empty);

	ck_assert_int_ge(fd, 0);
	write_wav(empty, x, 0, 1, 16000);
	expect_error("empty file", err, gtcrn_dnsmos_score_file(m, empty, &sc, err, sizeof(err)),
	             GRT_E_ARG, "empty audio");
	expect_error("empty file", err, GRT_E_ARG, GRT_E_ARG, empty);
	remove(empty);
	expect_error("missing file", err, gtcrn_dnsmos_score_file(m, "/nonexistent/a.wav", &sc,
	                                                          err, sizeof(err)),
	             GRT_E_IO, "/nonexistent/a.wav");
	expect_error("not audio", err, gtcrn_dnsmos_score_file(m, DNSMOS_MODEL, &sc, err,
	                                                       sizeof(err)),
	             GRT_E_IO, DNSMOS_MODEL);
	expect_error("0 frames", err, gtcrn_dnsmos_score(m, x, 0, 1, 16000, &sc, err, sizeof(err)),
	             GRT_E_ARG, "empty audio");
	expect_error("channels 0", err, gtcrn_dnsmos_score(m, x, 4, 0, 16000, &sc, err,
	                                                   sizeof(err)),
	             GRT_E_ARG, "channels 0");
	expect_error("rate 999", err, gtcrn_dnsmos_score(m, x, 4, 1, 999, &sc, err, sizeof(err)),
	             GRT_E_ARG, "999 Hz out of range");
	expect_error("rate 768001", err, gtcrn_dnsmos_score(m, x, 4, 1, 768001, &sc, err,
	                                                    sizeof(err)),
	             GRT_E_ARG, "768001 Hz out of range");
	expect_error("NULL samples", err, gtcrn_dnsmos_score(m, NULL, 4, 1, 16000, &sc, err,
	                                                     sizeof(err)),
	             GRT_E_ARG, "x is NULL");
	expect_error("NULL model", err, gtcrn_dnsmos_score_file(NULL, empty, &sc, err, sizeof(err)),
	             GRT_E_ARG, "model is NULL");
	gtcrn_dnsmos_model_free(m);
}
END_TEST

int main(void)
{
	const struct test_def defs[] = {
		{ "goldens", goldens, 0, (int)N_ELEMS(clips), 300 },
		{ "procedure", repeat_doubles, 0, 0, 600 },
		{ "procedure", several_windows },
		{ "channels", stereo_equals_mono, 0, 0, 300 },
		{ "channels", rate_48k },
		{ "channels", threads },
		{ "errors", wrong_models, 0, 0, 120 },
		{ "errors", bad_audio },
	};
	Suite *s[] = { suite_from_table("dnsmos", defs, N_ELEMS(defs)) };

	return run_suites(s, N_ELEMS(s), 0);
}

/* check_cli.c - tests of the gtcrn-run program, run as a separate process
 * (BUILDDIR/tools/gtcrn-run) the way users run it: golden waveforms for every
 * shared model, sample rates and channel layouts, pipes, bad inputs with their
 * exit codes and messages, batches, options. Results are read back with
 * libsndfile; every file lives under one mkdtemp() folder removed at the end. */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <math.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sndfile.h>
#include "tests/check_util.h"
#include "tests/cli_run.h"
#include "tests/ref_resample.h"

#define MIX_FRAMES 156302
#define GOLDEN_FRAMES 156160           /* the goldens stop at the last full hop */

/* Two bounds on a whole-file waveform difference: the documented 1e-4 max
 * abs (../shared/testdata/README.md) and a tight one near what the tool
 * achieves, so that a small systematic error (a 1e-4 gain) fails. Observed
 * (tests/check_cli prints each): TIGHT_OBSERVED, measured with
 * `make -j2 tests/check_cli && tests/check_cli | grep 'max abs'`. */
#define DOC_TOL 1e-4
#define TIGHT_TOL 2e-6
#define TIGHT_OBSERVED "1.9e-7 streaming, 1.8e-7 offline"

static void expect_tight(const char *what, const float *got, const float *ref, size_t n)
{
	size_t at;
	double d = max_abs(got, ref, n, &at);

	printf("%s: max abs %.3g at sample %zu\n", what, d, at);
	ck_assert_msg(d <= DOC_TOL, "%s: max abs %g at sample %zu (got %.7f, expected %.7f) over "
	              "the documented %g", what, d, at, got[at], ref[at], DOC_TOL);
	ck_assert_msg(d <= TIGHT_TOL, "%s: max abs %g at sample %zu over the tight %g (observed %s)",
	              what, d, at, TIGHT_TOL, TIGHT_OBSERVED);
}

static double correlation(const float *a, size_t stride_a, const float *b, size_t n)
{
	double ab = 0, aa = 0, bb = 0;

	for (size_t i = 0; i < n; i++) {
		double x = a[i * stride_a], y = b[i];
		ab += x * y;
		aa += x * x;
		bb += y * y;
	}
	return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0;
}

/* The reference for channel ch of the file in (at its own rate r): that
 * channel resampled to 16 kHz by libsamplerate, enhanced by gtcrn-run at
 * the model's rate (where the goldens hold it), resampled back to r by
 * libsamplerate. *n samples at r. */
static float *reference_via_16k(const char *dir, const char *in, int ch, const char *model,
                                size_t *n)
{
	char *mid = path_in(dir, "ref_in16.wav"), *enh = path_in(dir, "ref_enh16.wav");
	SF_INFO ii, ie, io = { .samplerate = 16000, .channels = 1,
	                       .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
	float *x = load(in, &ii), *y16, *e16, *ref;
	size_t n16;
	SNDFILE *sf;

	for (sf_count_t i = 0; i < ii.frames; i++)
		x[i] = x[i * ii.channels + ch];
	y16 = ref_resample(x, (size_t)ii.frames, ii.samplerate, 16000, &n16);
	sf = sf_open(mid, SFM_WRITE, &io);
	ck_assert_msg(sf != NULL, "%s: %s", mid, sf_strerror(NULL));
	ck_assert_int_eq(sf_writef_float(sf, y16, (sf_count_t)n16), (sf_count_t)n16);
	ck_assert_int_eq(sf_close(sf), 0);
	run_ok(NULL, "-q", "-e", "float", model, mid, enh, NULL);
	e16 = load(enh, &ie);
	ck_assert_int_eq(ie.frames, (sf_count_t)n16);
	ref = ref_resample(e16, n16, 16000, ii.samplerate, n);
	free(x);
	free(y16);
	free(e16);
	return ref;
}

/* Channel y[i * stride] against ref[i] over n samples, 0.3 s at each end
 * (rate) left out: the SNR at least min_snr dB and the level within max_db. */
/* Bounds from measurement (`make -j2 tests/check_cli && tests/check_cli |
 * grep SNR`): SNR 65.2 dB for the 48 kHz stereo input, 49.3 dB at 8 kHz
 * (speexdsp and libsamplerate differ most at its band edge), 63.9 dB for
 * --out-rate 48000; levels within 0.004 dB. The bounds sit 3 to 5 dB below
 * and at 0.02 dB: a 0.5% gain (0.043 dB; 46 dB SNR on its own) fails. */
#define CLI_SNR_48 60
#define CLI_SNR_8 46
#define CLI_SNR_OUT_RATE 59
#define CLI_LEVEL_DB 0.02

static void expect_snr_level(const char *what, const float *y, size_t stride, const float *ref,
                             size_t n, int rate, double min_snr, double max_db)
{
	double sr = 0, se = 0, sy = 0, snr, level;
	size_t edge = (size_t)rate * 3 / 10;

	for (size_t i = edge; i + edge < n; i++) {
		double a = y[i * stride], b = ref[i];
		sr += b * b;
		sy += a * a;
		se += (a - b) * (a - b);
	}
	snr = 10 * log10(sr / se);
	level = 10 * log10(sy / sr);
	printf("%s: SNR %.1f dB, level %+.4f dB against the libsamplerate reference\n", what, snr,
	       level);
	ck_assert_msg(snr >= min_snr && fabs(level) <= max_db, "%s: SNR %.1f dB (want >= %g), level "
	              "%+.4f dB (want within %g) against the libsamplerate reference", what, snr,
	              min_snr, level, max_db);
}

/* --- 1: every shared model through the same binary -------------------- */

static const struct {
	const char *model;
	const char *golden;                /* NULL: no golden (other weights) */
} golden_cases[] = {
	{ "gtcrn_simple.onnx", "mix_enh_gtcrn_simple.wav" },
	{ "gtcrn_stream.onnx", "mix_enh_gtcrn_simple.wav" },
	{ "gtcrn_offline_op13.onnx", "mix_enh_offline.wav" },
	{ "gtcrn_offline_op11.onnx", "mix_enh_offline.wav" },
	{ "gtcrn_offline_op17.onnx", "mix_enh_offline.wav" },
	{ "gtcrn_offline_einsum_op13.onnx", "mix_enh_offline.wav" },
	{ "gtcrn_stream_vctk.onnx", NULL },
};

START_TEST(test_model_golden)
{
	const char *dir = test_dir(golden_cases[_i].model);
	char model[512], golden[512], what[1536], *out = path_in(dir, "out.wav");
	SF_INFO io, ig;
	float *y, *ref;
	double energy = 0;

	snprintf(model, sizeof(model), "%s/%s", MODELS_DIR, golden_cases[_i].model);
	run_ok(NULL, "-q", "-e", "float", model, MIX_WAV, out, NULL);
	y = load(out, &io);
	ck_assert_msg(io.frames == MIX_FRAMES && io.channels == 1 && io.samplerate == 16000,
	              "%s: output %lld frames, %d ch, %d Hz; expected %d, 1, 16000", model,
	              (long long)io.frames, io.channels, io.samplerate, MIX_FRAMES);
	ck_assert_int_eq(io.format & SF_FORMAT_SUBMASK, SF_FORMAT_FLOAT);
	ck_assert_int_eq(io.format & SF_FORMAT_TYPEMASK, SF_FORMAT_WAV);
	for (sf_count_t i = 0; i < io.frames; i++) {
		ck_assert_msg(isfinite(y[i]), "%s: sample %lld is %g", model, (long long)i, y[i]);
		energy += (double)y[i] * y[i];
	}
	ck_assert_msg(energy > 1.0, "%s: output is (nearly) silent, energy %g", model, energy);
	if (golden_cases[_i].golden) {
		snprintf(golden, sizeof(golden), "%s/%s", TESTDATA_DIR, golden_cases[_i].golden);
		ref = load(golden, &ig);
		ck_assert_int_eq(ig.frames, GOLDEN_FRAMES);
		snprintf(what, sizeof(what), "%s vs %s (rerun: %s -e float %s %s out.wav)", model,
		         golden_cases[_i].golden, TOOL, model, MIX_WAV);
		expect_tight(what, y, ref, GOLDEN_FRAMES);
		free(ref);
	}
	free(y);
}
END_TEST

/* --offline on a streaming model: whole-signal path, same numbers */
START_TEST(test_offline_flag)
{
	const char *dir = test_dir("offline_flag");
	char *out = path_in(dir, "out.wav");
	SF_INFO io, ig;
	float *y, *ref;

	run_ok(NULL, "-q", "--offline", "-e", "float", MODELS_DIR "/gtcrn_simple.onnx", MIX_WAV,
	       out, NULL);
	y = load(out, &io);
	ref = load(TESTDATA_DIR "/mix_enh_gtcrn_simple.wav", &ig);
	ck_assert_int_eq(io.frames, MIX_FRAMES);
	expect_tight("--offline", y, ref, GOLDEN_FRAMES);
	free(y);
	free(ref);
}
END_TEST

/* --- 4: rates and channel layouts ------------------------------------- */

/* mix.wav as 48 kHz stereo 16-bit (linear interpolation x3, right = 0) */
static void make_stereo48(const char *path)
{
	SF_INFO info;
	short *x = load_shorts(MIX_WAV, &info), *y;
	size_t n = (size_t)info.frames;

	y = calloc(3 * n * 2, sizeof(short));
	ck_assert(y != NULL);
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 3; k++) {
			int a = x[i], b = i + 1 < n ? x[i + 1] : x[i];
			y[(3 * i + (size_t)k) * 2] = (short)lrint(a + (b - a) * k / 3.0);
		}
	save_shorts(path, y, (sf_count_t)(3 * n), 2, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
	free(x);
	free(y);
}

/* mix.wav as 8 kHz mono (pairs averaged) */
static void make_mono8(const char *path)
{
	SF_INFO info;
	short *x = load_shorts(MIX_WAV, &info), *y;
	size_t n = (size_t)info.frames / 2;

	y = malloc(n * sizeof(short));
	ck_assert(y != NULL);
	for (size_t i = 0; i < n; i++)
		y[i] = (short)((x[2 * i] + x[2 * i + 1]) / 2);
	save_shorts(path, y, (sf_count_t)n, 1, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
	free(x);
	free(y);
}

START_TEST(test_stereo_48k)
{
	const char *dir = test_dir("stereo48");
	char *in = path_in(dir, "in48.wav"), *out = path_in(dir, "out48.wav");
	SF_INFO io, ig;
	short *y;
	float *ref, *yf;
	double corr, left = 0;
	size_t nref;

	make_stereo48(in);
	run_ok(NULL, "-q", MODELS_DIR "/gtcrn_simple.onnx", in, out, NULL);
	y = load_shorts(out, &io);
	ck_assert_msg(io.samplerate == 48000 && io.channels == 2 && io.frames == 3 * MIX_FRAMES,
	              "got %d Hz, %d ch, %lld frames; expected 48000, 2, %d", io.samplerate,
	              io.channels, (long long)io.frames, 3 * MIX_FRAMES);
	ck_assert_int_eq(io.format, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
	for (sf_count_t i = 0; i < io.frames; i++) {
		ck_assert_msg(y[2 * i + 1] == 0, "right channel (silent input) has %d at frame %lld",
		              y[2 * i + 1], (long long)i);
		left += fabs((double)y[2 * i]);
	}
	ck_assert_msg(left > 1e5, "left channel is silent");
	/* the left channel, taken every third sample, is the 16 kHz enhancement */
	ref = load(TESTDATA_DIR "/mix_enh_gtcrn_simple.wav", &ig);
	yf = malloc((size_t)GOLDEN_FRAMES * sizeof(float));
	ck_assert(yf != NULL);
	for (size_t i = 0; i < GOLDEN_FRAMES; i++)
		yf[i] = y[6 * i] / 32768.0f;
	corr = correlation(yf, 1, ref, GOLDEN_FRAMES);
	ck_assert_msg(corr > 0.99, "48 kHz left channel vs 16 kHz golden: correlation %.4f", corr);
	free(yf);
	free(ref);
	/* by level and waveform: the left channel against the reference pipeline */
	ref = reference_via_16k(dir, in, 0, SIMPLE, &nref);
	yf = load(out, &io);
	expect_snr_level("48 kHz stereo, left", yf, 2, ref,
	                 nref < (size_t)io.frames ? nref : (size_t)io.frames, 48000, CLI_SNR_48,
	                 CLI_LEVEL_DB);
	free(y);
	free(yf);
	free(ref);
}
END_TEST

START_TEST(test_mono_8k)
{
	const char *dir = test_dir("mono8");
	char *in = path_in(dir, "in8.wav"), *out = path_in(dir, "out8.wav");
	char *out_off = path_in(dir, "out8_offline.wav");
	SF_INFO io, ii;
	short *y, *x;
	float *yf, *ref;
	size_t nref;

	make_mono8(in);
	x = load_shorts(in, &ii);
	run_ok(NULL, "-q", MODELS_DIR "/gtcrn_simple.onnx", in, out, NULL);
	run_ok(NULL, "-q", MODELS_DIR "/gtcrn_offline_op13.onnx", in, out_off, NULL);
	for (int k = 0; k < 2; k++) {
		double dx = 0, dy = 0;
		y = load_shorts(k ? out_off : out, &io);
		ck_assert_msg(io.samplerate == 8000 && io.channels == 1 && io.frames == ii.frames,
		              "%s: %d Hz, %d ch, %lld frames; expected 8000, 1, %lld",
		              k ? out_off : out, io.samplerate, io.channels, (long long)io.frames,
		              (long long)ii.frames);
		ck_assert_int_eq(io.format, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
		/* enhancement removes noise: less energy than the noisy input */
		for (sf_count_t i = 0; i < io.frames; i++) {
			dx += (double)x[i] * x[i];
			dy += (double)y[i] * y[i];
		}
		ck_assert_msg(dy > 0.2 * dx && dy < 0.9 * dx, "%s: energy %g vs input %g",
		              k ? out_off : out, dy, dx);
		free(y);
		/* by level and waveform against the reference pipeline */
		ref = reference_via_16k(dir, in, 0, k ? MODELS_DIR "/gtcrn_offline_op13.onnx" : SIMPLE,
		                        &nref);
		yf = load(k ? out_off : out, &io);
		expect_snr_level(k ? "8 kHz, offline model" : "8 kHz, streaming model", yf, 1, ref,
		                 nref < (size_t)io.frames ? nref : (size_t)io.frames, 8000, CLI_SNR_8,
		                 CLI_LEVEL_DB);
		free(yf);
		free(ref);
	}
	/* --resample-quality reaches the resampler: another filter, other samples,
	 * the same length */
	{
		char *out_q = path_in(dir, "out8_q2.wav");
		run_ok(NULL, "-q", "--resample-quality", "2", MODELS_DIR "/gtcrn_simple.onnx", in,
		       out_q, NULL);
		y = load_shorts(out_q, &io);
		ck_assert_msg(io.frames == ii.frames, "quality 2: %lld frames, want %lld",
		              (long long)io.frames, (long long)ii.frames);
		ck_assert_msg(!same_bytes(out, out_q), "--resample-quality 2 changed nothing");
		free(y);
	}
	free(x);
}
END_TEST

START_TEST(test_out_rate_and_flac)
{
	const char *dir = test_dir("out_rate");
	char *up = path_in(dir, "up.wav"), *flac_in = path_in(dir, "in.flac");
	char *flac_out = path_in(dir, "out.flac"), *ref = path_in(dir, "ref.wav");
	SF_INFO io, ii, ir;
	float *y, *r;
	short *x;
	double corr;
	size_t nref;

	run_ok(NULL, "-q", "-e", "float", "--out-rate", "48000", MODELS_DIR "/gtcrn_simple.onnx",
	       MIX_WAV, up, NULL);
	run_ok(NULL, "-q", "-e", "float", MODELS_DIR "/gtcrn_simple.onnx", MIX_WAV, ref, NULL);
	y = load(up, &io);
	r = load(ref, &ir);
	ck_assert_msg(io.samplerate == 48000 && io.frames == 3 * MIX_FRAMES,
	              "--out-rate 48000: %d Hz, %lld frames; expected 48000, %d", io.samplerate,
	              (long long)io.frames, 3 * MIX_FRAMES);
	corr = correlation(y, 3, r, MIX_FRAMES);
	ck_assert_msg(corr > 0.999, "--out-rate 48000 vs 16 kHz output: correlation %.4f", corr);
	/* by level and waveform: the 16 kHz output resampled by libsamplerate */
	free(y);
	y = ref_resample(r, MIX_FRAMES, 16000, 48000, &nref);
	free(r);
	r = load(up, &io);
	expect_snr_level("--out-rate 48000", r, 1, y, nref < (size_t)io.frames ? nref :
	                 (size_t)io.frames, 48000, CLI_SNR_OUT_RATE, CLI_LEVEL_DB);
	free(y);
	free(r);
	/* FLAC in, FLAC out with the input's subtype */
	x = load_shorts(MIX_WAV, &ii);
	save_shorts(flac_in, x, ii.frames, 1, 16000, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
	free(x);
	run_ok(NULL, "-q", MODELS_DIR "/gtcrn_simple.onnx", flac_in, flac_out, NULL);
	y = load(flac_out, &io);
	ck_assert_int_eq(io.format, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
	ck_assert_int_eq(io.frames, MIX_FRAMES);
	free(y);
}
END_TEST

/* Inputs shorter than the latency still come back with their length. */
START_TEST(test_short_inputs)
{
	static const struct { int frames, rate, channels; } cases[] = {
		{ 1, 16000, 1 }, { 100, 16000, 1 }, { 600, 16000, 1 }, { 7, 48000, 2 }, { 1500, 48000, 2 },
	};
	const char *dir = test_dir("short");
	char *in = path_in(dir, "in.wav"), *out = path_in(dir, "out.wav");
	SF_INFO ii, io;
	short *x = load_shorts(MIX_WAV, &ii), *y;

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
		for (int off = 0; off < 2; off++) {
			save_shorts(in, x + 20000, cases[c].frames, cases[c].channels, cases[c].rate,
			            SF_FORMAT_WAV | SF_FORMAT_PCM_16);
			run_ok(NULL, "-q", off ? MODELS_DIR "/gtcrn_offline_op13.onnx" : SIMPLE, in, out,
			       NULL);
			y = load_shorts(out, &io);
			ck_assert_msg(io.frames == cases[c].frames && io.samplerate == cases[c].rate &&
			              io.channels == cases[c].channels, "%d frames at %d Hz, %d ch (%s): "
			              "got %lld frames at %d Hz, %d ch", cases[c].frames, cases[c].rate,
			              cases[c].channels, off ? "offline" : "streaming",
			              (long long)io.frames, io.samplerate, io.channels);
			free(y);
		}
	free(x);
}
END_TEST

/* --- 5: pipes ----------------------------------------------------------- */

START_TEST(test_raw_pipe)
{
	const char *dir = test_dir("raw_pipe");
	char *ref = path_in(dir, "ref16.wav");
	struct run_opts ro = { 0 };
	struct run r;
	SF_INFO ii, ir;
	short *x = load_shorts(MIX_WAV, &ii), *y, *got;

	run_ok(NULL, "-q", MODELS_DIR "/gtcrn_simple.onnx", MIX_WAV, ref, NULL);
	y = load_shorts(ref, &ir);
	ck_assert_int_eq(ir.format, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
	ro.in_data = x;                    /* raw s16 little endian on stdin */
	ro.in_len = (size_t)ii.frames * sizeof(short);
	run(&r, &ro, "-t", "raw", "-r", "16000", "-c", "1", "-e", "signed-integer", "-b", "16",
	    MODELS_DIR "/gtcrn_simple.onnx", "-", "-", NULL);
	ck_assert_msg(r.status == 0, "%.600s: exit %d: %.600s", r.cmd, r.status, r.err);
	ck_assert_msg(r.out_len == (size_t)ir.frames * sizeof(short),
	              "%.600s: %zu bytes on stdout, expected %zu", r.cmd, r.out_len,
	              (size_t)ir.frames * sizeof(short));
	got = (short *)r.out;
	for (sf_count_t i = 0; i < ir.frames; i++)
		ck_assert_msg(got[i] == y[i], "pipe vs file: sample %lld is %d, file gives %d; rerun: "
		              "%.600s", (long long)i, got[i], y[i], r.cmd);
	run_free(&r);
	free(x);
	free(y);
}
END_TEST

START_TEST(test_wav_pipe)
{
	const char *dir = test_dir("wav_pipe");
	char *ref = path_in(dir, "ref16.wav"), *piped = path_in(dir, "piped.wav");
	struct run_opts ro = { 0 };
	struct run r;
	SF_INFO ir, ip;
	short *y, *z;
	size_t len;
	void *wav = read_file(MIX_WAV, &len);

	run_ok(NULL, "-q", MODELS_DIR "/gtcrn_simple.onnx", MIX_WAV, ref, NULL);
	y = load_shorts(ref, &ir);
	ro.in_data = wav;
	ro.in_len = len;
	run(&r, &ro, MODELS_DIR "/gtcrn_simple.onnx", "-", "-", NULL);
	ck_assert_msg(r.status == 0, "%.600s: exit %d: %.600s", r.cmd, r.status, r.err);
	ck_assert_msg(r.out_len > 44 && !memcmp(r.out, "RIFF", 4), "%.600s: no WAV on stdout", r.cmd);
	/* header written before the length was known: 0xFFFFFFFF sizes, as sox does */
	ck_assert_msg(!memcmp(r.out + 4, "\xff\xff\xff\xff", 4), "RIFF size is not 0xFFFFFFFF");
	write_bytes(piped, r.out, r.out_len);
	z = load_shorts(piped, &ip);
	ck_assert_msg(ip.frames == ir.frames && ip.samplerate == 16000 && ip.channels == 1,
	              "piped WAV: %lld frames at %d Hz, expected %lld", (long long)ip.frames,
	              ip.samplerate, (long long)ir.frames);
	for (sf_count_t i = 0; i < ir.frames; i++)
		ck_assert_msg(z[i] == y[i], "WAV pipe vs file: sample %lld is %d, expected %d",
		              (long long)i, z[i], y[i]);
	run_free(&r);
	free(wav);
	free(y);
	free(z);
}
END_TEST

/* Output appears while stdin is still open: the pipe streams. */
START_TEST(test_pipe_streams)
{
	char *argv[] = { "gtcrn-run", "-t", "raw", "-r", "16000", MODELS_DIR "/gtcrn_simple.onnx",
	                 "-", "-", NULL };
	struct run_opts ro = { .in_data = "", .in_len = 0 };
	SF_INFO ii;
	short *x = load_shorts(MIX_WAV, &ii);
	const size_t n_in = 32000;         /* 2 s written, stdin kept open */
	struct proc p;
	struct run r = { 0 };
	size_t got = 0;
	char buf[65536];
	double t0;
	struct timespec ts;

	proc_start(&p, &ro, argv, r.cmd, sizeof(r.cmd));
	ck_assert_int_eq(write(p.fd_in, x, n_in * sizeof(short)), (ssize_t)(n_in * sizeof(short)));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = ts.tv_sec + ts.tv_nsec * 1e-9;
	/* everything but the latency and one block must come out before EOF */
	while (got < (n_in - 511 - 1024) * sizeof(short)) {
		struct pollfd pf = { p.fd_out, POLLIN, 0 };
		ssize_t k;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ck_assert_msg(ts.tv_sec + ts.tv_nsec * 1e-9 - t0 < 20,
		              "only %zu bytes out after 20 s with stdin open", got);
		if (poll(&pf, 1, 100) <= 0)
			continue;
		k = read(p.fd_out, buf, sizeof(buf));
		ck_assert_msg(k > 0, "stdout closed after %zu bytes", got);
		got += (size_t)k;
	}
	proc_finish(&p, &r, NULL, 0);          /* closes stdin: the tail follows */
	ck_assert_msg(r.status == 0, "exit %d: %.600s", r.status, r.err);
	ck_assert_int_eq(got + r.out_len, n_in * sizeof(short));
	run_free(&r);
	free(x);
}
END_TEST

/* --- 6: bad input ------------------------------------------------------- */

/* Runs gtcrn_simple on in -> out, expects status and a message substring,
 * and an output folder left empty. */
static void expect_fail(const char *out_dir, int status, const char *needle, ...)
{
	struct run r;
	va_list ap;

	va_start(ap, needle);
	vrun(&r, NULL, ap);
	va_end(ap);
	expect_error(r.cmd, r.err, r.status, status, needle);
	ck_assert_msg(!strncmp(r.err, "gtcrn-run: ", 11), "'%.600s': stderr '%.600s' lacks "
	              "'gtcrn-run: '", r.cmd, r.err);
	if (out_dir)
		ck_assert_msg(dir_entries(out_dir) == 0, "'%.600s' left %d files in %.600s", r.cmd,
		              dir_entries(out_dir), out_dir);
	run_free(&r);
}

START_TEST(test_bad_audio)
{
	const char *base = test_dir("bad_audio");
	char in_dir[512], out_dir[512];
	SF_INFO info = { .samplerate = 16000, .channels = 1, .format = SF_FORMAT_WAV |
	                 SF_FORMAT_PCM_16 };
	SNDFILE *sf;

	snprintf(in_dir, sizeof(in_dir), "%s/in", base);
	snprintf(out_dir, sizeof(out_dir), "%s/out", base);
	ck_assert(mkdir(in_dir, 0755) == 0 && mkdir(out_dir, 0755) == 0);
	write_bytes(path_in(in_dir, "text.wav"), "this is not audio\n", 18);
	write_bytes(path_in(in_dir, "empty.wav"), "", 0);
	sf = sf_open(path_in(in_dir, "zero.wav"), SFM_WRITE, &info);   /* header, 0 frames */
	ck_assert(sf != NULL);
	sf_close(sf);
	expect_fail(out_dir, 2, "text.wav: not a readable audio file", SIMPLE,
	            path_in(in_dir, "text.wav"), path_in(out_dir, "o.wav"), NULL);
	expect_fail(out_dir, 2, "empty.wav: empty file", SIMPLE, path_in(in_dir, "empty.wav"),
	            path_in(out_dir, "o.wav"), NULL);
	/* decision: a WAV with no frames is an input error, no output */
	expect_fail(out_dir, 2, "zero.wav: no audio (0 frames)", SIMPLE,
	            path_in(in_dir, "zero.wav"), path_in(out_dir, "o.wav"), NULL);
	expect_fail(out_dir, 2, "is a folder", SIMPLE, in_dir, path_in(out_dir, "o.wav"), NULL);
	expect_fail(out_dir, 2, "missing.wav: cannot open: No such file", SIMPLE,
	            path_in(in_dir, "missing.wav"), path_in(out_dir, "o.wav"), NULL);
	expect_fail(NULL, 2, "stdin: no audio (0 frames)", "-t", "raw", "-r", "16000", SIMPLE,
	            "-", path_in(out_dir, "o.wav"), NULL);
	ck_assert_int_eq(dir_entries(out_dir), 0);
	/* raw input without its rate: a usage error */
	expect_fail(out_dir, 1, "needs its sample rate", "-t", "raw", SIMPLE, MIX_WAV,
	            path_in(out_dir, "o.raw"), NULL);
}
END_TEST

/* r exited 0 with, on stderr, the warning (NULL: no warning); frees r. */
static void expect_warning(struct run *r, const char *warning)
{
	expect_ok(r->cmd, r->err, r->status);
	if (warning)
		ck_assert_msg(strstr(r->err, warning) && !strncmp(r->err, "gtcrn-run: ", 11),
		              "'%.600s': stderr lacks 'gtcrn-run: ...%s':\n%.600s", r->cmd, warning,
		              r->err);
	else
		ck_assert_msg(!strstr(r->err, "warning"), "'%.600s': a warning:\n%.600s", r->cmd,
		              r->err);
	run_free(r);
}

/* Issue 14, point 11: raw input that starts with a WAV header, or ends in
 * a partial frame, is read as asked (exit 0), with a warning even under -q. */
START_TEST(test_raw_warnings)
{
	const char *dir = test_dir("raw_warnings");
	char *odd = path_in(dir, "odd.raw"), *wav_raw = path_in(dir, "mix.pcm");
	char *out = path_in(dir, "o.raw");
	size_t n;
	unsigned char *mix = read_file(MIX_WAV, &n);
	struct run_opts ro = { .in_data = mix + 44, .in_len = 32003 };
	struct run r;

	write_bytes(odd, mix + 44, 32001);
	write_bytes(wav_raw, mix, n);
	run(&r, NULL, "-q", "-t", "raw", "-r", "16000", SIMPLE, MIX_WAV, out, NULL);
	expect_warning(&r, "mix.wav: warning: starts with a RIFF/WAVE header, but -t raw reads it "
	               "as raw samples, header included (drop -t raw");
	run(&r, NULL, "-q", "-r", "16000", SIMPLE, wav_raw, out, NULL);
	expect_warning(&r, "mix.pcm: warning: starts with a RIFF/WAVE header, but its name (.pcm)");
	run(&r, NULL, "-q", "-r", "16000", SIMPLE, odd, out, NULL);
	expect_warning(&r, "odd.raw: warning: 1 trailing byte dropped: less than a frame (1 channel "
	               "of 16-bit samples)");
	run(&r, &ro, "-q", "-t", "raw", "-r", "16000", "-c", "2", "-b", "24", SIMPLE, "-", out,
	    NULL);
	expect_warning(&r, "stdin: warning: 5 trailing bytes dropped: less than a frame (2 channels "
	               "of 24-bit samples)");
	ro.in_len = 32000;                 /* whole frames, no header: no warning */
	run(&r, &ro, "-t", "raw", "-r", "16000", SIMPLE, "-", out, NULL);
	expect_warning(&r, NULL);
	free(mix);
}
END_TEST

START_TEST(test_bad_output)
{
	const char *dir = test_dir("bad_output");
	char out_dir[512], *in = path_in(dir, "in.wav"), *link = path_in(dir, "link.wav");
	size_t n0, n1;
	void *before = read_file(MIX_WAV, &n0), *after;

	snprintf(out_dir, sizeof(out_dir), "%s/out", dir);
	ck_assert(mkdir(out_dir, 0755) == 0);
	expect_fail(out_dir, 4, "cannot create a file in folder", SIMPLE, MIX_WAV,
	            path_in(out_dir, "no/such/folder/o.wav"), NULL);
	/* the output is the input (by name, through a symlink): refused, input untouched */
	write_bytes(in, before, n0);
	ck_assert(symlink(in, link) == 0);
	expect_fail(NULL, 4, "the output is the input file", SIMPLE, in, in, NULL);
	expect_fail(NULL, 4, "the output is the input file", SIMPLE, in, link, NULL);
	expect_fail(NULL, 4, "the output is the input file", SIMPLE, link, in, NULL);
	after = read_file(in, &n1);
	ck_assert_msg(n0 == n1 && !memcmp(before, after, n0), "the input file changed");
	ck_assert_int_eq(dir_entries(dir), 3);         /* in.wav, link.wav, out/ */
	free(before);
	free(after);
}
END_TEST

START_TEST(test_stdout_full)
{
	struct run_opts ro = { .out_file = "/dev/full" };
	struct run r;

	run(&r, &ro, SIMPLE, MIX_WAV, "-", NULL);
	ck_assert_msg(r.status == 4 && strstr(r.err, "stdout: write failed"),
	              "%.600s > /dev/full: exit %d, stderr %.600s", r.cmd, r.status, r.err);
	run_free(&r);
}
END_TEST

START_TEST(test_bad_model)
{
	const char *dir = test_dir("bad_model");
	char out_dir[512], *trunc = path_in(dir, "trunc.onnx");
	size_t len;
	void *model = read_file(SIMPLE, &len);

	snprintf(out_dir, sizeof(out_dir), "%s/out", dir);
	ck_assert(mkdir(out_dir, 0755) == 0);
	write_bytes(trunc, model, len / 2);
	free(model);
	expect_fail(out_dir, 3, "not a GTCRN export", NODE_TESTS_DIR "/test_add/model.onnx",
	            MIX_WAV, path_in(out_dir, "o.wav"), NULL);
	expect_fail(out_dir, 3, "trunc.onnx: cannot load the model", trunc, MIX_WAV,
	            path_in(out_dir, "o.wav"), NULL);
	expect_fail(out_dir, 3, "cannot load the model", path_in(dir, "missing.onnx"), MIX_WAV,
	            path_in(out_dir, "o.wav"), NULL);
	/* an offline model over its memory budget: the library's message, input error */
	expect_fail(out_dir, 2, "use a streaming export", "--mem-budget", "1",
	            MODELS_DIR "/gtcrn_offline_op13.onnx", MIX_WAV, path_in(out_dir, "o.wav"),
	            NULL);
	expect_fail(out_dir, 1, "cannot stream", "--stream", MODELS_DIR "/gtcrn_offline_op13.onnx",
	            MIX_WAV, path_in(out_dir, "o.wav"), NULL);
}
END_TEST

/* SIGTERM or SIGINT while streaming: exit 130, the temporary output removed */
START_TEST(test_signal_cleanup)
{
	static const int sigs[2] = { SIGTERM, SIGINT };
	SF_INFO ii;
	short *x = load_shorts(MIX_WAV, &ii);

	for (int k = 0; k < 2; k++) {
		const char *dir = test_dir(k ? "sigint" : "sigterm");
		char *argv[] = { "gtcrn-run", "-q", "-t", "raw", "-r", "16000", SIMPLE, "-",
		                 path_in(dir, "o.wav"), NULL };
		struct run_opts ro = { .in_data = "", .in_len = 0 };
		struct proc p;
		struct run r = { 0 };
		int waited = 0;

		proc_start(&p, &ro, argv, r.cmd, sizeof(r.cmd));
		ck_assert_int_eq(write(p.fd_in, x, 16000 * sizeof(short)), 16000 * sizeof(short));
		while (dir_entries(dir) == 0) {             /* the temporary output appears */
			ck_assert_msg(waited < 20000, "no temporary output after 20 s");
			usleep(10000);
			waited += 10;
		}
		ck_assert(kill(p.pid, sigs[k]) == 0);
		proc_finish(&p, &r, NULL, 0);
		ck_assert_msg(r.status == 130, "after %s: exit %d, expected 130", strsignal(sigs[k]),
		              r.status);
		ck_assert_msg(dir_entries(dir) == 0, "%s left %d files in %s", strsignal(sigs[k]),
		              dir_entries(dir), dir);
		run_free(&r);
	}
	free(x);
}
END_TEST

/* The reader of stdout goes away after 1000 bytes: no crash (SIGPIPE is
 * ignored), a message and exit 4. */
START_TEST(test_pipe_closed)
{
	char *argv[] = { "gtcrn-run", "-q", SIMPLE, MIX_WAV, "-", NULL };
	struct proc p;
	struct run r = { 0 };
	char buf[1000];
	size_t got = 0;

	proc_start(&p, NULL, argv, r.cmd, sizeof(r.cmd));
	while (got < sizeof(buf)) {
		ssize_t n = read(p.fd_out, buf + got, sizeof(buf) - got);
		ck_assert_msg(n > 0, "stdout ended after %zu bytes", got);
		got += (size_t)n;
	}
	close(p.fd_out);
	p.fd_out = -1;
	proc_finish(&p, &r, NULL, 0);
	ck_assert_msg(r.status == 4 && strstr(r.err, "stdout: write failed: Broken pipe"),
	              "reader gone: exit %d, stderr %.600s", r.status, r.err);
	run_free(&r);
}
END_TEST

/* A file size limit (as a full disk): exit 4 with the reason, and no
 * partial output, not even the temporary file. */
START_TEST(test_file_size_limit)
{
	const char *dir = test_dir("fsize");
	struct run_opts ro = { .fsize_limit = 100000 };
	struct run r;

	run(&r, &ro, "-q", SIMPLE, MIX_WAV, path_in(dir, "o.wav"), NULL);
	ck_assert_msg(r.status == 4 && strstr(r.err, "o.wav: write failed") &&
	              strstr(r.err, "File too large"), "%.300s: exit %d, stderr %.600s", r.cmd,
	              r.status, r.err);
	ck_assert_msg(dir_entries(dir) == 0, "left %d files in %s", dir_entries(dir), dir);
	run_free(&r);
}
END_TEST

/* An output folder that cannot be written: sysfs refuses new files even to
 * root; a folder without write permission (when not root) too. */
START_TEST(test_readonly_output)
{
	const char *dir = test_dir("readonly");
	char ro_dir[512];

	expect_fail(NULL, 4, "/sys/o.wav: cannot create a file in folder '/sys/'", SIMPLE,
	            MIX_WAV, "/sys/o.wav", NULL);
	snprintf(ro_dir, sizeof(ro_dir), "%s/ro", dir);
	ck_assert(mkdir(ro_dir, 0555) == 0);
	if (geteuid() != 0)
		expect_fail(ro_dir, 4, "cannot create a file in folder", SIMPLE, MIX_WAV,
		            path_in(ro_dir, "o.wav"), NULL);
	chmod(ro_dir, 0755);
}
END_TEST

/* mix.wav n times over, 16 kHz mono PCM16. */
static void write_long_wav(const char *path, int n)
{
	SF_INFO ii, info = { .samplerate = 16000, .channels = 1,
	                     .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
	short *x = load_shorts(MIX_WAV, &ii);
	SNDFILE *sf = sf_open(path, SFM_WRITE, &info);

	ck_assert(sf != NULL);
	for (int k = 0; k < n; k++)
		ck_assert_int_eq(sf_writef_short(sf, x, ii.frames), ii.frames);
	sf_close(sf);
	free(x);
}

/* The input is cut short, or grows, while gtcrn-run reads it: exit 2 with
 * the reason, and no output. */
START_TEST(test_input_changes)
{
	for (int k = 0; k < 2; k++) {
		const char *dir = test_dir(k ? "input_grows" : "input_shrinks");
		char in[512], out_dir[512];
		char *argv[] = { "gtcrn-run", "-q", SIMPLE, in, NULL, NULL };
		struct proc p;
		struct run r = { 0 };
		int waited = 0;
		struct stat sb;

		snprintf(in, sizeof(in), "%s/in.wav", dir);
		snprintf(out_dir, sizeof(out_dir), "%s/out", dir);
		ck_assert(mkdir(out_dir, 0755) == 0);
		argv[4] = path_in(out_dir, "o.wav");
		write_long_wav(in, 120);                    /* 20 minutes: about 5 s of work */
		ck_assert(stat(in, &sb) == 0);
		proc_start(&p, NULL, argv, r.cmd, sizeof(r.cmd));
		for (;;) {                                  /* until some output is written */
			DIR *d = opendir(out_dir);
			struct dirent *e;
			struct stat ob;
			int busy = 0;
			while (d && (e = readdir(d)))
				if (e->d_name[0] == '.' && strstr(e->d_name, "gtcrn-") &&
				    !stat(path_in(out_dir, e->d_name), &ob) && ob.st_size > 1000000)
					busy = 1;
			if (d)
				closedir(d);
			if (busy)
				break;
			ck_assert_msg(waited < 20000, "no output growing after 20 s");
			usleep(5000);
			waited += 5;
		}
		if (k) {
			int fd = open(in, O_WRONLY | O_APPEND);
			ck_assert(fd >= 0 && write(fd, "appended", 8) == 8);
			close(fd);
		} else {
			ck_assert(truncate(in, sb.st_size / 2) == 0);
		}
		proc_finish(&p, &r, NULL, 0);
		ck_assert_msg(r.status == 2 && strstr(r.err, k ? "changed length while being read" :
		                                             "changed while being read"),
		              "%s: exit %d, stderr %.600s", k ? "grown" : "cut", r.status, r.err);
		ck_assert_msg(dir_entries(out_dir) == 0, "left %d files in %s", dir_entries(out_dir),
		              out_dir);
		run_free(&r);
		unlink(in);
	}
}
END_TEST

/* --- command line ------------------------------------------------------- */

/* Runs the tool on a pseudo-terminal (its stdin, stdout and stderr, as in a
 * terminal session): the exit status and everything it wrote there. */
static int run_pty(char **out, size_t *out_len, char **argv)
{
	int master, st;
	pid_t pid = forkpty(&master, NULL, NULL, NULL);
	char buf[4096];
	ssize_t got;

	ck_assert_msg(pid >= 0, "forkpty: %s", strerror(errno));
	if (pid == 0) {
		execv(TOOL, argv);
		_exit(127);
	}
	*out = NULL;
	*out_len = 0;
	while ((got = read(master, buf, sizeof(buf))) > 0 || (got < 0 && errno == EINTR))
		if (got > 0)
			append(out, out_len, buf, (size_t)got);
	close(master);                      /* EIO: the tool closed the terminal */
	if (!*out)
		append(out, out_len, "", 0);
	while (waitpid(pid, &st, 0) < 0)
		ck_assert_msg(errno == EINTR, "waitpid: %s", strerror(errno));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Issue 14, point 13: a batch on a terminal draws a progress line (files
 * done, audio seconds, rate) and clears it at the end; none with -q, and
 * none when stderr is not a terminal. */
START_TEST(test_batch_progress)
{
	const char *dir = test_dir("batch_progress");
	char out_dir[512], *a = path_in(dir, "a.wav"), *b = path_in(dir, "b.wav"), *tty;
	char *argv[] = { "gtcrn-run", "-j", "2", "-m", SIMPLE, "-o", out_dir, a, b, NULL, NULL };
	const char *line = "gtcrn-run: 2/2 files done, 19.5 s of audio, ", *last;
	size_t n;
	void *mix = read_file(MIX_WAV, &n);
	struct run r;

	snprintf(out_dir, sizeof(out_dir), "%s/out", dir);
	ck_assert(mkdir(out_dir, 0755) == 0);
	write_bytes(a, mix, n);
	write_bytes(b, mix, n);
	free(mix);
	ck_assert_int_eq(run_pty(&tty, &n, argv), 0);
	ck_assert_msg(strstr(tty, line) && strstr(strstr(tty, line), "x real time"),
	              "no '%s...x real time' on the terminal:\n%s", line, tty);
	for (last = strstr(tty, "files done"); strstr(last + 1, "files done");)
		last = strstr(last + 1, "files done");
	ck_assert_msg(strstr(last, "\r\033[K") && n >= 4 && !strcmp(tty + n - 4, "\r\033[K"),
	              "the progress line is not cleared at the end:\n%s", tty);
	free(tty);
	argv[9] = argv[8];                  /* -q: no line */
	argv[8] = argv[7];
	argv[7] = "-q";
	ck_assert_int_eq(run_pty(&tty, &n, argv), 0);
	ck_assert_msg(!strstr(tty, "files done"), "a progress line with -q:\n%s", tty);
	free(tty);
	run(&r, NULL, "-j", "2", "-m", SIMPLE, "-o", out_dir, a, b, NULL);   /* stderr: a pipe */
	expect_ok(r.cmd, r.err, r.status);
	ck_assert_msg(!strstr(r.err, "files done"), "a progress line on a pipe:\n%s", r.err);
	run_free(&r);
}
END_TEST

START_TEST(test_batch)
{
	const char *dir = test_dir("batch");
	char out_dir[512], *a = path_in(dir, "a.wav"), *b = path_in(dir, "b8.wav");
	char *sa = path_in(dir, "single_a.wav"), *sb = path_in(dir, "single_b8.wav");
	struct run r;
	size_t len;
	void *data = read_file(MIX_WAV, &len);

	snprintf(out_dir, sizeof(out_dir), "%s/out", dir);
	ck_assert(mkdir(out_dir, 0755) == 0);
	write_bytes(a, data, len);
	free(data);
	make_mono8(b);
	run(&r, NULL, "-j", "2", "-o", out_dir, "--json", "-m", SIMPLE, a, b, NULL);
	ck_assert_msg(r.status == 0, "%.600s: exit %d: %.600s", r.cmd, r.status, r.err);
	/* one JSON line per file on stdout */
	ck_assert_msg(strstr(r.out, "\"input\":\"") && strstr(r.out, "\"rtf\":") &&
	              strchr(r.out, '\n') && strchr(strchr(r.out, '\n') + 1, '\n'),
	              "--json output: %s", r.out);
	run_free(&r);
	run_ok(NULL, "-q", SIMPLE, a, sa, NULL);
	run_ok(NULL, "-q", SIMPLE, b, sb, NULL);
	ck_assert_msg(same_bytes(path_in(out_dir, "a.wav"), sa), "batch a.wav differs from a single run");
	ck_assert_msg(same_bytes(path_in(out_dir, "b8.wav"), sb), "batch b8.wav differs from a single run");
	/* --skip-existing leaves what is there */
	write_bytes(path_in(out_dir, "a.wav"), "keep", 4);
	run_ok(NULL, "-q", "--skip-existing", "-o", out_dir, "-m", SIMPLE, a, b, NULL);
	ck_assert_msg(dir_entries(out_dir) == 2, "%d files in %s", dir_entries(out_dir), out_dir);
	data = read_file(path_in(out_dir, "a.wav"), &len);
	ck_assert_msg(len == 4 && !memcmp(data, "keep", 4), "--skip-existing replaced a.wav");
	free(data);
	/* --json: a line for every input, skipped and failed ones too */
	{
		char bad[1024], line[4096], b8[1024];
		snprintf(bad, sizeof bad, "%s/bad.wav", dir);   /* path_in's buffers rotate */
		snprintf(b8, sizeof b8, "%s/b8.wav", out_dir);
		a = path_in(dir, "a.wav");
		b = path_in(dir, "b8.wav");
		sb = path_in(dir, "single_b8.wav");
		write_bytes(bad, "not audio\n", 10);
		unlink(b8);
		run(&r, NULL, "-q", "--json", "--skip-existing", "-o", out_dir, "-m", SIMPLE, a, bad, b,
		    NULL);
		ck_assert_msg(r.status == 2, "exit %d: %.600s", r.status, r.err);
		snprintf(line, sizeof line, "{\"status\":\"skipped\",\"input\":\"%s\",\"output\":"
		         "\"%s/a.wav\"}\n", a, out_dir);
		ck_assert_msg(strstr(r.out, line), "no skipped line in %.600s", r.out);
		snprintf(line, sizeof line, "{\"status\":\"failed\",\"input\":\"%s\",\"output\":"
		         "\"%s/bad.wav\",\"exit\":2,\"error\":\"%s: not a readable audio file", bad,
		         out_dir, bad);
		ck_assert_msg(strstr(r.out, line), "no failed line in %.600s", r.out);
		snprintf(line, sizeof line, "{\"status\":\"ok\",\"input\":\"%s\",\"output\":"
		         "\"%s/b8.wav\",\"mode\":\"streaming\"", b, out_dir);
		ck_assert_msg(strstr(r.out, line), "no ok line in %.600s", r.out);
		ck_assert_msg(same_bytes(b8, sb), "b8.wav differs");
		run_free(&r);
	}
	/* --keep-tree: outputs at their path below ROOT, folders made; names that
	 * collide flat do not; inputs outside ROOT or climbing out refused */
	{
		char root[1024], in1[1100], in2[1100], o1[1200], o2[1200], tdir[1024], ref[1024];
		size_t n;
		void *wav = read_file(MIX_WAV, &n);
		snprintf(root, sizeof root, "%s/tree", dir);
		snprintf(tdir, sizeof tdir, "%s/tree_out", dir);
		ck_assert(mkdir(root, 0755) == 0 && mkdir(tdir, 0755) == 0);
		snprintf(in1, sizeof in1, "%s/p", root);
		ck_assert(mkdir(in1, 0755) == 0);
		snprintf(in1, sizeof in1, "%s/q", root);
		ck_assert(mkdir(in1, 0755) == 0);
		snprintf(in1, sizeof in1, "%s/p/x.wav", root);
		snprintf(in2, sizeof in2, "%s/q/x.wav", root);
		write_bytes(in1, wav, n);
		write_bytes(in2, wav, n);
		free(wav);
		expect_fail(NULL, 1, "--keep-tree ROOT keeps their folders", "-o", tdir, "-m", SIMPLE,
		            in1, in2, NULL);
		run_ok(NULL, "-q", "--keep-tree", root, "-o", tdir, "-m", SIMPLE, in1, in2, NULL);
		snprintf(o1, sizeof o1, "%s/p/x.wav", tdir);
		snprintf(o2, sizeof o2, "%s/q/x.wav", tdir);
		snprintf(ref, sizeof ref, "%s/single_a.wav", dir);   /* a single run's output */
		ck_assert_msg(same_bytes(o1, ref) && same_bytes(o2, ref), "--keep-tree outputs differ");
		expect_fail(NULL, 1, "not a file below --keep-tree", "--keep-tree", in1, "-o", tdir,
		            "-m", SIMPLE, in2, NULL);
		snprintf(in2, sizeof in2, "%s/p/../q/x.wav", root);
		expect_fail(NULL, 1, "not a file below --keep-tree", "--keep-tree", root, "-o", tdir,
		            "-m", SIMPLE, in2, NULL);
	}
	/* several inputs without -o */
	expect_fail(NULL, 1, "need -o DIR", "-m", SIMPLE, a, b, sa, NULL);
	/* two inputs of one name would collide */
	expect_fail(NULL, 1, "would both be written", "-o", out_dir, "-m", SIMPLE, a, a, NULL);
}
END_TEST

/* --model-info's "nodes: N in the file = a folded + b dead + ... + r to run
 * (...)" line: N, the sum of the categories and r; 0 if it has not that form. */
static int node_line(const char *out, int *total, int *sum, int *to_run)
{
	const char *p = strstr(out, "nodes: "), *eol;
	int k = 0;

	if (!p || sscanf(p, "nodes: %d in the file = %n", total, &k) != 1 || !k)
		return 0;
	eol = strchr(p, '\n');
	*sum = 0;
	for (p += k; p && (!eol || p < eol); p = strstr(p, " + ") ? strstr(p, " + ") + 3 : NULL) {
		int v, n = 0;
		if (sscanf(p, "%d %n", &v, &n) != 1 || !n)
			return 0;
		*sum += v;
		if (!strncmp(p + n, "to run", 6)) {
			*to_run = v;
			return 1;
		}
	}
	return 0;
}

/* Issue 14, point 12: the node categories of every shared GTCRN model sum
 * to the nodes in the file, each category named. */
START_TEST(test_model_info_sums)
{
	static const char *const names[] = { " folded + ", " dead + ", " fused away + ",
	                                     " views + ", " empty + ", " to run (" };
	glob_t g;

	ck_assert_int_eq(glob(MODELS_DIR "/gtcrn*.onnx", 0, NULL, &g), 0);
	ck_assert_uint_eq(g.gl_pathc, 7);          /* the exports check_models lists */
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct run r;
		int total, sum, to_run;
		run(&r, NULL, "--model-info", g.gl_pathv[i], NULL);
		ck_assert_msg(r.status == 0, "%s: exit %d: %.600s", r.cmd, r.status, r.err);
		ck_assert_msg(node_line(r.out, &total, &sum, &to_run), "%s: no node line of the "
		              "form 'N in the file = a folded + ... + r to run':\n%s", r.cmd, r.out);
		ck_assert_msg(sum == total, "%s: the categories sum to %d, not %d:\n%s", r.cmd, sum,
		              total, strstr(r.out, "nodes: "));
		for (size_t k = 0; k < N_ELEMS(names); k++)
			ck_assert_msg(strstr(r.out, names[k]), "%s: no '%s' in:\n%s", r.cmd, names[k],
			              strstr(r.out, "nodes: "));
		run_free(&r);
	}
	globfree(&g);
}
END_TEST

START_TEST(test_model_info)
{
	struct run r;
	int a, b, sum;

	run(&r, NULL, "--model-info", SIMPLE, NULL);
	ck_assert_msg(r.status == 0, "exit %d: %.600s", r.status, r.err);
	ck_assert_msg(strstr(r.out, "kind: streaming") && strstr(r.out, "cache 0: conv_cache <- "
	              "conv_cache_out") && strstr(r.out, "latency: 511 samples") &&
	              strstr(r.out, "mix: float (1, 257, 1, 2)"), "model info:\n%s", r.out);
	ck_assert_msg(node_line(r.out, &a, &sum, &b) && a > 0 && b > 0 && b <= a,
	              "node counts:\n%s", r.out);
	ck_assert_msg(strstr(r.out, "arena: ") && strstr(r.out, "opset: ") &&
	              strstr(r.out, "ir version: "), "model info:\n%s", r.out);
	run_free(&r);
	run(&r, NULL, "--model-info", MODELS_DIR "/gtcrn_offline_op13.onnx", NULL);
	ck_assert_msg(r.status == 0, "exit %d: %.600s", r.status, r.err);
	ck_assert_msg(strstr(r.out, "kind: offline") && strstr(r.out, "T = 100 frames") &&
	              strstr(r.out, "spec: float (1, 257, T, 2)") && strstr(r.out, "opset: 13"),
	              "offline model info:\n%s", r.out);
	ck_assert_msg(node_line(r.out, &a, &sum, &b) && b < a,
	              "offline node counts (folding must remove some):\n%s", r.out);
	run_free(&r);
	expect_fail(NULL, 3, "not a GTCRN export", "--model-info",
	            NODE_TESTS_DIR "/test_add/model.onnx", NULL);
}
END_TEST

START_TEST(test_help_usage)
{
	static const char *const codes[] = { "0  success", "1  usage error", "2  input error",
	                                     "3  model error", "4  output error",
	                                     "5  processing error", "130  interrupted" };
	struct run r;

	run(&r, NULL, "--help", NULL);
	ck_assert_int_eq(r.status, 0);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		ck_assert_msg(strstr(r.out, codes[i]), "--help lacks '%s'", codes[i]);
	run_free(&r);
	run(&r, NULL, "--version", NULL);
	ck_assert_msg(r.status == 0 && !strncmp(r.out, "gtcrn-run ", 10), "--version: %s", r.out);
	run_free(&r);
	{   /* no model named: $GTCRN_MODEL's, else the installed default */
		struct run_opts missing = { .env = "GTCRN_MODEL=/nonexistent/m.onnx" };
		struct run_opts unset = { .env = "GTCRN_MODEL=" };
		char want[1024];
		run(&r, &missing, MIX_WAV, "o.wav", NULL);
		ck_assert_msg(r.status == 3 && strstr(r.err, "gtcrn-run: /nonexistent/m.onnx: cannot "
		              "load the model"), "exit %d: %.600s", r.status, r.err);
		run_free(&r);
		if (access(GTCRN_DEFAULT_MODEL, F_OK)) {   /* make install-model not done */
			snprintf(want, sizeof want, "gtcrn-run: no model: give MODEL.onnx or -m MODEL, "
			         "set GTCRN_MODEL, or install a default with `make install-model "
			         "MODEL=FILE` (%s: No such file or directory)", GTCRN_DEFAULT_MODEL);
			run(&r, &unset, MIX_WAV, "o.wav", NULL);
			ck_assert_msg(r.status == 1 && strstr(r.err, want), "exit %d: %.600s", r.status,
			              r.err);
			run_free(&r);
		}
		run(&r, &unset, NULL);
		ck_assert_msg(r.status == 1 && (strstr(r.err, "no model") || strstr(r.err, "missing IN")),
		              "exit %d: %.600s", r.status, r.err);
		run_free(&r);
	}
	expect_fail(NULL, 1, "unknown option", "--no-such-option", SIMPLE, MIX_WAV, "o.wav", NULL);
	expect_fail(NULL, 1, "--mix wants", "--mix", "2", SIMPLE, MIX_WAV, "o.wav", NULL);
	expect_fail(NULL, 1, "-j wants", "-j", "0", SIMPLE, MIX_WAV, "o.wav", NULL);
	expect_fail(NULL, 1, "--resample-quality wants 0..10", "--resample-quality", "11", SIMPLE,
	            MIX_WAV, "o.wav", NULL);
	expect_fail(NULL, 1, "missing OUT", SIMPLE, MIX_WAV, NULL);
	expect_fail(NULL, 1, "needs a value", SIMPLE, MIX_WAV, "o.wav", "-r", NULL);
	expect_fail(NULL, 1, "--offline and --stream", "--offline", "--stream", SIMPLE, MIX_WAV,
	            "o.wav", NULL);
}
END_TEST

/* GTCRN_MODEL stands in for the model; --mix 0 gives the input back;
 * --stats prints its line */
START_TEST(test_env_mix_stats)
{
	const char *dir = test_dir("env_mix");
	char *o1 = path_in(dir, "env.wav"), *o2 = path_in(dir, "m.wav"), *dry = path_in(dir, "dry.wav");
	struct run_opts ro = { .env = "GTCRN_MODEL=" SIMPLE };
	struct run r;
	SF_INFO ii, io;
	short *x, *y;
	const char *p;
	unsigned long frames;

	run(&r, &ro, "--stats", MIX_WAV, o1, NULL);
	ck_assert_msg(r.status == 0, "GTCRN_MODEL: exit %d: %.600s", r.status, r.err);
	p = strstr(r.err, "RTF ");
	ck_assert_msg(p && strstr(r.err, "per frame median") && strstr(r.err, " ms, p99 ") &&
	              strstr(r.err, "9.769 s of audio"), "--stats line: %.600s", r.err);
	p = strstr(r.err, "streaming, ");
	ck_assert_msg(p && sscanf(p, "streaming, %lu frames", &frames) == 1 && frames == 611,
	              "--stats frames: %.600s", r.err);
	run_free(&r);
	run_ok(NULL, "-q", "-m", SIMPLE, MIX_WAV, o2, NULL);
	ck_assert_msg(same_bytes(o1, o2), "GTCRN_MODEL and -m give different outputs");
	run_ok(NULL, "-q", "--mix", "0", SIMPLE, MIX_WAV, dry, NULL);
	x = load_shorts(MIX_WAV, &ii);
	y = load_shorts(dry, &io);
	ck_assert_int_eq(io.frames, ii.frames);
	for (sf_count_t i = 0; i < ii.frames; i++)
		ck_assert_msg(x[i] == y[i], "--mix 0: sample %lld is %d, input %d", (long long)i, y[i],
		              x[i]);
	free(x);
	free(y);
}
END_TEST

/* --- output paths: what is at OUT decides how it is written ---------- */

/* One second of mix.wav as dir/in.wav; returns its path. */
static const char *short_input(const char *dir)
{
	static char in[1024];
	SF_INFO info;
	short *x = load_shorts(MIX_WAV, &info);

	snprintf(in, sizeof(in), "%s/in.wav", dir);
	save_shorts(in, x, 16000, 1, 16000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
	free(x);
	return in;
}

/* The samples of two files are equal (and they have the same length). */
static void expect_same_audio(const char *got, const char *ref)
{
	SF_INFO ig, ir;
	short *g = load_shorts(got, &ig), *r = load_shorts(ref, &ir);

	ck_assert_msg(ig.frames == ir.frames && ig.channels == ir.channels &&
	              ig.samplerate == ir.samplerate, "%s: %lld frames %d ch %d Hz, expected "
	              "%lld %d %d as %s", got, (long long)ig.frames, ig.channels, ig.samplerate,
	              (long long)ir.frames, ir.channels, ir.samplerate, ref);
	ck_assert_msg(!memcmp(g, r, (size_t)ig.frames * (size_t)ig.channels * sizeof(short)),
	              "%s: samples differ from %s", got, ref);
	free(g);
	free(r);
}

/* A character device or a FIFO at OUT is written, never replaced: a device
 * node made here (root) or /dev/null itself (when not root the old rename
 * would fail on it), a FIFO drained by a reader process, and /dev/stdout
 * redirected to a file (the redirection's file keeps its inode). */
START_TEST(test_out_special)
{
	const char *dir = test_dir("out_special"), *in = short_input(dir);
	char ref[1024], dev[1024], fifo[1024], got[1024], redir[1024];
	struct run_opts ro = { .out_file = redir };
	struct stat st, st2;
	pid_t pid;
	int status;

	snprintf(ref, sizeof(ref), "%s/ref.wav", dir);
	snprintf(fifo, sizeof(fifo), "%s/f.wav", dir);
	snprintf(got, sizeof(got), "%s/from_fifo.wav", dir);
	snprintf(redir, sizeof(redir), "%s/redir.wav", dir);
	run_ok(NULL, "-q", SIMPLE, in, ref, NULL);
	if (geteuid() == 0) {
		snprintf(dev, sizeof(dev), "%s/mynull", dir);
		ck_assert(mknod(dev, S_IFCHR | 0644, makedev(1, 3)) == 0);
	} else {
		snprintf(dev, sizeof(dev), "/dev/null");
	}
	run_ok(NULL, "-q", SIMPLE, in, dev, NULL);
	ck_assert(stat(dev, &st) == 0);
	ck_assert_msg(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3),
	              "%s is no longer the null device (mode %o)", dev, (unsigned)st.st_mode);
	/* a FIFO: its reader gets the whole WAV */
	ck_assert(mkfifo(fifo, 0644) == 0);
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		int fi = open(fifo, O_RDONLY), fo = open(got, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		char buf[4096];
		ssize_t n;
		while (fi >= 0 && fo >= 0 && (n = read(fi, buf, sizeof(buf))) > 0)
			if (write(fo, buf, (size_t)n) != n)
				_exit(1);
		_exit(fi < 0 || fo < 0 || close(fo) ? 1 : 0);
	}
	run_ok(NULL, "-q", SIMPLE, in, fifo, NULL);
	ck_assert(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	          WEXITSTATUS(status) == 0);
	ck_assert_msg(stat(fifo, &st) == 0 && S_ISFIFO(st.st_mode), "%s is no longer a FIFO", fifo);
	expect_same_audio(got, ref);
	/* /dev/stdout redirected to a file: written in place */
	write_bytes(redir, "", 0);
	ck_assert(stat(redir, &st) == 0);
	run_ok(&ro, "-q", SIMPLE, in, "/dev/stdout", NULL);
	ck_assert(stat(redir, &st2) == 0);
	ck_assert_msg(st.st_ino == st2.st_ino, "the redirection's file was replaced");
	expect_same_audio(redir, ref);
	/* nothing else was left in the folder: in, ref, the node, the FIFO, its copy, redir */
	ck_assert_int_eq(dir_entries(dir), geteuid() == 0 ? 6 : 5);
}
END_TEST

/* The model is never the output: the same file under another name, a
 * .onnx name, or the model given by GTCRN_MODEL and named as OUT. */
START_TEST(test_out_model)
{
	const char *dir = test_dir("out_model"), *in = short_input(dir);
	char model[1024], hard[1024], env[1200], onnx_out[1024];
	struct run_opts ro = { .env = env };
	size_t n0, n1;
	void *before = read_file(SIMPLE, &n0), *after;

	snprintf(model, sizeof(model), "%s/model.onnx", dir);
	snprintf(hard, sizeof(hard), "%s/hard.wav", dir);
	snprintf(onnx_out, sizeof(onnx_out), "%s/out.onnx", dir);
	snprintf(env, sizeof(env), "GTCRN_MODEL=%s", model);
	write_bytes(model, before, n0);
	ck_assert(link(model, hard) == 0);
	{
		struct run r;
		run(&r, &ro, in, model, NULL);
		ck_assert_msg(r.status == 1 && strstr(r.err, "refusing to write audio to a .onnx name"),
		              "'%.600s' (%s): exit %d: %.600s", r.cmd, env, r.status, r.err);
		run_free(&r);
		run(&r, &ro, in, hard, NULL);
		ck_assert_msg(r.status == 4 && strstr(r.err, "the output is the model file"),
		              "'%.600s' (%s): exit %d: %.600s", r.cmd, env, r.status, r.err);
		run_free(&r);
	}
	expect_fail(NULL, 1, "out.onnx: refusing to write audio to a .onnx name", SIMPLE, in,
	            onnx_out, NULL);
	expect_fail(NULL, 4, "hard.wav: the output is the model file", "-m", model, in, hard,
	            NULL);
	after = read_file(model, &n1);
	ck_assert_msg(n0 == n1 && !memcmp(before, after, n0), "the model file changed");
	ck_assert_msg(access(onnx_out, F_OK) != 0, "%s was written", onnx_out);
	ck_assert_int_eq(dir_entries(dir), 3);          /* in.wav, model.onnx, hard.wav */
	free(before);
	free(after);
}
END_TEST

/* A name without a known audio extension is refused unless --out-type
 * names the format. */
START_TEST(test_out_unknown_ext)
{
	const char *dir = test_dir("out_ext"), *in = short_input(dir);
	char *xyz = path_in(dir, "out.xyz"), *bare = path_in(dir, "out");
	SF_INFO info;
	float *x;

	expect_fail(NULL, 1, "out.xyz: unknown audio file type '.xyz'", SIMPLE, in, xyz, NULL);
	expect_fail(NULL, 1, "out: no extension to choose the audio format by", SIMPLE, in, bare,
	            NULL);
	ck_assert_int_eq(dir_entries(dir), 1);
	run_ok(NULL, "-q", "--out-type", "wav", SIMPLE, in, xyz, NULL);
	x = load(xyz, &info);
	ck_assert_int_eq(info.format & SF_FORMAT_TYPEMASK, SF_FORMAT_WAV);
	ck_assert_int_eq(info.frames, 16000);
	free(x);
}
END_TEST

/* A symbolic link is written through (the link stays, the file it names
 * gets the audio and keeps its mode); a read-only file is refused unless
 * --force, which keeps its mode; a dangling link, a folder and a block
 * device are refused before any processing. */
START_TEST(test_out_link_readonly)
{
	const char *dir = test_dir("out_link"), *in = short_input(dir);
	char sub[1024], target[1024], lnk[1024], ro[1024], ref[1024], dang[1024], blk[1024];
	struct stat st;
	size_t n;
	void *keep;

	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(target, sizeof(target), "%s/sub/target.wav", dir);
	snprintf(lnk, sizeof(lnk), "%s/link.wav", dir);
	snprintf(ro, sizeof(ro), "%s/ro.wav", dir);
	snprintf(ref, sizeof(ref), "%s/ref.wav", dir);
	snprintf(dang, sizeof(dang), "%s/dangling.wav", dir);
	run_ok(NULL, "-q", SIMPLE, in, ref, NULL);
	ck_assert(mkdir(sub, 0755) == 0);
	write_bytes(target, "old", 3);
	ck_assert(chmod(target, 0600) == 0);
	ck_assert(symlink("sub/target.wav", lnk) == 0);
	run_ok(NULL, "-q", SIMPLE, in, lnk, NULL);
	ck_assert_msg(lstat(lnk, &st) == 0 && S_ISLNK(st.st_mode), "%s is no longer a link", lnk);
	ck_assert(stat(target, &st) == 0);
	ck_assert_msg((st.st_mode & 07777) == 0600, "%s: mode %o, expected 600", target,
	              (unsigned)(st.st_mode & 07777));
	expect_same_audio(target, ref);
	ck_assert_int_eq(dir_entries(sub), 1);
	/* read-only: refused, untouched; --force replaces it, mode kept */
	write_bytes(ro, "keep", 4);
	ck_assert(chmod(ro, 0444) == 0);
	expect_fail(NULL, 4, "ro.wav: the file is read-only: refusing to replace it (--force",
	            SIMPLE, in, ro, NULL);
	keep = read_file(ro, &n);
	ck_assert_msg(n == 4 && !memcmp(keep, "keep", 4), "the read-only file changed");
	free(keep);
	run_ok(NULL, "-q", "--force", SIMPLE, in, ro, NULL);
	ck_assert(stat(ro, &st) == 0 && (st.st_mode & 07777) == 0444);
	expect_same_audio(ro, ref);
	/* refused before processing */
	ck_assert(symlink("nowhere.wav", dang) == 0);
	expect_fail(NULL, 4, "dangling.wav: a symbolic link to a file that does not exist", SIMPLE,
	            in, dang, NULL);
	expect_fail(NULL, 4, "sub: is a folder, not a file name", SIMPLE, in, sub, NULL);
	if (geteuid() == 0) {
		snprintf(blk, sizeof(blk), "%s/blk", dir);
		ck_assert(mknod(blk, S_IFBLK | 0600, makedev(7, 255)) == 0);
		expect_fail(NULL, 4, "blk: is a block device: refusing", SIMPLE, in, blk, NULL);
		ck_assert(stat(blk, &st) == 0 && S_ISBLK(st.st_mode));
		unlink(blk);
	}
	ck_assert_int_eq(dir_entries(dir), 6);   /* in, ref, sub, link, ro, dangling */
}
END_TEST

/* --- issue 14: messages and operands a new user meets --------------- */

/* Samples a file type cannot hold: the message names the layouts it holds
 * and the file types that hold the samples asked for. */
START_TEST(test_format_suggestion)
{
	const char *dir = test_dir("format_hint"), *in = short_input(dir);

	expect_fail(NULL, 1, "clean.flac: FLAC files cannot hold 32-bit float samples (FLAC: "
	            "8-bit signed, 16-bit signed, 24-bit signed; 32-bit float: .wav, .aiff",
	            "-e", "float", SIMPLE, in, path_in(dir, "clean.flac"), NULL);
	expect_fail(NULL, 1, "Ogg files cannot hold 32-bit float samples (Ogg: its own compressed "
	            "samples only; 32-bit float: .wav", "--out-encoding", "float", SIMPLE, in,
	            path_in(dir, "clean.ogg"), NULL);
	ck_assert_int_eq(dir_entries(dir), 1);
}
END_TEST

/* -o DIR that does not exist is made (with its parents); a file there is
 * refused */
START_TEST(test_out_dir_made)
{
	const char *dir = test_dir("out_dir_made"), *in = short_input(dir);
	char out_dir[1024], out[1100], file[1024];

	snprintf(out_dir, sizeof out_dir, "%s/cleaned/deeper/", dir);
	snprintf(out, sizeof out, "%sin.wav", out_dir);
	snprintf(file, sizeof file, "%s/file.wav", dir);
	run_ok(NULL, "-q", "-o", out_dir, "-m", SIMPLE, in, NULL);
	ck_assert_msg(access(out, F_OK) == 0, "%s was not written", out);
	write_bytes(file, "x", 1);
	expect_fail(NULL, 4, "file.wav: not a folder", "-o", file, "-m", SIMPLE, in, NULL);
}
END_TEST

/* The model among the operands: the one readable .onnx operand is taken
 * wherever it stands; else the message says how to order them. */
START_TEST(test_model_anywhere)
{
	const char *dir = test_dir("model_anywhere"), *in = short_input(dir);
	char first[1024], last[1024], batch[1024];

	snprintf(first, sizeof first, "%s/first.wav", dir);
	snprintf(last, sizeof last, "%s/last.wav", dir);
	snprintf(batch, sizeof batch, "%s/batch", dir);
	run_ok(NULL, "-q", SIMPLE, in, first, NULL);
	run_ok(NULL, "-q", in, last, SIMPLE, NULL);
	ck_assert_msg(same_bytes(first, last), "IN OUT MODEL differs from MODEL IN OUT");
	run_ok(NULL, "-q", "-o", batch, in, SIMPLE, NULL);
	ck_assert_msg(same_bytes(first, path_in(batch, "in.wav")), "-o DIR IN MODEL differs");
	expect_fail(NULL, 1, "missing.onnx: No such file or directory: no model to load there (the "
	            "model comes first or after -m", in, path_in(dir, "o.wav"),
	            path_in(dir, "missing.onnx"), NULL);
	expect_fail(NULL, 1, "2 operands end in .onnx: name the model with -m", in,
	            path_in(dir, "o.onnx"), SIMPLE, NULL);
	ck_assert_int_eq(dir_entries(dir), 4);          /* in, first, last, batch/ */
}
END_TEST

/* --keep-tree compares resolved paths: ".", "./rec", "rec/" and an absolute
 * ROOT name the same tree as relative inputs; outside ROOT and an inner
 * ".." are refused. */
START_TEST(test_keep_tree_resolved)
{
	const char *dir = test_dir("keep_tree_resolved"), *in = short_input(dir);
	char abs_rec[1024];
	size_t n;
	void *wav = read_file(in, &n);

	ck_assert(chdir(dir) == 0);       /* this test's own process (Check forks) */
	ck_assert(mkdir("rec", 0755) == 0 && mkdir("rec/sub", 0755) == 0);
	for (int i = 1; i <= 4; i++) {    /* -o DIR exists, as before -o made it */
		char o[8];
		snprintf(o, sizeof o, "o%d", i);
		ck_assert(mkdir(o, 0755) == 0);
	}
	write_bytes("rec/a.wav", wav, n);
	write_bytes("rec/sub/b.wav", wav, n);
	free(wav);
	snprintf(abs_rec, sizeof abs_rec, "%s/rec", dir);
	run_ok(NULL, "-q", "--keep-tree", ".", "-o", "o1", "-m", SIMPLE, "rec/a.wav",
	       "rec/sub/b.wav", NULL);
	ck_assert(access("o1/rec/a.wav", F_OK) == 0 && access("o1/rec/sub/b.wav", F_OK) == 0);
	run_ok(NULL, "-q", "--keep-tree", "./rec", "-o", "o2", "-m", SIMPLE, "rec/a.wav",
	       "./rec/sub/b.wav", NULL);
	ck_assert(access("o2/a.wav", F_OK) == 0 && access("o2/sub/b.wav", F_OK) == 0);
	run_ok(NULL, "-q", "--keep-tree", abs_rec, "-o", "o3", "-m", SIMPLE, "rec/sub/b.wav", NULL);
	ck_assert(access("o3/sub/b.wav", F_OK) == 0);
	run_ok(NULL, "-q", "--keep-tree", "rec/", "-o", "o4", "-m", SIMPLE, path_in(abs_rec, "a.wav"),
	       NULL);
	ck_assert(access("o4/a.wav", F_OK) == 0);
	/* a linked sub-folder keeps its name, wherever it leads */
	ck_assert(mkdir("elsewhere", 0755) == 0 && symlink("../elsewhere", "rec/link") == 0);
	ck_assert(link("rec/a.wav", "elsewhere/c.wav") == 0);
	run_ok(NULL, "-q", "--keep-tree", "rec", "-o", "o4", "-m", SIMPLE, "rec/link/c.wav", NULL);
	ck_assert(access("o4/link/c.wav", F_OK) == 0);
	expect_fail(NULL, 1, "in.wav: not a file below --keep-tree rec", "--keep-tree", "rec", "-o",
	            "o5", "-m", SIMPLE, "in.wav", NULL);
	expect_fail(NULL, 1, "not a file below --keep-tree rec (give its path without '..' inside)",
	            "--keep-tree", "rec", "-o", "o5", "-m", SIMPLE, "rec/sub/../../in.wav", NULL);
	ck_assert(access("o5", F_OK) != 0);
}
END_TEST

/* Every output of a batch is checked before the first input is read: the
 * first input is a FIFO nobody writes to, so reading it would hang (the
 * alarm ends such a run with status 142). */
START_TEST(test_outputs_checked_first)
{
	const char *dir = test_dir("outputs_first"), *in = short_input(dir);
	char fifo[1024], out_dir[1024], other[1024];
	struct run_opts ro = { .alarm_s = 20 };
	struct run r;

	snprintf(fifo, sizeof fifo, "%s/fifo.wav", dir);
	snprintf(out_dir, sizeof out_dir, "%s/out", dir);
	snprintf(other, sizeof other, "%s/out/in.wav", dir);
	ck_assert(mkfifo(fifo, 0644) == 0);
	ck_assert(mkdir(out_dir, 0755) == 0 && mkdir(other, 0755) == 0);   /* out/in.wav/ */
	run(&r, &ro, "-o", out_dir, "-m", SIMPLE, fifo, in, NULL);
	ck_assert_msg(r.status == 4 && strstr(r.err, "out/in.wav: is a folder") &&
	              strstr(r.err, "1 of 2 outputs refused: no file was enhanced"),
	              "'%.600s': exit %d (142: it read the FIFO first): %.600s", r.cmd, r.status,
	              r.err);
	run_free(&r);
	/* one input: the same, before the input is opened */
	run(&r, &ro, SIMPLE, fifo, out_dir, NULL);
	ck_assert_msg(r.status == 4 && strstr(r.err, "out: is a folder"),
	              "'%.600s': exit %d: %.600s", r.cmd, r.status, r.err);
	run_free(&r);
	/* an output that is another input of the batch (--keep-tree) */
	ck_assert(rmdir(other) == 0);
	write_bytes(other, "keep", 4);
	ck_assert(chdir(dir) == 0);
	run(&r, &ro, "--keep-tree", ".", "-o", "out", "-m", SIMPLE, "fifo.wav", "in.wav",
	    "out/in.wav", NULL);
	ck_assert_msg(r.status == 4 && strstr(r.err, "out/in.wav: the output of in.wav is the "
	              "input out/in.wav"), "'%.600s': exit %d: %.600s", r.cmd, r.status, r.err);
	run_free(&r);
	ck_assert_int_eq(dir_entries(out_dir), 1);
}
END_TEST

/* -j and --keep-tree that one input makes pointless get a note (not with -q) */
START_TEST(test_unused_options_noted)
{
	const char *dir = test_dir("unused_notes"), *in = short_input(dir);
	char *out = path_in(dir, "o.wav");
	struct run r;

	run(&r, NULL, "-j", "4", "--keep-tree", dir, SIMPLE, in, out, NULL);
	ck_assert_msg(r.status == 0 && strstr(r.err, "note: -j 4 has no effect on a single input") &&
	              strstr(r.err, "note: --keep-tree has no effect without -o DIR"),
	              "'%.600s': exit %d: %.600s", r.cmd, r.status, r.err);
	run_free(&r);
	run(&r, NULL, "-j", "2", "-o", path_in(dir, "out"), "-m", SIMPLE, in, NULL);
	ck_assert_msg(r.status == 0 && strstr(r.err, "note: -j 2 has no effect on a single input"),
	              "'%.600s': exit %d: %.600s", r.cmd, r.status, r.err);
	run_free(&r);
	run(&r, NULL, "-q", "-j", "4", "--keep-tree", dir, SIMPLE, in, out, NULL);
	ck_assert_msg(r.status == 0 && !*r.err, "'%.600s': -q printed %.600s", r.cmd, r.err);
	run_free(&r);
}
END_TEST

static Suite *cli_suite(void)
{
	const struct test_def tests[] = {
		{ "values", test_model_golden, 0, (int)N_ELEMS(golden_cases), 300 },
		{ "values", test_offline_flag },
		{ "formats", test_stereo_48k, .timeout_s = 300 }, { "formats", test_mono_8k },
		{ "formats", test_out_rate_and_flac }, { "formats", test_short_inputs },
		{ "pipes", test_raw_pipe, .timeout_s = 300 }, { "pipes", test_wav_pipe },
		{ "pipes", test_pipe_streams },
		{ "errors", test_bad_audio, .timeout_s = 300 }, { "errors", test_bad_output },
		{ "errors", test_stdout_full }, { "errors", test_bad_model },
		{ "errors", test_signal_cleanup }, { "errors", test_pipe_closed },
		{ "errors", test_file_size_limit }, { "errors", test_readonly_output },
		{ "errors", test_input_changes }, { "errors", test_raw_warnings },
		{ "output paths", test_out_special, .timeout_s = 300 }, { "output paths", test_out_model },
		{ "output paths", test_out_unknown_ext }, { "output paths", test_out_link_readonly },
		{ "options", test_batch, .timeout_s = 300 }, { "options", test_model_info },
		{ "options", test_model_info_sums, .timeout_s = 120 },
		{ "options", test_batch_progress, .timeout_s = 120 },
		{ "options", test_help_usage }, { "options", test_env_mix_stats },
		{ "issue 14", test_format_suggestion }, { "issue 14", test_out_dir_made },
		{ "issue 14", test_model_anywhere }, { "issue 14", test_keep_tree_resolved },
		{ "issue 14", test_outputs_checked_first, .timeout_s = 60 }, { "issue 14", test_unused_options_noted },
	};

	return suite_from_table("gtcrn-run", tests, N_ELEMS(tests));
}

int main(void)
{
	const char *const need[] = { TOOL, MIX_WAV, SIMPLE };   /* the tool, then files */

	return cli_test_main("check_cli", cli_suite(), need, N_ELEMS(need));
}

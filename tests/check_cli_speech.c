/* check_cli_speech.c - gtcrn-run's speech-aware options, run as users run
 * them (tests/cli_run.h): --score-only against the DNSMOS goldens of ONNX
 * Runtime (../shared/testdata/dnsmos/scores.jsonl, within 1e-3), --vad-only,
 * --segments and --vad-gate against the library run on the same audio (the
 * library itself is checked against Silero's goldens and reference
 * procedure by tests/check_vad), --score, batches with -j, the model
 * options and environment, and the errors. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "enhance/gtcrn.h"
#include "tests/check_util.h"
#include "tests/cli_run.h"

#define VAD MODELS_DIR "/silero_vad.onnx"
#define DNSMOS MODELS_DIR "/dnsmos_sig_bak_ovr.onnx"
#define SCORES TESTDATA_DIR "/dnsmos/scores.jsonl"
#define ENH_WAV TESTDATA_DIR "/mix_enh_gtcrn_simple.wav"
#define FIRST5_WAV TESTDATA_DIR "/dnsmos/mix_first5s.wav"
#define SCORE_TOL 1e-3      /* the testdata README's tolerance for mapped scores */

/* --- reading the tool's JSON lines --------------------------------------- */

/* The number after "key": in line; NAN when it is not there. */
static double json_num(const char *line, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	return p ? strtod(p + strlen(pat), NULL) : NAN;
}

/* The line of out that names input (as "input":"<input>"), or NULL. */
static const char *line_of(const char *out, const char *input)
{
	char pat[1200];

	snprintf(pat, sizeof(pat), "\"input\":\"%s\"", input);
	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *end = strchr(l, '\n'), *hit = strstr(l, pat);
		if (hit && (!end || hit < end))
			return l;
	}
	return NULL;
}

/* The "segments":[[s,e],...] of line into segs (at most max); their count. */
static size_t json_segments(const char *line, gtcrn_segment *segs, size_t max)
{
	const char *p = strstr(line, "\"segments\":[");
	size_t n = 0;

	ck_assert_msg(p != NULL, "no \"segments\" in %.300s", line);
	p += strlen("\"segments\":[");
	while (*p == '[' && n < max) {
		char *end;
		segs[n].start = strtod(p + 1, &end);
		ck_assert_msg(*end == ',', "segments: %.200s", p);
		segs[n].end = strtod(end + 1, &end);
		ck_assert_msg(*end == ']', "segments: %.200s", p);
		n++;
		p = end + 1;
		if (*p == ',')
			p++;
	}
	ck_assert_msg(*p == ']', "segments do not end: %.200s", p);
	return n;
}

/* The golden mapped scores of clip (a file name in scores.jsonl). */
static void golden_scores(const char *clip, double *sig, double *bak, double *ovrl)
{
	size_t len;
	char *all = read_file(SCORES, &len), pat[256], *l;

	all[len] = 0;                      /* read_file leaves a spare byte: a string */
	snprintf(pat, sizeof(pat), "\"file\":\"%s\"", clip);
	l = strstr(all, pat);
	ck_assert_msg(l != NULL, "%s: no line for %s", SCORES, clip);
	*sig = json_num(l, "SIG");
	*bak = json_num(l, "BAK");
	*ovrl = json_num(l, "OVRL");
	free(all);
}

/* --- the library on the same audio ---------------------------------------- */

static gtcrn_vad_model *vad_model(void)
{
	gtcrn_vad_model *m = NULL;
	char err[512];

	expect_ok("VAD model", err, gtcrn_vad_model_load(VAD, &m, err, sizeof(err)));
	return m;
}

/* The library's segments of a mono file (its channel mean when stereo). */
static gtcrn_segment *library_segments(const char *path, size_t *n)
{
	gtcrn_vad_model *m = vad_model();
	gtcrn_vad_opts o;
	gtcrn_segment *segs = NULL;
	SF_INFO info;
	float *x = load(path, &info);
	char err[512];

	ck_assert_int_eq(info.channels, 1);
	gtcrn_vad_opts_init(&o);
	o.sample_rate = info.samplerate;
	expect_ok("gtcrn_vad_run", err, gtcrn_vad_run(m, &o, x, (size_t)info.frames, NULL, NULL,
	                                               &segs, n, err, sizeof(err)));
	free(x);
	gtcrn_vad_model_free(m);
	return segs;
}

static void expect_segments(const char *what, const gtcrn_segment *got, size_t n_got,
                            const gtcrn_segment *want, size_t n_want)
{
	ck_assert_msg(n_got == n_want, "%s: %zu segments, the library gives %zu", what, n_got,
	              n_want);
	ck_assert_msg(n_want > 0, "%s: no speech found in speech", what);
	for (size_t i = 0; i < n_want; i++)   /* printed with 4 decimals */
		ck_assert_msg(fabs(got[i].start - want[i].start) <= 6e-5 &&
		              fabs(got[i].end - want[i].end) <= 6e-5,
		              "%s: segment %zu is %.4f-%.4f, the library's %.6f-%.6f", what, i,
		              got[i].start, got[i].end, want[i].start, want[i].end);
}

/* --- the tests -------------------------------------------------------------- */

/* --score-only: the three clips of scores.jsonl, in one batch on 2 threads,
 * as JSON and as text. */
START_TEST(test_score_only)
{
	const char *clips[3] = { MIX_WAV, ENH_WAV, FIRST5_WAV };
	const char *names[3] = { "mix.wav", "mix_enh_gtcrn_simple.wav", "mix_first5s.wav" };
	struct run r;

	run(&r, NULL, "--score-only", "--json", "-j", "2", "--dnsmos-model", DNSMOS, clips[0],
	    clips[1], clips[2], NULL);
	expect_ok(r.cmd, r.err, r.status);
	for (int i = 0; i < 3; i++) {
		const char *l = line_of(r.out, clips[i]);
		double want[3];
		const char *keys[3] = { "sig", "bak", "ovrl" };
		ck_assert_msg(l != NULL, "'%s': no line for %s in %.600s", r.cmd, clips[i], r.out);
		golden_scores(names[i], &want[0], &want[1], &want[2]);
		for (int k = 0; k < 3; k++) {
			double got = json_num(l, keys[k]);
			printf("--score-only %s %s: %.6f, ONNX Runtime %.6f, |diff| %.2e\n", names[i],
			       keys[k], got, want[k], fabs(got - want[k]));
			ck_assert_msg(fabs(got - want[k]) <= SCORE_TOL, "%s %s: %.6f, golden %.6f",
			              names[i], keys[k], got, want[k]);
		}
		ck_assert_msg(json_num(l, "windows") == 1, "%s: windows in %.300s", names[i], l);
	}
	run_free(&r);
	/* the text form: one line, the three scores to 3 decimals */
	run(&r, NULL, "--score-only", "--dnsmos-model", DNSMOS, MIX_WAV, NULL);
	expect_ok(r.cmd, r.err, r.status);
	{
		double sig, bak, ovrl;
		char want[256];
		golden_scores("mix.wav", &sig, &bak, &ovrl);
		snprintf(want, sizeof(want), "%s: SIG %.3f BAK %.3f OVRL %.3f (1 window)\n", MIX_WAV,
		         sig, bak, ovrl);
		ck_assert_msg(!strcmp(r.out, want), "'%s' printed '%s', expected '%s'", r.cmd, r.out,
		              want);
	}
	run_free(&r);
}
END_TEST

/* --vad-only: the library's segments of the same file, from a file and from
 * stdin; GTCRN_VAD_MODEL names the model. */
START_TEST(test_vad_only)
{
	struct run_opts env = { .env = "GTCRN_VAD_MODEL=" VAD };
	gtcrn_segment got[256], *want;
	size_t n_want, n_got, len;
	struct run r;
	char *wav;

	want = library_segments(MIX_WAV, &n_want);
	run(&r, NULL, "--vad-only", "--json", "--vad-model", VAD, MIX_WAV, NULL);
	expect_ok(r.cmd, r.err, r.status);
	n_got = json_segments(r.out, got, 256);
	expect_segments(r.cmd, got, n_got, want, n_want);
	run_free(&r);
	wav = read_file(MIX_WAV, &len);
	env.in_data = wav;
	env.in_len = len;
	run(&r, &env, "--vad-only", "--json", "-", NULL);
	expect_ok(r.cmd, r.err, r.status);
	n_got = json_segments(r.out, got, 256);
	expect_segments("--vad-only - (stdin, GTCRN_VAD_MODEL)", got, n_got, want, n_want);
	run_free(&r);
	free(wav);
	free(want);
}
END_TEST

/* --segments and --vad-gate on an enhancement: the segments are the
 * library's on the enhanced output, the gated output is the library's gate
 * on the ungated output, bit for bit (float WAV). */
START_TEST(test_segments_and_gate)
{
	const char *dir = test_dir("gate");
	char *plain = path_in(dir, "plain.wav"), *gated = path_in(dir, "gated.wav");
	char *segs_path = path_in(dir, "segments.jsonl");
	gtcrn_vad_model *m = vad_model();
	gtcrn_segment got[256], *want;
	gtcrn_gate_opts go;
	gtcrn_vad_opts vo;
	gtcrn_gate *g = NULL;
	SF_INFO ip, ig;
	float *y, *z, *ref, *tail;
	size_t n_got, n_want, lat, at, len;
	char err[512], *text;

	run_ok(NULL, "-e", "float", SIMPLE, MIX_WAV, plain, NULL);
	run_ok(NULL, "-e", "float", "--vad-model", VAD, "--vad-gate=18", "--segments", segs_path,
	       SIMPLE, MIX_WAV, gated, NULL);
	y = load(plain, &ip);
	z = load(gated, &ig);
	ck_assert_int_eq(ip.frames, ig.frames);
	/* the segments: one line naming input and output */
	text = read_file(segs_path, &len);
	text[len] = 0;
	ck_assert_msg(strstr(text, "\"output\":") && line_of(text, MIX_WAV), "%s: %s", segs_path,
	              text);
	n_got = json_segments(text, got, 256);
	want = library_segments(plain, &n_want);
	expect_segments("--segments", got, n_got, want, n_want);
	/* the gate: the library's, its delay dropped */
	gtcrn_vad_opts_init(&vo);
	vo.sample_rate = ip.samplerate;
	gtcrn_gate_opts_init(&go);
	go.depth_db = 18;
	expect_ok("gate", err, gtcrn_gate_create(m, &vo, &go, 1, &g, err, sizeof(err)));
	lat = gtcrn_gate_latency(g);
	ref = malloc(((size_t)ip.frames + lat) * sizeof(float));
	tail = ref + ip.frames;
	ck_assert(ref != NULL);
	expect_ok("gate", gtcrn_gate_errmsg(g), gtcrn_gate_process(g, y, ref, (size_t)ip.frames));
	expect_ok("gate flush", gtcrn_gate_errmsg(g), gtcrn_gate_flush(g, tail));
	ck_assert_msg(max_abs(z, ref + lat, (size_t)ip.frames, &at) == 0,
	              "--vad-gate=18 differs from gtcrn_gate at frame %zu: %g vs %g", at, z[at],
	              ref[lat + at]);
	ck_assert_msg(max_abs(z, y, (size_t)ip.frames, &at) > 0.01, "--vad-gate changed nothing");
	gtcrn_gate_free(g);
	gtcrn_vad_model_free(m);
	free(ref);
	free(text);
	free(want);
	free(y);
	free(z);
}
END_TEST

/* --score: the input's and the output's scores, as --score-only gives them
 * for the same files. */
START_TEST(test_score)
{
	const char *dir = test_dir("score");
	char *out = path_in(dir, "out.wav");
	struct run r, a;
	const char *li, *lo;
	const char *keys[3] = { "sig", "bak", "ovrl" };

	run(&r, NULL, "--json", "--score", "-e", "float", "--dnsmos-model", DNSMOS, SIMPLE,
	    MIX_WAV, out, NULL);
	expect_ok(r.cmd, r.err, r.status);
	li = strstr(r.out, "\"dnsmos_in\":{");
	lo = strstr(r.out, "\"dnsmos_out\":{");
	ck_assert_msg(li && lo, "'%s': %s", r.cmd, r.out);
	run(&a, NULL, "--score-only", "--json", "--dnsmos-model", DNSMOS, MIX_WAV, out, NULL);
	expect_ok(a.cmd, a.err, a.status);
	for (int k = 0; k < 3; k++) {
		double in = json_num(li, keys[k]), o = json_num(lo, keys[k]);
		ck_assert_msg(in == json_num(line_of(a.out, MIX_WAV), keys[k]) &&
		              o == json_num(line_of(a.out, out), keys[k]),
		              "--score %s: in %.6f out %.6f; --score-only: %s", keys[k], in, o, a.out);
	}
	/* GTCRN raises the background score of this clip (golden: 2.64 -> 3.99) */
	ck_assert_msg(json_num(lo, "bak") > json_num(li, "bak") + 1, "%s", r.out);
	run_free(&a);
	run_free(&r);
	/* and the --stats line carries them */
	run(&r, NULL, "--score", "--dnsmos-model", DNSMOS, SIMPLE, MIX_WAV, out, NULL);
	expect_ok(r.cmd, r.err, r.status);
	ck_assert_msg(strstr(r.err, "; DNSMOS SIG ") && strstr(r.err, "OVRL "), "'%s': %s", r.cmd,
	              r.err);
	run_free(&r);
}
END_TEST

/* A batch with -j: every output gated, one segments line per input in
 * input order, whatever order the threads finish in. */
START_TEST(test_batch_segments)
{
	const char *dir = test_dir("batch"), *in[3] = { MIX_WAV, FIRST5_WAV, ENH_WAV };
	char *out_dir = path_in(dir, "out"), *segs_path = path_in(dir, "s.jsonl");
	size_t len;
	char *text, *p;

	run_ok(NULL, "-q", "-j", "3", "--vad-model", VAD, "--vad-gate", "--segments", segs_path,
	       "-o", out_dir, SIMPLE, in[0], in[1], in[2], NULL);
	ck_assert_int_eq(dir_entries(out_dir), 3);
	text = read_file(segs_path, &len);
	text[len] = 0;
	p = text;
	for (int i = 0; i < 3; i++) {
		const char *l = line_of(p, in[i]);
		ck_assert_msg(l == p, "line %d of %s is not %s's: %s", i + 1, segs_path, in[i], text);
		p = strchr(p, '\n') + 1;
	}
	ck_assert_msg(*p == 0, "%s: more than 3 lines: %s", segs_path, text);
	free(text);
}
END_TEST

/* What is refused, with its exit status and message; nothing is written. */
START_TEST(test_errors)
{
	char *dir = strdup(test_dir("errors"));   /* test_dir's buffer is reused below */
	char *out = strdup(path_in(dir, "out.wav")), *missing = strdup(path_in(dir, "none.onnx"));
	char *segs = strdup(path_in(dir, "s.json"));
	struct run r;
	static const struct {
		int status;
		const char *needle;
	} want[] = {
		{ 3, "cannot load the VAD model" },             /* no such file */
		{ 3, "not a Silero VAD" },                      /* GTCRN as the VAD */
		{ 3, "not a DNSMOS" },                          /* Silero as DNSMOS */
		{ 4, "the output is the input file" },          /* --segments IN */
		{ 1, "refusing to write segments to a .onnx" },/* --segments VAD */
		{ 1, "is also the audio output" },              /* --segments OUT */
		{ 1, "--score-only enhances nothing: -o" },
		{ 1, "takes audio files" },                     /* a model as an input */
		{ 1, "--vad-gate wants a depth" },
		{ 2, "none.wav" },                              /* the only input fails */
	};

	for (size_t k = 0; k < N_ELEMS(want); k++) {
		switch (k) {
		case 0: run(&r, NULL, "--vad-gate", "--vad-model", missing, SIMPLE, MIX_WAV, out,
		            NULL); break;
		case 1: run(&r, NULL, "--vad-only", "--vad-model", SIMPLE, MIX_WAV, NULL); break;
		case 2: run(&r, NULL, "--score-only", "--dnsmos-model", VAD, MIX_WAV, NULL); break;
		case 3: run(&r, NULL, "--vad-model", VAD, "--segments", MIX_WAV, SIMPLE, MIX_WAV, out,
		            NULL); break;
		case 4: run(&r, NULL, "--vad-model", VAD, "--segments", VAD, SIMPLE, MIX_WAV, out,
		            NULL); break;
		case 5: run(&r, NULL, "--vad-model", VAD, "--segments", out, SIMPLE, MIX_WAV, out,
		            NULL); break;
		case 6: run(&r, NULL, "--score-only", "-o", dir, MIX_WAV, NULL); break;
		case 7: run(&r, NULL, "--score-only", DNSMOS, MIX_WAV, NULL); break;
		case 8: run(&r, NULL, "--vad-gate=loud", SIMPLE, MIX_WAV, out, NULL); break;
		default: run(&r, NULL, "--vad-model", VAD, "--segments", segs, SIMPLE,
		             path_in(dir, "none.wav"), out, NULL); break;
		}
		ck_assert_msg(r.status == want[k].status && strstr(r.err, want[k].needle),
		              "'%.600s': exit %d (want %d), stderr '%.600s' (want '%s')", r.cmd,
		              r.status, want[k].status, r.err, want[k].needle);
		ck_assert_msg(dir_entries(dir) == 0, "'%s' left a file in %s", r.cmd, dir);
		run_free(&r);
	}
	/* a VAD model under an audio name, as the output or the segments file */
	{
		const char *mdir = test_dir("errors_model");
		char *copy = path_in(mdir, "vad.wav"), *copy_arg;
		size_t len;
		void *bytes = read_file(VAD, &len);
		write_bytes(copy, bytes, len);
		copy_arg = strdup(copy);
		for (int k = 0; k < 2; k++) {
			if (k)
				run(&r, NULL, "--vad-model", copy_arg, "--segments", copy_arg, SIMPLE,
				    MIX_WAV, out, NULL);
			else
				run(&r, NULL, "--vad-model", copy_arg, "--vad-gate", SIMPLE, MIX_WAV,
				    copy_arg, NULL);
			ck_assert_msg(r.status == 4 && strstr(r.err, "the output is the model file"),
			              "'%.600s': exit %d, stderr '%.600s'", r.cmd, r.status, r.err);
			ck_assert_msg(same_bytes(copy_arg, VAD), "'%s' changed the model", r.cmd);
			ck_assert_msg(dir_entries(mdir) == 1 && dir_entries(dir) == 0, "'%s' left a file",
			              r.cmd);
			run_free(&r);
		}
		free(copy_arg);
		free(bytes);
	}
	free(dir);
	free(out);
	free(missing);
	free(segs);
}
END_TEST

/* --model-info tells the two speech models apart (make install-model uses it). */
START_TEST(test_model_info)
{
	struct run r;

	run(&r, NULL, "--model-info", VAD, NULL);
	expect_ok(r.cmd, r.err, r.status);
	ck_assert_msg(strstr(r.out, "kind: Silero VAD v5 (16000 and 8000 Hz"), "%s", r.out);
	run_free(&r);
	run(&r, NULL, "--model-info", DNSMOS, NULL);
	expect_ok(r.cmd, r.err, r.status);
	ck_assert_msg(strstr(r.out, "kind: DNSMOS P.835"), "%s", r.out);
	run_free(&r);
}
END_TEST

int main(void)
{
	const char *const need[] = { TOOL, MIX_WAV, SIMPLE, VAD, DNSMOS, SCORES, ENH_WAV,
	                             FIRST5_WAV };
	const struct test_def tests[] = {
		{ "dnsmos", test_score_only, .timeout_s = 600 },
		{ "dnsmos", test_score, .timeout_s = 600 },
		{ "vad", test_vad_only, .timeout_s = 300 },
		{ "vad", test_segments_and_gate, .timeout_s = 300 },
		{ "vad", test_batch_segments, .timeout_s = 300 },
		{ "options", test_errors, .timeout_s = 300 },
		{ "options", test_model_info, .timeout_s = 120 },
	};

	return cli_test_main("check_cli_speech", suite_from_table("gtcrn-run speech", tests,
	                     N_ELEMS(tests)), need, N_ELEMS(need));
}

/* check_alloc.c - no heap allocation per frame in steady state (issue 4,
 * target 4). The allocator calls of the whole process (the runtime, the
 * enhancement library, this test, libc, FFTW) are counted by
 * tools/alloc_count.c, and the counts must not move across session runs and
 * gtcrn_process calls after a warm-up. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enhance/gtcrn.h"
#include "tests/check_audio.h"
#include "tests/check_util.h"
#include "tests/testset.h"
#include "tools/alloc_count.h"

/* --- inputs -------------------------------------------------------------- */

#define WARMUP_RUNS 5
#define TIMED_RUNS 200

static char err[512];

/* mix_stft.npy: (1, 257, 611, 2), the real frames of mix.wav */
static float *load_spec(int64_t *F, int64_t *T)
{
	int64_t dims[GRT_MAX_DIMS];
	int ndim;
	float *spec;

	ck_assert_int_eq(ts_load_npy(TESTDATA_DIR "/mix_stft.npy", &spec, dims, &ndim), GRT_OK);
	ck_assert_int_eq(ndim, 4);
	*F = dims[1];
	*T = dims[2];
	return spec;
}

/* --- (a), (c): a streaming session, caches fed back ------------------------ */

static void session_steady(const char *name)
{
	gtcrn_model *m = load_gtcrn(name);
	const grt_model *g = gtcrn_model_graph(m);
	gtcrn_model_info in;
	grt_session *s = NULL;
	grt_value v;
	float *spec, *spec_in;
	int64_t F, T;
	void *cin[16];
	const void *cout[16];
	size_t cbytes[16];
	unsigned long a0, f0, allocs, frees;
	int n_caches, i, rc = GRT_OK;

	spec = load_spec(&F, &T);
	gtcrn_model_info_get(m, &in);
	ck_assert_int_eq(in.kind, GTCRN_STREAMING);
	ck_assert_int_eq(in.n_bins, F);
	n_caches = in.n_caches;
	ck_assert_int_le(n_caches, 16);
	a0 = alloc_count_allocs();
	rc = grt_session_create(g, NULL, &s, err, sizeof(err));
	allocs = alloc_count_allocs() - a0;
	ck_assert_msg(rc == GRT_OK, "%s", err);
	/* the runtime's own calls are seen (it is linked statically) */
	ck_assert_msg(allocs > 0, "%s: grt_session_create made no counted allocation", name);
	grt_session_input(s, grt_model_find_input(g, in.spec_input), &v);
	spec_in = v.data;
	ck_assert_ptr_nonnull(spec_in);
	for (int k = 0; k < n_caches; k++) {
		const char *ci, *co;
		grt_value vo;
		ck_assert_int_eq(gtcrn_model_cache(m, k, &ci, &co), GTCRN_OK);
		grt_session_input(s, grt_model_find_input(g, ci), &v);
		grt_session_output(s, grt_model_find_output(g, co), &vo);
		cin[k] = v.data;
		cout[k] = vo.data;
		cbytes[k] = (size_t)grt_value_numel(&v) * grt_dtype_size(v.dtype);
		ck_assert_int_eq(grt_value_numel(&v), grt_value_numel(&vo));
		memset(cin[k], 0, cbytes[k]);
	}
	/* no ck_assert inside the counted loop: Check's assertions allocate */
	a0 = f0 = 0;
	for (i = 0; i < WARMUP_RUNS + TIMED_RUNS; i++) {
		int t = (int)(i % T);
		if (i == WARMUP_RUNS) {
			a0 = alloc_count_allocs();
			f0 = alloc_count_frees();
		}
		for (int64_t f = 0; f < F; f++) {            /* (1, F, T, 2) -> (1, F, 1, 2) */
			spec_in[2 * f] = spec[(f * T + t) * 2];
			spec_in[2 * f + 1] = spec[(f * T + t) * 2 + 1];
		}
		if ((rc = grt_session_run(s)))
			break;
		for (int k = 0; k < n_caches; k++)
			if (cin[k] != cout[k])
				memcpy(cin[k], cout[k], cbytes[k]);
	}
	allocs = alloc_count_allocs() - a0;
	frees = alloc_count_frees() - f0;
	ck_assert_msg(rc == GRT_OK, "%s frame %d: %s", name, i, grt_session_errmsg(s));
	ck_assert_msg(allocs == 0 && frees == 0,
	              "%s: %lu allocations and %lu frees in %d grt_session_run calls after %d "
	              "warm-up runs (expected none; rerun: tests/check_alloc, "
	              "CK_RUN_CASE=session)", name, allocs, frees, TIMED_RUNS, WARMUP_RUNS);
	grt_session_free(s);
	gtcrn_model_free(m);
	free(spec);
}

START_TEST(session_simple) { session_steady("gtcrn_simple"); }
END_TEST

START_TEST(session_stream) { session_steady("gtcrn_stream"); }
END_TEST

START_TEST(session_stream_vctk) { session_steady("gtcrn_stream_vctk"); }
END_TEST

/* --- (b): gtcrn_process at 16 and 48 kHz, any chunk size ------------------ */

#define STATE_SAMPLES 24576      /* counted samples per chunk size */

static const size_t chunk_sizes[] = { 1, 7, 256, 4096 };

static void state_steady(int rate)
{
	gtcrn_model *m = load_gtcrn("gtcrn_simple");
	gtcrn_state *st = NULL;
	gtcrn_opts o;
	size_t n, pos = 0;
	float *x = read_wav(TESTDATA_DIR "/mix.wav", &n);
	float *y = malloc(sizeof(float) * 4096);
	int rc = GTCRN_OK;

	ck_assert_ptr_nonnull(y);
	gtcrn_opts_init(&o);
	o.sample_rate = rate;
	ck_assert_msg(gtcrn_state_create(m, &o, &st, err, sizeof(err)) == GTCRN_OK, "%s", err);
	/* the audio is 16 kHz; at 48 kHz it is just a signal to push through */
	for (size_t c = 0; c < sizeof(chunk_sizes) / sizeof(chunk_sizes[0]); c++) {
		size_t chunk = chunk_sizes[c];
		unsigned long a0 = 0, f0 = 0, allocs, frees;
		unsigned long frames0 = 0;
		for (int pass = 0; pass < 2; pass++) {      /* 0: warm-up, 1: counted */
			if (pass == 1) {
				a0 = alloc_count_allocs();
				f0 = alloc_count_frees();
				frames0 = gtcrn_frames(st);
			}
			/* no ck_assert in here: Check's assertions allocate */
			for (size_t done = 0; done < STATE_SAMPLES && rc == GTCRN_OK; done += chunk) {
				size_t k = chunk < STATE_SAMPLES - done ? chunk : STATE_SAMPLES - done;
				if (pos + k > n)
					pos = 0;
				rc = gtcrn_process(st, x + pos, y, k);
				pos += k;
			}
		}
		allocs = alloc_count_allocs() - a0;
		frees = alloc_count_frees() - f0;
		ck_assert_msg(rc == GTCRN_OK, "%d Hz, chunk %zu: %s", rate, chunk,
		              gtcrn_state_errmsg(st));
		ck_assert_msg(gtcrn_frames(st) > frames0, "%d Hz, chunk %zu: no frame ran", rate, chunk);
		ck_assert_msg(allocs == 0 && frees == 0,
		              "%d Hz, chunks of %zu: %lu allocations and %lu frees in gtcrn_process "
		              "over %d samples (%lu frames) after warm-up (expected none; rerun: "
		              "tests/check_alloc, CK_RUN_CASE=state)", rate, chunk, allocs, frees,
		              STATE_SAMPLES, gtcrn_frames(st) - frames0);
	}
	gtcrn_state_free(st);
	gtcrn_model_free(m);
	free(x);
	free(y);
}

START_TEST(state_16k) { state_steady(16000); }
END_TEST

START_TEST(state_48k) { state_steady(48000); }
END_TEST

/* --- the counter counts, so the checks above can fail ---------------------- */

START_TEST(counter_counts)
{
	/* called through volatile pointers: the compiler may assume that the
	 * builtin malloc leaves the count alone and fold the difference to 0 */
	void *(*volatile malloc_fn)(size_t) = malloc;
	void *(*volatile calloc_fn)(size_t, size_t) = calloc;
	void *(*volatile realloc_fn)(void *, size_t) = realloc;
	int (*volatile memalign_fn)(void **, size_t, size_t) = posix_memalign;
	void (*volatile free_fn)(void *) = free;
	unsigned long a0 = alloc_count_allocs(), f0, allocs, frees;
	void *p = malloc_fn(64), *q = calloc_fn(4, 16), *r = NULL, *p2;
	int rc = memalign_fn(&r, 64, 128);

	p2 = realloc_fn(p, 256);
	allocs = alloc_count_allocs() - a0;
	f0 = alloc_count_frees();
	free_fn(p2 ? p2 : p);
	free_fn(q);
	free_fn(r);
	frees = alloc_count_frees() - f0;
	ck_assert(q && !rc && r && p2);
	ck_assert_uint_eq(allocs, 4);
	ck_assert_uint_eq(frees, 3);
}
END_TEST

static Suite *alloc_suite(void)
{
	const struct test_def tests[] = {
		{ "session", session_simple, .timeout_s = 120 }, { "session", session_stream },
		{ "session", session_stream_vctk },
		{ "state", state_16k, .timeout_s = 120 }, { "state", state_48k },
		{ "counter", counter_counts },
	};

	return suite_from_table("alloc", tests, N_ELEMS(tests));
}

int main(void)
{
	Suite *suites[] = { alloc_suite() };

	return run_suites(suites, N_ELEMS(suites), 0);
}

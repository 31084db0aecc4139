/* check_ops_signal.c - unit tests for the signal operators (ops/signal/): what the
 * node suite and tests/data/signal (numpy goldens) leave out: errors, edge sizes
 * (an empty or one-point window, a one-point DFT), exact small transforms, and
 * sessions planning FFTs in two threads at once. Expected numbers are worked out by
 * hand. Rerun one case: CK_RUN_CASE=<case> CK_RUN_SUITE=<op>. */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include "tests/op_harness.h"
#include "tests/testset.h"

/* x [1, 4, 1] real, a complex [1, 3, 2] and a scalar int64 */
static const float sig4[] = { 1, 2, 3, 4 };
static const float cx3[] = { 1, 0, 0, 1, -1, 0 };
#define SIG4 { DT_FLOAT, 3, DIMS(1, 4, 1), sig4, 1 }
#define CX3 { DT_FLOAT, 3, DIMS(1, 3, 2), cx3, 1 }
#define SCALAR(v, c) { DT_INT64, 0, DIMS(0), I64(v), c }
#define NONE { DT_UNDEFINED, 0, NULL, NULL, 0, 1 }

/* -------------------------------------------------------------------- DFT */

START_TEST(dft_values_exact)
{
	struct harness h;

	/* [1, 2, 3, 4]: X = [10, -2 + 2j, -2, -2 - 2j]; onesided keeps 3 bins */
	h_init(&h, "DFT", 17);
	h_input(&h, DT_FLOAT, 3, DIMS(1, 4, 1), sig4, 0);
	h_output(&h);
	h_attr_int(&h, "onesided", 1);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 3, DIMS(1, 3, 2), F32(10, 0, -2, 2, -2, 0));
	h_free(&h);

	/* the inverse of that full spectrum in double: back to [1, 2, 3, 4] + 0j */
	h_init(&h, "DFT", 20);
	h_input(&h, DT_DOUBLE, 3, DIMS(1, 4, 2), F64(10, 0, -2, 2, -2, 0, -2, -2), 0);
	h_output(&h);
	h_attr_int(&h, "inverse", 1);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_DOUBLE, 3, DIMS(1, 4, 2), F64(1, 0, 2, 0, 3, 0, 4, 0));
	h_free(&h);

	/* one point: the identity */
	h_init(&h, "DFT", 17);
	h_input(&h, DT_FLOAT, 3, DIMS(2, 1, 2), F32(1.5f, -2, 3, 4), 0);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 3, DIMS(2, 1, 2), F32(1.5f, -2, 3, 4));
	h_free(&h);
}
END_TEST

static const struct h_case dft_errors_table[] = {
	{ "onesided of a complex input", "DFT", 17, { CX3 }, { { "onesided", ATTR_INT, 1 } },
	  .code = GRT_E_SHAPE, .msg = "needs a real input" },
	{ "axis on the (re, im) dim", "DFT", 17, { SIG4 }, { { "axis", ATTR_INT, 2 } },
	  .code = GRT_E_ATTR, .msg = "axis 2 out of range" },
	{ "axis -1", "DFT", 17, { SIG4 }, { { "axis", ATTR_INT, -1 } },
	  .code = GRT_E_ATTR, .msg = "axis -1" },
	{ "axis input -1", "DFT", 20, { SIG4, NONE, SCALAR(-1, 1) },
	  .code = GRT_E_ATTR, .msg = "axis -1" },
	{ "last dim 3", "DFT", 17, { { DT_FLOAT, 2, DIMS(1, 3), sig4, 1 } },
	  .code = GRT_E_SHAPE, .msg = "[..., 1] (real)" },
	{ "dft_length 0", "DFT", 17, { SIG4, SCALAR(0, 1) },
	  .code = GRT_E_SHAPE, .msg = "dft_length 0" },
	{ "dft_length not known", "DFT", 17, { SIG4, SCALAR(4, 0) },
	  .code = GRT_E_DYNAMIC, .msg = "dft_length" },
	{ "axis not known", "DFT", 20, { SIG4, NONE, SCALAR(1, 0) },
	  .code = GRT_E_DYNAMIC, .msg = "axis" },
	{ "int input", "DFT", 17, { { DT_INT32, 3, DIMS(1, 1, 1), I32(1), 1 } },
	  .code = GRT_E_DTYPE, .msg = "input 0" },
	{ "irfft of one bin", "DFT", 17, { { DT_FLOAT, 3, DIMS(1, 1, 2), sig4, 1 } },
	  { { "inverse", ATTR_INT, 1 }, { "onesided", ATTR_INT, 1 } },
	  .code = GRT_E_SHAPE, .msg = "dft_length 0" },
};

START_TEST(dft_errors)
{
	h_expect_case(&dft_errors_table[_i], NULL);
}
END_TEST

/* ------------------------------------------------------------------- STFT */

START_TEST(stft_values_exact)
{
	struct harness h;

	/* frames [1, 2] and [3, 4] (step 2, length 2): bins [3, -1] and [7, -1] */
	h_init(&h, "STFT", 17);
	h_input(&h, DT_FLOAT, 3, DIMS(1, 4, 1), sig4, 0);
	h_input(&h, DT_INT64, 0, DIMS(0), I64(2), 1);
	h_input_none(&h);
	h_input(&h, DT_INT32, 0, DIMS(0), I32(2), 1);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 4, DIMS(1, 2, 2, 2), F32(3, 0, -1, 0, 7, 0, -1, 0));
	h_free(&h);

	/* window [0, 1] over frames of 2 every 1 (3 frames), full spectrum */
	h_init(&h, "STFT", 17);
	h_input(&h, DT_FLOAT, 3, DIMS(1, 4, 1), sig4, 0);
	h_input(&h, DT_INT64, 0, DIMS(0), I64(1), 1);
	h_input(&h, DT_FLOAT, 1, DIMS(2), F32(0, 1), 0);
	h_output(&h);
	h_attr_int(&h, "onesided", 0);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 4, DIMS(1, 3, 2, 2),
	             F32(2, 0, -2, 0, 3, 0, -3, 0, 4, 0, -4, 0));
	h_free(&h);
}
END_TEST

#define WIN3 { DT_FLOAT, 1, DIMS(3), sig4, 1 }
static const struct h_case stft_errors_table[] = {
	{ "window and frame_length differ", "STFT", 17, { SIG4, SCALAR(1, 1), WIN3, SCALAR(2, 1) },
	  .code = GRT_E_SHAPE, .msg = "window has 3 points, frame_length is 2" },
	{ "frame longer than the signal", "STFT", 17, { SIG4, SCALAR(1, 1), NONE, SCALAR(5, 1) },
	  .code = GRT_E_SHAPE, .msg = "frames of 5 samples in a signal of 4" },
	{ "frame_step 0", "STFT", 17, { SIG4, SCALAR(0, 1) },
	  .code = GRT_E_SHAPE, .msg = "frame_step must be in" },
	{ "frame_step not known", "STFT", 17, { SIG4, SCALAR(1, 0) },
	  .code = GRT_E_DYNAMIC, .msg = "frame_step" },
	{ "onesided of a complex signal", "STFT", 17, { CX3, SCALAR(1, 1) },
	  .code = GRT_E_SHAPE, .msg = "needs a real signal" },
	{ "signal of rank 2", "STFT", 17, { { DT_FLOAT, 2, DIMS(4, 1), sig4, 1 }, SCALAR(1, 1) },
	  .code = GRT_E_SHAPE, .msg = "signal must be" },
	{ "window of another type", "STFT", 17,
	  { SIG4, SCALAR(1, 1), { DT_DOUBLE, 1, DIMS(2), F64(1, 1), 1 } },
	  .code = GRT_E_SHAPE, .msg = "window must be" },
};

START_TEST(stft_errors)
{
	h_expect_case(&stft_errors_table[_i], NULL);
}
END_TEST

/* ----------------------------------------------------------------- windows */

START_TEST(window_values_edges)
{
	struct harness h;

	/* symmetric of one point: [1] (numpy, torch); uint8 truncates: [0, 0, 1, 0] */
	h_init(&h, "HannWindow", 17);
	h_input(&h, DT_INT64, 0, DIMS(0), I64(1), 1);
	h_output(&h);
	h_attr_int(&h, "periodic", 0);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 1, DIMS(1), F32(1));
	h_free(&h);

	h_init(&h, "HannWindow", 17);
	h_input(&h, DT_INT32, 0, DIMS(0), I32(4), 1);
	h_output(&h);
	h_attr_int(&h, "output_datatype", DT_UINT8);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_UINT8, 1, DIMS(4), U8(0, 0, 1, 0));
	h_free(&h);

	/* size 0: an empty window */
	h_init(&h, "BlackmanWindow", 17);
	h_input(&h, DT_INT64, 0, DIMS(0), I64(0), 1);
	h_output(&h);
	h_run_ok(&h);
	h_expect_out(&h, 0, DT_FLOAT, 1, DIMS(0), NULL);
	h_free(&h);
}
END_TEST

static const struct h_case window_errors_table[] = {
	{ "negative size", "HannWindow", 17, { SCALAR(-1, 1) }, .code = GRT_E_SHAPE,
	  .msg = "size -1 is negative" },
	{ "bool output", "HammingWindow", 17, { SCALAR(3, 1) },
	  { { "output_datatype", ATTR_INT, DT_BOOL } }, .code = GRT_E_ATTR,
	  .msg = "not a numeric type" },
	{ "size not known", "BlackmanWindow", 17, { SCALAR(3, 0) }, .code = GRT_E_DYNAMIC,
	  .msg = "size" },
	{ "float size", "HannWindow", 17, { { DT_FLOAT, 0, DIMS(0), F32(3), 1 } },
	  .code = GRT_E_DTYPE, .msg = "input 0" },
	{ "mel: sample_rate 0", "MelWeightMatrix", 17,
	  { SCALAR(2, 1), SCALAR(8, 1), SCALAR(0, 1), { DT_FLOAT, 0, DIMS(0), F32(0), 1 },
	    { DT_FLOAT, 0, DIMS(0), F32(100), 1 } }, .code = GRT_E_SHAPE,
	  .msg = "sample_rate must be positive" },
	{ "mel: num_mel_bins not known", "MelWeightMatrix", 17,
	  { SCALAR(2, 0), SCALAR(8, 1), SCALAR(8, 1), { DT_FLOAT, 0, DIMS(0), F32(0), 1 },
	    { DT_FLOAT, 0, DIMS(0), F32(100), 1 } }, .code = GRT_E_DYNAMIC,
	  .msg = "num_mel_bins" },
};

START_TEST(window_errors)
{
	h_expect_case(&window_errors_table[_i], NULL);
}
END_TEST

/* ---------------------------------------------------------------- threads */

/* FFTW's planner is one per process and not thread-safe: sessions plan under
 * grt_fftw_planner_lock. Two threads load, plan and run cases of tests/data/signal
 * 20 times each (the dynamic DFT plans at every run, and its plan is destroyed
 * at the next); each result as alone. (A smoke test: FFTW is not instrumented, so
 * ThreadSanitizer does not see a missing lock; measured with the lock taken out.) */
struct fft_job { const char *name; int ok; char err[512]; };

static void *fft_job_run(void *arg)
{
	struct fft_job *j = arg;
	char model[1024], set[1024];
	grt_model *m = NULL;
	struct ts_result r;

	snprintf(model, sizeof(model), BUILDDIR "/tests/data/signal/%s/model.onnx", j->name);
	snprintf(set, sizeof(set), SRCDIR "/tests/data/signal/%s/test_data_set_0", j->name);
	j->ok = 1;
	for (int k = 0; k < 20 && j->ok; k++) {
		j->ok = grt_model_load_file(model, &m, j->err, sizeof(j->err)) == GRT_OK &&
		        ts_run_set(m, set, 1e-5, 1e-3, &r);
		grt_model_free(m);
		m = NULL;
	}
	return NULL;
}

START_TEST(threads_plan_at_once)
{
	struct fft_job jobs[2] = { { "test_dft_length_input_inverse" },
	                           { "test_stft_double_dynamic_step" } };
	pthread_t th[2];

	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, fft_job_run, &jobs[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 2; i++)
		ck_assert_msg(jobs[i].ok, "%s failed %s (models not encoded? make fixtures)",
		              jobs[i].name, jobs[i].err);
}
END_TEST

/* ------------------------------------------------------------------- main */

int main(void)
{
	const struct test_def dft[] = {
		{ "values", dft_values_exact },
		{ "errors", dft_errors, 0, N_ELEMS(dft_errors_table) },
		{ "threads", threads_plan_at_once },
	};
	const struct test_def stft[] = {
		{ "values", stft_values_exact },
		{ "errors", stft_errors, 0, N_ELEMS(stft_errors_table) },
	};
	const struct test_def windows[] = {
		{ "values", window_values_edges },
		{ "errors", window_errors, 0, N_ELEMS(window_errors_table) },
	};
	Suite *suites[] = {
		suite_from_table("DFT", dft, N_ELEMS(dft)),
		suite_from_table("STFT", stft, N_ELEMS(stft)),
		suite_from_table("windows", windows, N_ELEMS(windows)),
	};

	return run_suites(suites, N_ELEMS(suites), 0);
}

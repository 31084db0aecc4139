/* testset.h - run a model on ONNX test_data_set_* folders and compare, and
 * read .npy arrays: libgrt-testset, on the public grt.h alone, shared by
 * tools/grt-conform and the Check programs (tests/testset.h adds what
 * needs the protobuf code). */
#ifndef TOOLS_TESTSET_H
#define TOOLS_TESTSET_H

#include <stdint.h>
#include "runtime/grt.h"

#define TS_MAX_OUT 16

struct ts_output {
	char name[128];
	double max_abs;          /* max |got - expected| */
	double max_rel;          /* max |got - expected| / |expected| over nonzero expected */
	int pass;
	int64_t worst;           /* flat index of the worst element (by tolerance ratio) */
	double worst_got, worst_exp;
	char msg[256];           /* why it failed, if not by value */
};

struct ts_result {
	int status;              /* GRT_OK, or what failed before the comparison */
	char err[512];
	int fixed_inputs;        /* GRT_SESSION_STATIC: 0, or 1 if shape-like inputs had to
	                            be fixed at plan time, 2 if all inputs were */
	grt_session_stats stats; /* the plan's figures */
	int n_out;
	struct ts_output out[TS_MAX_OUT];
};

/* Runs m on the inputs in set_dir (input_<i>.pb) and compares with
 * output_<i>.pb: |got - exp| <= atol + rtol * |exp| per element, exact for
 * integers and bool. Returns 1 if every output passed. */
int ts_run_set(const grt_model *m, const char *set_dir, double atol, double rtol,
               struct ts_result *r);
/* The same with the session made with flags (GRT_SESSION_*: tests run the
 * models with each kernel table, GRT_SESSION_PORTABLE). */
int ts_run_set_flags(const grt_model *m, const char *set_dir, unsigned flags, double atol,
                     double rtol, struct ts_result *r);

/* Lists the test_data_set_* subfolders of dir, sorted; returns the count
 * (at most max) and fills names (malloc'ed; free with ts_free_list). */
int ts_list_sets(const char *dir, char **names, int max);
void ts_free_list(char **names, int n);

/* Reads a little-endian float32 C-order .npy file. */
int ts_load_npy(const char *path, float **data, int64_t *dims, int *ndim);

/* Streaming GTCRN exports (one STFT frame in, caches X fed back from outputs X_out):
 * ts_stream_start zeroes every input of s (the caches' start); ts_stream_frame puts
 * frame t of spec [f][T][2] (mix_stft.npy's layout) into mix [f][2];
 * ts_stream_feed copies each *_out output back into its cache input. */
void ts_stream_start(grt_session *s, const grt_model *m);
void ts_stream_frame(float *mix, const float *spec, int64_t f, int64_t T, int64_t t);
void ts_stream_feed(grt_session *s, const grt_model *m);

#endif

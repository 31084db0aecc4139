/* cli_run.h - running gtcrn-run as a separate process the way users run it
 * (BUILDDIR/tools/gtcrn-run), with its stdout and stderr captured, and the
 * files the CLI tests make and read back (libsndfile), all under one
 * mkdtemp() folder: tests/check_cli.c and tests/check_cli_speech.c. */
#ifndef TESTS_CLI_RUN_H
#define TESTS_CLI_RUN_H

#include <check.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>
#include <sndfile.h>
#include "tests/check_util.h"

#define TOOL BUILDDIR "/tools/gtcrn-run"
#define MIX_WAV TESTDATA_DIR "/mix.wav"
#define SIMPLE MODELS_DIR "/gtcrn_simple.onnx"
#define MAX_ARGS 32

extern char tmp_root[256];             /* mkdtemp folder for every test */

struct run {
	int status;                        /* exit code, or 128 + signal */
	char *out, *err;                   /* captured stdout, stderr (NUL-terminated) */
	size_t out_len, err_len;
	char cmd[4096];                    /* the command line, for messages */
};

struct run_opts {
	const void *in_data;               /* fed to stdin through a pipe; NULL: /dev/null */
	size_t in_len;
	const char *out_file;              /* stdout goes there instead of a capture */
	const char *env;                   /* "NAME=value" added to the environment */
	long fsize_limit;                  /* > 0: RLIMIT_FSIZE of the child, bytes */
	unsigned alarm_s;                  /* > 0: the child gets SIGALRM (status 142) then */
};

struct proc {
	pid_t pid;
	int fd_in, fd_out, fd_err;         /* parent's ends; -1 = none */
};

/* Appends n bytes of data to *buf (*len bytes, kept NUL-terminated). */
void append(char **buf, size_t *len, const char *data, size_t n);
/* run(&r, opts or NULL, args..., NULL): the exit status. */
int run(struct run *r, const struct run_opts *ro, ...);
int vrun(struct run *r, const struct run_opts *ro, va_list ap);
void run_free(struct run *r);
/* Runs and requires exit status 0. */
void run_ok(const struct run_opts *ro, ...);
void proc_start(struct proc *p, const struct run_opts *ro, char **argv, char *cmd,
                size_t cmd_len);
/* Feeds data to stdin, collects stdout and stderr, waits for the exit. */
void proc_finish(struct proc *p, struct run *r, const char *data, size_t len);

/* dir/name in one of 8 rotating buffers */
char *path_in(const char *dir, const char *name);
/* A fresh folder for one test under the mkdtemp root. */
const char *test_dir(const char *name);
int dir_entries(const char *dir);
/* Interleaved float samples of a file (malloc'ed); info gets its format. */
float *load(const char *path, SF_INFO *info);
short *load_shorts(const char *path, SF_INFO *info);
void save_shorts(const char *path, const short *x, sf_count_t frames, int channels, int rate,
                 int format);
void write_bytes(const char *path, const void *data, size_t len);
int same_bytes(const char *a, const char *b);
/* max |got - ref| over n samples, with where it is */
double max_abs(const float *got, const float *ref, size_t n, size_t *at);

/* main() of a CLI test program: checks that the tool and the files in need[]
 * exist (missing is a failure, not a skip), makes tmp_root, runs the suite,
 * removes tmp_root. */
int cli_test_main(const char *name, Suite *s, const char *const *need, size_t n_need);

#endif

/* cli.h - the parts of gtcrn-run, one file per job:
 *   gtcrn-run.c    main: signals, the model, the run over the inputs; one file
 *                  (open, stream or whole-file enhancement, output): run_file
 *   cli_options.c  usage and option parsing; which operand is the model:
 *                  operand_model
 *   cli_info.c     loading the model, --model-info
 *   cli_report.c   messages, progress bar, per-frame times, --stats, --json
 *   cli_batch.c    outputs under -o (the folder, the names: batch_outputs;
 *                  --keep-tree: out_name), the worker threads and whether a
 *                  progress bar is drawn: run_inputs */
#ifndef TOOLS_CLI_H
#define TOOLS_CLI_H

#include <pthread.h>
#include <stddef.h>
#include "enhance/gtcrn.h"
#include "tools/audio_io.h"

enum exit_code {
	RC_OK = 0,
	RC_USAGE = 1,       /* bad option or operand */
	RC_INPUT = 2,       /* input missing, unreadable, empty or malformed */
	RC_MODEL = 3,       /* model cannot be loaded or is not GTCRN-shaped */
	RC_OUTPUT = 4,      /* output cannot be written, or would overwrite the input or model */
	RC_PROCESS = 5,     /* enhancement failed */
	RC_SIGNAL = 130,    /* SIGINT / SIGTERM */
};

#define BLOCK_FRAMES 1024   /* frames read per step when streaming */
#define MAX_JOBS 64
#define ERR_LEN 1024

struct options {
	const char *model;            /* -m, the first operand, else gtcrn_default_model_path() */
	const char *model_info;       /* --model-info */
	const char *out_dir;          /* -o: batch mode */
	const char *tree_root;        /* --keep-tree: outputs at their path below this */
	int jobs;                     /* -j */
	struct audio_format in_hint;  /* -t, -r, -c, and -e/-b for raw input */
	enum audio_enc enc;           /* -e as given (the output's for inputs with a header) */
	int bits;                     /* -b as given */
	struct audio_out_opts out;    /* --out-type, --out-encoding, --out-bits, --out-rate */
	int offline, stream;
	float mix, atten_lim_db;
	size_t mem_budget;            /* bytes; 0 = the library's default */
	int resample_quality;         /* 0..10; -1 = the library's default */
	int skip_existing, quiet, stats, json;
	char **inputs;
	int n_inputs;
	const char *output;           /* single-file mode */
};

struct file_stats {
	long long frames;             /* audio frames per channel */
	int rate_hz, channels;
	double wall_s;
	unsigned long net_frames;     /* network runs, all channels */
	double median_ms, p99_ms;     /* per network run; < 0 = not measured */
	const char *mode;             /* "streaming" / "offline" */
	int skipped;
};

struct run_ctx {
	const struct options *o;
	const gtcrn_model *m;
	gtcrn_model_info info;
	gtcrn_opts opts;              /* sample_rate set per file */
	int progress;                 /* a progress bar may be drawn */
	pthread_mutex_t lock;         /* next, and everything printed per file */
	int next;                     /* batch: next input index */
	int *rc;                      /* [n_inputs] exit code per input */
	char **outputs;               /* [n_inputs] output paths */
};

struct progress {
	int on;
	long long total, done;        /* frames */
	double last_s;
	const char *label;
	double unit_s;                /* audio seconds per unit of done, for the batch line */
};

/* cli_options.c. Returns -1 to go on, or an exit code. */
int parse_args(int argc, char **argv, struct options *o);

/* cli_info.c: loads and plans the model (RC_MODEL with a message on failure). */
int load_model(const char *path, gtcrn_model **m, gtcrn_model_info *info);
int model_info(const char *path);

/* cli_report.c */
/* "gtcrn-run: " + the message on stderr; remembered as this thread's last. */
void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *last_message(void);
/* The input's warnings (audio_in_warning) on stderr, as msg() but not
 * remembered: --json's "error" stays the error. Shown with -q too. */
void input_warnings(struct audio_in *in);
void clear_last_message(void);
double now_s(void);
void progress_update(struct progress *p, long long add);
void progress_end(struct progress *p);
/* A batch's progress line on stderr (files done, audio seconds, rate):
 * started before the workers, ended (cleared) after them. */
void batch_progress_start(int files);
void batch_progress_file_done(void);
void batch_progress_end(void);
/* Per-frame run times of the states of a, in constant memory (cli_report.c). */
struct frame_times;
struct frame_times *times_create(gtcrn_aligned *a, int channels, size_t ring_len);
void times_drain(struct frame_times *ft, gtcrn_aligned *a, int channels);
/* fs's median_ms and p99_ms, when a run was timed */
void times_result(const struct frame_times *ft, struct file_stats *fs);
void times_free(struct frame_times *ft);                    /* accepts NULL */
void report(const struct run_ctx *c, const char *in, const char *out,
            const struct file_stats *fs, int rc, const char *error);

/* cli_batch.c */
/* Batch: DIR/<name> for each input, refusing two inputs of one output;
 * every output checked (audio_out_check, never another input) before any
 * input is read, then DIR and --keep-tree's folders made. */
int batch_outputs(const struct options *o, char ***outs);
/* Enhances every input on min(jobs, inputs) threads; the exit code of the
 * first input (in order) that failed, with a count when several did. */
int run_inputs(struct run_ctx *c);

/* gtcrn-run.c: one input to one output, with its figures in *fs. */
int run_file(struct run_ctx *c, const char *in_path, const char *out_path,
             struct file_stats *fs);

#endif

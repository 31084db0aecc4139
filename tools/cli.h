/* cli.h - the parts of gtcrn-run, one file per job:
 *   gtcrn-run.c    main: signals, the model, the run over the inputs; one file
 *                  (open, stream or whole-file enhancement, output): run_file
 *   cli_options.c  usage and option parsing; which operand is the model:
 *                  operand_model
 *   cli_info.c     loading the model, --model-info
 *   cli_report.c   messages, progress bar, per-frame times, --stats, --json
 *   cli_batch.c    outputs under -o (the folder, the names: batch_outputs;
 *                  --keep-tree: out_name), the worker threads and whether a
 *                  progress bar is drawn: run_inputs
 *   cli_speech.c   the VAD and DNSMOS models; what runs on the enhanced
 *                  output (--vad-gate, --segments, --score): struct post;
 *                  --score-only and --vad-only: analyze_file; the
 *                  --segments file */
#ifndef TOOLS_CLI_H
#define TOOLS_CLI_H

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
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
	/* speech-aware features (cli_speech.c) */
	const char *vad_model;        /* --vad-model, else gtcrn_default_vad_model_path() */
	const char *dnsmos_model;     /* --dnsmos-model, else gtcrn_default_dnsmos_model_path() */
	float gate_db;                /* --vad-gate[=DB]; < 0 = no gate */
	const char *segments;         /* --segments FILE */
	int score;                    /* --score */
	int score_only, vad_only;     /* no enhancement: the operands are all inputs */
	gtcrn_vad_opts vad;           /* --vad-threshold, --vad-min-silence, ... */
};

/* DNSMOS scores; scored = 0: not computed */
struct score {
	int scored;
	gtcrn_dnsmos_scores s;
};

/* Speech segments of one file, in seconds (malloc'ed). */
struct seglist {
	gtcrn_segment *v;
	size_t n, cap;
	double length_s;              /* the audio's duration */
};

struct file_stats {
	long long frames;             /* audio frames per channel */
	int rate_hz, channels;
	double wall_s;
	unsigned long net_frames;     /* network runs, all channels */
	double median_ms, p99_ms;     /* per network run; < 0 = not measured */
	const char *mode;             /* "streaming" / "offline" */
	int skipped;
	struct score score_in, score_out;  /* --score, --score-only (score_in) */
	struct seglist segs;          /* --segments, --vad-only (freed by the worker) */
	int has_segs;
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
	const gtcrn_vad_model *vad;   /* loaded when a feature needs it, else NULL */
	const gtcrn_dnsmos_model *dnsmos;
	char **seg_lines;             /* --segments: [n_inputs] JSON lines, NULL = none */
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
/* s as a JSON string on f */
void json_string(FILE *f, const char *s);
void report(const struct run_ctx *c, const char *in, const char *out,
            const struct file_stats *fs, int rc, const char *error);
/* --score-only / --vad-only: one line per input on stdout, text or --json */
void report_analysis(const struct run_ctx *c, const char *in, const struct file_stats *fs,
                     int rc, const char *error);

/* cli_batch.c */
/* Batch: DIR/<name> for each input, refusing two inputs of one output;
 * every output checked (audio_out_check, never another input) before any
 * input is read, then DIR and --keep-tree's folders made. */
int batch_outputs(const struct options *o, char ***outs);
/* Enhances every input on min(jobs, inputs) threads; the exit code of the
 * first input (in order) that failed, with a count when several did. */
int run_inputs(struct run_ctx *c);

/* cli_speech.c */
/* Loads the VAD and DNSMOS models the options need into c (RC_MODEL with a
 * message on failure); speech_models_free frees them. */
int speech_models_load(struct run_ctx *c);
void speech_models_free(struct run_ctx *c);
/* Before any input is read: no audio output is a speech model, and the
 * --segments file may be written (not an input, an output or a model). */
int speech_outputs_check(const struct options *o, char **outputs);
/* Writes the --segments file (one JSON line per enhanced input, in input
 * order) and commits it; none when no input was enhanced. RC_OUTPUT with a
 * message on failure. */
int segments_write(const struct run_ctx *c);
/* The JSON line of input i's segments into c->seg_lines[i]. */
void segments_keep(struct run_ctx *c, int i, const struct file_stats *fs);
/* --score-only / --vad-only: one input, its results in *fs. */
int analyze_file(struct run_ctx *c, const char *in_path, struct file_stats *fs);
/* "[[0.2900,2.1400],[...]]" of s on f */
void segments_json(FILE *f, const struct seglist *s);

/* What runs on the enhanced output of one file, aligned with the input:
 * the gate (its delay dropped), the VAD for --segments (on the enhanced
 * signal before the gate), and the whole input and output kept for --score. */
/* A VAD over a stream (the mean of its channels), its probabilities turned
 * into segments; vad NULL = not running. */
struct vad_run {
	gtcrn_vad *vad;
	gtcrn_segmenter *sg;
	float *mono, *probs;          /* [cap]: a block's channel mean; [probs_cap] its windows' */
	size_t cap, probs_cap;
	struct seglist *segs;         /* where the segments go */
};

struct post {
	int channels, rate;
	gtcrn_gate *gate;
	size_t gate_lat, gate_drop;   /* the gate's delay; frames of it still to drop */
	float *tail;                  /* [gate_lat * channels]: the gate's flush */
	struct vad_run vad;           /* --segments */
	int score;                    /* --score: keep the input and the output */
	float *in_all, *out_all;      /* [frames * channels] */
	size_t in_n, in_cap, out_n, out_cap;
	long long frames;             /* frames given to post_block */
};
int post_open(const struct run_ctx *c, int rate, int channels, struct seglist *segs,
              struct post *p, const char *label);
/* --score: keeps the input block x[n * channels]. */
int post_input(struct post *p, const float *x, size_t n, const char *label);
/* The enhanced block x[n * channels], changed in place: gated, *n_out frames
 * (fewer than n while the gate's delay is dropped). */
int post_block(struct post *p, float *x, size_t n, size_t *n_out, const char *label);
/* The end: the gate's last frames to out (room for gate_lat frames), the
 * segments closed, the scores of input and output into fs. */
int post_end(struct post *p, float *out, size_t *n_out, struct file_stats *fs,
             const struct run_ctx *c, const char *label);
void post_close(struct post *p);

/* gtcrn-run.c: opens an input with the -t/-r/-c/-e/-b hints, its warnings
 * shown (the exit code with a message on failure) */
int input_open(const struct options *o, const char *path, struct audio_in **in);
/* gtcrn-run.c: one input to one output, with its figures in *fs. */
int run_file(struct run_ctx *c, const char *in_path, const char *out_path,
             struct file_stats *fs);

#endif

/* gtcrn-run - enhance speech with any GTCRN ONNX export: one file, a batch of
 * files in parallel, or a pipe streamed with bounded delay; any sample rate
 * and channel count (one enhancement state per channel, one shared model).
 * Streaming models run block by block, offline models over the whole file.
 * Usage and exit codes: gtcrn-run --help. */
#define _GNU_SOURCE
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
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
};

/* The last message this thread printed: --json's "error" for a file that failed. */
static _Thread_local char last_msg[2 * ERR_LEN];

static void msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "gtcrn-run: %s\n", last_msg);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void on_signal(int sig)
{
	(void)sig;
	audio_remove_temp_files();
	_exit(RC_SIGNAL);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: gtcrn-run [options] [MODEL.onnx] IN OUT\n"
"       gtcrn-run [options] [-m MODEL.onnx] -o DIR IN...\n"
"       gtcrn-run --model-info MODEL.onnx\n"
"Enhances speech with a GTCRN ONNX model. IN and OUT are audio files (WAV, FLAC, Ogg,\n"
"AIFF... through libsndfile; .raw/.pcm = raw PCM) or '-' for stdin/stdout (WAV or raw\n"
"PCM, streamed as it arrives). OUT keeps IN's rate, channels, type and sample format\n"
"unless told otherwise, has IN's length, and appears only when complete.\n"
"\n"
"Model and mode:\n"
"  -m, --model FILE        the model; else the first operand when it ends in .onnx or\n"
"                          is the first of three; else $GTCRN_MODEL; else the default\n"
"                          that `make install-model` installs:\n"
"                          %s\n"
"      --stream            run block by block (default for streaming models)\n"
"      --offline           run over the whole file at once (default for offline models)\n"
"      --mix WET           wet fraction 0..1 (default 1: enhanced signal only)\n"
"      --atten-lim DB      reduce the noise by at most DB dB (default: no limit)\n"
"      --mem-budget MIB    memory allowed to an offline run (default 512)\n"
"      --resample-quality Q  0 (fastest) .. 10 (best) for rates other than the\n"
"                          model's (default 8; speexdsp; more = longer delay)\n"
"Input (-r/-c/-e/-b/-t describe IN). stdin is raw PCM with -t raw, -r or -c, else WAV;\n"
"a file is raw when named .raw/.pcm or with -t raw. Raw PCM is little-endian.\n"
"  -t, --type raw|wav      type of IN\n"
"  -r, --rate HZ           sample rate of raw input (required for raw input)\n"
"  -c, --channels N        channels of raw input (default 1)\n"
"  -e, --encoding ENC      signed-integer (default), unsigned-integer or float\n"
"  -b, --bits N            8, 16 (default), 24, 32; float: 32 (default), 64\n"
"  For an input with a header, -e and -b set the output's encoding (-e float).\n"
"Output:\n"
"      --out-type raw|wav  type of OUT (default: by extension; stdout: raw for raw\n"
"                          input, else WAV)\n"
"      --out-encoding ENC  sample encoding of OUT (default: IN's)\n"
"      --out-bits N        bits per sample of OUT (default: IN's)\n"
"      --out-rate HZ       resample the enhanced output to HZ (libsamplerate)\n"
"  -o, --output-dir DIR    batch: write DIR/<name of IN> for every IN\n"
"  -j, --jobs N            batch: enhance N files in parallel (default 1)\n"
"      --keep-tree ROOT    batch: write DIR/<IN's path below ROOT> (making the folders),\n"
"                          not DIR/<IN's name>: a tree keeps its shape and its names\n"
"      --skip-existing     leave outputs that already exist untouched\n"
"  -f, --force             replace a read-only output file (its mode is kept)\n"
"  OUT: a regular file is written to a temporary file in its folder and renamed\n"
"  into place when complete (through a symbolic link: the file it names); a\n"
"  device or FIFO (/dev/null, /dev/stdout) is written directly. Refused: the\n"
"  input or the model file, a .onnx name, a folder, a block device, an unknown\n"
"  extension (unless --out-type names the format).\n"
"Reporting:\n"
"  -q, --quiet             no progress bar, no notes\n"
"      --stats             one line per file on stderr: audio duration, wall time,\n"
"                          real-time factor, frames, per-frame median and p99 time\n"
"                          (streaming: to within 1%%, in constant memory)\n"
"      --json              one JSON line per input, on stdout (stderr when OUT is\n"
"                          stdout): \"status\" \"ok\" with --stats' figures, \"skipped\"\n"
"                          (--skip-existing) or \"failed\" with \"exit\" and \"error\"\n"
"      --model-info FILE   describe a model: kind, STFT, inputs and outputs, opset,\n"
"                          node counts, arena bytes, latency, metadata, caches\n"
"  -h, --help              this text\n"
"      --version           the version\n"
"Exit status:\n"
"    0  success\n"
"    1  usage error (bad option or operand)\n"
"    2  input error (missing, unreadable, empty or malformed audio; too long for the\n"
"       offline model's memory budget)\n"
"    3  model error (cannot be loaded, not GTCRN-shaped, unsupported operators)\n"
"    4  output error (cannot create or write OUT; OUT is the input or the model file,\n"
"       read-only without --force, a folder, a block device or a link to nothing)\n"
"    5  processing error (the enhancement failed)\n"
"  130  interrupted by SIGINT or SIGTERM (no partial output is left)\n"
"  With several inputs: the status of the first input (in order) that failed.\n",
	GTCRN_DEFAULT_MODEL);
}

/* --- option parsing -------------------------------------------------- */

static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

static int parse_enc(const char *s, enum audio_enc *out)
{
	if (!strcmp(s, "signed-integer") || !strcmp(s, "signed") || !strcmp(s, "s"))
		*out = AUDIO_ENC_SIGNED;
	else if (!strcmp(s, "unsigned-integer") || !strcmp(s, "unsigned") || !strcmp(s, "u"))
		*out = AUDIO_ENC_UNSIGNED;
	else if (!strcmp(s, "float") || !strcmp(s, "floating-point") || !strcmp(s, "f"))
		*out = AUDIO_ENC_FLOAT;
	else
		return -1;
	return 0;
}

static int parse_type(const char *s, enum audio_type *out)
{
	if (!strcmp(s, "raw"))
		*out = AUDIO_RAW;
	else if (!strcmp(s, "wav"))
		*out = AUDIO_WAV;
	else
		return -1;
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcasecmp(s + n - k, suffix);
}

enum {
	OPT_OFFLINE = 256, OPT_STREAM, OPT_MIX, OPT_ATTEN, OPT_BUDGET, OPT_QUALITY, OPT_OUT_TYPE,
	OPT_OUT_ENC, OPT_OUT_BITS, OPT_OUT_RATE, OPT_SKIP, OPT_TREE, OPT_STATS, OPT_JSON, OPT_MODEL_INFO, OPT_VERSION,
};

/* Returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "output-dir", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "type", required_argument, NULL, 't' },
		{ "rate", required_argument, NULL, 'r' },
		{ "channels", required_argument, NULL, 'c' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "bits", required_argument, NULL, 'b' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "offline", no_argument, NULL, OPT_OFFLINE },
		{ "stream", no_argument, NULL, OPT_STREAM },
		{ "mix", required_argument, NULL, OPT_MIX },
		{ "atten-lim", required_argument, NULL, OPT_ATTEN },
		{ "mem-budget", required_argument, NULL, OPT_BUDGET },
		{ "resample-quality", required_argument, NULL, OPT_QUALITY },
		{ "out-type", required_argument, NULL, OPT_OUT_TYPE },
		{ "out-encoding", required_argument, NULL, OPT_OUT_ENC },
		{ "out-bits", required_argument, NULL, OPT_OUT_BITS },
		{ "out-rate", required_argument, NULL, OPT_OUT_RATE },
		{ "skip-existing", no_argument, NULL, OPT_SKIP },
		{ "force", no_argument, NULL, 'f' },
		{ "keep-tree", required_argument, NULL, OPT_TREE },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "model-info", required_argument, NULL, OPT_MODEL_INFO },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c, first;
	long v;
	double d;

	o->jobs = 1;
	o->mix = 1.0f;
	o->atten_lim_db = -1.0f;
	o->resample_quality = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:o:j:t:r:c:e:b:fqh", longs, NULL)) != -1) {
		const char *bad = NULL;
		switch (c) {
		case 'm': o->model = optarg; break;
		case 'o': o->out_dir = optarg; break;
		case 'j':
			if (parse_long(optarg, 1, MAX_JOBS, &v))
				bad = "-j wants 1.." "64";
			o->jobs = (int)v;
			break;
		case 't':
			if (parse_type(optarg, &o->in_hint.type))
				bad = "-t wants raw or wav";
			break;
		case 'r':
			if (parse_long(optarg, 1, 10000000, &v))
				bad = "-r wants a sample rate in Hz";
			o->in_hint.rate_hz = (int)v;
			break;
		case 'c':
			if (parse_long(optarg, 1, 1024, &v))
				bad = "-c wants 1..1024 channels";
			o->in_hint.channels = (int)v;
			break;
		case 'e':
			if (parse_enc(optarg, &o->enc))
				bad = "-e wants signed-integer, unsigned-integer or float";
			break;
		case 'b':
			if (parse_long(optarg, 8, 64, &v) || v % 8)
				bad = "-b wants 8, 16, 24, 32 or 64";
			o->bits = (int)v;
			break;
		case 'q': o->quiet = 1; break;
		case 'f': o->out.force = 1; break;
		case 'h': usage(stdout); return RC_OK;
		case OPT_VERSION: printf("gtcrn-run %s\n", PACKAGE_VERSION); return RC_OK;
		case OPT_OFFLINE: o->offline = 1; break;
		case OPT_STREAM: o->stream = 1; break;
		case OPT_MIX:
			if (parse_double(optarg, 0, 1, &d))
				bad = "--mix wants a wet fraction 0..1";
			o->mix = (float)d;
			break;
		case OPT_ATTEN:
			if (parse_double(optarg, 0, 1000, &d))
				bad = "--atten-lim wants a number of dB >= 0";
			o->atten_lim_db = (float)d;
			break;
		case OPT_BUDGET:
			if (parse_double(optarg, 1, 1 << 30, &d))
				bad = "--mem-budget wants MiB >= 1";
			o->mem_budget = (size_t)(d * 1048576.0);
			break;
		case OPT_QUALITY:
			if (parse_long(optarg, 0, 10, &v))
				bad = "--resample-quality wants 0..10";
			o->resample_quality = (int)v;
			break;
		case OPT_OUT_TYPE:
			if (parse_type(optarg, &o->out.type))
				bad = "--out-type wants raw or wav";
			break;
		case OPT_OUT_ENC:
			if (parse_enc(optarg, &o->out.enc))
				bad = "--out-encoding wants signed-integer, unsigned-integer or float";
			break;
		case OPT_OUT_BITS:
			if (parse_long(optarg, 8, 64, &v) || v % 8)
				bad = "--out-bits wants 8, 16, 24, 32 or 64";
			o->out.bits = (int)v;
			break;
		case OPT_OUT_RATE:
			if (parse_long(optarg, 1000, 768000, &v))
				bad = "--out-rate wants 1000..768000 Hz";
			o->out.rate_hz = (int)v;
			break;
		case OPT_SKIP: o->skip_existing = 1; break;
		case OPT_TREE: o->tree_root = optarg; break;
		case OPT_STATS: o->stats = 1; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_MODEL_INFO: o->model_info = optarg; break;
		case ':':
			msg("option %s needs a value (see gtcrn-run --help)", argv[optind - 1]);
			return RC_USAGE;
		default:
			msg("unknown option %s (see gtcrn-run --help)", argv[optind - 1]);
			return RC_USAGE;
		}
		if (bad) {
			msg("%s, not '%s'", bad, optarg);
			return RC_USAGE;
		}
	}
	if (o->model_info) {
		if (optind != argc) {
			msg("--model-info takes only the model");
			return RC_USAGE;
		}
		return -1;
	}
	first = optind;
	if (!o->model) {
		/* the first operand when it names a model; else $GTCRN_MODEL, else
		 * the installed default */
		int n = argc - first;
		const char *env = getenv("GTCRN_MODEL");
		if (n && (ends_with(argv[first], ".onnx") || (!o->out_dir && n == 3))) {
			o->model = argv[first++];
		} else {
			/* a $GTCRN_MODEL that does not load is a model error, later */
			o->model = gtcrn_default_model_path();
			if (!(env && *env) && access(o->model, F_OK)) {
				msg("no model: give MODEL.onnx or -m MODEL, set GTCRN_MODEL, or install "
				    "a default with `make install-model MODEL=FILE` (%s: %s)", o->model,
				    strerror(errno));
				return RC_USAGE;
			}
		}
	}
	if (o->offline && o->stream) {
		msg("--offline and --stream exclude each other");
		return RC_USAGE;
	}
	o->inputs = argv + first;
	o->n_inputs = argc - first;
	if (o->out_dir) {
		if (o->n_inputs < 1) {
			msg("-o DIR needs at least one input");
			return RC_USAGE;
		}
		for (int i = 0; i < o->n_inputs; i++)
			if (!strcmp(o->inputs[i], "-")) {
				msg("stdin ('-') cannot be part of a batch (-o DIR)");
				return RC_USAGE;
			}
	} else {
		if (o->n_inputs > 2) {
			msg("%d operands after the model: several inputs need -o DIR", o->n_inputs);
			return RC_USAGE;
		}
		if (o->n_inputs < 2) {
			msg("missing %s (usage: gtcrn-run [options] MODEL.onnx IN OUT)",
			    o->n_inputs ? "OUT" : "IN and OUT");
			return RC_USAGE;
		}
		o->output = o->inputs[1];
		o->n_inputs = 1;
	}
	return -1;
}

/* --- model ------------------------------------------------------------ */

static int load_model(const char *path, gtcrn_model **m, gtcrn_model_info *info)
{
	char err[ERR_LEN];
	int rc;

	err[0] = 0;
	rc = gtcrn_model_load(path, m, err, sizeof(err));
	if (rc) {
		const char *why = err[0] ? err : gtcrn_strerror(rc);
		size_t k = strlen(path);
		if (!strncmp(why, path, k) && !strncmp(why + k, ": ", 2))   /* named already */
			why += k + 2;
		msg("%s: cannot load the model: %s", path, why);
		return RC_MODEL;
	}
	gtcrn_model_info_get(*m, info);
	/* plan the network once now, so that a model the runtime cannot run
	 * fails here, before any input is touched */
	if (info->kind == GTCRN_STREAMING) {
		gtcrn_state *s = NULL;
		rc = gtcrn_state_create(*m, NULL, &s, err, sizeof(err));
		gtcrn_state_free(s);
	} else {
		size_t bytes;
		rc = gtcrn_offline_bytes(*m, NULL, (size_t)info->sample_rate, &bytes, err, sizeof(err));
	}
	if (rc) {
		msg("%s: %s", path, err);
		gtcrn_model_free(*m);
		*m = NULL;
		return RC_MODEL;
	}
	return RC_OK;
}

static void print_shape(const grt_value *v, const char *const *names)
{
	printf("%s (", grt_dtype_name(v->dtype));
	for (int d = 0; d < v->ndim; d++) {
		if (v->dims[d] >= 0)
			printf("%s%lld", d ? ", " : "", (long long)v->dims[d]);
		else
			printf("%s%s", d ? ", " : "", names[d] ? names[d] : "?");
	}
	printf(")");
}

static int model_info(const char *path)
{
	gtcrn_model *m = NULL;
	gtcrn_model_info in;
	const grt_model *g;
	grt_value vals[64];
	grt_session_opts so = { NULL, 0, GRT_SESSION_PLAN_ONLY, 0, 0 };
	grt_session *s = NULL;
	grt_session_stats st;
	char err[ERR_LEN];
	int rc, n_in, n_out;

	if ((rc = load_model(path, &m, &in)))
		return rc;
	g = gtcrn_model_graph(m);
	n_in = grt_model_n_inputs(g);
	n_out = grt_model_n_outputs(g);
	printf("model: %s\n", path);
	if (in.kind == GTCRN_STREAMING)
		printf("kind: streaming (one STFT frame per run, %d caches fed back)\n", in.n_caches);
	else
		printf("kind: offline (all STFT frames in one run, dynamic time axis)\n");
	printf("sample rate: %d Hz\n", in.sample_rate);
	printf("stft: n_fft %d, hop %d, window %d %s, %d bins\n", in.n_fft, in.hop_length,
	       in.window_length, in.window_type, in.n_bins);
	if (in.kind == GTCRN_STREAMING)
		printf("latency: %zu samples (%.1f ms) at %d Hz\n", in.latency,
		       1000.0 * (double)in.latency / in.sample_rate, in.sample_rate);
	else
		printf("latency: whole file (offline)\n");
	printf("opset: %d\nir version: %lld\n", grt_model_opset(g),
	       (long long)grt_model_ir_version(g));
	for (int io = 0; io < 2; io++) {
		int n = io ? n_out : n_in;
		printf("%s:\n", io ? "outputs" : "inputs");
		for (int i = 0; i < n; i++) {
			const char *name, *names[GRT_MAX_DIMS];
			grt_value v;
			if (io)
				grt_model_output(g, i, &name, &v, names);
			else
				grt_model_input(g, i, &name, &v, names);
			printf("  %s: ", name);
			print_shape(&v, names);
			if (!strcmp(name, io ? in.spec_output : in.spec_input))
				printf("  [spectrum]");
			printf("\n");
		}
	}
	for (int i = 0; i < in.n_caches; i++) {
		const char *ci, *co;
		if (!gtcrn_model_cache(m, i, &ci, &co))
			printf("cache %d: %s <- %s\n", i, ci, co);
	}
	/* a plan for the declared shapes; offline: T = 100 frames */
	if (in.kind == GTCRN_OFFLINE) {
		if (n_in > (int)(sizeof(vals) / sizeof(vals[0]))) {
			msg("%s: %d inputs", path, n_in);
			gtcrn_model_free(m);
			return RC_MODEL;
		}
		for (int i = 0; i < n_in; i++) {
			const char *name;
			grt_model_input(g, i, &name, &vals[i], NULL);
			for (int d = 0; d < vals[i].ndim; d++)
				if (vals[i].dims[d] < 0)
					vals[i].dims[d] = !strcmp(name, in.spec_input) && d == 2 ? 100 : 1;
			vals[i].data = NULL;
		}
		so.inputs = vals;
		so.n_inputs = n_in;
	}
	rc = grt_session_create(g, &so, &s, err, sizeof(err));
	if (rc) {
		msg("%s: cannot plan the model: %s", path, err);
		gtcrn_model_free(m);
		return RC_MODEL;
	}
	grt_session_stats_get(s, &st);
	printf("nodes: %d in the file; after constant folding %d to run (%d folded, %d dead)\n",
	       st.n_nodes_model, st.n_nodes_planned, st.n_nodes_folded, st.n_nodes_dead);
	printf("arena: %zu bytes, scratch %zu bytes, constants %zu bytes%s\n", st.arena_bytes,
	       st.scratch_bytes, st.const_bytes,
	       in.kind == GTCRN_OFFLINE ? " (planned for T = 100 frames; grows with T)" : "");
	grt_session_free(s);
	printf("metadata:%s\n", grt_model_n_metadata(g) ? "" : " none");
	for (int i = 0; i < grt_model_n_metadata(g); i++) {
		const char *k, *v;
		if (!grt_model_metadata_at(g, i, &k, &v))
			printf("  %s = %s\n", k, v);
	}
	gtcrn_model_free(m);
	if (fflush(stdout) || ferror(stdout)) {
		msg("stdout: write failed: %s", strerror(errno));
		return RC_OUTPUT;
	}
	return RC_OK;
}

/* --- progress bar ----------------------------------------------------- */

static void progress_update(struct progress *p, long long add)
{
	double t = now_s();
	int pct, width = 30, fill;
	char bar[32];

	p->done += add;
	if (!p->on || (t - p->last_s < 0.1 && p->done < p->total))
		return;
	p->last_s = t;
	pct = p->total ? (int)(100 * p->done / p->total) : 100;
	fill = pct * width / 100;
	memset(bar, '#', (size_t)fill);
	memset(bar + fill, '-', (size_t)(width - fill));
	bar[width] = 0;
	fprintf(stderr, "\rgtcrn-run: %s [%s] %3d%%", p->label, bar, pct);
}

static void progress_end(struct progress *p)
{
	if (p->on)
		fprintf(stderr, "\r\033[K");
}

/* --- per-frame timing ------------------------------------------------- */

/* Run times in constant memory whatever the file's length: each state writes
 * its runs into a ring (gtcrn_record_frame_times) that is drained after every
 * block into one histogram of log-spaced buckets, 1% apart, from 100 ns to
 * about 10 s; the median and p99 are read from it (to within 1%). */
#define HIST_LO 100.0            /* ns, lower edge of bucket 0 */
#define HIST_STEP 1.01
#define HIST_N 1852              /* HIST_LO * HIST_STEP^HIST_N ~ 1e10 ns */

struct frame_times {
	size_t ring_len;              /* runs each ring holds: more than a block or the flush makes */
	unsigned long *ring;          /* [channels][ring_len] */
	unsigned long *drained;       /* [channels] runs already in the histogram */
	unsigned long long hist[HIST_N];
	unsigned long long n;
};

static int times_init(struct frame_times *ft, gtcrn_aligned *a, int channels, size_t ring_len)
{
	memset(ft->hist, 0, sizeof(ft->hist));
	ft->n = 0;
	ft->ring_len = ring_len;
	ft->ring = malloc((size_t)channels * ring_len * sizeof(unsigned long));
	ft->drained = calloc((size_t)channels, sizeof(unsigned long));
	if (!ft->ring || !ft->drained)
		return -1;
	for (int c = 0; c < channels; c++)
		gtcrn_record_frame_times(gtcrn_aligned_state(a, c), ft->ring + (size_t)c * ring_len,
		                         ring_len);
	return 0;
}

/* Moves the runs made since the last call into the histogram (at most
 * ring_len per channel between calls). */
static void times_drain(struct frame_times *ft, gtcrn_aligned *a, int channels)
{
	for (int c = 0; c < channels; c++) {
		const unsigned long *r = ft->ring + (size_t)c * ft->ring_len;
		unsigned long end = gtcrn_frames(gtcrn_aligned_state(a, c));
		for (unsigned long i = ft->drained[c]; i < end; i++) {
			double v = (double)r[i % ft->ring_len];
			long k = v > HIST_LO ? (long)(log(v / HIST_LO) / log(HIST_STEP)) : 0;
			ft->hist[k < HIST_N ? k : HIST_N - 1]++;
			ft->n++;
		}
		ft->drained[c] = end;
	}
}

/* The q-quantile in ms: the geometric middle of the bucket that holds it. */
static double times_quantile(const struct frame_times *ft, double q)
{
	unsigned long long want = (unsigned long long)ceil(q * (double)ft->n), seen = 0;
	int k = 0;

	if (!want)
		want = 1;
	for (; k < HIST_N - 1; k++)
		if ((seen += ft->hist[k]) >= want)
			break;
	return HIST_LO * pow(HIST_STEP, k + 0.5) * 1e-6;
}

static void times_free(struct frame_times *ft)
{
	free(ft->ring);
	free(ft->drained);
}

/* --- enhancing one file ----------------------------------------------- */

static int lib_rc(int status)
{
	return status == GTCRN_E_BUDGET || status == GRT_E_ARG ? RC_INPUT : RC_PROCESS;
}

static int open_output(const char *path, const struct audio_format *fo, int in_rate,
                       struct audio_out **w)
{
	char err[ERR_LEN];
	int rc = audio_out_open(path, fo, in_rate, w, err, sizeof(err));

	if (rc)
		msg("%s", err);
	return rc;
}

static int write_output(struct audio_out *w, const float *x, size_t n)
{
	char err[ERR_LEN];
	int rc = audio_out_write(w, x, n, err, sizeof(err));

	if (rc)
		msg("%s", err);
	return rc;
}

/* Commits the output after success, else drops it. */
static int finish_output(struct audio_out *w, int rc)
{
	char err[ERR_LEN];

	if (!w)
		return rc;
	if (rc) {
		audio_out_abort(w);
		return rc;
	}
	if ((rc = audio_out_commit(w, err, sizeof(err))))
		msg("%s", err);
	return rc;
}

/* Warnings for a channel's inputs and network outputs that were not finite. */
static void warn_nonfinite(const gtcrn_state *st, int ch, const char *label)
{
	unsigned long bad_samples, bad_frames;

	gtcrn_nonfinite(st, &bad_samples, &bad_frames);
	if (bad_samples)
		msg("%s: warning: channel %d: %lu input samples were NaN, infinite or beyond "
		    "+-1e4: counted as 0 or limited", label, ch, bad_samples);
	if (bad_frames)
		msg("%s: warning: channel %d: the network gave non-finite values in %lu frames: "
		    "muted, and its state reset", label, ch, bad_frames);
}

static int stream_file(struct run_ctx *c, struct audio_in *in, const struct audio_format *fi,
                       const char *out_path, const struct audio_format *fo,
                       const char *label, struct file_stats *fs, struct progress *pg)
{
	const int C = fi->channels;
	const size_t B = BLOCK_FRAMES;
	const int timed = c->o->stats || c->o->json;
	gtcrn_opts opts = c->opts;
	gtcrn_aligned *a = NULL;
	struct frame_times *ft = timed ? malloc(sizeof(*ft)) : NULL;
	struct audio_out *w = NULL;
	float *inter = NULL;
	char err[ERR_LEN];
	size_t lat, per_block, got;
	long n;
	int rc = RC_OK;

	if (ft) {
		ft->ring = NULL;
		ft->drained = NULL;
	}
	if (timed && !ft) {
		msg("%s: out of memory", label);
		rc = RC_PROCESS;
		goto out;
	}
	opts.sample_rate = fi->rate_hz;
	if ((rc = gtcrn_aligned_create(c->m, &opts, C, &a, err, sizeof(err)))) {
		msg("%s: %s", label, err);
		rc = lib_rc(rc);
		goto out;
	}
	lat = gtcrn_latency(gtcrn_aligned_state(a, 0));
	/* a block, or the tail (at most lat frames) */
	inter = malloc((B > lat ? B : lat + 1) * (size_t)C * sizeof(float));
	if (!inter) {
		msg("%s: out of memory", label);
		rc = RC_PROCESS;
		goto out;
	}
	/* runs per block at most, with margin for the resamplers */
	per_block = (size_t)ceil((double)B * c->info.sample_rate / fi->rate_hz / c->info.hop_length)
	            + 8;
	if (ft && times_init(ft, a, C, per_block * (lat / B + 2))) {
		msg("%s: out of memory", label);
		rc = RC_PROCESS;
		goto out;
	}
	if ((n = audio_in_read(in, inter, B, err, sizeof(err))) <= 0) {
		if (n < 0)
			msg("%s", err);
		else
			msg("%s: no audio (0 frames)", label);
		rc = RC_INPUT;
		goto out;
	}
	if ((rc = open_output(out_path, fo, fi->rate_hz, &w)))
		goto out;
	while (n > 0) {
		if ((rc = gtcrn_aligned_process(a, inter, (size_t)n, inter, &got))) {
			msg("%s: %s", label, gtcrn_aligned_errmsg(a));
			rc = lib_rc(rc);
			goto out;
		}
		if (ft)
			times_drain(ft, a, C);
		fs->frames += n;
		if ((rc = write_output(w, inter, got)))
			goto out;
		progress_update(pg, (long long)n);
		n = audio_in_read(in, inter, B, err, sizeof(err));
	}
	if (n < 0) {
		msg("%s", err);
		rc = RC_INPUT;
		goto out;
	}
	if ((rc = gtcrn_aligned_flush(a, inter, &got))) {
		msg("%s: %s", label, gtcrn_aligned_errmsg(a));
		rc = lib_rc(rc);
		goto out;
	}
	rc = write_output(w, inter, got);
	for (int ch = 0; ch < C; ch++) {
		fs->net_frames += gtcrn_frames(gtcrn_aligned_state(a, ch));
		warn_nonfinite(gtcrn_aligned_state(a, ch), ch, label);
	}
	if (ft) {
		times_drain(ft, a, C);
		if (ft->n) {
			fs->median_ms = times_quantile(ft, 0.5);
			fs->p99_ms = times_quantile(ft, 0.99);
		}
	}
out:
	rc = finish_output(w, rc);
	gtcrn_aligned_free(a);
	if (ft) {
		times_free(ft);
		free(ft);
	}
	free(inter);
	return rc;
}

static int offline_file(struct run_ctx *c, struct audio_in *in, const struct audio_format *fi,
                        const char *out_path, const struct audio_format *fo,
                        const char *label, struct file_stats *fs, struct progress *pg)
{
	const int C = fi->channels;
	gtcrn_opts opts = c->opts;
	struct audio_out *w = NULL;
	size_t cap = fi->frames > 0 ? (size_t)fi->frames : 65536, n = 0;
	float *all = malloc(cap * (size_t)C * sizeof(float)), *x = NULL, *y = NULL;
	char err[ERR_LEN];
	long got;
	int rc = RC_OK;

	if (!all) {
		msg("%s: out of memory (%zu frames)", label, cap);
		return RC_PROCESS;
	}
	for (;;) {
		if (n == cap) {
			float *na = realloc(all, 2 * cap * (size_t)C * sizeof(float));
			if (!na) {
				msg("%s: out of memory (%zu frames)", label, 2 * cap);
				rc = RC_PROCESS;
				goto out;
			}
			all = na;
			cap *= 2;
		}
		got = audio_in_read(in, all + n * (size_t)C, cap - n, err, sizeof(err));
		if (got < 0) {
			msg("%s", err);
			rc = RC_INPUT;
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n == 0) {
		msg("%s: no audio (0 frames)", label);
		rc = RC_INPUT;
		goto out;
	}
	fs->frames = (long long)n;
	pg->total = (long long)n * C;
	x = malloc(n * sizeof(float));
	y = malloc(n * sizeof(float));
	if (!x || !y) {
		msg("%s: out of memory (%zu frames)", label, n);
		rc = RC_PROCESS;
		goto out;
	}
	opts.sample_rate = fi->rate_hz;
	for (int ch = 0; ch < C; ch++) {
		for (size_t i = 0; i < n; i++)
			x[i] = all[i * (size_t)C + (size_t)ch];
		if ((rc = gtcrn_enhance(c->m, &opts, x, y, n, err, sizeof(err)))) {
			msg("%s: %s", label, err);
			rc = lib_rc(rc);
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			all[i * (size_t)C + (size_t)ch] = y[i];
		progress_update(pg, (long long)n);
	}
	/* STFT frames of one run: 1 + samples at the model's rate / hop */
	fs->net_frames = (unsigned long)C * (1 + (unsigned long)llround((double)n *
	                 c->info.sample_rate / fi->rate_hz) / (unsigned long)c->info.hop_length);
	if ((rc = open_output(out_path, fo, fi->rate_hz, &w)))
		goto out;
	rc = write_output(w, all, n);
out:
	rc = finish_output(w, rc);
	free(all);
	free(x);
	free(y);
	return rc;
}

static int run_file(struct run_ctx *c, const char *in_path, const char *out_path,
                    struct file_stats *fs)
{
	const struct options *o = c->o;
	const char *label = strcmp(in_path, "-") ? in_path : "stdin";
	struct audio_in *in = NULL;
	struct audio_out_opts oo = o->out;
	struct audio_format hint = o->in_hint, fo;
	const struct audio_format *fi;
	struct progress pg = { 0 };
	struct stat st;
	char err[ERR_LEN];
	double t0 = now_s();
	int rc, stream;

	memset(fs, 0, sizeof(*fs));
	fs->median_ms = fs->p99_ms = -1;
	if (o->skip_existing && !stat(out_path, &st) && S_ISREG(st.st_mode)) {
		if (!o->quiet)
			msg("%s exists, skipped (--skip-existing)", out_path);
		fs->skipped = 1;
		return RC_OK;
	}
	if ((rc = audio_out_check(out_path, in_path, o->model, &o->out, err, sizeof(err)))) {
		msg("%s", err);
		return rc;
	}
	hint.enc = o->enc;
	hint.bits = o->bits;
	if ((rc = audio_in_open(in_path, &hint, &in, err, sizeof(err)))) {
		msg("%s", err);
		return rc;
	}
	fi = audio_in_format(in);
	if (fi->frames == 0) {
		msg("%s: no audio (0 frames)", label);
		audio_in_close(in);
		return RC_INPUT;
	}
	if (fi->type != AUDIO_RAW) {      /* -e/-b name the output's encoding then */
		if (!oo.enc)
			oo.enc = o->enc;
		if (!oo.bits)
			oo.bits = o->bits;
	}
	if ((rc = audio_out_format(out_path, fi, &oo, &fo, err, sizeof(err)))) {
		msg("%s", err);
		audio_in_close(in);
		return rc;
	}
	stream = c->info.kind == GTCRN_STREAMING && !o->offline;
	fs->rate_hz = fi->rate_hz;
	fs->channels = fi->channels;
	fs->mode = stream ? "streaming" : "offline";
	pg.on = c->progress && fi->frames > 0;
	pg.total = fi->frames;
	pg.label = label;
	if (stream)
		rc = stream_file(c, in, fi, out_path, &fo, label, fs, &pg);
	else
		rc = offline_file(c, in, fi, out_path, &fo, label, fs, &pg);
	progress_end(&pg);
	audio_in_close(in);
	fs->wall_s = now_s() - t0;
	return rc;
}

/* --- reporting -------------------------------------------------------- */

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* --stats: a line on stderr per file enhanced. --json: one line per input,
 * whatever became of it: {"status":"ok", ...figures} or "skipped" (the
 * output existed) or "failed" with the exit status and the message. */
static void report(const struct run_ctx *c, const char *in, const char *out,
                   const struct file_stats *fs, int rc, const char *error)
{
	double audio_s = fs->rate_hz ? (double)fs->frames / fs->rate_hz : 0;
	double rtf = audio_s > 0 ? fs->wall_s / audio_s : 0;
	FILE *f = strcmp(out, "-") ? stdout : stderr;

	if (c->o->stats && !rc && !fs->skipped) {
		char per[128];
		if (fs->median_ms >= 0)
			snprintf(per, sizeof(per), "per frame median %.3f ms, p99 %.3f ms", fs->median_ms,
			         fs->p99_ms);
		else
			snprintf(per, sizeof(per), "per-frame times not measured (offline run)");
		msg("%s: %.3f s of audio (%d Hz, %d ch) in %.3f s, RTF %.4f (%.1fx real time), "
		    "%s, %lu frames, %s", in, audio_s, fs->rate_hz, fs->channels, fs->wall_s, rtf,
		    rtf > 0 ? 1 / rtf : 0.0, fs->mode, fs->net_frames, per);
	}
	if (!c->o->json)
		return;
	fprintf(f, "{\"status\":\"%s\",\"input\":", rc ? "failed" : fs->skipped ? "skipped" : "ok");
	json_string(f, in);
	fprintf(f, ",\"output\":");
	json_string(f, out);
	if (rc) {
		fprintf(f, ",\"exit\":%d,\"error\":", rc);
		json_string(f, error);
		fprintf(f, "}\n");
	} else if (fs->skipped) {
		fprintf(f, "}\n");
	} else {
		fprintf(f, ",\"mode\":\"%s\",\"sample_rate\":%d,\"channels\":%d,\"samples\":%lld,"
		        "\"audio_s\":%.6f,\"wall_s\":%.6f,\"rtf\":%.6f,\"frames\":%lu,", fs->mode,
		        fs->rate_hz, fs->channels, fs->frames, audio_s, fs->wall_s, rtf,
		        fs->net_frames);
		if (fs->median_ms >= 0)
			fprintf(f, "\"frame_median_ms\":%.6f,\"frame_p99_ms\":%.6f}\n", fs->median_ms,
			        fs->p99_ms);
		else
			fprintf(f, "\"frame_median_ms\":null,\"frame_p99_ms\":null}\n");
	}
	fflush(f);
}

static void *worker(void *arg)
{
	struct run_ctx *c = arg;

	for (;;) {
		struct file_stats fs;
		int i, rc;
		pthread_mutex_lock(&c->lock);
		i = c->next++;
		pthread_mutex_unlock(&c->lock);
		if (i >= c->o->n_inputs)
			break;
		last_msg[0] = 0;
		rc = run_file(c, c->o->inputs[i], c->outputs[i], &fs);
		pthread_mutex_lock(&c->lock);
		c->rc[i] = rc;
		report(c, c->o->inputs[i], c->outputs[i], &fs, rc, last_msg);
		pthread_mutex_unlock(&c->lock);
	}
	return NULL;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The name an input gets under DIR: its path below --keep-tree ROOT, else
 * its base name; NULL when it has none (outside ROOT, climbing out with
 * "..", a folder). */
static const char *out_name(const struct options *o, const char *in)
{
	const char *r = base_name(in);

	if (o->tree_root) {
		size_t n = strlen(o->tree_root);
		while (n > 0 && o->tree_root[n - 1] == '/')
			n--;
		if (strncmp(in, o->tree_root, n) || in[n] != '/')
			return NULL;
		for (r = in + n; *r == '/'; r++)
			;
		for (const char *p = r;;) {      /* no ".." component */
			if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || !p[2]))
				return NULL;
			if (!(p = strchr(p, '/')))
				break;
			p++;
		}
	}
	return *r && r[strlen(r) - 1] != '/' ? r : NULL;
}

/* mkdir -p for the folders above path */
static int make_parents(char *path)
{
	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = 0;
		int bad = mkdir(path, 0777) && errno != EEXIST;
		*p = '/';
		if (bad)
			return -1;
	}
	return 0;
}

/* Batch: DIR/<name> for each input (out_name), refusing two inputs of one
 * output. */
static int batch_outputs(const struct options *o, char ***outs)
{
	char **out = calloc((size_t)o->n_inputs, sizeof(char *));
	char **sorted = malloc((size_t)o->n_inputs * sizeof(char *));
	size_t dir_len = strlen(o->out_dir);
	struct stat st;
	int rc = RC_OK;

	while (dir_len > 0 && o->out_dir[dir_len - 1] == '/')   /* "/" -> "", then "/name" */
		dir_len--;
	if (!out || !sorted) {
		msg("out of memory");
		rc = RC_PROCESS;
		goto out;
	}
	if (stat(o->out_dir, &st) || !S_ISDIR(st.st_mode)) {
		msg("%s: not a folder (-o DIR must exist)", o->out_dir);
		rc = RC_OUTPUT;
		goto out;
	}
	for (int i = 0; i < o->n_inputs; i++) {
		const char *b = out_name(o, o->inputs[i]);
		size_t len;
		if (!b) {
			if (o->tree_root)
				msg("%s: not a file below --keep-tree %s", o->inputs[i], o->tree_root);
			else
				msg("%s: not a file name", o->inputs[i]);
			rc = RC_USAGE;
			goto out;
		}
		len = dir_len + strlen(b) + 2;
		if (!(out[i] = malloc(len))) {
			msg("out of memory");
			rc = RC_PROCESS;
			goto out;
		}
		/* one '/' between DIR and the name, however DIR ends */
		snprintf(out[i], len, "%.*s/%s", (int)dir_len, o->out_dir, b);
	}
	memcpy(sorted, out, (size_t)o->n_inputs * sizeof(char *));
	qsort(sorted, (size_t)o->n_inputs, sizeof(char *), cmp_str);
	for (int i = 1; i < o->n_inputs; i++)
		if (!strcmp(sorted[i - 1], sorted[i])) {
			int a = -1, b = -1;
			for (int k = 0; k < o->n_inputs; k++)
				if (!strcmp(out[k], sorted[i]))
					a < 0 ? (a = k) : (b = k);
			msg("%s and %s would both be written to %s%s", o->inputs[a], o->inputs[b],
			    sorted[i], o->tree_root ? "" : " (--keep-tree ROOT keeps their folders)");
			rc = RC_USAGE;
			goto out;
		}
	for (int i = 0; o->tree_root && i < o->n_inputs; i++)
		if (make_parents(out[i])) {
			msg("%s: cannot make its folder: %s", out[i], strerror(errno));
			rc = RC_OUTPUT;
			goto out;
		}
out:
	free(sorted);
	if (rc && out) {
		for (int i = 0; i < o->n_inputs; i++)
			free(out[i]);
		free(out);
		out = NULL;
	}
	*outs = out;
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct run_ctx c = { 0 };
	struct sigaction sa = { 0 };
	gtcrn_model *m = NULL;
	char *single_out[1];
	pthread_t threads[MAX_JOBS];
	int rc, n_threads, failed = 0;

	if ((rc = parse_args(argc, argv, &o)) >= 0)
		return rc;
#ifdef __GLIBC__
	/* Loading and planning free large blocks again (the file's bytes, index
	 * tensors widened for one node): a fixed threshold sends blocks from
	 * 128 KiB to their own mappings, which go back to the system when freed.
	 * Left to itself, glibc raises the threshold after the first such free and
	 * later blocks stay in the heap, resident (150 KiB of peak RSS). */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_TRIM_THRESHOLD, 128 * 1024);
#endif
	audio_io_init();
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);           /* a closed pipe is a write error (exit 4) */
	signal(SIGXFSZ, SIG_IGN);           /* so is the file size limit (EFBIG) */
	if (o.model_info)
		return model_info(o.model_info);
	if ((rc = load_model(o.model, &m, &c.info)))
		return rc;
	if (o.stream && c.info.kind != GTCRN_STREAMING) {
		msg("%s is an offline export (dynamic time axis): it cannot stream; drop --stream "
		    "or use a streaming export", o.model);
		gtcrn_model_free(m);
		return RC_USAGE;
	}
	c.o = &o;
	c.m = m;
	gtcrn_opts_init(&c.opts);
	c.opts.mix = o.mix;
	c.opts.atten_lim_db = o.atten_lim_db;
	c.opts.mem_budget = o.mem_budget;
	c.opts.resample_quality = o.resample_quality;
	pthread_mutex_init(&c.lock, NULL);
	c.rc = calloc((size_t)o.n_inputs, sizeof(int));
	if (!c.rc) {
		msg("out of memory");
		gtcrn_model_free(m);
		return RC_PROCESS;
	}
	if (o.out_dir) {
		if ((rc = batch_outputs(&o, &c.outputs))) {
			free(c.rc);
			gtcrn_model_free(m);
			return rc;
		}
	} else {
		single_out[0] = (char *)o.output;
		c.outputs = single_out;
	}
	n_threads = o.jobs < o.n_inputs ? o.jobs : o.n_inputs;
	c.progress = n_threads == 1 && !o.quiet && isatty(STDERR_FILENO);
	for (int t = 1; t < n_threads; t++)
		if (pthread_create(&threads[t], NULL, worker, &c)) {
			n_threads = t;
			break;
		}
	worker(&c);
	for (int t = 1; t < n_threads; t++)
		pthread_join(threads[t], NULL);
	rc = RC_OK;
	for (int i = 0; i < o.n_inputs; i++)
		if (c.rc[i]) {
			if (!rc)
				rc = c.rc[i];
			failed++;
		}
	if (o.out_dir && failed && o.n_inputs > 1)
		msg("%d of %d files failed", failed, o.n_inputs);
	if (o.out_dir) {
		for (int i = 0; i < o.n_inputs; i++)
			free(c.outputs[i]);
		free(c.outputs);
	}
	free(c.rc);
	pthread_mutex_destroy(&c.lock);
	gtcrn_model_free(m);
	if (fflush(stdout) && !rc) {
		msg("stdout: write failed: %s", strerror(errno));
		rc = RC_OUTPUT;
	}
	return rc;
}

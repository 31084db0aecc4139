/* cli_options.c - gtcrn-run's usage text and command line: options, then
 * the operands (the model among them, the inputs, the output). */
#define _GNU_SOURCE
#include "config.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tools/cli.h"

static float gate_default_db(void)
{
	gtcrn_gate_opts g;

	gtcrn_gate_opts_init(&g);
	return g.depth_db;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: gtcrn-run [options] [MODEL.onnx] IN OUT\n"
"       gtcrn-run [options] [-m MODEL.onnx] -o DIR IN...\n"
"       gtcrn-run --model-info MODEL.onnx\n"
"       gtcrn-run --score-only|--vad-only [options] IN...\n"
"Enhances speech with a GTCRN ONNX model. IN and OUT are audio files (WAV, FLAC, Ogg,\n"
"AIFF... through libsndfile; .raw/.pcm = raw PCM) or '-' for stdin/stdout (WAV or raw\n"
"PCM, streamed as it arrives). OUT keeps IN's rate, channels, type and sample format\n"
"unless told otherwise, has IN's length, and appears only when complete.\n"
"\n"
"Model and mode:\n"
"  -m, --model FILE        the model; else the first operand when it ends in .onnx or\n"
"                          is the first of three; else the one .onnx operand that is a\n"
"                          readable file, wherever it stands (IN OUT MODEL.onnx);\n"
"                          else $GTCRN_MODEL; else the default that\n"
"                          `make install-model` installs:\n"
"                          %s\n"
"      --stream            run block by block (default for streaming models)\n"
"      --offline           run over the whole file at once (default for offline models)\n"
"      --mix WET           wet fraction 0..1 (default 1: enhanced signal only)\n"
"      --atten-lim DB      reduce the noise by at most DB dB (default: no limit)\n"
"      --mem-budget MIB    memory allowed to an offline run (default 512)\n"
"      --resample-quality Q  0 (fastest) .. 10 (best) for rates other than the\n"
"                          model's and --out-rate (default 8; speexdsp; more =\n"
"                          longer delay)\n"
"Speech (models: Silero VAD v4/v5, DNSMOS P.835 sig_bak_ovr.onnx):\n"
"      --vad-model FILE    the VAD model; else $GTCRN_VAD_MODEL; else\n"
"                          %s\n"
"      --dnsmos-model FILE the DNSMOS model; else $GTCRN_DNSMOS_MODEL; else\n"
"                          %s\n"
"      --vad-gate[=DB]     attenuate the output by DB dB where the VAD finds no\n"
"                          speech (default %g), with ramps and a hangover\n"
"      --segments FILE     write the speech segments of each enhanced output to FILE:\n"
"                          one JSON line per input, \"segments\": [[start_s, end_s], ...]\n"
"      --score             DNSMOS (SIG, BAK, OVRL) of input and output on the --stats\n"
"                          line and in --json\n"
"      --score-only        no enhancement: the DNSMOS scores of each IN, one line each\n"
"      --vad-only          no enhancement: the speech segments of each IN, one line each\n"
"                          (with --score-only: both); --json: one JSON object per line\n"
"      --vad-threshold P   speech starts at probability P (default 0.5) and ends\n"
"                          below P - 0.15,\n"
"      --vad-min-silence MS  held for MS ms (default 100);\n"
"      --vad-min-speech MS shorter segments are dropped (default 250);\n"
"      --vad-pad MS        segments are padded by MS ms on both sides (default 30)\n"
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
"      --out-rate HZ       resample the enhanced output to HZ (speexdsp, at\n"
"                          --resample-quality)\n"
"  -o, --output-dir DIR    batch: write DIR/<name of IN> for every IN (DIR is made);\n"
"                          every OUT is checked before the first IN is read\n"
"  -j, --jobs N            batch: enhance N files in parallel (default 1)\n"
"      --keep-tree ROOT    batch: write DIR/<IN's path below ROOT> (making the folders),\n"
"                          not DIR/<IN's name>: a tree keeps its shape and its names\n"
"                          (ROOT and IN's folder compared as absolute paths, as\n"
"                          written, then resolved)\n"
"      --skip-existing     leave outputs that already exist untouched\n"
"  -f, --force             replace a read-only output file (its mode is kept)\n"
"  OUT: a regular file is written to a temporary file in its folder and renamed\n"
"  into place when complete (through a symbolic link: the file it names); a\n"
"  device or FIFO (/dev/null, /dev/stdout) is written directly. Refused: the\n"
"  input or the model file, a .onnx name, a folder, a block device, an unknown\n"
"  extension (unless --out-type names the format).\n"
"Reporting:\n"
"  -q, --quiet             no progress bar or line, no notes (warnings still show)\n"
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
	GTCRN_DEFAULT_MODEL, GTCRN_DEFAULT_VAD_MODEL, GTCRN_DEFAULT_DNSMOS_MODEL,
	(double)gate_default_db());
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
	OPT_VAD_MODEL, OPT_DNSMOS_MODEL, OPT_GATE, OPT_SEGMENTS, OPT_SCORE, OPT_SCORE_ONLY,
	OPT_VAD_ONLY, OPT_VAD_THRESHOLD, OPT_VAD_SILENCE, OPT_VAD_SPEECH, OPT_VAD_PAD,
};

/* Returns -1 to go on, or an exit code. */
/* One option c with its value arg: stored in o, or *bad set to what the
 * value should be. Returns -1 to go on, or an exit code (--help,
 * --version). */
static int parse_option(int c, const char *arg, struct options *o, const char **bad)
{
	long v;
	double d;

	switch (c) {
	case 'm': o->model = arg; break;
	case 'o': o->out_dir = arg; break;
	case 'j':
		if (parse_long(arg, 1, MAX_JOBS, &v))
			*bad = "-j wants 1.." "64";
		o->jobs = (int)v;
		break;
	case 't':
		if (parse_type(arg, &o->in_hint.type))
			*bad = "-t wants raw or wav";
		break;
	case 'r':
		if (parse_long(arg, 1, 10000000, &v))
			*bad = "-r wants a sample rate in Hz";
		o->in_hint.rate_hz = (int)v;
		break;
	case 'c':
		if (parse_long(arg, 1, 1024, &v))
			*bad = "-c wants 1..1024 channels";
		o->in_hint.channels = (int)v;
		break;
	case 'e':
		if (parse_enc(arg, &o->enc))
			*bad = "-e wants signed-integer, unsigned-integer or float";
		break;
	case 'b':
		if (parse_long(arg, 8, 64, &v) || v % 8)
			*bad = "-b wants 8, 16, 24, 32 or 64";
		o->bits = (int)v;
		break;
	case 'q': o->quiet = 1; break;
	case 'f': o->out.force = 1; break;
	case 'h': usage(stdout); return RC_OK;
	case OPT_VERSION: printf("gtcrn-run %s\n", PACKAGE_VERSION); return RC_OK;
	case OPT_OFFLINE: o->offline = 1; break;
	case OPT_STREAM: o->stream = 1; break;
	case OPT_MIX:
		if (parse_double(arg, 0, 1, &d))
			*bad = "--mix wants a wet fraction 0..1";
		o->mix = (float)d;
		break;
	case OPT_ATTEN:
		if (parse_double(arg, 0, 1000, &d))
			*bad = "--atten-lim wants a number of dB >= 0";
		o->atten_lim_db = (float)d;
		break;
	case OPT_BUDGET:
		if (parse_double(arg, 1, 1 << 30, &d))
			*bad = "--mem-budget wants MiB >= 1";
		o->mem_budget = (size_t)(d * 1048576.0);
		break;
	case OPT_QUALITY:
		if (parse_long(arg, 0, 10, &v))
			*bad = "--resample-quality wants 0..10";
		o->resample_quality = (int)v;
		break;
	case OPT_OUT_TYPE:
		if (parse_type(arg, &o->out.type))
			*bad = "--out-type wants raw or wav";
		break;
	case OPT_OUT_ENC:
		if (parse_enc(arg, &o->out.enc))
			*bad = "--out-encoding wants signed-integer, unsigned-integer or float";
		break;
	case OPT_OUT_BITS:
		if (parse_long(arg, 8, 64, &v) || v % 8)
			*bad = "--out-bits wants 8, 16, 24, 32 or 64";
		o->out.bits = (int)v;
		break;
	case OPT_OUT_RATE:
		if (parse_long(arg, 1000, 768000, &v))
			*bad = "--out-rate wants 1000..768000 Hz";
		o->out.rate_hz = (int)v;
		break;
	case OPT_SKIP: o->skip_existing = 1; break;
	case OPT_TREE: o->tree_root = arg; break;
	case OPT_STATS: o->stats = 1; break;
	case OPT_JSON: o->json = 1; break;
	case OPT_MODEL_INFO: o->model_info = arg; break;
	case OPT_VAD_MODEL: o->vad_model = arg; break;
	case OPT_DNSMOS_MODEL: o->dnsmos_model = arg; break;
	case OPT_GATE:
		o->gate_db = gate_default_db();
		if (arg && parse_double(arg, 0, 200, &d))
			*bad = "--vad-gate wants a depth of 0..200 dB";
		else if (arg)
			o->gate_db = (float)d;
		break;
	case OPT_SEGMENTS: o->segments = arg; break;
	case OPT_SCORE: o->score = 1; break;
	case OPT_SCORE_ONLY: o->score_only = 1; break;
	case OPT_VAD_ONLY: o->vad_only = 1; break;
	case OPT_VAD_THRESHOLD:
		if (parse_double(arg, 0.01, 1, &d))
			*bad = "--vad-threshold wants a probability 0.01..1";
		o->vad.threshold = (float)d;
		o->vad.neg_threshold = -1.0f;   /* the library's threshold - 0.15 */
		break;
	case OPT_VAD_SILENCE:
	case OPT_VAD_SPEECH:
	case OPT_VAD_PAD:
		if (parse_double(arg, 0, 3600000, &d))
			*bad = "--vad-min-silence, --vad-min-speech and --vad-pad want ms >= 0";
		*(c == OPT_VAD_SILENCE ? &o->vad.min_silence_ms : c == OPT_VAD_SPEECH ?
		  &o->vad.min_speech_ms : &o->vad.speech_pad_ms) = (float)d;
		break;
	}
	return -1;
}

/* A model operand that is not first: the one operand ending in .onnx among
 * more operands than the mode needs (IN OUT and a third; -o DIR and two or
 * more), when it names a readable file. It is moved to argv[first], the
 * others keeping their order. Returns 1 when moved, 0 when there is none,
 * -1 after a message saying how to order the operands. */
static int model_elsewhere(int argc, char **argv, int first, const struct options *o)
{
	int n = argc - first, at = -1, count = 0;
	struct stat st;
	char *model;

	if (o->out_dir ? n < 2 : n != 3)
		return 0;
	for (int i = first + 1; i < argc; i++)
		if (ends_with(argv[i], ".onnx")) {
			count++;
			at = i;
		}
	if (!count)
		return 0;
	errno = 0;
	if (count > 1) {
		msg("%d operands end in .onnx: name the model with -m MODEL.onnx, or give it first "
		    "(gtcrn-run [options] MODEL.onnx IN OUT)", count);
		return -1;
	}
	if (stat(argv[at], &st) || access(argv[at], R_OK) || !S_ISREG(st.st_mode)) {
		msg("%s: %s: no model to load there (the model comes first or after -m: "
		    "gtcrn-run [options] [-m] MODEL.onnx IN OUT)", argv[at],
		    errno ? strerror(errno) : "not a file");
		return -1;
	}
	model = argv[at];
	memmove(argv + first + 1, argv + first, (size_t)(at - first) * sizeof(char *));
	argv[first] = model;
	return 1;
}

/* The model when -m named none: the first operand when it names a model
 * (ends in .onnx, or is the first of three without -o); else the one .onnx
 * operand elsewhere (model_elsewhere); else $GTCRN_MODEL, else the installed
 * default. Returns the index of the first input, or -1 after a message. */
static int operand_model(int argc, char **argv, int first, struct options *o)
{
	int n = argc - first, moved = 0;
	const char *env = getenv("GTCRN_MODEL");

	if (o->model)
		return first;
	if (!(n && ends_with(argv[first], ".onnx")) &&
	    (moved = model_elsewhere(argc, argv, first, o)) < 0)
		return -1;
	if (n && (moved || ends_with(argv[first], ".onnx") || (!o->out_dir && n == 3))) {
		o->model = argv[first++];
	} else {
		/* a $GTCRN_MODEL that does not load is a model error, later */
		o->model = gtcrn_default_model_path();
		if (!(env && *env) && access(o->model, F_OK)) {
			msg("no model: give MODEL.onnx or -m MODEL, set GTCRN_MODEL, or install "
			    "a default with `make install-model MODEL=FILE` (%s: %s)", o->model,
			    strerror(errno));
			return -1;
		}
	}
	return first;
}

/* Notes for batch options that one input makes pointless (-q: none). */
static void unused_notes(const struct options *o)
{
	if (o->quiet)
		return;
	if (o->jobs > 1 && o->n_inputs == 1)
		msg("note: -j %d has no effect on a single input", o->jobs);
	if (o->tree_root && !o->out_dir)
		msg("note: --keep-tree has no effect without -o DIR (a single IN OUT)");
}

/* The operands from argv[first]: [MODEL] IN OUT, or [MODEL] IN... with -o.
 * Returns -1 to go on, or an exit code. */
static int parse_operands(int argc, char **argv, int first, struct options *o)
{
	if ((first = operand_model(argc, argv, first, o)) < 0)
		return RC_USAGE;
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
	unused_notes(o);
	return -1;
}

/* --score-only / --vad-only: every operand is an input; options that make
 * or need an output are refused. Returns -1 to go on, or an exit code. */
static int analysis_operands(int argc, char **argv, int first, struct options *o)
{
	const char *what = o->score_only ? "--score-only" : "--vad-only";
	const char *clash = o->out_dir ? "-o" : o->segments ? "--segments" : o->gate_db >= 0 ?
	                    "--vad-gate" : o->score ? "--score" : o->model ? "-m" : NULL;

	if (clash) {
		msg("%s enhances nothing: %s has no use with it", what, clash);
		return RC_USAGE;
	}
	o->inputs = argv + first;
	o->n_inputs = argc - first;
	if (o->n_inputs < 1) {
		msg("%s needs at least one input (gtcrn-run %s [options] IN...)", what, what);
		return RC_USAGE;
	}
	for (int i = 0; i < o->n_inputs; i++)
		if (ends_with(o->inputs[i], ".onnx")) {
			msg("%s: %s takes audio files; name its model with --%s-model FILE",
			    o->inputs[i], what, o->score_only ? "dnsmos" : "vad");
			return RC_USAGE;
		}
	if (o->jobs > 1 && o->n_inputs == 1 && !o->quiet)
		msg("note: -j %d has no effect on a single input", o->jobs);
	return -1;
}

int parse_args(int argc, char **argv, struct options *o)
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
		{ "vad-model", required_argument, NULL, OPT_VAD_MODEL },
		{ "dnsmos-model", required_argument, NULL, OPT_DNSMOS_MODEL },
		{ "vad-gate", optional_argument, NULL, OPT_GATE },
		{ "segments", required_argument, NULL, OPT_SEGMENTS },
		{ "score", no_argument, NULL, OPT_SCORE },
		{ "score-only", no_argument, NULL, OPT_SCORE_ONLY },
		{ "vad-only", no_argument, NULL, OPT_VAD_ONLY },
		{ "vad-threshold", required_argument, NULL, OPT_VAD_THRESHOLD },
		{ "vad-min-silence", required_argument, NULL, OPT_VAD_SILENCE },
		{ "vad-min-speech", required_argument, NULL, OPT_VAD_SPEECH },
		{ "vad-pad", required_argument, NULL, OPT_VAD_PAD },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	o->jobs = 1;
	o->gate_db = -1.0f;
	gtcrn_vad_opts_init(&o->vad);
	o->mix = 1.0f;
	o->atten_lim_db = -1.0f;
	o->resample_quality = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:o:j:t:r:c:e:b:fqh", longs, NULL)) != -1) {
		const char *bad = NULL;
		if (c == ':') {
			msg("option %s needs a value (see gtcrn-run --help)", argv[optind - 1]);
			return RC_USAGE;
		}
		if (c == '?') {
			msg("unknown option %s (see gtcrn-run --help)", argv[optind - 1]);
			return RC_USAGE;
		}
		if ((rc = parse_option(c, optarg, o, &bad)) >= 0)
			return rc;
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
	if (!o->vad_model)
		o->vad_model = gtcrn_default_vad_model_path();
	if (!o->dnsmos_model)
		o->dnsmos_model = gtcrn_default_dnsmos_model_path();
	if (o->score_only || o->vad_only)
		return analysis_operands(argc, argv, optind, o);
	return parse_operands(argc, argv, optind, o);
}

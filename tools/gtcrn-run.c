/* gtcrn-run - enhance speech with any GTCRN ONNX export: one file, a batch of
 * files in parallel, or a pipe streamed with bounded delay; any sample rate
 * and channel count (one enhancement state per channel, one shared model).
 * Streaming models run block by block, offline models over the whole file.
 * Usage and exit codes: gtcrn-run --help. This file: main and one file's
 * enhancement; the other parts are listed in cli.h. */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tools/cli.h"

static void on_signal(int sig)
{
	(void)sig;
	audio_remove_temp_files();
	_exit(RC_SIGNAL);
}

/* --- enhancing one file ----------------------------------------------- */

static int lib_rc(int status)
{
	return status == GTCRN_E_BUDGET || status == GRT_E_ARG ? RC_INPUT : RC_PROCESS;
}

/* quality: of the --out-rate resampler (--resample-quality, -1 = default) */
static int open_output(const char *path, const struct audio_format *fo, int in_rate,
                       int quality, struct audio_out **w)
{
	char err[ERR_LEN];
	int rc = audio_out_open(path, fo, in_rate, quality, w, err, sizeof(err));

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
	struct frame_times *ft = NULL;
	struct audio_out *w = NULL;
	struct post post = { 0 };
	float *inter = NULL;
	char err[ERR_LEN];
	size_t lat, per_block, got, room;
	long n;
	int rc = RC_OK;

	opts.sample_rate = fi->rate_hz;
	if ((rc = gtcrn_aligned_create(c->m, &opts, C, &a, err, sizeof(err)))) {
		msg("%s: %s", label, err);
		rc = lib_rc(rc);
		goto out;
	}
	lat = gtcrn_latency(gtcrn_aligned_state(a, 0));
	if ((rc = post_open(c, fi->rate_hz, C, &fs->segs, &post, label)))
		goto out;
	/* a block, or the tail (at most lat frames), or the gate's (gate_lat) */
	room = B > lat ? B : lat + 1;
	room = room > post.gate_lat ? room : post.gate_lat + 1;
	inter = malloc(room * (size_t)C * sizeof(float));
	if (!inter) {
		msg("%s: out of memory", label);
		rc = RC_PROCESS;
		goto out;
	}
	/* runs per block at most, with margin for the resamplers */
	per_block = (size_t)ceil((double)B * c->info.sample_rate / fi->rate_hz / c->info.hop_length)
	            + 8;
	if (timed && !(ft = times_create(a, C, per_block * (lat / B + 2)))) {
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
	if ((rc = open_output(out_path, fo, fi->rate_hz, c->o->resample_quality, &w)))
		goto out;
	while (n > 0) {
		if (post.score && (rc = post_input(&post, inter, (size_t)n, label)))
			goto out;
		if ((rc = gtcrn_aligned_process(a, inter, (size_t)n, inter, &got))) {
			msg("%s: %s", label, gtcrn_aligned_errmsg(a));
			rc = lib_rc(rc);
			goto out;
		}
		if (ft)
			times_drain(ft, a, C);
		fs->frames += n;
		if ((rc = post_block(&post, inter, got, &got, label)) ||
		    (rc = write_output(w, inter, got)))
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
	if ((rc = post_block(&post, inter, got, &got, label)) ||
	    (rc = write_output(w, inter, got)) ||
	    (rc = post_end(&post, inter, &got, fs, c, label)) ||
	    (rc = write_output(w, inter, got)))
		goto out;
	for (int ch = 0; ch < C; ch++) {
		fs->net_frames += gtcrn_frames(gtcrn_aligned_state(a, ch));
		warn_nonfinite(gtcrn_aligned_state(a, ch), ch, label);
	}
	if (ft) {
		times_drain(ft, a, C);
		times_result(ft, fs);
	}
out:
	rc = finish_output(w, rc);
	gtcrn_aligned_free(a);
	post_close(&post);
	times_free(ft);
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
	struct post post = { 0 };
	size_t cap = fi->frames > 0 ? (size_t)fi->frames : 65536, n = 0, k, k2;
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
	pg->unit_s /= C;                  /* done counts every channel's frames */
	x = malloc(n * sizeof(float));
	y = malloc(n * sizeof(float));
	if (!x || !y) {
		msg("%s: out of memory (%zu frames)", label, n);
		rc = RC_PROCESS;
		goto out;
	}
	if ((rc = post_open(c, fi->rate_hz, C, &fs->segs, &post, label)) ||
	    (post.score && (rc = post_input(&post, all, n, label))))
		goto out;
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
	fs->net_frames = (unsigned long)C * gtcrn_stft_frames(c->m, (size_t)llround((double)n *
	                 c->info.sample_rate / fi->rate_hz));
	/* the gate's output, its delay dropped, then its last frames: n in all */
	if ((rc = post_block(&post, all, n, &k, label)) ||
	    (rc = post_end(&post, all + k * (size_t)C, &k2, fs, c, label)))
		goto out;
	if ((rc = open_output(out_path, fo, fi->rate_hz, c->o->resample_quality, &w)))
		goto out;
	rc = write_output(w, all, n);
out:
	rc = finish_output(w, rc);
	post_close(&post);
	free(all);
	free(x);
	free(y);
	return rc;
}

int input_open(const struct options *o, const char *path, struct audio_in **in)
{
	struct audio_format hint = o->in_hint;
	char err[ERR_LEN];
	int rc;

	hint.enc = o->enc;
	hint.bits = o->bits;
	if ((rc = audio_in_open(path, &hint, in, err, sizeof(err)))) {
		msg("%s", err);
		return rc;
	}
	input_warnings(*in);
	return RC_OK;
}

int run_file(struct run_ctx *c, const char *in_path, const char *out_path,
             struct file_stats *fs)
{
	const struct options *o = c->o;
	const char *label = strcmp(in_path, "-") ? in_path : "stdin";
	struct audio_in *in = NULL;
	struct audio_out_opts oo = o->out;
	struct audio_format fo;
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
	if ((rc = input_open(o, in_path, &in)))
		return rc;
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
	pg.unit_s = 1.0 / fi->rate_hz;
	if (stream)
		rc = stream_file(c, in, fi, out_path, &fo, label, fs, &pg);
	else
		rc = offline_file(c, in, fi, out_path, &fo, label, fs, &pg);
	progress_end(&pg);
	input_warnings(in);
	audio_in_close(in);
	fs->wall_s = now_s() - t0;
	return rc;
}

/* --score-only / --vad-only: the models, then every input on -j threads. */
static int analyze_inputs(struct run_ctx *c)
{
	int rc;

	if ((rc = speech_models_load(c)))
		return rc;
	pthread_mutex_init(&c->lock, NULL);
	if (!(c->rc = calloc((size_t)c->o->n_inputs, sizeof(int)))) {
		msg("out of memory");
		rc = RC_PROCESS;
	} else {
		rc = run_inputs(c);
	}
	free(c->rc);
	pthread_mutex_destroy(&c->lock);
	speech_models_free(c);
	if (fflush(stdout) && !rc) {
		msg("stdout: write failed: %s", strerror(errno));
		rc = RC_OUTPUT;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct run_ctx c = { 0 };
	struct sigaction sa = { 0 };
	gtcrn_model *m = NULL;
	char *single_out[1];
	int rc, rc2;


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
	c.o = &o;
	if (o.score_only || o.vad_only)
		return analyze_inputs(&c);
	if ((rc = load_model(o.model, &m, &c.info)))
		return rc;
	if (o.stream && c.info.kind != GTCRN_STREAMING) {
		msg("%s is an offline export (dynamic time axis): it cannot stream; drop --stream "
		    "or use a streaming export", o.model);
		gtcrn_model_free(m);
		return RC_USAGE;
	}
	c.m = m;
	if ((rc = speech_models_load(&c))) {
		gtcrn_model_free(m);
		return rc;
	}
	gtcrn_opts_init(&c.opts);
	c.opts.mix = o.mix;
	c.opts.atten_lim_db = o.atten_lim_db;
	c.opts.mem_budget = o.mem_budget;
	c.opts.resample_quality = o.resample_quality;
	pthread_mutex_init(&c.lock, NULL);
	c.rc = calloc((size_t)o.n_inputs, sizeof(int));
	c.seg_lines = o.segments ? calloc((size_t)o.n_inputs, sizeof(char *)) : NULL;
	if (!c.rc || (o.segments && !c.seg_lines)) {
		msg("out of memory");
		rc = RC_PROCESS;
		goto out;
	}
	if (o.out_dir) {
		if ((rc = batch_outputs(&o, &c.outputs)))
			goto out;
	} else {
		single_out[0] = (char *)o.output;
		c.outputs = single_out;
	}
	if (!(rc = speech_outputs_check(&o, c.outputs))) {
		rc = run_inputs(&c);
		if ((rc2 = segments_write(&c)) && !rc)
			rc = rc2;
	}
	if (o.out_dir) {
		for (int i = 0; i < o.n_inputs; i++)
			free(c.outputs[i]);
		free(c.outputs);
	}
out:
	if (c.seg_lines)
		for (int i = 0; i < o.n_inputs; i++)
			free(c.seg_lines[i]);
	free(c.seg_lines);
	free(c.rc);
	pthread_mutex_destroy(&c.lock);
	speech_models_free(&c);
	gtcrn_model_free(m);
	if (fflush(stdout) && !rc) {
		msg("stdout: write failed: %s", strerror(errno));
		rc = RC_OUTPUT;
	}
	return rc;
}

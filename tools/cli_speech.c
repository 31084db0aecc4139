/* cli_speech.c - gtcrn-run's speech-aware parts, on libgtcrn's VAD and DNSMOS:
 * the two models; the stage after the enhancement (the gate, the VAD for
 * --segments, the signals kept for --score); --score-only and --vad-only,
 * which read a file and enhance nothing; the --segments file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "tools/cli.h"

/* --- the models ----------------------------------------------------------- */

/* The library's message without the path it may start with. */
static const char *without_path(const char *why, const char *path)
{
	size_t k = strlen(path);

	if (!strncmp(why, path, k) && !strncmp(why + k, ": ", 2))
		return why + k + 2;
	return why;
}

int speech_models_load(struct run_ctx *c)
{
	const struct options *o = c->o;
	int need_vad = o->gate_db >= 0 || o->segments || o->vad_only;
	int need_dnsmos = o->score || o->score_only;
	char err[ERR_LEN];
	int rc;

	if (need_vad) {
		gtcrn_vad_model *m = NULL;
		err[0] = 0;
		if ((rc = gtcrn_vad_model_load(o->vad_model, &m, err, sizeof(err)))) {
			msg("%s: cannot load the VAD model: %s (give a Silero VAD export with "
			    "--vad-model FILE or $GTCRN_VAD_MODEL, or install one with `make "
			    "install-model VAD_MODEL=FILE`)", o->vad_model,
			    without_path(err[0] ? err : gtcrn_strerror(rc), o->vad_model));
			return RC_MODEL;
		}
		c->vad = m;
	}
	if (need_dnsmos) {
		gtcrn_dnsmos_model *m = NULL;
		err[0] = 0;
		if ((rc = gtcrn_dnsmos_model_load(o->dnsmos_model, &m, err, sizeof(err)))) {
			msg("%s: cannot load the DNSMOS model: %s (give the DNSMOS P.835 "
			    "sig_bak_ovr.onnx with --dnsmos-model FILE or $GTCRN_DNSMOS_MODEL, or "
			    "install it with `make install-model DNSMOS_MODEL=FILE`)", o->dnsmos_model,
			    without_path(err[0] ? err : gtcrn_strerror(rc), o->dnsmos_model));
			speech_models_free(c);
			return RC_MODEL;
		}
		c->dnsmos = m;
	}
	return RC_OK;
}

void speech_models_free(struct run_ctx *c)
{
	gtcrn_vad_model_free((gtcrn_vad_model *)c->vad);
	gtcrn_dnsmos_model_free((gtcrn_dnsmos_model *)c->dnsmos);
	c->vad = NULL;
	c->dnsmos = NULL;
}

/* --- growing buffers ---------------------------------------------------- */

/* Room for need elements of size elem in *buf (capacity *cap, doubled). */
static int reserve(void **buf, size_t *cap, size_t need, size_t elem)
{
	size_t nc = *cap ? *cap : 4096;
	void *nb;

	if (need <= *cap)
		return 0;
	while (nc < need)
		nc *= 2;
	if (!(nb = realloc(*buf, nc * elem)))
		return -1;
	*buf = nb;
	*cap = nc;
	return 0;
}

static int seg_add(struct seglist *s, const gtcrn_segment *g)
{
	if (reserve((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v)))
		return -1;
	s->v[s->n++] = *g;
	return 0;
}

/* The channels' mean of x[n * channels] into mono[n]. */
static void downmix(const float *x, size_t n, int channels, float *mono)
{
	if (channels == 1) {
		memcpy(mono, x, n * sizeof(float));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		float sum = 0;
		for (int ch = 0; ch < channels; ch++)
			sum += x[i * (size_t)channels + (size_t)ch];
		mono[i] = sum / (float)channels;
	}
}

/* --- VAD over a stream: probabilities to segments ----------------------- */

static int vad_open(const struct run_ctx *c, int rate, struct seglist *segs, struct vad_run *v,
                    const char *label)
{
	gtcrn_vad_opts vo = c->o->vad;
	char err[ERR_LEN];
	int rc;

	vo.sample_rate = rate;
	v->segs = segs;
	if ((rc = gtcrn_vad_create(c->vad, &vo, &v->vad, err, sizeof(err))) ||
	    (rc = gtcrn_segmenter_create(&vo, gtcrn_vad_window(v->vad), gtcrn_vad_rate(v->vad),
	                                 &v->sg, err, sizeof(err)))) {
		msg("%s: VAD: %s", label, err);
		return rc == GRT_E_ARG ? RC_INPUT : RC_PROCESS;
	}
	return RC_OK;
}

/* Each probability of probs[n] through the segmenter. */
static int vad_segments(struct vad_run *v, size_t n, const char *label)
{
	gtcrn_segment g;

	for (size_t i = 0; i < n; i++)
		if (gtcrn_segmenter_push(v->sg, v->probs[i], &g) == 1 && seg_add(v->segs, &g)) {
			msg("%s: out of memory", label);
			return RC_PROCESS;
		}
	return RC_OK;
}

/* The channels' mean of x[n * channels] through the VAD. */
static int vad_block(struct vad_run *v, const float *x, size_t n, int channels,
                     const char *label)
{
	size_t np = 0, want = gtcrn_vad_max_windows(v->vad, n);

	if (reserve((void **)&v->mono, &v->cap, n, sizeof(float)) ||
	    reserve((void **)&v->probs, &v->probs_cap, want ? want : 1, sizeof(float))) {
		msg("%s: out of memory", label);
		return RC_PROCESS;
	}
	downmix(x, n, channels, v->mono);
	if (gtcrn_vad_process(v->vad, v->mono, n, v->probs, &np)) {
		msg("%s: VAD: %s", label, gtcrn_vad_errmsg(v->vad));
		return RC_PROCESS;
	}
	return vad_segments(v, np, label);
}

/* The end of a stream of length_s seconds: the last windows and segments. */
static int vad_end(struct vad_run *v, double length_s, const char *label)
{
	gtcrn_segment last[2];
	size_t np = 0, want = gtcrn_vad_max_windows(v->vad, 0);
	int k, rc;

	if (reserve((void **)&v->probs, &v->probs_cap, want ? want : 1, sizeof(float))) {
		msg("%s: out of memory", label);
		return RC_PROCESS;
	}
	if (gtcrn_vad_finish(v->vad, v->probs, &np)) {
		msg("%s: VAD: %s", label, gtcrn_vad_errmsg(v->vad));
		return RC_PROCESS;
	}
	if ((rc = vad_segments(v, np, label)))
		return rc;
	k = gtcrn_segmenter_finish(v->sg, length_s, last);
	for (int i = 0; i < k; i++)
		if (seg_add(v->segs, &last[i])) {
			msg("%s: out of memory", label);
			return RC_PROCESS;
		}
	v->segs->length_s = length_s;
	return RC_OK;
}

static void vad_close(struct vad_run *v)
{
	gtcrn_vad_free(v->vad);
	gtcrn_segmenter_free(v->sg);
	free(v->mono);
	free(v->probs);
	memset(v, 0, sizeof(*v));
}

/* --- after the enhancement ------------------------------------------------ */

int post_open(const struct run_ctx *c, int rate, int channels, struct seglist *segs,
              struct post *p, const char *label)
{
	const struct options *o = c->o;
	char err[ERR_LEN];
	int rc;

	memset(p, 0, sizeof(*p));
	p->channels = channels;
	p->rate = rate;
	if (o->gate_db >= 0) {
		gtcrn_vad_opts vo = o->vad;
		gtcrn_gate_opts go;
		gtcrn_gate_opts_init(&go);
		go.depth_db = o->gate_db;
		vo.sample_rate = rate;
		if ((rc = gtcrn_gate_create(c->vad, &vo, &go, channels, &p->gate, err, sizeof(err)))) {
			msg("%s: VAD gate: %s", label, err);
			return rc == GRT_E_ARG ? RC_INPUT : RC_PROCESS;
		}
		p->gate_lat = p->gate_drop = gtcrn_gate_latency(p->gate);
		if (!(p->tail = malloc((p->gate_lat + 1) * (size_t)channels * sizeof(float)))) {
			msg("%s: out of memory", label);
			return RC_PROCESS;
		}
	}
	if (o->segments && (rc = vad_open(c, rate, segs, &p->vad, label)))
		return rc;
	p->score = o->score;
	return RC_OK;
}

static int keep(float **all, size_t *n, size_t *cap, const float *x, size_t frames, int channels,
                const char *label)
{
	size_t k = frames * (size_t)channels;

	if (reserve((void **)all, cap, *n + k, sizeof(float))) {
		msg("%s: out of memory keeping the audio for --score", label);
		return RC_PROCESS;
	}
	memcpy(*all + *n, x, k * sizeof(float));
	*n += k;
	return RC_OK;
}

int post_input(struct post *p, const float *x, size_t n, const char *label)
{
	return keep(&p->in_all, &p->in_n, &p->in_cap, x, n, p->channels, label);
}

int post_block(struct post *p, float *x, size_t n, size_t *n_out, const char *label)
{
	const size_t C = (size_t)p->channels;
	int rc;

	*n_out = n;
	p->frames += (long long)n;
	if (p->vad.vad && (rc = vad_block(&p->vad, x, n, p->channels, label)))
		return rc;
	if (p->gate) {
		size_t drop;
		if (gtcrn_gate_process(p->gate, x, x, n)) {
			msg("%s: VAD gate: %s", label, gtcrn_gate_errmsg(p->gate));
			return RC_PROCESS;
		}
		drop = p->gate_drop < n ? p->gate_drop : n;
		memmove(x, x + drop * C, (n - drop) * C * sizeof(float));
		p->gate_drop -= drop;
		*n_out = n - drop;
	}
	if (p->score)
		return keep(&p->out_all, &p->out_n, &p->out_cap, x, *n_out, p->channels, label);
	return RC_OK;
}

static int score_signal(const struct run_ctx *c, const float *x, size_t frames, int channels,
                        int rate, struct score *s, const char *what, const char *label)
{
	char err[ERR_LEN];

	if (gtcrn_dnsmos_score(c->dnsmos, x, frames, channels, rate, &s->s, err, sizeof(err))) {
		msg("%s: DNSMOS of the %s: %s", label, what, err);
		return RC_PROCESS;
	}
	s->scored = 1;
	return RC_OK;
}

int post_end(struct post *p, float *out, size_t *n_out, struct file_stats *fs,
             const struct run_ctx *c, const char *label)
{
	const size_t C = (size_t)p->channels;
	int rc;

	*n_out = 0;
	if (p->vad.vad) {
		if ((rc = vad_end(&p->vad, (double)p->frames / p->rate, label)))
			return rc;
		fs->has_segs = 1;
	}
	if (p->gate) {
		size_t keep_n;
		if (gtcrn_gate_flush(p->gate, p->tail)) {
			msg("%s: VAD gate: %s", label, gtcrn_gate_errmsg(p->gate));
			return RC_PROCESS;
		}
		/* of the gate's last gate_lat frames, those past its delay */
		keep_n = p->gate_lat - p->gate_drop;
		memcpy(out, p->tail + p->gate_drop * C, keep_n * C * sizeof(float));
		*n_out = keep_n;
		if (p->score && (rc = keep(&p->out_all, &p->out_n, &p->out_cap, out, keep_n,
		                             p->channels, label)))
			return rc;
	}
	if (p->score) {
		if ((rc = score_signal(c, p->in_all, p->in_n / C, p->channels, p->rate, &fs->score_in,
		                       "input", label)))
			return rc;
		if ((rc = score_signal(c, p->out_all, p->out_n / C, p->channels, p->rate,
		                       &fs->score_out, "output", label)))
			return rc;
	}
	return RC_OK;
}

void post_close(struct post *p)
{
	vad_close(&p->vad);
	gtcrn_gate_free(p->gate);
	free(p->tail);
	free(p->in_all);
	free(p->out_all);
	memset(p, 0, sizeof(*p));
}

/* --- --score-only and --vad-only ------------------------------------------ */

int analyze_file(struct run_ctx *c, const char *in_path, struct file_stats *fs)
{
	const struct options *o = c->o;
	const char *label = strcmp(in_path, "-") ? in_path : "stdin";
	const struct audio_format *fi;
	struct audio_in *in = NULL;
	struct vad_run v = { 0 };
	float *buf = NULL, *all = NULL;
	size_t all_n = 0, all_cap = 0;
	char err[ERR_LEN];
	double t0 = now_s();
	long n;
	int rc;

	memset(fs, 0, sizeof(*fs));
	fs->median_ms = fs->p99_ms = -1;
	if ((rc = input_open(o, in_path, &in)))
		return rc;
	fi = audio_in_format(in);
	fs->rate_hz = fi->rate_hz;
	fs->channels = fi->channels;
	if (!(buf = malloc((size_t)BLOCK_FRAMES * (size_t)fi->channels * sizeof(float)))) {
		msg("%s: out of memory", label);
		rc = RC_PROCESS;
		goto out;
	}
	if (o->vad_only && (rc = vad_open(c, fi->rate_hz, &fs->segs, &v, label)))
		goto out;
	while ((n = audio_in_read(in, buf, BLOCK_FRAMES, err, sizeof(err))) > 0) {
		fs->frames += n;
		if (v.vad && (rc = vad_block(&v, buf, (size_t)n, fi->channels, label)))
			goto out;
		if (o->score_only &&
		    (rc = keep(&all, &all_n, &all_cap, buf, (size_t)n, fi->channels, label)))
			goto out;
	}
	if (n < 0) {
		msg("%s", err);
		rc = RC_INPUT;
		goto out;
	}
	if (!fs->frames) {
		msg("%s: no audio (0 frames)", label);
		rc = RC_INPUT;
		goto out;
	}
	if (v.vad) {
		if ((rc = vad_end(&v, (double)fs->frames / fi->rate_hz, label)))
			goto out;
		fs->has_segs = 1;
	}
	if (o->score_only)
		rc = score_signal(c, all, (size_t)fs->frames, fi->channels, fi->rate_hz, &fs->score_in,
		                  "input", label);
out:
	input_warnings(in);
	audio_in_close(in);
	vad_close(&v);
	free(buf);
	free(all);
	fs->wall_s = now_s() - t0;
	return rc;
}

/* --- the --segments file ------------------------------------------------- */

void segments_json(FILE *f, const struct seglist *s)
{
	fputc('[', f);
	for (size_t i = 0; i < s->n; i++)
		fprintf(f, "%s[%.4f,%.4f]", i ? "," : "", s->v[i].start, s->v[i].end);
	fputc(']', f);
}

int speech_outputs_check(const struct options *o, char **outputs)
{
	struct audio_out_opts oo = o->out;
	const char *models[2] = { o->vad_model, o->dnsmos_model };
	char err[ERR_LEN];
	int rc;

	/* no audio output may be one of the speech models */
	for (int i = 0; i < o->n_inputs; i++)
		for (int k = 0; k < 2; k++)
			if ((rc = audio_out_check(outputs[i], NULL, models[k], &oo, err, sizeof(err)))) {
				msg("%s", err);
				return rc;
			}
	if (!o->segments)
		return RC_OK;
	oo.type = AUDIO_RAW;              /* any name: the file is text */
	if (strlen(o->segments) > 5 && !strcasecmp(o->segments + strlen(o->segments) - 5, ".onnx")) {
		msg("--segments %s: refusing to write segments to a .onnx name (a model's)",
		    o->segments);
		return RC_USAGE;
	}
	for (int i = 0; i < o->n_inputs; i++)
		if ((rc = audio_out_check(o->segments, o->inputs[i], NULL, &oo, err, sizeof(err))))
			goto refused;
	if ((rc = audio_out_check(o->segments, NULL, o->model, &oo, err, sizeof(err))))
		goto refused;
	for (int k = 0; k < 2; k++)
		if ((rc = audio_out_check(o->segments, NULL, models[k], &oo, err, sizeof(err))))
			goto refused;
	for (int i = 0; i < o->n_inputs; i++)
		if (!strcmp(outputs[i], o->segments) || audio_same_file(outputs[i], o->segments)) {
			msg("--segments %s: is also the audio output: give the segments their own file",
			    o->segments);
			return RC_USAGE;
		}
	return RC_OK;
refused:
	msg("--segments %s", err);
	return rc;
}

/* A JSON line in memory (open_memstream). */
void segments_keep(struct run_ctx *c, int i, const struct file_stats *fs)
{
	char *line = NULL;
	size_t len = 0;
	FILE *f;

	if (!c->seg_lines || !fs->has_segs || !(f = open_memstream(&line, &len)))
		return;
	fprintf(f, "{\"input\":");
	json_string(f, c->o->inputs[i]);
	fprintf(f, ",\"output\":");
	json_string(f, c->outputs[i]);
	fprintf(f, ",\"duration_s\":%.4f,\"segments\":", fs->segs.length_s);
	segments_json(f, &fs->segs);
	fprintf(f, "}\n");
	if (fclose(f)) {
		free(line);
		return;
	}
	c->seg_lines[i] = line;
}

int segments_write(const struct run_ctx *c)
{
	const struct options *o = c->o;
	struct audio_format fmt = { .type = AUDIO_RAW, .rate_hz = 1, .channels = 1,
	                            .enc = AUDIO_ENC_SIGNED, .bits = 8, .frames = -1 };
	struct audio_out *w = NULL;
	char err[ERR_LEN];
	int rc, any = 0;

	for (int i = 0; o->segments && i < o->n_inputs; i++)
		any |= c->seg_lines[i] != NULL;
	if (!any)                         /* no --segments, or every input failed: no file */
		return RC_OK;
	if ((rc = audio_out_open(o->segments, &fmt, 0, -1, &w, err, sizeof(err)))) {
		msg("--segments %s", err);
		return rc;
	}
	for (int i = 0; i < o->n_inputs; i++)
		if (c->seg_lines[i] &&
		    (rc = audio_out_write_bytes(w, c->seg_lines[i], strlen(c->seg_lines[i]), err,
		                                sizeof(err)))) {
			msg("--segments %s", err);
			audio_out_abort(w);
			return rc;
		}
	if ((rc = audio_out_commit(w, err, sizeof(err))))
		msg("--segments %s", err);
	return rc;
}

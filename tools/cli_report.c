/* cli_report.c - what gtcrn-run tells: messages on stderr, the progress bar
 * of one file, the progress line of a batch, per-frame run times in
 * constant memory, the --stats line and the --json line of each input. */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tools/cli.h"

/* The last message this thread printed: --json's "error" for a file that failed. */
static _Thread_local char last_msg[2 * ERR_LEN];

/* A batch's progress line: one per process, as stderr is; every worker adds
 * to it, and a message clears it first (the next update draws it again). */
static struct {
	pthread_mutex_t lock;
	int on, shown;                /* drawn at all; on the terminal now */
	int files_done, files;
	double audio_s;               /* seconds of input audio processed */
	double t0, last_s;            /* start, last drawing (now_s) */
} batch = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* "gtcrn-run: " + text on stderr, below a cleared progress line. */
static void say(const char *text)
{
	pthread_mutex_lock(&batch.lock);
	if (batch.shown)
		fputs("\r\033[K", stderr);
	batch.shown = 0;
	fprintf(stderr, "gtcrn-run: %s\n", text);
	pthread_mutex_unlock(&batch.lock);
}

void msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	va_end(ap);
	say(last_msg);
}

void input_warnings(struct audio_in *in)
{
	const char *w;

	while ((w = audio_in_warning(in)))
		say(w);
}

const char *last_message(void)
{
	return last_msg;
}

void clear_last_message(void)
{
	last_msg[0] = 0;
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* --- progress bar and batch line ---------------------------------------- */

/* Draws the batch line when it is due (at most 10 times a second) or
 * forced; batch.lock held. */
static void batch_draw(int force)
{
	double t = now_s(), el = t - batch.t0;
	char rate[48] = "";

	if (!batch.on || (!force && t - batch.last_s < 0.1))
		return;
	batch.last_s = t;
	if (batch.audio_s > 0 && el > 0)
		snprintf(rate, sizeof(rate), ", %.1fx real time", batch.audio_s / el);
	fprintf(stderr, "\rgtcrn-run: %d/%d files done, %.1f s of audio%s\033[K", batch.files_done,
	        batch.files, batch.audio_s, rate);
	batch.shown = 1;
}

void batch_progress_start(int files)
{
	pthread_mutex_lock(&batch.lock);
	batch.on = 1;
	batch.files = files;
	batch.t0 = now_s();
	batch_draw(1);
	pthread_mutex_unlock(&batch.lock);
}

void batch_progress_file_done(void)
{
	pthread_mutex_lock(&batch.lock);
	batch.files_done++;
	batch_draw(batch.files_done == batch.files);
	pthread_mutex_unlock(&batch.lock);
}

void batch_progress_end(void)
{
	pthread_mutex_lock(&batch.lock);
	if (batch.shown)
		fputs("\r\033[K", stderr);
	batch.on = batch.shown = 0;
	pthread_mutex_unlock(&batch.lock);
}

void progress_update(struct progress *p, long long add)
{
	double t = now_s();
	int pct, width = 30, fill;
	char bar[32];

	p->done += add;
	if (p->unit_s > 0 && batch.on) {   /* on is set before any worker starts */
		pthread_mutex_lock(&batch.lock);
		batch.audio_s += (double)add * p->unit_s;
		batch_draw(0);
		pthread_mutex_unlock(&batch.lock);
	}
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

void progress_end(struct progress *p)
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

struct frame_times *times_create(gtcrn_aligned *a, int channels, size_t ring_len)
{
	struct frame_times *ft = calloc(1, sizeof(*ft));

	if (!ft)
		return NULL;
	ft->ring_len = ring_len;
	ft->ring = malloc((size_t)channels * ring_len * sizeof(unsigned long));
	ft->drained = calloc((size_t)channels, sizeof(unsigned long));
	if (!ft->ring || !ft->drained) {
		times_free(ft);
		return NULL;
	}
	for (int c = 0; c < channels; c++)
		gtcrn_record_frame_times(gtcrn_aligned_state(a, c), ft->ring + (size_t)c * ring_len,
		                         ring_len);
	return ft;
}

/* Moves the runs made since the last call into the histogram (at most
 * ring_len per channel between calls). */
void times_drain(struct frame_times *ft, gtcrn_aligned *a, int channels)
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

void times_result(const struct frame_times *ft, struct file_stats *fs)
{
	if (ft->n) {
		fs->median_ms = times_quantile(ft, 0.5);
		fs->p99_ms = times_quantile(ft, 0.99);
	}
}

void times_free(struct frame_times *ft)
{
	if (!ft)
		return;
	free(ft->ring);
	free(ft->drained);
	free(ft);
}

/* --- reporting -------------------------------------------------------- */

void json_string(FILE *f, const char *s)
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

/* "{"sig":..,"bak":..,"ovrl":..,"windows":N}" after key, when scored */
static void json_scores(FILE *f, const char *key, const struct score *s)
{
	if (!s->scored)
		return;
	fprintf(f, "%s{\"sig\":%.6f,\"bak\":%.6f,\"ovrl\":%.6f,\"windows\":%zu}", key, s->s.sig,
	        s->s.bak, s->s.ovrl, s->s.windows);
}

/* --stats: a line on stderr per file enhanced. --json: one line per input,
 * whatever became of it: {"status":"ok", ...figures} or "skipped" (the
 * output existed) or "failed" with the exit status and the message. */
void report(const struct run_ctx *c, const char *in, const char *out,
                   const struct file_stats *fs, int rc, const char *error)
{
	double audio_s = fs->rate_hz ? (double)fs->frames / fs->rate_hz : 0;
	double rtf = audio_s > 0 ? fs->wall_s / audio_s : 0;
	FILE *f = strcmp(out, "-") ? stdout : stderr;

	if ((c->o->stats || c->o->score) && !rc && !fs->skipped) {
		char per[128], sc[192] = "";
		if (fs->median_ms >= 0)
			snprintf(per, sizeof(per), "per frame median %.3f ms, p99 %.3f ms", fs->median_ms,
			         fs->p99_ms);
		else
			snprintf(per, sizeof(per), "per-frame times not measured (offline run)");
		if (fs->score_in.scored && fs->score_out.scored)
			snprintf(sc, sizeof(sc), "; DNSMOS SIG %.3f -> %.3f, BAK %.3f -> %.3f, "
			         "OVRL %.3f -> %.3f", fs->score_in.s.sig, fs->score_out.s.sig,
			         fs->score_in.s.bak, fs->score_out.s.bak, fs->score_in.s.ovrl,
			         fs->score_out.s.ovrl);
		msg("%s: %.3f s of audio (%d Hz, %d ch) in %.3f s, RTF %.4f (%.1fx real time), "
		    "%s, %lu frames, %s%s", in, audio_s, fs->rate_hz, fs->channels, fs->wall_s, rtf,
		    rtf > 0 ? 1 / rtf : 0.0, fs->mode, fs->net_frames, per, sc);
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
			fprintf(f, "\"frame_median_ms\":%.6f,\"frame_p99_ms\":%.6f", fs->median_ms,
			        fs->p99_ms);
		else
			fprintf(f, "\"frame_median_ms\":null,\"frame_p99_ms\":null");
		json_scores(f, ",\"dnsmos_in\":", &fs->score_in);
		json_scores(f, ",\"dnsmos_out\":", &fs->score_out);
		fprintf(f, "}\n");
	}
	fflush(f);
}

void report_analysis(const struct run_ctx *c, const char *in, const struct file_stats *fs,
                     int rc, const char *error)
{
	const char *label = strcmp(in, "-") ? in : "stdin";
	double audio_s = fs->rate_hz ? (double)fs->frames / fs->rate_hz : 0, speech_s = 0;

	for (size_t i = 0; i < fs->segs.n; i++)
		speech_s += fs->segs.v[i].end - fs->segs.v[i].start;
	if (c->o->json) {
		printf("{\"status\":\"%s\",\"input\":", rc ? "failed" : "ok");
		json_string(stdout, in);
		if (rc) {
			printf(",\"exit\":%d,\"error\":", rc);
			json_string(stdout, error);
		} else {
			printf(",\"duration_s\":%.4f", audio_s);
			if (fs->score_in.scored)
				printf(",\"sig\":%.6f,\"bak\":%.6f,\"ovrl\":%.6f,\"windows\":%zu",
				       fs->score_in.s.sig, fs->score_in.s.bak, fs->score_in.s.ovrl,
				       fs->score_in.s.windows);
			if (fs->has_segs) {
				printf(",\"speech_s\":%.4f,\"segments\":", speech_s);
				segments_json(stdout, &fs->segs);
			}
		}
		printf("}\n");
	} else if (!rc) {
		printf("%s:", label);
		if (fs->score_in.scored)
			printf(" SIG %.3f BAK %.3f OVRL %.3f (%zu window%s)", fs->score_in.s.sig,
			       fs->score_in.s.bak, fs->score_in.s.ovrl, fs->score_in.s.windows,
			       fs->score_in.s.windows == 1 ? "" : "s");
		if (fs->has_segs) {
			printf("%s %zu segment%s, %.2f s of speech in %.2f s", fs->score_in.scored ?
			       ";" : "", fs->segs.n, fs->segs.n == 1 ? "" : "s", speech_s, audio_s);
			for (size_t i = 0; i < fs->segs.n; i++)
				printf("%s %.2f-%.2f", i ? "," : ":", fs->segs.v[i].start, fs->segs.v[i].end);
		}
		printf("\n");
	}
	fflush(stdout);
}


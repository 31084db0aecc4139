/* audio_in.c - gtcrn-run's audio input: files through libsndfile, raw PCM
 * and WAV from stdin or a file through our codec (wav_codec.c), read as
 * interleaved floats; a regular file that changes while read is an error;
 * raw input that looks like a file with a header, or ends in a partial
 * frame, gets a warning. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sndfile.h>
#include "tools/audio_common.h"

#define MAX_CHANNELS 1024

struct audio_in {
	struct audio_format fmt;
	const char *label;          /* path, or "stdin" */
	SNDFILE *sf;                /* AUDIO_SNDFILE */
	int fd;                     /* AUDIO_RAW / AUDIO_WAV */
	int own_fd;                 /* close fd at the end (not stdin) */
	long long left_bytes;       /* WAV: data bytes still to read; -1 = until EOF */
	size_t frame_bytes;         /* channels * bits / 8 */
	unsigned char *buf;         /* [cap] undecoded bytes, buf_n of them valid */
	size_t cap, buf_n;
	int eof;
	long long size0;            /* a regular file's size when opened, -1 = not one */
	long long frames_read;
	int checked;                /* the end was checked against size0 */
	char warn[2][512];          /* warnings not yet taken (audio_in_warning) */
	int n_warn, warn_taken;
};

static void add_warning(struct audio_in *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_warning(struct audio_in *a, const char *fmt, ...)
{
	va_list ap;

	if (a->n_warn == (int)(sizeof(a->warn) / sizeof(a->warn[0])))
		return;
	va_start(ap, fmt);
	vsnprintf(a->warn[a->n_warn++], sizeof(a->warn[0]), fmt, ap);
	va_end(ap);
}

/* The format whose header the first n bytes of a file are, or NULL. */
static const char *header_name(const unsigned char *p, size_t n)
{
	static const struct { const char *magic, *form, *name; } known[] = {
		{ "RIFF", "WAVE", "RIFF/WAVE" }, { "RF64", "WAVE", "RF64/WAVE" },
		{ "FORM", "AIFF", "AIFF" }, { "FORM", "AIFC", "AIFF-C" },
		{ "fLaC", NULL, "FLAC" }, { "OggS", NULL, "Ogg" }, { ".snd", NULL, "AU" },
		{ "caff", NULL, "CAF" }, { "wvpk", NULL, "WavPack" },
	};

	for (size_t i = 0; n >= 12 && i < sizeof(known) / sizeof(known[0]); i++)
		if (!memcmp(p, known[i].magic, 4) &&
		    (!known[i].form || !memcmp(p + 8, known[i].form, 4)))
			return known[i].name;
	return NULL;
}

/* Raw input: a warning when it starts like a file with a header (that is
 * then read as samples). A file is peeked at; from stdin the first 12
 * bytes are read now and kept in a->buf as the start of the samples. */
static int sniff_raw(struct audio_in *a, int given, char *err, size_t err_len)
{
	unsigned char head[12];
	const unsigned char *h = head;
	size_t n = 0;
	const char *name;

	if (a->own_fd) {
		ssize_t r = pread(a->fd, head, sizeof(head), 0);
		n = r > 0 ? (size_t)r : 0;
	} else {
		if (!(a->buf = malloc(sizeof(head)))) {
			snprintf(err, err_len, "%s: out of memory", a->label);
			return AUDIO_E_INPUT;
		}
		a->cap = sizeof(head);
		while (a->buf_n < sizeof(head) && !a->eof) {
			ssize_t r = read(a->fd, a->buf + a->buf_n, sizeof(head) - a->buf_n);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				snprintf(err, err_len, "%s: read error: %s", a->label, strerror(errno));
				return AUDIO_E_INPUT;
			}
			a->eof = r == 0;
			a->buf_n += (size_t)r;
		}
		h = a->buf;
		n = a->buf_n;
	}
	if ((name = header_name(h, n)) && given)
		add_warning(a, "%s: warning: starts with a %s header, but -t raw reads it as raw "
		            "samples, header included (drop -t raw to read the header)", a->label,
		            name);
	else if (name)
		add_warning(a, "%s: warning: starts with a %s header, but its name (.%s) makes it "
		            "raw samples, header included (rename it to its format)", a->label, name,
		            path_ext(a->label));
	return AUDIO_OK;
}

static int in_fail(struct audio_in *a, int rc)
{
	audio_in_close(a);
	return rc;
}

int audio_in_open(const char *path, const struct audio_format *hint, struct audio_in **out,
                  char *err, size_t err_len)
{
	int is_stdin = !strcmp(path, "-");
	int raw_given = hint->rate_hz > 0 || hint->channels > 0;
	enum audio_type type = hint->type;
	struct audio_in *a;
	struct stat st = { 0 };
	int rc;

	*out = NULL;
	if (!is_stdin) {
		if (stat(path, &st)) {
			snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
			return AUDIO_E_INPUT;
		}
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, err_len, "%s: is a folder, not an audio file", path);
			return AUDIO_E_INPUT;
		}
		if (S_ISREG(st.st_mode) && st.st_size == 0) {
			snprintf(err, err_len, "%s: empty file (0 bytes), no audio", path);
			return AUDIO_E_INPUT;
		}
	}
	if (type == AUDIO_AUTO)
		type = is_stdin ? (raw_given ? AUDIO_RAW : AUDIO_WAV)
		                : is_raw_ext(path) ? AUDIO_RAW : AUDIO_SNDFILE;
	if (!is_stdin && type == AUDIO_WAV)
		type = AUDIO_SNDFILE;
	if (type != AUDIO_RAW && raw_given) {
		snprintf(err, err_len, "%s: -r/-c describe raw input, and this input has a header "
		         "(use -t raw for headerless PCM, --out-rate to change the output rate)",
		         is_stdin ? "stdin" : path);
		return AUDIO_E_USAGE;
	}
	if (!(a = calloc(1, sizeof(*a)))) {
		snprintf(err, err_len, "out of memory");
		return AUDIO_E_INPUT;
	}
	a->label = is_stdin ? "stdin" : path;
	a->size0 = !is_stdin && S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
	a->fd = -1;
	a->fmt.type = type;
	a->left_bytes = -1;
	if (type == AUDIO_SNDFILE) {
		SF_INFO info = { 0 };
		if (!(a->sf = sf_open(path, SFM_READ, &info))) {
			snprintf(err, err_len, "%s: not a readable audio file (libsndfile: %s)", path,
			         sf_strerror(NULL));
			return in_fail(a, AUDIO_E_INPUT);
		}
		a->fmt.rate_hz = info.samplerate;
		a->fmt.channels = info.channels;
		a->fmt.sf_format = info.format;
		a->fmt.frames = info.frames;
		subtype_layout(info.format, &a->fmt.enc, &a->fmt.bits);
	} else {
		if (is_stdin) {
			a->fd = STDIN_FILENO;
		} else if ((a->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
			return in_fail(a, AUDIO_E_INPUT);
		} else {
			a->own_fd = 1;
		}
		if (type == AUDIO_WAV) {
			if ((rc = wav_read_header(a->fd, a->label, &a->fmt, &a->left_bytes, err,
			                           err_len)))
				return in_fail(a, rc);
		} else {
			if (hint->rate_hz <= 0) {
				snprintf(err, err_len, "%s: raw input needs its sample rate (-r RATE)",
				         a->label);
				return in_fail(a, AUDIO_E_USAGE);
			}
			a->fmt.rate_hz = hint->rate_hz;
			a->fmt.channels = hint->channels > 0 ? hint->channels : 1;
			a->fmt.enc = hint->enc ? hint->enc : AUDIO_ENC_SIGNED;
			a->fmt.bits = hint->bits ? hint->bits
			              : a->fmt.enc == AUDIO_ENC_FLOAT ? 32 : 16;
			if (!valid_layout(a->fmt.enc, a->fmt.bits)) {
				snprintf(err, err_len, "%s: raw %d-bit %s samples are not supported "
				         "(integers: 8, 16, 24, 32 bits; float: 32, 64)", a->label,
				         a->fmt.bits, enc_name(a->fmt.enc));
				return in_fail(a, AUDIO_E_USAGE);
			}
			a->fmt.frames = -1;
		}
	}
	if (a->fmt.channels < 1 || a->fmt.channels > MAX_CHANNELS || a->fmt.rate_hz < 1) {
		snprintf(err, err_len, "%s: %d channels at %d Hz is not a usable layout", a->label,
		         a->fmt.channels, a->fmt.rate_hz);
		return in_fail(a, AUDIO_E_INPUT);
	}
	a->frame_bytes = (size_t)a->fmt.channels * (size_t)(a->fmt.bits / 8);
	if (type == AUDIO_RAW && a->own_fd && S_ISREG(st.st_mode))
		a->fmt.frames = (long long)st.st_size / (long long)a->frame_bytes;
	if (type == AUDIO_RAW && (rc = sniff_raw(a, hint->type == AUDIO_RAW, err, err_len)))
		return in_fail(a, rc);
	*out = a;
	return AUDIO_OK;
}

const struct audio_format *audio_in_format(const struct audio_in *a)
{
	return &a->fmt;
}

/* At the end of a regular file: it must still be the file that was opened,
 * or the output would silently lack (or ignore) part of it. */
static int check_unchanged(struct audio_in *a, char *err, size_t err_len)
{
	struct stat now;

	if (a->checked || a->size0 < 0)
		return 0;
	a->checked = 1;
	if (a->fmt.frames >= 0 && a->frames_read < a->fmt.frames) {
		snprintf(err, err_len, "%s: the audio ended after %lld of the %lld frames the file "
		         "declared: it changed while being read", a->label, a->frames_read,
		         a->fmt.frames);
		return -AUDIO_E_INPUT;
	}
	if (!stat(a->label, &now) && (long long)now.st_size != a->size0) {
		snprintf(err, err_len, "%s: the file changed length while being read (%lld bytes, "
		         "now %lld)", a->label, a->size0, (long long)now.st_size);
		return -AUDIO_E_INPUT;
	}
	return 0;
}

long audio_in_read(struct audio_in *a, float *buf, size_t max_frames, char *err, size_t err_len)
{
	size_t want, n, k;
	int rc;

	if (max_frames == 0)
		return 0;
	if (a->sf) {
		sf_count_t got = sf_readf_float(a->sf, buf, (sf_count_t)max_frames);
		if (got < (sf_count_t)max_frames && sf_error(a->sf)) {
			snprintf(err, err_len, "%s: read error: %s", a->label, sf_strerror(a->sf));
			return -AUDIO_E_INPUT;
		}
		a->frames_read += got;
		if (got < (sf_count_t)max_frames && (rc = check_unchanged(a, err, err_len)))
			return rc;
		return (long)got;
	}
	want = max_frames * a->frame_bytes;
	if (a->cap < want) {
		unsigned char *nb = realloc(a->buf, want);
		if (!nb) {
			snprintf(err, err_len, "%s: out of memory", a->label);
			return -AUDIO_E_INPUT;
		}
		a->buf = nb;
		a->cap = want;
	}
	/* one read() per call once a whole frame is there: a pipe streams */
	while (!a->eof && a->buf_n < a->frame_bytes) {
		size_t room = want - a->buf_n;
		ssize_t r;
		if (a->left_bytes >= 0 && (long long)room > a->left_bytes)
			room = (size_t)a->left_bytes;
		if (room == 0) {
			a->eof = 1;
			break;
		}
		r = read(a->fd, a->buf + a->buf_n, room);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, err_len, "%s: read error: %s", a->label, strerror(errno));
			return -AUDIO_E_INPUT;
		}
		if (r == 0)
			a->eof = 1;
		a->buf_n += (size_t)r;
		if (a->left_bytes >= 0)
			a->left_bytes -= r;
	}
	n = a->buf_n / a->frame_bytes;     /* a partial last frame at EOF is dropped */
	if (n > max_frames)
		n = max_frames;
	k = n * (size_t)a->fmt.channels;
	for (size_t i = 0; i < k; i++)
		buf[i] = decode_sample(a->buf + i * (size_t)(a->fmt.bits / 8), a->fmt.enc, a->fmt.bits);
	memmove(a->buf, a->buf + n * a->frame_bytes, a->buf_n - n * a->frame_bytes);
	a->buf_n -= n * a->frame_bytes;
	a->frames_read += (long long)n;
	if (a->eof && n == 0) {
		if (a->buf_n)
			add_warning(a, "%s: warning: %zu trailing byte%s dropped: less than a frame "
			            "(%d channel%s of %d-bit samples)", a->label, a->buf_n,
			            a->buf_n > 1 ? "s" : "", a->fmt.channels,
			            a->fmt.channels > 1 ? "s" : "", a->fmt.bits);
		a->buf_n = 0;
		if ((rc = check_unchanged(a, err, err_len)))
			return rc;
	}
	return (long)n;
}

const char *audio_in_warning(struct audio_in *a)
{
	return a->warn_taken < a->n_warn ? a->warn[a->warn_taken++] : NULL;
}

void audio_in_close(struct audio_in *a)
{
	if (!a)
		return;
	if (a->sf)
		sf_close(a->sf);
	if (a->own_fd)
		close(a->fd);
	free(a->buf);
	free(a);
}

/* audio_io.c - gtcrn-run's audio input and output: libsndfile for files, our
 * own raw PCM and WAV codec for pipes (read and write in one pass, never
 * seek), outputs through a mkstemp() file in the destination folder renamed
 * into place when complete (a registry lets a signal handler remove them). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <samplerate.h>
#include <sndfile.h>
#include "tools/audio_io.h"

#define MAX_CHANNELS 1024
#define MAX_TEMP 64                 /* outputs open at once (one per -j thread) */

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
};

struct audio_out {
	struct audio_format fmt;
	const char *path;           /* the path as given; NULL = stdout */
	char *target;               /* a symbolic link's resolved target, renamed onto; or NULL */
	int direct;                 /* a device or FIFO, written in place */
	int slot;                   /* temporary file registry slot, -1 = none */
	SNDFILE *sf;                /* AUDIO_SNDFILE */
	int fd;
	int header_done;            /* AUDIO_WAV: header written */
	off_t header_off;           /* where it starts; -1 = cannot seek (pipe) */
	int created;                /* the temporary file exists */
	size_t frame_bytes;
	unsigned char *buf;         /* [cap] encoded bytes */
	int *ibuf;                  /* [icap] libsndfile PCM as full-range int */
	size_t cap, icap;
	long long frames;           /* frames written so far */
	SRC_STATE *src;             /* resampler to fmt.rate_hz, NULL = none */
	double ratio;               /* output rate / caller's rate */
	float *rbuf;                /* [rcap * channels] resampled frames */
	size_t rcap;
	long long n_in;             /* caller's frames so far */
};

/* Temporary outputs, for the SIGINT/SIGTERM handler: a slot is taken under
 * the mutex; 'active' tells the handler the path is worth unlinking. */
static struct temp_slot {
	volatile sig_atomic_t active;
	int taken;
	char path[PATH_MAX];
} temp_slots[MAX_TEMP];
static pthread_mutex_t temp_lock = PTHREAD_MUTEX_INITIALIZER;
static mode_t file_mode = 0644;     /* 0666 & ~umask, set by audio_io_init */

void audio_io_init(void)
{
	mode_t m = umask(022);

	umask(m);
	file_mode = 0666 & ~m;
}

void audio_remove_temp_files(void)
{
	for (int i = 0; i < MAX_TEMP; i++)
		if (temp_slots[i].active)
			unlink(temp_slots[i].path);
}

static int temp_take(void)
{
	int slot = -1;

	pthread_mutex_lock(&temp_lock);
	for (int i = 0; i < MAX_TEMP && slot < 0; i++)
		if (!temp_slots[i].taken) {
			temp_slots[i].taken = 1;
			slot = i;
		}
	pthread_mutex_unlock(&temp_lock);
	return slot;
}

static void temp_release(int slot)
{
	if (slot < 0)
		return;
	temp_slots[slot].active = 0;
	atomic_signal_fence(memory_order_seq_cst);
	pthread_mutex_lock(&temp_lock);
	temp_slots[slot].taken = 0;
	pthread_mutex_unlock(&temp_lock);
}

/* --- helpers --------------------------------------------------------- */

static const char *path_ext(const char *path)
{
	const char *base = strrchr(path, '/'), *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	return dot && dot != base ? dot + 1 : "";
}

static int is_raw_ext(const char *path)
{
	const char *e = path_ext(path);

	return !strcasecmp(e, "raw") || !strcasecmp(e, "pcm");
}

static const char *enc_name(enum audio_enc e)
{
	switch (e) {
	case AUDIO_ENC_SIGNED: return "signed";
	case AUDIO_ENC_UNSIGNED: return "unsigned";
	case AUDIO_ENC_FLOAT: return "float";
	default: return "compressed";
	}
}

static int valid_layout(enum audio_enc enc, int bits)
{
	if (enc == AUDIO_ENC_FLOAT)
		return bits == 32 || bits == 64;
	return (enc == AUDIO_ENC_SIGNED || enc == AUDIO_ENC_UNSIGNED) &&
	       (bits == 8 || bits == 16 || bits == 24 || bits == 32);
}

static void subtype_layout(int sf_format, enum audio_enc *enc, int *bits)
{
	switch (sf_format & SF_FORMAT_SUBMASK) {
	case SF_FORMAT_PCM_S8: *enc = AUDIO_ENC_SIGNED; *bits = 8; break;
	case SF_FORMAT_PCM_U8: *enc = AUDIO_ENC_UNSIGNED; *bits = 8; break;
	case SF_FORMAT_PCM_16: *enc = AUDIO_ENC_SIGNED; *bits = 16; break;
	case SF_FORMAT_PCM_24: *enc = AUDIO_ENC_SIGNED; *bits = 24; break;
	case SF_FORMAT_PCM_32: *enc = AUDIO_ENC_SIGNED; *bits = 32; break;
	case SF_FORMAT_FLOAT: *enc = AUDIO_ENC_FLOAT; *bits = 32; break;
	case SF_FORMAT_DOUBLE: *enc = AUDIO_ENC_FLOAT; *bits = 64; break;
	default: *enc = AUDIO_ENC_NONE; *bits = 16; break;
	}
}

static int is_wav_family(int major)
{
	return major == SF_FORMAT_WAV || major == SF_FORMAT_WAVEX || major == SF_FORMAT_RF64;
}

static int layout_subtype(int major, enum audio_enc enc, int bits)
{
	if (enc == AUDIO_ENC_FLOAT)
		return bits == 64 ? SF_FORMAT_DOUBLE : SF_FORMAT_FLOAT;
	switch (bits) {
	case 8:
		return is_wav_family(major) || enc == AUDIO_ENC_UNSIGNED ? SF_FORMAT_PCM_U8
		                                                          : SF_FORMAT_PCM_S8;
	case 24: return SF_FORMAT_PCM_24;
	case 32: return SF_FORMAT_PCM_32;
	default: return SF_FORMAT_PCM_16;
	}
}

static const char *major_name(int major)
{
	static const struct { int major; const char *name; } names[] = {
		{ SF_FORMAT_WAV, "WAV" }, { SF_FORMAT_WAVEX, "WAVEX" }, { SF_FORMAT_RF64, "RF64" },
		{ SF_FORMAT_AIFF, "AIFF" }, { SF_FORMAT_FLAC, "FLAC" }, { SF_FORMAT_OGG, "Ogg" },
		{ SF_FORMAT_CAF, "CAF" }, { SF_FORMAT_W64, "W64" }, { SF_FORMAT_AU, "AU" },
		{ SF_FORMAT_MPEG, "MPEG" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].major == major)
			return names[i].name;
	return "libsndfile";
}

/* The libsndfile major format an extension names, or 0. */
static int ext_major(const char *ext)
{
	static const struct { const char *ext; int major; } alias[] = {
		{ "wav", SF_FORMAT_WAV }, { "wave", SF_FORMAT_WAV }, { "aif", SF_FORMAT_AIFF },
		{ "aiff", SF_FORMAT_AIFF }, { "aifc", SF_FORMAT_AIFF }, { "ogg", SF_FORMAT_OGG },
		{ "oga", SF_FORMAT_OGG }, { "opus", SF_FORMAT_OGG }, { "flac", SF_FORMAT_FLAC },
		{ "mp3", SF_FORMAT_MPEG },
	};
	int count = 0;

	if (!*ext)
		return 0;
	for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (!strcasecmp(ext, alias[i].ext))
			return alias[i].major;
	if (sf_command(NULL, SFC_GET_FORMAT_MAJOR_COUNT, &count, sizeof(count)))
		return 0;
	for (int i = 0; i < count; i++) {
		SF_FORMAT_INFO fi = { .format = i };
		if (!sf_command(NULL, SFC_GET_FORMAT_MAJOR, &fi, sizeof(fi)) && fi.extension &&
		    !strcasecmp(ext, fi.extension))
			return fi.format & SF_FORMAT_TYPEMASK;
	}
	return 0;
}

void audio_format_describe(const struct audio_format *f, char *buf, size_t len)
{
	const char *type = f->type == AUDIO_RAW ? "raw" : f->type == AUDIO_WAV ? "WAV"
	                   : major_name(f->sf_format & SF_FORMAT_TYPEMASK);

	if (f->enc == AUDIO_ENC_NONE)
		snprintf(buf, len, "%s, %d Hz, %d channel%s, compressed", type, f->rate_hz,
		         f->channels, f->channels == 1 ? "" : "s");
	else
		snprintf(buf, len, "%s, %d Hz, %d channel%s, %d-bit %s", type, f->rate_hz, f->channels,
		         f->channels == 1 ? "" : "s", f->bits, enc_name(f->enc));
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
	uint64_t v = 0;

	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++, v >>= 8)
		p[i] = (unsigned char)(v & 0xff);
}

static float decode_sample(const unsigned char *p, enum audio_enc enc, int bits)
{
	int bytes = bits / 8;
	uint64_t v = get_le(p, bytes);
	double half = (double)(1ull << (bits - 1));

	if (enc == AUDIO_ENC_FLOAT) {
		if (bits == 32) {
			uint32_t u = (uint32_t)v;
			float f;
			memcpy(&f, &u, sizeof(f));
			return f;
		} else {
			double d;
			memcpy(&d, &v, sizeof(d));
			return (float)d;
		}
	}
	if (enc == AUDIO_ENC_UNSIGNED)
		return (float)(((double)v - half) / half);
	/* sign-extend a two's complement number of 'bits' bits */
	return (float)((double)((int64_t)(v ^ (1ull << (bits - 1))) - (int64_t)(1ull << (bits - 1)))
	               / half);
}

/* Rounds x to a signed integer of 'bits' bits, clipped (NaN -> 0). */
static int64_t quantize(float x, int bits)
{
	double half = (double)(1ull << (bits - 1)), s = nearbyint((double)x * half);

	if (!(s == s))
		return 0;
	if (s < -half)
		s = -half;
	if (s > half - 1)
		s = half - 1;
	return (int64_t)s;
}

static void encode_sample(unsigned char *p, float x, enum audio_enc enc, int bits)
{
	int bytes = bits / 8;

	if (enc == AUDIO_ENC_FLOAT) {
		if (bits == 32) {
			uint32_t u;
			memcpy(&u, &x, sizeof(u));
			put_le(p, u, 4);
		} else {
			double d = x;
			uint64_t u;
			memcpy(&u, &d, sizeof(u));
			put_le(p, u, 8);
		}
		return;
	}
	int64_t s = quantize(x, bits);
	if (enc == AUDIO_ENC_UNSIGNED)
		s += (int64_t)(1ull << (bits - 1));
	put_le(p, (uint64_t)s, bytes);
}

/* read() until n bytes or EOF; returns the bytes read or -1 (errno). */
static ssize_t read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static int write_full(int fd, const void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(fd, (const char *)buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

/* --- input ------------------------------------------------------------ */

static int in_fail(struct audio_in *a, int rc)
{
	audio_in_close(a);
	return rc;
}

/* Parses a RIFF/WAVE header on a pipe up to the start of the data chunk. */
static int wav_read_header(struct audio_in *a, char *err, size_t err_len)
{
	unsigned char h[12], ck[8], fmt[64];
	int have_fmt = 0, tag = 0;

	if (read_full(a->fd, h, 12) != 12 || (memcmp(h, "RIFF", 4) && memcmp(h, "RF64", 4)) ||
	    memcmp(h + 8, "WAVE", 4)) {
		snprintf(err, err_len, "%s: not a WAV stream (no RIFF/WAVE header); for raw PCM give "
		         "-t raw -r RATE [-c CHANNELS -e ENCODING -b BITS]", a->label);
		return AUDIO_E_INPUT;
	}
	for (;;) {
		uint64_t size;
		if (read_full(a->fd, ck, 8) != 8) {
			snprintf(err, err_len, "%s: WAV header ends before the data chunk", a->label);
			return AUDIO_E_INPUT;
		}
		size = get_le(ck + 4, 4);
		if (!memcmp(ck, "fmt ", 4)) {
			size_t keep = size < sizeof(fmt) ? (size_t)size : sizeof(fmt);
			if (size < 16 || read_full(a->fd, fmt, keep) != (ssize_t)keep) {
				snprintf(err, err_len, "%s: bad WAV fmt chunk (%llu bytes)", a->label,
				         (unsigned long long)size);
				return AUDIO_E_INPUT;
			}
			size -= keep;
			tag = (int)get_le(fmt, 2);
			if (tag == 0xFFFE && keep >= 26)       /* WAVE_FORMAT_EXTENSIBLE: the GUID's tag */
				tag = (int)get_le(fmt + 24, 2);
			a->fmt.channels = (int)get_le(fmt + 2, 2);
			a->fmt.rate_hz = (int)get_le(fmt + 4, 4);
			a->fmt.bits = (int)get_le(fmt + 14, 2);
			have_fmt = 1;
		} else if (!memcmp(ck, "data", 4)) {
			/* pipes carry 0 or 0xFFFFFFFF when the writer did not know the length */
			a->left_bytes = size == 0 || size == 0xFFFFFFFFu || !memcmp(h, "RF64", 4)
			                ? -1 : (long long)size;
			break;
		}
		size += size & 1;                         /* chunks are padded to even sizes */
		while (size) {
			unsigned char skip[4096];
			size_t k = size < sizeof(skip) ? (size_t)size : sizeof(skip);
			if (read_full(a->fd, skip, k) != (ssize_t)k) {
				snprintf(err, err_len, "%s: WAV header ends inside a chunk", a->label);
				return AUDIO_E_INPUT;
			}
			size -= k;
		}
	}
	if (!have_fmt) {
		snprintf(err, err_len, "%s: WAV stream has no fmt chunk before its data", a->label);
		return AUDIO_E_INPUT;
	}
	a->fmt.enc = tag == 3 ? AUDIO_ENC_FLOAT : a->fmt.bits == 8 ? AUDIO_ENC_UNSIGNED
	                                                          : AUDIO_ENC_SIGNED;
	if ((tag != 1 && tag != 3) || !valid_layout(a->fmt.enc, a->fmt.bits)) {
		snprintf(err, err_len, "%s: WAV encoding (format tag %d, %d bits) is not PCM 8/16/24/32 "
		         "or float 32/64", a->label, tag, a->fmt.bits);
		return AUDIO_E_INPUT;
	}
	a->fmt.frames = -1;
	return AUDIO_OK;
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
			if ((rc = wav_read_header(a, err, err_len)))
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
		a->fmt.frames = (long long)((size_t)st.st_size / a->frame_bytes);
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
		a->buf_n = 0;
		if ((rc = check_unchanged(a, err, err_len)))
			return rc;
	}
	return (long)n;
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

/* --- output format ---------------------------------------------------- */

/* What an output path names now. */
enum out_kind {
	OUT_STDOUT,     /* "-" */
	OUT_FILE,       /* a regular file, or nothing yet (st.st_nlink == 0) */
	OUT_DIRECT,     /* a character device, FIFO or socket: written in place */
	OUT_FOLDER,
	OUT_BLOCK,      /* a block device: never written */
	OUT_DANGLING,   /* a symbolic link to nothing */
	OUT_ERROR,      /* stat failed otherwise: errno */
};

/* 1 when path reaches its file through a /proc/PID/fd link (/dev/stdout,
 * /dev/fd/N): that names a descriptor someone already opened (a shell's
 * redirection), to be written in place, never replaced. */
static int through_fd_link(const char *path)
{
	char cur[PATH_MAX], dir[PATH_MAX], link[PATH_MAX];

	snprintf(cur, sizeof(cur), "%s", path);
	for (int hops = 0; hops < 40; hops++) {
		char *slash = strrchr(cur, '/');
		struct stat st;
		ssize_t n;
		snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - cur) + 1 : 1,
		         slash ? cur : ".");
		if (realpath(dir, link) && !strncmp(link, "/proc/", 6) &&
		    (n = (ssize_t)strlen(link)) > 3 && !strcmp(link + n - 3, "/fd"))
			return 1;
		if (lstat(cur, &st) || !S_ISLNK(st.st_mode) ||
		    (n = readlink(cur, link, sizeof(link) - 1)) < 0)
			return 0;
		link[n] = 0;
		if (link[0] == '/' || !slash)
			snprintf(cur, sizeof(cur), "%s", link);
		else
			snprintf(cur + (slash - cur) + 1, sizeof(cur) - (size_t)(slash - cur) - 1, "%s",
			         link);
	}
	return 0;
}

static enum out_kind out_kind(const char *path, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	if (!strcmp(path, "-"))
		return OUT_STDOUT;
	if (stat(path, st)) {
		int e = errno;
		if (e != ENOENT)
			return OUT_ERROR;
		memset(st, 0, sizeof(*st));
		if (!lstat(path, st) && S_ISLNK(st->st_mode))
			return OUT_DANGLING;
		memset(st, 0, sizeof(*st));
		return OUT_FILE;
	}
	if (S_ISREG(st->st_mode))
		return through_fd_link(path) ? OUT_DIRECT : OUT_FILE;
	if (S_ISDIR(st->st_mode))
		return OUT_FOLDER;
	return S_ISBLK(st->st_mode) ? OUT_BLOCK : OUT_DIRECT;
}

static int same_inode(const char *path, const struct stat *st)
{
	struct stat sp;

	return path && strcmp(path, "-") && !stat(path, &sp) && sp.st_dev == st->st_dev &&
	       sp.st_ino == st->st_ino;
}

int audio_out_check(const char *path, const char *in, const char *model,
                    const struct audio_out_opts *o, char *err, size_t err_len)
{
	struct stat st;
	enum out_kind k = out_kind(path, &st);
	const char *ext = path_ext(path);

	if (k == OUT_STDOUT)
		return AUDIO_OK;
	if (!strcasecmp(ext, "onnx")) {
		snprintf(err, err_len, "%s: refusing to write audio to a .onnx name (the model comes "
		         "first: gtcrn-run [MODEL.onnx] IN OUT)", path);
		return AUDIO_E_USAGE;
	}
	switch (k) {
	case OUT_ERROR:
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return AUDIO_E_OUTPUT;
	case OUT_FOLDER:
		snprintf(err, err_len, "%s: is a folder, not a file name (a batch writes into a "
		         "folder with -o DIR)", path);
		return AUDIO_E_OUTPUT;
	case OUT_BLOCK:
		snprintf(err, err_len, "%s: is a block device: refusing to write audio onto it", path);
		return AUDIO_E_OUTPUT;
	case OUT_DANGLING:
		snprintf(err, err_len, "%s: a symbolic link to a file that does not exist: "
		         "refusing to follow it", path);
		return AUDIO_E_OUTPUT;
	default:
		break;
	}
	if (st.st_nlink && (same_inode(in, &st) || (in && audio_same_file(in, path)))) {
		snprintf(err, err_len, "%s: the output is the input file: refusing to overwrite it",
		         path);
		return AUDIO_E_OUTPUT;
	}
	if (st.st_nlink && same_inode(model, &st)) {
		snprintf(err, err_len, "%s: the output is the model file: refusing to overwrite it",
		         path);
		return AUDIO_E_OUTPUT;
	}
	if (k == OUT_DIRECT)
		return AUDIO_OK;
	if (st.st_nlink) {
		if (!o->force && (!(st.st_mode & 0222) || access(path, W_OK))) {
			snprintf(err, err_len, "%s: the file is read-only: refusing to replace it "
			         "(--force replaces it and keeps its mode)", path);
			return AUDIO_E_OUTPUT;
		}
	}
	if (!o->type && !is_raw_ext(path) && !ext_major(ext)) {
		snprintf(err, err_len, "%s: %s%s%s: name the file .wav, .flac, .ogg, .aiff, .raw ... "
		         "or give --out-type wav|raw", path, *ext ? "unknown audio file type '."
		         : "no extension to choose the audio format by", ext, *ext ? "'" : "");
		return AUDIO_E_USAGE;
	}
	return AUDIO_OK;
}

int audio_out_format(const char *path, const struct audio_format *in,
                     const struct audio_out_opts *o, struct audio_format *out, char *err,
                     size_t err_len)
{
	struct stat st;
	enum out_kind kind = out_kind(path, &st);
	int is_stdout = kind == OUT_STDOUT, explicit = o->enc || o->bits;
	int direct = is_stdout || kind == OUT_DIRECT;   /* written as a stream, never sought */
	const char *label = is_stdout ? "stdout" : path;
	int ext_fmt = ext_major(path_ext(path));

	*out = *in;
	if (o->enc) {
		out->enc = o->enc;
		if (!o->bits)
			out->bits = o->enc == AUDIO_ENC_FLOAT ? 32
			            : in->enc == AUDIO_ENC_SIGNED || in->enc == AUDIO_ENC_UNSIGNED
			            ? in->bits : 16;
	}
	if (o->bits) {
		out->bits = o->bits;
		if (!o->enc && (out->enc == AUDIO_ENC_NONE ||
		                (out->enc == AUDIO_ENC_FLOAT && o->bits != 32 && o->bits != 64)))
			out->enc = AUDIO_ENC_SIGNED;
	}
	if (o->rate_hz > 0) {
		if (in->frames >= 0)
			out->frames = llround((double)in->frames * o->rate_hz / in->rate_hz);
		out->rate_hz = o->rate_hz;
	}
	if (o->type)
		out->type = o->type;
	else if (is_raw_ext(path))
		out->type = AUDIO_RAW;
	else if (direct && !ext_fmt)     /* stdout, /dev/null: as the input, raw or WAV */
		out->type = in->type == AUDIO_RAW ? AUDIO_RAW : AUDIO_WAV;
	else if (direct && is_wav_family(ext_fmt))
		out->type = AUDIO_WAV;
	else
		out->type = AUDIO_SNDFILE;
	if (!direct && out->type == AUDIO_WAV)
		out->type = AUDIO_SNDFILE;
	if (out->type != AUDIO_SNDFILE) {
		if (out->enc == AUDIO_ENC_NONE) {
			out->enc = AUDIO_ENC_SIGNED;
			out->bits = 16;
		}
		if (out->type == AUDIO_WAV && out->enc != AUDIO_ENC_FLOAT)   /* WAV: u8, s16..s32 */
			out->enc = out->bits == 8 ? AUDIO_ENC_UNSIGNED : AUDIO_ENC_SIGNED;
		if (!valid_layout(out->enc, out->bits)) {
			snprintf(err, err_len, "%s: %d-bit %s samples cannot be written (integers: 8, 16, "
			         "24, 32 bits; float: 32, 64)", label, out->bits, enc_name(out->enc));
			return AUDIO_E_USAGE;
		}
		out->sf_format = 0;
		return AUDIO_OK;
	}
	{
		int in_major = in->type == AUDIO_SNDFILE ? in->sf_format & SF_FORMAT_TYPEMASK : 0;
		int major = o->type == AUDIO_WAV ? SF_FORMAT_WAV : ext_fmt, sub;
		SF_INFO info = { 0 };
		static const int fallback[] = { SF_FORMAT_PCM_16, SF_FORMAT_PCM_24, SF_FORMAT_VORBIS,
		                                SF_FORMAT_OPUS, SF_FORMAT_MPEG_LAYER_III,
		                                SF_FORMAT_FLOAT };

		if (!major || (in_major && (major == in_major ||
		                            (major == SF_FORMAT_WAV && is_wav_family(in_major)))))
			major = in_major ? in_major : SF_FORMAT_WAV;
		if (out->enc == AUDIO_ENC_NONE)
			sub = major == in_major ? in->sf_format & SF_FORMAT_SUBMASK : 0;
		else
			sub = layout_subtype(major, out->enc, out->bits);
		if (!strcasecmp(path_ext(path), "opus") && !explicit)
			sub = SF_FORMAT_OPUS;
		info.samplerate = out->rate_hz;
		info.channels = out->channels;
		info.format = major | sub;
		if (!sub || !sf_format_check(&info)) {
			if (explicit && out->enc != AUDIO_ENC_NONE) {
				snprintf(err, err_len, "%s: a %s file cannot hold %d-bit %s samples", label,
				         major_name(major), out->bits, enc_name(out->enc));
				return AUDIO_E_USAGE;
			}
			for (size_t i = 0; i < sizeof(fallback) / sizeof(fallback[0]); i++) {
				info.format = major | fallback[i];
				if (sf_format_check(&info))
					break;
			}
			if (!sf_format_check(&info)) {
				snprintf(err, err_len, "%s: libsndfile cannot write a %s file with %d channels "
				         "at %d Hz", label, major_name(major), out->channels, out->rate_hz);
				return AUDIO_E_USAGE;
			}
		}
		out->sf_format = info.format;
		subtype_layout(info.format, &out->enc, &out->bits);
	}
	return AUDIO_OK;
}

int audio_same_file(const char *in, const char *out)
{
	struct stat si, so;
	char rin[PATH_MAX], rdir[PATH_MAX], dir[PATH_MAX], full[PATH_MAX + 256];
	const char *slash, *base;

	if (!strcmp(in, "-") || !strcmp(out, "-"))
		return 0;
	if (!stat(in, &si) && !stat(out, &so))
		return si.st_dev == so.st_dev && si.st_ino == so.st_ino;
	if (!realpath(in, rin))
		return 0;
	slash = strrchr(out, '/');
	base = slash ? slash + 1 : out;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - out) + 1 : 1, slash ? out : ".");
	if (!realpath(dir, rdir))
		return 0;
	snprintf(full, sizeof(full), "%s/%s", strcmp(rdir, "/") ? rdir : "", base);
	return !strcmp(full, rin);
}

/* --- output ----------------------------------------------------------- */

/* A RIFF/WAVE header for frames frames (-1 = unknown: sizes 0xFFFFFFFF). */
static size_t wav_header(unsigned char *h, const struct audio_format *f, long long frames)
{
	int is_float = f->enc == AUDIO_ENC_FLOAT, block = f->channels * f->bits / 8;
	size_t fmt_len = is_float ? 18 : 16, len = 12 + 8 + fmt_len + (is_float ? 12 : 0) + 8;
	uint64_t data = frames >= 0 ? (uint64_t)frames * (uint64_t)block : 0xFFFFFFFFu;
	uint64_t riff = frames >= 0 ? len - 8 + data + (data & 1) : 0xFFFFFFFFu;
	unsigned char *p = h;

	if (data > 0xFFFFFFFFu)
		data = 0xFFFFFFFFu;
	if (riff > 0xFFFFFFFFu)
		riff = 0xFFFFFFFFu;
	memcpy(p, "RIFF", 4);
	put_le(p + 4, riff, 4);
	memcpy(p + 8, "WAVEfmt ", 8);
	put_le(p + 16, fmt_len, 4);
	put_le(p + 20, is_float ? 3 : 1, 2);
	put_le(p + 22, (uint64_t)f->channels, 2);
	put_le(p + 24, (uint64_t)f->rate_hz, 4);
	put_le(p + 28, (uint64_t)f->rate_hz * (uint64_t)block, 4);
	put_le(p + 32, (uint64_t)block, 2);
	put_le(p + 34, (uint64_t)f->bits, 2);
	p += 36;
	if (is_float) {
		put_le(p, 0, 2);                      /* cbSize */
		memcpy(p + 2, "fact", 4);
		put_le(p + 6, 4, 4);
		put_le(p + 10, frames >= 0 && frames <= 0xFFFFFFFFll ? (uint64_t)frames
		                                                      : 0xFFFFFFFFu, 4);
		p += 14;
	}
	memcpy(p, "data", 4);
	put_le(p + 4, data, 4);
	return len;
}

static void out_free(struct audio_out *a)
{
	if (a->src)
		src_delete(a->src);
	free(a->rbuf);
	free(a->buf);
	free(a->ibuf);
	free(a->target);
	free(a);
}

void audio_out_abort(struct audio_out *a)
{
	if (!a)
		return;
	if (a->sf)
		sf_close(a->sf);
	if (a->path) {
		if (a->fd >= 0)
			close(a->fd);
		if (a->created)
			unlink(temp_slots[a->slot].path);
	}
	temp_release(a->slot);
	out_free(a);
}

/* A temporary file in the folder of dest (the path or a link's target),
 * with the mode (and, where allowed, the owner) of the file it replaces,
 * st (st_nlink 0: a new file, the umask's mode). */
static int out_temp(struct audio_out *a, const char *dest, const struct stat *st, char *err,
                    size_t err_len)
{
	const char *slash = strrchr(dest, '/'), *base = slash ? slash + 1 : dest;
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - dest) + 1 : 1, slash ? dest : ".");
	if ((a->slot = temp_take()) < 0) {
		snprintf(err, err_len, "%s: too many outputs open at once", a->path);
		return AUDIO_E_OUTPUT;
	}
	if (snprintf(temp_slots[a->slot].path, PATH_MAX, "%s.%s.gtcrn-XXXXXX",
	             slash ? dir : "", base) >= PATH_MAX) {
		snprintf(err, err_len, "%s: path too long", a->path);
		return AUDIO_E_OUTPUT;
	}
	atomic_signal_fence(memory_order_seq_cst);
	temp_slots[a->slot].active = 1;
	atomic_signal_fence(memory_order_seq_cst);
	if ((a->fd = mkostemp(temp_slots[a->slot].path, O_CLOEXEC)) < 0) {
		snprintf(err, err_len, "%s: cannot create a file in folder '%s': %s", a->path, dir,
		         strerror(errno));
		return AUDIO_E_OUTPUT;
	}
	a->created = 1;
	if (fchmod(a->fd, st->st_nlink ? st->st_mode & 07777 : file_mode)) {
		snprintf(err, err_len, "%s: cannot set the file mode: %s", a->path, strerror(errno));
		return AUDIO_E_OUTPUT;
	}
	if (st->st_nlink && (st->st_uid != geteuid() || st->st_gid != getegid()) &&
	    fchown(a->fd, st->st_uid, st->st_gid))
		(void)fchown(a->fd, (uid_t)-1, st->st_gid);   /* the group alone, if that is allowed */
	return AUDIO_OK;
}

/* Where the bytes go: stdout, the device or FIFO itself, or a temporary file. */
static int out_dest(struct audio_out *a, const char *path, char *err, size_t err_len)
{
	struct stat st, lst;

	switch (out_kind(path, &st)) {
	case OUT_STDOUT:
		a->fd = STDOUT_FILENO;
		return AUDIO_OK;
	case OUT_DIRECT:
		a->path = path;
		a->direct = 1;
		/* a regular file here is a shell's redirection: written from its start */
		if ((a->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC |
		                  (S_ISREG(st.st_mode) ? O_TRUNC : 0))) < 0) {
			snprintf(err, err_len, "%s: cannot open for writing: %s", path, strerror(errno));
			return AUDIO_E_OUTPUT;
		}
		return AUDIO_OK;
	case OUT_FILE:
		break;
	default:   /* audio_out_check names these */
		snprintf(err, err_len, "%s: not a file that audio can be written to", path);
		return AUDIO_E_OUTPUT;
	}
	a->path = path;
	if (st.st_nlink && !lstat(path, &lst) && S_ISLNK(lst.st_mode) &&
	    !(a->target = realpath(path, NULL))) {
		snprintf(err, err_len, "%s: cannot resolve the symbolic link: %s", path,
		         strerror(errno));
		return AUDIO_E_OUTPUT;
	}
	return out_temp(a, a->target ? a->target : path, &st, err, err_len);
}

int audio_out_open(const char *path, const struct audio_format *fmt, int in_rate_hz,
                   struct audio_out **out, char *err, size_t err_len)
{
	struct audio_out *a = calloc(1, sizeof(*a));
	int e = 0, rc;

	*out = NULL;
	if (!a) {
		snprintf(err, err_len, "out of memory");
		return AUDIO_E_OUTPUT;
	}
	a->fmt = *fmt;
	a->fd = -1;
	a->slot = -1;
	a->frame_bytes = (size_t)fmt->channels * (size_t)(fmt->bits / 8);
	if (in_rate_hz > 0 && in_rate_hz != fmt->rate_hz) {
		a->ratio = (double)fmt->rate_hz / in_rate_hz;
		a->rcap = 4096;
		a->src = src_new(SRC_SINC_MEDIUM_QUALITY, fmt->channels, &e);
		a->rbuf = malloc(a->rcap * (size_t)fmt->channels * sizeof(float));
		if (!a->src || !a->rbuf) {
			snprintf(err, err_len, "output resampler: %s", a->src ? "out of memory"
			                                                      : src_strerror(e));
			out_free(a);
			return AUDIO_E_PROCESS;
		}
	}
	if ((rc = out_dest(a, path, err, err_len))) {
		audio_out_abort(a);
		return rc;
	}
	if (a->path && fmt->type == AUDIO_SNDFILE) {
		SF_INFO info = { .samplerate = fmt->rate_hz, .channels = fmt->channels,
		                 .format = fmt->sf_format };
		if (!(a->sf = sf_open_fd(a->fd, SFM_WRITE, &info, SF_FALSE))) {
			snprintf(err, err_len, "%s: cannot write a %s file: %s", path,
			         major_name(fmt->sf_format & SF_FORMAT_TYPEMASK), sf_strerror(NULL));
			audio_out_abort(a);
			return AUDIO_E_OUTPUT;
		}
		sf_command(a->sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
	}
	*out = a;
	return AUDIO_OK;
}

static int grow(void **buf, size_t *cap, size_t need, size_t elem)
{
	void *nb;

	if (*cap >= need)
		return 0;
	if (!(nb = realloc(*buf, need * elem)))
		return -1;
	*buf = nb;
	*cap = need;
	return 0;
}

static const char *out_label(const struct audio_out *a)
{
	return a->path ? a->path : "stdout";
}

static int out_put(struct audio_out *a, const float *buf, size_t frames, char *err,
                   size_t err_len)
{
	size_t k = frames * (size_t)a->fmt.channels;

	if (frames == 0)
		return AUDIO_OK;
	if (a->sf) {
		sf_count_t done;
		if (a->fmt.enc == AUDIO_ENC_SIGNED || a->fmt.enc == AUDIO_ENC_UNSIGNED) {
			/* our rounding (same as the pipe codec), as full-range ints */
			int64_t scale = (int64_t)1 << (32 - a->fmt.bits);
			if (grow((void **)&a->ibuf, &a->icap, k, sizeof(int))) {
				snprintf(err, err_len, "%s: out of memory", out_label(a));
				return AUDIO_E_OUTPUT;
			}
			for (size_t i = 0; i < k; i++)
				a->ibuf[i] = (int)(quantize(buf[i], a->fmt.bits) * scale);
			done = sf_writef_int(a->sf, a->ibuf, (sf_count_t)frames);
		} else {
			done = sf_writef_float(a->sf, buf, (sf_count_t)frames);
		}
		if (done != (sf_count_t)frames) {
			snprintf(err, err_len, "%s: write failed: %s", out_label(a), sf_strerror(a->sf));
			return AUDIO_E_OUTPUT;
		}
		a->frames += (long long)frames;
		return AUDIO_OK;
	}
	if (a->fmt.type == AUDIO_WAV && !a->header_done) {
		unsigned char h[64];
		size_t len = wav_header(h, &a->fmt, a->fmt.frames);
		a->header_off = lseek(a->fd, 0, SEEK_CUR);
		if (write_full(a->fd, h, len)) {
			snprintf(err, err_len, "%s: write failed: %s", out_label(a), strerror(errno));
			return AUDIO_E_OUTPUT;
		}
		a->header_done = 1;
	}
	if (grow((void **)&a->buf, &a->cap, frames * a->frame_bytes, 1)) {
		snprintf(err, err_len, "%s: out of memory", out_label(a));
		return AUDIO_E_OUTPUT;
	}
	for (size_t i = 0; i < k; i++)
		encode_sample(a->buf + i * (size_t)(a->fmt.bits / 8), buf[i], a->fmt.enc, a->fmt.bits);
	if (write_full(a->fd, a->buf, frames * a->frame_bytes)) {
		snprintf(err, err_len, "%s: write failed: %s", out_label(a), strerror(errno));
		return AUDIO_E_OUTPUT;
	}
	a->frames += (long long)frames;
	return AUDIO_OK;
}

/* Feeds the resampler (end = 1: the last frames, then the length is made
 * exactly round(n_in * ratio) by trimming or zero padding). */
static int resample_put(struct audio_out *a, const float *x, size_t n, int end, char *err,
                        size_t err_len)
{
	static const float none[1];
	long long target;
	int rc, e;

	a->n_in += (long long)n;
	target = llround((double)a->n_in * a->ratio);
	for (;;) {
		SRC_DATA d = { .data_in = n ? x : none, .input_frames = (long)n, .data_out = a->rbuf,
		               .output_frames = (long)a->rcap, .end_of_input = end,
		               .src_ratio = a->ratio };
		size_t got;
		if ((e = src_process(a->src, &d))) {
			snprintf(err, err_len, "%s: output resampler: %s", out_label(a), src_strerror(e));
			return AUDIO_E_PROCESS;
		}
		x += (size_t)d.input_frames_used * (size_t)a->fmt.channels;
		n -= (size_t)d.input_frames_used;
		got = (size_t)d.output_frames_gen;
		if (end && a->frames + (long long)got > target)
			got = target > a->frames ? (size_t)(target - a->frames) : 0;
		if ((rc = out_put(a, a->rbuf, got, err, err_len)))
			return rc;
		if (n == 0 && (!end || d.output_frames_gen == 0))
			break;
	}
	if (end) {
		memset(a->rbuf, 0, a->rcap * (size_t)a->fmt.channels * sizeof(float));
		while (a->frames < target) {
			size_t k = target - a->frames < (long long)a->rcap ? (size_t)(target - a->frames)
			                                                   : a->rcap;
			if ((rc = out_put(a, a->rbuf, k, err, err_len)))
				return rc;
		}
	}
	return AUDIO_OK;
}

int audio_out_write(struct audio_out *a, const float *buf, size_t frames, char *err,
                    size_t err_len)
{
	if (a->src)
		return resample_put(a, buf, frames, 0, err, err_len);
	return out_put(a, buf, frames, err, err_len);
}

/* WAV on stdout: a header even for an empty output; when stdout is a
 * regular file (redirected), the header rewritten with the real sizes. */
static int wav_finish(struct audio_out *a)
{
	unsigned char h[64], zero = 0;
	size_t len, data = (size_t)a->frames * a->frame_bytes;
	struct stat st;

	if (a->fmt.type != AUDIO_WAV)
		return 0;
	if (!a->header_done) {
		len = wav_header(h, &a->fmt, a->frames);
		a->header_done = 1;
		return write_full(a->fd, h, len);
	}
	if (a->header_off < 0 || fstat(a->fd, &st) || !S_ISREG(st.st_mode) ||
	    a->frames == a->fmt.frames)
		return 0;
	if ((data & 1) && write_full(a->fd, &zero, 1))
		return -1;
	len = wav_header(h, &a->fmt, a->frames);
	return pwrite(a->fd, h, len, a->header_off) == (ssize_t)len ? 0 : -1;
}

int audio_out_commit(struct audio_out *a, char *err, size_t err_len)
{
	int rc;

	if (a->src && (rc = resample_put(a, NULL, 0, 1, err, err_len))) {
		audio_out_abort(a);
		return rc;
	}
	if (a->sf) {
		rc = sf_close(a->sf);
		a->sf = NULL;
		if (rc) {
			snprintf(err, err_len, "%s: write failed: %s", out_label(a), sf_error_number(rc));
			audio_out_abort(a);
			return AUDIO_E_OUTPUT;
		}
	} else if (wav_finish(a)) {
		snprintf(err, err_len, "%s: write failed: %s", out_label(a), strerror(errno));
		audio_out_abort(a);
		return AUDIO_E_OUTPUT;
	}
	if (!a->path) {
		out_free(a);
		return AUDIO_OK;
	}
	if (!a->direct && fsync(a->fd) && errno != EINVAL) {
		snprintf(err, err_len, "%s: write failed: %s", a->path, strerror(errno));
		audio_out_abort(a);
		return AUDIO_E_OUTPUT;
	}
	rc = close(a->fd);
	a->fd = -1;
	if (rc) {
		snprintf(err, err_len, "%s: write failed: %s", a->path, strerror(errno));
		audio_out_abort(a);
		return AUDIO_E_OUTPUT;
	}
	if (!a->direct && rename(temp_slots[a->slot].path, a->target ? a->target : a->path)) {
		snprintf(err, err_len, "%s: cannot rename the finished output into place: %s",
		         a->path, strerror(errno));
		audio_out_abort(a);
		return AUDIO_E_OUTPUT;
	}
	temp_release(a->slot);
	out_free(a);
	return AUDIO_OK;
}

/* audio_out.c - gtcrn-run's audio output: what the output path names and
 * whether it may be written, then stdout, a device or FIFO written in
 * place, or a mkstemp() file in the destination folder renamed into place
 * when complete (a registry lets a signal handler remove them); frames
 * resampled for --out-rate (audio_resample.c) and encoded by libsndfile or
 * our codec (wav_codec.c). */
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
#include <sndfile.h>
#include "tools/audio_common.h"
#include "tools/audio_resample.h"

#define MAX_TEMP 64                 /* outputs open at once (one per -j thread) */

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
	struct audio_resampler *src; /* to fmt.rate_hz, NULL = none */
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

enum out_kind out_kind(const char *path, struct stat *st)
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

static void out_free(struct audio_out *a)
{
	audio_resampler_free(a->src);
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

int audio_out_open(const char *path, const struct audio_format *fmt, int in_rate_hz, int quality,
                   struct audio_out **out, char *err, size_t err_len)
{
	struct audio_out *a = calloc(1, sizeof(*a));
	char why[128];
	int rc;

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
		audio_resampler_new(fmt->channels, in_rate_hz, fmt->rate_hz, quality, &a->src, why,
		                    sizeof(why));
		a->rbuf = malloc(a->rcap * (size_t)fmt->channels * sizeof(float));
		if (!a->src || !a->rbuf) {
			snprintf(err, err_len, "output resampler: %s", a->src ? "out of memory" : why);
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
	char why[128];
	long long target;
	int rc;

	a->n_in += (long long)n;
	target = llround((double)a->n_in * a->ratio);
	for (;;) {
		size_t used, made, got;
		if (audio_resampler_run(a->src, x, n, &used, a->rbuf, a->rcap, &made, end, why,
		                        sizeof(why))) {
			snprintf(err, err_len, "%s: output resampler: %s", out_label(a), why);
			return AUDIO_E_PROCESS;
		}
		if (n)
			x += used * (size_t)a->fmt.channels;
		n -= used;
		got = made;
		if (end && a->frames + (long long)got > target)
			got = target > a->frames ? (size_t)(target - a->frames) : 0;
		if ((rc = out_put(a, a->rbuf, got, err, err_len)))
			return rc;
		if (n == 0 && (!end || made == 0))
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

int audio_out_write_bytes(struct audio_out *a, const void *buf, size_t len, char *err,
                          size_t err_len)
{
	if (write_full(a->fd, buf, len)) {
		snprintf(err, err_len, "%s: write failed: %s", out_label(a), strerror(errno));
		return AUDIO_E_OUTPUT;
	}
	return AUDIO_OK;
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

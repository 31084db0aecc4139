/* audio_io.h - audio in and out for gtcrn-run: files through libsndfile, raw
 * PCM and WAV on pipes (a small streaming WAV codec, since libsndfile cannot
 * seek on a pipe), and outputs written to a temporary file in the destination
 * folder that is renamed into place only when complete.
 * Samples are floats in [-1, 1), interleaved by channel. */
#ifndef AUDIO_IO_H
#define AUDIO_IO_H

#include <stddef.h>

/* Status of the audio_* calls; the values are gtcrn-run's exit codes. */
enum audio_status {
	AUDIO_OK = 0,
	AUDIO_E_USAGE = 1,      /* options that do not fit the file */
	AUDIO_E_INPUT = 2,      /* missing, unreadable or malformed input */
	AUDIO_E_OUTPUT = 4,     /* output cannot be created or written */
	AUDIO_E_PROCESS = 5,    /* the output resampler failed */
};

enum audio_type {
	AUDIO_AUTO = 0,         /* files: by extension; stdin: WAV header sniffed */
	AUDIO_RAW,              /* headerless little-endian PCM */
	AUDIO_WAV,              /* RIFF WAVE through our own codec (stdin, stdout) */
	AUDIO_SNDFILE,          /* any format libsndfile handles (files) */
};

enum audio_enc {
	AUDIO_ENC_NONE = 0,     /* not given / a compressed libsndfile subtype */
	AUDIO_ENC_SIGNED,
	AUDIO_ENC_UNSIGNED,
	AUDIO_ENC_FLOAT,
};

struct audio_format {
	enum audio_type type;
	int rate_hz;            /* frames per second */
	int channels;
	enum audio_enc enc;     /* sample encoding */
	int bits;               /* bits per sample: 8, 16, 24, 32; 64 for float */
	int sf_format;          /* AUDIO_SNDFILE: libsndfile major | subtype */
	long long frames;       /* frames in the stream; -1 = unknown (pipes) */
};

/* What the command line says about the output; zero fields keep the input's. */
struct audio_out_opts {
	enum audio_type type;   /* AUDIO_RAW or AUDIO_WAV; AUTO: by extension / as the input */
	enum audio_enc enc;
	int bits;
	int rate_hz;
	int force;              /* replace a read-only output file */
};

struct audio_in;
struct audio_out;

/* Call once at startup, before any thread: notes the umask for outputs. */
void audio_io_init(void);

/* Opens path ("-" = stdin). hint: type (AUTO/RAW/WAV) and the raw layout
 * from -r/-c/-e/-b (zero = not given). Messages name the file. */
int audio_in_open(const char *path, const struct audio_format *hint, struct audio_in **out,
                  char *err, size_t err_len);
const struct audio_format *audio_in_format(const struct audio_in *a);
/* Reads at most max_frames frames into buf[max_frames * channels]. Returns
 * the frames read (at least one, as soon as one is available on a pipe), 0
 * at the end, or -AUDIO_E_INPUT with a message. */
long audio_in_read(struct audio_in *a, float *buf, size_t max_frames, char *err, size_t err_len);
/* The next warning about the input not yet taken, or NULL: raw input that
 * starts with a known file header (after open), a partial frame dropped
 * at the end (after the last read). The input's name leads each one. */
const char *audio_in_warning(struct audio_in *a);
void audio_in_close(struct audio_in *a);                       /* accepts NULL */

/* The output format for path ("-" = stdout) from the input's format and the
 * options: type by extension (files) or the input's (stdout); encoding, bits
 * and rate from the input unless given; the libsndfile major format from
 * the extension, else the input's. */
int audio_out_format(const char *path, const struct audio_format *in,
                     const struct audio_out_opts *o, struct audio_format *out, char *err,
                     size_t err_len);
/* Checks, before any processing, that path ("-" = stdout) may take the
 * output: never the input or the model file (same device and inode), never
 * a name ending in .onnx, a folder or a block device; a read-only regular
 * file only with o->force; a regular file (new or existing) needs a known
 * audio extension unless o->type names the format. Character devices and
 * FIFOs (/dev/null, /dev/stdout on a pipe) are written directly, like
 * stdout. in and model may be NULL. AUDIO_E_USAGE or AUDIO_E_OUTPUT with a
 * message naming path. */
int audio_out_check(const char *path, const char *in, const char *model,
                    const struct audio_out_opts *o, char *err, size_t err_len);
/* 1 if both paths name the same file (same device and inode, or the same
 * real path when out does not exist yet), else 0. */
int audio_same_file(const char *in, const char *out);
/* One line such as "WAV, 16000 Hz, 2 channels, 16-bit signed". */
void audio_format_describe(const struct audio_format *f, char *buf, size_t len);

/* Creates the output: stdout for "-"; a character device or FIFO opened
 * and written directly; else a temporary file in the folder of path (of
 * its target when path is a symbolic link: the link stays and the file it
 * names is replaced) renamed into place by audio_out_commit; a replaced
 * file's mode (and, where allowed, owner) is kept.
 * fmt->frames, when known, is the length the output will have (WAV header
 * on a pipe). Frames are given at in_rate_hz; when that differs from
 * fmt->rate_hz they are resampled (tools/audio_resample.h, speexdsp at
 * quality 0..10, -1 = its default) to round(n * ratio). */
int audio_out_open(const char *path, const struct audio_format *fmt, int in_rate_hz, int quality,
                   struct audio_out **out, char *err, size_t err_len);
int audio_out_write(struct audio_out *a, const float *buf, size_t frames, char *err,
                    size_t err_len);
/* Bytes as they are, for a text output opened with fmt->type AUDIO_RAW (the
 * same temporary file and rename as audio). */
int audio_out_write_bytes(struct audio_out *a, const void *buf, size_t len, char *err,
                          size_t err_len);
/* Completes the output (resampler tail, header, fsync, rename into place)
 * and frees a. On failure the temporary file is removed as well. */
int audio_out_commit(struct audio_out *a, char *err, size_t err_len);
/* Drops the output: removes the temporary file, frees a (accepts NULL). */
void audio_out_abort(struct audio_out *a);
/* Async-signal-safe: unlinks every temporary output still open. */
void audio_remove_temp_files(void);

#endif

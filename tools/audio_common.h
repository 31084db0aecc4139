/* audio_common.h - shared by gtcrn-run's audio files (audio_format.c,
 * wav_codec.c, audio_in.c, audio_out.c); the program sees audio_io.h. */
#ifndef AUDIO_COMMON_H
#define AUDIO_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include "tools/audio_io.h"

/* --- audio_format.c: names, extensions and sample layouts --- */
const char *path_ext(const char *path);          /* after the base name's last '.', or "" */
int is_raw_ext(const char *path);                /* .raw or .pcm */
const char *enc_name(enum audio_enc e);
int valid_layout(enum audio_enc enc, int bits);  /* one our codec reads and writes */
void subtype_layout(int sf_format, enum audio_enc *enc, int *bits);
int is_wav_family(int major);                    /* WAV, WAVEX, RF64 */
const char *major_name(int major);               /* "FLAC"... for messages */
int ext_major(const char *ext);                  /* the libsndfile major format, or 0 */

/* --- wav_codec.c: little-endian PCM and the WAV header, in one pass --- */
float decode_sample(const unsigned char *p, enum audio_enc enc, int bits);
void encode_sample(unsigned char *p, float x, enum audio_enc enc, int bits);
/* Rounds x to a signed integer of 'bits' bits, clipped (NaN -> 0). */
int64_t quantize(float x, int bits);
int write_full(int fd, const void *buf, size_t n);               /* 0, or -1 (errno) */
/* Reads a RIFF/WAVE header from fd up to the start of the data chunk: the
 * layout into f, the data bytes into *left_bytes (-1 = until EOF). */
int wav_read_header(int fd, const char *label, struct audio_format *f, long long *left_bytes,
                    char *err, size_t err_len);
/* A RIFF/WAVE header for frames frames (-1 = unknown: sizes 0xFFFFFFFF) into
 * h (64 bytes); returns its length. */
size_t wav_header(unsigned char *h, const struct audio_format *f, long long frames);

/* --- audio_out.c --- */
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
enum out_kind out_kind(const char *path, struct stat *st);

#endif

/* wav_codec.c - gtcrn-run's own PCM codec for pipes: little-endian samples
 * of any layout to and from floats, and the RIFF/WAVE header read and
 * written in one pass (libsndfile cannot seek on a pipe). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "tools/audio_common.h"

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

float decode_sample(const unsigned char *p, enum audio_enc enc, int bits)
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
int64_t quantize(float x, int bits)
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

void encode_sample(unsigned char *p, float x, enum audio_enc enc, int bits)
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

int write_full(int fd, const void *buf, size_t n)
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

int wav_read_header(int fd, const char *label, struct audio_format *f, long long *left_bytes,
                    char *err, size_t err_len)
{
	unsigned char h[12], ck[8], fmt[64];
	int have_fmt = 0, tag = 0;

	if (read_full(fd, h, 12) != 12 || (memcmp(h, "RIFF", 4) && memcmp(h, "RF64", 4)) ||
	    memcmp(h + 8, "WAVE", 4)) {
		snprintf(err, err_len, "%s: not a WAV stream (no RIFF/WAVE header); for raw PCM give "
		         "-t raw -r RATE [-c CHANNELS -e ENCODING -b BITS]", label);
		return AUDIO_E_INPUT;
	}
	for (;;) {
		uint64_t size;
		if (read_full(fd, ck, 8) != 8) {
			snprintf(err, err_len, "%s: WAV header ends before the data chunk", label);
			return AUDIO_E_INPUT;
		}
		size = get_le(ck + 4, 4);
		if (!memcmp(ck, "fmt ", 4)) {
			size_t keep = size < sizeof(fmt) ? (size_t)size : sizeof(fmt);
			if (size < 16 || read_full(fd, fmt, keep) != (ssize_t)keep) {
				snprintf(err, err_len, "%s: bad WAV fmt chunk (%llu bytes)", label,
				         (unsigned long long)size);
				return AUDIO_E_INPUT;
			}
			size -= keep;
			tag = (int)get_le(fmt, 2);
			if (tag == 0xFFFE && keep >= 26)       /* WAVE_FORMAT_EXTENSIBLE: the GUID's tag */
				tag = (int)get_le(fmt + 24, 2);
			f->channels = (int)get_le(fmt + 2, 2);
			f->rate_hz = (int)get_le(fmt + 4, 4);
			f->bits = (int)get_le(fmt + 14, 2);
			have_fmt = 1;
		} else if (!memcmp(ck, "data", 4)) {
			/* pipes carry 0 or 0xFFFFFFFF when the writer did not know the length */
			*left_bytes = size == 0 || size == 0xFFFFFFFFu || !memcmp(h, "RF64", 4)
			                ? -1 : (long long)size;
			break;
		}
		size += size & 1;                         /* chunks are padded to even sizes */
		while (size) {
			unsigned char skip[4096];
			size_t k = size < sizeof(skip) ? (size_t)size : sizeof(skip);
			if (read_full(fd, skip, k) != (ssize_t)k) {
				snprintf(err, err_len, "%s: WAV header ends inside a chunk", label);
				return AUDIO_E_INPUT;
			}
			size -= k;
		}
	}
	if (!have_fmt) {
		snprintf(err, err_len, "%s: WAV stream has no fmt chunk before its data", label);
		return AUDIO_E_INPUT;
	}
	f->enc = tag == 3 ? AUDIO_ENC_FLOAT : f->bits == 8 ? AUDIO_ENC_UNSIGNED
	                                                          : AUDIO_ENC_SIGNED;
	if ((tag != 1 && tag != 3) || !valid_layout(f->enc, f->bits)) {
		snprintf(err, err_len, "%s: WAV encoding (format tag %d, %d bits) is not PCM 8/16/24/32 "
		         "or float 32/64", label, tag, f->bits);
		return AUDIO_E_INPUT;
	}
	f->frames = -1;
	return AUDIO_OK;
}


/* A RIFF/WAVE header for frames frames (-1 = unknown: sizes 0xFFFFFFFF). */
size_t wav_header(unsigned char *h, const struct audio_format *f, long long frames)
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

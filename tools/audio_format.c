/* audio_format.c - audio formats for gtcrn-run: names, extensions, sample
 * layouts and libsndfile subtypes, and the output format chosen from the
 * input's, the options and the output's name. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sndfile.h>
#include "tools/audio_common.h"

const char *path_ext(const char *path)
{
	const char *base = strrchr(path, '/'), *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	return dot && dot != base ? dot + 1 : "";
}

int is_raw_ext(const char *path)
{
	const char *e = path_ext(path);

	return !strcasecmp(e, "raw") || !strcasecmp(e, "pcm");
}

const char *enc_name(enum audio_enc e)
{
	switch (e) {
	case AUDIO_ENC_SIGNED: return "signed";
	case AUDIO_ENC_UNSIGNED: return "unsigned";
	case AUDIO_ENC_FLOAT: return "float";
	default: return "compressed";
	}
}

int valid_layout(enum audio_enc enc, int bits)
{
	if (enc == AUDIO_ENC_FLOAT)
		return bits == 32 || bits == 64;
	return (enc == AUDIO_ENC_SIGNED || enc == AUDIO_ENC_UNSIGNED) &&
	       (bits == 8 || bits == 16 || bits == 24 || bits == 32);
}

void subtype_layout(int sf_format, enum audio_enc *enc, int *bits)
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

int is_wav_family(int major)
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

const char *major_name(int major)
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
int ext_major(const char *ext)
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

/* The message for samples a file type cannot hold, naming what works: the
 * layouts that type takes (at the output's rate and channels) and the file
 * types (by extension) that take the samples asked for. */
static void what_fits(const char *label, int major, const struct audio_format *f, char *err,
                      size_t err_len)
{
	static const struct { int sub; enum audio_enc enc; int bits; } layouts[] = {
		{ SF_FORMAT_PCM_S8, AUDIO_ENC_SIGNED, 8 }, { SF_FORMAT_PCM_16, AUDIO_ENC_SIGNED, 16 },
		{ SF_FORMAT_PCM_24, AUDIO_ENC_SIGNED, 24 }, { SF_FORMAT_PCM_32, AUDIO_ENC_SIGNED, 32 },
		{ SF_FORMAT_PCM_U8, AUDIO_ENC_UNSIGNED, 8 }, { SF_FORMAT_FLOAT, AUDIO_ENC_FLOAT, 32 },
		{ SF_FORMAT_DOUBLE, AUDIO_ENC_FLOAT, 64 },
	};
	static const char *const exts[] = { "wav", "aiff", "caf", "w64", "au", "rf64", "flac" };
	SF_INFO info = { .samplerate = f->rate_hz, .channels = f->channels };
	size_t k = (size_t)snprintf(err, err_len, "%s: %s files cannot hold %d-bit %s samples "
	                            "(%s:", label, major_name(major), f->bits, enc_name(f->enc),
	                            major_name(major));
	int n = 0;

	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]) && k < err_len; i++) {
		info.format = major | layouts[i].sub;
		if (sf_format_check(&info))
			k += (size_t)snprintf(err + k, err_len - k, "%s %d-bit %s", n++ ? "," : "",
			                      layouts[i].bits, enc_name(layouts[i].enc));
	}
	if (!n && k < err_len)
		k += (size_t)snprintf(err + k, err_len - k, " its own compressed samples only");
	if (!valid_layout(f->enc, f->bits)) {
		if (k < err_len)
			snprintf(err + k, err_len - k, ")");
		return;
	}
	if (k < err_len)
		k += (size_t)snprintf(err + k, err_len - k, "; %d-bit %s:", f->bits, enc_name(f->enc));
	n = 0;
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]) && k < err_len; i++) {
		int m = ext_major(exts[i]);
		info.format = m | layout_subtype(m, f->enc, f->bits);
		if (m && m != major && sf_format_check(&info))
			k += (size_t)snprintf(err + k, err_len - k, "%s .%s", n++ ? "," : "",
			                      exts[i]);
	}
	if (k < err_len)
		snprintf(err + k, err_len - k, "%s .raw)", n ? "," : "");
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
				what_fits(label, major, out, err, err_len);
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

/* fuzz_stream.c - the streaming API under arbitrary samples, chunk sizes
 * and control calls (fuzz.h).
 *
 * Input: byte 0 picks the sample rate, byte 1 the mix, byte 2 the
 * attenuation limit; then a program of one-byte ops: 0 reset, 1 set the mix
 * (next byte), 2 set the limit (next byte), 3 flush, other values start a
 * chunk of ((op << 8) | next byte) % 4097 samples taken as little-endian
 * floats from the bytes that follow (any bit pattern: NaN, infinities,
 * denormals, huge values). Every call must succeed and every output sample
 * must be finite. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enhance/gtcrn.h"
#include "tests/fuzz/fuzz.h"

static gtcrn_model *model(void)
{
	static gtcrn_model *m;
	char err[512];
	const char *path = getenv("GTCRN_FUZZ_MODEL");

	if (!m && gtcrn_model_load(path ? path : MODELS_DIR "/gtcrn_simple.onnx", &m, err,
	                           sizeof(err))) {
		fprintf(stderr, "fuzz_stream: %s\n", err);
		abort();
	}
	return m;
}

static void check(int rc, gtcrn_state *s, const char *what)
{
	if (rc) {
		fprintf(stderr, "fuzz_stream: %s failed: %s\n", what, gtcrn_state_errmsg(s));
		abort();
	}
}

static void check_finite(const float *y, size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(y[i])) {
			fprintf(stderr, "fuzz_stream: %s: output sample %zu is %g\n", what, i, (double)y[i]);
			abort();
		}
}

static float level(uint8_t b)
{
	return b == 255 ? -1.0f : b / 4.0f;      /* dB, or no limit */
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static const int rates[8] = { 16000, 8000, 44100, 48000, 22050, 1000, 96000, 11025 };
	static float x[4096], y[4096];
	gtcrn_opts o;
	gtcrn_state *s = NULL;
	char err[512];
	float *tail;
	size_t at = 3;

	if (n < 3)
		return 0;
	gtcrn_opts_init(&o);
	o.sample_rate = rates[d[0] % 8];
	o.mix = d[1] / 255.0f;
	o.atten_lim_db = level(d[2]);
	if (gtcrn_state_create(model(), &o, &s, err, sizeof(err))) {
		fprintf(stderr, "fuzz_stream: %s\n", err);
		abort();
	}
	tail = malloc((gtcrn_latency(s) + 1) * sizeof(float));
	while (at < n) {
		uint8_t op = d[at++];
		size_t k;
		if (op == 0) {
			check(gtcrn_reset(s), s, "reset");
		} else if (op == 1 && at < n) {
			check(gtcrn_set_mix(s, d[at++] / 255.0f), s, "set_mix");
		} else if (op == 2 && at < n) {
			check(gtcrn_set_atten_limit(s, level(d[at++])), s, "set_atten_limit");
		} else if (op == 3) {
			check(gtcrn_flush(s, tail), s, "flush");
			check_finite(tail, gtcrn_latency(s), "flush");
		} else {
			k = (((size_t)op << 8) | (at < n ? d[at++] : 0)) % 4097;
			for (size_t i = 0; i < k; i++) {
				x[i] = 0.0f;
				if (at + 4 <= n) {
					memcpy(&x[i], d + at, 4);
					at += 4;
				}
			}
			check(gtcrn_process(s, x, y, k), s, "process");
			check_finite(y, k, "process");
		}
	}
	free(tail);
	gtcrn_state_free(s);
	return 0;
}

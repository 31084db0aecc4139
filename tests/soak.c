/* soak.c - hours of audio through the streaming API (issue 5).
 *
 *   soak [SECONDS [RATE]]      default 600 s at 48000 Hz (make check);
 *                              make soak runs 7200 s
 *
 * Generated noisy audio (tones that wander, noise, clicks, and every 10
 * minutes a burst of NaN and infinities) goes through two states of
 * gtcrn_simple: A in random chunks of 1..8192 samples, B one second per call.
 * Every output sample must be finite and A's output must equal B's bit for
 * bit (the output does not depend on the chunking). Both states must count
 * exactly the bad input samples the signal has (300 per burst) and mute no
 * frame (bad input counts as 0; the network's output stays finite). After the first minute
 * the heap in use must not change by a byte, and resident memory must not
 * grow (beyond 256 KiB of code pages first used later). Prints the figures;
 * exits 1 on any failure. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "enhance/gtcrn.h"
#ifdef __GLIBC__
#include <malloc.h>
#endif

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 32);
}

/* Sample i of the test signal at rate hz. */
static float signal_at(uint64_t i, int hz)
{
	double t = (double)i / hz, f = 220 + 180 * sin(2 * M_PI * 0.05 * t);
	uint64_t minute = i / ((uint64_t)hz * 60);
	float noise = (float)((int32_t)rnd() / 2147483648.0);
	float x = (float)(0.2 * sin(2 * M_PI * f * t) * (0.6 + 0.4 * sin(2 * M_PI * 0.3 * t)))
	          + 0.05f * noise;

	if (i % ((uint64_t)hz * 7) < 20)
		x += 0.9f;                                    /* a click every 7 s */
	if (minute % 10 == 9 && i % ((uint64_t)hz * 60) < 300)
		x = i % 3 ? NAN : (i % 2 ? INFINITY : -INFINITY);   /* a bad burst */
	return x;
}

/* The bad samples signal_at() puts in the first total samples at rate hz,
 * counted from its rule (300 at the start of every tenth minute), not from
 * the samples themselves. */
static uint64_t bad_samples_in(uint64_t total, int hz)
{
	uint64_t n = 0, minute = (uint64_t)hz * 60;

	for (uint64_t at = 9 * minute; at < total; at += 10 * minute)
		n += total - at < 300 ? total - at : 300;
	return n;
}

/* Bytes the process has from malloc, in use (-1 where glibc is not there to
 * say): the library allocates nothing per call, so this must not move. */
static long long heap_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
	struct mallinfo2 mi = mallinfo2();
	return (long long)(mi.uordblks + mi.hblkhd);
#else
	return -1;
#endif
}

static long rss_kib(const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = atol(line + strlen(key) + 1);
	if (f)
		fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 600;
	int hz = argc > 2 ? atoi(argv[2]) : 48000;
	const char *path = getenv("GTCRN_SOAK_MODEL");
	gtcrn_model *m = NULL;
	gtcrn_state *a = NULL, *b = NULL;
	gtcrn_opts o;
	char err[512];
	uint64_t total = (uint64_t)(seconds * hz), done = 0, bad = 0;
	float *x = malloc(sizeof(float) * (size_t)hz), *ya = malloc(sizeof(float) * (size_t)hz);
	float *yb = malloc(sizeof(float) * (size_t)hz);
	long rss_start = -1, hwm_start = -1;
	long long heap_start = -1, heap_end;
	unsigned long ns, nf, ns_b, nf_b;

	if (!x || !ya || !yb || seconds <= 0 || hz < 1000)
		return 1;
	rss_kib("VmRSS");                   /* stdio's first fopen allocates for good */
	if (gtcrn_model_load(path ? path : MODELS_DIR "/gtcrn_simple.onnx", &m, err, sizeof(err))) {
		fprintf(stderr, "soak: %s\n", err);
		return 1;
	}
	gtcrn_opts_init(&o);
	o.sample_rate = hz;
	if (gtcrn_state_create(m, &o, &a, err, sizeof(err)) ||
	    gtcrn_state_create(m, &o, &b, err, sizeof(err))) {
		fprintf(stderr, "soak: %s\n", err);
		return 1;
	}
	while (done < total) {
		size_t n = total - done < (uint64_t)hz ? (size_t)(total - done) : (size_t)hz;
		for (size_t i = 0; i < n; i++)
			x[i] = signal_at(done + i, hz);
		for (size_t at = 0; at < n;) {            /* A: random chunks */
			size_t k = 1 + rnd() % 8192;
			k = k < n - at ? k : n - at;
			if (gtcrn_process(a, x + at, ya + at, k)) {
				fprintf(stderr, "soak: A: %s\n", gtcrn_state_errmsg(a));
				return 1;
			}
			at += k;
		}
		if (gtcrn_process(b, x, yb, n)) {          /* B: the whole second */
			fprintf(stderr, "soak: B: %s\n", gtcrn_state_errmsg(b));
			return 1;
		}
		for (size_t i = 0; i < n; i++) {
			if (!isfinite(ya[i]) && !bad++)
				fprintf(stderr, "soak: sample %llu is %g\n", (unsigned long long)(done + i),
				        (double)ya[i]);
			if (memcmp(&ya[i], &yb[i], sizeof(float)) && !bad++)
				fprintf(stderr, "soak: sample %llu: %.9g in random chunks, %.9g in seconds\n",
				        (unsigned long long)(done + i), (double)ya[i], (double)yb[i]);
		}
		done += n;
		if (rss_start < 0 && done >= (uint64_t)hz * 60) {
			heap_start = heap_in_use();
			rss_start = rss_kib("VmRSS");
			hwm_start = rss_kib("VmHWM");
		}
	}
	heap_end = heap_in_use();           /* before stdio allocates its buffers */
	if (rss_start < 0) {
		heap_start = heap_end;
		rss_start = rss_kib("VmRSS");
		hwm_start = rss_kib("VmHWM");
	}
	gtcrn_nonfinite(a, &ns, &nf);
	gtcrn_nonfinite(b, &ns_b, &nf_b);
	printf("soak: %.0f s of audio at %d Hz, %llu samples in random chunks and in seconds: "
	       "%s; %lu bad input samples, %lu muted frames; heap in use %lld bytes after the "
	       "first minute, %lld at the end; RSS %ld KiB after the first minute, %ld KiB at "
	       "the end (peak %ld, then %ld KiB)\n", seconds, hz, (unsigned long long)total,
	       bad ? "DIFFERENT" : "identical, all finite", ns, nf, heap_start, heap_end,
	       rss_start, rss_kib("VmRSS"), hwm_start, rss_kib("VmHWM"));
	/* the heap exactly; resident memory within the code pages that paths
	 * taken for the first time later on (a bad burst) can bring in */
	if (heap_end != heap_start) {
		fprintf(stderr, "soak: the heap in use changed by %lld bytes\n",
		        heap_end - heap_start);
		bad++;
	}
	if (ns != bad_samples_in(total, hz) || ns_b != ns || nf || nf_b) {
		fprintf(stderr, "soak: the states counted %lu and %lu bad input samples, %lu and "
		        "%lu muted frames; the signal has %llu bad samples, and no frame may be "
		        "muted\n", ns, ns_b, nf, nf_b,
		        (unsigned long long)bad_samples_in(total, hz));
		bad++;
	}
	if (rss_kib("VmRSS") > rss_start + 256) {
		fprintf(stderr, "soak: resident memory grew by %ld KiB\n",
		        rss_kib("VmRSS") - rss_start);
		bad++;
	}
	gtcrn_state_free(a);
	gtcrn_state_free(b);
	gtcrn_model_free(m);
	free(x);
	free(ya);
	free(yb);
	return bad ? 1 : 0;
}

/* dnsmos_score.c - the libgtcrn side of `make bench-dnsmos` (until gtcrn-run
 * has --score-only): scores each FILE with gtcrn_dnsmos_score_file, REPEAT
 * times, and prints the scores and the seconds of each call and in total
 * (model load included). The first call makes the model's session; the
 * following ones reuse it, so their difference is the per-call overhead.
 *
 *   tests/dnsmos-score MODEL.onnx FILE... [REPEAT]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "enhance/gtcrn.h"

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	gtcrn_dnsmos_model *m = NULL;
	gtcrn_dnsmos_scores sc;
	char err[1024], *end;
	double t0 = now_s(), t;
	int n_files = argc - 2;
	long repeat = 1;

	if (argc > 3 && (repeat = strtol(argv[argc - 1], &end, 10)) > 0 && !*end)
		n_files--;
	else
		repeat = 1;
	if (n_files < 1) {
		fprintf(stderr, "usage: %s MODEL.onnx FILE... [REPEAT]\n", argv[0]);
		return 2;
	}
	if (gtcrn_dnsmos_model_load(argv[1], &m, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 3;
	}
	for (int f = 0; f < n_files; f++)
		for (long r = 0; r < repeat; r++) {
			const char *path = argv[2 + f];
			t = now_s();
			if (gtcrn_dnsmos_score_file(m, path, &sc, err, sizeof(err))) {
				fprintf(stderr, "%s\n", err);
				gtcrn_dnsmos_model_free(m);
				return 1;
			}
			printf("%s: SIG %.6f BAK %.6f OVRL %.6f raw %.6f %.6f %.6f, %zu windows, "
			       "%.3f s\n", path, sc.sig, sc.bak, sc.ovrl, sc.raw_sig, sc.raw_bak,
			       sc.raw_ovrl, sc.windows, now_s() - t);
		}
	gtcrn_dnsmos_model_free(m);
	printf("dnsmos-score: total %.3f s\n", now_s() - t0);
	return 0;
}

/* wavcmp - compares a host's output file with the library's, for the
 * LADSPA host tests (tests/ladspa/check-hosts.sh).
 *
 *   wavcmp [--shift N] [--tol T] [--floor16] TEST REF
 *   wavcmp --snr DB --level L [--edge N] TEST REF
 *
 * TEST[N + i] is compared with REF[i] on every channel, for every i both
 * files hold; TEST must be at least as long as REF, and its first N
 * samples must be silent (a plugin's output before
 * its reported latency has passed). --floor16: TEST is 16-bit PCM written
 * as floor(x * 32768) (ladspa-sdk's applyplugin); a sample passes when some
 * x within T of REF rounds to it. Prints the largest difference; exit 0
 * when every sample is within T, 1 when not, 2 on errors.
 *
 * --snr: for resampled paths, compared with a reference made by other
 * resamplers. Each channel, over the frames both files hold less N
 * (--edge, default 0) at each end, must have an SNR of at least DB dB
 * against REF and its level within L dB of REF's. Prints both per channel. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sndfile.h>

static float *load(const char *path, SF_INFO *info)
{
	SNDFILE *f;
	float *x;

	memset(info, 0, sizeof *info);
	if (!(f = sf_open(path, SFM_READ, info))) {
		fprintf(stderr, "wavcmp: %s: %s\n", path, sf_strerror(NULL));
		return NULL;
	}
	/* integer samples scaled by 1/32768 etc., not normalised to +-1 peak */
	sf_command(f, SFC_SET_NORM_FLOAT, NULL, SF_TRUE);
	x = malloc(sizeof(float) * (size_t)(info->frames * info->channels + 1));
	if (!x || sf_readf_float(f, x, info->frames) != info->frames) {
		fprintf(stderr, "wavcmp: %s: cannot read %lld frames\n", path,
		        (long long)info->frames);
		free(x);
		x = NULL;
	}
	sf_close(f);
	return x;
}

/* The distance from r to the set of x that floor(x * 32768) maps to t. */
static double floor16_distance(double t, double r)
{
	double lo = t, hi = t + 1.0 / 32768;   /* [lo, hi) */
	return r < lo ? lo - r : r >= hi ? r - hi : 0.0;
}

/* --snr: channel by channel over frames [edge, n - edge) */
static int snr_level(const float *t, const float *r, long long n, int channels, long edge,
                     double min_snr, double max_db, const char *tn, const char *rn)
{
	int ok = 1;

	for (int c = 0; c < channels; c++) {
		double sr = 0, st = 0, se = 0, snr, level;
		for (long long k = edge; k + edge < n; k++) {
			double a = t[k * channels + c], b = r[k * channels + c];
			sr += b * b;
			st += a * a;
			se += (a - b) * (a - b);
		}
		snr = se > 0 ? 10 * log10(sr / se) : INFINITY;
		level = 10 * log10(st / sr);
		ok &= snr >= min_snr && fabs(level) <= max_db;
		printf("wavcmp: %s vs %s, channel %d, %lld frames: SNR %.1f dB (want >= %g), level "
		       "%+.4f dB (want within %g): %s\n", tn, rn, c, n - 2 * edge, snr, min_snr,
		       level, max_db, snr >= min_snr && fabs(level) <= max_db ? "ok" : "FAIL");
	}
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	double min_snr = NAN, max_db = 0.05;
	long edge = 0;
	long shift = 0;
	double tol = 1e-5, worst = 0, lead = 0;
	int floor16 = 0, i = 1;
	SF_INFO ti, ri;
	float *t, *r;
	long long at = -1, n;

	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (!strcmp(argv[i], "--shift") && i + 1 < argc)
			shift = atol(argv[++i]);
		else if (!strcmp(argv[i], "--tol") && i + 1 < argc)
			tol = atof(argv[++i]);
		else if (!strcmp(argv[i], "--floor16"))
			floor16 = 1;
		else if (!strcmp(argv[i], "--snr") && i + 1 < argc)
			min_snr = atof(argv[++i]);
		else if (!strcmp(argv[i], "--level") && i + 1 < argc)
			max_db = atof(argv[++i]);
		else if (!strcmp(argv[i], "--edge") && i + 1 < argc)
			edge = atol(argv[++i]);
		else
			break;
	}
	if (argc - i != 2 || shift < 0) {
		fprintf(stderr, "usage: wavcmp [--shift N] [--tol T] [--floor16] TEST REF\n"
		        "       wavcmp --snr DB --level L [--edge N] TEST REF\n");
		return 2;
	}
	if (!(t = load(argv[i], &ti)) || !(r = load(argv[i + 1], &ri)))
		return 2;
	if (ti.channels != ri.channels || ti.samplerate != ri.samplerate) {
		fprintf(stderr, "wavcmp: %s has %d channels at %d Hz, %s %d at %d Hz\n", argv[i],
		        ti.channels, ti.samplerate, argv[i + 1], ri.channels, ri.samplerate);
		return 1;
	}
	if (!isnan(min_snr)) {        /* lengths may differ by the resamplers' rounding */
		int rc = snr_level(t, r, ti.frames < ri.frames ? ti.frames : ri.frames, ti.channels,
		                   edge, min_snr, max_db, argv[i], argv[i + 1]);
		free(t);
		free(r);
		return rc;
	}
	if (ti.frames < ri.frames || ti.frames < shift) {   /* a host keeps the length */
		fprintf(stderr, "wavcmp: %s has %lld frames, fewer than %s's %lld\n", argv[i],
		        (long long)ti.frames, argv[i + 1], (long long)ri.frames);
		return 1;
	}
	for (long long k = 0; k < (long long)shift * ti.channels; k++)
		lead = fmax(lead, fabs(t[k]));
	n = ti.frames - shift < ri.frames ? ti.frames - shift : ri.frames;
	for (long long k = 0; k < n * ti.channels; k++) {
		double a = t[shift * ti.channels + k], b = r[k];
		double d = floor16 ? floor16_distance(a, b) : fabs(a - b);
		if (!(d <= worst)) {   /* NaN counts as the worst */
			worst = isnan(d) ? INFINITY : d;
			at = k;
		}
	}
	printf("wavcmp: %s vs %s: %lld frames x %d channels after a shift of %ld: max |diff| %.3g"
	       "%s (frame %lld), first %ld frames max |x| %.3g: %s\n", argv[i], argv[i + 1], n,
	       ti.channels, shift, worst, floor16 ? " beyond 16-bit rounding" : "",
	       at < 0 ? 0 : at / ti.channels, shift, lead,
	       worst <= tol && lead <= tol ? "ok" : "FAIL");
	free(t);
	free(r);
	return worst <= tol && lead <= tol ? 0 : 1;
}

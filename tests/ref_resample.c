/* ref_resample.c - libsamplerate as the reference resampler (ref_resample.h). */
#include <check.h>
#include <samplerate.h>
#include <stdlib.h>
#include <string.h>
#include "tests/ref_resample.h"

float *ref_resample(const float *x, size_t n, int from, int to, size_t *m)
{
	SRC_DATA d = { 0 };
	size_t cap = (size_t)((double)n * to / from) + 16;
	float *y = malloc(sizeof(float) * cap);

	ck_assert(y != NULL);
	if (from == to) {
		memcpy(y, x, sizeof(float) * n);
		*m = n;
		return y;
	}
	d.data_in = x;
	d.input_frames = (long)n;
	d.data_out = y;
	d.output_frames = (long)cap;
	d.src_ratio = (double)to / from;
	ck_assert_int_eq(src_simple(&d, SRC_SINC_BEST_QUALITY, 1), 0);
	*m = (size_t)d.output_frames_gen;
	return y;
}

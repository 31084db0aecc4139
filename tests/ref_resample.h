/* ref_resample.h - libsamplerate as the tests' independent resampler (the
 * library and gtcrn-run use speexdsp): the reference for resampled paths. */
#ifndef TESTS_REF_RESAMPLE_H
#define TESTS_REF_RESAMPLE_H

#include <stddef.h>

/* x[n] at rate `from` resampled to rate `to` (SRC_SINC_BEST_QUALITY; a copy
 * when the rates are equal): *m samples, malloc'ed. Asserts (Check). */
float *ref_resample(const float *x, size_t n, int from, int to, size_t *m);

#endif

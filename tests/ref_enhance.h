/* ref_enhance.h - a float64 reference of the whole enhancement pipeline at
 * the model's rate, independent of enhance/'s STFT code (FFTW, the streaming
 * overlap-add, the end of stream): for tests that compare gtcrn_enhance and
 * the streaming state with it over the whole signal, the tail included. */
#ifndef TESTS_REF_ENHANCE_H
#define TESTS_REF_ENHANCE_H

#include <stddef.h>

/* x[n] (n > 256) through a streaming GTCRN export at path (16 kHz, n_fft
 * 512, hop 256, the periodic sqrt-Hann window): the STFT by a direct DFT in
 * double (torch.stft, center=True, reflect padding), each frame through the
 * network by libgrt (caches from zero, each *_out fed back), the iSTFT by a
 * direct inverse DFT in double, overlap-added and divided by the summed
 * squared window (torch.istft with length = n: the samples after the last
 * full hop by their partial envelope). Returns y[n] in double (malloc'ed);
 * asserts (Check) on failure. */
double *ref_enhance(const char *model_path, const float *x, size_t n);

#endif

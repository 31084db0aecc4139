/* fft.h - what the signal operators (ops/signal/) share: their scalar integer
 * inputs, and FFTW plans: batches of in-place
 * complex transforms in single precision (fftw3f: float, float16, bfloat16 data) or
 * double (fftw3). Planned in prepare() under the process-wide planner lock
 * (grt_fftw_planner_lock, grt.h) with FFTW_ESTIMATE, so that run() executes them on
 * any buffer of the same layout and SIMD alignment (the node's scratch, 64-aligned)
 * with FFTW's new-array interface, without allocating. */
#ifndef OPS_SIGNAL_FFT_H
#define OPS_SIGNAL_FFT_H

#include <stdint.h>
#include "ops/op.h"

/* Input i, a scalar int32 or int64 known at plan time, into *v (GRT_E_DYNAMIC
 * through op_dynamic when it is not known; what names it in messages). */
int signal_int_input(struct node *n, struct exec *x, int i, const char *what, int64_t *v);

/* The transforms: complex forward and backward (unnormalised), in place; real to
 * complex (forward): the real samples at the start of each row, bins [0, len / 2]
 * written over them. */
enum fft_kind { FFT_FORWARD, FFT_BACKWARD, FFT_R2C };

struct fft_plan {
	void *plan;                 /* fftwf_plan (float) or fftw_plan (double); NULL: none */
	int   dbl;                  /* 1: double precision */
	enum fft_kind kind;
};

/* count transforms of len points each, in a buffer of [count][len] complex
 * elements (one row each). GRT_E_NOMEM (with a message naming the node) if FFTW
 * cannot plan it. */
int fft_plan_make(struct node *n, struct exec *x, struct fft_plan *p, int dbl,
                  enum fft_kind kind, int64_t len, int64_t count);
/* buf: [count][len] interleaved (re, im), float or double as planned, aligned as
 * fftw_malloc aligns (else GRT_E_UNSUPPORTED, naming the node) */
int fft_execute(struct node *n, struct exec *x, const struct fft_plan *p, void *buf);
/* The parameters' release (plan_alloc_release) of a node whose parameters begin
 * with a struct fft_plan. Accepts a plan never made (plan NULL). */
void fft_plan_release(void *params);
/* w [len] complex holds bins [0, len / 2]: bins (len / 2, len) become their
 * conjugate mirrors, w[k] = conj(w[len - k]) (the spectrum of a real signal, or the
 * half spectrum an inverse completes). */
void fft_hermitian(int dbl, void *w, int64_t len);

/* The working precision of element type dt: 1 for double, 0 for float (float,
 * float16 and bfloat16 are transformed in float). */
static inline int fft_is_double(enum dtype dt)
{
	return dt == DT_DOUBLE;
}

/* Bytes of one complex work element. */
static inline size_t fft_elem_bytes(int dbl)
{
	return dbl ? 2 * sizeof(double) : 2 * sizeof(float);
}

/* Complex work elements w[0, n) from a tensor's data t of element type dt:
 * w[k] = (t[k * step], t_im ? t[k * step + 1] : 0) times scale (the window's value
 * at k when win is not NULL: win [n] of type dt). */
void fft_load(int dbl, void *w, enum dtype dt, const void *t, int64_t step, int t_im,
              const void *win, int64_t n);
/* Real work values w[0, n) (float or double) from t: w[k] = t[k * step], times
 * win[k] when win (of type dt) is not NULL. */
void fft_load_real(int dbl, void *w, enum dtype dt, const void *t, int64_t step,
                   const void *win, int64_t n);
/* t[k * step] = Re w[k] * scale (and t[k * step + 1] = Im w[k] * scale with t_im),
 * k < n. */
void fft_store(int dbl, const void *w, enum dtype dt, void *t, int64_t step, int t_im,
               double scale, int64_t n);
/* Zeroes n complex (real: 0, or 1) work elements from w. */
void fft_zero(int dbl, int real, void *w, int64_t n);

#endif

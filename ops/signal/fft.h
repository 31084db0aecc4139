/* fft.h - what the signal operators (ops/signal/) share: their scalar integer
 * inputs, and FFTW plans: batches of in-place
 * complex transforms in single precision (fftw3f: float, float16, bfloat16 data) or
 * double (fftw3). Planned in prepare() under the process-wide planner lock
 * (grt_fftw_planner_lock, grt.h) with FFTW_ESTIMATE | FFTW_UNALIGNED, so that run()
 * executes them on any buffer of the same layout (the node's scratch) with FFTW's
 * new-array interface, without allocating. */
#ifndef OPS_SIGNAL_FFT_H
#define OPS_SIGNAL_FFT_H

#include <stdint.h>
#include "ops/op.h"

/* Input i, a scalar int32 or int64 known at plan time, into *v (GRT_E_DYNAMIC
 * through op_dynamic when it is not known; what names it in messages). */
int signal_int_input(struct node *n, struct exec *x, int i, const char *what, int64_t *v);

#define FFT_FORWARD (-1)        /* FFTW's sign of the exponent */
#define FFT_BACKWARD 1

struct fft_plan {
	void *plan;                 /* fftwf_plan (float) or fftw_plan (double); NULL: none */
	int   dbl;                  /* 1: double precision */
};

/* count in-place transforms of len points each, one after the other in a buffer of
 * [count][len] complex elements; sign -1: forward, +1: backward (unnormalised).
 * GRT_E_NOMEM (with a message naming the node) if FFTW cannot plan it. */
int fft_plan_c2c(struct node *n, struct exec *x, struct fft_plan *p, int dbl, int sign,
                 int64_t len, int64_t count);
/* buf: [count][len] interleaved (re, im), float or double as planned */
void fft_execute(const struct fft_plan *p, void *buf);
/* The parameters' release (plan_alloc_release) of a node whose parameters begin
 * with a struct fft_plan. Accepts a plan never made (plan NULL). */
void fft_plan_release(void *params);

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
/* t[k * step] = Re w[k] * scale (and t[k * step + 1] = Im w[k] * scale with t_im),
 * k < n. */
void fft_store(int dbl, const void *w, enum dtype dt, void *t, int64_t step, int t_im,
               double scale, int64_t n);
/* Zeroes complex work elements [0, n). */
void fft_zero(int dbl, void *w, int64_t n);

#endif

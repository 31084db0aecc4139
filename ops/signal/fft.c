/* fft.c - the signal operators' scalar inputs and FFTW plans (ops/signal/fft.h), the
 * process-wide lock
 * around FFTW's planner (grt.h), and the moves between tensors of any
 * floating-point type and the complex work buffers the plans transform. */
#include <fftw3.h>
#include <pthread.h>
#include <string.h>
#include "ops/signal/fft.h"

/* FFTW's planner is global to the process and not thread-safe: every planner
 * call of libgrt and libgtcrn (enhance/stft.c) is made holding this lock. */
static pthread_mutex_t planner_lock = PTHREAD_MUTEX_INITIALIZER;

GRT_API void grt_fftw_planner_lock(void)
{
	pthread_mutex_lock(&planner_lock);
}

GRT_API void grt_fftw_planner_unlock(void)
{
	pthread_mutex_unlock(&planner_lock);
}

int signal_int_input(struct node *n, struct exec *x, int i, const char *what, int64_t *v)
{
	static const enum dtype int_types[] = { DT_INT32, DT_INT64, DT_UNDEFINED };
	const struct tensor *t = n->inputs[i];
	int rc;

	if ((rc = op_check_dtype(n, x, i, int_types)))
		return rc;
	if (t->numel != 1)
		return op_fail(n, x, GRT_E_SHAPE, "%s must be a scalar, has %lld elements", what,
		               (long long)t->numel);
	if (!op_const_input(n, x, i))
		return op_dynamic(n, x, i, what);
	return tensor_read_ints(t, v, 1) ? op_fail(n, x, GRT_E_SHAPE, "bad %s", what) : GRT_OK;
}

/* Plans in place (the real rows of FFT_R2C 2 len reals apart), under the lock. buf
 * comes from fftw_malloc, aligned for FFTW's SIMD code; so is every scratch buffer
 * (64-aligned), which fft_execute() checks: aligned plans are about 1.4 times as
 * fast as FFTW_UNALIGNED ones (a 512-point STFT of 10 s, measured). */
static void *plan_locked(int dbl, enum fft_kind kind, int64_t len, int64_t count, void *buf)
{
	const unsigned flags = FFTW_ESTIMATE;
	const int sign = kind == FFT_BACKWARD ? FFTW_BACKWARD : FFTW_FORWARD;
	const int64_t is = kind == FFT_R2C ? 2 * len : len;     /* input row, its units */
	void *plan;

	grt_fftw_planner_lock();
	if (dbl) {
		fftw_iodim64 dim = { len, 1, 1 }, many = { count, is, len };
		if (kind == FFT_R2C)
			plan = fftw_plan_guru64_dft_r2c(1, &dim, 1, &many, buf, buf, flags);
		else
			plan = fftw_plan_guru64_dft(1, &dim, 1, &many, buf, buf, sign, flags);
	} else {
		fftwf_iodim64 dim = { len, 1, 1 }, many = { count, is, len };
		if (kind == FFT_R2C)
			plan = fftwf_plan_guru64_dft_r2c(1, &dim, 1, &many, buf, buf, flags);
		else
			plan = fftwf_plan_guru64_dft(1, &dim, 1, &many, buf, buf, sign, flags);
	}
	grt_fftw_planner_unlock();
	return plan;
}

int fft_plan_make(struct node *n, struct exec *x, struct fft_plan *p, int dbl,
                  enum fft_kind kind, int64_t len, int64_t count)
{
	size_t bytes = (size_t)len * (size_t)count * fft_elem_bytes(dbl);
	void *buf;

	p->dbl = dbl;
	p->kind = kind;
	p->plan = NULL;
	if (len < 1 || count < 1)
		return GRT_OK;          /* nothing to transform: run() skips it */
	/* FFTW_ESTIMATE neither reads nor writes the arrays; planning in place on a
	 * buffer of the real size keeps FFTW's checks of the layout honest */
	if (!(buf = fftw_malloc(bytes)))
		return op_fail(n, x, GRT_E_NOMEM, "no memory to plan a %lld-point FFT",
		               (long long)len);
	p->plan = plan_locked(dbl, kind, len, count, buf);
	fftw_free(buf);
	if (!p->plan)
		return op_fail(n, x, GRT_E_NOMEM, "FFTW could not plan %lld %lld-point FFTs",
		               (long long)count, (long long)len);
	return GRT_OK;
}

int fft_execute(struct node *n, struct exec *x, const struct fft_plan *p, void *buf)
{
	if (!p->plan)
		return GRT_OK;
	/* a plan runs on arrays aligned as the ones it was made for */
	if (p->dbl ? fftw_alignment_of(buf) != 0 : fftwf_alignment_of(buf) != 0)
		return op_fail(n, x, GRT_E_UNSUPPORTED, "the FFT buffer is not aligned for FFTW");
	if (p->kind == FFT_R2C && p->dbl)
		fftw_execute_dft_r2c(p->plan, buf, buf);
	else if (p->kind == FFT_R2C)
		fftwf_execute_dft_r2c(p->plan, buf, buf);
	else if (p->dbl)
		fftw_execute_dft(p->plan, buf, buf);
	else
		fftwf_execute_dft(p->plan, buf, buf);
	return GRT_OK;
}

void fft_hermitian(int dbl, void *w, int64_t len)
{
	for (int64_t k = len / 2 + 1; k < len; k++)
		if (dbl) {
			double *d = w;
			d[2 * k] = d[2 * (len - k)];
			d[2 * k + 1] = -d[2 * (len - k) + 1];
		} else {
			float *f = w;
			f[2 * k] = f[2 * (len - k)];
			f[2 * k + 1] = -f[2 * (len - k) + 1];
		}
}

void fft_plan_release(void *params)
{
	struct fft_plan *p = params;

	if (!p->plan)
		return;
	grt_fftw_planner_lock();
	if (p->dbl)
		fftw_destroy_plan(p->plan);
	else
		fftwf_destroy_plan(p->plan);
	grt_fftw_planner_unlock();
	p->plan = NULL;
}

/* Element i of a floating-point array of type dt (float16 and bfloat16 widened). */
static inline double get_elem(enum dtype dt, const void *t, int64_t i)
{
	switch (dt) {
	case DT_FLOAT: return ((const float *)t)[i];
	case DT_DOUBLE: return ((const double *)t)[i];
	case DT_FLOAT16: return half_to_float(((const uint16_t *)t)[i]);
	default: return bf16_to_float(((const uint16_t *)t)[i]);
	}
}

void fft_load(int dbl, void *w, enum dtype dt, const void *t, int64_t step, int t_im,
              const void *win, int64_t n)
{
	float *wf = w;
	double *wd = w;

	if (dt == DT_FLOAT && !dbl) {            /* the common case, without a switch */
		const float *tf = t, *wn = win;
		for (int64_t k = 0; k < n; k++) {
			float s = wn ? wn[k] : 1.0f;
			wf[2 * k] = tf[k * step] * s;
			wf[2 * k + 1] = t_im ? tf[k * step + 1] * s : 0.0f;
		}
		return;
	}
	for (int64_t k = 0; k < n; k++) {
		double s = win ? get_elem(dt, win, k) : 1.0;
		double re = get_elem(dt, t, k * step) * s;
		double im = t_im ? get_elem(dt, t, k * step + 1) * s : 0.0;
		if (dbl) {
			wd[2 * k] = re;
			wd[2 * k + 1] = im;
		} else {
			wf[2 * k] = (float)re;
			wf[2 * k + 1] = (float)im;
		}
	}
}

void fft_load_real(int dbl, void *w, enum dtype dt, const void *t, int64_t step,
                   const void *win, int64_t n)
{
	float *wf = w;
	double *wd = w;

	if (dt == DT_FLOAT && !dbl) {
		const float *tf = t, *wn = win;
		if (step == 1 && wn)            /* STFT: a contiguous frame, windowed */
			for (int64_t k = 0; k < n; k++)
				wf[k] = tf[k] * wn[k];
		else if (step == 1)
			memcpy(wf, tf, sizeof(float) * (size_t)n);
		else
			for (int64_t k = 0; k < n; k++)
				wf[k] = wn ? tf[k * step] * wn[k] : tf[k * step];
		return;
	}
	for (int64_t k = 0; k < n; k++) {
		double v = get_elem(dt, t, k * step) * (win ? get_elem(dt, win, k) : 1.0);
		if (dbl)
			wd[k] = v;
		else
			wf[k] = (float)v;
	}
}

void fft_store(int dbl, const void *w, enum dtype dt, void *t, int64_t step, int t_im,
               double scale, int64_t n)
{
	const float *wf = w;
	const double *wd = w;

	if (dt == DT_FLOAT && !dbl) {
		float *tf = t, s = (float)scale;
		if (t_im && step == 2) {          /* contiguous (re, im) pairs */
			for (int64_t k = 0; k < 2 * n; k++)
				tf[k] = wf[k] * s;
			return;
		}
		for (int64_t k = 0; k < n; k++) {
			tf[k * step] = wf[2 * k] * s;
			if (t_im)
				tf[k * step + 1] = wf[2 * k + 1] * s;
		}
		return;
	}
	for (int64_t k = 0; k < n; k++) {
		double re = dbl ? wd[2 * k] : wf[2 * k], im = dbl ? wd[2 * k + 1] : wf[2 * k + 1];
		elem_set_double(dt, t, k * step, re * scale);
		if (t_im)
			elem_set_double(dt, t, k * step + 1, im * scale);
	}
}

void fft_zero(int dbl, int real, void *w, int64_t n)
{
	if (n > 0)
		memset(w, 0, (size_t)n * fft_elem_bytes(dbl) / (real ? 2 : 1));
}

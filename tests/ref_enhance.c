/* ref_enhance.c - the float64 reference pipeline (ref_enhance.h). Written
 * from the convention in ../shared/models/README.md, not from enhance/: no
 * FFT, every transform a direct sum over a table of e^(-2 pi i k / N). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/grt.h"
#include "tests/ref_enhance.h"

#define N_FFT 512
#define HOP 256
#define PAD (N_FFT / 2)
#define BINS (N_FFT / 2 + 1)
#define MAX_IN 8

/* numpy 'reflect' padding: index i of the padded signal, i in [-PAD, n + PAD) */
static double reflected(const float *x, size_t n, long long i)
{
	if (i < 0)
		i = -i;
	if (i >= (long long)n)
		i = 2 * ((long long)n - 1) - i;
	return x[i];
}

/* The network, one frame per run: the spectrum input, caches fed back. */
struct net {
	grt_model *m;
	grt_session *s;
	float *spec_in;
	const float *spec_out;
	int n_caches;
	float *cache_in[MAX_IN];
	const float *cache_out[MAX_IN];
	size_t cache_n[MAX_IN];
};

static void net_open(struct net *t, const char *path)
{
	char err[512];
	grt_value v;

	memset(t, 0, sizeof(*t));
	ck_assert_msg(grt_model_load_file(path, &t->m, err, sizeof(err)) == GRT_OK, "%s", err);
	ck_assert_msg(grt_session_create(t->m, NULL, &t->s, err, sizeof(err)) == GRT_OK, "%s", err);
	ck_assert_int_le(grt_model_n_inputs(t->m), MAX_IN);
	for (int i = 0; i < grt_model_n_inputs(t->m); i++) {
		const char *name;
		char out_name[256];
		int o;
		grt_model_input(t->m, i, &name, &v, NULL);
		grt_session_input(t->s, i, &v);
		memset(v.data, 0, sizeof(float) * (size_t)grt_value_numel(&v));
		if (!strcmp(name, "mix")) {
			ck_assert_int_eq(grt_value_numel(&v), 2 * BINS);
			t->spec_in = v.data;
			o = grt_model_find_output(t->m, "enh");
			ck_assert_int_ge(o, 0);
			grt_session_output(t->s, o, &v);
			t->spec_out = v.data;
			continue;
		}
		snprintf(out_name, sizeof(out_name), "%s_out", name);
		o = grt_model_find_output(t->m, out_name);
		ck_assert_msg(o >= 0, "%s: no output %s", path, out_name);
		t->cache_in[t->n_caches] = v.data;
		t->cache_n[t->n_caches] = (size_t)grt_value_numel(&v);
		grt_session_output(t->s, o, &v);
		t->cache_out[t->n_caches++] = v.data;
	}
	ck_assert_ptr_nonnull(t->spec_in);
}

static void net_run(struct net *t)
{
	ck_assert_msg(grt_session_run(t->s) == GRT_OK, "%s", grt_session_errmsg(t->s));
	for (int k = 0; k < t->n_caches; k++)
		memmove(t->cache_in[k], t->cache_out[k], sizeof(float) * t->cache_n[k]);
}

double *ref_enhance(const char *model_path, const float *x, size_t n)
{
	size_t T = 1 + n / HOP, len = (T - 1) * HOP + N_FFT;   /* padded positions covered */
	double *ola = calloc(len, sizeof(double)), *env = calloc(len, sizeof(double));
	double *y = malloc(sizeof(double) * n), w[N_FFT], c[N_FFT], s[N_FFT];
	struct net net;

	ck_assert(ola && env && y && n > PAD);
	for (int i = 0; i < N_FFT; i++) {
		w[i] = sqrt(0.5 - 0.5 * cos(2 * M_PI * i / N_FFT));     /* periodic Hann, sqrt */
		c[i] = cos(2 * M_PI * i / N_FFT);
		s[i] = sin(2 * M_PI * i / N_FFT);
	}
	net_open(&net, model_path);
	for (size_t t = 0; t < T; t++) {
		double f[N_FFT], re[BINS], im[BINS];
		for (int i = 0; i < N_FFT; i++)
			f[i] = w[i] * reflected(x, n, (long long)(t * HOP + (size_t)i) - PAD);
		for (int k = 0; k < BINS; k++) {
			double a = 0, b = 0;
			for (int i = 0; i < N_FFT; i++) {
				a += f[i] * c[(k * i) % N_FFT];
				b -= f[i] * s[(k * i) % N_FFT];
			}
			net.spec_in[2 * k] = (float)a;                  /* (1, F, 1, 2) */
			net.spec_in[2 * k + 1] = (float)b;
		}
		net_run(&net);
		for (int k = 0; k < BINS; k++) {
			re[k] = net.spec_out[2 * k];
			im[k] = net.spec_out[2 * k + 1];
		}
		/* the inverse real DFT (imaginary parts of bins 0 and N/2 ignored), windowed */
		for (int i = 0; i < N_FFT; i++) {
			double v = re[0] + (i % 2 ? -re[BINS - 1] : re[BINS - 1]);
			for (int k = 1; k < BINS - 1; k++)
				v += 2 * (re[k] * c[(k * i) % N_FFT] - im[k] * s[(k * i) % N_FFT]);
			ola[t * HOP + (size_t)i] += w[i] * v / N_FFT;
			env[t * HOP + (size_t)i] += w[i] * w[i];
		}
	}
	for (size_t i = 0; i < n; i++) {
		ck_assert(env[i + PAD] > 1e-11);
		y[i] = ola[i + PAD] / env[i + PAD];
	}
	grt_session_free(net.s);
	grt_model_free(net.m);
	free(ola);
	free(env);
	return y;
}

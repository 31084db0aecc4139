/* testset.c - see testset.h. On the public grt.h alone. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tools/testset.h"

static int is_float(grt_dtype dt)
{
	return dt == GRT_FLOAT || dt == GRT_DOUBLE || dt == GRT_FLOAT16 || dt == GRT_BFLOAT16;
}

static void compare(const grt_value *got, const grt_value *exp, double atol, double rtol,
                    struct ts_output *o)
{
	int64_t n = grt_value_numel(exp);
	double worst_ratio = -1;

	o->pass = 1;
	o->max_abs = o->max_rel = 0;
	o->worst = -1;
	if (got->dtype != exp->dtype) {
		snprintf(o->msg, sizeof(o->msg), "dtype %s, expected %s",
		         grt_dtype_name(got->dtype), grt_dtype_name(exp->dtype));
		o->pass = 0;
		return;
	}
	if (got->ndim != exp->ndim || memcmp(got->dims, exp->dims, sizeof(int64_t) * (size_t)exp->ndim)) {
		int k = snprintf(o->msg, sizeof(o->msg), "shape (");
		for (int d = 0; d < got->ndim && k < 200; d++)
			k += snprintf(o->msg + k, sizeof(o->msg) - (size_t)k, "%s%lld", d ? "," : "",
			              (long long)got->dims[d]);
		k += snprintf(o->msg + k, sizeof(o->msg) - (size_t)k, "), expected (");
		for (int d = 0; d < exp->ndim && k < 240; d++)
			k += snprintf(o->msg + k, sizeof(o->msg) - (size_t)k, "%s%lld", d ? "," : "",
			              (long long)exp->dims[d]);
		snprintf(o->msg + k, sizeof(o->msg) - (size_t)k, ")");
		o->pass = 0;
		return;
	}
	for (int64_t i = 0; i < n; i++) {
		double g, e, d, tol, ratio;
		if (!is_float(exp->dtype) && (exp->dtype == GRT_INT64 || exp->dtype == GRT_UINT64)) {
			/* exact 64-bit compare */
			uint64_t a = ((const uint64_t *)got->data)[i], b = ((const uint64_t *)exp->data)[i];
			d = a == b ? 0 : 1;
			g = grt_value_element(got, i);
			e = grt_value_element(exp, i);
			if (d) {
				if (o->pass) {
					o->worst = i;
					o->worst_got = g;
					o->worst_exp = e;
				}
				o->pass = 0;
				o->max_abs = fmax(o->max_abs, fabs(g - e) > 0 ? fabs(g - e) : 1);
			}
			continue;
		}
		g = grt_value_element(got, i);
		e = grt_value_element(exp, i);
		if (isnan(e) && isnan(g))
			continue;
		if (isinf(e) && g == e)
			continue;
		d = fabs(g - e);
		if (isnan(d))
			d = INFINITY;
		tol = is_float(exp->dtype) ? atol + rtol * fabs(e) : 0;
		if (d > o->max_abs)
			o->max_abs = d;
		if (e != 0 && d / fabs(e) > o->max_rel)
			o->max_rel = d / fabs(e);
		ratio = tol > 0 ? d / tol : (d > 0 ? INFINITY : 0);
		if (ratio > worst_ratio) {
			worst_ratio = ratio;
			o->worst = i;
			o->worst_got = g;
			o->worst_exp = e;
		}
		if (d > tol)
			o->pass = 0;
	}
	if (!o->pass && !o->msg[0])
		snprintf(o->msg, sizeof(o->msg), "element %lld: got %.9g, expected %.9g",
		         (long long)o->worst, o->worst_got, o->worst_exp);
}

static int load_inputs(const grt_model *m, const char *set_dir, grt_value *in, char *err,
                       size_t err_len)
{
	int n = grt_model_n_inputs(m);

	for (int i = 0; i < n; i++) {
		char path[4096], *name = NULL;
		int rc, k;
		grt_value v;
		snprintf(path, sizeof(path), "%s/input_%d.pb", set_dir, i);
		rc = grt_tensor_load_file(path, &v, &name, err, err_len);
		if (rc)
			return rc;
		/* match by name when the file names a model input, else by position */
		k = name && name[0] ? grt_model_find_input(m, name) : -1;
		if (k < 0)
			k = i;
		free(name);
		/* ONNX 1.12's test data stores bfloat16 tensors as uint16 bits */
		if (k < n && v.dtype == GRT_UINT16) {
			grt_value decl;
			grt_model_input(m, k, NULL, &decl, NULL);
			if (decl.dtype == GRT_BFLOAT16)
				v.dtype = GRT_BFLOAT16;
		}
		if (in[k].data) {
			grt_value_free(&v);
			snprintf(err, err_len, "%s: input '%d' given twice", set_dir, k);
			return GRT_E_ARG;
		}
		in[k] = v;
	}
	return GRT_OK;
}

int ts_run_set(const grt_model *m, const char *set_dir, double atol, double rtol,
               struct ts_result *r)
{
	return ts_run_set_flags(m, set_dir, 0, atol, rtol, r);
}

int ts_run_set_flags(const grt_model *m, const char *set_dir, unsigned flags, double atol,
                     double rtol, struct ts_result *r)
{
	int n_in = grt_model_n_inputs(m), n_out = grt_model_n_outputs(m), rc, ok = 0;
	grt_value *in = calloc((size_t)n_in + 1, sizeof(*in));
	grt_value *shapes = calloc((size_t)n_in + 1, sizeof(*shapes));
	grt_session *s = NULL;
	grt_session_opts opts = { .flags = flags };

	memset(r, 0, sizeof(*r));
	if (!in || !shapes) {
		r->status = GRT_E_NOMEM;
		goto out;
	}
	if (n_out > TS_MAX_OUT) {
		r->status = GRT_E_LIMIT;
		snprintf(r->err, sizeof(r->err), "too many outputs");
		goto out;
	}
	rc = load_inputs(m, set_dir, in, r->err, sizeof(r->err));
	if (rc) {
		r->status = rc;
		goto out;
	}
	/* plan with shapes only; with GRT_SESSION_STATIC, if a shape depends on
	 * an input's value (node tests pass shapes/axes/pads as graph inputs),
	 * fix the integer inputs, then all inputs (without it, such nodes are
	 * planned as dynamic nodes) */
	for (int attempt = 0; attempt < ((flags & GRT_SESSION_STATIC) ? 3 : 1); attempt++) {
		for (int i = 0; i < n_in; i++) {
			int fix = attempt == 2 || (attempt == 1 && !is_float(in[i].dtype));
			shapes[i] = in[i];
			if (!fix)
				shapes[i].data = NULL;
		}
		opts.inputs = shapes;
		opts.n_inputs = n_in;
		rc = grt_session_create(m, &opts, &s, r->err, sizeof(r->err));
		if (rc != GRT_E_DYNAMIC)
			break;
		r->fixed_inputs = attempt + 1;
	}
	if (rc) {
		r->status = rc;
		goto out;
	}
	grt_session_stats_get(s, &r->stats);
	for (int i = 0; i < n_in; i++) {
		grt_value v;
		grt_session_input(s, i, &v);
		if (v.data)
			memcpy(v.data, in[i].data, (size_t)grt_value_numel(&v) * grt_dtype_size(v.dtype));
	}
	rc = grt_session_run(s);
	if (rc) {
		r->status = rc;
		snprintf(r->err, sizeof(r->err), "%s", grt_session_errmsg(s));
		goto out;
	}
	ok = 1;
	r->n_out = n_out;
	for (int i = 0; i < n_out; i++) {
		char path[4096];
		const char *name;
		grt_value got, exp;
		struct ts_output *o = &r->out[i];
		grt_model_output(m, i, &name, NULL, NULL);
		snprintf(o->name, sizeof(o->name), "%s", name);
		snprintf(path, sizeof(path), "%s/output_%d.pb", set_dir, i);
		rc = grt_tensor_load_file(path, &exp, NULL, o->msg, sizeof(o->msg));
		if (rc) {
			o->pass = 0;
			ok = 0;
			continue;
		}
		grt_session_output(s, i, &got);
		if (exp.dtype == GRT_UINT16 && got.dtype == GRT_BFLOAT16)
			exp.dtype = GRT_BFLOAT16;      /* as for the inputs */
		compare(&got, &exp, atol, rtol, o);
		if (!o->pass)
			ok = 0;
		grt_value_free(&exp);
	}
out:
	for (int i = 0; in && i < n_in; i++)
		grt_value_free(&in[i]);
	free(in);
	free(shapes);
	grt_session_free(s);
	return ok;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ts_list_sets(const char *dir, char **names, int max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max)
		if (!strncmp(e->d_name, "test_data_set_", 14))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), cmp_str);
	return n;
}

void ts_free_list(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
}

int ts_load_npy(const char *path, float **data, int64_t *dims, int *ndim)
{
	FILE *f = fopen(path, "rb");
	unsigned char pre[10];
	char hdr[1024], *p;
	size_t hlen, n = 1;

	*data = NULL;
	*ndim = 0;
	if (!f)
		return GRT_E_IO;
	if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) || pre[6] != 1)
		goto bad;
	hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
	if (hlen >= sizeof(hdr) || fread(hdr, 1, hlen, f) != hlen)
		goto bad;
	hdr[hlen] = 0;
	if (!strstr(hdr, "'<f4'") || strstr(hdr, "'fortran_order': True"))
		goto bad;
	p = strstr(hdr, "'shape': (");
	if (!p)
		goto bad;
	p += 10;
	while (*p && *p != ')') {
		char *end;
		long long v = strtoll(p, &end, 10);
		if (end == p)
			break;
		if (*ndim >= GRT_MAX_DIMS)
			goto bad;
		dims[(*ndim)++] = v;
		n *= (size_t)v;
		p = end;
		while (*p == ',' || *p == ' ')
			p++;
	}
	*data = malloc(n * sizeof(float) + 1);
	if (!*data || fread(*data, sizeof(float), n, f) != n)
		goto bad;
	fclose(f);
	return GRT_OK;
bad:
	free(*data);
	*data = NULL;
	fclose(f);
	return GRT_E_PARSE;
}

void ts_stream_start(grt_session *s, const grt_model *m)
{
	for (int i = 0; i < grt_model_n_inputs(m); i++) {
		grt_value v;
		grt_session_input(s, i, &v);
		memset(v.data, 0, (size_t)grt_value_numel(&v) * grt_dtype_size(v.dtype));
	}
}

void ts_stream_frame(float *mix, const float *spec, int64_t f, int64_t T, int64_t t)
{
	for (int64_t k = 0; k < f; k++) {
		mix[2 * k] = spec[(k * T + t) * 2];
		mix[2 * k + 1] = spec[(k * T + t) * 2 + 1];
	}
}

void ts_stream_feed(grt_session *s, const grt_model *m)
{
	for (int i = 0; i < grt_model_n_inputs(m); i++) {
		const char *name;
		char want[256];
		grt_value in, out;
		int o;
		grt_model_input(m, i, &name, NULL, NULL);
		snprintf(want, sizeof(want), "%s_out", name);
		if ((o = grt_model_find_output(m, want)) < 0)
			continue;
		grt_session_input(s, i, &in);
		grt_session_output(s, o, &out);
		memcpy(in.data, out.data, (size_t)grt_value_numel(&in) * grt_dtype_size(in.dtype));
	}
}

/* sparse.c - products with a constant mostly-zero float matrix (ops/math/sparse.h). */
#include <string.h>
#include "ops/op.h"
#include "ops/math/sparse.h"

/* Runs of consecutive nonzeros of B [k][n] along its columns (by_rows 0) or rows. */
static int64_t count_runs(const float *b, int64_t k, int64_t n, int by_rows)
{
	const int64_t lines = by_rows ? k : n, len = by_rows ? n : k;
	const int64_t ls = by_rows ? n : 1, es = by_rows ? 1 : n;   /* steps in b */
	int64_t runs = 0;

	for (int64_t i = 0; i < lines; i++)
		for (int64_t t = 0; t < len; t++)
			runs += b[i * ls + t * es] != 0.0f && (t == 0 || b[i * ls + (t - 1) * es] == 0.0f);
	return runs;
}

int sparse_plan(struct sparse_b *sb, const float *b, int64_t k, int64_t n, struct exec *x)
{
	int64_t nnz = 0, runs, row_runs, r = 0, v = 0, *line, *start, *val;
	int64_t lines, len, ls, es;
	float *vals;
	int by_rows;

	for (int64_t i = 0; i < k * n; i++)
		nnz += b[i] != 0.0f;
	if (k < 1 || n < 1 || nnz > k * n / SPARSE_RATIO)
		return 0;
	runs = count_runs(b, k, n, 0);
	row_runs = count_runs(b, k, n, 1);
	by_rows = row_runs < runs;
	if (by_rows)
		runs = row_runs;
	lines = by_rows ? k : n;
	len = by_rows ? n : k;
	ls = by_rows ? n : 1;
	es = by_rows ? 1 : n;
	line = plan_alloc(x, (size_t)(lines + 1) * sizeof(int64_t));
	start = plan_alloc(x, (size_t)(runs + 1) * sizeof(int64_t));
	val = plan_alloc(x, (size_t)(runs + 1) * sizeof(int64_t));
	vals = plan_alloc(x, (size_t)(nnz + 1) * sizeof(float));
	if (!line || !start || !val || !vals)
		return GRT_E_NOMEM;
	for (int64_t i = 0; i < lines; i++) {
		line[i] = r;
		for (int64_t t = 0; t < len; t++) {
			const float e = b[i * ls + t * es];
			if (e == 0.0f)
				continue;
			if (t == 0 || b[i * ls + (t - 1) * es] == 0.0f) {
				start[r] = t;
				val[r++] = v;
			}
			vals[v++] = e;
		}
	}
	line[lines] = r;
	val[r] = v;
	sb->k = k;
	sb->n = n;
	sb->by_rows = by_rows;
	sb->lines = lines;
	sb->line = line;
	sb->start = start;
	sb->val = val;
	sb->vals = vals;
	return 1;
}

/* Whether a [m][k] (rows a_rs apart) holds no infinity or NaN (bits: it vectorises). */
static int finite_rows(const float *a, int64_t a_rs, int64_t m, int64_t k)
{
	uint32_t bad = 0;

	for (int64_t i = 0; i < m; i++)
		for (int64_t p = 0; p < k; p++) {
			uint32_t u;
			memcpy(&u, a + i * a_rs + p, sizeof(u));
			bad |= (u & 0x7f800000u) == 0x7f800000u;
		}
	return !bad;
}

int sparse_product(const struct sparse_b *sb, const float *a, int64_t a_rs, int64_t m,
                   float *y)
{
	const int64_t n = sb->n;

	if (!finite_rows(a, a_rs, m, sb->k))
		return 0;
	for (int64_t i = 0; i < m; i++, a += a_rs, y += n) {
		if (sb->by_rows) {
			/* row p of B scaled by a[p] into y, p in order: each element's sum in order */
			memset(y, 0, (size_t)n * sizeof(float));
			for (int64_t p = 0; p < sb->k; p++)
				for (int64_t r = sb->line[p]; r < sb->line[p + 1]; r++) {
					const float *v = sb->vals + sb->val[r];
					float *yr = y + sb->start[r];
					for (int64_t t = 0; t < sb->val[r + 1] - sb->val[r]; t++)
						yr[t] += a[p] * v[t];
				}
			continue;
		}
		for (int64_t j = 0; j < n; j++) {
			float s = 0.0f;
			for (int64_t r = sb->line[j]; r < sb->line[j + 1]; r++) {
				const float *v = sb->vals + sb->val[r], *ar = a + sb->start[r];
				for (int64_t t = 0; t < sb->val[r + 1] - sb->val[r]; t++)
					s += ar[t] * v[t];
			}
			y[j] = 0.0f + s;          /* as gemm_f32_run adds the sum to zeros */
		}
	}
	return 1;
}

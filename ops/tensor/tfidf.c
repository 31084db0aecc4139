/* tfidf.c - TfIdfVectorizer 9+ (https://onnx.ai/onnx/operators/onnx__TfIdfVectorizer.html),
 * over integer input (pool_int64s; string pools are refused: the runtime has no
 * string tensors).
 *
 * X [C] or [N, C] (int32 or int64) -> Y [max(ngram_indexes) + 1] or [N, that] float.
 * The pool holds the 1-grams, then the 2-grams, ... (ngram_counts[n - 1] is where the
 * n-grams start; lengths past ngram_counts have none, and those past
 * max_gram_length are never looked up); pool n-gram k (counting every length) adds to
 * Y[ngram_indexes[k]]. For each n in [min_gram_length, max_gram_length] and each
 * skip s in [0, max_skip_count] (s = 0 only for 1-grams), every n-gram of the row
 * whose items are s + 1 apart is looked up and counted. mode TF gives the counts,
 * IDF min(count, 1) * weight, TFIDF count * weight (weights default to 1). The
 * n-grams of each length are sorted at prepare, so a lookup is a binary search. */
#include <string.h>
#include "ops/op.h"

enum tfidf_mode { TF, IDF, TFIDF };

struct tfidf_params {
	enum tfidf_mode mode;
	int64_t min_n, max_n, max_skip;
	int64_t n_lengths;            /* ngram_counts entries: the pool's n-gram lengths */
	int64_t rows, cols, out_cols;
	const int64_t *pool;          /* pool_int64s */
	int64_t *start;               /* [max_n + 1]: element offset of the n-grams of length n */
	int64_t *ordinal0;            /* [max_n + 1]: ordinal of the first n-gram of length n */
	int64_t *count;               /* [max_n + 1]: n-grams of length n */
	int64_t *sorted;              /* per length, its n-grams' ordinals in pool order,
	                               * sorted by value: sorted[ordinal0[n] ...] */
	const int64_t *indexes;       /* ngram_indexes [total] */
	const float *weights;         /* [total] or NULL */
	int64_t total;
};

static int gram_cmp_vals(const int64_t *a, const int64_t *b, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* Sorts the ordinals s[0..cnt) of the n-grams of length n at base by value (a heap
 * sort: in place, no allocation, no shared state). */
static void sort_grams(int64_t *s, int64_t cnt, const int64_t *base, int64_t n)
{
	for (int64_t end = cnt, i = cnt / 2; end > 1;) {
		int64_t root, t;
		if (i > 0) {
			root = --i;
		} else {
			t = s[0];
			s[0] = s[--end];
			s[end] = t;
			root = 0;
		}
		for (int64_t child; (child = 2 * root + 1) < end; root = child) {
			if (child + 1 < end && gram_cmp_vals(base + s[child] * n,
			                                     base + s[child + 1] * n, n) < 0)
				child++;
			if (gram_cmp_vals(base + s[root] * n, base + s[child] * n, n) >= 0)
				break;
			t = s[root];
			s[root] = s[child];
			s[child] = t;
		}
	}
}

static int64_t elem_i(const struct tensor *t, int64_t i)
{
	return t->dtype == DT_INT32 ? ((const int32_t *)t->data)[i] : ((const int64_t *)t->data)[i];
}

static int tfidf_attrs(struct node *n, struct exec *x, struct tfidf_params *p)
{
	const int64_t *counts, *pool;
	const float *w;
	const char *mode;
	int n_counts, n_pool, n_idx, n_w, n_str, rc;
	const char *const *strs;

	if ((rc = attr_int(n, x, "min_gram_length", 0, &p->min_n)) ||
	    (rc = attr_int(n, x, "max_gram_length", 0, &p->max_n)) ||
	    (rc = attr_int(n, x, "max_skip_count", 0, &p->max_skip)) ||
	    (rc = attr_string(n, x, "mode", "", &mode)) ||
	    (rc = attr_ints(n, x, "ngram_counts", &counts, &n_counts)) ||
	    (rc = attr_ints(n, x, "ngram_indexes", &p->indexes, &n_idx)) ||
	    (rc = attr_ints(n, x, "pool_int64s", &pool, &n_pool)) ||
	    (rc = attr_strings(n, x, "pool_strings", &strs, &n_str)) ||
	    (rc = attr_floats(n, x, "weights", &w, &n_w)))
		return rc;
	if (n_str >= 0)
		return op_fail(n, x, GRT_E_UNSUPPORTED, "pool_strings: the runtime has no string "
		               "tensors (pool_int64s with integer input is supported)");
	p->mode = !strcmp(mode, "TF") ? TF : !strcmp(mode, "IDF") ? IDF : TFIDF;
	if (strcmp(mode, "TF") && strcmp(mode, "IDF") && strcmp(mode, "TFIDF"))
		return op_fail(n, x, GRT_E_ATTR, "mode '%s' is not TF, IDF or TFIDF", mode);
	if (p->min_n < 1 || p->max_n < p->min_n || p->max_skip < 0 || p->max_n > 64 ||
	    n_counts < 1 || n_counts > 64 || n_pool < 0)
		return op_fail(n, x, GRT_E_ATTR, "needs 1 <= min_gram_length <= max_gram_length <= 64, "
		               "max_skip_count >= 0, pool_int64s and 1 to 64 ngram_counts");
	p->pool = pool;
	p->weights = n_w > 0 ? w : NULL;
	p->n_lengths = n_counts;
	if (!(p->start = plan_alloc(x, 3 * (size_t)(64 + 2) * sizeof(int64_t))))
		return GRT_E_NOMEM;
	p->ordinal0 = p->start + 64 + 2;
	p->count = p->ordinal0 + 64 + 2;       /* lengths past the pool's: none */
	p->total = 0;
	for (int64_t g = 1; g <= n_counts; g++) {
		const int64_t s = counts[g - 1], e = g < n_counts ? counts[g] : n_pool;
		if (s < 0 || e < s || e > n_pool || (e - s) % g)
			return op_fail(n, x, GRT_E_ATTR, "ngram_counts does not split pool_int64s "
			               "(%d items) into whole %lld-grams", n_pool, (long long)g);
		p->start[g] = s;
		p->count[g] = (e - s) / g;
		p->ordinal0[g] = p->total;
		p->total += p->count[g];
	}
	if (n_idx != p->total || (p->weights && n_w != p->total))
		return op_fail(n, x, GRT_E_ATTR, "ngram_indexes (%d) and weights (%d) need one entry "
		               "per pool n-gram (%lld)", n_idx, n_w, (long long)p->total);
	p->out_cols = 0;
	for (int64_t k = 0; k < p->total; k++) {
		if (p->indexes[k] < 0 || p->indexes[k] >= ((int64_t)1 << 40))
			return op_fail(n, x, GRT_E_ATTR, "ngram_indexes[%lld] = %lld is out of range",
			               (long long)k, (long long)p->indexes[k]);
		if (p->indexes[k] + 1 > p->out_cols)
			p->out_cols = p->indexes[k] + 1;
	}
	return GRT_OK;
}

static int tfidf_prepare(struct node *n, struct exec *x)
{
	static const enum dtype ints[] = { DT_INT32, DT_INT64, DT_UNDEFINED };
	const struct tensor *in;
	struct tfidf_params *p;
	int64_t dims[2];
	int rc = op_check_arity(n, x, 1, 1, 1, 1);

	if (rc || (rc = op_check_dtype(n, x, 0, ints)))
		return rc;
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	if ((rc = tfidf_attrs(n, x, p)))
		return rc;
	if (!(p->sorted = plan_alloc(x, (size_t)(p->total + 1) * sizeof(int64_t))))
		return GRT_E_NOMEM;
	for (int64_t g = 1; g <= p->n_lengths; g++) {   /* ordinals within the length */
		int64_t *s = p->sorted + p->ordinal0[g];
		for (int64_t k = 0; k < p->count[g]; k++)
			s[k] = k;
		sort_grams(s, p->count[g], p->pool + p->start[g], g);
	}
	in = n->inputs[0];
	if (in->ndim != 1 && in->ndim != 2)
		return op_fail(n, x, GRT_E_SHAPE, "X must be [C] or [N, C], it has %d dims", in->ndim);
	p->rows = in->ndim == 2 ? in->dims[0] : 1;
	p->cols = in->dims[in->ndim - 1];
	dims[0] = p->rows;
	dims[1] = p->out_cols;
	n->params = p;
	if ((rc = tensor_set_shape(n->outputs[0], DT_FLOAT, in->ndim, in->ndim == 2 ? dims : dims + 1)))
		return op_fail(n, x, rc, "output too large");
	return GRT_OK;
}

/* The ordinal of n-gram g (its n values) in the pool, -1 if absent. */
static int64_t lookup(const struct tfidf_params *p, int64_t n, const int64_t *g)
{
	const int64_t *s = p->sorted + p->ordinal0[n], *base = p->pool + p->start[n];
	int64_t lo = 0, hi = p->count[n];

	while (lo < hi) {
		const int64_t mid = lo + (hi - lo) / 2;
		const int c = gram_cmp_vals(base + s[mid] * n, g, n);
		if (!c)
			return p->ordinal0[n] + s[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int tfidf_run(struct node *n, struct exec *x)
{
	const struct tfidf_params *p = n->params;
	const struct tensor *in = n->inputs[0];
	float *y = n->outputs[0]->data;
	int64_t g[64];

	(void)x;
	memset(y, 0, (size_t)(p->rows * p->out_cols) * sizeof(float));
	for (int64_t r = 0; r < p->rows; r++) {
		float *yr = y + r * p->out_cols;
		for (int64_t len = p->min_n; len <= p->max_n; len++)
			for (int64_t skip = 0; skip <= (len == 1 ? 0 : p->max_skip); skip++)
				for (int64_t i = 0; i + (len - 1) * (skip + 1) < p->cols; i++) {
					int64_t k;
					for (int64_t j = 0; j < len; j++)
						g[j] = elem_i(in, r * p->cols + i + j * (skip + 1));
					if ((k = lookup(p, len, g)) >= 0)
						yr[p->indexes[k]] += 1;
				}
		if (p->mode == TF)
			continue;
		for (int64_t k = 0; k < p->total; k++) {
			float *v = &yr[p->indexes[k]];
			if (p->mode == IDF && *v > 1)
				*v = 1;
			*v *= p->weights ? p->weights[k] : 1;
		}
	}
	return GRT_OK;
}

const struct op_def op_tfidf_vectorizer = {
	"TfIdfVectorizer", 9, OPSET_LATEST, tfidf_prepare, tfidf_run, 0, NULL
};

/* einsum.c - Einsum (https://onnx.ai/onnx/operators/onnx__Einsum.html), opsets 12..latest.
 * prepare parses the equation into labels, each with a size and a stride per operand
 * (repeated labels add strides: diagonals; size-1 dims get stride 0: broadcasting).
 * run walks every label (output labels outer, summed labels inner), or, when two
 * operands form a (batched) matrix product, runs a GEMM over merged label groups. */
#include <stdio.h>
#include <string.h>
#include "ops/cpu.h"
#include "ops/op.h"
#include "ops/half.h"

#define N_LETTERS 52                         /* a-z, then A-Z */
#define MAX_LABELS (N_LETTERS + MAX_DIMS)    /* letters, then the ellipsis dims */

/* Two operands as Y[m,n] = sum_k A[m,k] B[k,n] per batch entry. */
struct einsum_mm {
	int64_t m, k, n;               /* merged sizes of the label groups */
	int64_t a_sm, a_sk;            /* element strides of A along m, k */
	int64_t b_sk, b_sn;            /* of B along k, n */
	int64_t y_sm, y_sn;            /* of Y along m, n */
	int n_batch;                   /* labels in A, B and Y, walked by an odometer */
	int64_t batch[MAX_LABELS];     /* [n_batch] their sizes */
	int64_t a_sb[MAX_LABELS];      /* [n_batch] their strides in A */
	int64_t b_sb[MAX_LABELS];      /* [n_batch] in B */
	int64_t y_sb[MAX_LABELS];      /* [n_batch] in Y */
	int b_direct;                  /* B is already [k][n] contiguous */
	const void *b_packed;          /* [k][n] constant B packed at plan time, or NULL */
	const struct gemm_ukernel *gemm; /* float: this session's (ops/cpu.h) */
};

struct einsum_params {
	int n_ops;                     /* operands */
	int n_out, n_sum;              /* labels: the n_out output labels, then the summed ones */
	int64_t size[MAX_LABELS];      /* [n_out + n_sum] extent of each label */
	int64_t y_stride[MAX_LABELS];  /* [n_out + n_sum] stride in Y (0 for summed labels) */
	const int64_t *stride;         /* [n_ops][n_out + n_sum] stride in each operand */
	int use_mm;                    /* run the GEMM below instead of the label walk */
	struct einsum_mm mm;
};

static int label_of(char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= 'A' && c <= 'Z')
		return 26 + c - 'A';
	return -1;
}

static char letter_of(int l)
{
	return (char)(l < 26 ? 'a' + l : 'A' + l - 26);
}

/* One term of the equation: its labels in order, -1 standing for "...". */
struct term {
	int label[MAX_DIMS + 1];
	int n;                         /* entries in label */
	int ell;                       /* index of "..." in label, or -1 */
};

static int parse_term(struct node *n, struct exec *x, const char *s, size_t len,
                      struct term *t, const char *what)
{
	t->n = 0;
	t->ell = -1;
	for (size_t i = 0; i < len; i++) {
		int l = label_of(s[i]);
		if (s[i] == '.') {
			if (i + 3 > len || s[i + 1] != '.' || s[i + 2] != '.')
				return op_fail(n, x, GRT_E_ATTR, "equation: lone '.' in %s", what);
			if (t->ell >= 0)
				return op_fail(n, x, GRT_E_ATTR, "equation: two '...' in %s", what);
			l = -1;
			t->ell = t->n;
			i += 2;
		} else if (l < 0) {
			return op_fail(n, x, GRT_E_ATTR, "equation: character '%c' in %s", s[i], what);
		}
		if (t->n == MAX_DIMS + 1)
			return op_fail(n, x, GRT_E_LIMIT, "equation: more than %d labels in %s",
			               MAX_DIMS, what);
		t->label[t->n++] = l;
	}
	return GRT_OK;
}

/* The label of each dim of an operand of rank r: its letter, or for the
 * dims of "..." N_LETTERS + their place among the n_ell right-aligned
 * ellipsis dims of the equation. */
static void dim_labels(const struct term *t, int r, int n_ell, int *out)
{
	int e_rank = r - (t->n - (t->ell >= 0)), d = 0;

	for (int j = 0; j < t->n; j++) {
		if (t->label[j] >= 0) {
			out[d++] = t->label[j];
			continue;
		}
		for (int c = 0; c < e_rank; c++)
			out[d++] = N_LETTERS + n_ell - e_rank + c;
	}
}

/* Merges a group of labels (outer first) into one dim if, in each of the
 * two tensors, every label's stride is the next one's stride times its size.
 * Returns 0 if it cannot. */
static int merge_group(const int *g, int count, const int64_t *size, const int64_t *s1,
                       const int64_t *s2, int64_t *msize, int64_t *ms1, int64_t *ms2)
{
	*msize = 1;
	*ms1 = 0;
	*ms2 = 0;
	for (int i = 0; i < count; i++) {
		int l = g[i];
		if (i + 1 < count) {
			int nx = g[i + 1];
			if (s1[l] != s1[nx] * size[nx] || s2[l] != s2[nx] * size[nx])
				return 0;
		}
		*msize *= size[l];
	}
	if (count) {
		*ms1 = s1[g[count - 1]];
		*ms2 = s2[g[count - 1]];
	}
	return 1;
}

/* Recognises a two-operand contraction as a batched matrix product. */
static int plan_mm(const struct einsum_params *p, struct einsum_mm *q)
{
	int L = p->n_out + p->n_sum;
	const int64_t *sa = p->stride, *sb = p->stride + L;
	int gm[MAX_LABELS], gn[MAX_LABELS], gk[MAX_LABELS];
	int nm = 0, nn = 0, nk = 0;

	memset(q, 0, sizeof(*q));
	for (int l = 0; l < L; l++) {
		int a = sa[l] != 0, b = sb[l] != 0, o = l < p->n_out;
		if (p->size[l] == 1)
			continue;
		if (a && b && o) {
			q->batch[q->n_batch] = p->size[l];
			q->a_sb[q->n_batch] = sa[l];
			q->b_sb[q->n_batch] = sb[l];
			q->y_sb[q->n_batch] = p->y_stride[l];
			q->n_batch++;
		} else if (a && !b && o) {
			gm[nm++] = l;
		} else if (!a && b && o) {
			gn[nn++] = l;
		} else if (a && b && !o) {
			gk[nk++] = l;
		} else {
			return 0;           /* a label summed in one operand only */
		}
	}
	/* K labels: outer first by their stride in A */
	for (int i = 1; i < nk; i++)
		for (int j = i; j > 0 && sa[gk[j]] > sa[gk[j - 1]]; j--) {
			int t = gk[j];
			gk[j] = gk[j - 1];
			gk[j - 1] = t;
		}
	if (!merge_group(gm, nm, p->size, sa, p->y_stride, &q->m, &q->a_sm, &q->y_sm) ||
	    !merge_group(gn, nn, p->size, sb, p->y_stride, &q->n, &q->b_sn, &q->y_sn) ||
	    !merge_group(gk, nk, p->size, sa, sb, &q->k, &q->a_sk, &q->b_sk))
		return 0;
	q->b_direct = (q->n == 1 || q->b_sn == 1) && (q->k == 1 || q->b_sk == q->n);
	return 1;
}

/* yr[n] += ar[k] bk[k][n] */
static void row_f32(const struct einsum_mm *q, const float *ar, const float *bk, float *yr)
{
	gemm_f32_run(q->gemm, 1, q->n, q->k, ar, 0, q->a_sk, bk, q->n, yr, q->n);
}

static void row_f64(const struct einsum_mm *q, const double *ar, const double *bk,
                    double *restrict yr)
{
	for (int64_t kk = 0; kk < q->k; kk++) {
		const double *restrict br = bk + kk * q->n;
		double v = ar[kk * q->a_sk];
		for (int64_t j = 0; j < q->n; j++)
			yr[j] += v * br[j];
	}
}

/* The batched product per type: pack_T and mm_T (ops/math/einsum_mm.h). */
#define KN(name) name##_f32
#define T float
#include "ops/math/einsum_mm.h"
#define KN(name) name##_f64
#define T double
#include "ops/math/einsum_mm.h"

/* The general walk per type: walk_T (ops/math/einsum_walk.h). */
#define KN(name) name##_f32
#define T float
#define U float
#include "ops/math/einsum_walk.h"
#define KN(name) name##_f64
#define T double
#define U double
#include "ops/math/einsum_walk.h"
#define KN(name) name##_i8
#define T int8_t
#define U uint64_t
#include "ops/math/einsum_walk.h"
#define KN(name) name##_i16
#define T int16_t
#define U uint64_t
#include "ops/math/einsum_walk.h"
#define KN(name) name##_i32
#define T int32_t
#define U uint64_t
#include "ops/math/einsum_walk.h"
#define KN(name) name##_i64
#define T int64_t
#define U uint64_t
#include "ops/math/einsum_walk.h"
#define KN(name) name##_u8
#define T uint8_t
#define U uint64_t
#include "ops/math/einsum_walk.h"
#define KN(name) name##_u16
#define T uint16_t
#define U uint64_t
#include "ops/math/einsum_walk.h"
#define KN(name) name##_u32
#define T uint32_t
#define U uint64_t
#include "ops/math/einsum_walk.h"
#define KN(name) name##_u64
#define T uint64_t
#define U uint64_t
#include "ops/math/einsum_walk.h"

/* The left-hand side of eq (buf: without spaces, cut at "->"): one term per input. */
static int parse_lhs(struct node *n, struct exec *x, const char *eq, const char *buf,
                     struct term *terms)
{
	const int n_ops = n->n_inputs;
	const char *s = buf;
	int rc;

	for (int i = 0; i < n_ops; i++) {
		const char *e = strchr(s, ',');
		size_t tl = e ? (size_t)(e - s) : strlen(s);
		char what[32];
		if (!e && i + 1 < n_ops)
			return op_fail(n, x, GRT_E_ATTR,
			               "equation '%s' has %d terms for %d inputs", eq, i + 1,
			               n_ops);
		snprintf(what, sizeof(what), "term %d", i);
		if ((rc = parse_term(n, x, s, tl, &terms[i], what)))
			return rc;
		s = e ? e + 1 : s + tl;
		if (i + 1 == n_ops && e)
			return op_fail(n, x, GRT_E_ATTR,
			               "equation '%s' has more terms than the %d inputs", eq,
			               n_ops);
	}
	return GRT_OK;
}

/* size[label]: its dim in the inputs (size-1 dims broadcast), -1 if unused;
 * count[letter]: how many input dims carry it. */
static int label_sizes(struct node *n, struct exec *x, const struct term *terms, int n_ell,
                       int64_t *size, int *count)
{
	const int n_ops = n->n_inputs;

	for (int l = 0; l < MAX_LABELS; l++)
		size[l] = -1;
	for (int i = 0; i < n_ops; i++) {
		const struct tensor *in = n->inputs[i];
		int64_t own[MAX_LABELS];
		int lab[MAX_DIMS];
		dim_labels(&terms[i], in->ndim, n_ell, lab);
		for (int l = 0; l < MAX_LABELS; l++)
			own[l] = -1;
		for (int d = 0; d < in->ndim; d++) {
			int l = lab[d];
			int64_t v = in->dims[d];
			if (l < N_LETTERS)
				count[l]++;
			if (own[l] >= 0 && own[l] != v)
				return op_fail(n, x, GRT_E_SHAPE,
				               "input %d: repeated label '%c' has dims %lld and %lld", i,
				               letter_of(l), (long long)own[l], (long long)v);
			own[l] = v;
			if (size[l] < 0 || size[l] == 1)
				size[l] = v;
			else if (v != size[l] && v != 1)
				return op_fail(n, x, GRT_E_SHAPE,
				               "label '%c' is %lld in input %d but %lld before",
				               l < N_LETTERS ? letter_of(l) : '.', (long long)v, i,
				               (long long)size[l]);
		}
	}
	return GRT_OK;
}

/* order[0 .. *n_out): the output's labels, from rhs (the equation after "->") or, with
 * rhs NULL, implicit: "..." dims, then the labels seen once in ASCII order. */
static int output_labels(struct node *n, struct exec *x, const char *eq, const char *rhs,
                         int n_ell, const int *count, int *order, int *n_out)
{
	struct term out_term;
	int rc;

	*n_out = 0;
	if (rhs) {
		if ((rc = parse_term(n, x, rhs, strlen(rhs), &out_term, "the output")))
			return rc;
		if (out_term.ell < 0 && n_ell > 0)
			return op_fail(n, x, GRT_E_ATTR, "equation '%s': the inputs have '...' "
			               "dims but the output has no '...'", eq);
		for (int j = 0; j < out_term.n; j++) {
			int l = out_term.label[j];
			if (l < 0) {
				for (int c = 0; c < n_ell; c++)
					order[(*n_out)++] = N_LETTERS + c;
				continue;
			}
			if (!count[l])
				return op_fail(n, x, GRT_E_ATTR,
				               "equation '%s': output label '%c' is in no input", eq,
				               letter_of(l));
			for (int k = 0; k < *n_out; k++)
				if (order[k] == l)
					return op_fail(n, x, GRT_E_ATTR,
					               "equation '%s': output label '%c' repeated", eq,
					               letter_of(l));
			order[(*n_out)++] = l;
		}
	} else {
		/* implicit: "..." dims, then the labels seen once in ASCII order */
		for (int c = 0; c < n_ell; c++)
			order[(*n_out)++] = N_LETTERS + c;
		for (int l = 26; l < N_LETTERS; l++)
			if (count[l] == 1)
				order[(*n_out)++] = l;
		for (int l = 0; l < 26; l++)
			if (count[l] == 1)
				order[(*n_out)++] = l;
	}
	return GRT_OK;
}

/* Scratch (the work area) and the matrix-product plan for two operands; L: the
 * labels, output then summed. */
static int einsum_scratch(struct node *n, struct exec *x, struct einsum_params *p, int L)
{
	const struct tensor *y = n->outputs[0];
	const enum dtype dt = n->inputs[0]->dtype;
	const int n_ops = p->n_ops;

	if (n_ops == 2 && (dt == DT_FLOAT || dt == DT_DOUBLE) &&
	    plan_mm(p, &p->mm)) {
		struct einsum_mm *q = &p->mm;
		size_t es = dt == DT_DOUBLE ? sizeof(double) : sizeof(float);
		int b_batched = 0;
		const void *bc = NULL;
		for (int l = 0; l < q->n_batch; l++)
			if (q->b_sb[l])
				b_batched = 1;
		p->use_mm = 1;
		q->gemm = x->kern->gemm;
		if (n->inputs[1]->is_const)
			bc = op_const_input(n, x, 1);
		if (bc && !b_batched && !q->b_direct && y->numel) {
			void *pk = plan_alloc(x, (size_t)(q->k * q->n) * es);
			if (!pk)
				return GRT_E_NOMEM;
			if (dt == DT_FLOAT)
				pack_f32(bc, pk, q);
			else
				pack_f64(bc, pk, q);
			q->b_packed = pk;
		}
		n->scratch_bytes = (size_t)(q->k * q->n + q->n) * es;
	} else {
		n->scratch_bytes = (size_t)(n_ops + L) * sizeof(int64_t) +
		                   (size_t)n_ops * sizeof(void *);
	}
	return GRT_OK;
}

static int einsum_prepare(struct node *n, struct exec *x)
{
	static const enum dtype types[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_INT8, DT_INT16, DT_INT32, DT_INT64,
		DT_UINT8, DT_UINT16, DT_UINT32, DT_UINT64, DT_UNDEFINED,
	};
	struct tensor *y = op_output(n, 0);
	struct einsum_params *p;
	struct term *terms;
	const char *eq;
	char *buf, *arrow;
	size_t len = 0;
	int rc, n_ops = n->n_inputs, n_ell = 0, L, n_out = 0, has_out;
	int count[N_LETTERS] = { 0 }, pos[MAX_LABELS], order[MAX_LABELS];
	int64_t size[MAX_LABELS], dims[MAX_DIMS];
	int64_t *stride;
	enum dtype dt;

	if ((rc = op_check_arity(n, x, 1, n->n_inputs > 1 ? n->n_inputs : 1, 1, 1)))
		return rc;
	for (int i = 0; i < n_ops; i++) {
		if (!n->inputs[i])
			return op_fail(n, x, GRT_E_INVALID_MODEL, "input %d is empty", i);
		if ((rc = op_check_dtype(n, x, i, types)))
			return rc;
		if (n->inputs[i]->dtype != n->inputs[0]->dtype)
			return op_fail(n, x, GRT_E_DTYPE, "input %d is %s but input 0 is %s", i,
			               dtype_name(n->inputs[i]->dtype),
			               dtype_name(n->inputs[0]->dtype));
	}
	if (half_wanted(n))     /* the float kernels on widened copies (ops/half.h) */
		return half_prepare(n, x, einsum_prepare);
	dt = n->inputs[0]->dtype;
	if ((rc = attr_string(n, x, "equation", NULL, &eq)))
		return rc;
	if (!eq)
		return op_fail(n, x, GRT_E_ATTR, "attribute 'equation' is missing");

	/* the equation without spaces */
	buf = plan_alloc(x, strlen(eq) + 1);
	terms = plan_alloc(x, (size_t)n_ops * sizeof(*terms));
	if (!buf || !terms)
		return GRT_E_NOMEM;
	for (const char *c = eq; *c; c++)
		if (*c != ' ')
			buf[len++] = *c;
	buf[len] = 0;
	arrow = strstr(buf, "->");
	has_out = arrow != NULL;
	if (arrow)
		*arrow = 0;

	if ((rc = parse_lhs(n, x, eq, buf, terms)))
		return rc;

	/* rank of "..." in each operand; all are right-aligned and broadcast */
	for (int i = 0; i < n_ops; i++) {
		const struct term *t = &terms[i];
		int letters = t->n - (t->ell >= 0), r = n->inputs[i]->ndim;
		if (t->ell < 0 ? letters != r : letters > r)
			return op_fail(n, x, GRT_E_SHAPE,
			               "equation term %d has %d labels but input %d '%s' has rank %d",
			               i, letters, i, n->inputs[i]->name, r);
		if (t->ell >= 0 && r - letters > n_ell)
			n_ell = r - letters;
	}

	if ((rc = label_sizes(n, x, terms, n_ell, size, count)))
		return rc;

	if ((rc = output_labels(n, x, eq, has_out ? arrow + 2 : NULL, n_ell, count, order,
	                        &n_out)))
		return rc;
	if (n_out > MAX_DIMS)
		return op_fail(n, x, GRT_E_LIMIT, "output rank %d exceeds %d", n_out, MAX_DIMS);

	/* summed labels: in some input, not in the output */
	for (int l = 0; l < MAX_LABELS; l++)
		pos[l] = -1;
	for (int k = 0; k < n_out; k++)
		pos[order[k]] = k;
	L = n_out;
	for (int l = 0; l < N_LETTERS; l++)
		if (count[l] && pos[l] < 0) {
			pos[l] = L;
			order[L++] = l;
		}

	p = plan_alloc(x, sizeof(*p));
	stride = plan_alloc(x, (size_t)n_ops * (size_t)L * sizeof(int64_t));
	if (!p || !stride)
		return GRT_E_NOMEM;
	n->params = p;
	p->n_ops = n_ops;
	p->n_out = n_out;
	p->n_sum = L - n_out;
	p->stride = stride;
	for (int k = 0; k < L; k++)
		p->size[k] = size[order[k]];
	{
		int64_t s = 1;
		for (int k = n_out - 1; k >= 0; k--) {
			p->y_stride[k] = s;
			s *= p->size[k];
			dims[k] = p->size[k];
		}
	}
	for (int i = 0; i < n_ops; i++) {
		const struct tensor *in = n->inputs[i];
		int64_t es = 1;
		int lab[MAX_DIMS];
		dim_labels(&terms[i], in->ndim, n_ell, lab);
		for (int d = in->ndim - 1; d >= 0; d--) {
			if (in->dims[d] != 1)
				stride[(size_t)i * (size_t)L + (size_t)pos[lab[d]]] += es;
			es *= in->dims[d];
		}
	}
	if ((rc = tensor_set_shape(y, dt, n_out, dims)))
		return op_fail(n, x, rc, "output shape too large");

	return einsum_scratch(n, x, p, L);
}

static int einsum_run(struct node *n, struct exec *x)
{
	const struct einsum_params *p = n->params;
	struct tensor *y = n->outputs[0];
	enum dtype dt = n->inputs[0]->dtype;
	char *work = x->scratch;     /* label-walk state or GEMM buffers */
	void *out = y->data;

	if (n->half)
		return half_run(n, x, einsum_run);
	if (!y->numel)
		return GRT_OK;
	if (p->use_mm) {
		const void *a = n->inputs[0]->data, *b = n->inputs[1]->data;
		if (dt == DT_FLOAT)
			mm_f32(&p->mm, a, b, out, (float *)work);
		else
			mm_f64(&p->mm, a, b, out, (double *)work);
	} else {
		const void **in = (const void **)(work + (size_t)(p->n_ops + p->n_out + p->n_sum) *
		                                  sizeof(int64_t));
		for (int i = 0; i < p->n_ops; i++)
			in[i] = n->inputs[i]->data;
		switch (dt) {
		case DT_FLOAT: walk_f32(p, in, out, (int64_t *)work); break;
		case DT_DOUBLE: walk_f64(p, in, out, (int64_t *)work); break;
		case DT_INT8: walk_i8(p, in, out, (int64_t *)work); break;
		case DT_INT16: walk_i16(p, in, out, (int64_t *)work); break;
		case DT_INT32: walk_i32(p, in, out, (int64_t *)work); break;
		case DT_INT64: walk_i64(p, in, out, (int64_t *)work); break;
		case DT_UINT8: walk_u8(p, in, out, (int64_t *)work); break;
		case DT_UINT16: walk_u16(p, in, out, (int64_t *)work); break;
		case DT_UINT32: walk_u32(p, in, out, (int64_t *)work); break;
		case DT_UINT64: walk_u64(p, in, out, (int64_t *)work); break;
		default:
			return op_fail(n, x, GRT_E_DTYPE, "unsupported element type %s",
			               dtype_name(dt));
		}
	}
	return GRT_OK;
}

/* Multiply-adds: one per point of the full label space per operand after
 * the first. */
static int64_t einsum_macs(const struct node *n)
{
	const struct einsum_params *p = n->params;
	int64_t k = 1;

	for (int l = 0; l < p->n_out + p->n_sum; l++)
		k *= p->size[l];
	return k * (p->n_ops > 1 ? p->n_ops - 1 : 1);
}

const struct op_def op_einsum = { "Einsum", 12, OPSET_LATEST, einsum_prepare, einsum_run, 0, einsum_macs };

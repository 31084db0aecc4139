/* gemm_op.c - Gemm (https://onnx.ai/onnx/operators/onnx__Gemm.html), opsets 1, 6, 7, 9, 11
 * (C optional), 13 (bfloat16): Y[M,N] = alpha A'[M,K] B'[K,N] + beta C, A' = A or A^T
 * (transA), B' = B or B^T (transB), C broadcast to [M,N]. Float through the session's
 * matrix product (ops/math/gemm.h; float16/bfloat16 through float copies in scratch, a
 * transposed B transposed once: at plan time when constant), double through
 * gemm_f64_run, integers with plain loops. */
#include <string.h>
#include "ops/cpu.h"
#include "ops/op.h"

struct gemm_params {
	int64_t m, k, n;                /* A' [m,k], B' [k,n], Y [m,n] */
	int trans_a, trans_b;
	double alpha, beta;
	int64_t c_rs, c_cs;             /* C's element strides along Y's rows and columns (0:
	                                   broadcast); no C: beta is 0 */
	const void *bt;                 /* float/double: B' [k,n] transposed at plan time, or
	                                   NULL */
	/* scratch: float copies of A [m*k], B' [k*n] and Y [m*n] (float16/bfloat16; B' also
	 * for a transposed B not transposed at plan time), the product [m*n] when
	 * alpha != 1; byte offsets, 64-aligned */
	size_t a_off, b_off, y_off, p_off;
	const struct gemm_ukernel *gemm;  /* float: this session's (ops/cpu.h) */
};

static size_t align64(size_t v)
{
	return (v + 63) & ~(size_t)63;
}

/* dst [k][n] (float or double, elem bytes) = src [n][k] transposed, or converted from
 * float16/bfloat16 (dt) and transposed when trans, else only converted */
static void gemm_load_b(void *dst, const void *src, enum dtype dt, int64_t k, int64_t n,
                        int trans)
{
	for (int64_t p = 0; p < k; p++)
		for (int64_t j = 0; j < n; j++) {
			int64_t s = trans ? j * k + p : p * n + j;
			if (dt == DT_DOUBLE)
				((double *)dst)[p * n + j] = ((const double *)src)[s];
			else if (dt == DT_FLOAT)
				((float *)dst)[p * n + j] = ((const float *)src)[s];
			else if (dt == DT_FLOAT16)
				((float *)dst)[p * n + j] = half_to_float(((const uint16_t *)src)[s]);
			else
				((float *)dst)[p * n + j] = bf16_to_float(((const uint16_t *)src)[s]);
		}
}

static int gemm_prepare(struct node *n, struct exec *x)
{
	static const enum dtype types_1[] = { DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_UNDEFINED };
	static const enum dtype types_9[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_INT32, DT_INT64, DT_UINT32, DT_UINT64,
		DT_UNDEFINED,
	};
	static const enum dtype types_13[] = {
		DT_FLOAT, DT_DOUBLE, DT_FLOAT16, DT_BFLOAT16, DT_INT32, DT_INT64, DT_UINT32,
		DT_UINT64, DT_UNDEFINED,
	};
	const enum dtype *types = n->opset >= 13 ? types_13 : n->opset >= 9 ? types_9 : types_1;
	const struct tensor *a, *b, *c;
	struct tensor *y = op_output(n, 0);
	struct gemm_params *p;
	int64_t ta, tb, k2, dims[2];
	float alpha, beta;
	int rc, half;
	size_t fsz, bytes = 0;

	if ((rc = op_check_arity(n, x, n->opset >= 11 ? 2 : 3, 3, 1, 1)) ||
	    (rc = op_check_dtype(n, x, 0, types)) || (rc = op_check_dtype(n, x, 1, types)) ||
	    (rc = attr_int(n, x, "transA", 0, &ta)) || (rc = attr_int(n, x, "transB", 0, &tb)) ||
	    (rc = attr_float(n, x, "alpha", 1.0f, &alpha)) ||
	    (rc = attr_float(n, x, "beta", 1.0f, &beta)))
		return rc;
	a = n->inputs[0];
	b = n->inputs[1];
	c = op_input(n, 2);
	if (b->dtype != a->dtype || (c && c->dtype != a->dtype))
		return op_fail(n, x, GRT_E_DTYPE, "A, B and C must have one element type");
	if (a->ndim != 2 || b->ndim != 2)
		return op_fail(n, x, GRT_E_SHAPE, "A (rank %d) and B (rank %d) must be matrices",
		               a->ndim, b->ndim);
	if (!y)
		return op_fail(n, x, GRT_E_INVALID_MODEL, "output 0 is empty");
	if (!(p = plan_alloc(x, sizeof(*p))))
		return GRT_E_NOMEM;
	n->params = p;
	p->trans_a = ta != 0;
	p->trans_b = tb != 0;
	p->m = a->dims[p->trans_a];
	p->k = a->dims[!p->trans_a];
	k2 = b->dims[p->trans_b];
	p->n = b->dims[!p->trans_b];
	if (p->k != k2)
		return op_fail(n, x, GRT_E_SHAPE, "A' has %lld columns but B' has %lld rows",
		               (long long)p->k, (long long)k2);
	p->alpha = alpha;
	p->beta = c ? beta : 0.0;
	if (c) {
		/* unidirectional broadcast of C to [M, N] */
		int64_t cr = c->ndim == 2 ? c->dims[0] : 1;
		int64_t cc = c->ndim >= 1 ? c->dims[c->ndim - 1] : 1;
		if (c->ndim > 2 || (cr != 1 && cr != p->m) || (cc != 1 && cc != p->n))
			return op_fail(n, x, GRT_E_SHAPE, "C of rank %d does not broadcast to "
			               "[%lld, %lld]", c->ndim, (long long)p->m, (long long)p->n);
		p->c_cs = cc == 1 ? 0 : 1;
		p->c_rs = cr == 1 ? 0 : cc;
	}
	dims[0] = p->m;
	dims[1] = p->n;
	if ((rc = tensor_set_shape(y, a->dtype, 2, dims)))
		return op_fail(n, x, rc, "output shape too large");
	p->gemm = x->kern->gemm;

	/* scratch and plan-time copies (float types only) */
	if (!dtype_is_float(a->dtype) || !y->numel)
		return GRT_OK;
	half = a->dtype == DT_FLOAT16 || a->dtype == DT_BFLOAT16;
	fsz = a->dtype == DT_DOUBLE ? sizeof(double) : sizeof(float);
	if (half) {
		p->a_off = 0;
		bytes = align64((size_t)a->numel * fsz);
	}
	if (half || p->trans_b) {
		const void *bv = b->is_const ? op_const_input(n, x, 1) : NULL;
		void *bt;
		if (bv) {
			if (!(bt = plan_alloc(x, (size_t)b->numel * fsz)))
				return GRT_E_NOMEM;
			gemm_load_b(bt, bv, b->dtype, p->k, p->n, p->trans_b);
			p->bt = bt;
			n->baked |= 1u << 1;    /* run() reads bt, never B */
		} else {
			p->b_off = bytes;
			bytes += align64((size_t)b->numel * fsz);
		}
	}
	if (half) {
		p->y_off = bytes;
		bytes += align64((size_t)y->numel * fsz);
	}
	if (p->alpha != 1.0) {
		p->p_off = bytes;
		bytes += align64((size_t)y->numel * fsz);
	}
	n->scratch_bytes = bytes;
	return GRT_OK;
}

/* Y = beta C broadcast (0 without C), as T: yf float, yd double */
static void gemm_init_c(const struct gemm_params *p, const struct tensor *c, float *yf,
                        double *yd)
{
	for (int64_t i = 0; i < p->m; i++)
		for (int64_t j = 0; j < p->n; j++) {
			double v = c ? p->beta * elem_as_double(c->dtype, c->data,
			                                         i * p->c_rs + j * p->c_cs) : 0.0;
			if (yf)
				yf[i * p->n + j] = (float)v;
			else
				yd[i * p->n + j] = v;
		}
}

/* float, float16, bfloat16 (through float) */
static void gemm_run_f32(const struct gemm_params *p, struct node *n, void *scratch)
{
	const struct tensor *a = n->inputs[0], *b = n->inputs[1], *c = op_input(n, 2);
	struct tensor *y = n->outputs[0];
	int half = a->dtype != DT_FLOAT;
	const float *fa = a->data, *fb = p->trans_b || half ? p->bt : b->data;
	float *fy = half ? (float *)((char *)scratch + p->y_off) : y->data;
	float *prod = p->alpha != 1.0 ? (float *)((char *)scratch + p->p_off) : fy;

	if (half) {
		float *t = (float *)((char *)scratch + p->a_off);
		for (int64_t i = 0; i < a->numel; i++)
			t[i] = a->dtype == DT_BFLOAT16 ? bf16_to_float(((const uint16_t *)a->data)[i])
			                               : half_to_float(((const uint16_t *)a->data)[i]);
		fa = t;
	}
	if (!fb) {
		float *t = (float *)((char *)scratch + p->b_off);
		gemm_load_b(t, b->data, b->dtype, p->k, p->n, p->trans_b);
		fb = t;
	}
	gemm_init_c(p, c, fy, NULL);
	if (prod != fy)
		memset(prod, 0, (size_t)(p->m * p->n) * sizeof(float));
	gemm_f32_run(p->gemm, p->m, p->n, p->k, fa, p->trans_a ? 1 : p->k,
	             p->trans_a ? p->m : 1, fb, p->n, prod, p->n);
	if (prod != fy)
		for (int64_t i = 0; i < p->m * p->n; i++)
			fy[i] += (float)p->alpha * prod[i];
	if (half)
		for (int64_t i = 0; i < y->numel; i++)
			((uint16_t *)y->data)[i] = y->dtype == DT_BFLOAT16 ? float_to_bf16(fy[i])
			                                                   : float_to_half(fy[i]);
}

static void gemm_run_f64(const struct gemm_params *p, struct node *n, void *scratch)
{
	const struct tensor *a = n->inputs[0], *b = n->inputs[1], *c = op_input(n, 2);
	double *fy = n->outputs[0]->data;
	const double *fb = p->trans_b ? p->bt : b->data;
	double *prod = p->alpha != 1.0 ? (double *)((char *)scratch + p->p_off) : fy;

	if (!fb) {
		double *t = (double *)((char *)scratch + p->b_off);
		gemm_load_b(t, b->data, b->dtype, p->k, p->n, 1);
		fb = t;
	}
	gemm_init_c(p, c, NULL, fy);
	if (prod != fy)
		memset(prod, 0, (size_t)(p->m * p->n) * sizeof(double));
	gemm_f64_run(p->m, p->n, p->k, a->data, p->trans_a ? 1 : p->k, p->trans_a ? p->m : 1,
	             fb, p->n, prod, p->n);
	if (prod != fy)
		for (int64_t i = 0; i < p->m * p->n; i++)
			fy[i] += p->alpha * prod[i];
}

/* element i of an integer array as int64 (unsigned 64-bit values wrap, as in the sums) */
static int64_t gemm_ld_int(enum dtype dt, const void *d, int64_t i)
{
	switch (dt) {
	case DT_INT32: return ((const int32_t *)d)[i];
	case DT_INT64: return ((const int64_t *)d)[i];
	case DT_UINT32: return ((const uint32_t *)d)[i];
	default: return (int64_t)((const uint64_t *)d)[i];
	}
}

/* integers: the sums wrap (two's complement, as the element type's arithmetic);
 * alpha and beta other than 1 scale in double, truncated toward zero */
static void gemm_run_int(const struct gemm_params *p, struct node *n)
{
	const struct tensor *a = n->inputs[0], *b = n->inputs[1], *c = op_input(n, 2);
	struct tensor *y = n->outputs[0];
	int64_t as_r = p->trans_a ? 1 : p->k, as_c = p->trans_a ? p->m : 1;
	int64_t bs_r = p->trans_b ? 1 : p->n, bs_c = p->trans_b ? p->k : 1;

	for (int64_t i = 0; i < p->m; i++)
		for (int64_t j = 0; j < p->n; j++) {
			uint64_t s = 0, v, cv;
			for (int64_t q = 0; q < p->k; q++)
				s += (uint64_t)gemm_ld_int(a->dtype, a->data, i * as_r + q * as_c) *
				     (uint64_t)gemm_ld_int(b->dtype, b->data, q * bs_r + j * bs_c);
			v = p->alpha == 1.0 ? s : (uint64_t)sat_int(p->alpha * (double)(int64_t)s,
			                                             INT64_MIN, INT64_MAX);
			if (c) {
				cv = (uint64_t)gemm_ld_int(c->dtype, c->data, i * p->c_rs + j * p->c_cs);
				v += p->beta == 1.0 ? cv : (uint64_t)sat_int(p->beta * (double)(int64_t)cv,
				                                             INT64_MIN, INT64_MAX);
			}
			if (y->dtype == DT_INT32 || y->dtype == DT_UINT32)
				((uint32_t *)y->data)[i * p->n + j] = (uint32_t)v;
			else
				((uint64_t *)y->data)[i * p->n + j] = v;
		}
}

static int gemm_run(struct node *n, struct exec *x)
{
	const struct gemm_params *p = n->params;

	if (!n->outputs[0]->numel)
		return GRT_OK;
	if (n->inputs[0]->dtype == DT_DOUBLE)
		gemm_run_f64(p, n, x->scratch);
	else if (dtype_is_float(n->inputs[0]->dtype))
		gemm_run_f32(p, n, x->scratch);
	else
		gemm_run_int(p, n);
	return GRT_OK;
}

/* Multiply-adds: M N K. */
static int64_t gemm_macs(const struct node *n)
{
	const struct gemm_params *p = n->params;

	return p->m * p->n * p->k;
}

const struct op_def op_gemm = { "Gemm", 1, OPSET_LATEST, gemm_prepare, gemm_run, 0, gemm_macs };

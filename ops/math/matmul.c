/* matmul.c - MatMul (https://onnx.ai/onnx/operators/onnx__MatMul.html), opsets 1..latest,
 * MatMulAdd of the project's domain (docs/OPERATORS.md): MatMul(A, B) + C, float, and
 * Gemm (https://onnx.ai/onnx/operators/onnx__Gemm.html, at the end).
 * numpy matmul: 1-D operands are promoted to matrices and the added axis removed,
 * batch axes broadcast. Per batch Y[m,n] = A[m,k] B[k,n]: float through ops/math/gemm.h,
 * other types with an i-k-j loop; float16/bfloat16 through the float product (ops/half.h).
 * MatMulAdd adds C (broadcast to Y) to each row right after the product. */
#include <string.h>
#include "ops/cpu.h"
#include "ops/op.h"
#include "ops/half.h"
#include "ops/math/matmul.h"
#include "ops/math/sparse.h"

struct matmul_params {
	int64_t m, k, n;          /* per batch: A [m,k], B [k,n], Y [m,n] */
	int64_t n_batch;          /* product of the broadcast batch dims (after folding) */
	const int64_t *a_off;     /* [n_batch] element offset of each batch's A matrix */
	const int64_t *b_off;     /* [n_batch] element offset of each batch's B matrix */
	const struct gemm_ukernel *gemm; /* float: this session's (ops/cpu.h) */
	/* MatMulAdd: Y seen as [rows][cols] (cols = Y's last dim); C's element
	 * strides along Y's dims (0 where C broadcasts) */
	int y_ndim;
	int64_t y_dims[MAX_DIMS], c_str[MAX_DIMS];
	int c_row;                /* MatMulAdd: C is one row [cols] for every row of Y */
	/* float, B constant, one matrix for every batch and mostly zeros
	 * (ops/math/sparse.h): the product over its nonzeros */
	int sparse;
	struct sparse_b sb;
};

/* Y[m,n] = A[m,k] B[k,n] with the float and double products of ops/gemm.h. */
static void gemm_f32(const struct gemm_ukernel *gemm, const float *restrict a,
                     const float *restrict b, float *restrict y, int64_t m, int64_t k,
                     int64_t n)
{
	memset(y, 0, (size_t)(m * n) * sizeof(float));
	gemm_f32_run(gemm, m, n, k, a, k, 1, b, n, y, n);
}

/* Y[m,n] = A[m,k] B[k,n] for float: over B's nonzeros where planned and A is finite,
 * else the full product; the same sums either way (ops/math/sparse.h). */
static void product_f32(const struct matmul_params *p, const float *restrict a,
                        const float *restrict b, float *restrict y, int64_t m)
{
	if (!p->sparse || !sparse_product(&p->sb, a, p->k, m, y))
		gemm_f32(p->gemm, a, b, y, m, p->k, p->n);
}

static void gemm_f64(const double *restrict a, const double *restrict b, double *restrict y,
                     int64_t m, int64_t k, int64_t n)
{
	memset(y, 0, (size_t)(m * n) * sizeof(double));
	gemm_f64_run(m, n, k, a, k, 1, b, n, y, n);
}

/* The integer products gemm_i32, _i64, _u32, _u64 (ops/math/matmul_int.h). */
#define KN(name) name##_i32
#define T int32_t
#define U uint32_t
#include "ops/math/matmul_int.h"
#define KN(name) name##_i64
#define T int64_t
#define U uint64_t
#include "ops/math/matmul_int.h"
#define KN(name) name##_u32
#define T uint32_t
#define U uint32_t
#include "ops/math/matmul_int.h"
#define KN(name) name##_u64
#define T uint64_t
#define U uint64_t
#include "ops/math/matmul_int.h"

/* The element types of MatMul and Gemm at opset: integers from 9, bfloat16 from 13. */
static const enum dtype *matmul_types(int opset)
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

	return opset >= 13 ? types_13 : opset >= 9 ? types_9 : types_1;
}

int matmul_shape(struct node *n, struct exec *x, const struct tensor *a,
                 const struct tensor *b, struct tensor *y, enum dtype ydt, int fold_ok,
                 struct matmul_shape *s)
{
	int64_t dims[MAX_DIMS], bdims[MAX_DIMS], a_str[MAX_DIMS], b_str[MAX_DIMS];
	int64_t m, k, kb, nn, n_batch = 1, sa = 1, sb = 1;
	int rc, ra, rb, nb, nd = 0, fold;

	if (a->ndim < 1 || b->ndim < 1)
		return op_fail(n, x, GRT_E_SHAPE, "A (rank %d) and B (rank %d) must have rank >= 1",
		               a->ndim, b->ndim);
	ra = a->ndim;
	rb = b->ndim;
	m = ra >= 2 ? a->dims[ra - 2] : 1;
	k = a->dims[ra - 1];
	kb = rb >= 2 ? b->dims[rb - 2] : b->dims[0];
	nn = rb >= 2 ? b->dims[rb - 1] : 1;
	if (k != kb)
		return op_fail(n, x, GRT_E_SHAPE,
		               "A '%s' has %lld columns but B '%s' has %lld rows",
		               a->name, (long long)k, b->name, (long long)kb);

	/* batch dims: A's and B's leading dims, right-aligned and broadcast */
	ra = ra >= 2 ? ra - 2 : 0;
	rb = rb >= 2 ? rb - 2 : 0;
	nb = ra > rb ? ra : rb;
	for (int d = nb - 1; d >= 0; d--) {
		int da = d - (nb - ra), db = d - (nb - rb);
		int64_t va = da >= 0 ? a->dims[da] : 1, vb = db >= 0 ? b->dims[db] : 1;
		if (va != vb && va != 1 && vb != 1)
			return op_fail(n, x, GRT_E_SHAPE,
			               "batch dims do not broadcast: A dim %d = %lld, B dim %d = %lld",
			               da, (long long)va, db, (long long)vb);
		bdims[d] = va == 1 ? vb : va;
		/* strides of the batch dims in elements; 0 where broadcast */
		a_str[d] = va == 1 ? 0 : sa * m * k;
		b_str[d] = vb == 1 ? 0 : sb * k * nn;
		sa *= va;
		sb *= vb;
	}
	for (int d = 0; d < nb; d++) {
		dims[nd++] = bdims[d];
		n_batch *= bdims[d];
	}
	if (a->ndim >= 2)
		dims[nd++] = m;
	if (b->ndim >= 2)
		dims[nd++] = nn;
	if ((rc = tensor_set_shape(y, ydt, nd, dims)))
		return op_fail(n, x, rc, "output shape too large");

	s->m = m;
	s->k = k;
	s->n = nn;
	s->n_batch = n_batch;
	if (y->numel == 0) {
		s->n_batch = 0;
		return GRT_OK;
	}

	/* B shared by every batch and A not broadcast: one product of
	 * [n_batch*m, k] by [k, n] */
	fold = fold_ok;
	for (int d = 0; d < nb; d++)
		if (b_str[d] || (bdims[d] > 1 && !a_str[d]))
			fold = 0;
	if (fold) {
		int64_t *off = plan_alloc(x, 2 * sizeof(int64_t));
		if (!off)
			return GRT_E_NOMEM;
		s->m = m * n_batch;
		s->n_batch = 1;
		s->a_off = off;
		s->b_off = off + 1;
	} else {
		int64_t *ao = plan_alloc(x, 2 * (size_t)n_batch * sizeof(int64_t)), *bo;
		int64_t idx[MAX_DIMS] = { 0 };
		if (!ao)
			return GRT_E_NOMEM;
		bo = ao + n_batch;
		for (int64_t i = 0; i < n_batch; i++) {
			int64_t oa = 0, ob = 0;
			for (int d = 0; d < nb; d++) {
				oa += idx[d] * a_str[d];
				ob += idx[d] * b_str[d];
			}
			ao[i] = oa;
			bo[i] = ob;
			for (int d = nb - 1; d >= 0 && ++idx[d] == bdims[d]; d--)
				idx[d] = 0;
		}
		s->a_off = ao;
		s->b_off = bo;
	}
	return GRT_OK;
}

static int matmul_plan(struct node *n, struct exec *x)
{
	const enum dtype *types = matmul_types(n->opset);
	struct tensor *a, *b;
	struct matmul_params *p;
	struct matmul_shape s;
	int rc;

	if ((rc = op_check_dtype(n, x, 0, types)) || (rc = op_check_dtype(n, x, 1, types)))
		return rc;
	a = n->inputs[0];
	b = n->inputs[1];
	if (a->dtype != b->dtype)
		return op_fail(n, x, GRT_E_DTYPE, "A is %s but B is %s", dtype_name(a->dtype),
		               dtype_name(b->dtype));
	if (half_wanted(n))     /* the float kernel on widened copies (ops/half.h) */
		return half_prepare(n, x, n->op->prepare);
	if ((rc = matmul_shape(n, x, a, b, op_output(n, 0), a->dtype, 1, &s)))
		return rc;
	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return GRT_E_NOMEM;
	n->params = p;
	p->m = s.m;
	p->k = s.k;
	p->n = s.n;
	p->n_batch = s.n_batch;
	p->a_off = s.a_off;
	p->b_off = s.b_off;
	p->gemm = x->kern->gemm;
	p->sparse = 0;
	/* not for a node prepared at each run: its B is then a run's value, and finding
	 * the nonzeros would cost as much as the product */
	if (a->dtype == DT_FLOAT && b->is_const && !n->dynamic && b->numel == p->k * p->n &&
	    p->n_batch) {
		const float *bv = op_const_input(n, x, 1);
		if ((rc = sparse_plan(&p->sb, bv, p->k, p->n, x)) < 0)
			return rc;
		p->sparse = rc;
	}
	return GRT_OK;
}

static int matmul_prepare(struct node *n, struct exec *x)
{
	int rc = op_check_arity(n, x, 2, 2, 1, 1);

	return rc ? rc : matmul_plan(n, x);
}

static int matmul_add_prepare(struct node *n, struct exec *x)
{
	static const enum dtype types[] = { DT_FLOAT, DT_UNDEFINED };
	const struct tensor *c;
	struct tensor *y;
	struct matmul_params *p;
	int rc;

	if ((rc = op_check_arity(n, x, 3, 3, 1, 1)) || (rc = op_check_dtype(n, x, 0, types)) ||
	    (rc = op_check_dtype(n, x, 2, types)) || (rc = matmul_plan(n, x)))
		return rc;
	c = n->inputs[2];
	y = n->outputs[0];
	p = n->params;
	if (c->ndim > y->ndim)
		return op_fail(n, x, GRT_E_SHAPE, "C has rank %d, more than the product's %d",
		               c->ndim, y->ndim);
	for (int d = 0; d < c->ndim; d++) {
		int64_t yd = y->dims[y->ndim - c->ndim + d];
		if (c->dims[d] != 1 && c->dims[d] != yd)
			return op_fail(n, x, GRT_E_SHAPE, "C dim %d = %lld does not broadcast to the "
			               "product's %lld", d, (long long)c->dims[d], (long long)yd);
	}
	p->y_ndim = y->ndim;
	memcpy(p->y_dims, y->dims, sizeof(int64_t) * (size_t)y->ndim);
	broadcast_strides(c, y->ndim, y->dims, p->c_str);
	p->c_row = y->ndim >= 1 && p->c_str[y->ndim - 1] == 1;
	for (int d = 0; d + 1 < y->ndim; d++)
		p->c_row &= p->c_str[d] == 0;
	return GRT_OK;
}

/* y [rows][cols] += C broadcast, row by row: cols = the last dim (1 for a scalar). */
static void add_broadcast(const struct matmul_params *p, const float *restrict c,
                          float *restrict y, int64_t numel)
{
	const int nd = p->y_ndim;
	const int64_t cols = nd ? p->y_dims[nd - 1] : 1, cs = nd ? p->c_str[nd - 1] : 0;
	int64_t idx[MAX_DIMS] = { 0 }, off = 0;

	for (int64_t r = 0; r < numel / (cols ? cols : 1); r++, y += cols) {
		const float *restrict cr = c + off;
		if (cs)
			for (int64_t j = 0; j < cols; j++)
				y[j] += cr[j];
		else
			for (int64_t j = 0; j < cols; j++)
				y[j] += cr[0];
		for (int d = nd - 2; d >= 0; d--) {
			off += p->c_str[d];
			if (++idx[d] < p->y_dims[d])
				break;
			off -= p->c_str[d] * p->y_dims[d];
			idx[d] = 0;
		}
	}
}

static int matmul_add_run(struct node *n, struct exec *x)
{
	const struct matmul_params *p = n->params;
	const float *a = n->inputs[0]->data, *b = n->inputs[1]->data;
	struct tensor *y = n->outputs[0];
	const int64_t ys = p->m * p->n;
	(void)x;

	if (p->c_row) {
		/* one bias row: add it to each block of rows while the block is in cache */
		const float *c = n->inputs[2]->data;
		const int64_t rows_blk = p->n ? (16384 + p->n - 1) / p->n : 1;
		for (int64_t i = 0; i < p->n_batch; i++)
			for (int64_t r0 = 0; r0 < p->m; r0 += rows_blk) {
				const int64_t nr = p->m - r0 < rows_blk ? p->m - r0 : rows_blk;
				float *yb = (float *)y->data + i * ys + r0 * p->n;
				if (!p->sparse) {
					/* the rows start as the bias and the product adds each
					 * sum once (ops/math/gemm.h): c + sum, as sum + c */
					for (int64_t r = 0; r < nr; r++)
						memcpy(yb + r * p->n, c, (size_t)p->n * sizeof(float));
					gemm_f32_run(p->gemm, nr, p->n, p->k, a + p->a_off[i] + r0 * p->k,
					             p->k, 1, b + p->b_off[i], p->n, yb, p->n);
					continue;
				}
				product_f32(p, a + p->a_off[i] + r0 * p->k, b + p->b_off[i], yb, nr);
				for (int64_t r = 0; r < nr; r++)
					for (int64_t j = 0; j < p->n; j++)
						yb[r * p->n + j] += c[j];
			}
		return GRT_OK;
	}
	for (int64_t i = 0; i < p->n_batch; i++)
		product_f32(p, a + p->a_off[i], b + p->b_off[i], (float *)y->data + i * ys, p->m);
	add_broadcast(p, n->inputs[2]->data, y->data, y->numel);
	return GRT_OK;
}

static int matmul_run(struct node *n, struct exec *x)
{
	const struct matmul_params *p = n->params;
	const struct tensor *a = n->inputs[0], *b = n->inputs[1];
	struct tensor *y = n->outputs[0];
	int64_t m = p->m, k = p->k, nn = p->n, ys = m * nn;

	if (n->half)
		return half_run(n, x, matmul_run);
	switch (a->dtype) {
	case DT_FLOAT:
		for (int64_t i = 0; i < p->n_batch; i++)
			product_f32(p, (const float *)a->data + p->a_off[i],
			            (const float *)b->data + p->b_off[i], (float *)y->data + i * ys, m);
		break;
	case DT_DOUBLE:
		for (int64_t i = 0; i < p->n_batch; i++)
			gemm_f64((const double *)a->data + p->a_off[i],
			         (const double *)b->data + p->b_off[i], (double *)y->data + i * ys,
			         m, k, nn);
		break;
	case DT_INT32:
		for (int64_t i = 0; i < p->n_batch; i++)
			gemm_i32((const int32_t *)a->data + p->a_off[i],
			         (const int32_t *)b->data + p->b_off[i], (int32_t *)y->data + i * ys,
			         m, k, nn);
		break;
	case DT_INT64:
		for (int64_t i = 0; i < p->n_batch; i++)
			gemm_i64((const int64_t *)a->data + p->a_off[i],
			         (const int64_t *)b->data + p->b_off[i], (int64_t *)y->data + i * ys,
			         m, k, nn);
		break;
	case DT_UINT32:
		for (int64_t i = 0; i < p->n_batch; i++)
			gemm_u32((const uint32_t *)a->data + p->a_off[i],
			         (const uint32_t *)b->data + p->b_off[i], (uint32_t *)y->data + i * ys,
			         m, k, nn);
		break;
	case DT_UINT64:
		for (int64_t i = 0; i < p->n_batch; i++)
			gemm_u64((const uint64_t *)a->data + p->a_off[i],
			         (const uint64_t *)b->data + p->b_off[i], (uint64_t *)y->data + i * ys,
			         m, k, nn);
		break;
	default:
		return op_fail(n, x, GRT_E_DTYPE, "unsupported element type %s",
		               dtype_name(a->dtype));
	}
	return GRT_OK;
}

/* Multiply-adds: each output element is a dot product over K. */
static int64_t matmul_macs(const struct node *n)
{
	const struct tensor *a = n->inputs[0];

	return n->outputs[0]->numel * (a->ndim ? a->dims[a->ndim - 1] : 1);
}

const struct op_def op_matmul = { "MatMul", 1, OPSET_LATEST, matmul_prepare, matmul_run, 0, matmul_macs };
const struct op_def op_grt_matmul_add = {
	"MatMulAdd", 1, OP_DOMAIN_VERSION, matmul_add_prepare, matmul_add_run, 0, matmul_macs };

/* ---- Gemm: opsets 1, 6, 7, 9 (integers), 11 (C optional), 13 (bfloat16).
 * Y[M,N] = alpha A'[M,K] B'[K,N] + beta C, A' = A or A^T (transA: the product's A
 * strides), B' = B or B^T (transB: transposed once at plan time when constant, else into
 * scratch), C broadcast to [M,N]. Float through the session's product, float16/bfloat16
 * through float copies in scratch, double through gemm_f64_run, integers with plain
 * loops. */

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
	const enum dtype *types = matmul_types(n->opset);
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
		/* unidirectional broadcast of C to [M, N]; opsets 1-6 only with broadcast = 1 */
		int64_t cr = c->ndim == 2 ? c->dims[0] : 1;
		int64_t cc = c->ndim >= 1 ? c->dims[c->ndim - 1] : 1;
		int64_t bc = 1;
		if (n->opset < 7 && (rc = attr_int(n, x, "broadcast", 0, &bc)))
			return rc;
		if (c->ndim > 2 || (cr != 1 && cr != p->m) || (cc != 1 && cc != p->n) ||
		    (!bc && (c->ndim != 2 || cr != p->m || cc != p->n)))
			return op_fail(n, x, GRT_E_SHAPE, "C of rank %d does not %s [%lld, %lld]",
			               c->ndim, bc ? "broadcast to" : "have the shape (broadcast = 0)",
			               (long long)p->m, (long long)p->n);
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
	int64_t mn = p->m * p->n;

	if (!c) {
		if (yf)
			memset(yf, 0, (size_t)mn * sizeof(float));
		else
			memset(yd, 0, (size_t)mn * sizeof(double));
		return;
	}
	if (c->dtype == DT_FLOAT && p->c_cs) {
		/* rows of C: a copy scaled by beta (float, as the product) */
		const float beta = (float)p->beta;
		for (int64_t i = 0; i < p->m; i++) {
			const float *cr = (const float *)c->data + i * p->c_rs;
			for (int64_t j = 0; j < p->n; j++)
				yf[i * p->n + j] = beta * cr[j];
		}
		return;
	}
	for (int64_t i = 0; i < p->m; i++)
		for (int64_t j = 0; j < p->n; j++) {
			int64_t ci = i * p->c_rs + j * p->c_cs;
			double v = p->beta * elem_as_double(c->dtype, c->data, ci);
			if (yf)
				yf[i * p->n + j] = (float)v;
			else
				yd[i * p->n + j] = v;
		}
}

static void to_float(const uint16_t *restrict s, float *restrict d, int64_t count, int bf16)
{
	for (int64_t i = 0; i < count; i++)
		d[i] = bf16 ? bf16_to_float(s[i]) : half_to_float(s[i]);
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
		to_float(a->data, t, a->numel, a->dtype == DT_BFLOAT16);
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
				int64_t ci = i * p->c_rs + j * p->c_cs;
				cv = (uint64_t)gemm_ld_int(c->dtype, c->data, ci);
				if (p->beta != 1.0)
					cv = (uint64_t)sat_int(p->beta * (double)(int64_t)cv,
					                       INT64_MIN, INT64_MAX);
				v += cv;
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

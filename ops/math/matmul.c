/* matmul.c - MatMul (https://onnx.ai/onnx/operators/onnx__MatMul.html), opsets 1..latest,
 * and MatMulAdd of the project's domain (docs/OPERATORS.md): MatMul(A, B) + C, float.
 * numpy matmul: 1-D operands are promoted to matrices and the added axis removed,
 * batch axes broadcast. Per batch Y[m,n] = A[m,k] B[k,n]: float through ops/math/gemm.h,
 * other types with an i-k-j loop; float16/bfloat16 through the float product (ops/half.h).
 * MatMulAdd adds C (broadcast to Y) to each row right after the product. */
#include <string.h>
#include "ops/cpu.h"
#include "ops/op.h"
#include "ops/half.h"

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
};

/* Y[m,n] = A[m,k] B[k,n] with the float and double products of ops/gemm.h. */
static void gemm_f32(const struct gemm_ukernel *gemm, const float *restrict a,
                     const float *restrict b, float *restrict y, int64_t m, int64_t k,
                     int64_t n)
{
	memset(y, 0, (size_t)(m * n) * sizeof(float));
	gemm_f32_run(gemm, m, n, k, a, k, 1, b, n, y, n);
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

static int matmul_plan(struct node *n, struct exec *x)
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
	struct tensor *a, *b, *y = op_output(n, 0);
	struct matmul_params *p;
	int64_t dims[MAX_DIMS], bdims[MAX_DIMS], a_str[MAX_DIMS], b_str[MAX_DIMS];
	int64_t m, k, kb, nn, n_batch = 1, sa = 1, sb = 1;
	int rc, ra, rb, nb, nd = 0, fold;

	if ((rc = op_check_dtype(n, x, 0, types)) || (rc = op_check_dtype(n, x, 1, types)))
		return rc;
	a = n->inputs[0];
	b = n->inputs[1];
	if (a->dtype != b->dtype)
		return op_fail(n, x, GRT_E_DTYPE, "A is %s but B is %s", dtype_name(a->dtype),
		               dtype_name(b->dtype));
	if (half_wanted(n))     /* the float kernel on widened copies (ops/half.h) */
		return half_prepare(n, x, n->op->prepare);
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
	if ((rc = tensor_set_shape(y, a->dtype, nd, dims)))
		return op_fail(n, x, rc, "output shape too large");

	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return GRT_E_NOMEM;
	n->params = p;
	p->m = m;
	p->k = k;
	p->n = nn;
	p->n_batch = n_batch;
	p->gemm = x->kern->gemm;
	if (y->numel == 0) {
		p->n_batch = 0;
		return GRT_OK;
	}

	/* B shared by every batch and A not broadcast: one product of
	 * [n_batch*m, k] by [k, n] */
	fold = 1;
	for (int d = 0; d < nb; d++)
		if (b_str[d] || (bdims[d] > 1 && !a_str[d]))
			fold = 0;
	if (fold) {
		int64_t *off = plan_alloc(x, 2 * sizeof(int64_t));
		if (!off)
			return GRT_E_NOMEM;
		p->m = m * n_batch;
		p->n_batch = 1;
		p->a_off = off;
		p->b_off = off + 1;
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
		p->a_off = ao;
		p->b_off = bo;
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
				gemm_f32(p->gemm, a + p->a_off[i] + r0 * p->k, b + p->b_off[i], yb, nr,
				         p->k, p->n);
				for (int64_t r = 0; r < nr; r++)
					for (int64_t j = 0; j < p->n; j++)
						yb[r * p->n + j] += c[j];
			}
		return GRT_OK;
	}
	for (int64_t i = 0; i < p->n_batch; i++)
		gemm_f32(p->gemm, a + p->a_off[i], b + p->b_off[i], (float *)y->data + i * ys, p->m,
		         p->k, p->n);
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
			gemm_f32(p->gemm, (const float *)a->data + p->a_off[i],
			         (const float *)b->data + p->b_off[i], (float *)y->data + i * ys,
			         m, k, nn);
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

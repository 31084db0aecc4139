/* qmatmul.c - MatMulInteger (https://onnx.ai/onnx/operators/onnx__MatMulInteger.html,
 * opset 10) and QLinearMatMul (..QLinearMatMul.html, opsets 10..latest): numpy matmul of
 * int8 / uint8 operands, zero points per tensor or per row of A / column of B. The
 * operands are packed, zero points subtracted, into int16 rows (A as is, B transposed)
 * and multiplied by the integer product of this session (ops/quantization/qgemm.h) into int32;
 * QLinearMatMul requantizes each sum with a_scale * b_scale / y_scale. */
#include "ops/cpu.h"
#include "ops/math/matmul.h"
#include "ops/quantization/qgemm.h"
#include "ops/quantization/quant.h"

struct qmatmul_params {
	struct matmul_shape s;
	int64_t kp;                 /* k rounded up to QGEMM_KSTEP */
	struct q_vec za, zb;        /* zero points: per row of A [m], per column of B [n] */
	struct q_vec sa, sb, sy, zy; /* QLinearMatMul: scales, and Y's zero point */
	int qlinear;
	qgemm_i16_fn qgemm;
	/* B^T packed [n][kp] at plan time when B (2-D or 1-D) and its zero point are
	 * constant (the weights of a model), else NULL */
	const int16_t *b_packed;
	/* scratch: A packed [m][kp], B^T packed [n][kp] (int16), then (QLinearMatMul) the
	 * sums [m][n] (int32) at acc_off bytes */
	size_t b_off, acc_off;
};

static int q_operand(struct node *n, struct exec *x, int i, int zi)
{
	static const enum dtype types[] = { DT_INT8, DT_UINT8, DT_UNDEFINED };
	const struct tensor *z = op_input(n, zi);
	int rc = op_check_dtype(n, x, i, types);

	if (!rc && z && z->dtype != n->inputs[i]->dtype)
		rc = op_fail(n, x, GRT_E_DTYPE, "'%s' is %s but its zero point is %s",
		             n->inputs[i]->name, dtype_name(n->inputs[i]->dtype),
		             dtype_name(z->dtype));
	return rc;
}

/* B^T packed once, when B is one constant matrix with a constant zero point (or none). */
static int qmatmul_pack_const(struct node *n, struct exec *x, int ib, int zb,
                              struct qmatmul_params *p)
{
	const struct tensor *B = n->inputs[ib], *Z = op_input(n, zb);
	int16_t *bp;

	if (!B->is_const || B->ndim > 2 || (Z && !Z->is_const) || p->s.n_batch == 0)
		return GRT_OK;
	bp = plan_alloc(x, (size_t)(p->s.n * p->kp) * sizeof(int16_t));
	if (!bp)
		return GRT_E_NOMEM;
	q_pack_rows(bp, p->kp, B->data, B->dtype, p->s.n, p->s.k, 1, p->s.n, n, &p->zb);
	p->b_packed = bp;
	return GRT_OK;
}

/* The shapes and scratch of both ops: A is input ia, B input ib, their zero points
 * inputs za, zb; Y of dtype ydt. */
static int qmatmul_plan(struct node *n, struct exec *x, int ia, int ib, int za, int zb,
                        enum dtype ydt, struct qmatmul_params **out)
{
	struct qmatmul_params *p;
	size_t a_bytes, b_bytes;
	int rc;

	if ((rc = q_operand(n, x, ia, za)) || (rc = q_operand(n, x, ib, zb)))
		return rc;
	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return GRT_E_NOMEM;
	rc = matmul_shape(n, x, n->inputs[ia], n->inputs[ib], op_output(n, 0), ydt, 0, &p->s);
	if (rc)
		return rc;
	if ((rc = q_vec_check(n, x, za, p->s.m, 1, "A's zero point", &p->za)) ||
	    (rc = q_vec_check(n, x, zb, p->s.n, 1, "B's zero point", &p->zb)))
		return rc;
	p->kp = q_kpad(p->s.k);
	p->qgemm = x->kern->qgemm;
	if ((rc = qmatmul_pack_const(n, x, ib, zb, p)))
		return rc;
	a_bytes = ((size_t)(p->s.m * p->kp) * sizeof(int16_t) + 63) & ~(size_t)63;
	b_bytes = ((size_t)(p->s.n * p->kp) * sizeof(int16_t) + 63) & ~(size_t)63;
	p->b_off = a_bytes;
	p->acc_off = a_bytes + b_bytes;
	n->scratch_bytes = p->acc_off;
	n->params = p;
	*out = p;
	return GRT_OK;
}

/* Batch i's product into acc [m][n] (ldy n): packs A and (unless packed at plan time)
 * B^T into scratch. */
static void qmatmul_batch(const struct node *n, const struct qmatmul_params *p,
                          void *scratch, int ia, int ib, int64_t i, int32_t *acc)
{
	const struct tensor *A = n->inputs[ia], *B = n->inputs[ib];
	int16_t *pa = scratch, *pb = (int16_t *)((char *)scratch + p->b_off);
	const int16_t *b = p->b_packed ? p->b_packed : pb;
	const size_t ea = dtype_size(A->dtype), eb = dtype_size(B->dtype);

	q_pack_rows(pa, p->kp, (const char *)A->data + p->s.a_off[i] * ea, A->dtype, p->s.m,
	            p->s.k, p->s.k, 1, n, &p->za);
	if (!p->b_packed)
		q_pack_rows(pb, p->kp, (const char *)B->data + p->s.b_off[i] * eb, B->dtype,
		            p->s.n, p->s.k, 1, p->s.n, n, &p->zb);
	p->qgemm(acc, p->s.n, pa, b, p->s.m, p->s.n, p->kp);
}

static int matmul_integer_prepare(struct node *n, struct exec *x)
{
	struct qmatmul_params *p;
	int rc = op_check_arity(n, x, 2, 4, 1, 1);

	return rc ? rc : qmatmul_plan(n, x, 0, 1, 2, 3, DT_INT32, &p);
}

static int matmul_integer_run(struct node *n, struct exec *x)
{
	const struct qmatmul_params *p = n->params;
	int32_t *y = n->outputs[0]->data;

	for (int64_t i = 0; i < p->s.n_batch; i++)
		qmatmul_batch(n, p, x->scratch, 0, 1, i, y + i * p->s.m * p->s.n);
	return GRT_OK;
}

static int qlinear_matmul_prepare(struct node *n, struct exec *x)
{
	struct qmatmul_params *p;
	enum dtype ydt;
	int rc = q_linear_inputs(n, x, 8, &ydt);

	if (rc)
		return rc;
	if ((rc = qmatmul_plan(n, x, 0, 3, 2, 5, ydt, &p)))
		return rc;
	if ((rc = q_vec_check(n, x, 1, p->s.m, 1, "a_scale", &p->sa)) ||
	    (rc = q_vec_check(n, x, 4, p->s.n, 1, "b_scale", &p->sb)) ||
	    (rc = q_vec_check(n, x, 6, 1, 0, "y_scale", &p->sy)) ||
	    (rc = q_vec_check(n, x, 7, 1, 0, "y_zero_point", &p->zy)))
		return rc;
	p->qlinear = 1;
	n->scratch_bytes += (size_t)(p->s.m * p->s.n) * sizeof(int32_t);
	return GRT_OK;
}

/* Y = saturate(round(sum * (a_scale * b_scale / y_scale)) + y_zero_point), the scale
 * product in float as ONNX Runtime forms it. */
static int qlinear_matmul_run(struct node *n, struct exec *x)
{
	const struct qmatmul_params *p = n->params;
	const struct tensor *Y = n->outputs[0];
	int32_t *acc = (int32_t *)((char *)x->scratch + p->acc_off);
	const float sy = q_vec_float(n, &p->sy, 0);
	const int32_t zy = q_vec_int(n, &p->zy, 0);
	int32_t lo, hi;

	q_range(Y->dtype, &lo, &hi);
	for (int64_t i = 0; i < p->s.n_batch; i++) {
		qmatmul_batch(n, p, x->scratch, 0, 3, i, acc);
		for (int64_t r = 0; r < p->s.m; r++) {
			const float sa = q_vec_float(n, &p->sa, r);
			const int64_t y0 = (i * p->s.m + r) * p->s.n;
			if (p->sb.step == 0) {      /* one scale for the row */
				q_requant(Y->data, Y->dtype, y0, acc + r * p->s.n, p->s.n,
				          sa * q_vec_float(n, &p->sb, 0) / sy, zy);
				continue;
			}
			for (int64_t j = 0; j < p->s.n; j++) {
				float s = sa * q_vec_float(n, &p->sb, j) / sy;
				q_store(Y->dtype, Y->data, y0 + j,
				        q_round_sat((float)acc[r * p->s.n + j] * s, zy, lo, hi));
			}
		}
	}
	return GRT_OK;
}

/* The float-output node of ops/quantization/qdq_fuse.c (quant.h): QLinearMatMul's
 * inputs but no y_scale, y_zero_point nor b_zero_point (B symmetric int8). */
static int qmatmul_float_prepare(struct node *n, struct exec *x)
{
	struct qmatmul_params *p;
	int rc;

	if (n->n_inputs != 6 || n->n_outputs != 1 || op_input(n, 5))
		return op_fail(n, x, GRT_E_INVALID_MODEL, "not a float-output QLinearMatMul");
	if ((rc = qmatmul_plan(n, x, 0, 3, 2, 5, DT_FLOAT, &p)))
		return rc;
	if ((rc = q_vec_check(n, x, 1, p->s.m, 1, "a_scale", &p->sa)) ||
	    (rc = q_vec_check(n, x, 4, p->s.n, 1, "b_scale", &p->sb)))
		return rc;
	p->qlinear = 1;
	n->scratch_bytes += (size_t)(p->s.m * p->s.n) * sizeof(int32_t);
	return GRT_OK;
}

/* Y = sum * a_scale * b_scale[j] (float). */
static int qmatmul_float_run(struct node *n, struct exec *x)
{
	const struct qmatmul_params *p = n->params;
	int32_t *acc = (int32_t *)((char *)x->scratch + p->acc_off);
	float *y = n->outputs[0]->data;

	for (int64_t i = 0; i < p->s.n_batch; i++) {
		qmatmul_batch(n, p, x->scratch, 0, 3, i, acc);
		for (int64_t r = 0; r < p->s.m; r++) {
			const float sa = q_vec_float(n, &p->sa, r);
			float *yr = y + (i * p->s.m + r) * p->s.n;
			for (int64_t j = 0; j < p->s.n; j++)
				yr[j] = (float)acc[r * p->s.n + j] * (sa * q_vec_float(n, &p->sb, j));
		}
	}
	return GRT_OK;
}

static int64_t qmatmul_macs(const struct node *n)
{
	const struct qmatmul_params *p = n->params;

	return p ? p->s.n_batch * p->s.m * p->s.n * p->s.k : 0;
}

const struct op_def op_matmul_integer = { "MatMulInteger", 10, OPSET_LATEST,
                                          matmul_integer_prepare, matmul_integer_run, 0,
                                          qmatmul_macs };
const struct op_def op_qlinear_matmul = { "QLinearMatMul", 10, OPSET_LATEST,
                                          qlinear_matmul_prepare, qlinear_matmul_run, 0,
                                          qmatmul_macs };
const struct op_def op_qlinear_matmul_float = { "QLinearMatMul", 10, OPSET_LATEST,
                                                qmatmul_float_prepare, qmatmul_float_run, 0,
                                                qmatmul_macs };

/* qgemm.c - the portable integer inner products (ops/quantization/qgemm.h) and the helpers the
 * quantized operators share (ops/quantization/quant.h): zero points and scales, packing,
 * requantization. */
#include "ops/quantization/qgemm.h"
#include "ops/quantization/quant.h"

void qgemm_i16_portable(int32_t *y, int64_t ldy, const int16_t *a, const int16_t *b,
                        int64_t m, int64_t n, int64_t kp)
{
	for (int64_t i = 0; i < m; i++)
		for (int64_t j = 0; j < n; j++) {
			const int16_t *ar = a + i * kp, *br = b + j * kp;
			uint32_t s = 0;     /* wraps as the AVX2 sums do */
			for (int64_t p = 0; p < kp; p++)
				s += (uint32_t)((int32_t)ar[p] * br[p]);
			y[i * ldy + j] = (int32_t)s;
		}
}

int q_vec_check(struct node *n, struct exec *x, int i, int64_t rows, int per_row,
                const char *what, struct q_vec *v)
{
	const struct tensor *t = op_input(n, i);

	v->input = t ? i : -1;
	v->step = 0;
	if (!t)
		return GRT_OK;
	if (t->numel == 1 && t->ndim <= 1)
		return GRT_OK;
	if (per_row && t->ndim == 1 && t->dims[0] == rows) {
		v->step = 1;
		return GRT_OK;
	}
	if (per_row)
		return op_fail(n, x, GRT_E_SHAPE, "%s must hold one value or %lld (1-D), has rank "
		               "%d and %lld values", what, (long long)rows, t->ndim,
		               (long long)t->numel);
	return op_fail(n, x, GRT_E_SHAPE, "%s must be a scalar, has rank %d and %lld values",
	               what, t->ndim, (long long)t->numel);
}

int32_t q_vec_int(const struct node *n, const struct q_vec *v, int64_t r)
{
	const struct tensor *t;

	if (v->input < 0)
		return 0;
	t = n->inputs[v->input];
	return q_elem(t->dtype, t->data, r * v->step);
}

float q_vec_float(const struct node *n, const struct q_vec *v, int64_t r)
{
	const struct tensor *t = n->inputs[v->input];

	return q_float(t->dtype, t->data, r * v->step);
}

int64_t q_kpad(int64_t k)
{
	return (k + QGEMM_KSTEP - 1) / QGEMM_KSTEP * QGEMM_KSTEP;
}

void q_pack_rows(int16_t *o, int64_t kp, const void *a, enum dtype dt, int64_t rows,
                 int64_t k, int64_t rs, int64_t cs, const struct node *n,
                 const struct q_vec *zp)
{
	for (int64_t r = 0; r < rows; r++) {
		int16_t *or = o + r * kp;
		int32_t z = zp ? q_vec_int(n, zp, r) : 0;
		int64_t p;
		if (dt == DT_INT8) {
			const int8_t *ar = (const int8_t *)a + r * rs;
			for (p = 0; p < k; p++)
				or[p] = (int16_t)(ar[p * cs] - z);
		} else {
			const uint8_t *ar = (const uint8_t *)a + r * rs;
			for (p = 0; p < k; p++)
				or[p] = (int16_t)(ar[p * cs] - z);
		}
		for (; p < kp; p++)
			or[p] = 0;
	}
}

/* acc * scale clamped to [flo, fhi] (whole numbers), rounded half to even by adding and
 * taking away 1.5 * 2^23, plus zp: q_round_sat(acc * scale, zp, lo, hi) exactly for
 * flo = lo - zp, fhi = hi - zp (NaN clamps to flo, as there), in a form the compiler
 * vectorises */
static inline int32_t requant1(int32_t acc, float scale, float flo, float fhi, int32_t zp)
{
	const float magic = 12582912.0f;
	float v = (float)acc * scale;

	v = v > flo ? v : flo;
	v = v < fhi ? v : fhi;
	return (int32_t)((v + magic) - magic) + zp;
}

void q_requant(void *y, enum dtype dt, int64_t y0, const int32_t *acc, int64_t count,
               float scale, int32_t zp)
{
	int32_t lo, hi;
	float flo, fhi;

	q_range(dt, &lo, &hi);
	flo = (float)(lo - zp);
	fhi = (float)(hi - zp);
	if (dt == DT_INT8) {
		int8_t *o = (int8_t *)y + y0;
		for (int64_t j = 0; j < count; j++)
			o[j] = (int8_t)requant1(acc[j], scale, flo, fhi, zp);
	} else {
		uint8_t *o = (uint8_t *)y + y0;
		for (int64_t j = 0; j < count; j++)
			o[j] = (uint8_t)requant1(acc[j], scale, flo, fhi, zp);
	}
}

int q_linear_inputs(struct node *n, struct exec *x, int max_in, enum dtype *ydt)
{
	static const enum dtype ftypes[] = { DT_FLOAT, DT_UNDEFINED };
	static const enum dtype qtypes[] = { DT_INT8, DT_UINT8, DT_UNDEFINED };
	int rc = op_check_arity(n, x, 8, max_in, 1, 1);

	if (rc || (rc = op_check_dtype(n, x, 1, ftypes)) ||
	    (rc = op_check_dtype(n, x, 4, ftypes)) || (rc = op_check_dtype(n, x, 6, ftypes)) ||
	    (rc = op_check_dtype(n, x, 7, qtypes)))
		return rc;
	*ydt = n->inputs[7]->dtype;
	return GRT_OK;
}

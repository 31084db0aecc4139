/* quant.h - what the quantized operators (ops/quantization/) share: their element types,
 * round-half-even saturation, and the packing of int8 / uint8 operands, zero points
 * subtracted, into the int16 rows the integer products take (ops/quantization/qgemm.h). */
#ifndef OPS_QUANT_H
#define OPS_QUANT_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include "ops/op.h"

/* Element i of an int8, uint8 or int32 array (else 0). */
static inline int32_t q_elem(enum dtype dt, const void *p, int64_t i)
{
	switch (dt) {
	case DT_INT8:
		return ((const int8_t *)p)[i];
	case DT_UINT8:
		return ((const uint8_t *)p)[i];
	case DT_INT32:
		return ((const int32_t *)p)[i];
	default:
		return 0;
	}
}

/* Element i of a float, float16 or bfloat16 array, as a float. */
static inline float q_float(enum dtype dt, const void *p, int64_t i)
{
	switch (dt) {
	case DT_FLOAT16:
		return half_to_float(((const uint16_t *)p)[i]);
	case DT_BFLOAT16:
		return bf16_to_float(((const uint16_t *)p)[i]);
	default:
		return ((const float *)p)[i];
	}
}

/* The range of an int8 or uint8 output. */
static inline void q_range(enum dtype dt, int32_t *lo, int32_t *hi)
{
	*lo = dt == DT_INT8 ? -128 : 0;
	*hi = dt == DT_INT8 ? 127 : 255;
}

/* v rounded to nearest, ties to even (the default rounding mode), plus zp, saturated
 * to [lo, hi] (an 8-bit range, zp in it); NaN gives lo. The same as nearbyintf(v) but
 * inline where the target lacks a rounding instruction: v clamped to +-1024 (past
 * which the result saturates anyway), then 1.5 * 2^23 added and taken away, which
 * leaves v rounded in the current mode (exact for |v| < 2^22; NaN stays NaN). */
static inline int32_t q_round_sat(float v, int32_t zp, int32_t lo, int32_t hi)
{
#if FLT_EVAL_METHOD == 0        /* float sums round to float (not x87) */
	const float c = v > 1024.0f ? 1024.0f : v < -1024.0f ? -1024.0f : v;
	float r = ((c + 12582912.0f) - 12582912.0f) + (float)zp;
#else
	float r = nearbyintf(v) + (float)zp;
#endif

	return r >= (float)lo ? (r <= (float)hi ? (int32_t)r : hi) : lo;
}

/* Stores v (already in the output's range) into element i of an int8 or uint8 array. */
static inline void q_store(enum dtype dt, void *p, int64_t i, int32_t v)
{
	if (dt == DT_INT8)
		((int8_t *)p)[i] = (int8_t)v;
	else
		((uint8_t *)p)[i] = (uint8_t)v;
}

/* A zero point or scale input: scalar (per tensor, step 0) or one value per row
 * (step 1), read at run time (it need not be constant). */
struct q_vec {
	int input;                  /* index of the input; -1: absent (zero point 0) */
	int64_t step;               /* 0: one value; 1: one per row */
};

/* Checks input i of n (if present) holds one value, or `rows` values when per_row
 * (a 1-D tensor); sets *v. what: the name for messages. */
int q_vec_check(struct node *n, struct exec *x, int i, int64_t rows, int per_row,
                const char *what, struct q_vec *v);
/* Value r of v for node n (0 if absent); and as a float (scales: float, float16 or
 * bfloat16). */
int32_t q_vec_int(const struct node *n, const struct q_vec *v, int64_t r);
float q_vec_float(const struct node *n, const struct q_vec *v, int64_t r);

/* QLinearMatMul's and QLinearConv's inputs: 8 (to max_in), float scales 1, 4 and 6,
 * y_zero_point (7) int8 or uint8, its type in *ydt. */
int q_linear_inputs(struct node *n, struct exec *x, int max_in, enum dtype *ydt);

/* Rounds k up to a multiple of QGEMM_KSTEP (ops/quantization/qgemm.h). */
int64_t q_kpad(int64_t k);

/* o [rows][kp] = a[r * rs + p * cs] - zp(r) for p < k, zeros for k <= p < kp: int8 or
 * uint8 (dt) rows, their zero point per row from zp (NULL: none). */
void q_pack_rows(int16_t *o, int64_t kp, const void *a, enum dtype dt, int64_t rows,
                 int64_t k, int64_t rs, int64_t cs, const struct node *n,
                 const struct q_vec *zp);

/* y[j] for j < count = q_round_sat(acc[j] * scale, zp) as dt (int8 or uint8),
 * elements y0 .. y0 + count of y. */
void q_requant(void *y, enum dtype dt, int64_t y0, const int32_t *acc, int64_t count,
               float scale, int32_t zp);

/* The nodes ops/quantization/qdq_fuse.c makes (not in the registry: no file names them):
 * QLinearConv's and QLinearMatMul's inputs without Y's scale and zero point, nor W's /
 * B's zero point (symmetric int8), and a float Y: the int32 sums times x_scale *
 * w_scale (per output channel / column), plus (Conv) a float bias, input 8. */
extern const struct op_def op_qlinear_conv_float, op_qlinear_matmul_float;

#endif

/* quantize.c - QuantizeLinear and DequantizeLinear
 * (https://onnx.ai/onnx/operators/onnx__QuantizeLinear.html, ..DequantizeLinear.html),
 * opsets 10..latest, per tensor or (opset 13+) per axis, int8 / uint8 (and int32 into
 * DequantizeLinear); and DynamicQuantizeLinear (opset 11, uint8).
 * y = saturate(round_half_even(x / scale) + zero_point); x = (q - zero_point) * scale,
 * in float as ONNX Runtime computes them. The float8 types (opset 19), int4 / uint4 and
 * block quantization (opset 21) are refused: the runtime has no such types. */
#include <float.h>
#include "ops/quantization/quant.h"

/* x viewed as [outer][ch][inner]: scale and zero point per ch (ch = 1: per tensor) */
struct qdq_params {
	int64_t outer, ch, inner;
	struct q_vec scale, zp;
	enum dtype ydt;             /* QuantizeLinear: int8 or uint8; DequantizeLinear: the
	                               scale's type (float, float16, bfloat16) */
};

/* The names of the ONNX element types this runtime lacks, for messages. */
static const char *onnx_type_name(int64_t t)
{
	static const char *const names[] = {
		"float8e4m3fn", "float8e4m3fnuz", "float8e5m2", "float8e5m2fnuz", "uint4", "int4",
	};

	return t >= 17 && t <= 22 ? names[t - 17] : "an unknown type";
}

/* The attributes and shapes both ops share: axis, block_size, scale and zero point
 * (inputs 1 and 2) against x. Scales are float, or (opset 19+) float16 or bfloat16. */
static int qdq_common(struct node *n, struct exec *x, struct qdq_params **out)
{
	const struct tensor *X = n->inputs[0], *S = n->inputs[1], *Z = op_input(n, 2);
	struct qdq_params *p;
	int64_t axis = 1, block = 0;
	int a = 0, rc;

	if (n->opset >= 13 && (rc = attr_int(n, x, "axis", 1, &axis)))
		return rc;
	if (n->opset >= 21 && (rc = attr_int(n, x, "block_size", 0, &block)))
		return rc;
	if (block)
		return op_fail(n, x, GRT_E_UNSUPPORTED, "block quantization (block_size %lld) is "
		               "not supported", (long long)block);
	if (S->dtype != DT_FLOAT && (n->opset < 19 || (S->dtype != DT_FLOAT16 &&
	                                                S->dtype != DT_BFLOAT16)))
		return op_fail(n, x, GRT_E_DTYPE, "scale '%s' is %s: must be float (or, from "
		               "opset 19, float16 or bfloat16)", S->name, dtype_name(S->dtype));
	if (Z && Z->dtype != DT_INT8 && Z->dtype != DT_UINT8 && Z->dtype != DT_INT32)
		return op_fail(n, x, GRT_E_UNSUPPORTED, "zero point '%s' is %s: only int8, uint8 "
		               "and int32 are supported", Z->name, dtype_name(Z->dtype));
	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return GRT_E_NOMEM;
	p->outer = 1;
	p->ch = 1;
	p->inner = X->numel;
	if (S->ndim == 1 && S->numel > 1) {     /* per axis */
		if (n->opset < 13 || X->ndim == 0)
			return op_fail(n, x, GRT_E_SHAPE, "scale must be a scalar (per-axis "
			               "quantization needs opset 13 and x of rank >= 1)");
		if ((rc = op_axis(n, x, axis, X->ndim, &a)))
			return rc;
		p->ch = X->dims[a];
		p->outer = shape_numel(a, X->dims);
		p->inner = p->ch ? X->numel / p->outer / p->ch : 0;
	}
	if ((rc = q_vec_check(n, x, 1, p->ch, 1, "scale", &p->scale)) ||
	    (rc = q_vec_check(n, x, 2, p->ch, 1, "zero point", &p->zp)))
		return rc;
	if (Z && Z->numel != S->numel)
		return op_fail(n, x, GRT_E_SHAPE, "zero point has %lld values, scale %lld",
		               (long long)Z->numel, (long long)S->numel);
	*out = p;
	return GRT_OK;
}

static int quantize_prepare(struct node *n, struct exec *x)
{
	static const enum dtype xtypes[] = { DT_FLOAT, DT_INT32, DT_UNDEFINED };
	static const enum dtype xtypes_19[] = {
		DT_FLOAT, DT_FLOAT16, DT_BFLOAT16, DT_INT32, DT_UNDEFINED,
	};
	const struct tensor *X, *Z;
	struct qdq_params *p;
	int64_t odt = 0;
	int rc;

	if ((rc = op_check_arity(n, x, 2, 3, 1, 1)) ||
	    (rc = op_check_dtype(n, x, 0, n->opset >= 19 ? xtypes_19 : xtypes)))
		return rc;
	X = n->inputs[0];
	Z = op_input(n, 2);
	if (X->dtype != DT_INT32 && X->dtype != n->inputs[1]->dtype)
		return op_fail(n, x, GRT_E_DTYPE, "x is %s but y_scale is %s", dtype_name(X->dtype),
		               dtype_name(n->inputs[1]->dtype));
	if (n->opset >= 21 && (rc = attr_int(n, x, "output_dtype", 0, &odt)))
		return rc;
	if (odt && odt != DT_INT8 && odt != DT_UINT8)
		return op_fail(n, x, GRT_E_UNSUPPORTED, "output_dtype %lld (%s) is not supported: "
		               "only int8 and uint8", (long long)odt,
		               odt >= 17 ? onnx_type_name(odt) : dtype_name((enum dtype)odt));
	if (Z && Z->dtype != DT_INT8 && Z->dtype != DT_UINT8)
		return op_fail(n, x, GRT_E_UNSUPPORTED, "zero point '%s' is %s: only int8 and "
		               "uint8 outputs are supported", Z->name, dtype_name(Z->dtype));
	if (Z && odt && Z->dtype != (enum dtype)odt)
		return op_fail(n, x, GRT_E_DTYPE, "output_dtype %s but zero point %s",
		               dtype_name((enum dtype)odt), dtype_name(Z->dtype));
	if ((rc = qdq_common(n, x, &p)))
		return rc;
	p->ydt = Z ? Z->dtype : odt ? (enum dtype)odt : DT_UINT8;
	n->params = p;
	rc = tensor_set_shape(n->outputs[0], p->ydt, X->ndim, X->dims);
	return rc ? op_fail(n, x, rc, "output shape too large") : GRT_OK;
}

/* y [count] = x [count] (float) quantized with scale s and zero point z as ydt: the
 * common case (a QDQ model's activations) without quantize_run's per-element type
 * switches. */
static void quantize_f32(void *y, enum dtype ydt, const float *xf, int64_t count, float s,
                         int32_t z)
{
	int32_t lo, hi;

	q_range(ydt, &lo, &hi);
	if (ydt == DT_UINT8)
		for (int64_t j = 0; j < count; j++)
			((uint8_t *)y)[j] = (uint8_t)q_round_sat(xf[j] / s, z, lo, hi);
	else
		for (int64_t j = 0; j < count; j++)
			((int8_t *)y)[j] = (int8_t)q_round_sat(xf[j] / s, z, lo, hi);
}

static int quantize_run(struct node *n, struct exec *x)
{
	const struct qdq_params *p = n->params;
	const struct tensor *X = n->inputs[0];
	const int32_t *xi = X->data;
	void *y = n->outputs[0]->data;
	int32_t lo, hi;
	int64_t i = 0;

	(void)x;
	q_range(p->ydt, &lo, &hi);
	for (int64_t o = 0; o < p->outer; o++)
		for (int64_t c = 0; c < p->ch; c++) {
			float s = q_vec_float(n, &p->scale, c);
			int32_t z = q_vec_int(n, &p->zp, c);
			if (X->dtype == DT_FLOAT) {
				quantize_f32((char *)y + i, p->ydt, (const float *)X->data + i, p->inner,
				             s, z);
				i += p->inner;
				continue;
			}
			for (int64_t j = 0; j < p->inner; j++, i++) {
				float v = X->dtype == DT_INT32 ? (float)xi[i]
				                               : q_float(X->dtype, X->data, i);
				q_store(p->ydt, y, i, q_round_sat(v / s, z, lo, hi));
			}
		}
	return GRT_OK;
}

static int dequantize_prepare(struct node *n, struct exec *x)
{
	static const enum dtype xtypes[] = { DT_INT8, DT_UINT8, DT_INT32, DT_UNDEFINED };
	const struct tensor *X, *Z;
	struct qdq_params *p;
	int rc;

	if ((rc = op_check_arity(n, x, 2, 3, 1, 1)) || (rc = op_check_dtype(n, x, 0, xtypes)))
		return rc;
	X = n->inputs[0];
	Z = op_input(n, 2);
	if (Z && Z->dtype != X->dtype)
		return op_fail(n, x, GRT_E_DTYPE, "x is %s but its zero point is %s",
		               dtype_name(X->dtype), dtype_name(Z->dtype));
	if ((rc = qdq_common(n, x, &p)))
		return rc;
	p->ydt = n->inputs[1]->dtype;
	n->params = p;
	rc = tensor_set_shape(n->outputs[0], p->ydt, X->ndim, X->dims);
	return rc ? op_fail(n, x, rc, "output shape too large") : GRT_OK;
}

/* y [count] (float) = (x [count] - z) * s for int8 or uint8 x (dt): the common case,
 * without dequantize_run's per-element type switches. */
static void dequantize_8(float *y, const void *xv, enum dtype dt, int64_t count, float s,
                         int32_t z)
{
	if (dt == DT_UINT8)
		for (int64_t j = 0; j < count; j++)
			y[j] = (float)(((const uint8_t *)xv)[j] - z) * s;
	else
		for (int64_t j = 0; j < count; j++)
			y[j] = (float)(((const int8_t *)xv)[j] - z) * s;
}

/* y = (x - zero point) * scale in float, then (opset 19+) rounded to the scale's float16
 * or bfloat16. */
static int dequantize_run(struct node *n, struct exec *x)
{
	const struct qdq_params *p = n->params;
	const struct tensor *X = n->inputs[0];
	void *y = n->outputs[0]->data;
	int64_t i = 0;

	(void)x;
	for (int64_t o = 0; o < p->outer; o++)
		for (int64_t c = 0; c < p->ch; c++) {
			const float s = q_vec_float(n, &p->scale, c);
			const int32_t z = q_vec_int(n, &p->zp, c);
			if (p->ydt == DT_FLOAT && X->dtype != DT_INT32) {
				dequantize_8((float *)y + i, (const char *)X->data + i, X->dtype,
				             p->inner, s, z);
				i += p->inner;
				continue;
			}
			for (int64_t j = 0; j < p->inner; j++, i++) {
				const uint32_t q = (uint32_t)q_elem(X->dtype, X->data, i);
				const float v = (float)(int32_t)(q - (uint32_t)z) * s;
				if (p->ydt == DT_FLOAT)
					((float *)y)[i] = v;
				else if (p->ydt == DT_FLOAT16)
					((uint16_t *)y)[i] = float_to_half(v);
				else
					((uint16_t *)y)[i] = float_to_bf16(v);
			}
		}
	return GRT_OK;
}

static int dyn_quantize_prepare(struct node *n, struct exec *x)
{
	static const enum dtype xtypes[] = { DT_FLOAT, DT_UNDEFINED };
	const struct tensor *X;
	int rc;

	if ((rc = op_check_arity(n, x, 1, 1, 3, 3)) || (rc = op_check_dtype(n, x, 0, xtypes)))
		return rc;
	X = n->inputs[0];
	if (!n->outputs[0] || !n->outputs[1] || !n->outputs[2])
		return op_fail(n, x, GRT_E_INVALID_MODEL, "all three outputs are required");
	if ((rc = tensor_set_shape(n->outputs[0], DT_UINT8, X->ndim, X->dims)) ||
	    (rc = tensor_set_shape(n->outputs[1], DT_FLOAT, 0, NULL)) ||
	    (rc = tensor_set_shape(n->outputs[2], DT_UINT8, 0, NULL)))
		return op_fail(n, x, rc, "output shape too large");
	return GRT_OK;
}

/* The spec's formula, as ONNX Runtime computes it: the range [min, max] widened to hold
 * 0, scale = (max - min) / 255 (1 when the range is empty), zero point = round(0 - min /
 * scale) saturated; then x quantized with them. */
static int dyn_quantize_run(struct node *n, struct exec *x)
{
	const struct tensor *X = n->inputs[0];
	const float *xv = X->data;
	uint8_t *y = n->outputs[0]->data;
	float lo = 0.0f, hi = 0.0f, scale;
	int32_t zp;

	(void)x;
	for (int64_t i = 0; i < X->numel; i++) {
		lo = xv[i] < lo ? xv[i] : lo;
		hi = xv[i] > hi ? xv[i] : hi;
	}
	scale = hi == lo ? 1.0f : (hi - lo) / 255.0f;
	zp = q_round_sat(0.0f - lo / scale, 0, 0, 255);
	for (int64_t i = 0; i < X->numel; i++)
		y[i] = (uint8_t)q_round_sat(xv[i] / scale, zp, 0, 255);
	*(float *)n->outputs[1]->data = scale;
	*(uint8_t *)n->outputs[2]->data = (uint8_t)zp;
	return GRT_OK;
}

const struct op_def op_dequantize_linear = { "DequantizeLinear", 10, OPSET_LATEST,
                                             dequantize_prepare, dequantize_run, 0, NULL };
const struct op_def op_dynamic_quantize_linear = { "DynamicQuantizeLinear", 11,
                                                   OPSET_LATEST, dyn_quantize_prepare,
                                                   dyn_quantize_run, 0, NULL };
const struct op_def op_quantize_linear = { "QuantizeLinear", 10, OPSET_LATEST,
                                           quantize_prepare, quantize_run, 0, NULL };

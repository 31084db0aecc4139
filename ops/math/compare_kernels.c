/* compare_kernels.c - the row kernels of Less, Greater, LessOrEqual, GreaterOrEqual
 * (bool out), Max and Min (ops/math/elementwise.c), per element type, and of And, Or
 * and Xor on bool; their tables by enum dtype (ops/math/binary.h). One body for all,
 * ops/math/binary_row.h, included once per op and type (through ops/math/compare_set.h,
 * once per type). float16 and bfloat16 compare as float. */
#include <stdint.h>
#include "ops/math/binary.h"
#include "ops/math/binary_elem.h"

#define LT(a, b) ((a) < (b))
#define GT(a, b) ((a) > (b))
#define LE(a, b) ((a) <= (b))
#define GE(a, b) ((a) >= (b))
/* A NaN operand gives NaN (as ONNX Runtime's Max and Min); a select the loop
 * vectoriser accepts. For integers (a) != (a) is always false. */
#define MAX(a, b) (((a) != (a)) | ((a) > (b)) ? (a) : (b))
#define MIN(a, b) (((a) != (a)) | ((a) < (b)) ? (a) : (b))
#define AND(a, b) ((a) & (b))
#define OR(a, b) ((a) | (b))
#define XOR(a, b) ((a) ^ (b))

/* lt, gt, le, ge, max and min of each type (ops/math/compare_set.h) */
#define TI float
#define LOAD ID
#define NARROW ID
#define SFX(op, name) op##_f32_##name
#include "ops/math/compare_set.h"

#define TI double
#define LOAD ID
#define NARROW ID
#define SFX(op, name) op##_f64_##name
#include "ops/math/compare_set.h"

#define TI uint16_t
#define LOAD half_to_float
#define NARROW float_to_half
#define SFX(op, name) op##_f16_##name
#include "ops/math/compare_set.h"

#define TI uint16_t
#define LOAD bf16_to_float
#define NARROW float_to_bf16
#define SFX(op, name) op##_bf16_##name
#include "ops/math/compare_set.h"

#define TI int8_t
#define LOAD ID
#define NARROW AS_I8
#define SFX(op, name) op##_i8_##name
#include "ops/math/compare_set.h"

#define TI int16_t
#define LOAD ID
#define NARROW AS_I16
#define SFX(op, name) op##_i16_##name
#include "ops/math/compare_set.h"

#define TI int32_t
#define LOAD ID
#define NARROW ID
#define SFX(op, name) op##_i32_##name
#include "ops/math/compare_set.h"

#define TI int64_t
#define LOAD ID
#define NARROW ID
#define SFX(op, name) op##_i64_##name
#include "ops/math/compare_set.h"

#define TI uint8_t
#define LOAD ID
#define NARROW AS_U8
#define SFX(op, name) op##_u8_##name
#include "ops/math/compare_set.h"

#define TI uint16_t
#define LOAD ID
#define NARROW AS_U16
#define SFX(op, name) op##_u16_##name
#include "ops/math/compare_set.h"

#define TI uint32_t
#define LOAD ID
#define NARROW ID
#define SFX(op, name) op##_u32_##name
#include "ops/math/compare_set.h"

#define TI uint64_t
#define LOAD ID
#define NARROW ID
#define SFX(op, name) op##_u64_##name
#include "ops/math/compare_set.h"

/* bool: and, or, xor */
#define TI uint8_t
#define TO uint8_t
#define LOAD NZ
#define STORE AS_U8
#define KN(name) and_bool_##name
#define OP AND
#include "ops/math/binary_row.h"
#define KN(name) or_bool_##name
#define OP OR
#include "ops/math/binary_row.h"
#define KN(name) xor_bool_##name
#define OP XOR
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

const struct row_fns *const binary_less[N_DT] = {
	[DT_FLOAT] = &lt_f32_fns, [DT_DOUBLE] = &lt_f64_fns, [DT_FLOAT16] = &lt_f16_fns,
	[DT_BFLOAT16] = &lt_bf16_fns, [DT_INT8] = &lt_i8_fns, [DT_INT16] = &lt_i16_fns,
	[DT_INT32] = &lt_i32_fns, [DT_INT64] = &lt_i64_fns, [DT_UINT8] = &lt_u8_fns,
	[DT_UINT16] = &lt_u16_fns, [DT_UINT32] = &lt_u32_fns, [DT_UINT64] = &lt_u64_fns,
};
const struct row_fns *const binary_greater[N_DT] = {
	[DT_FLOAT] = &gt_f32_fns, [DT_DOUBLE] = &gt_f64_fns, [DT_FLOAT16] = &gt_f16_fns,
	[DT_BFLOAT16] = &gt_bf16_fns, [DT_INT8] = &gt_i8_fns, [DT_INT16] = &gt_i16_fns,
	[DT_INT32] = &gt_i32_fns, [DT_INT64] = &gt_i64_fns, [DT_UINT8] = &gt_u8_fns,
	[DT_UINT16] = &gt_u16_fns, [DT_UINT32] = &gt_u32_fns, [DT_UINT64] = &gt_u64_fns,
};
const struct row_fns *const binary_less_equal[N_DT] = {
	[DT_FLOAT] = &le_f32_fns, [DT_DOUBLE] = &le_f64_fns, [DT_FLOAT16] = &le_f16_fns,
	[DT_BFLOAT16] = &le_bf16_fns, [DT_INT8] = &le_i8_fns, [DT_INT16] = &le_i16_fns,
	[DT_INT32] = &le_i32_fns, [DT_INT64] = &le_i64_fns, [DT_UINT8] = &le_u8_fns,
	[DT_UINT16] = &le_u16_fns, [DT_UINT32] = &le_u32_fns, [DT_UINT64] = &le_u64_fns,
};
const struct row_fns *const binary_greater_equal[N_DT] = {
	[DT_FLOAT] = &ge_f32_fns, [DT_DOUBLE] = &ge_f64_fns, [DT_FLOAT16] = &ge_f16_fns,
	[DT_BFLOAT16] = &ge_bf16_fns, [DT_INT8] = &ge_i8_fns, [DT_INT16] = &ge_i16_fns,
	[DT_INT32] = &ge_i32_fns, [DT_INT64] = &ge_i64_fns, [DT_UINT8] = &ge_u8_fns,
	[DT_UINT16] = &ge_u16_fns, [DT_UINT32] = &ge_u32_fns, [DT_UINT64] = &ge_u64_fns,
};
const struct row_fns *const binary_max[N_DT] = {
	[DT_FLOAT] = &max_f32_fns, [DT_DOUBLE] = &max_f64_fns, [DT_FLOAT16] = &max_f16_fns,
	[DT_BFLOAT16] = &max_bf16_fns, [DT_INT8] = &max_i8_fns, [DT_INT16] = &max_i16_fns,
	[DT_INT32] = &max_i32_fns, [DT_INT64] = &max_i64_fns, [DT_UINT8] = &max_u8_fns,
	[DT_UINT16] = &max_u16_fns, [DT_UINT32] = &max_u32_fns, [DT_UINT64] = &max_u64_fns,
};
const struct row_fns *const binary_min[N_DT] = {
	[DT_FLOAT] = &min_f32_fns, [DT_DOUBLE] = &min_f64_fns, [DT_FLOAT16] = &min_f16_fns,
	[DT_BFLOAT16] = &min_bf16_fns, [DT_INT8] = &min_i8_fns, [DT_INT16] = &min_i16_fns,
	[DT_INT32] = &min_i32_fns, [DT_INT64] = &min_i64_fns, [DT_UINT8] = &min_u8_fns,
	[DT_UINT16] = &min_u16_fns, [DT_UINT32] = &min_u32_fns, [DT_UINT64] = &min_u64_fns,
};
const struct row_fns *const binary_and[N_DT] = {
	[DT_BOOL] = &and_bool_fns,
};
const struct row_fns *const binary_or[N_DT] = {
	[DT_BOOL] = &or_bool_fns,
};
const struct row_fns *const binary_xor[N_DT] = {
	[DT_BOOL] = &xor_bool_fns,
};

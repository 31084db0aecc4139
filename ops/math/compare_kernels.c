/* compare_kernels.c - the row kernels of Less, Greater, LessOrEqual, GreaterOrEqual
 * (bool out), Max and Min (ops/math/elementwise.c), per element type, and of And, Or
 * and Xor on bool; their tables by enum dtype (ops/math/binary.h). One body for all,
 * ops/math/binary_row.h, included once per op and type (as ops/math/binary_kernels.c
 * does). float16 and bfloat16 compare as float. */
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

/* f32: less, greater, less or equal, greater or equal (uint8_t out) */
#define TI float
#define TO uint8_t
#define LOAD ID
#define STORE AS_U8
#define KN(name) lt_f32_##name
#define OP LT
#include "ops/math/binary_row.h"
#define KN(name) gt_f32_##name
#define OP GT
#include "ops/math/binary_row.h"
#define KN(name) le_f32_##name
#define OP LE
#include "ops/math/binary_row.h"
#define KN(name) ge_f32_##name
#define OP GE
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* f32: max, min */
#define TI float
#define TO float
#define LOAD ID
#define STORE ID
#define KN(name) max_f32_##name
#define OP MAX
#include "ops/math/binary_row.h"
#define KN(name) min_f32_##name
#define OP MIN
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* f64: less, greater, less or equal, greater or equal (uint8_t out) */
#define TI double
#define TO uint8_t
#define LOAD ID
#define STORE AS_U8
#define KN(name) lt_f64_##name
#define OP LT
#include "ops/math/binary_row.h"
#define KN(name) gt_f64_##name
#define OP GT
#include "ops/math/binary_row.h"
#define KN(name) le_f64_##name
#define OP LE
#include "ops/math/binary_row.h"
#define KN(name) ge_f64_##name
#define OP GE
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* f64: max, min */
#define TI double
#define TO double
#define LOAD ID
#define STORE ID
#define KN(name) max_f64_##name
#define OP MAX
#include "ops/math/binary_row.h"
#define KN(name) min_f64_##name
#define OP MIN
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* f16: less, greater, less or equal, greater or equal (uint8_t out) */
#define TI uint16_t
#define TO uint8_t
#define LOAD half_to_float
#define STORE AS_U8
#define KN(name) lt_f16_##name
#define OP LT
#include "ops/math/binary_row.h"
#define KN(name) gt_f16_##name
#define OP GT
#include "ops/math/binary_row.h"
#define KN(name) le_f16_##name
#define OP LE
#include "ops/math/binary_row.h"
#define KN(name) ge_f16_##name
#define OP GE
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* f16: max, min */
#define TI uint16_t
#define TO uint16_t
#define LOAD half_to_float
#define STORE float_to_half
#define KN(name) max_f16_##name
#define OP MAX
#include "ops/math/binary_row.h"
#define KN(name) min_f16_##name
#define OP MIN
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* bf16: less, greater, less or equal, greater or equal (uint8_t out) */
#define TI uint16_t
#define TO uint8_t
#define LOAD bf16_to_float
#define STORE AS_U8
#define KN(name) lt_bf16_##name
#define OP LT
#include "ops/math/binary_row.h"
#define KN(name) gt_bf16_##name
#define OP GT
#include "ops/math/binary_row.h"
#define KN(name) le_bf16_##name
#define OP LE
#include "ops/math/binary_row.h"
#define KN(name) ge_bf16_##name
#define OP GE
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* bf16: max, min */
#define TI uint16_t
#define TO uint16_t
#define LOAD bf16_to_float
#define STORE float_to_bf16
#define KN(name) max_bf16_##name
#define OP MAX
#include "ops/math/binary_row.h"
#define KN(name) min_bf16_##name
#define OP MIN
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* i8: less, greater, less or equal, greater or equal (uint8_t out) */
#define TI int8_t
#define TO uint8_t
#define LOAD ID
#define STORE AS_U8
#define KN(name) lt_i8_##name
#define OP LT
#include "ops/math/binary_row.h"
#define KN(name) gt_i8_##name
#define OP GT
#include "ops/math/binary_row.h"
#define KN(name) le_i8_##name
#define OP LE
#include "ops/math/binary_row.h"
#define KN(name) ge_i8_##name
#define OP GE
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* i8: max, min */
#define TI int8_t
#define TO int8_t
#define LOAD ID
#define STORE AS_I8
#define KN(name) max_i8_##name
#define OP MAX
#include "ops/math/binary_row.h"
#define KN(name) min_i8_##name
#define OP MIN
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* i16: less, greater, less or equal, greater or equal (uint8_t out) */
#define TI int16_t
#define TO uint8_t
#define LOAD ID
#define STORE AS_U8
#define KN(name) lt_i16_##name
#define OP LT
#include "ops/math/binary_row.h"
#define KN(name) gt_i16_##name
#define OP GT
#include "ops/math/binary_row.h"
#define KN(name) le_i16_##name
#define OP LE
#include "ops/math/binary_row.h"
#define KN(name) ge_i16_##name
#define OP GE
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* i16: max, min */
#define TI int16_t
#define TO int16_t
#define LOAD ID
#define STORE AS_I16
#define KN(name) max_i16_##name
#define OP MAX
#include "ops/math/binary_row.h"
#define KN(name) min_i16_##name
#define OP MIN
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* i32: less, greater, less or equal, greater or equal (uint8_t out) */
#define TI int32_t
#define TO uint8_t
#define LOAD ID
#define STORE AS_U8
#define KN(name) lt_i32_##name
#define OP LT
#include "ops/math/binary_row.h"
#define KN(name) gt_i32_##name
#define OP GT
#include "ops/math/binary_row.h"
#define KN(name) le_i32_##name
#define OP LE
#include "ops/math/binary_row.h"
#define KN(name) ge_i32_##name
#define OP GE
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* i32: max, min */
#define TI int32_t
#define TO int32_t
#define LOAD ID
#define STORE ID
#define KN(name) max_i32_##name
#define OP MAX
#include "ops/math/binary_row.h"
#define KN(name) min_i32_##name
#define OP MIN
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* i64: less, greater, less or equal, greater or equal (uint8_t out) */
#define TI int64_t
#define TO uint8_t
#define LOAD ID
#define STORE AS_U8
#define KN(name) lt_i64_##name
#define OP LT
#include "ops/math/binary_row.h"
#define KN(name) gt_i64_##name
#define OP GT
#include "ops/math/binary_row.h"
#define KN(name) le_i64_##name
#define OP LE
#include "ops/math/binary_row.h"
#define KN(name) ge_i64_##name
#define OP GE
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* i64: max, min */
#define TI int64_t
#define TO int64_t
#define LOAD ID
#define STORE ID
#define KN(name) max_i64_##name
#define OP MAX
#include "ops/math/binary_row.h"
#define KN(name) min_i64_##name
#define OP MIN
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* u8: less, greater, less or equal, greater or equal (uint8_t out) */
#define TI uint8_t
#define TO uint8_t
#define LOAD ID
#define STORE AS_U8
#define KN(name) lt_u8_##name
#define OP LT
#include "ops/math/binary_row.h"
#define KN(name) gt_u8_##name
#define OP GT
#include "ops/math/binary_row.h"
#define KN(name) le_u8_##name
#define OP LE
#include "ops/math/binary_row.h"
#define KN(name) ge_u8_##name
#define OP GE
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* u8: max, min */
#define TI uint8_t
#define TO uint8_t
#define LOAD ID
#define STORE AS_U8
#define KN(name) max_u8_##name
#define OP MAX
#include "ops/math/binary_row.h"
#define KN(name) min_u8_##name
#define OP MIN
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* u16: less, greater, less or equal, greater or equal (uint8_t out) */
#define TI uint16_t
#define TO uint8_t
#define LOAD ID
#define STORE AS_U8
#define KN(name) lt_u16_##name
#define OP LT
#include "ops/math/binary_row.h"
#define KN(name) gt_u16_##name
#define OP GT
#include "ops/math/binary_row.h"
#define KN(name) le_u16_##name
#define OP LE
#include "ops/math/binary_row.h"
#define KN(name) ge_u16_##name
#define OP GE
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* u16: max, min */
#define TI uint16_t
#define TO uint16_t
#define LOAD ID
#define STORE AS_U16
#define KN(name) max_u16_##name
#define OP MAX
#include "ops/math/binary_row.h"
#define KN(name) min_u16_##name
#define OP MIN
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* u32: less, greater, less or equal, greater or equal (uint8_t out) */
#define TI uint32_t
#define TO uint8_t
#define LOAD ID
#define STORE AS_U8
#define KN(name) lt_u32_##name
#define OP LT
#include "ops/math/binary_row.h"
#define KN(name) gt_u32_##name
#define OP GT
#include "ops/math/binary_row.h"
#define KN(name) le_u32_##name
#define OP LE
#include "ops/math/binary_row.h"
#define KN(name) ge_u32_##name
#define OP GE
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* u32: max, min */
#define TI uint32_t
#define TO uint32_t
#define LOAD ID
#define STORE ID
#define KN(name) max_u32_##name
#define OP MAX
#include "ops/math/binary_row.h"
#define KN(name) min_u32_##name
#define OP MIN
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* u64: less, greater, less or equal, greater or equal (uint8_t out) */
#define TI uint64_t
#define TO uint8_t
#define LOAD ID
#define STORE AS_U8
#define KN(name) lt_u64_##name
#define OP LT
#include "ops/math/binary_row.h"
#define KN(name) gt_u64_##name
#define OP GT
#include "ops/math/binary_row.h"
#define KN(name) le_u64_##name
#define OP LE
#include "ops/math/binary_row.h"
#define KN(name) ge_u64_##name
#define OP GE
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* u64: max, min */
#define TI uint64_t
#define TO uint64_t
#define LOAD ID
#define STORE ID
#define KN(name) max_u64_##name
#define OP MAX
#include "ops/math/binary_row.h"
#define KN(name) min_u64_##name
#define OP MIN
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

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

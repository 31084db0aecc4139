/* binary_kernels.c - the row kernels of the binary elementwise ops (ops/math/elementwise.c),
 * per op and element type, and their tables by enum dtype (ops/math/binary.h). One body
 * for all, ops/math/binary_row.h, included once per op and type: KN(name) names them
 * (add_f32_vv, add_f32_vs, add_f32_sv, and add_f32_fns for the table). */
#include <math.h>
#include "ops/math/binary.h"
#include "ops/math/binary_elem.h"
#include "ops/math/mathfn.h"

/* Integer Add/Sub/Mul/Equal compute in unsigned arithmetic (wraps, as ONNX
 * Runtime does, with no signed overflow), so one kernel serves the signed and
 * unsigned type of a width (the conversions: ops/math/binary_elem.h). */

#define ADD(a, b) ((a) + (b))
#define SUB(a, b) ((a) - (b))
#define MUL(a, b) ((a) * (b))
#define DIV(a, b) ((a) / (b))
/* INT64_MIN / -1 overflows: it wraps to INT64_MIN. Zero divisors are
 * refused before the kernel runs. Narrower types divide in int64. */
#define DIV_I64(a, b) ((b) == -1 ? (int64_t)(0 - (uint64_t)(a)) : (a) / (b))
#define EQ(a, b) ((a) == (b))
#define SQUARE(a, b) ((void)(b), (a) * (a))
#define PRELU(x, s) ((x) < 0 ? (s) * (x) : (x))
/* The same for float, as a select the loop vectoriser accepts */
#define PRELU_F32(x, s) mathfn_select((x) < 0, (s) * (x), (x))
/* and on four lanes (binary_row.h's VOP) */
#define PRELU_V4F(x, s) v4f_select((x) < 0.0f, (s) * (x), (x))
#define SQUARE_V4F(a, b) ((void)(b), (a) * (a))
#define PRELU_I64(x, s) ((x) < 0 ? (int64_t)((uint64_t)(s) * (uint64_t)(x)) : (x))
#define PRELU_U(x, s) ((void)(s), (x))

/* f32: add, sub, mul, div, prelu, pow, square */
#define TI float
#define TO float
#define LOAD ID
#define STORE ID
#define KN(name) add_f32_##name
#define OP ADD
#define VOP ADD
#include "ops/math/binary_row.h"
#define KN(name) sub_f32_##name
#define OP SUB
#define VOP SUB
#include "ops/math/binary_row.h"
#define KN(name) mul_f32_##name
#define OP MUL
#define VOP MUL
#include "ops/math/binary_row.h"
#define KN(name) div_f32_##name
#define OP DIV
#define VOP DIV
#include "ops/math/binary_row.h"
#define KN(name) prelu_f32_##name
#define OP PRELU_F32
#define VOP PRELU_V4F
#include "ops/math/binary_row.h"
#define KN(name) pow_f32_##name
#define OP powf
#include "ops/math/binary_row.h"
#define KN(name) square_f32_##name   /* Pow(x, 2) */
#define OP SQUARE
#define VOP SQUARE_V4F
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* f64: add, sub, mul, div, prelu, pow */
#define TI double
#define TO double
#define LOAD ID
#define STORE ID
#define KN(name) add_f64_##name
#define OP ADD
#include "ops/math/binary_row.h"
#define KN(name) sub_f64_##name
#define OP SUB
#include "ops/math/binary_row.h"
#define KN(name) mul_f64_##name
#define OP MUL
#include "ops/math/binary_row.h"
#define KN(name) div_f64_##name
#define OP DIV
#include "ops/math/binary_row.h"
#define KN(name) prelu_f64_##name
#define OP PRELU
#include "ops/math/binary_row.h"
#define KN(name) pow_f64_##name
#define OP pow
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* u8: add, sub, mul, div */
#define TI uint8_t
#define TO uint8_t
#define LOAD U32
#define STORE AS_U8
#define KN(name) add_u8_##name
#define OP ADD
#include "ops/math/binary_row.h"
#define KN(name) sub_u8_##name
#define OP SUB
#include "ops/math/binary_row.h"
#define KN(name) mul_u8_##name
#define OP MUL
#include "ops/math/binary_row.h"
#define KN(name) div_u8_##name
#define OP DIV
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* u16: add, sub, mul, div */
#define TI uint16_t
#define TO uint16_t
#define LOAD U32
#define STORE AS_U16
#define KN(name) add_u16_##name
#define OP ADD
#include "ops/math/binary_row.h"
#define KN(name) sub_u16_##name
#define OP SUB
#include "ops/math/binary_row.h"
#define KN(name) mul_u16_##name
#define OP MUL
#include "ops/math/binary_row.h"
#define KN(name) div_u16_##name
#define OP DIV
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* u32: add, sub, mul, div, prelu */
#define TI uint32_t
#define TO uint32_t
#define LOAD ID
#define STORE ID
#define KN(name) add_u32_##name
#define OP ADD
#include "ops/math/binary_row.h"
#define KN(name) sub_u32_##name
#define OP SUB
#include "ops/math/binary_row.h"
#define KN(name) mul_u32_##name
#define OP MUL
#include "ops/math/binary_row.h"
#define KN(name) div_u32_##name
#define OP DIV
#include "ops/math/binary_row.h"
#define KN(name) prelu_u32_##name
#define OP PRELU_U
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* u64: add, sub, mul, div, prelu */
#define TI uint64_t
#define TO uint64_t
#define LOAD ID
#define STORE ID
#define KN(name) add_u64_##name
#define OP ADD
#include "ops/math/binary_row.h"
#define KN(name) sub_u64_##name
#define OP SUB
#include "ops/math/binary_row.h"
#define KN(name) mul_u64_##name
#define OP MUL
#include "ops/math/binary_row.h"
#define KN(name) div_u64_##name
#define OP DIV
#include "ops/math/binary_row.h"
#define KN(name) prelu_u64_##name
#define OP PRELU_U
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* i8: div */
#define TI int8_t
#define TO int8_t
#define LOAD I64
#define STORE AS_I8
#define KN(name) div_i8_##name
#define OP DIV
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* i16: div */
#define TI int16_t
#define TO int16_t
#define LOAD I64
#define STORE AS_I16
#define KN(name) div_i16_##name
#define OP DIV
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* i32: div, prelu */
#define TI int32_t
#define TO int32_t
#define LOAD I64
#define STORE AS_I32
#define KN(name) div_i32_##name
#define OP DIV
#include "ops/math/binary_row.h"
#define KN(name) prelu_i32_##name
#define OP PRELU
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* i64: div, prelu */
#define TI int64_t
#define TO int64_t
#define LOAD ID
#define STORE ID
#define KN(name) div_i64_##name
#define OP DIV_I64
#include "ops/math/binary_row.h"
#define KN(name) prelu_i64_##name
#define OP PRELU_I64
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* f32: eq (uint8_t out) */
#define TI float
#define TO uint8_t
#define LOAD ID
#define STORE AS_U8
#define KN(name) eq_f32_##name
#define OP EQ
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* f64: eq (uint8_t out) */
#define TI double
#define TO uint8_t
#define LOAD ID
#define STORE AS_U8
#define KN(name) eq_f64_##name
#define OP EQ
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* u8: eq */
#define TI uint8_t
#define TO uint8_t
#define LOAD ID
#define STORE AS_U8
#define KN(name) eq_u8_##name
#define OP EQ
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* u16: eq (uint8_t out) */
#define TI uint16_t
#define TO uint8_t
#define LOAD ID
#define STORE AS_U8
#define KN(name) eq_u16_##name
#define OP EQ
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* u32: eq (uint8_t out) */
#define TI uint32_t
#define TO uint8_t
#define LOAD ID
#define STORE AS_U8
#define KN(name) eq_u32_##name
#define OP EQ
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* u64: eq (uint8_t out) */
#define TI uint64_t
#define TO uint8_t
#define LOAD ID
#define STORE AS_U8
#define KN(name) eq_u64_##name
#define OP EQ
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

/* bool: eq */
#define TI uint8_t
#define TO uint8_t
#define LOAD NZ
#define STORE AS_U8
#define KN(name) eq_bool_##name
#define OP EQ
#include "ops/math/binary_row.h"
#undef TI
#undef TO
#undef LOAD
#undef STORE

const struct row_fns *const binary_add[N_DT] = {
	[DT_FLOAT] = &add_f32_fns, [DT_DOUBLE] = &add_f64_fns,
	[DT_INT8] = &add_u8_fns, [DT_UINT8] = &add_u8_fns,
	[DT_INT16] = &add_u16_fns, [DT_UINT16] = &add_u16_fns, [DT_INT32] = &add_u32_fns,
	[DT_UINT32] = &add_u32_fns, [DT_INT64] = &add_u64_fns, [DT_UINT64] = &add_u64_fns,
};
const struct row_fns *const binary_sub[N_DT] = {
	[DT_FLOAT] = &sub_f32_fns, [DT_DOUBLE] = &sub_f64_fns,
	[DT_INT8] = &sub_u8_fns, [DT_UINT8] = &sub_u8_fns,
	[DT_INT16] = &sub_u16_fns, [DT_UINT16] = &sub_u16_fns, [DT_INT32] = &sub_u32_fns,
	[DT_UINT32] = &sub_u32_fns, [DT_INT64] = &sub_u64_fns, [DT_UINT64] = &sub_u64_fns,
};
const struct row_fns *const binary_mul[N_DT] = {
	[DT_FLOAT] = &mul_f32_fns, [DT_DOUBLE] = &mul_f64_fns,
	[DT_INT8] = &mul_u8_fns, [DT_UINT8] = &mul_u8_fns,
	[DT_INT16] = &mul_u16_fns, [DT_UINT16] = &mul_u16_fns, [DT_INT32] = &mul_u32_fns,
	[DT_UINT32] = &mul_u32_fns, [DT_INT64] = &mul_u64_fns, [DT_UINT64] = &mul_u64_fns,
};
const struct row_fns *const binary_div[N_DT] = {
	[DT_FLOAT] = &div_f32_fns, [DT_DOUBLE] = &div_f64_fns,
	[DT_INT8] = &div_i8_fns, [DT_UINT8] = &div_u8_fns,
	[DT_INT16] = &div_i16_fns, [DT_UINT16] = &div_u16_fns, [DT_INT32] = &div_i32_fns,
	[DT_UINT32] = &div_u32_fns, [DT_INT64] = &div_i64_fns, [DT_UINT64] = &div_u64_fns,
};
const struct row_fns *const binary_equal[N_DT] = {
	[DT_FLOAT] = &eq_f32_fns, [DT_DOUBLE] = &eq_f64_fns,
	[DT_INT8] = &eq_u8_fns, [DT_UINT8] = &eq_u8_fns,
	[DT_INT16] = &eq_u16_fns, [DT_UINT16] = &eq_u16_fns, [DT_INT32] = &eq_u32_fns,
	[DT_UINT32] = &eq_u32_fns, [DT_INT64] = &eq_u64_fns, [DT_UINT64] = &eq_u64_fns,
	[DT_BOOL] = &eq_bool_fns,
};
const struct row_fns *const binary_prelu[N_DT] = {
	[DT_FLOAT] = &prelu_f32_fns, [DT_DOUBLE] = &prelu_f64_fns,
	[DT_INT32] = &prelu_i32_fns, [DT_INT64] = &prelu_i64_fns,
	[DT_UINT32] = &prelu_u32_fns, [DT_UINT64] = &prelu_u64_fns,
};

const struct row_fns *const binary_pow[N_DT] = {
	[DT_FLOAT] = &pow_f32_fns, [DT_DOUBLE] = &pow_f64_fns,
};

/* Pow(x, 2) with a constant exponent: x * x */
const struct row_fns *const binary_square_f32 = &square_f32_fns;

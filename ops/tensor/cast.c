/* cast.c - Cast (https://onnx.ai/onnx/operators/onnx__Cast.html), opsets 6..latest, and
 * CastLike (15..latest: the target type is input 1's), between all numeric types, float16,
 * bfloat16 and bool. Blocks of elements are widened to int64, uint64 or double (exact for
 * every source type), then narrowed to the target with one correct rounding. */
#include <math.h>
#include <string.h>
#include "ops/op.h"

/* Conversions, where the spec leaves them open:
 * - float -> integer truncates toward zero; NaN gives 0, values beyond the
 *   target's range (and infinities) clamp to its minimum or maximum;
 * - integer -> integer keeps the low bits (wraps, like numpy's astype);
 * - to float, double, float16 and bfloat16: round to nearest even, once,
 *   also from int64/uint64 and double to the 16-bit formats;
 * - to bool: x != 0 (NaN is true); from bool: 0 or 1. */

#define CAST_BLOCK 256          /* elements converted per pass through `union wide` */
#define N_DT (DT_BFLOAT16 + 1)

enum wide_kind { W_INT, W_UINT, W_FLOAT };

union wide {                    /* one block, in the member of the reader's kind */
	int64_t i[CAST_BLOCK];
	uint64_t u[CAST_BLOCK];
	double f[CAST_BLOCK];
};

typedef void (*read_fn)(union wide *restrict w, const void *restrict src, int64_t n);
typedef void (*write_fn)(void *restrict dst, const union wide *restrict w, int64_t n);

/* --- rounding helpers --- */

/* Round-to-odd to float: truncate, and set the last bit if anything was
 * lost. Float keeps more than 2 bits beyond float16 and bfloat16, so
 * rounding this result to nearest even there equals rounding the exact
 * value once. */
static float f64_to_f32_odd(double v)
{
	float f = (float)v;
	uint32_t bits;

	if (!isfinite(f) || (double)f == v)
		return f;
	memcpy(&bits, &f, 4);
	if (fabs((double)f) > fabs(v))
		bits--;                             /* magnitude one ulp down: truncation */
	bits |= 1;
	memcpy(&f, &bits, 4);
	return f;
}

static float u64_to_f32_odd(uint64_t m)
{
	uint64_t top;
	int sh = 0;

	while ((m >> sh) >= ((uint64_t)1 << 24))
		sh++;
	if (!sh)
		return (float)m;
	top = m >> sh;
	if (m & (((uint64_t)1 << sh) - 1))
		top |= 1;
	return ldexpf((float)top, sh);          /* top has 24 bits: exact */
}

static float i64_to_f32_odd(int64_t v)
{
	return v < 0 ? -u64_to_f32_odd(0 - (uint64_t)v) : u64_to_f32_odd((uint64_t)v);
}

static uint16_t i64_to_half(int64_t v) { return float_to_half(i64_to_f32_odd(v)); }
static uint16_t u64_to_half(uint64_t v) { return float_to_half(u64_to_f32_odd(v)); }
static uint16_t f64_to_half(double v) { return float_to_half(f64_to_f32_odd(v)); }
static uint16_t i64_to_bf16(int64_t v) { return float_to_bf16(i64_to_f32_odd(v)); }
static uint16_t u64_to_bf16(uint64_t v) { return float_to_bf16(u64_to_f32_odd(v)); }
static uint16_t f64_to_bf16(double v) { return float_to_bf16(f64_to_f32_odd(v)); }

#define TO_F32(v) ((float)(v))
#define TO_F64(v) ((double)(v))
#define TO_BOOL(v) ((uint8_t)((v) != 0))
#define WRAP_I8(v) ((int8_t)(v))
#define WRAP_I16(v) ((int16_t)(v))
#define WRAP_I32(v) ((int32_t)(v))
#define WRAP_I64(v) ((int64_t)(v))
#define WRAP_U8(v) ((uint8_t)(v))
#define WRAP_U16(v) ((uint16_t)(v))
#define WRAP_U32(v) ((uint32_t)(v))
#define WRAP_U64(v) ((uint64_t)(v))
#define SAT_I8(v) ((int8_t)sat_int(v, INT8_MIN, INT8_MAX))
#define SAT_I16(v) ((int16_t)sat_int(v, INT16_MIN, INT16_MAX))
#define SAT_I32(v) ((int32_t)sat_int(v, INT32_MIN, INT32_MAX))
#define SAT_I64(v) (sat_int(v, INT64_MIN, INT64_MAX))
#define SAT_U8(v) ((uint8_t)sat_uint(v, UINT8_MAX))
#define SAT_U16(v) ((uint16_t)sat_uint(v, UINT16_MAX))
#define SAT_U32(v) ((uint32_t)sat_uint(v, UINT32_MAX))
#define SAT_U64(v) (sat_uint(v, UINT64_MAX))

/* --- readers (type -> wide) and writers (wide -> type), per type --- */

#define ID(v) (v)
#define NZ(v) ((v) != 0)

/* read_T, then write_from_i_T, write_from_u_T and write_from_f_T, one per wide kind
 * (ops/tensor/cast_kernel.h) */
#define KN(name) name##_f32
#define MEMBER f
#define LOAD ID
#define T float
#define FROM_I TO_F32
#define FROM_U TO_F32
#define FROM_F TO_F32
#include "ops/tensor/cast_kernel.h"
#define KN(name) name##_f64
#define MEMBER f
#define LOAD ID
#define T double
#define FROM_I TO_F64
#define FROM_U TO_F64
#define FROM_F TO_F64
#include "ops/tensor/cast_kernel.h"
#define KN(name) name##_f16
#define MEMBER f
#define LOAD half_to_float
#define T uint16_t
#define FROM_I i64_to_half
#define FROM_U u64_to_half
#define FROM_F f64_to_half
#include "ops/tensor/cast_kernel.h"
#define KN(name) name##_bf16
#define MEMBER f
#define LOAD bf16_to_float
#define T uint16_t
#define FROM_I i64_to_bf16
#define FROM_U u64_to_bf16
#define FROM_F f64_to_bf16
#include "ops/tensor/cast_kernel.h"
#define KN(name) name##_i8
#define MEMBER i
#define LOAD ID
#define T int8_t
#define FROM_I WRAP_I8
#define FROM_U WRAP_I8
#define FROM_F SAT_I8
#include "ops/tensor/cast_kernel.h"
#define KN(name) name##_i16
#define MEMBER i
#define LOAD ID
#define T int16_t
#define FROM_I WRAP_I16
#define FROM_U WRAP_I16
#define FROM_F SAT_I16
#include "ops/tensor/cast_kernel.h"
#define KN(name) name##_i32
#define MEMBER i
#define LOAD ID
#define T int32_t
#define FROM_I WRAP_I32
#define FROM_U WRAP_I32
#define FROM_F SAT_I32
#include "ops/tensor/cast_kernel.h"
#define KN(name) name##_i64
#define MEMBER i
#define LOAD ID
#define T int64_t
#define FROM_I WRAP_I64
#define FROM_U WRAP_I64
#define FROM_F SAT_I64
#include "ops/tensor/cast_kernel.h"
#define KN(name) name##_u8
#define MEMBER u
#define LOAD ID
#define T uint8_t
#define FROM_I WRAP_U8
#define FROM_U WRAP_U8
#define FROM_F SAT_U8
#include "ops/tensor/cast_kernel.h"
#define KN(name) name##_u16
#define MEMBER u
#define LOAD ID
#define T uint16_t
#define FROM_I WRAP_U16
#define FROM_U WRAP_U16
#define FROM_F SAT_U16
#include "ops/tensor/cast_kernel.h"
#define KN(name) name##_u32
#define MEMBER u
#define LOAD ID
#define T uint32_t
#define FROM_I WRAP_U32
#define FROM_U WRAP_U32
#define FROM_F SAT_U32
#include "ops/tensor/cast_kernel.h"
#define KN(name) name##_u64
#define MEMBER u
#define LOAD ID
#define T uint64_t
#define FROM_I WRAP_U64
#define FROM_U WRAP_U64
#define FROM_F SAT_U64
#include "ops/tensor/cast_kernel.h"
#define KN(name) name##_bool
#define MEMBER u
#define LOAD NZ
#define T uint8_t
#define FROM_I TO_BOOL
#define FROM_U TO_BOOL
#define FROM_F TO_BOOL
#include "ops/tensor/cast_kernel.h"

static const struct { read_fn fn; enum wide_kind kind; } readers[N_DT] = {
	[DT_FLOAT] = { read_f32, W_FLOAT }, [DT_DOUBLE] = { read_f64, W_FLOAT },
	[DT_FLOAT16] = { read_f16, W_FLOAT }, [DT_BFLOAT16] = { read_bf16, W_FLOAT },
	[DT_INT8] = { read_i8, W_INT }, [DT_INT16] = { read_i16, W_INT },
	[DT_INT32] = { read_i32, W_INT }, [DT_INT64] = { read_i64, W_INT },
	[DT_UINT8] = { read_u8, W_UINT }, [DT_UINT16] = { read_u16, W_UINT },
	[DT_UINT32] = { read_u32, W_UINT }, [DT_UINT64] = { read_u64, W_UINT },
	[DT_BOOL] = { read_bool, W_UINT },
};

#define WRITERS(t) \
	{ [W_INT] = write_from_i_##t, [W_UINT] = write_from_u_##t, [W_FLOAT] = write_from_f_##t }

static const write_fn writers[N_DT][3] = {
	[DT_FLOAT] = WRITERS(f32), [DT_DOUBLE] = WRITERS(f64),
	[DT_FLOAT16] = WRITERS(f16), [DT_BFLOAT16] = WRITERS(bf16),
	[DT_INT8] = WRITERS(i8), [DT_INT16] = WRITERS(i16),
	[DT_INT32] = WRITERS(i32), [DT_INT64] = WRITERS(i64),
	[DT_UINT8] = WRITERS(u8), [DT_UINT16] = WRITERS(u16),
	[DT_UINT32] = WRITERS(u32), [DT_UINT64] = WRITERS(u64),
	[DT_BOOL] = WRITERS(bool),
};

/* --- Cast --- */

struct cast_params {
	read_fn read;               /* NULL: same type, the bytes are copied */
	write_fn write;
	size_t es_in, es_out;       /* element sizes, bytes */
};

/* TensorProto.DataType values that exist but have no tensors here: string,
 * complex64/128, the float8, 4-bit and float4 types of later opsets. */
static int onnx_type_unsupported(int64_t to)
{
	return to == DT_STRING || to == 14 || to == 15 || (to >= 17 && to <= 23);
}

/* Output 0 = input 0 converted to TensorProto.DataType `to` (Cast's attribute, or
 * CastLike's second input's type). */
static int cast_setup(struct node *n, struct exec *x, int64_t to)
{
	const struct tensor *in = n->inputs[0];
	struct cast_params *p;
	enum dtype dt;
	int rc;

	if (to == DT_STRING)
		return op_fail(n, x, GRT_E_UNSUPPORTED, "Cast to STRING: the runtime has no "
		               "string tensors");
	if (in->dtype == DT_STRING)
		return op_fail(n, x, GRT_E_UNSUPPORTED, "Cast from STRING (input '%s'): the "
		               "runtime has no string tensors", in->name);
	if (to <= 0 || to >= N_DT || !writers[to][0]) {
		if (onnx_type_unsupported(to))
			return op_fail(n, x, GRT_E_UNSUPPORTED, "attribute 'to': element type %lld "
			               "is not supported", (long long)to);
		return op_fail(n, x, GRT_E_ATTR, "attribute 'to' = %lld is not a "
		               "TensorProto.DataType", (long long)to);
	}
	dt = (enum dtype)to;
	if ((unsigned)in->dtype >= N_DT || !readers[in->dtype].fn)
		return op_fail(n, x, GRT_E_DTYPE, "input 0 '%s' has unsupported element type %s",
		               in->name, dtype_name(in->dtype));
	rc = tensor_set_shape(n->outputs[0], dt, in->ndim, in->dims);
	if (rc)
		return op_fail(n, x, rc, "output shape too large");
	p = plan_alloc(x, sizeof(*p));
	if (!p)
		return op_fail(n, x, GRT_E_NOMEM, "out of memory");
	p->es_in = dtype_size(in->dtype);
	p->es_out = dtype_size(dt);
	if (dt != in->dtype) {
		p->read = readers[in->dtype].fn;
		p->write = writers[dt][readers[in->dtype].kind];
	}
	n->params = p;
	return GRT_OK;
}

static int cast_prepare(struct node *n, struct exec *x)
{
	int64_t to, saturate;
	int rc;

	rc = op_check_arity(n, x, 1, 1, 1, 1);
	if (rc)
		return rc;
	if (!node_attr(n, "to"))
		return op_fail(n, x, GRT_E_ATTR, "attribute 'to' is required");
	rc = attr_int(n, x, "to", 0, &to);
	if (rc)
		return rc;
	/* saturate (opset 19) only concerns the float8 targets, which are refused */
	rc = attr_int(n, x, "saturate", 1, &saturate);
	if (rc)
		return rc;
	return cast_setup(n, x, to);
}

/* CastLike: the target type is that of input 1 (whose values are not read). */
static int cast_like_prepare(struct node *n, struct exec *x)
{
	int64_t saturate;
	int rc;

	rc = op_check_arity(n, x, 2, 2, 1, 1);
	if (rc || (rc = attr_int(n, x, "saturate", 1, &saturate)))
		return rc;
	return cast_setup(n, x, n->inputs[1]->dtype);
}

static int cast_run(struct node *n, struct exec *x)
{
	const struct cast_params *p = n->params;
	const struct tensor *in = n->inputs[0];
	struct tensor *out = n->outputs[0];
	const char *src = in->data;
	char *dst = out->data;
	union wide w;

	if (!out->numel)
		return GRT_OK;
	if (!p->read) {
		memcpy(dst, src, out->nbytes);
		return GRT_OK;
	}
	for (int64_t i = 0; i < out->numel; i += CAST_BLOCK) {
		int64_t m = out->numel - i < CAST_BLOCK ? out->numel - i : CAST_BLOCK;
		p->read(&w, src + i * (int64_t)p->es_in, m);
		p->write(dst + i * (int64_t)p->es_out, &w, m);
	}
	(void)x;
	return GRT_OK;
}

/* Cast-1 named the target type with a string; from opset 6 on only element
 * types are added (bfloat16 in 13; float8 in 19, 4-bit types in 21, which
 * the runtime has no tensors for). */
const struct op_def op_cast = { "Cast", 6, OPSET_LATEST, cast_prepare, cast_run, OP_MOVES_DATA, NULL };
/* CastLike 15; 19 adds saturate and 21 types, as Cast */
const struct op_def op_cast_like = {
	"CastLike", 15, OPSET_LATEST, cast_like_prepare, cast_run, OP_MOVES_DATA, NULL
};

/* compare_set.h - the row kernels of ops/math/compare_kernels.c for one element type:
 * Less, Greater, LessOrEqual, GreaterOrEqual (uint8_t out) and Max, Min (the type out),
 * each one include of ops/math/binary_row.h. No include guard: included once per type,
 * with TI the element type, LOAD its widening to the type compared in, NARROW the
 * store back to TI (Max, Min) and SFX(op, name) the kernel names of this type
 * (SFX(lt, vv) is lt_f32_vv for float). It undefines all five at its end. */

#define TO uint8_t
#define STORE AS_U8
#define KN(name) SFX(lt, name)
#define OP LT
#include "ops/math/binary_row.h"
#define KN(name) SFX(gt, name)
#define OP GT
#include "ops/math/binary_row.h"
#define KN(name) SFX(le, name)
#define OP LE
#include "ops/math/binary_row.h"
#define KN(name) SFX(ge, name)
#define OP GE
#include "ops/math/binary_row.h"
#undef TO
#undef STORE

#define TO TI
#define STORE NARROW
#define KN(name) SFX(max, name)
#define OP MAX
#include "ops/math/binary_row.h"
#define KN(name) SFX(min, name)
#define OP MIN
#include "ops/math/binary_row.h"
#undef TO
#undef STORE

#undef TI
#undef LOAD
#undef NARROW
#undef SFX

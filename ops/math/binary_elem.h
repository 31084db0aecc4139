/* binary_elem.h - the element conversions the binary row kernels are built with
 * (ops/math/binary_row.h's LOAD and STORE, in ops/math/binary_kernels.c and
 * ops/math/compare_kernels.c). */
#ifndef OPS_BINARY_ELEM_H
#define OPS_BINARY_ELEM_H

#define ID(v) (v)
#define U32(v) ((uint32_t)(v))
#define U64(v) ((uint64_t)(v))
#define I64(v) ((int64_t)(v))
#define NZ(v) ((v) != 0)
#define AS_U8(v) ((uint8_t)(v))
#define AS_U16(v) ((uint16_t)(v))
#define AS_I8(v) ((int8_t)(v))
#define AS_I16(v) ((int16_t)(v))
#define AS_I32(v) ((int32_t)(v))

#endif

/* op_select.h - which operators a build carries (configure --with-ops). The
 * generated ops/op_selected.h (ops/op_select.sh, from configure's list) defines
 * GRT_OPS_ALL for the whole set, or GRT_SEL_<sym> 1 for each selected op_def
 * symbol of ops/op_list.h (GRT_SEL_op_conv) and each selected unary table row
 * (GRT_SEL_Relu). SEL_IF(IS_SEL(name), items...) then expands to "items," when
 * name is selected and to nothing otherwise, so the registry's tables list only
 * those; the linker (--gc-sections) drops the operator code no table reaches.
 * IS_SEL is 1 when GRT_SEL_<name> is defined as 1, else 0 (the placeholder
 * trick: the macro's value pasted onto GRT_SEL_PH_ becomes "0," only for 1). */
#ifndef OPS_OP_SELECT_H
#define OPS_OP_SELECT_H

#include "ops/op_selected.h"

#define GRT_SEL_PH_1 0,
#define GRT_SEL_SECOND(a, b, ...) b
#define GRT_SEL_TEST(arg_or_junk) GRT_SEL_SECOND(arg_or_junk 1, 0, 0)
#define GRT_SEL_PASTE(v) GRT_SEL_TEST(GRT_SEL_PH_##v)
#define GRT_SEL_VALUE(v) GRT_SEL_PASTE(v)
#ifdef GRT_OPS_ALL
#define IS_SEL(name) 1
#else
#define IS_SEL(name) GRT_SEL_VALUE(GRT_SEL_##name)
#endif

#define GRT_SEL_IF_1(...) __VA_ARGS__,
#define GRT_SEL_IF_0(...)
#define GRT_SEL_IF_(c, ...) GRT_SEL_IF_##c(__VA_ARGS__)
#define SEL_IF(c, ...) GRT_SEL_IF_(c, __VA_ARGS__)

#endif

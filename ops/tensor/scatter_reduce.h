/* scatter_reduce.h - ScatterND's reduction of one run of elements (ops/tensor/gather.c) for
 * one element type. No include guard: ops/tensor/gather.c includes it once per type, with T
 * the element type, U the type of the arithmetic (unsigned for integers, so that
 * overflow wraps instead of being undefined) and KN(name) the function's name for the
 * type (KN(reduce) is reduce_f32 for float); it undefines them at its end. */

/* dst[i] (op)= src[i]; U is the type the arithmetic is done in (unsigned for
 * integers, so that overflow wraps instead of being undefined). */
static void KN(reduce)(T *restrict dst, const T *restrict src, int64_t n,
                       enum scatter_reduction red)
{
	switch (red) {
	case RED_ADD:
		for (int64_t i = 0; i < n; i++)
			dst[i] = (T)((U)dst[i] + (U)src[i]);
		break;
	case RED_MUL:
		for (int64_t i = 0; i < n; i++)
			dst[i] = (T)((U)dst[i] * (U)src[i]);
		break;
	case RED_MAX:
		for (int64_t i = 0; i < n; i++)
			dst[i] = src[i] > dst[i] ? src[i] : dst[i];
		break;
	case RED_MIN:
		for (int64_t i = 0; i < n; i++)
			dst[i] = src[i] < dst[i] ? src[i] : dst[i];
		break;
	case RED_NONE:
		break;
	}
}

#undef KN
#undef T
#undef U

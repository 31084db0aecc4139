/* cast_kernel.h - Cast's reader and writers for one element type (ops/tensor/cast.c): the
 * type's values to the wide ones (union wide: int64, uint64 or double), and the wide
 * values back to the type, one writer per wide kind. No include guard: ops/tensor/cast.c
 * includes it once per type, with T the type, MEMBER the wide member its reader fills
 * (i, u or f), LOAD the reader's conversion, FROM_I, FROM_U and FROM_F the writers'
 * and KN(name) the function's name for the type (KN(read) is read_f32 for float); it
 * undefines them at its end. */

/* w->MEMBER[i] = src[i] widened */
static void KN(read)(union wide *restrict w, const void *restrict src_, int64_t n)
{
	const T *restrict src = src_;
	for (int64_t i = 0; i < n; i++)
		w->MEMBER[i] = LOAD(src[i]);
}

/* the wide values back to T */
static void KN(write_from_i)(void *restrict dst, const union wide *restrict w, int64_t n)
{
	T *restrict d = dst;
	for (int64_t i = 0; i < n; i++)
		d[i] = FROM_I(w->i[i]);
}

static void KN(write_from_u)(void *restrict dst, const union wide *restrict w, int64_t n)
{
	T *restrict d = dst;
	for (int64_t i = 0; i < n; i++)
		d[i] = FROM_U(w->u[i]);
}

static void KN(write_from_f)(void *restrict dst, const union wide *restrict w, int64_t n)
{
	T *restrict d = dst;
	for (int64_t i = 0; i < n; i++)
		d[i] = FROM_F(w->f[i]);
}

#undef KN
#undef MEMBER
#undef LOAD
#undef T
#undef FROM_I
#undef FROM_U
#undef FROM_F

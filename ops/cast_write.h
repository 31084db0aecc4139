/* cast_write.h - Cast's writers for one target type (ops/cast.c): the wide values
 * (union wide: int64, uint64 or double) to the target, one function per wide kind.
 * No include guard: ops/cast.c includes it once per target type, with T the target
 * type, FROM_I, FROM_U and FROM_F the conversions from each wide kind and KN(name)
 * the function's name for the type (KN(write_from_i) is write_from_i_f32 for float);
 * it undefines them at its end. */

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
#undef T
#undef FROM_I
#undef FROM_U
#undef FROM_F

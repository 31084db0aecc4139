/* where_row.h - one row of Where (ops/math/elementwise.c) for one element size. No include
 * guard: ops/math/elementwise.c includes it once per size, with T the unsigned integer type
 * of that size and KN(name) the function's name for it (KN(where_row) is where_row_32
 * for 4 bytes); it undefines them at its end. */

/* Where copies elements, so one kernel per element size serves every type. */
static void KN(where_row)(void *restrict o_, const uint8_t *restrict c,
                      const void *restrict x_, const void *restrict y_, int64_t n,
                      const int *step)
{
	T *restrict o = o_;
	const T *restrict xv = x_;
	const T *restrict yv = y_;
	int sc = step[0], sx = step[1], sy = step[2];
	for (int64_t i = 0; i < n; i++)
		o[i] = c[i * sc] ? xv[i * sx] : yv[i * sy];
}

#undef KN
#undef T

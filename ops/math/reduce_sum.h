/* reduce_sum.h - the kernels of ReduceSum and ReduceMean (ops/math/reduce.c) for one
 * element type: the sums, then the quotients (by 1 for ReduceSum). No include guard:
 * ops/math/reduce.c includes it once per type, with T the element type, B the type of
 * a block's 8 lanes, A the accumulator type, LOAD the element's value, QUOT(v, c) the
 * mean of sum v over c elements as a T and KN(name) the function's name for the type
 * (KN(sum) is sum_f32 for float); it undefines them at its end. */

/* Accumulator per output element: acc[o] += every input element mapped to o.
 * A reduced row is summed in blocks of up to 64 elements, 8 lanes of the block
 * type B each (vectorisable; the rounding error stays that of an 8-term sum),
 * the block sums add up in the accumulator type A. Loops run in fixed-width
 * blocks of 8 so that -O2 vectorises them. */
static A KN(sum_row)(const T *restrict src, int64_t n)
{
	A tot = 0;

	for (int64_t i = 0; i < n; i += 64) {
		int64_t m = n - i < 64 ? n - i : 64, j = 0;
		B s[8] = { 0 };
		for (; j + 8 <= m; j += 8)
			for (int k = 0; k < 8; k++)
				s[k] += (B)LOAD(src[i + j + k]);
		for (; j < m; j++)
			s[0] += (B)LOAD(src[i + j]);
		tot += (((A)s[0] + (A)s[1]) + ((A)s[2] + (A)s[3])) +
		       (((A)s[4] + (A)s[5]) + ((A)s[6] + (A)s[7]));
	}
	return tot;
}

static void KN(sum_add)(A *restrict a, const T *restrict src, int64_t n)
{
	int64_t i = 0;

	for (; i + 8 <= n; i += 8)
		for (int k = 0; k < 8; k++)
			a[i + k] += (A)LOAD(src[i + k]);
	for (; i < n; i++)
		a[i] += (A)LOAD(src[i]);
}

static void KN(sum)(A *restrict acc, const T *restrict src,
                    const struct reduce_params *p)
{
	int64_t idx[MAX_DIMS] = { 0 };
	int64_t o = 0, inner = p->inner;

	for (int64_t row = 0; row < p->n_rows; row++, src += inner) {
		if (p->inner_reduced)
			acc[o] += KN(sum_row)(src, inner);
		else
			KN(sum_add)(acc + o, src, inner);
		o = reduce_next_row(p, idx, o);
	}
}

/* dst[i] = the mean of acc[i] over count elements (count 1: the sum itself) */
static void KN(div)(T *restrict dst, const A *restrict acc, int64_t n, int64_t count)
{
	const A c = (A)count;

	for (int64_t i = 0; i < n; i++)
		dst[i] = QUOT(acc[i], c);
}

#undef KN
#undef T
#undef B
#undef A
#undef LOAD
#undef QUOT

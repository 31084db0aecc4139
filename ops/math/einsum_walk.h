/* einsum_walk.h - Einsum's general walk over every label (ops/math/einsum.c) for one
 * element type. No include guard: ops/math/einsum.c includes it once per type, with T the
 * element type, U the type of the arithmetic (unsigned for integers, so overflow wraps)
 * and KN(name) the function's name for the type (KN(walk) is walk_i32 for int32); it
 * undefines them at its end. */

/* The general walk: Y starts at zero, every combination of all labels adds
 * the product of the operands' elements. The last label is the inner loop.
 * U is the type of the arithmetic (unsigned for integers, so overflow wraps).
 * work: [n_ops] operand offsets, then [labels] the odometer. */
static void KN(walk)(const struct einsum_params *p, const void *const *in, T *y,
                     int64_t *work)
{
	int L = p->n_out + p->n_sum, n_ops = p->n_ops;
	int64_t *off = work, *idx = work + n_ops, yo = 0, numel = 1, total = 1;
	int64_t inner = L ? p->size[L - 1] : 1;
	int64_t ys = L ? p->y_stride[L - 1] : 0;
	for (int l = 0; l < L; l++) {
		total *= p->size[l];
		if (l < p->n_out)
			numel *= p->size[l];
	}
	memset(y, 0, (size_t)numel * sizeof(T));
	if (!total)
		return;
	for (int i = 0; i < n_ops; i++)
		off[i] = 0;
	for (int l = 0; l < L; l++)
		idx[l] = 0;
	for (;;) {
		int l;
		for (int64_t i = 0; i < inner; i++) {
			U prod = 1;
			for (int o = 0; o < n_ops; o++) {
				const int64_t *st = p->stride + (size_t)o * (size_t)L;
				int64_t e = off[o] + (L ? i * st[L - 1] : 0);
				prod *= (U)((const T *)in[o])[e];
			}
			y[yo + i * ys] = (T)((U)y[yo + i * ys] + prod);
		}
		for (l = L - 2; l >= 0; l--) {
			for (int o = 0; o < n_ops; o++)
				off[o] += p->stride[(size_t)o * (size_t)L + (size_t)l];
			yo += p->y_stride[l];
			if (++idx[l] < p->size[l])
				break;
			for (int o = 0; o < n_ops; o++)
				off[o] -= p->stride[(size_t)o * (size_t)L + (size_t)l] *
				          p->size[l];
			yo -= p->y_stride[l] * p->size[l];
			idx[l] = 0;
		}
		if (l < 0)
			break;
	}
}

#undef KN
#undef T
#undef U

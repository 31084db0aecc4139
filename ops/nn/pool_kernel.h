/* pool_kernel.h - the pooling kernel of ops/nn/pool.c for one element type. No include
 * guard: ops/nn/pool.c includes it once per type, with T the element type, TLOW its
 * lowest finite value and KN(name) the name with the type's suffix (KN(plane) is
 * plane_f32 for float); it undefines T, TLOW and KN at its end. */

/* One plane (one n, c): x [in[0]][in[1]][in[2]] -> y [out[0]][out[1]][out[2]], and for
 * MaxPool with Indices, ind [out...] = base + the flat index of the maximum in the plane
 * (row-major, or column-major over the spatial axes with storage_order 1). Each output
 * reads the taps of its window that land inside x: [lo, hi) per axis. */
static void KN(plane)(const struct pool_params *p, const T *restrict x, T *restrict y,
                      int64_t *restrict ind, int64_t base)
{
	const int64_t n1 = p->in[1], n2 = p->in[2];
	int64_t o = 0;

	for (int64_t j0 = 0; j0 < p->out[0]; j0++)
	for (int64_t j1 = 0; j1 < p->out[1]; j1++)
	for (int64_t j2 = 0; j2 < p->out[2]; j2++, o++) {
		const int64_t s0 = j0 * p->stride[0] - p->pad[0];
		const int64_t s1 = j1 * p->stride[1] - p->pad[1];
		const int64_t s2 = j2 * p->stride[2] - p->pad[2];
		const int64_t a2 = p->lo[2][j2], b2 = p->hi[2][j2];
		T acc = p->kind == POOL_MAX ? TLOW : 0;
		int64_t arg = 0;

		for (int64_t t0 = p->lo[0][j0]; t0 < p->hi[0][j0]; t0++)
		for (int64_t t1 = p->lo[1][j1]; t1 < p->hi[1][j1]; t1++) {
			const int64_t i0 = s0 + t0 * p->dil[0], i1 = s1 + t1 * p->dil[1];
			const T *row = x + (i0 * n1 + i1) * n2 + s2;

			switch (p->kind) {
			case POOL_MAX:
				for (int64_t t2 = a2; t2 < b2; t2++) {
					T v = row[t2 * p->dil[2]];

					if (v > acc) {
						int64_t i2 = s2 + t2 * p->dil[2];

						acc = v;
						arg = p->col_major ? i0 + p->in[0] * (i1 + n1 * i2)
						                   : (i0 * n1 + i1) * n2 + i2;
					}
				}
				break;
			case POOL_AVG:
				for (int64_t t2 = a2; t2 < b2; t2++)
					acc += row[t2 * p->dil[2]];
				break;
			case POOL_LP:
				for (int64_t t2 = a2; t2 < b2; t2++) {
					T v = row[t2 * p->dil[2]];

					acc += p->p == 2 ? v * v : (T)pow(fabs((double)v), p->p);
				}
				break;
			}
		}
		if (p->kind == POOL_AVG)
			acc /= (T)(p->include_pad ? p->cnt[0][j0] * p->cnt[1][j1] * p->cnt[2][j2]
			           : (p->hi[0][j0] - p->lo[0][j0]) * (p->hi[1][j1] - p->lo[1][j1]) *
			             (b2 - a2));
		else if (p->kind == POOL_LP)
			acc = (T)(p->p == 2 ? sqrt((double)acc) : pow((double)acc, 1.0 / p->p));
		y[o] = acc;
		if (ind)
			ind[o] = base + arg;
	}
}

static void KN(run)(const struct pool_params *p, const T *x, T *y, int64_t *ind)
{
	for (int64_t c = 0; c < p->planes; c++)
		KN(plane)(p, x + c * p->in_size, y + c * p->out_size,
		          ind ? ind + c * p->out_size : NULL, c * p->in_size);
}

#undef T
#undef TLOW
#undef KN

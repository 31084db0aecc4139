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

/* acc[i] = acc[i] (op) v[i * s] for i < n; op: max, + (POOL_AVG), + |v|^p (POOL_LP). */
static void KN(fold)(enum pool_kind kind, double lp, T *restrict acc, const T *restrict v,
                     int64_t n, int64_t s)
{
	switch (kind) {
	case POOL_MAX:
		for (int64_t i = 0; i < n; i++)
			acc[i] = v[i * s] > acc[i] ? v[i * s] : acc[i];
		break;
	case POOL_AVG:
		for (int64_t i = 0; i < n; i++)
			acc[i] += v[i * s];
		break;
	case POOL_LP:
		for (int64_t i = 0; i < n; i++)
			acc[i] += lp == 2 ? v[i * s] * v[i * s] : (T)pow(fabs((double)v[i * s]), lp);
		break;
	}
}

/* The separable form of KN(plane) without Indices: every row of x reduced along the
 * last axis into r [in[0]][in[1]][out[2]] (tap t adds to the run of outputs
 * [tlo[t], thi[t]) it lands in), then each output row reduced over the rows of r
 * its window covers, whole rows at a time. */
static void KN(plane_sep)(const struct pool_params *p, const T *restrict x, T *restrict y,
                          T *restrict r)
{
	const int64_t o2 = p->out[2], s2 = p->stride[2];
	const T init = p->kind == POOL_MAX ? TLOW : 0;
	int64_t o = 0;

	for (int64_t row = 0; row < p->in[0] * p->in[1]; row++) {
		T *rr = r + row * o2;
		const T *xr = x + row * p->in[2];

		for (int64_t j = 0; j < o2; j++)
			rr[j] = init;
		for (int64_t t = 0; t < p->k2; t++) {
			const int64_t a = p->tlo[t];

			KN(fold)(p->kind, p->p, rr + a, xr + a * s2 + t * p->dil[2] - p->pad[2],
			         p->thi[t] - a, s2);
		}
	}
	for (int64_t j0 = 0; j0 < p->out[0]; j0++)
	for (int64_t j1 = 0; j1 < p->out[1]; j1++, o += o2) {
		T *yr = y + o;
		int64_t c01 = p->include_pad ? p->cnt[0][j0] * p->cnt[1][j1]
		              : (p->hi[0][j0] - p->lo[0][j0]) * (p->hi[1][j1] - p->lo[1][j1]);

		for (int64_t j = 0; j < o2; j++)
			yr[j] = init;
		for (int64_t t0 = p->lo[0][j0]; t0 < p->hi[0][j0]; t0++)
		for (int64_t t1 = p->lo[1][j1]; t1 < p->hi[1][j1]; t1++) {
			const int64_t i0 = j0 * p->stride[0] - p->pad[0] + t0 * p->dil[0];
			const int64_t i1 = j1 * p->stride[1] - p->pad[1] + t1 * p->dil[1];

			KN(fold)(p->kind == POOL_MAX ? POOL_MAX : POOL_AVG, 0, yr,
			         r + (i0 * p->in[1] + i1) * o2, o2, 1);
		}
		if (p->kind == POOL_AVG)
			for (int64_t j = 0; j < o2; j++)
				yr[j] /= (T)((double)c01 * p->div2[j]);
		else if (p->kind == POOL_LP)
			for (int64_t j = 0; j < o2; j++)
				yr[j] = (T)(p->p == 2 ? sqrt((double)yr[j])
				                      : pow((double)yr[j], 1.0 / p->p));
	}
}

/* The global pools: each plane x [in_size] folded into one value, in 8 interleaved
 * partial results (they vectorise) combined at the end. */
static void KN(global)(const struct pool_params *p, const T *x, T *y)
{
	const int64_t m = p->in_size, m8 = m - m % 8;

	for (int64_t c = 0; c < p->planes; c++) {
		const T *xp = x + c * m;
		T part[8], acc;

		for (int k = 0; k < 8; k++)
			part[k] = p->kind == POOL_MAX ? TLOW : 0;
		for (int64_t i = 0; i < m8 && p->kind == POOL_MAX; i += 8)
			for (int k = 0; k < 8; k++)
				part[k] = xp[i + k] > part[k] ? xp[i + k] : part[k];
		for (int64_t i = 0; i < m8 && p->kind == POOL_AVG; i += 8)
			for (int k = 0; k < 8; k++)
				part[k] += xp[i + k];
		for (int64_t i = 0; i < m8 && p->kind == POOL_LP; i += 8)
			KN(fold)(p->kind, p->p, part, xp + i, 8, 1);
		if (m8 < m)
			KN(fold)(p->kind, p->p, part, xp + m8, m - m8, 1);
		acc = part[0];
		for (int k = 1; k < 8; k++)
			acc = p->kind != POOL_MAX ? acc + part[k] : part[k] > acc ? part[k] : acc;
		if (p->kind == POOL_AVG)
			acc /= (T)m;
		else if (p->kind == POOL_LP)
			acc = (T)(p->p == 2 ? sqrt((double)acc) : pow((double)acc, 1.0 / p->p));
		y[c] = acc;
	}
}

/* scratch: r of KN(plane_sep), [in[0] * in[1] * out[2]] */
static void KN(run)(const struct pool_params *p, const T *x, T *y, int64_t *ind, T *r)
{
	for (int64_t c = 0; c < p->planes; c++) {
		if (ind)
			KN(plane)(p, x + c * p->in_size, y + c * p->out_size, ind + c * p->out_size,
			          c * p->in_size);
		else
			KN(plane_sep)(p, x + c * p->in_size, y + c * p->out_size, r);
	}
}

#undef T
#undef TLOW
#undef KN

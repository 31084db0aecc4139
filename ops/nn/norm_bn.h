/* norm_bn.h - BatchNormalization's kernels (ops/nn/norm.c) for one element type. No
 * include guard: ops/nn/norm.c includes it once per type, with T the element type, CT
 * the compute type, LOAD / STORE the conversions between them and KN(name) the
 * function's name for the type (KN(bn_apply) is bn_apply_f32 for float); it
 * undefines them at its end. */

/* Population mean and variance per channel, over N and the spatial axes. */
static void KN(bn_stats)(const T *restrict xv, const struct bn_params *p,
                         double *restrict mean, double *restrict var)
{
	int64_t C = p->channels, inner = p->inner;
	double cnt = (double)(p->outer * inner);

	for (int64_t c = 0; c < C; c++) {
		double s = 0, q = 0, m;
		for (int64_t o = 0; o < p->outer; o++) {
			const T *row = xv + (o * C + c) * inner;
			for (int64_t i = 0; i < inner; i++)
				s += (double)LOAD(row[i]);
		}
		m = s / cnt;
		for (int64_t o = 0; o < p->outer; o++) {
			const T *row = xv + (o * C + c) * inner;
			for (int64_t i = 0; i < inner; i++) {
				double d = (double)LOAD(row[i]) - m;
				q += d * d;
			}
		}
		mean[c] = m;
		var[c] = q / cnt;
	}
}

/* y = (x - m[c]) * a[c] + b[c] in the compute type CT, one (n, c) row at a time */
static void KN(bn_apply_row)(T *restrict y, const T *restrict xv, int64_t len,
                             CT m, CT a, CT b)
{
	int64_t i = 0;

	for (; i + 8 <= len; i += 8)    /* fixed-width blocks: vectorised at -O2 */
		for (int k = 0; k < 8; k++)
			y[i + k] = STORE((LOAD(xv[i + k]) - m) * a + b);
	for (; i < len; i++)
		y[i] = STORE((LOAD(xv[i]) - m) * a + b);
}

static void KN(bn_apply)(T *restrict y, const T *restrict xv, const double *restrict cf,
                         const struct bn_params *p)
{
	int64_t inner = p->inner;

	for (int64_t o = 0; o < p->outer; o++)
		for (int64_t c = 0; c < p->channels; c++, xv += inner, y += inner)
			KN(bn_apply_row)(y, xv, inner, (CT)cf[3 * c], (CT)cf[3 * c + 1],
			                 (CT)cf[3 * c + 2]);
}

#undef KN
#undef T
#undef LOAD
#undef CT
#undef STORE
